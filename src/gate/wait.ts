/**
 * The wait loop: reads the scan, feeds the state machine, sleeps as it says. Clock and sleep are
 * injected, so tests drive it through the real SDK against the emulator without waiting.
 */
import type { Clock, Sleep } from '../retry.js'
import { readScan, startImageScan, type PlatformImage, type ScanApi } from './ecr-scan.js'
import { fingerprint, type Finding } from './findings.js'
import { initialState, nextStep, type Observation, type WaitConfig } from './status.js'

export type WaitResult =
  | { kind: 'settled'; status: string; findings: Finding[]; scanType?: 'BASIC' | 'ENHANCED' }
  | { kind: 'unavailable'; status: string; message: string }
  | { kind: 'failed'; message: string }

export interface WaitDeps {
  api: ScanApi
  clock: Clock
  sleep: Sleep
  log: (line: string) => void
  /** Warnings (e.g. StartImageScan not allowed). */
  warn: (line: string) => void
}

export interface WaitOptions {
  /** Call StartImageScan before the first poll (basic scanning without scan-on-push). */
  startScanNow: boolean
}

/** Waits for settled findings of one image. */
export async function waitForFindings(
  deps: WaitDeps,
  target: PlatformImage,
  cfg: WaitConfig,
  opts: WaitOptions,
): Promise<WaitResult> {
  const label = target.platform ? `${target.platform} ${target.digest}` : target.digest
  let state = initialState(cfg)
  let lastFindings: Finding[] = []
  let lastShown = ''
  const start = async (): Promise<Observation | WaitResult> => {
    const r = await startImageScan(deps.api, target.digest)
    if (r.kind === 'already-scanned')
      deps.log(`StartImageScan: ${label} was already scanned in the last 24 hours; reading that scan`)
    else if (r.kind === 'unsupported')
      return {
        kind: 'unavailable',
        status: 'UNSUPPORTED_IMAGE',
        message: `ECR cannot scan this image: ${r.message}`,
      }
    else if (r.kind === 'not-possible')
      deps.warn(
        `Could not start a basic scan of ${label} (${r.message}); waiting for one anyway. Grant ecr:StartImageScan, or turn on scan-on-push.`,
      )
    else deps.log(`Started a basic scan of ${label}`)
    return { kind: 'scan-started', calls: 1 }
  }
  let obs: Observation | undefined
  if (opts.startScanNow) {
    const r = await start()
    if (!('calls' in r)) return r
    obs = r
    state = nextStep(state, obs, deps.clock(), cfg).state
  }
  for (;;) {
    const read = await readScan(deps.api, target.digest, target.platform)
    if (read.kind === 'status') {
      obs = { kind: 'status', status: read.status, description: read.description, calls: read.calls }
      if (read.findings) {
        lastFindings = read.findings
        obs.fingerprint = fingerprint(read.findings)
        obs.empty = read.findings.length === 0
      }
    } else obs = read
    const shown =
      obs.kind === 'status'
        ? `${obs.status}${read.kind === 'status' && read.findings ? ` (${read.findings.length} findings)` : ''}`
        : obs.kind === 'error'
          ? `error: ${obs.message}`
          : obs.kind
    if (shown !== lastShown) deps.log(`Scan of ${label}: ${shown}`)
    lastShown = shown
    const t = nextStep(state, obs, deps.clock(), cfg)
    state = t.state
    const step = t.step
    switch (step.kind) {
      case 'poll':
        await deps.sleep(step.delayMs)
        continue
      case 'start-scan': {
        const r = await start()
        if (!('calls' in r)) return r
        state = nextStep(state, r, deps.clock(), cfg).state
        continue
      }
      case 'settled': {
        const result: WaitResult = { kind: 'settled', status: step.status, findings: lastFindings }
        if (step.status === 'ACTIVE' || lastFindings.some((f) => f.source === 'enhanced'))
          result.scanType = 'ENHANCED'
        else if (lastFindings.length > 0) result.scanType = 'BASIC'
        return result
      }
      case 'unavailable':
        return { kind: 'unavailable', status: step.status, message: step.message }
      case 'failed':
        return { kind: 'failed', message: step.message }
    }
  }
}
