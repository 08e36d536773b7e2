/**
 * SARIF 2.1.0 that agrees with the gate, in the form github/codeql-action/upload-sarif accepts: a
 * rule per vulnerability (help as text and as markdown with the fix: the fixed version of each
 * package, the advisory; a link; `properties.security-severity`), a result per vulnerability and
 * set of packages (the platforms of an index merged), located at the `dockerfile` input with the
 * image as logical location. Counted findings are results; findings an ignore entry set aside are
 * results with a SARIF `suppressions` entry carrying the entry's reason (suppressed, not alerting,
 * in SARIF's terms); inactive (SUPPRESSED/CLOSED in Inspector) and only-fixable drops are left out.
 *
 * No `automationDetails`: upload-sarif fills `runs[].automationDetails.id` from its `category`
 * input only for a run that has none (codeql-action src/upload-lib.ts,
 * populateRunAutomationDetails), so leaving it out is what lets the upload step's `category`
 * decide, as it does for the other scanners users upload. Pure.
 */
import { link, safeUrl } from '../markdown.js'
import { mdCode, mdText } from '../neutralise.js'
import { severityRank, type Severity } from '../severity.js'
import type { Finding, PackageRef } from './findings.js'
import type { Evaluated, IgnoreEntry, Verdict } from './policy.js'

export interface SarifContext {
  /** Digest-pinned image reference. */
  imageRef: string
  /** The `dockerfile` input: the repository-relative file the results point at. */
  artifactUri: string
  toolVersion: string
  /** The policy's ignore entries, for the suppressions' justification. */
  ignore?: readonly IgnoreEntry[]
}

/**
 * Code scanning's bands for `security-severity`: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
 * 3.9 or less low. [lowest, highest, default]. INFORMATIONAL and UNDEFINED have no band of their
 * own: they take valid values at the bottom of the low band (never 0.0).
 */
const BANDS: Record<Severity, [number, number, number]> = {
  CRITICAL: [9.1, 10.0, 9.5],
  HIGH: [7.0, 8.9, 8.0],
  MEDIUM: [4.0, 6.9, 5.5],
  LOW: [0.1, 3.9, 2.0],
  INFORMATIONAL: [0.1, 1.0, 0.5],
  UNDEFINED: [0.1, 1.0, 0.5],
}

/** The score within the band of the gate's severity (clamped to it), or the band's default. */
export function securitySeverity(severity: Severity, score: number | undefined): string {
  const [lo, hi, dflt] = BANDS[severity]
  const s = score === undefined || !Number.isFinite(score) ? dflt : Math.min(hi, Math.max(lo, score))
  return s.toFixed(1)
}

function level(s: Severity): 'error' | 'warning' | 'note' {
  if (s === 'CRITICAL' || s === 'HIGH') return 'error'
  if (s === 'MEDIUM') return 'warning'
  return 'note'
}

export function vulnUrl(f: Finding): string {
  if (f.url) return f.url
  if (/^CVE-\d+-\d+$/i.test(f.id)) return `https://nvd.nist.gov/vuln/detail/${f.id.toUpperCase()}`
  if (/^GHSA-/i.test(f.id)) return `https://github.com/advisories/${f.id}`
  return ''
}

const ruleId = (id: string): string => id.replace(/\s+/g, '_')

/** One rule: a vulnerability, at the highest severity the gate counted for it (and that score). */
interface Rule {
  index: number
  finding: Finding
  severity: Severity
  score: number | undefined
  /** Whether any of its findings was counted (else only ignored ones: their highest severity). */
  counted: boolean
  /** The packages it was found in (the first MAX_HELP_PACKAGES + 1), for the fix in its help. */
  packages: PackageRef[]
}

/** Packages named in a rule's help; more are counted, not listed. */
const MAX_HELP_PACKAGES = 10

/** One result: a vulnerability in one set of packages, with the platforms it was found on. */
interface Result {
  finding: Finding
  platforms: string[]
  ignoredBy?: number
}

function noteRule(rules: Map<string, Rule>, e: Evaluated): Rule {
  const f = e.finding
  const counted = e.disposition === 'counted'
  let r = rules.get(f.id)
  if (!r) {
    r = { index: rules.size, finding: f, severity: f.severity, score: f.score, counted, packages: [] }
    rules.set(f.id, r)
  }
  notePackages(r, f)
  if (r.finding === f) return r
  if (counted && !r.counted) Object.assign(r, { finding: f, severity: f.severity, score: f.score, counted })
  else if (counted === r.counted) {
    const d = severityRank(f.severity) - severityRank(r.severity)
    if (d > 0 || (d === 0 && (f.score ?? -1) > (r.score ?? -1)))
      Object.assign(r, { finding: f, severity: f.severity, score: f.score })
  }
  return r
}

/** The packages of `f` not yet in the rule's list (a package's fixed version, once one is known). */
function notePackages(r: Rule, f: Finding): void {
  for (const p of f.packages) {
    if (p.name === '') continue
    const known = r.packages.find((k) => k.name === p.name && k.version === p.version)
    if (known) {
      if (!known.fixedIn && p.fixedIn) known.fixedIn = p.fixedIn
    } else if (r.packages.length <= MAX_HELP_PACKAGES) r.packages.push({ ...p })
  }
}

/** Rules and results of the counted and ignored findings, in the order first seen. */
function collect(verdict: Verdict): { rules: Map<string, Rule>; results: Map<string, Result> } {
  const rules = new Map<string, Rule>()
  const results = new Map<string, Result>()
  for (const e of verdict.results) {
    if (e.disposition !== 'counted' && e.disposition !== 'ignored') continue
    const f = e.finding
    noteRule(rules, e)
    const pkgs = f.packages.map((p) => `${p.name}\u0000${p.version}`).join('\u0001')
    const key = `${e.disposition}\u0002${f.id}\u0002${pkgs}`
    let r = results.get(key)
    if (!r) {
      r = { finding: f, platforms: [] }
      if (e.ignoredBy !== undefined) r.ignoredBy = e.ignoredBy
      results.set(key, r)
    } else if (severityRank(f.severity) > severityRank(r.finding.severity)) r.finding = f
    if (f.platform && !r.platforms.includes(f.platform)) r.platforms.push(f.platform)
  }
  return { rules, results }
}

/** What to do about a rule's vulnerability, a line each: the fixed version of each package. */
function fixLines(r: Rule): { text: string[]; markdown: string[] } {
  const shown = r.packages.slice(0, MAX_HELP_PACKAGES)
  const text: string[] = []
  const markdown: string[] = []
  for (const p of shown) {
    const installed = p.version ? ` ${p.version}` : ''
    if (p.fixedIn) {
      text.push(`Upgrade ${p.name}${installed} to ${p.fixedIn} or later.`)
      markdown.push(
        `- Upgrade ${mdCode(p.name)}${p.version ? ` ${mdCode(p.version)}` : ''} to ${mdCode(p.fixedIn)} or later.`,
      )
    } else {
      text.push(`${p.name}${installed}: no fixed version is known yet.`)
      markdown.push(
        `- ${mdCode(p.name)}${p.version ? ` ${mdCode(p.version)}` : ''}: no fixed version is known yet.`,
      )
    }
  }
  if (r.packages.length > MAX_HELP_PACKAGES) {
    text.push('More packages: see the report file.')
    markdown.push('- More packages: see the report file.')
  }
  return { text, markdown }
}

const REBUILD = 'Rebuild the image from the fixed Dockerfile (or a newer base image) and push it again.'
const NO_FIX =
  'Without a fixed version: remove the package, or accept the risk for a while with an `ignore` entry (`ID until=YYYY-MM-DD package=NAME # reason`).'

/** help.markdown: the vulnerability, what fixes it, the advisory. Scanner text neutralised. */
function helpMarkdown(r: Rule, about: string, url: string, fix: string[]): string {
  const f = r.finding
  const score = r.score !== undefined ? `, CVSS ${r.score.toFixed(1)}` : ''
  const anyFix = r.packages.some((p) => p.fixedIn)
  const lines = [`**${mdText(f.id)}** (${r.severity}${score})`, '', mdText(about), '', '**Fix**', '']
  lines.push(...(fix.length > 0 ? fix : ['- No package is named by the scanner.']), '')
  lines.push(anyFix ? REBUILD : NO_FIX)
  if (url) lines.push('', `Advisory: ${link(mdText(new URL(url).host), url)}`)
  return lines.join('\n')
}

function ruleJson(r: Rule): string {
  const f = r.finding
  const url = safeUrl(vulnUrl(f))
  const about = (f.description || f.title || f.id).slice(0, 600)
  const fix = fixLines(r)
  const rule: Record<string, unknown> = {
    id: ruleId(f.id),
    name: ruleId(f.id),
    shortDescription: { text: `${f.id} (${r.severity})` },
    fullDescription: { text: about },
    help: {
      text: [about, ...fix.text, url ? `More: ${url}` : ''].filter((t) => t !== '').join(' '),
      markdown: helpMarkdown(r, about, url, fix.markdown),
    },
    defaultConfiguration: { level: level(r.severity) },
    properties: {
      'security-severity': securitySeverity(r.severity, r.score),
      tags: ['security', 'vulnerability', 'container', r.severity.toLowerCase()],
    },
  }
  if (url) rule.helpUri = url
  return JSON.stringify(rule)
}

function resultJson(r: Result, rule: Rule, ctx: SarifContext, artifact: string): string {
  const f = r.finding
  const q = JSON.stringify
  const where = r.platforms.length > 0 ? ` (${[...r.platforms].sort().join(', ')})` : ''
  const named = f.packages.filter((p) => p.name !== '')
  const pkg = named.length > 0 ? named.map((p) => `${p.name} ${p.version}`.trim()).join(', ') : 'the image'
  const fix = f.fixedIn ? `; fixed in ${f.fixedIn}` : ''
  const props =
    `{"package":${q(f.package)},"installedVersion":${q(f.version)},"fixedVersion":${q(f.fixedIn)},"packages":${q(f.packages)},"severity":"${f.severity}"` +
    (f.score !== undefined ? `,"score":${f.score}` : '') +
    (f.fixAvailable ? `,"fixAvailable":${q(f.fixAvailable)}` : '') +
    (f.exploitAvailable ? `,"exploitAvailable":${q(f.exploitAvailable)}` : '') +
    '}'
  let suppressions = ''
  if (r.ignoredBy !== undefined) {
    const e = ctx.ignore?.[r.ignoredBy]
    const why = e ? e.reason || `ignored by ${e.source}` : 'ignored by an ignore entry'
    const until = e?.until ? ` (until ${e.until})` : ''
    suppressions = `,"suppressions":[{"kind":"external","status":"accepted","justification":${q(`${why}${until}`)}}]`
  }
  return (
    `{"ruleId":${q(ruleId(f.id))},"ruleIndex":${rule.index},"level":"${level(f.severity)}",` +
    `"message":${q({ text: `${f.id} (${f.severity}) in ${pkg}${fix}${where}` })},` +
    `"locations":[{"physicalLocation":{"artifactLocation":${artifact},"region":{"startLine":1}},` +
    `"logicalLocations":[{"index":0}]}],` +
    `"partialFingerprints":${q({ 'ecrFinding/v1': `${f.id}:${f.package}:${f.version}` })},` +
    `"properties":${props}${suppressions}}`
  )
}

/**
 * The SARIF document as JSON text. Built piece by piece (a result a line) so that 50,000 findings do
 * not need one giant object tree next to the text.
 */
export function buildSarif(verdict: Verdict, ctx: SarifContext): string {
  return [...sarifChunks(verdict, ctx)].join('')
}

/** The SARIF text in chunks (a rule or a result each), for writing without holding it whole. */
export function* sarifChunks(verdict: Verdict, ctx: SarifContext): Generator<string> {
  const { rules, results } = collect(verdict)
  const driver = {
    name: 'ecr-supply-chain',
    informationUri: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html',
    version: ctx.toolVersion,
  }
  yield `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver).slice(0, -1)},"rules":[\n`
  let i = 0
  for (const r of rules.values()) yield (i++ === 0 ? '' : ',\n') + ruleJson(r)
  // The image is the one logical location every result points at (by index 0).
  const logical = JSON.stringify([{ name: ctx.imageRef, fullyQualifiedName: ctx.imageRef, kind: 'module' }])
  yield `\n]}},"logicalLocations":${logical},"results":[\n`
  const artifact = JSON.stringify({ uri: ctx.artifactUri })
  let first = true
  for (const r of results.values()) {
    yield (first ? '' : ',\n') + resultJson(r, rules.get(r.finding.id) as Rule, ctx, artifact)
    first = false
  }
  yield '\n]}]}\n'
}
