/**
 * The wait for one image's scan as an explicit state machine. Pure: the loop in wait.ts does the
 * calls and feeds each answer in as an Observation; `nextStep` says when to look again, or that this
 * image's wait is over. Whether the gate as a whole may decide (fail fast, pass late) is decision.ts's
 * question, answered from `progress()` of every image. Time is a number (ms) passed in.
 */
import { backoffDelay } from '../retry.js'

/** ECR's ten `imageScanStatus.status` values. */
export const SCAN_STATUSES = [
  'IN_PROGRESS',
  'COMPLETE',
  'FAILED',
  'UNSUPPORTED_IMAGE',
  'ACTIVE',
  'PENDING',
  'SCAN_ELIGIBILITY_EXPIRED',
  'FINDINGS_UNAVAILABLE',
  'LIMIT_EXCEEDED',
  'IMAGE_ARCHIVED',
] as const
export type ScanStatus = (typeof SCAN_STATUSES)[number]

/**
 * The fill-in floor: a pass needs at least this long since the image's scan first read as ready.
 * Findings keep arriving for tens of seconds after ECR says COMPLETE or ACTIVE (users saw ~30 s), for
 * empty and partial sets alike; twice that. `scan-settle-seconds` cannot lower it; a failing verdict
 * does not wait for it.
 */
export const FILL_IN_FLOOR_MS = 60_000

export type StatusClass =
  | { kind: 'ready' }
  | { kind: 'waiting' }
  /** One of the six statuses INTERFACE names: on-scan-unavailable: warn may let the step go on. */
  | { kind: 'terminal'; message: string }
  /** A status this action does not know (or none at all): fails the gate in both modes. */
  | { kind: 'unknown'; message: string }

/**
 * The one readiness predicate of the gate: the scan has answered and its findings can be read.
 * COMPLETE (basic, or enhanced scan-on-push) and ACTIVE (enhanced continuous, which never becomes
 * COMPLETE). Ready is not settled: findings keep arriving for a while (FILL_IN_FLOOR_MS).
 */
export function isReady(status: string): boolean {
  return status === 'COMPLETE' || status === 'ACTIVE'
}

/** What one status means for the gate. Unknown statuses fail closed. */
export function classifyStatus(status: string, description = ''): StatusClass {
  const said = description ? ` (ECR: "${description}")` : ''
  if (isReady(status)) return { kind: 'ready' }
  switch (status) {
    case 'PENDING':
    case 'IN_PROGRESS':
      return { kind: 'waiting' }
    case 'FAILED':
      return {
        kind: 'terminal',
        message: `ECR's scan of the image failed${said}. Push the image again, or start a new scan (aws ecr start-image-scan) once the cause is fixed.`,
      }
    case 'UNSUPPORTED_IMAGE':
      return {
        kind: 'terminal',
        message: `ECR cannot scan this image: its operating system or format is not supported (images built FROM scratch have no OS packages to scan)${said}.`,
      }
    case 'FINDINGS_UNAVAILABLE':
      return {
        kind: 'terminal',
        message: `Amazon Inspector has no findings for this image (the image is no longer monitored or its findings were closed)${said}. Push the image again to have it scanned.`,
      }
    case 'SCAN_ELIGIBILITY_EXPIRED':
      return {
        kind: 'terminal',
        message: `Continuous scanning of this image lapsed (Amazon Inspector's ECR re-scan duration ran out)${said}. Push the image again, or raise the re-scan duration in Inspector's ECR settings.`,
      }
    case 'LIMIT_EXCEEDED':
      return {
        kind: 'terminal',
        message: `ECR did not scan this image: a scan limit was exceeded${said}. Wait for the limit to reset (basic scanning: once per image per 24 hours) and scan again.`,
      }
    case 'IMAGE_ARCHIVED':
      return {
        kind: 'terminal',
        message: `The image is archived in ECR and archived images are not scanned${said}. Restore it (aws ecr update-image-storage-class --target-storage-class STANDARD) to scan it.`,
      }
    default:
      return {
        kind: 'unknown',
        message: `ECR answered ${status ? `an unknown scan status '${status}'` : 'no scan status'}${said}; the gate fails closed on statuses it does not know, whatever on-scan-unavailable says. Update the action.`,
      }
  }
}

/** What one complete read pass of a ready scan showed (see wait.ts and consistency.ts). */
export interface PassObservation {
  consistent: boolean
  /** Why not consistent. */
  problems: string[]
  /** Of the finding set (set when consistent). */
  fingerprint: string
  count: number
  /** Findings that block under the policy, and the worst of them as text (for the log). */
  blocking: number
  blockingText?: string
}

/** One answer of the registry, as the wait loop saw it. */
export type Observation =
  | {
      kind: 'status'
      status: string
      description?: string
      /** Set when the status was ready and the read went through every page. */
      pass?: PassObservation
      /** The read was cut short by the deadline. */
      cut?: boolean
      calls: number
    }
  | { kind: 'scan-not-found'; calls: number }
  | { kind: 'image-not-found'; calls: number }
  /** The call failed after the SDK's own retries. `transient`: throttling, 5xx, network. */
  | { kind: 'error'; message: string; transient: boolean; calls: number }
  /** StartImageScan was called (whatever it answered). */
  | { kind: 'scan-started'; calls: number }

export interface WaitConfig {
  /** When the wait began (ms). */
  startedAt: number
  timeoutMs: number
  settleMs: number
  /** How long ScanNotFound means "not there yet". */
  scanNotFoundGraceMs: number
  /** How long ImageNotFound is tolerated (eventual consistency right after a push). */
  imageNotFoundGraceMs: number
  /** Ask for StartImageScan once when ScanNotFound outlives the grace period (scan mode unknown). */
  startScanAfterGrace: boolean
  /** Backoff while waiting: first ceiling and cap (ms). */
  baseDelayMs: number
  capDelayMs: number
  /** Least time per API call (ms): 1000 keeps the wait at one call a second on average. */
  msPerCall: number
  /** Pause before reading again after an inconsistent pass. */
  inconsistentPauseMs: number
  random?: () => number
}

export function defaultWaitConfig(
  startedAt: number,
  timeoutSeconds: number,
  settleSeconds: number,
): WaitConfig {
  return {
    startedAt,
    timeoutMs: timeoutSeconds * 1000,
    settleMs: settleSeconds * 1000,
    scanNotFoundGraceMs: 180_000,
    imageNotFoundGraceMs: 15_000,
    startScanAfterGrace: false,
    baseDelayMs: 2000,
    capDelayMs: 15_000,
    msPerCall: 1000,
    inconsistentPauseMs: 5000,
  }
}

export interface WaitState {
  /** Polls without progress, for the backoff. */
  attempt: number
  /** Last status ECR answered, or the error/absence seen (SCAN_NOT_FOUND, ERROR, IMAGE_NOT_FOUND). */
  last: string
  lastDescription: string
  /** When the scan first read as ready (reset when it leaves ready): the fill-in floor runs from here. */
  firstReadyAt?: number
  /** The finding set of the last consistent pass, since when it has been the same, how many reads. */
  fingerprint?: string
  stableSince?: number
  sameReads: number
  /** Distinct finding sets seen since ready. */
  sets: number
  count?: number
  lastConsistentAt?: number
  /** The latest pass was complete and consistent (an inconsistent one is never the basis of a pass). */
  lastPassConsistent: boolean
  /** Inconsistent passes in a row, and the first problem of the latest. */
  inconsistentPasses: number
  lastProblem?: string
  /** Sticky: a consistent pass of a ready scan showed a blocking finding. */
  blocking: boolean
  blockingText?: string
  scanStartRequested: boolean
  /** Grace periods run from here (the wait start, or when StartImageScan was asked for). */
  graceFrom: number
  firstImageNotFoundAt?: number
  lastError?: string
}

export function initialState(cfg: WaitConfig): WaitState {
  return {
    attempt: 0,
    last: 'NOT_STARTED',
    lastDescription: '',
    sameReads: 0,
    sets: 0,
    lastPassConsistent: false,
    inconsistentPasses: 0,
    blocking: false,
    scanStartRequested: false,
    graceFrom: cfg.startedAt,
  }
}

/** How this image's wait ended on its own (a scan that will give no findings, or a fault). */
export interface PlatformEnd {
  /** For `scan-status`: ECR's status, NOT_CONFIGURED, IMAGE_NOT_FOUND or ERROR. */
  status: string
  message: string
  /** true: one of the conditions on-scan-unavailable: warn relaxes; false: the gate fails. */
  relaxable: boolean
}

export type Step =
  { kind: 'poll'; delayMs: number } | { kind: 'start-scan' } | { kind: 'end'; end: PlatformEnd }

export interface Transition {
  state: WaitState
  step: Step
}

/** Helpers of one transition: the deadline-capped poll and the backoff. */
function pacer(state: WaitState, obs: Observation, now: number, cfg: WaitConfig) {
  const deadline = cfg.startedAt + cfg.timeoutMs
  // Wait at least one second per call just made, so the average stays at one call a second.
  const spacing = Math.max(1, obs.calls) * cfg.msPerCall
  const poll = (delayMs: number): Step => ({
    kind: 'poll',
    delayMs: Math.max(0, Math.min(delayMs, deadline - now)),
  })
  const backoff = (): Step => {
    const random = cfg.random ? { random: cfg.random } : {}
    const delay = backoffDelay(state.attempt, { baseMs: cfg.baseDelayMs, capMs: cfg.capDelayMs, ...random })
    state.attempt += 1
    return poll(Math.max(spacing, delay))
  }
  return { spacing, poll, backoff }
}

const end = (status: string, message: string, relaxable: boolean): Step => ({
  kind: 'end',
  end: { status, message, relaxable },
})

/** The next step after `obs` at `now`. */
export function nextStep(prev: WaitState, obs: Observation, now: number, cfg: WaitConfig): Transition {
  const state: WaitState = { ...prev }
  const p = pacer(state, obs, now, cfg)
  switch (obs.kind) {
    case 'scan-started':
      state.scanStartRequested = true
      state.graceFrom = now
      state.attempt = 0
      return { state, step: p.poll(Math.max(p.spacing, cfg.baseDelayMs)) }
    case 'error':
      state.lastError = obs.message
      if (!obs.transient) return { state, step: end('ERROR', obs.message, false) }
      state.last = 'ERROR'
      return { state, step: p.backoff() }
    case 'image-not-found':
      return { state, step: imageNotFound(state, now, cfg, p.backoff) }
    case 'scan-not-found':
      return { state, step: scanNotFound(state, now, cfg, p.backoff) }
    case 'status':
      return { state, step: statusStep(state, obs, now, cfg, p) }
  }
}

function imageNotFound(state: WaitState, now: number, cfg: WaitConfig, backoff: () => Step): Step {
  state.firstImageNotFoundAt ??= now
  state.last = 'IMAGE_NOT_FOUND'
  forgetReady(state)
  if (now - state.firstImageNotFoundAt < cfg.imageNotFoundGraceMs) return backoff()
  const s = Math.round((now - state.firstImageNotFoundAt) / 1000)
  return end(
    'IMAGE_NOT_FOUND',
    `The pushed image is no longer in the repository (ImageNotFound for ${s} s): it was deleted or expired by a lifecycle policy while the gate waited. Nothing was scanned.`,
    false,
  )
}

function scanNotFound(state: WaitState, now: number, cfg: WaitConfig, backoff: () => Step): Step {
  state.last = 'SCAN_NOT_FOUND'
  delete state.firstImageNotFoundAt
  forgetReady(state)
  if (now - state.graceFrom < cfg.scanNotFoundGraceMs) return backoff()
  if (cfg.startScanAfterGrace && !state.scanStartRequested) return { kind: 'start-scan' }
  const s = Math.round((now - state.graceFrom) / 1000)
  return end(
    'NOT_CONFIGURED',
    `ECR has no scan of the image ${s} s after it was pushed (ScanNotFound): the repository is not covered by scanning. Turn on scan-on-push (aws ecr put-image-scanning-configuration --repository-name <repo> --image-scanning-configuration scanOnPush=true) or add it to an enhanced scanning rule.`,
    true,
  )
}

/** The scan is not ready (any more): what was seen since ready no longer holds. `blocking` stays. */
function forgetReady(state: WaitState): void {
  delete state.firstReadyAt
  delete state.fingerprint
  delete state.stableSince
  delete state.lastConsistentAt
  state.sameReads = 0
  state.sets = 0
  state.lastPassConsistent = false
}

function statusStep(
  state: WaitState,
  obs: Extract<Observation, { kind: 'status' }>,
  now: number,
  cfg: WaitConfig,
  p: ReturnType<typeof pacer>,
): Step {
  delete state.firstImageNotFoundAt
  const changed = state.last !== obs.status
  state.last = obs.status
  state.lastDescription = obs.description ?? ''
  const cls = classifyStatus(obs.status, obs.description)
  if (cls.kind === 'terminal') return end(obs.status, cls.message, true)
  if (cls.kind === 'unknown') return end(obs.status || 'UNKNOWN', cls.message, false)
  if (cls.kind === 'waiting') {
    forgetReady(state)
    if (changed) state.attempt = 0
    return p.backoff()
  }
  state.firstReadyAt ??= now
  if (obs.cut || obs.pass === undefined) return p.poll(p.spacing)
  if (!obs.pass.consistent) {
    state.lastPassConsistent = false
    state.inconsistentPasses += 1
    state.lastProblem = obs.pass.problems[0] ?? 'inconsistent answers'
    return p.poll(Math.max(p.spacing, cfg.inconsistentPauseMs))
  }
  recordPass(state, obs.pass, now)
  return p.poll(Math.max(p.spacing, readAgainIn(state, cfg)))
}

function recordPass(state: WaitState, pass: PassObservation, now: number): void {
  state.lastPassConsistent = true
  state.inconsistentPasses = 0
  state.lastConsistentAt = now
  state.count = pass.count
  if (pass.blocking > 0 && !state.blocking) {
    state.blocking = true
    if (pass.blockingText !== undefined) state.blockingText = pass.blockingText
  }
  if (pass.fingerprint !== state.fingerprint) {
    state.fingerprint = pass.fingerprint
    state.stableSince = now
    state.sameReads = 1
    state.sets += 1
  } else state.sameReads += 1
}

/**
 * When to read a ready scan again: a few times within what is left of the settle window (and, for
 * a pass, of the fill-in floor), at most 10 s apart, jittered.
 */
function readAgainIn(state: WaitState, cfg: WaitConfig): number {
  const pr = progress(state, cfg)
  const left = Math.max(cfg.settleMs - pr.stableMs, state.blocking ? 0 : FILL_IN_FLOOR_MS - pr.sinceReadyMs)
  const interval = Math.min(Math.max(cfg.settleMs / 4, 1000), 10_000)
  const jitter = 0.8 + 0.4 * (cfg.random ?? Math.random)()
  return left > 0 ? Math.min(left, interval * jitter) : interval * jitter
}

/** What the reads of one image show so far, for the gate's decision. */
export interface Progress {
  /** The set has stayed the same for the settle window over consistent reads: its counts are complete. */
  countsSettled: boolean
  /** countsSettled, nothing blocking, and the fill-in floor since ready: this image may pass. */
  passable: boolean
  blocking: boolean
  /** How long the set has been the same, and since the scan first read as ready (at the last consistent read). */
  stableMs: number
  sinceReadyMs: number
}

export function progress(state: WaitState, cfg: WaitConfig): Progress {
  const at = state.lastConsistentAt
  const stableMs = at !== undefined && state.stableSince !== undefined ? at - state.stableSince : 0
  const sinceReadyMs = at !== undefined && state.firstReadyAt !== undefined ? at - state.firstReadyAt : 0
  const countsSettled =
    state.lastPassConsistent && stableMs >= cfg.settleMs && (state.sameReads >= 2 || cfg.settleMs === 0)
  return {
    countsSettled,
    passable: countsSettled && !state.blocking && sinceReadyMs >= FILL_IN_FLOOR_MS,
    blocking: state.blocking,
    stableMs,
    sinceReadyMs,
  }
}
