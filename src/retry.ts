export type Sleep = (ms: number) => Promise<void>
export type Clock = () => number

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export interface BackoffOptions {
  /** First delay ceiling in ms; the ceiling doubles each attempt. */
  baseMs: number
  /** Largest ceiling in ms. */
  capMs: number
  /** 0..1 random source, injectable for tests. */
  random?: () => number
}

/**
 * "Full jitter" backoff (AWS Architecture Blog): a uniform delay in [ceiling/2, ceiling] where
 * ceiling = min(cap, base * 2^attempt). The lower half-floor keeps retries from hammering at once.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt))
  const r = (opts.random ?? Math.random)()
  return Math.round(ceiling / 2 + (ceiling / 2) * r)
}
