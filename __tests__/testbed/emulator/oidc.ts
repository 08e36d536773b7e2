/** GitHub's OIDC token endpoint and the RS256 JWTs it mints (key pair generated per emulator). */
import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto'
import type { OidcConfig } from './types.ts'
import { isRecord } from './util.ts'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export interface MintOptions {
  audience?: string
  /** Override the configured lifetime for this token (negative: already expired). */
  lifetimeSeconds?: number
  /** Sign with a key the emulator does not trust (a forged token). */
  foreignKey?: boolean
}

/**
 * How far in the future a token's `nbf` / `iat` may lie (the issuer's clock ahead of STS's) before
 * STS takes it as not valid yet.
 */
export const OIDC_CLOCK_SKEW_SECONDS = 60

export type TokenCheck =
  | { ok: true; claims: Record<string, unknown> }
  | {
      ok: false
      reason: 'malformed' | 'signature' | 'expired' | 'not-yet-valid' | 'issuer'
      claims?: Record<string, unknown>
    }

export class OidcIssuer {
  readonly config: OidcConfig
  private readonly privateKey: KeyObject
  private readonly publicKey: KeyObject
  private readonly kid: string
  private foreign: KeyObject | undefined

  constructor(config: OidcConfig) {
    this.config = config
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    this.privateKey = privateKey
    this.publicKey = publicKey
    this.kid = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url')
      .slice(0, 27)
  }

  /** The claims GitHub puts in a token (defaults for acme/widget on main), then config overrides. */
  claimsFor(audience: string | undefined, lifetimeSeconds: number): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000)
    const base: Record<string, unknown> = {
      jti: randomUUID(),
      sub: this.config.sub,
      aud: audience,
      ref: 'refs/heads/main',
      sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      repository: 'acme/widget',
      repository_owner: 'acme',
      repository_owner_id: '1000001',
      repository_id: '2000002',
      repository_visibility: 'private',
      run_id: '4242424242',
      run_number: '7',
      run_attempt: '1',
      actor: 'octocat',
      actor_id: '583231',
      workflow: 'ci',
      workflow_ref: 'acme/widget/.github/workflows/ci.yml@refs/heads/main',
      event_name: 'push',
      ref_type: 'branch',
      ref_protected: 'false',
      job_workflow_ref: 'acme/widget/.github/workflows/ci.yml@refs/heads/main',
      runner_environment: 'github-hosted',
      iss: this.config.issuer,
      nbf: now - 5,
      exp: now + lifetimeSeconds,
      iat: now - 5,
    }
    const merged = { ...base, ...this.config.claims }
    if (audience !== undefined) merged.aud = audience
    if (merged.aud === undefined) merged.aud = `https://github.com/${String(merged.repository_owner)}`
    return merged
  }

  mint(
    claimOverrides: Record<string, unknown> = {},
    options: MintOptions = {},
  ): { token: string; claims: Record<string, unknown> } {
    const claims = {
      ...this.claimsFor(options.audience, options.lifetimeSeconds ?? this.config.lifetimeSeconds),
      ...claimOverrides,
    }
    const header = { typ: 'JWT', alg: 'RS256', x5t: this.kid, kid: this.kid }
    const signingInput = `${b64(header)}.${b64(claims)}`
    const key = options.foreignKey ? this.foreignKey() : this.privateKey
    const signature = sign('sha256', Buffer.from(signingInput), key).toString('base64url')
    return { token: `${signingInput}.${signature}`, claims }
  }

  check(token: string): TokenCheck {
    const parts = token.split('.')
    if (parts.length !== 3) return { ok: false, reason: 'malformed' }
    const [h, p, s] = parts as [string, string, string]
    let header: unknown
    let claims: unknown
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
    } catch {
      return { ok: false, reason: 'malformed' }
    }
    if (!isRecord(header) || !isRecord(claims) || header.alg !== 'RS256')
      return { ok: false, reason: 'malformed' }
    if (!verify('sha256', Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(s, 'base64url'))) {
      return { ok: false, reason: 'signature', claims }
    }
    if (claims.iss !== this.config.issuer) return { ok: false, reason: 'issuer', claims }
    const now = Date.now() / 1000
    if (typeof claims.exp !== 'number' || claims.exp < now) return { ok: false, reason: 'expired', claims }
    for (const name of ['nbf', 'iat'] as const) {
      const at = claims[name]
      if (at === undefined) continue
      if (typeof at !== 'number') return { ok: false, reason: 'malformed', claims }
      if (at > now + OIDC_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'not-yet-valid', claims }
    }
    return { ok: true, claims }
  }

  private foreignKey(): KeyObject {
    this.foreign ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    return this.foreign
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** The jti of a token without verifying it (for the request log). */
export function peekJti(token: string): string | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
    return isRecord(claims) && typeof claims.jti === 'string' ? claims.jti : undefined
  } catch {
    return undefined
  }
}
