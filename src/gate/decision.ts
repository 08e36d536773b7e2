/**
 * The gate's decision over every image it waits for (one, or each platform of an index). Pure:
 * the wait loop hands in each image's state after every read and asks whether the gate may end.
 *
 * - **Fail fast.** A blocking finding in a complete, consistent read of a ready scan makes the verdict
 *   `failed`, for good: nothing later (an unsettled set, the budget, another platform unavailable,
 *   `on-scan-unavailable: warn`) turns it back. The gate then reads on until every image's set has
 *   stayed the same for `scan-settle-seconds` (no floor) or the budget ends, so the counts it reports
 *   are complete, and says whether they were.
 * - **Pass late.** A pass needs every image passable: its set unchanged over consistent reads for
 *   `scan-settle-seconds` and at least FILL_IN_FLOOR_MS since its scan first read as ready.
 * - An image whose scan will give nothing (the six terminal statuses, not covered) waits for the
 *   others: it never hides another image's blocking finding. Unknown statuses, faults and
 *   inconsistent answers at the end of the budget fail the gate whatever on-scan-unavailable says.
 */
import {
  FILL_IN_FLOOR_MS,
  isReady,
  progress,
  type PlatformEnd,
  type WaitConfig,
  type WaitState,
} from './status.js'

export interface PlatformSnapshot {
  /** `linux/arm64` (or the digest for a single image), for messages. */
  label: string
  /** Whether to prefix messages with the label (an index). */
  multi: boolean
  state: WaitState
  /** Set when this image's wait ended on its own. */
  end?: PlatformEnd
}

export type GateDecision =
  | { kind: 'wait' }
  /** Failed on a blocking finding; `unsettled` says which images' counts may be incomplete, and why. */
  | { kind: 'blocking'; countsSettled: boolean; unsettled: string[] }
  | { kind: 'passed' }
  /** No trustworthy findings. relaxable: on-scan-unavailable: warn makes it `unavailable`; else failed. */
  | { kind: 'no-verdict'; status: string; message: string; relaxable: boolean }

export interface DecisionInput {
  platforms: readonly PlatformSnapshot[]
  now: number
  cfg: WaitConfig
  onUnavailable: 'fail' | 'warn'
}

const prefix = (p: PlatformSnapshot, text: string): string => (p.multi ? `${p.label}: ${text}` : text)

/** May the gate end now, and how? */
export function decideGate(input: DecisionInput): GateDecision {
  const { platforms, now, cfg } = input
  const over = now >= cfg.startedAt + cfg.timeoutMs
  if (platforms.some((p) => p.state.blocking)) {
    const open = platforms.filter((p) => p.end === undefined && !progress(p.state, cfg).countsSettled)
    if (open.length > 0 && !over) return { kind: 'wait' }
    return {
      kind: 'blocking',
      countsSettled: open.length === 0,
      unsettled: open.map((p) => prefix(p, waitingWhy(p.state, cfg, now).text)),
    }
  }
  const hard = platforms.find((p) => p.end !== undefined && !p.end.relaxable)
  if (hard?.end) return { kind: 'no-verdict', ...hard.end, message: prefix(hard, hard.end.message) }
  const open = platforms.filter((p) => p.end === undefined && !progress(p.state, cfg).passable)
  if (open.length === 0) {
    const soft = platforms.find((p) => p.end !== undefined)
    if (soft?.end) return { kind: 'no-verdict', ...soft.end, message: prefix(soft, soft.end.message) }
    return { kind: 'passed' }
  }
  return over ? timeout(open, input) : { kind: 'wait' }
}

function timeout(open: readonly PlatformSnapshot[], input: DecisionInput): GateDecision {
  const { cfg, now } = input
  const whys = open.map((p) => ({ p, why: waitingWhy(p.state, cfg, now) }))
  const inconsistent = whys.some((w) => w.why.inconsistent)
  const seen = whys.map((w) => prefix(w.p, w.why.text)).join('; ')
  const elapsed = Math.round((now - cfg.startedAt) / 1000)
  const head = `No trustworthy findings after ${elapsed} s (scan-timeout-seconds: ${cfg.timeoutMs / 1000}): ${seen}.`
  if (inconsistent) {
    return {
      kind: 'no-verdict',
      status: 'TIMEOUT',
      relaxable: false,
      message: `${head} The gate never passes on inconsistent answers, and on-scan-unavailable does not relax this: re-run the job; if ECR keeps answering so, raise it with AWS support.`,
    }
  }
  const warn =
    input.onUnavailable === 'fail'
      ? ', or set on-scan-unavailable: warn to let the step go on without a verdict'
      : ''
  return {
    kind: 'no-verdict',
    status: 'TIMEOUT',
    relaxable: true,
    message: `${head} Raise scan-timeout-seconds${warn}.`,
  }
}

const secs = (ms: number): number => Math.round(ms / 1000)

/** Why an image whose scan never read as ready gave nothing to decide on. */
function notReadyWhy(state: WaitState): string {
  switch (state.last) {
    case 'SCAN_NOT_FOUND':
      return 'ECR had not started a scan of the image (ScanNotFound)'
    case 'ERROR':
      return `ECR kept failing: ${state.lastError ?? 'unknown error'}`
    case 'IMAGE_NOT_FOUND':
      return 'ECR did not find the image (ImageNotFound)'
    case 'NOT_STARTED':
      return 'the scan was never read'
    default:
      return `the scan was still ${state.last}`
  }
}

/** What one image's reads showed when the gate had to stop waiting for it. */
export function waitingWhy(
  state: WaitState,
  cfg: WaitConfig,
  now: number,
): { text: string; inconsistent: boolean } {
  const said = (text: string) => ({ text, inconsistent: false })
  if (!isReady(state.last)) return said(notReadyWhy(state))
  if (!state.lastPassConsistent && state.inconsistentPasses > 0) {
    const n = state.inconsistentPasses
    return {
      text: `ECR's answers were inconsistent (${n} read${n === 1 ? '' : 's'} in a row: ${state.lastProblem ?? 'inconsistent'})`,
      inconsistent: true,
    }
  }
  if (state.lastConsistentAt === undefined)
    return said(`the scan was ${state.last} but no complete read fit in the budget`)
  const pr = progress(state, cfg)
  const settle = cfg.settleMs / 1000
  if (state.sets > 1 && pr.stableMs < cfg.settleMs) {
    const ago = secs(now - (state.stableSince ?? now))
    return said(
      `the finding set was still changing (last change ${ago} s before the end; scan-settle-seconds: ${settle})`,
    )
  }
  return said(
    `the finding set was stable for ${secs(pr.stableMs)} s, but the budget ended first: ${state.blocking ? '' : `a pass needs ${FILL_IN_FLOOR_MS / 1000} s since the scan first read as ready (it had been ${secs(pr.sinceReadyMs)} s) and `}the set unchanged for scan-settle-seconds (${settle} s)`,
  )
}

/**
 * `scan-timeout-seconds` must hold the fill-in floor and the settle window, else no pass is possible:
 * a bad input, found before any network call. Undefined when the budget is fine.
 */
export function budgetProblem(timeoutSeconds: number, settleSeconds: number): string | undefined {
  const least = FILL_IN_FLOOR_MS / 1000 + settleSeconds
  if (timeoutSeconds >= least) return undefined
  return (
    `Invalid inputs 'scan-timeout-seconds' (${timeoutSeconds}) and 'scan-settle-seconds' (${settleSeconds}): ` +
    `a pass needs the ${FILL_IN_FLOOR_MS / 1000} s fill-in floor after the scan is ready plus the settle window, so the gate could never pass. ` +
    `Expected scan-timeout-seconds of at least ${least} (e.g. the default 900), or a smaller scan-settle-seconds.`
  )
}
