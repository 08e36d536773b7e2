/**
 * What a reviewer reads: the job summary (verdict first), the `::error` annotations, the outputs
 * and the full report JSON. Pure builders; the writes happen in index.ts.
 */
import { mdCode, mdText } from '../neutralise.js'
import { SEVERITIES, severityRank, type Severity, type Threshold } from '../severity.js'
import type { Finding } from './findings.js'
import type { Evaluated, IgnoreEntry, Policy, Verdict } from './policy.js'
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
}

export type GateState = 'passed' | 'failed' | 'unavailable' | 'skipped'

const SEV_LABEL: Record<Severity, string> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  INFORMATIONAL: 'Informational',
  UNDEFINED: 'Undefined',
}

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

/** The one-line verdict (summary order 0 and the log). */
export function verdictLine(v: Verdict, facts: GateFacts): string {
  const t = facts.policy.threshold
  const unsettled = facts.countsSettled ? '' : ' (counts may be incomplete: the finding set had not settled)'
  if (v.failed && v.blocking === 0) {
    return `❌ Scan gate failed: a complete read showed a blocking finding (${facts.blockingSeen ?? 'at or above the threshold'}) in ${facts.imageRef}; the last read no longer lists it, and a failed verdict stays failed${unsettled}`
  }
  if (v.failed) {
    const blocking = SEVERITIES.filter(
      (s) => v.counts[s] > 0 && severityRank(s) >= severityRank(t as Severity),
    )
      .map((s) => `${v.counts[s]} ${s}`)
      .join(', ')
    return `❌ Scan gate failed: ${v.blocking} finding${v.blocking === 1 ? '' : 's'} ${thresholdText(t)} (${blocking}) in ${facts.imageRef}${unsettled}`
  }
  const what =
    v.total === 0
      ? 'no counted findings'
      : `${v.total} finding${v.total === 1 ? '' : 's'} (${countList(v)}), none ${thresholdText(t)}`
  return `✅ Scan gate passed: ${t === 'NONE' ? `${v.total} counted finding${v.total === 1 ? '' : 's'}, report only` : what}${v.ignored > 0 ? `; ${v.ignored} ignored` : ''}`
}

export function unavailableLine(status: string, message: string, failed: boolean): string {
  return `${failed ? '❌ Scan gate failed' : '⚠️ Scan gate could not decide'}: no trustworthy findings (${status}). ${message}`
}

const MAX_ROWS = 100
const MAX_IGNORED_ROWS = 100

function scoreText(f: Finding): string {
  return f.score !== undefined ? f.score.toFixed(1) : ''
}

function idLink(f: Finding): string {
  const url = vulnUrl(f)
  return url ? `[${mdText(f.id)}](${url.replace(/\)/g, '%29')})` : mdText(f.id)
}

function findingRow(f: Finding, multi: boolean): string {
  const fix = f.fixedIn ? ` → ${mdText(f.fixedIn)}` : ''
  const cells = [
    idLink(f),
    mdText(f.package || '–') + (f.packages.length > 1 ? ` (+${f.packages.length - 1} more)` : ''),
    `${mdText(f.version || '–')}${fix}`,
    f.severity +
      (f.rawSeverity && f.rawSeverity.toUpperCase() !== f.severity ? ` (${mdText(f.rawSeverity)})` : ''),
    scoreText(f),
    f.fixAvailable || '–',
    f.exploitAvailable || '–',
  ]
  if (multi) cells.push(mdText(f.platform))
  return `| ${cells.join(' | ')} |`
}

function entryText(e: IgnoreEntry): string {
  return `${e.id}${e.package ? ` package=${e.package}` : ''}${e.until ? ` until=${e.until}` : ''}`
}

/** Top-N by severity then score without sorting everything (50,000 findings). */
function topN(items: Evaluated[], n: number, keep: (e: Evaluated) => boolean): Finding[] {
  const picked: Finding[] = []
  for (const e of items) {
    if (!keep(e)) continue
    picked.push(e.finding)
    if (picked.length > n * 4) {
      picked.sort(compareFindings)
      picked.length = n
    }
  }
  picked.sort(compareFindings)
  return picked.slice(0, n)
}

/** The gate's summary section (order 20), kept well under the 1 MiB summary limit. */
export function gateSection(v: Verdict, facts: GateFacts, limitBytes = 400_000): string {
  const multi = facts.platforms.length > 1 || facts.platforms.some((p) => p.platform !== '')
  const out: string[] = ['### Scan gate', '', ...factRows(v, facts, multi), '', ...severityRows(v)]
  const notes = countNotes(v)
  if (notes.length > 0) out.push('', `_${notes.join('; ')}._`)
  out.push(...topFindingRows(v, multi), ...ignoreRows(v, facts))
  return truncateSection(out.join('\n'), limitBytes)
}

function factRows(v: Verdict, facts: GateFacts, multi: boolean): string[] {
  const fixable = facts.policy.onlyFixable ? ', only fixable' : ''
  const rows = [
    '| | |',
    '|---|---|',
    `| Verdict | ${v.failed ? '❌ failed' : '✅ passed'} (threshold ${facts.policy.threshold}${fixable}) |`,
    `| Scan | ${facts.scanType}, status ${mdText(facts.scanStatus)} (waited ${facts.elapsedSeconds} s) |`,
    `| Counts | ${countsText(facts)} |`,
    `| Image | ${mdCode(facts.imageRef, { table: true })} |`,
  ]
  if (!multi) return rows
  for (const p of facts.platforms) {
    rows.push(
      `| Platform ${mdText(p.platform || 'image')} | ${mdCode(p.digest, { table: true })}: ${mdText(p.status)}, ${p.findings} finding${p.findings === 1 ? '' : 's'} |`,
    )
  }
  return rows
}

function severityRows(v: Verdict): string[] {
  const rows = ['| Severity | Counted | Ignored |', '|---|---:|---:|']
  for (const s of SEVERITIES) rows.push(`| ${SEV_LABEL[s]} | ${v.counts[s]} | ${v.ignoredCounts[s]} |`)
  rows.push(`| **Total** | **${v.total}** | **${v.ignored}** |`)
  return rows
}

function countNotes(v: Verdict): string[] {
  const notFixable = v.results.reduce((n, r) => n + (r.disposition === 'not-fixable' ? 1 : 0), 0)
  const inactive = v.results.reduce((n, r) => n + (r.disposition === 'inactive' ? 1 : 0), 0)
  const notes: string[] = []
  if (notFixable > 0) notes.push(`${notFixable} without a fix not counted (only-fixable)`)
  if (inactive > 0) notes.push(`${inactive} suppressed or closed in Inspector not counted`)
  notes.push(...fixUnknownNotes(v))
  return notes
}

function topFindingRows(v: Verdict, multi: boolean): string[] {
  const top = topN(v.results, MAX_ROWS, (e) => e.disposition === 'counted')
  if (top.length === 0) return []
  const of =
    v.total > top.length ? ` (${top.length} of ${v.total}; the report file and the SARIF hold all)` : ''
  const head = ['ID', 'Package', 'Installed → fixed', 'Severity', 'Score', 'Fix', 'Exploit']
  if (multi) head.push('Platform')
  return [
    '',
    `#### Top findings${of}`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...top.map((f) => findingRow(f, multi)),
  ]
}

function ignoreRows(v: Verdict, facts: GateFacts): string[] {
  const entries = facts.policy.ignore
  if (entries.length === 0) return []
  const rows = ['', '#### Ignore entries', '', '| Entry | Reason | Expires | Matched |', '|---|---|---|---:|']
  entries.slice(0, MAX_IGNORED_ROWS).forEach((e, i) => {
    const expired = e.until !== undefined && e.until < facts.today
    const expires = e.until ? `${e.until}${expired ? ' **expired: no longer ignores**' : ''}` : 'never'
    rows.push(
      `| ${mdCode(entryText(e), { table: true })} | ${mdText(e.reason) || '–'} | ${expires} | ${v.matches[i] ?? 0} |`,
    )
  })
  if (entries.length > MAX_IGNORED_ROWS)
    rows.push('', `_…and ${entries.length - MAX_IGNORED_ROWS} more entries._`)
  return rows
}

function truncateSection(text: string, limitBytes: number): string {
  if (Buffer.byteLength(text) <= limitBytes) return text
  const note = '\n\n> Section truncated to fit the job summary; the report file holds every finding.'
  const cut = text.slice(0, limitBytes - note.length)
  return cut.slice(0, cut.lastIndexOf('\n')) + note
}

function countsText(facts: GateFacts): string {
  if (facts.countsSettled)
    return `complete: every finding set stayed the same for scan-settle-seconds (${facts.platforms.map((p) => `${p.findings}`).join(' + ')} findings read)`
  const why = facts.unsettled.map(mdText).join('; ')
  return `⚠️ may be incomplete: the finding set had not settled when the gate ended${why ? ` (${why})` : ''}`
}

/** only-fixable counted findings whose fix state is unknown: say which scanner left it open. */
function fixUnknownNotes(v: Verdict): string[] {
  const notes: string[] = []
  if (v.fixUnknownBasic > 0)
    notes.push(
      `${v.fixUnknownBasic} basic-scan finding${v.fixUnknownBasic === 1 ? '' : 's'} counted although only-fixable is on: basic scanning does not say whether a fix exists`,
    )
  if (v.fixUnknownEnhanced > 0)
    notes.push(
      `${v.fixUnknownEnhanced} enhanced-scan finding${v.fixUnknownEnhanced === 1 ? '' : 's'} counted although only-fixable is on: Amazon Inspector gave no fixAvailable for ${v.fixUnknownEnhanced === 1 ? 'it' : 'them'}`,
    )
  return notes
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
