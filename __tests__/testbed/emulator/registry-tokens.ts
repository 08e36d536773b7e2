/**
 * ECR registry tokens: what GetAuthorizationToken hands out and the registry front accepts.
 *
 * Shaped like ECR's (the docker password is base64 of a JSON envelope with an encrypted payload, a
 * data key and the expiry, about 3 KB), but opaque to everyone but the emulator: the front looks the
 * password up, it never trusts what the envelope says. A token belongs to the principal that asked
 * for it, opens the registries of the region it was asked in (any account: what the principal may
 * do there is for IAM to decide), and expires.
 */
import { randomBytes } from 'node:crypto'
import type { EmulatorState } from './state.ts'
import type { Principal, RegistryTokenRecord } from './types.ts'

/** A fresh token for `principal`; the docker password (the part after `AWS:`) and its record. */
export function issueRegistryToken(
  state: EmulatorState,
  principal: Principal,
  region: string,
  now: Date,
  service: RegistryTokenRecord['service'] = 'ecr',
): RegistryTokenRecord {
  const expiresAt = new Date(now.getTime() + state.registryTokenLifetimeMs)
  const envelope = {
    payload: randomBytes(1800).toString('base64'),
    datakey: randomBytes(160).toString('base64'),
    version: '2',
    type: 'DATA_KEY',
    expiration: Math.floor(expiresAt.getTime() / 1000),
  }
  const record: RegistryTokenRecord = {
    service,
    password: Buffer.from(JSON.stringify(envelope)).toString('base64'),
    principal,
    region,
    issuedAt: now,
    expiresAt,
  }
  state.registryTokens.set(record.password, record)
  return record
}

export type TokenCheck =
  | { ok: true; token: RegistryTokenRecord }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'region' | 'expired' }

/** The token behind an `Authorization` header sent to the registry of `region`. */
export function checkRegistryAuthorization(
  state: EmulatorState,
  header: string | undefined,
  region: string,
  now: Date,
): TokenCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' }
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (!m) return { ok: false, reason: 'malformed' }
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return { ok: false, reason: 'malformed' }
  if (decoded.slice(0, colon) !== 'AWS') return { ok: false, reason: 'unknown' }
  const token = state.registryTokens.get(decoded.slice(colon + 1))
  // An ECR Public token opens no private registry (and the other way round: public-registry.ts).
  if (!token || token.service !== 'ecr') return { ok: false, reason: 'unknown' }
  if (token.region !== region) return { ok: false, reason: 'region' }
  if (token.expired === true || token.expiresAt.getTime() <= now.getTime())
    return { ok: false, reason: 'expired' }
  return { ok: true, token }
}
