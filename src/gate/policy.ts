/**
 * The gate's policy: ignore entries (parsed before any network call) and the verdict over a finding
 * set. Pure: no I/O; `today` is passed in.
 */
import { atOrAbove, severityOfRank, severityRank, type Severity, type Threshold } from '../severity.js'
import type { Finding } from './findings.js'

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
  if (!ID.test(id)) return bad(`'${id}' is not a vulnerability ID`)
  const entry: IgnoreEntry = { id, reason, source: where }
  for (const word of rest) {
    const kv = /^(until|package)=(.+)$/.exec(word)
    if (!kv) return bad(`unexpected '${word}'`)
    if (kv[1] === 'until') {
      if (!validDate(kv[2] ?? '')) return bad(`'${kv[2] ?? ''}' is not a date YYYY-MM-DD`)
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
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err)
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
    const bad = (what: string): void => {
      problems.push(
        `Invalid input '${input}' (${where}): ${what}. Expected {id: CVE-2024-1234, until: 2025-06-30, package: openssl, reason: "no fix yet"}.`,
      )
    }
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return bad('not a mapping')
    const rec = item as Record<string, unknown>
    const unknown = Object.keys(rec).filter((k) => !['id', 'until', 'package', 'reason'].includes(k))
    if (unknown.length > 0) return bad(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`)
    const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id).trim() : ''
    if (!ID.test(id)) return bad(id === '' ? "missing 'id'" : `'${id}' is not a vulnerability ID`)
    const entry: IgnoreEntry = {
      id,
      reason: typeof rec.reason === 'string' ? rec.reason.trim() : '',
      source: `${input} ${where}`,
    }
    if (rec.until !== undefined && rec.until !== null) {
      // YAML reads an unquoted 2025-06-30 as a string with the core schema; accept Date too.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- until issue 8 lands
      const until = rec.until instanceof Date ? rec.until.toISOString().slice(0, 10) : String(rec.until)
      if (!validDate(until)) return bad(`until '${until}' is not a date YYYY-MM-DD`)
      entry.until = until
    }
    if (rec.package !== undefined && rec.package !== null) {
      if (typeof rec.package !== 'string' || rec.package.trim() === '')
        return bad("'package' must be a package name")
      entry.package = rec.package.trim()
    }
    entries.push(entry)
  })
  return { entries, problems }
}

export type Disposition =
  /** Counts toward the verdict (and is in the SARIF). */
  | 'counted'
  /** Suppressed by an ignore entry. */
  | 'ignored'
  /** Dropped by only-fixable. */
  | 'not-fixable'
  /** Enhanced finding whose status is not ACTIVE (SUPPRESSED, CLOSED). */
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
  /** Basic findings say nothing of fixes: only-fixable counts them anyway (fail closed). */
  fixUnknown: number
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

/** The verdict. `today` is YYYY-MM-DD (UTC). */
export function evaluate(findings: readonly Finding[], policy: Policy, today: string): Verdict {
  const byId = new Map<string, number[]>()
  policy.ignore.forEach((e, i) => {
    if (isExpired(e, today)) return
    const k = e.id.toLowerCase()
    const list = byId.get(k)
    if (list) list.push(i)
    else byId.set(k, [i])
  })
  const matches = policy.ignore.map(() => 0)
  const counts = zeroCounts()
  const ignoredCounts = zeroCounts()
  const results: Evaluated[] = new Array<Evaluated>(findings.length)
  let total = 0
  let ignored = 0
  let blocking = 0
  let fixUnknown = 0
  let highestRank = -1
  for (let n = 0; n < findings.length; n++) {
    const f = findings[n] as Finding
    if (f.status !== 'ACTIVE') {
      results[n] = { finding: f, disposition: 'inactive', blocking: false }
      continue
    }
    const candidates = byId.get(f.id.toLowerCase())
    let by: number | undefined
    if (candidates) {
      const pkg = f.package.toLowerCase()
      by = candidates.find((i) => {
        const p = policy.ignore[i]?.package
        return p === undefined || p.toLowerCase() === pkg
      })
    }
    if (by !== undefined) {
      matches[by] = (matches[by] ?? 0) + 1
      ignoredCounts[f.severity] += 1
      ignored += 1
      results[n] = { finding: f, disposition: 'ignored', ignoredBy: by, blocking: false }
      continue
    }
    if (policy.onlyFixable) {
      if (f.fixAvailable === '') fixUnknown += 1
      else if (f.fixAvailable !== 'YES' && f.fixAvailable !== 'PARTIAL') {
        results[n] = { finding: f, disposition: 'not-fixable', blocking: false }
        continue
      }
    }
    counts[f.severity] += 1
    total += 1
    const rank = severityRank(f.severity)
    if (rank > highestRank) highestRank = rank
    const b = blocks(f.severity, policy.threshold)
    if (b) blocking += 1
    results[n] = { finding: f, disposition: 'counted', blocking: b }
  }
  const highest = highestRank < 0 ? 'NONE' : severityOfRank(highestRank)
  return {
    results,
    counts,
    ignoredCounts,
    total,
    ignored,
    blocking,
    highest,
    failed: blocking > 0,
    expired: policy.ignore.filter((e) => isExpired(e, today)),
    unused: policy.ignore.filter((e, i) => !isExpired(e, today) && matches[i] === 0),
    matches,
    fixUnknown,
  }
}
