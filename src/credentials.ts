/**
 * Role-session credentials that outlive the scan wait. The push needs a session for seconds; the
 * gate may wait scan-timeout-seconds (up to six hours) after it, longer than role-duration-seconds.
 * `renewingCredentials` is an AWS SDK credential provider: it hands out the current session until it
 * is about to expire, then assumes the role again with a fresh GitHub OIDC token (assumeRoleWithOidc
 * fetches one per attempt), or with the environment's credentials when the role is chained (a
 * chained session lasts at most 1 hour), so no call of the wait ever signs with an expired session. When renewal
 * fails it keeps the old session while it lasts, tries again now and then, and once the session is
 * about to expire fails with a CredentialRefreshError that names role-duration-seconds.
 *
 * The SDK memoises a provider and asks it again from 5 minutes before `expiration`; this provider
 * decides itself when to renew (RENEW_BEFORE_MS, or a quarter of a short session), so it works the
 * same whatever the SDK's window is.
 */
import { ActionError, errorMessage } from './errors.js'
import type { AwsCredentials } from './sts.js'

export type CredentialProvider = () => Promise<AwsCredentials>

/** Renew this long before the session expires (or a quarter of the session, if that is shorter). */
export const RENEW_BEFORE_MS = 5 * 60_000
/** After a failed renewal, wait this long before the next try (the old session still works). */
export const RETRY_RENEW_MS = 30_000
/** Below this much left, an unrenewable session is not handed out: the call would fail anyway. */
const LAST_MS = 5_000

export class CredentialRefreshError extends ActionError {
  override name = 'CredentialRefreshError'
}

export interface RenewOptions {
  /** The session the push got. */
  initial: AwsCredentials
  /** Assume the role again (a fresh OIDC token each time). */
  renew: () => Promise<AwsCredentials>
  /** role-duration-seconds, for the message. */
  durationSeconds: number
  /** scan-timeout-seconds, for the message. */
  waitSeconds?: number
  /**
   * Role chaining: who the role is assumed with (the environment's credentials). A chained session
   * lasts at most 1 hour; renewing it needs those credentials to be valid still.
   */
  chainedFrom?: string
  clock?: () => number
  log?: (line: string) => void
  warn?: (line: string) => void
}

/** The SDK credential provider of a role session that renews itself before it expires. */
export function renewingCredentials(opts: RenewOptions): CredentialProvider {
  const clock = opts.clock ?? Date.now
  // A quarter of the session's life as it was handed over, at most RENEW_BEFORE_MS.
  const marginOf = (c: AwsCredentials): number =>
    Math.min(RENEW_BEFORE_MS, Math.max(0, (c.expiration?.getTime() ?? Infinity) - clock()) / 4)
  let current = opts.initial
  let margin = marginOf(current)
  let renewing: Promise<AwsCredentials> | undefined
  let failedAt: number | undefined
  const renew = async (): Promise<void> => {
    const before = current.expiration
    try {
      current = await opts.renew()
      margin = marginOf(current)
      failedAt = undefined
      opts.log?.(
        `Renewed the role session before it expired (${before?.toISOString() ?? 'unknown'}); the new one lasts until ${current.expiration?.toISOString() ?? 'unknown'}`,
      )
    } catch (err) {
      failedAt = clock()
      const left = (current.expiration?.getTime() ?? 0) - clock()
      if (left <= LAST_MS) throw refreshError(opts, current, err)
      opts.warn?.(
        `Could not renew the role session (${errorMessage(err)}); the current one lasts ${Math.round(left / 1000)} s more, trying again in ${RETRY_RENEW_MS / 1000} s.`,
      )
    }
  }
  return async () => {
    const exp = current.expiration?.getTime()
    const now = clock()
    if (exp === undefined || exp - now > margin) return current
    const due = failedAt === undefined || now - failedAt >= RETRY_RENEW_MS || exp - now <= LAST_MS
    if (due) {
      renewing ??= renew()
        .then(() => current)
        .finally(() => {
          renewing = undefined
        })
      await renewing
    }
    if ((current.expiration?.getTime() ?? Infinity) - clock() <= 0)
      throw refreshError(opts, current, undefined)
    return current
  }
}

function refreshError(opts: RenewOptions, current: AwsCredentials, cause: unknown): CredentialRefreshError {
  const until = current.expiration?.toISOString() ?? 'unknown'
  const why = cause === undefined ? '' : `: ${errorMessage(cause)}`
  const need = opts.waitSeconds !== undefined ? opts.waitSeconds + 300 : undefined
  if (opts.chainedFrom !== undefined) {
    return new CredentialRefreshError(
      `The chained role session expires at ${until} (a role assumed with another role's session lasts at most 1 hour), ` +
        `before the scan wait ends, and assuming the role again with ${opts.chainedFrom} failed${why}. ` +
        `Renewal needs the environment's credentials to outlast the wait: give the earlier step's session ` +
        `${need !== undefined ? `at least ${Math.min(43200, need)} seconds (scan-timeout-seconds: ${opts.waitSeconds} plus the push)` : 'a longer role-duration-seconds'}` +
        `, or lower scan-timeout-seconds.`,
    )
  }
  return new CredentialRefreshError(
    `The role session expires at ${until} (role-duration-seconds: ${opts.durationSeconds}), before the scan wait ends, and assuming the role again failed` +
      `${why}. Raise role-duration-seconds` +
      `${need !== undefined ? ` to at least ${Math.min(43200, need)} (scan-timeout-seconds: ${opts.waitSeconds} plus the push)` : ''}` +
      `, and the role's maximum session duration with it, or lower scan-timeout-seconds.`,
  )
}
