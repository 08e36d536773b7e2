/**
 * The wait loop: reads each image's scan when its state machine says, feeds the answers in, and asks
 * decision.ts after every round whether the gate may end. One loop for every platform of an index,
 * reading them in turn: time only moves through the injected clock and sleep, so tests drive it
 * through the real SDK against the emulator without waiting. It ends by the deadline whatever ECR
 * answers: every sleep is capped at the deadline, and no read starts after it.
 */
import type { Clock, Sleep } from '../retry.js'
import { decideGate, type GateDecision, type PlatformSnapshot } from './decision.js'
import {
  callSignal,
  readScan,
  startImageScan,
  type PlatformImage,
  type ScanApi,
  type ScanRead,
} from './ecr-scan.js'
import { fingerprint, type Finding } from './findings.js'
import {
  initialState,
  nextStep,
  type Observation,
  type PlatformEnd,
  type WaitConfig,
  type WaitState,
} from './status.js'

export interface WaitDeps {
  api: ScanApi
  clock: Clock
  sleep: Sleep
  log: (line: string) => void
  /** Warnings (e.g. StartImageScan not allowed). */
  warn: (line: string) => void
  /** The blocking findings of a finding set under the gate's policy (policy.blockingIn). */
  blocking: (findings: readonly Finding[]) => { count: number; first?: Finding }
}

export interface WaitOptions {
  /** Call StartImageScan before the first poll (basic scanning without scan-on-push). */
  startScanNow: boolean
  onUnavailable: 'fail' | 'warn'
}

/** One image's wait, as it ended. */
export interface PlatformResult {
  target: PlatformImage
  state: WaitState
  end?: PlatformEnd
  /** The findings of the last complete, consistent read (what the verdict is built on). */
  findings: Finding[]
  /** Whether any consistent read was had (else `findings` is empty for want of one). */
  read: boolean
  scanType?: 'BASIC' | 'ENHANCED'
}

export interface GateWaitResult {
  decision: Exclude<GateDecision, { kind: 'wait' }>
  platforms: PlatformResult[]
}

interface Slot extends PlatformResult {
  label: string
  dueAt: number
  shown: string
}

/** Waits until the gate can decide on every target (or the budget ends). */
export async function waitForGate(
  deps: WaitDeps,
  targets: readonly PlatformImage[],
  cfg: WaitConfig,
  opts: WaitOptions,
): Promise<GateWaitResult> {
  const deadline = cfg.startedAt + cfg.timeoutMs
  const multi = targets.length > 1 || targets.some((t) => t.platform !== '')
  const slots: Slot[] = targets.map((target) => ({
    target,
    label: target.platform || target.digest,
    state: initialState(cfg),
    findings: [],
    read: false,
    dueAt: deps.clock(),
    shown: '',
  }))
  if (opts.startScanNow) for (const s of slots) await startScan(deps, s, cfg)
  for (;;) {
    for (const s of slots) {
      if (s.end !== undefined || s.dueAt > deps.clock() || deps.clock() >= deadline) continue
      await look(deps, s, cfg)
    }
    const platforms: PlatformSnapshot[] = slots.map((s) => snapshot(s, multi))
    const decision = decideGate({ platforms, now: deps.clock(), cfg, onUnavailable: opts.onUnavailable })
    if (decision.kind !== 'wait') return { decision, platforms: slots }
    const open = slots.filter((s) => s.end === undefined).map((s) => s.dueAt)
    const next = Math.min(deadline, ...open)
    await deps.sleep(Math.max(0, next - deps.clock()))
  }
}

function snapshot(s: Slot, multi: boolean): PlatformSnapshot {
  const p: PlatformSnapshot = { label: s.label, multi, state: s.state }
  if (s.end) p.end = s.end
  return p
}

/** StartImageScan once; what it answered becomes an observation (or the end of this image's wait). */
async function startScan(deps: WaitDeps, s: Slot, cfg: WaitConfig): Promise<void> {
  const bounds = { deadline: cfg.startedAt + cfg.timeoutMs, clock: deps.clock }
  const r = await startImageScan(deps.api, s.target.digest, callSignal(bounds))
  if (r.kind === 'unsupported') {
    s.end = {
      status: 'UNSUPPORTED_IMAGE',
      message: `ECR cannot scan this image: ${r.message}`,
      relaxable: true,
    }
    return
  }
  if (r.kind === 'already-scanned')
    deps.log(`StartImageScan: ${s.label} was already scanned in the last 24 hours; reading that scan`)
  else if (r.kind === 'not-possible')
    deps.warn(
      `Could not start a basic scan of ${s.label} (${r.message}); waiting for one anyway. Grant ecr:StartImageScan, or turn on scan-on-push.`,
    )
  else deps.log(`Started a basic scan of ${s.label}`)
  apply(s, nextStep(s.state, { kind: 'scan-started', calls: 1 }, deps.clock(), cfg), deps.clock())
}

function apply(s: Slot, t: ReturnType<typeof nextStep>, now: number): ReturnType<typeof nextStep>['step'] {
  s.state = t.state
  if (t.step.kind === 'poll') s.dueAt = now + t.step.delayMs
  if (t.step.kind === 'end') s.end = t.step.end
  return t.step
}

/** One read of one image, fed to its state machine. */
async function look(deps: WaitDeps, s: Slot, cfg: WaitConfig): Promise<void> {
  const read = await readScan(deps.api, s.target, {
    deadline: cfg.startedAt + cfg.timeoutMs,
    clock: deps.clock,
  })
  const obs = observe(deps, s, read)
  const wasBlocking = s.state.blocking
  const step = apply(s, nextStep(s.state, obs, deps.clock(), cfg), deps.clock())
  if (step.kind === 'start-scan') await startScan(deps, s, cfg)
  if (s.state.blocking && !wasBlocking)
    deps.log(
      `Blocking finding in ${s.label}: ${s.state.blockingText ?? ''}. The gate fails; reading on until the counts settle (scan-settle-seconds: ${cfg.settleMs / 1000}) or the budget ends.`,
    )
}

/** A read as the state machine sees it; keeps the findings of a consistent pass; logs what changed. */
function observe(deps: WaitDeps, s: Slot, read: ScanRead): Observation {
  let obs: Observation
  let shown: string
  if (read.kind !== 'status') {
    obs = read
    shown = read.kind === 'error' ? `error: ${read.message}` : read.kind
  } else {
    obs = { kind: 'status', status: read.status, description: read.description, calls: read.calls }
    shown = read.status || '(no status)'
    if (read.cut) obs.cut = true
    const pass = read.pass
    if (pass && !pass.consistent) {
      obs.pass = { consistent: false, problems: pass.problems, fingerprint: '', count: 0, blocking: 0 }
      shown += ` (inconsistent read: ${pass.problems.join('; ')}; reading again)`
    } else if (pass) {
      const b = deps.blocking(pass.findings)
      obs.pass = {
        consistent: true,
        problems: [],
        fingerprint: fingerprint(pass.findings),
        count: pass.findings.length,
        blocking: b.count,
      }
      if (b.first)
        obs.pass.blockingText = `${b.first.severity} ${b.first.id}${b.first.package ? ` in ${b.first.package} ${b.first.version}`.trimEnd() : ''}`
      s.findings = pass.findings
      s.read = true
      noteScanType(s, read.status)
      shown += ` (${pass.findings.length} findings)`
    }
  }
  if (shown !== s.shown) deps.log(`Scan of ${s.label}: ${shown}`)
  s.shown = shown
  return obs
}

function noteScanType(s: Slot, status: string): void {
  if (status === 'ACTIVE' || s.findings.some((f) => f.source === 'enhanced')) s.scanType = 'ENHANCED'
  else if (s.findings.length > 0) s.scanType = 'BASIC'
}
