/**
 * The gate's policy: ignore entries (parsed before any network call) and the verdict over a finding
 * set. Pure: no I/O; `today` is passed in.
 */
import { excerpt } from '../neutralise.js'
import { atOrAbove, severityOfRank, severityRank, type Severity, type Threshold } from '../severity.js'
import { isCountedStatus, type Finding } from './findings.js'

export interface IgnoreEntry {
  id: string
  /** Inclusive last day the entry ignores, YYYY-MM-DD. */
  until?: string
  /** Only findings in this package (case-insensitive). */
  package?: string
  reason: string
  /** Where it was written: `ignore line 2`, `ignore-file item 1`. */
  source: string
}

export interface Policy {
  threshold: Threshold
  onlyFixable: boolean
  ignore: IgnoreEntry[]
}

const ID = /^[^\s=#]+$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function validDate(s: string): boolean {
  const m = DATE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === s
}

const FORM = "'ID [until=YYYY-MM-DD] [package=NAME] [# reason]'"

/** Parses one line of the line form; null for blanks and comment lines. */
function parseLine(line: string, input: string, where: string, problems: string[]): IgnoreEntry | null {
  const hash = line.search(/(^|\s)#/)
  const body = (hash >= 0 ? line.slice(0, hash) : line).trim()
  const reason = hash >= 0 ? line.slice(hash).replace(/^\s*#/, '').trim() : ''
  if (body === '') return null
  const [id = '', ...rest] = body.split(/\s+/)
  const bad = (what: string): null => {
    problems.push(
      `Invalid input '${input}' (${where}): ${what}. Expected ${FORM}, e.g. 'CVE-2024-1234 until=2025-06-30 package=openssl # no fix yet'.`,
    )
    return null
  }
  if (!ID.test(id)) return bad(`${excerpt(id, 40)} is not a vulnerability ID`)
  const entry: IgnoreEntry = { id, reason, source: where }
  for (const word of rest) {
    const kv = /^(until|package)=(.+)$/.exec(word)
    if (!kv) return bad(`unexpected ${excerpt(word, 40)}`)
    if (kv[1] === 'until') {
      if (!validDate(kv[2] ?? '')) return bad(`${excerpt(kv[2] ?? '', 40)} is not a date YYYY-MM-DD`)
      entry.until = kv[2] as string
    } else entry.package = kv[2] as string
  }
  return entry
}

/** The `ignore` input: one entry a line. */
export function parseIgnoreText(
  text: string,
  input = 'ignore',
  lineOffset = 0,
): { entries: IgnoreEntry[]; problems: string[] } {
  const entries: IgnoreEntry[] = []
  const problems: string[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    const e = parseLine(line, input, `line ${i + 1 + lineOffset}`, problems)
    if (e) e.source = `${input} ${e.source}`
    if (e) entries.push(e)
  })
  return { entries, problems }
}

/** True when an ignore file is a YAML list (its first content line starts with `- `). */
export function isYamlList(text: string): boolean {
  const firstContent = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? ''
  return /^\s*-(\s|$)/.test(firstContent)
}

/**
 * The `ignore-file`: the line form, or YAML: a list of `{id, until, package, reason}` (or of lines).
 * `parseYaml` is handed in (the `yaml` package, loaded only when a file is YAML: cold start).
 */
export function parseIgnoreFile(
  text: string,
  input = 'ignore-file',
  parseYaml?: (text: string) => unknown,
): { entries: IgnoreEntry[]; problems: string[] } {
  if (!isYamlList(text)) return parseIgnoreText(text, input)
  if (!parseYaml) throw new Error('parseIgnoreFile: a YAML list needs a YAML parser')
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    const msg = excerpt(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err), 120)
    return {
      entries: [],
      problems: [
        `Invalid input '${input}': not valid YAML (${msg}). Expected a list of {id, until, package, reason}, or lines ${FORM}.`,
      ],
    }
  }
  const entries: IgnoreEntry[] = []
  const problems: string[] = []
  if (!Array.isArray(doc)) {
    return {
      entries,
      problems: [`Invalid input '${input}': expected a YAML list of {id, until, package, reason}.`],
    }
  }
  doc.forEach((item: unknown, i) => {
    const where = `item ${i + 1}`
    if (typeof item === 'string') {
      const e = parseLine(item, input, where, problems)
      if (e) entries.push({ ...e, source: `${input} ${where}` })
      return
    }
    const checked = yamlEntry(item, `${input} ${where}`)
    if (typeof checked === 'string')
      problems.push(
        `Invalid input '${input}' (${where}): ${checked}. Expected {id: CVE-2024-1234, until: 2025-06-30, package: openssl, reason: "no fix yet"}.`,
      )
    else entries.push(checked)
  })
  return { entries, problems }
}

const show = (v: unknown): string =>
  v instanceof Date
    ? v.toISOString().slice(0, 10)
    : typeof v === 'string' || typeof v === 'number'
      ? String(v)
      : JSON.stringify(v)

/** A YAML `until`: undefined when absent, false when not a date. YAML may read it as a Date. */
function yamlUntil(v: unknown): string | undefined | false {
  if (v === undefined || v === null) return undefined
  const until = show(v)
  return validDate(until) ? until : false
}

/** A YAML `package`: undefined when absent, false when not a name. */
function yamlPackage(v: unknown): string | undefined | false {
  if (v === undefined || v === null) return undefined
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : false
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** One YAML item of an ignore file as an entry, or what is wrong with it. */
function yamlEntry(item: unknown, source: string): IgnoreEntry | string {
  if (!isMapping(item)) return 'not a mapping'
  const rec = item
  const unknown = Object.keys(rec).filter((k) => !['id', 'until', 'package', 'reason'].includes(k))
  if (unknown.length > 0) return `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`
  const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id).trim() : ''
  if (!ID.test(id)) return id === '' ? "missing 'id'" : `${excerpt(id, 40)} is not a vulnerability ID`
  const entry: IgnoreEntry = {
    id,
    reason: typeof rec.reason === 'string' ? rec.reason.trim() : '',
    source,
  }
  const until = yamlUntil(rec.until)
  if (until === false) return `until ${excerpt(show(rec.until), 40)} is not a date YYYY-MM-DD`
  if (until !== undefined) entry.until = until
  const pkg = yamlPackage(rec.package)
  if (pkg === false) return "'package' must be a package name"
  if (pkg !== undefined) entry.package = pkg
  return entry
}

export type Disposition =
  /** Counts toward the verdict (and is in the SARIF). */
  | 'counted'
  /** Suppressed by an ignore entry (in the SARIF as a suppressed result). */
  | 'ignored'
  /** Dropped by only-fixable. */
  | 'not-fixable'
  /** Enhanced finding SUPPRESSED or CLOSED in Inspector (see isCountedStatus). */
  | 'inactive'

export interface Evaluated {
  finding: Finding
  disposition: Disposition
  /** Index into policy.ignore of the entry that ignored it. */
  ignoredBy?: number
  /** Counted and at or above the threshold. */
  blocking: boolean
}

export type Counts = Record<Severity, number>

export interface Verdict {
  results: Evaluated[]
  counts: Counts
  ignoredCounts: Counts
  total: number
  ignored: number
  blocking: number
  highest: Severity | 'NONE'
  failed: boolean
  /** Entries past their `until`: they ignore nothing and deserve a warning. */
  expired: IgnoreEntry[]
  /** Live entries that matched no finding. */
  unused: IgnoreEntry[]
  /** Findings matched per entry (same order as policy.ignore). */
  matches: number[]
  /**
   * Counted findings whose fix state is unknown although only-fixable is on (fail closed), by scan
   * type: basic scanning never says; an enhanced finding may lack `fixAvailable`.
   */
  fixUnknown: number
  fixUnknownBasic: number
  fixUnknownEnhanced: number
}

export function zeroCounts(): Counts {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 }
}

export function isExpired(e: IgnoreEntry, today: string): boolean {
  return e.until !== undefined && e.until < today
}

/** Does a counted finding at `s` fail the gate at `threshold`? */
export function blocks(s: Severity, threshold: Threshold): boolean {
  return atOrAbove(s, threshold)
}

/** The live ignore entries by lower-cased ID (indexes into policy.ignore). */
type IgnoreIndex = Map<string, number[]>

function ignoreIndex(policy: Policy, today: string): IgnoreIndex {
  const byId: IgnoreIndex = new Map()
  policy.ignore.forEach((e, i) => {
    if (isExpired(e, today)) return
    const k = e.id.toLowerCase()
    const list = byId.get(k)
    if (list) list.push(i)
    else byId.set(k, [i])
  })
  return byId
}

/** The entry that ignores `f`: same ID, and no `package=` or one naming any of its packages. */
function ignoringEntry(f: Finding, policy: Policy, index: IgnoreIndex): number | undefined {
  const candidates = index.get(f.id.toLowerCase())
  if (!candidates) return undefined
  return candidates.find((i) => {
    const p = policy.ignore[i]?.package?.toLowerCase()
    return p === undefined || f.packages.some((k) => k.name.toLowerCase() === p)
  })
}

/** What becomes of one finding under the policy (blocking: counted and at or above the threshold). */
function dispose(f: Finding, policy: Policy, index: IgnoreIndex): Evaluated {
  if (!isCountedStatus(f.status)) return { finding: f, disposition: 'inactive', blocking: false }
  const by = ignoringEntry(f, policy, index)
  if (by !== undefined) return { finding: f, disposition: 'ignored', ignoredBy: by, blocking: false }
  if (policy.onlyFixable && f.fixAvailable !== '' && f.fixAvailable !== 'YES' && f.fixAvailable !== 'PARTIAL')
    return { finding: f, disposition: 'not-fixable', blocking: false }
  return { finding: f, disposition: 'counted', blocking: blocks(f.severity, policy.threshold) }
}

/**
 * How many findings block, and the first of them (for the log), without building a verdict: the
 * wait loop asks this after every complete read, to fail as soon as a blocking finding is seen.
 */
export function blockingIn(
  findings: readonly Finding[],
  policy: Policy,
  today: string,
): { count: number; first?: Finding } {
  const index = ignoreIndex(policy, today)
  let count = 0
  let first: Finding | undefined
  for (const f of findings) {
    if (!dispose(f, policy, index).blocking) continue
    count += 1
    if (first === undefined || severityRank(f.severity) > severityRank(first.severity)) first = f
  }
  return first ? { count, first } : { count }
}

/** The verdict. `today` is YYYY-MM-DD (UTC). */
export function evaluate(findings: readonly Finding[], policy: Policy, today: string): Verdict {
  const index = ignoreIndex(policy, today)
  const matches = policy.ignore.map(() => 0)
  const counts = zeroCounts()
  const ignoredCounts = zeroCounts()
  const results: Evaluated[] = new Array<Evaluated>(findings.length)
  const tally = { total: 0, ignored: 0, blocking: 0, basic: 0, enhanced: 0, highestRank: -1 }
  for (let n = 0; n < findings.length; n++) {
    const f = findings[n] as Finding
    const r = dispose(f, policy, index)
    results[n] = r
    if (r.disposition === 'ignored') {
      const by = r.ignoredBy as number
      matches[by] = (matches[by] ?? 0) + 1
      ignoredCounts[f.severity] += 1
      tally.ignored += 1
    } else if (r.disposition === 'counted') {
      counts[f.severity] += 1
      tally.total += 1
      tally.highestRank = Math.max(tally.highestRank, severityRank(f.severity))
      if (r.blocking) tally.blocking += 1
      if (policy.onlyFixable && f.fixAvailable === '') tally[f.source] += 1
    }
  }
  return {
    results,
    counts,
    ignoredCounts,
    total: tally.total,
    ignored: tally.ignored,
    blocking: tally.blocking,
    highest: tally.highestRank < 0 ? 'NONE' : severityOfRank(tally.highestRank),
    failed: tally.blocking > 0,
    expired: policy.ignore.filter((e) => isExpired(e, today)),
    unused: policy.ignore.filter((e, i) => !isExpired(e, today) && matches[i] === 0),
    matches,
    fixUnknown: tally.basic + tally.enhanced,
    fixUnknownBasic: tally.basic,
    fixUnknownEnhanced: tally.enhanced,
  }
}
