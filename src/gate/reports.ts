/**
 * What the gate tells: the verdict line (the log, the step's failure, the summary's heading), the
 * `::error` annotations, the outputs and the full report JSON. The job summary's markdown is in
 * summary.ts. Pure builders; the writes happen in index.ts.
 */
import { SEVERITIES, severityRank, type Severity, type Threshold } from '../severity.js'
import type { Finding } from './findings.js'
import type { Evaluated, Policy, Verdict } from './policy.js'
import { vulnUrl } from './sarif.js'

export interface PlatformScan {
  digest: string
  /** `linux/amd64`, '' for a single-platform image. */
  platform: string
  status: string
  findings: number
}

export interface GateFacts {
  imageRef: string
  digest: string
  scanType: 'BASIC' | 'ENHANCED' | 'NONE'
  scanStatus: string
  platforms: PlatformScan[]
  policy: Policy
  today: string
  elapsedSeconds: number
  /** Every image's finding set had stayed the same for the settle window (the counts are complete). */
  countsSettled: boolean
  /** When not: which images, and what their reads showed. */
  unsettled: string[]
  /** The blocking finding that failed the gate first (for the case the last read no longer lists it). */
  blockingSeen?: string
  /** The image in the ECR console (partition.ts consoleUrl); undefined where there is none. */
  consoleUrl?: string
}

export type GateState = 'passed' | 'failed' | 'unavailable' | 'skipped'

/** Severity first, then score (highest first), then ID. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (b.score ?? -1) - (a.score ?? -1) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    (a.package < b.package ? -1 : a.package > b.package ? 1 : 0)
  )
}

function thresholdText(t: Threshold): string {
  return t === 'NONE' ? 'report only (severity-threshold: NONE)' : `at or above ${t}`
}

function countList(v: Verdict): string {
  return SEVERITIES.filter((s) => v.counts[s] > 0)
    .map((s) => `${v.counts[s]} ${s}`)
    .join(', ')
}

/**
 * The one-line verdict, for the log and the step's failure. `heading`: the job summary's heading,
 * without the image and the completeness note (the lines under the heading say both).
 */
export function verdictLine(v: Verdict, facts: GateFacts, opts: { heading?: boolean } = {}): string {
  const t = facts.policy.threshold
  const unsettled =
    facts.countsSettled || opts.heading ? '' : ' (counts may be incomplete: the finding set had not settled)'
  const image = opts.heading ? '' : ` in ${facts.imageRef}`
  if (v.failed && v.blocking === 0) {
    return `❌ Scan gate failed: a complete read showed a blocking finding (${facts.blockingSeen ?? 'at or above the threshold'})${image}; the last read no longer lists it, and a failed verdict stays failed${unsettled}`
  }
  if (v.failed) {
    const blocking = SEVERITIES.filter(
      (s) => v.counts[s] > 0 && severityRank(s) >= severityRank(t as Severity),
    )
      .map((s) => `${v.counts[s]} ${s}`)
      .join(', ')
    return `❌ Scan gate failed: ${v.blocking} finding${v.blocking === 1 ? '' : 's'} ${thresholdText(t)} (${blocking})${image}${unsettled}`
  }
  const what =
    v.total === 0
      ? 'no counted findings'
      : `${v.total} finding${v.total === 1 ? '' : 's'} (${countList(v)}), none ${thresholdText(t)}`
  return `✅ Scan gate passed: ${t === 'NONE' ? `${v.total} counted finding${v.total === 1 ? '' : 's'}, report only` : what}${v.ignored > 0 ? `; ${v.ignored} ignored` : ''}`
}

/**
 * The most severe `n` of the results `keep` picks, without sorting everything (50,000 findings):
 * once `n` are held, anything not more severe than the n-th is passed over with one comparison.
 */
export function topN(items: readonly Evaluated[], n: number, keep: (e: Evaluated) => boolean): Finding[] {
  const picked: Finding[] = []
  let cutoff: Finding | undefined
  for (const e of items) {
    if (!keep(e)) continue
    if (cutoff !== undefined && compareFindings(e.finding, cutoff) >= 0) continue
    picked.push(e.finding)
    if (picked.length > n * 4) {
      picked.sort(compareFindings)
      picked.length = n
      cutoff = picked[n - 1]
    }
  }
  picked.sort(compareFindings)
  return picked.slice(0, n)
}

/** `::error` annotations: one per blocking finding, capped, and one for the rest. */
export function annotations(v: Verdict, imageRef: string, cap = 10): string[] {
  if (!v.failed) return []
  const top = topN(v.results, cap, (e) => e.blocking)
  const lines = top.map((f) => {
    const pkg = f.package ? ` in ${f.package} ${f.version}`.trimEnd() : ''
    const fix = f.fixedIn ? ` (fixed in ${f.fixedIn})` : f.fixAvailable === 'NO' ? ' (no fix yet)' : ''
    const where = f.platform ? ` [${f.platform}]` : ''
    return `${f.severity} ${f.id}${pkg}${fix}${where}: ${imageRef}`
  })
  if (v.blocking > top.length)
    lines.push(
      `…and ${v.blocking - top.length} more blocking findings (see the job summary and the report file)`,
    )
  return lines
}

/** The outputs from `findings-critical` to `highest-severity` for a verdict. */
export function countOutputs(v: Verdict): Record<string, string> {
  const out: Record<string, string> = {}
  for (const s of SEVERITIES) out[`findings-${s.toLowerCase()}`] = String(v.counts[s])
  out['findings-total'] = String(v.total)
  out['findings-ignored'] = String(v.ignored)
  out.findings = JSON.stringify(v.counts)
  out['highest-severity'] = v.highest
  return out
}

/** The report file: every finding with what became of it. */
export function reportJson(
  v: Verdict | undefined,
  facts: GateFacts,
  gate: GateState,
  message: string,
): string {
  return [...reportChunks(v, facts, gate, message)].join('')
}

/** The report file in chunks (a finding each), for writing without holding it whole. */
export function* reportChunks(
  v: Verdict | undefined,
  facts: GateFacts,
  gate: GateState,
  message: string,
): Generator<string> {
  // Built as text, a finding a line: 50,000 findings without one giant intermediate object.
  yield JSON.stringify(reportHead(v, facts, gate, message), null, 2).replace(/\n}$/, ',\n  "findings": [')
  const rows = v?.results ?? []
  for (let i = 0; i < rows.length; i++) {
    yield `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(reportRow(rows[i] as Evaluated, facts.policy))}`
  }
  yield rows.length > 0 ? '\n  ]\n}\n' : ']\n}\n'
}

function reportHead(v: Verdict | undefined, facts: GateFacts, gate: GateState, message: string): object {
  const policy = facts.policy
  return {
    version: 1,
    image: facts.imageRef,
    digest: facts.digest,
    scanType: facts.scanType,
    scanStatus: facts.scanStatus,
    gate,
    message,
    countsSettled: v ? facts.countsSettled : null,
    unsettled: facts.unsettled,
    platforms: facts.platforms,
    policy: {
      severityThreshold: policy.threshold,
      onlyFixable: policy.onlyFixable,
      ignore: policy.ignore.map((e, i) => ({
        ...e,
        expired: e.until !== undefined && e.until < facts.today,
        matched: v?.matches[i] ?? 0,
      })),
    },
    counts: v?.counts ?? null,
    ignoredCounts: v?.ignoredCounts ?? null,
    total: v?.total ?? null,
    ignored: v?.ignored ?? null,
    highestSeverity: v?.highest ?? null,
  }
}

function reportRow(r: Evaluated, policy: Policy): Record<string, unknown> {
  const f = r.finding
  const row: Record<string, unknown> = {
    id: f.id,
    severity: f.severity,
    rawSeverity: f.rawSeverity,
    package: f.package,
    version: f.version,
    fixedIn: f.fixedIn,
    packages: f.packages,
    score: f.score ?? null,
    fixAvailable: f.fixAvailable,
    exploitAvailable: f.exploitAvailable,
    status: f.status,
    source: f.source,
    platform: f.platform,
    imageDigest: f.imageDigest,
    url: vulnUrl(f),
    disposition: r.disposition,
    counted: r.disposition === 'counted',
    blocking: r.blocking,
    key: f.key,
  }
  if (r.ignoredBy !== undefined) {
    const e = policy.ignore[r.ignoredBy]
    row.ignoredBy = e
      ? { id: e.id, source: e.source, reason: e.reason, until: e.until ?? null, package: e.package ?? null }
      : null
  }
  return row
}
