/**
 * The scan wait as an explicit state machine. Pure: the loop in wait.ts does the calls and feeds
 * each answer in as an Observation; `nextStep` says what to do next. Time is a number (ms) passed in.
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

export type StatusClass = { kind: 'ready' } | { kind: 'waiting' } | { kind: 'terminal'; message: string }

/**
 * The one readiness predicate of the gate: the scan has answered and its findings can be read.
 * COMPLETE (basic, or enhanced scan-on-push) and ACTIVE (enhanced continuous, which never becomes
 * COMPLETE). Ready is not settled: findings keep arriving for a while (see the fill-in floor).
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
        kind: 'terminal',
        message: `ECR answered an unknown scan status '${status}'${said}; the gate fails closed on statuses it does not know. Update the action.`,
      }
  }
}

/** One answer of the registry, as the wait loop saw it. */
export type Observation =
  /** DescribeImageScanFindings answered; `fingerprint` is set when the status was ready and every page was read. */
  | {
      kind: 'status'
      status: string
      description?: string
      fingerprint?: string
      empty?: boolean
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
  /**
   * Least settle window for an EMPTY finding set. Empty is also what a scan that has not filled in
   * yet looks like (findings were seen arriving ~30 s after COMPLETE/ACTIVE), so "nothing found"
   * must hold for longer than the ordinary window before it can pass.
   */
  emptySettleMs: number
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
  random?: () => number
}

/** See WaitConfig.emptySettleMs: twice the ~30 s fill-in that users observed. */
export const EMPTY_SETTLE_FLOOR_MS = 60_000

export function defaultWaitConfig(
  startedAt: number,
  timeoutSeconds: number,
  settleSeconds: number,
): WaitConfig {
  return {
    startedAt,
    timeoutMs: timeoutSeconds * 1000,
    settleMs: settleSeconds * 1000,
    emptySettleMs: Math.max(settleSeconds * 1000, EMPTY_SETTLE_FLOOR_MS),
    scanNotFoundGraceMs: 180_000,
    imageNotFoundGraceMs: 15_000,
    startScanAfterGrace: false,
    baseDelayMs: 2000,
    capDelayMs: 15_000,
    msPerCall: 1000,
  }
}

export interface WaitState {
  /** Polls without progress, for the backoff. */
  attempt: number
  /** Last status ECR answered, or the error/absence seen. */
  last: string
  lastDescription: string
  /** The finding set seen by the last complete read, and since when it has been the same. */
  fingerprint?: string
  stableSince?: number
  /** Complete reads with the current fingerprint. */
  sameReads: number
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
    scanStartRequested: false,
    graceFrom: cfg.startedAt,
  }
}

export type Step =
  | { kind: 'poll'; delayMs: number }
  | { kind: 'start-scan' }
  /** Findings are settled: read them (the last read is the one to decide on). */
  | { kind: 'settled'; status: string }
  /** No trustworthy findings can be had: `status` is ECR's, or TIMEOUT / NOT_CONFIGURED / IMAGE_NOT_FOUND. */
  | { kind: 'unavailable'; status: string; message: string }
  /** A problem the user must fix (permission, missing repository): fails whatever on-scan-unavailable says. */
  | { kind: 'failed'; message: string }

export interface Transition {
  state: WaitState
  step: Step
}

/** The next step after `obs` at `now`. */
export function nextStep(prev: WaitState, obs: Observation, now: number, cfg: WaitConfig): Transition {
  const state: WaitState = { ...prev }
  const deadline = cfg.startedAt + cfg.timeoutMs
  const elapsedS = Math.round((now - cfg.startedAt) / 1000)
  // Wait at least one second per call just made, so the average stays at one call a second.
  const spacing = Math.max(1, obs.calls) * cfg.msPerCall
  const backoff = (): Step => {
    const delay = Math.max(
      spacing,
      backoffDelay(state.attempt, {
        baseMs: cfg.baseDelayMs,
        capMs: cfg.capDelayMs,
        ...(cfg.random ? { random: cfg.random } : {}),
      }),
    )
    state.attempt += 1
    return poll(delay)
  }
  const poll = (delayMs: number): Step => {
    if (now >= deadline) return timeout()
    return { kind: 'poll', delayMs: Math.max(0, Math.min(delayMs, deadline - now)) }
  }
  const timeout = (): Step => {
    let why: string
    if (state.fingerprint !== undefined) {
      why = `the findings were still changing (ready as ${state.last}, but the finding set had not stayed the same for ${cfg.settleMs / 1000} s)`
    } else if (state.last === 'SCAN_NOT_FOUND') {
      why = 'ECR had not started a scan of the image (ScanNotFound)'
    } else if (state.last === 'ERROR') {
      why = `ECR kept failing: ${state.lastError ?? 'unknown error'}`
    } else {
      why = `the scan was still ${state.last}`
    }
    return {
      kind: 'unavailable',
      status: 'TIMEOUT',
      message: `No trustworthy findings after ${elapsedS} s (scan-timeout-seconds: ${cfg.timeoutMs / 1000}): ${why}. Raise scan-timeout-seconds, or set on-scan-unavailable: warn to let the step pass.`,
    }
  }

  switch (obs.kind) {
    case 'scan-started':
      state.scanStartRequested = true
      state.graceFrom = now
      state.attempt = 0
      return { state, step: poll(Math.max(spacing, cfg.baseDelayMs)) }
    case 'error':
      state.lastError = obs.message
      if (!obs.transient) return { state, step: { kind: 'failed', message: obs.message } }
      state.last = 'ERROR'
      return { state, step: backoff() }
    case 'image-not-found': {
      state.firstImageNotFoundAt ??= now
      state.last = 'IMAGE_NOT_FOUND'
      if (now - state.firstImageNotFoundAt >= cfg.imageNotFoundGraceMs) {
        return {
          state,
          step: {
            kind: 'unavailable',
            status: 'IMAGE_NOT_FOUND',
            message: `The pushed image is no longer in the repository (ImageNotFound for ${Math.round((now - state.firstImageNotFoundAt) / 1000)} s): it was deleted or expired by a lifecycle policy while the gate waited. Nothing was scanned.`,
          },
        }
      }
      return { state, step: backoff() }
    }
    case 'scan-not-found': {
      state.last = 'SCAN_NOT_FOUND'
      delete state.firstImageNotFoundAt
      if (now - state.graceFrom >= cfg.scanNotFoundGraceMs) {
        if (cfg.startScanAfterGrace && !state.scanStartRequested)
          return { state, step: { kind: 'start-scan' } }
        return {
          state,
          step: {
            kind: 'unavailable',
            status: 'NOT_CONFIGURED',
            message: `ECR has no scan of the image ${Math.round((now - state.graceFrom) / 1000)} s after it was pushed (ScanNotFound): the repository is not covered by scanning. Turn on scan-on-push (aws ecr put-image-scanning-configuration --repository-name <repo> --image-scanning-configuration scanOnPush=true) or add it to an enhanced scanning rule.`,
          },
        }
      }
      return { state, step: backoff() }
    }
    case 'status': {
      delete state.firstImageNotFoundAt
      const changed = state.last !== obs.status
      state.last = obs.status
      state.lastDescription = obs.description ?? ''
      const cls = classifyStatus(obs.status, obs.description)
      if (cls.kind === 'terminal')
        return { state, step: { kind: 'unavailable', status: obs.status, message: cls.message } }
      if (cls.kind === 'waiting') {
        delete state.fingerprint
        delete state.stableSince
        state.sameReads = 0
        if (changed) state.attempt = 0
        return { state, step: backoff() }
      }
      // Ready: the finding set must stay the same for the settle window.
      if (obs.fingerprint === undefined) return { state, step: poll(spacing) }
      if (obs.fingerprint !== state.fingerprint) {
        state.fingerprint = obs.fingerprint
        state.stableSince = now
        state.sameReads = 1
      } else {
        state.sameReads += 1
      }
      const stableFor = now - (state.stableSince ?? now)
      const windowMs = obs.empty ? Math.max(cfg.settleMs, cfg.emptySettleMs) : cfg.settleMs
      if (stableFor >= windowMs && (state.sameReads >= 2 || windowMs === 0)) {
        return { state, step: { kind: 'settled', status: obs.status } }
      }
      // Read again a few times within the window, never faster than the call budget allows.
      const left = windowMs - stableFor
      const interval = Math.min(Math.max(windowMs / 4, 1000), 10_000)
      const jitter = 0.8 + 0.4 * (cfg.random ?? Math.random)()
      const delay = Math.max(spacing, Math.min(left > 0 ? left : interval, interval * jitter))
      return { state, step: poll(delay) }
    }
  }
}
