/**
 * The public registry's authentication (ECR Public, `public.ecr.aws` on AWS, `public.ecr.test`
 * here): the distribution spec's token flow, as ECR Public runs it and as docker and other clients
 * meet it (ECR Public user guide "Registry authentication"; users' reports in the trackers of
 * docker clients, e.g. kreuzwerker/terraform-provider-docker #666, dependabot/proxy #157,
 * aws/containers-roadmap #2671 and #2835):
 *
 * - A request without credentials: 401 with `WWW-Authenticate: Bearer
 *   realm="https://public.ecr.aws/token",service="public.ecr.aws",scope="aws"`.
 * - The token endpoint (`GET /token?service=…&scope=…`) answers `{"token": "…"}`: with Basic
 *   `AWS:<password>` of ECR Public's GetAuthorizationToken, a token of that principal (pull and
 *   push, as IAM allows); without credentials, an anonymous token (pulls only).
 * - Registry requests take `Authorization: Bearer <token>` only. Basic there is 400 `DENIED` "Your
 *   Authorization Token is invalid." (not 401: clients that wait for a challenge never get one); an
 *   unknown or expired bearer token is 400 too.
 */
import { randomBytes } from 'node:crypto'
import { PUBLIC_REGISTRY_HOSTNAME, type EmulatorState } from './state.ts'
import type { Principal, PublicBearerRecord } from './types.ts'

/** Lifetime of an anonymous (pull) token. */
const ANONYMOUS_TOKEN_MS = 60 * 60 * 1000

export function isPublicRegistryHost(hostHeader: string): boolean {
  return hostHeader.toLowerCase().replace(/:\d+$/, '') === PUBLIC_REGISTRY_HOSTNAME
}

/** The challenge of a request without credentials (the realm on the registry's own origin). */
export function publicChallenge(hostHeader: string): string {
  return `Bearer realm="http://${hostHeader}/token",service="${PUBLIC_REGISTRY_HOSTNAME}",scope="aws"`
}

export type BearerCheck =
  | { ok: true; token: PublicBearerRecord }
  | { ok: false; reason: 'missing' | 'basic' | 'malformed' | 'unknown' | 'expired' }

/** The bearer token of a registry request. */
export function checkPublicBearer(state: EmulatorState, header: string | undefined, now: Date): BearerCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' }
  if (/^Basic\s/i.test(header)) return { ok: false, reason: 'basic' }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!m) return { ok: false, reason: 'malformed' }
  const token = state.publicBearerTokens.get(m[1] as string)
  if (!token) return { ok: false, reason: 'unknown' }
  if (token.expired === true || token.expiresAt.getTime() <= now.getTime())
    return { ok: false, reason: 'expired' }
  return { ok: true, token }
}

export interface TokenAnswer {
  status: number
  headers: Record<string, string>
  body: string
  principal?: Principal
}

const json = (status: number, value: unknown, principal?: Principal): TokenAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: `${JSON.stringify(value)}\n`,
  ...(principal ? { principal } : {}),
})

const refused = (message: string): TokenAnswer => json(401, { errors: [{ code: 'UNAUTHORIZED', message }] })

/** The token endpoint: a bearer token for the ECR Public password given, or an anonymous one. */
export function publicTokenAnswer(
  state: EmulatorState,
  header: string | undefined,
  url: URL,
  hostHeader: string,
  now: Date,
): TokenAnswer {
  const service = url.searchParams.get('service')
  if (service !== null && service !== PUBLIC_REGISTRY_HOSTNAME) {
    return json(400, {
      errors: [{ code: 'UNSUPPORTED', message: `unknown service '${service}' (${hostHeader})` }],
    })
  }
  const mint = (principal: Principal | undefined, expiresAt: Date): TokenAnswer => {
    const token = randomBytes(48).toString('base64url')
    state.publicBearerTokens.set(token, { token, expiresAt, ...(principal ? { principal } : {}) })
    return json(200, { token }, principal)
  }
  if (header === undefined || header.trim() === '')
    return mint(undefined, new Date(now.getTime() + ANONYMOUS_TOKEN_MS))
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (!m) return refused('Not Authorized')
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const record =
    colon > 0 && decoded.slice(0, colon) === 'AWS'
      ? state.registryTokens.get(decoded.slice(colon + 1))
      : undefined
  // A private registry's password opens no public registry.
  if (!record || record.service !== 'ecr-public') return refused('Your Authorization Token is invalid.')
  if (record.expired === true || record.expiresAt.getTime() <= now.getTime())
    return refused('Your authorization token has expired. Reauthenticate and try again.')
  return mint(record.principal, record.expiresAt)
}
