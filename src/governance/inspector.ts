/**
 * Amazon Inspector's ECR re-scan duration: how long continuous scanning keeps re-scanning an image.
 * Pure: no I/O.
 *
 * From the Inspector user guide ("Configuring the Amazon ECR re-scan duration"): an image is
 * monitored while it was pushed within `rescanDuration` (`LIFETIME`, `DAYS_180` … `DAYS_3`) or, by
 * `pullDateRescanMode`, pulled (`LAST_PULL_DATE`) or in use on a cluster (`LAST_IN_USE_AT`) within
 * `pullDateRescanDuration`; past both, Inspector stops monitoring it, closes its findings, and ECR
 * reports `SCAN_ELIGIBILITY_EXPIRED`. New accounts default to 14 days.
 */
import type { CoverageKind } from '../scanning.js'

/** The parts of inspector2's EcrRescanDurationState read here. */
export interface RescanSetting {
  rescanDuration?: string | undefined
  pullDateRescanDuration?: string | undefined
  pullDateRescanMode?: string | undefined
  status?: string | undefined
}

/** What the summary says about it: read, not readable (and why), or not asked. */
export type RescanState =
  | { kind: 'known'; setting: RescanSetting }
  | { kind: 'unknown'; reason: string }
  /** Not continuous scanning (nothing is re-scanned), or another account's registry. */
  | { kind: 'skipped' }

/**
 * How long a deployed image typically runs: continuous scanning that lapses sooner leaves images
 * in production without new findings. A quarter: release trains, long-lived services and LTS
 * images easily outlive it.
 */
export const DEPLOY_LIFETIME_DAYS = 90

/** `DAYS_14` → 14, `LIFETIME` → Infinity, anything else → undefined. */
export function rescanDays(duration: string | undefined): number | undefined {
  if (duration === 'LIFETIME') return Infinity
  const m = /^DAYS_(\d+)$/.exec(duration ?? '')
  return m ? Number(m[1]) : undefined
}

const PULL_MODE: Record<string, string> = {
  LAST_PULL_DATE: 'its last pull',
  LAST_IN_USE_AT: 'its last use on a cluster',
}

function days(duration: string | undefined): string {
  const n = rescanDays(duration)
  return n === Infinity ? 'for its lifetime' : n === undefined ? `${duration ?? '?'}` : `${n} days`
}

/** The setting in words, for the summary. */
export function rescanPhrase(s: RescanSetting): string {
  const push =
    s.rescanDuration === 'LIFETIME' ? "for the image's lifetime" : `${days(s.rescanDuration)} after the push`
  const pull =
    s.pullDateRescanDuration && s.pullDateRescanMode
      ? `, or ${days(s.pullDateRescanDuration)} after ${PULL_MODE[s.pullDateRescanMode] ?? s.pullDateRescanMode}`
      : ''
  const pending = s.status && s.status !== 'SUCCESS' ? ` (change ${s.status})` : ''
  return `${push}${pull} (${s.rescanDuration ?? 'unknown'}${s.pullDateRescanDuration ? ` / ${s.pullDateRescanDuration}` : ''})${pending}`
}

/**
 * A warning when continuous scanning of this repository lapses before a typical deploy lifetime
 * (judged by the push date, the one clock every image has).
 */
export function rescanWarning(
  s: RescanSetting,
  coverage: CoverageKind,
  repository: string,
  region: string,
): string | undefined {
  if (coverage !== 'CONTINUOUS_SCAN') return undefined
  const n = rescanDays(s.rescanDuration)
  if (n === undefined || n >= DEPLOY_LIFETIME_DAYS) return undefined
  const pull =
    s.pullDateRescanDuration && s.pullDateRescanMode
      ? ` unless ${PULL_MODE[s.pullDateRescanMode] ?? s.pullDateRescanMode} was within ${days(s.pullDateRescanDuration)}`
      : ''
  return (
    `Amazon Inspector re-scans images of ${repository} for only ${n} days after their push (ECR re-scan duration ${s.rescanDuration})${pull}: ` +
    `an image deployed longer turns SCAN_ELIGIBILITY_EXPIRED, and new CVEs in it are no longer reported. ` +
    `For deploys that live ${DEPLOY_LIFETIME_DAYS} days or more, raise it: aws inspector2 update-configuration --ecr-configuration rescanDuration=DAYS_180 --region ${region}`
  )
}
