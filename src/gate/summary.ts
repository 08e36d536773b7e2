/**
 * The scan gate in the job summary: the verdict a reviewer reads first (summary slot `verdict`: the
 * heading, a digest with the severity bar and the image's ECR console link, and on a failure the
 * blocking findings with a ready-to-paste `ignore` line each), and the `Scan gate` section with the
 * details, its long tables collapsed. Pure: facts in, markdown out. Every string from the registry
 * (IDs, packages, versions, URLs, statuses, ECR's messages) goes through the neutraliser.
 */
import { details, factList, foldedTable, link, plural, table } from '../markdown.js'
import { mdCode, mdFence, mdText } from '../neutralise.js'
import { SEVERITIES, atOrAbove, type Severity, type Threshold } from '../severity.js'
import type { Finding } from './findings.js'
import { parseIgnoreText, type Counts, type Verdict } from './policy.js'
import { topN, verdictLine, type GateFacts, type PlatformScan } from './reports.js'
import { vulnUrl } from './sarif.js'

/** Blocking findings listed in the verdict, the first BLOCKING_SHOWN visibly, the rest folded. */
export const BLOCKING_LISTED = 100
const BLOCKING_SHOWN = 10
/** Rows of the table of every counted finding (the report file and the SARIF hold all). */
const MAX_ROWS = 100
const MAX_IGNORE_ROWS = 100
/** How long the pasted `ignore` line holds: it expires, and then warns, instead of hiding a finding forever. */
export const IGNORE_DAYS = 30
export const IGNORE_REASON = '# TODO: why this is acceptable'

const LABEL: Record<Severity, string> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  INFORMATIONAL: 'informational',
  UNDEFINED: 'undefined',
}

/** The colour of each severity in the bar (as code scanning colours them, as near as emoji get). */
export const SQUARE: Record<Severity, string> = {
  CRITICAL: '🟥',
  HIGH: '🟧',
  MEDIUM: '🟨',
  LOW: '🟦',
  INFORMATIONAL: '⬜',
  UNDEFINED: '🟪',
}

/** The mark of a blocking finding, in every table that lists one. */
export const BLOCKS = '🛑'

// ---- the verdict ------------------------------------------------------------------------------

/** The verdict slot of a decided gate: heading, digest, and on a failure what blocks. */
export function verdictSection(v: Verdict, facts: GateFacts): string {
  const out = [`### ${mdText(verdictLine(v, facts, { heading: true }))}`, '', ...digestLines(v, facts)]
  if (v.failed) out.push(...blockingLines(v, facts))
  return out.join('\n')
}

/**
 * Cells per severity of a bar `width` squares wide: proportional to the counts, at least one for a
 * severity that has any (largest remainders get the rest). All zero: no cells.
 */
export function barCells(counts: Counts, width = 20): Record<Severity, number> {
  const cells = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0)
  if (total === 0) return cells
  const present = SEVERITIES.filter((s) => counts[s] > 0)
  const room = Math.max(width, present.length)
  const share = (s: Severity): number => (counts[s] / total) * room
  for (const s of present) cells[s] = Math.max(1, Math.floor(share(s)))
  let used = present.reduce((n, s) => n + cells[s], 0)
  const byRemainder = [...present].sort((a, b) => share(b) - cells[b] - (share(a) - cells[a]))
  for (let i = 0; used < room; i++, used++) cells[byRemainder[i % byRemainder.length] as Severity] += 1
  while (used > room) {
    const widest = present.reduce((a, b) => (cells[b] > cells[a] ? b : a))
    cells[widest] -= 1
    used -= 1
  }
  return cells
}

/**
 * The compact severity bar with its legend: `🟥🟧🟧🟨 **1 critical** · **2 high** · 1 medium`,
 * severities that block in bold; '' when nothing is counted.
 */
export function severityBar(counts: Counts, threshold: Threshold): string {
  const cells = barCells(counts)
  const bar = SEVERITIES.map((s) => SQUARE[s].repeat(cells[s])).join('')
  if (bar === '') return ''
  const legend = SEVERITIES.filter((s) => counts[s] > 0).map((s) => {
    const text = `${counts[s]} ${LABEL[s]}`
    return atOrAbove(s, threshold) ? `**${text}**` : text
  })
  return `${bar} ${legend.join(' · ')}`
}

function barLine(v: Verdict, threshold: Threshold): string {
  const bar = severityBar(v.counts, threshold)
  const ignored = v.ignored > 0 ? `${bar === '' ? '; ' : ' · '}${v.ignored} ignored` : ''
  return `${bar === '' ? 'No counted findings' : bar}${ignored}`
}

/** `acme/widget@sha256:0123456789ab…`: the image as a reviewer recognises it (the full ref is under Pushed). */
export function shortImage(imageRef: string): string {
  const afterHost = imageRef.includes('/') ? imageRef.slice(imageRef.indexOf('/') + 1) : imageRef
  return afterHost.replace(/@(sha256:[0-9a-f]{12})[0-9a-f]{52}$/, '@$1…')
}

/** The image, its ECR console link, and what else belongs on the line (markdown). */
export function imageLine(imageRef: string, consoleUrl: string | undefined, more: string[] = []): string {
  const console = consoleUrl ? link('ECR console', consoleUrl) : ''
  return [`Image ${mdCode(shortImage(imageRef))}`, ...(console ? [console] : []), ...more].join(' · ')
}

function thresholdPhrase(t: Threshold, onlyFixable: boolean): string {
  const fixable = onlyFixable ? ', only fixable findings' : ''
  return t === 'NONE' ? `report only (threshold NONE${fixable})` : `threshold ${t}${fixable}`
}

function digestLines(v: Verdict, facts: GateFacts): string[] {
  const scan = `${facts.scanType} scan ${mdText(facts.scanStatus)} after ${facts.elapsedSeconds} s`
  const lines = [
    barLine(v, facts.policy.threshold),
    '',
    imageLine(facts.imageRef, facts.consoleUrl, [
      scan,
      thresholdPhrase(facts.policy.threshold, facts.policy.onlyFixable),
    ]),
  ]
  if (!facts.countsSettled) lines.push('', `⚠️ **Counts may be incomplete**: ${unsettledText(facts)}.`)
  if (v.expired.length > 0) {
    const ids = v.expired.map((e) => mdCode(e.id)).join(', ')
    const one = v.expired.length === 1
    lines.push(
      '',
      `⚠️ ${plural(v.expired.length, 'ignore entry', 'ignore entries')} expired and no longer ${one ? 'ignores' : 'ignore'} anything: ${ids}.`,
    )
  }
  return lines
}

function unsettledText(facts: GateFacts): string {
  const why = facts.unsettled.map(mdText).join('; ')
  return `the finding set had not settled when the gate ended${why ? ` (${why})` : ''}`
}

// ---- blocking findings and their ignore lines -------------------------------------------------

/** YYYY-MM-DD `days` after `today` (YYYY-MM-DD, UTC). */
export function addDays(today: string, days: number): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/**
 * The `ignore` line that accepts `f` until `until`: `ID until=DATE package=NAME # reason`. Checked
 * by the very parser the input goes through: a finding whose ID or package name cannot be written
 * in that form gets none (undefined), rather than a line that would ignore something else.
 */
export function ignoreLine(f: Finding, until: string): string | undefined {
  const pkg = f.package ? ` package=${f.package}` : ''
  const line = `${f.id} until=${until}${pkg} ${IGNORE_REASON}`
  const { entries, problems } = parseIgnoreText(line)
  const e = entries[0]
  if (problems.length > 0 || entries.length !== 1 || !e) return undefined
  if (e.id !== f.id || e.until !== until || (e.package ?? '') !== f.package) return undefined
  return line
}

function isMultiPlatform(facts: GateFacts): boolean {
  return facts.platforms.length > 1 || facts.platforms.some((p) => p.platform !== '')
}

function idCell(f: Finding, blocking: boolean): string {
  const id = link(mdText(f.id), vulnUrl(f))
  return blocking ? `${BLOCKS} ${id}` : id
}

const code = (s: string): string => mdCode(s, { table: true })

function versionCell(f: Finding): string {
  return `${code(f.version)}${f.fixedIn ? ` → ${code(f.fixedIn)}` : ''}`
}

function packageCell(f: Finding): string {
  return code(f.package) + (f.packages.length > 1 ? ` (+${f.packages.length - 1} more)` : '')
}

function severityCell(f: Finding): string {
  const raw = f.rawSeverity && f.rawSeverity.toUpperCase() !== f.severity ? ` (${mdText(f.rawSeverity)})` : ''
  return `${f.severity}${raw}${f.score !== undefined ? ` ${f.score.toFixed(1)}` : ''}`
}

function blockingTable(findings: readonly Finding[], multi: boolean): string[] {
  const head = ['Vulnerability', 'Severity', 'Package', 'Installed → fixed', 'Fix']
  if (multi) head.push('Platform')
  const rows = findings.map((f) => {
    const cells = [idCell(f, true), severityCell(f), packageCell(f), versionCell(f), f.fixAvailable || '–']
    if (multi) cells.push(code(f.platform))
    return cells
  })
  return table(head, rows)
}

/**
 * The ignore lines of `findings` (one per vulnerability and package) as a code block, and a note
 * for the findings that cannot have one.
 */
function ignoreBlock(findings: readonly Finding[], until: string): string[] {
  const each = findings.map((f) => ignoreLine(f, until))
  const lines = [...new Set(each.filter((l) => l !== undefined))]
  const without = each.filter((l) => l === undefined).length
  const out = lines.length === 0 ? [] : ['', mdFence(lines.join('\n'), 'text')]
  if (without > 0)
    out.push(
      '',
      `_${without === findings.length ? (without === 1 ? 'This finding has' : 'These findings have') : `${without} of these have`} no ignore line: an ID or a package name that is not a single word cannot be written in one._`,
    )
  return out
}

function blockingLines(v: Verdict, facts: GateFacts): string[] {
  if (v.blocking === 0) return []
  const listed = topN(v.results, BLOCKING_LISTED, (e) => e.blocking)
  const multi = isMultiPlatform(facts)
  const until = addDays(facts.today, IGNORE_DAYS)
  const shown = listed.slice(0, BLOCKING_SHOWN)
  const rest = listed.slice(BLOCKING_SHOWN)
  const out = [
    '',
    `#### ${BLOCKS} ${plural(v.blocking, 'blocking finding')}`,
    '',
    ...blockingTable(shown, multi),
    '',
    `To accept a finding for ${IGNORE_DAYS} days instead of fixing it, add its line to the \`ignore\` input (or to the \`ignore-file\`) and say why after the \`#\`:`,
    ...ignoreBlock(shown, until),
  ]
  if (rest.length > 0) {
    const body = [...blockingTable(rest, multi), ...ignoreBlock(rest, until)]
    out.push('', ...details(`${plural(rest.length, 'more blocking finding')}, with their ignore lines`, body))
  }
  if (v.blocking > listed.length)
    out.push(
      '',
      `_…and ${plural(v.blocking - listed.length, 'more blocking finding')}: the report file lists every one._`,
    )
  return out
}

// ---- the Scan gate section --------------------------------------------------------------------

/** The `Scan gate` section of a decided gate, kept well under the 1 MiB summary limit. */
export function gateSection(v: Verdict, facts: GateFacts, limitBytes = 400_000): string {
  const out: string[] = ['### Scan gate', '', ...factList(gateFacts(facts))]
  const notes = countNotes(v)
  if (notes.length > 0) out.push('', `_${notes.join('; ')}._`)
  out.push('', ...severityTable(v), ...findingTable(v, facts), ...ignoreTable(v, facts))
  return truncateSection(out.join('\n'), limitBytes)
}

function gateFacts(facts: GateFacts): [string, string][] {
  const rows: [string, string][] = [
    ['Policy', thresholdPhrase(facts.policy.threshold, facts.policy.onlyFixable)],
    ['Scan', `${facts.scanType}, status ${mdText(facts.scanStatus)}, waited ${facts.elapsedSeconds} s`],
    ['Counts', countsText(facts)],
  ]
  return [...rows, ...platformFacts(facts.platforms)]
}

function platformFacts(platforms: readonly PlatformScan[]): [string, string][] {
  if (!(platforms.length > 1 || platforms.some((p) => p.platform !== ''))) return []
  return platforms.map((p) => [
    `Platform ${mdText(p.platform || 'image')}`,
    `${mdCode(p.digest)}: ${mdText(p.status)}, ${plural(p.findings, 'finding')}`,
  ])
}

function countsText(facts: GateFacts): string {
  if (!facts.countsSettled) return `⚠️ may be incomplete: ${unsettledText(facts)}`
  const read = facts.platforms.map((p) => `${p.findings}`).join(' + ')
  return `complete: every finding set stayed the same for scan-settle-seconds (${read} findings read)`
}

function countNotes(v: Verdict): string[] {
  const notFixable = v.results.reduce((n, r) => n + (r.disposition === 'not-fixable' ? 1 : 0), 0)
  const inactive = v.results.reduce((n, r) => n + (r.disposition === 'inactive' ? 1 : 0), 0)
  const notes: string[] = []
  if (notFixable > 0) notes.push(`${notFixable} without a fix not counted (only-fixable)`)
  if (inactive > 0) notes.push(`${inactive} suppressed or closed in Inspector not counted`)
  if (v.fixUnknownBasic > 0)
    notes.push(
      `${plural(v.fixUnknownBasic, 'basic-scan finding')} counted although only-fixable is on: basic scanning does not say whether a fix exists`,
    )
  if (v.fixUnknownEnhanced > 0)
    notes.push(
      `${plural(v.fixUnknownEnhanced, 'enhanced-scan finding')} counted although only-fixable is on: Amazon Inspector gave no fixAvailable for ${v.fixUnknownEnhanced === 1 ? 'it' : 'them'}`,
    )
  return notes
}

function severityTable(v: Verdict): string[] {
  const rows = SEVERITIES.map((s) => [
    `${SQUARE[s]} ${LABEL[s]}`,
    String(v.counts[s]),
    String(v.ignoredCounts[s]),
  ])
  rows.push(['**Total**', `**${v.total}**`, `**${v.ignored}**`])
  return foldedTable(
    `Counts by severity: ${v.total} counted, ${v.ignored} ignored`,
    ['Severity', 'Counted', 'Ignored'],
    rows,
    { align: ['left', 'right', 'right'], collapse: true },
  )
}

function findingTable(v: Verdict, facts: GateFacts): string[] {
  const top = topN(v.results, MAX_ROWS, (e) => e.disposition === 'counted')
  if (top.length === 0) return []
  const multi = isMultiPlatform(facts)
  const t = facts.policy.threshold
  const head = ['Vulnerability', 'Severity', 'Package', 'Installed → fixed', 'Fix', 'Exploit']
  if (multi) head.push('Platform')
  const rows = top.map((f) => {
    const cells = [
      idCell(f, atOrAbove(f.severity, t)),
      severityCell(f),
      packageCell(f),
      versionCell(f),
      f.fixAvailable || '–',
      f.exploitAvailable || '–',
    ]
    if (multi) cells.push(code(f.platform))
    return cells
  })
  const title =
    v.total > top.length
      ? `The ${top.length} most severe of ${v.total} counted findings (the report file and the SARIF hold all)`
      : `${v.total === 1 ? 'The counted finding' : `All ${v.total} counted findings`}`
  const note = v.blocking > 0 ? `${BLOCKS} blocks the image (at or above ${t}).` : ''
  // On a failure the blocking findings are listed above: the full table is for reference.
  return ['', ...foldedTable(title, head, rows, { collapse: v.failed, ...(note ? { note } : {}) })]
}

function entryText(e: { id: string; package?: string; until?: string }): string {
  return `${e.id}${e.package ? ` package=${e.package}` : ''}${e.until ? ` until=${e.until}` : ''}`
}

function ignoreTable(v: Verdict, facts: GateFacts): string[] {
  const entries = facts.policy.ignore
  if (entries.length === 0) return []
  const rows = entries.slice(0, MAX_IGNORE_ROWS).map((e, i) => {
    const expired = e.until !== undefined && e.until < facts.today
    const expires = e.until ? `${e.until}${expired ? ' **expired: no longer ignores**' : ''}` : 'never'
    return [code(entryText(e)), e.reason ? mdText(e.reason) : '–', expires, String(v.matches[i] ?? 0)]
  })
  const more =
    entries.length > MAX_IGNORE_ROWS ? `_…and ${entries.length - MAX_IGNORE_ROWS} more entries._` : ''
  const title = `${plural(entries.length, 'ignore entry', 'ignore entries')}: ${plural(v.ignored, 'finding')} ignored`
  const head = ['Entry', 'Reason', 'Expires', 'Matched']
  return [
    '',
    ...foldedTable(title, head, rows, {
      align: ['left', 'left', 'left', 'right'],
      collapse: true,
      ...(more ? { note: more } : {}),
    }),
  ]
}

function truncateSection(text: string, limitBytes: number): string {
  if (Buffer.byteLength(text) <= limitBytes) return text
  const note = '\n\n> Section truncated to fit the job summary; the report file holds every finding.'
  const cut = text.slice(0, limitBytes - Buffer.byteLength(note))
  // A cut inside <details> would leave it open: close what the cut left open.
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length
  return cut.slice(0, cut.lastIndexOf('\n')) + (open > 0 ? '\n\n</details>' : '') + note
}

// ---- a gate without a verdict -----------------------------------------------------------------

export interface NoVerdict {
  imageRef: string
  consoleUrl?: string
  scanType: string
  status: string
  message: string
  elapsedSeconds: number
  platforms: PlatformScan[]
  /** The gate fails (on-scan-unavailable: fail, or a condition it does not relax). */
  failed: boolean
}

/** The verdict slot and the Scan gate section when no trustworthy findings could be had. */
export function unavailableSections(u: NoVerdict): { verdict: string; gate: string } {
  const head = u.failed ? '❌ Scan gate failed' : '⚠️ Scan gate could not decide'
  const scan = `${u.scanType} scan ${mdText(u.status)} after ${u.elapsedSeconds} s`
  const verdict = [
    `### ${head}: no trustworthy findings (${mdText(u.status)})`,
    '',
    mdText(u.message),
    '',
    imageLine(u.imageRef, u.consoleUrl, [scan]),
  ]
  const state = u.failed ? '❌ failed' : '⚠️ unavailable (on-scan-unavailable: warn)'
  const gate = [
    '### Scan gate',
    '',
    ...factList([
      ['Verdict', `${state}: no trustworthy findings, never reported as 0 findings`],
      ['Scan', `${u.scanType}, status ${mdText(u.status)}, waited ${u.elapsedSeconds} s`],
      ...platformFacts(u.platforms),
    ]),
  ]
  return { verdict: verdict.join('\n'), gate: gate.join('\n') }
}

/** The verdict slot of a run with `wait-for-scan: false`. */
export function skippedVerdict(
  imageRef: string,
  consoleUrl: string | undefined,
  why: { reason: string; text: string } = {
    reason: 'wait-for-scan: false',
    text: 'Pushed without waiting for the registry’s findings: nothing gated this image.',
  },
): string {
  return [`### ⏭️ Scan gate skipped (${why.reason})`, '', why.text, '', imageLine(imageRef, consoleUrl)].join(
    '\n',
  )
}

/** The verdict slot of a gate that crashed: it has passed nothing. */
export function crashedVerdict(message: string): string {
  return ['### ❌ Scan gate failed: it could not finish', '', mdText(message)].join('\n')
}
