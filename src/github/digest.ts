/**
 * The scan gate's verdict in brief: what a later consumer (the pull request comment) needs, small
 * and typed, so it never has to reach into the gate. Pure: no I/O.
 */
import type { Severity, Threshold } from '../severity.js'
import type { Finding } from '../gate/findings.js'
import type { Counts, Verdict } from '../gate/policy.js'
import { compareFindings, type GateState } from '../gate/reports.js'
import { vulnUrl } from '../gate/sarif.js'

export type { GateState }

/** One blocking finding, as the comment lists it. Every string is scanner data: hostile. */
export interface BlockingFinding {
  id: string
  severity: Severity
  package: string
  version: string
  /** Fixed version, '' when none is known. */
  fixedIn: string
  /** Advisory URL, '' when none. */
  url: string
  /** `linux/amd64`, '' for a single-platform image. */
  platform: string
}

export interface GateDigest {
  gate: GateState
  threshold: Threshold
  /** Counted findings per severity; undefined when no findings could be had. */
  counts?: Counts
  /** Findings suppressed by ignore entries. */
  ignored?: number
  /** The most severe blocking findings, at most MAX_BLOCKING_LISTED, most severe first. */
  blocking: BlockingFinding[]
  /** How many findings block in all (may exceed blocking.length). */
  blockingTotal: number
  /** Why no verdict could be had (unavailable, or failed without findings). Hostile: from ECR. */
  reason?: string
}

/** More than this many blocking rows help nobody in a comment: the job summary and the report hold all. */
export const MAX_BLOCKING_LISTED = 50

/** The digest of a decided gate. */
export function digestOfVerdict(v: Verdict, threshold: Threshold): GateDigest {
  // The most severe few without sorting every finding (a gate may see 50,000).
  const blocking: Finding[] = []
  for (const r of v.results) {
    if (!r.blocking) continue
    blocking.push(r.finding)
    if (blocking.length > MAX_BLOCKING_LISTED * 4) {
      blocking.sort(compareFindings)
      blocking.length = MAX_BLOCKING_LISTED
    }
  }
  blocking.sort(compareFindings)
  return {
    gate: v.failed ? 'failed' : 'passed',
    threshold,
    counts: { ...v.counts },
    ignored: v.ignored,
    blocking: blocking.slice(0, MAX_BLOCKING_LISTED).map((f) => ({
      id: f.id,
      severity: f.severity,
      package: f.package,
      version: f.version,
      fixedIn: f.fixedIn,
      url: vulnUrl(f),
      platform: f.platform,
    })),
    blockingTotal: v.blocking,
  }
}

/** The digest of a gate that decided nothing: skipped, unavailable, or failed without findings. */
export function digestWithoutFindings(gate: GateState, threshold: Threshold, reason = ''): GateDigest {
  return { gate, threshold, blocking: [], blockingTotal: 0, ...(reason ? { reason } : {}) }
}
