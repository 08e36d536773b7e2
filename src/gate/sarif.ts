/**
 * SARIF 2.1.0 of exactly the counted findings (the gate and the SARIF never disagree), in the form
 * github/codeql-action/upload-sarif accepts: a rule per vulnerability with help text and link and
 * `properties.security-severity`, one result per vulnerability and package, located at the
 * Dockerfile with the image as logical location. Pure.
 */
import type { Finding, Severity } from './findings.js'
import type { Verdict } from './policy.js'

export interface SarifContext {
  /** Digest-pinned image reference. */
  imageRef: string
  /** Workspace-relative file the results point at. */
  artifactUri: string
  toolVersion: string
}

/** Code scanning's bands: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
const BANDS: Record<Severity, [number, number, number]> = {
  CRITICAL: [9.0, 10.0, 9.5],
  HIGH: [7.0, 8.9, 8.0],
  MEDIUM: [4.0, 6.9, 5.5],
  LOW: [0.1, 3.9, 2.0],
  INFORMATIONAL: [0.0, 0.0, 0.0],
  UNDEFINED: [0.0, 0.0, 0.0],
}

/** The CVSS score when it agrees with the gate's severity, else the middle of that severity's band. */
export function securitySeverity(severity: Severity, score: number | undefined): string {
  const [lo, hi, mid] = BANDS[severity]
  const s = score !== undefined && score >= lo && score <= hi + 0.05 ? score : mid
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

function ruleJson(f: Finding): string {
  const url = vulnUrl(f)
  const about = (f.description || f.title || f.id).slice(0, 600)
  const rule: Record<string, unknown> = {
    id: ruleId(f.id),
    name: ruleId(f.id),
    shortDescription: { text: `${f.id} (${f.severity})` },
    fullDescription: { text: about },
    help: { text: `${about}${url ? ` More: ${url}` : ''}` },
    defaultConfiguration: { level: level(f.severity) },
    properties: {
      'security-severity': securitySeverity(f.severity, f.score),
      tags: ['security', 'vulnerability', 'container', f.severity.toLowerCase()],
    },
  }
  if (url) rule.helpUri = url
  return JSON.stringify(rule)
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
  const rules = new Map<string, number>()
  const ruleFindings: Finding[] = []
  // One result per vulnerability and package; platforms of a multi-platform image are merged.
  const results = new Map<string, Finding>()
  const platformsOf = new Map<string, string[]>()
  for (const r of verdict.results) {
    if (r.disposition !== 'counted') continue
    const f = r.finding
    if (!rules.has(f.id)) {
      rules.set(f.id, ruleFindings.length)
      ruleFindings.push(f)
    }
    const key = `${f.id}\u0000${f.package}\u0000${f.version}`
    if (!results.has(key)) results.set(key, f)
    if (f.platform) {
      const list = platformsOf.get(key)
      if (!list) platformsOf.set(key, [f.platform])
      else if (!list.includes(f.platform)) list.push(f.platform)
    }
  }
  const artifact = JSON.stringify({ uri: ctx.artifactUri })
  const driver = {
    name: 'ecr-supply-chain',
    informationUri: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html',
    version: ctx.toolVersion,
  }
  yield `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver).slice(0, -1)},"rules":[\n`
  for (let i = 0; i < ruleFindings.length; i++)
    yield (i === 0 ? '' : ',\n') + ruleJson(ruleFindings[i] as Finding)
  const category = JSON.stringify({ id: `ecr-scan/${ctx.imageRef.replace(/@.*$/, '')}/` })
  // The image is the one logical location every result points at (by index 0).
  const logical = JSON.stringify([{ name: ctx.imageRef, fullyQualifiedName: ctx.imageRef, kind: 'module' }])
  yield `\n]}},"automationDetails":${category},"logicalLocations":${logical},"results":[\n`
  let first = true
  for (const [key, f] of results) {
    const platforms = platformsOf.get(key)
    const where = platforms ? ` (${platforms.sort().join(', ')})` : ''
    const pkg = f.package ? `${f.package} ${f.version}`.trim() : 'the image'
    const fix = f.fixedIn ? `; fixed in ${f.fixedIn}` : ''
    const q = JSON.stringify
    const props =
      `{"package":${q(f.package)},"installedVersion":${q(f.version)},"fixedVersion":${q(f.fixedIn)},"severity":"${f.severity}"` +
      (f.score !== undefined ? `,"score":${f.score}` : '') +
      (f.fixAvailable ? `,"fixAvailable":${q(f.fixAvailable)}` : '') +
      (f.exploitAvailable ? `,"exploitAvailable":${q(f.exploitAvailable)}` : '') +
      '}'
    yield (
      (first ? '' : ',\n') +
      `{"ruleId":${JSON.stringify(ruleId(f.id))},"ruleIndex":${rules.get(f.id) ?? 0},"level":"${level(f.severity)}",` +
      `"message":${JSON.stringify({ text: `${f.id} (${f.severity}) in ${pkg}${fix}${where}` })},` +
      `"locations":[{"physicalLocation":{"artifactLocation":${artifact},"region":{"startLine":1}},` +
      `"logicalLocations":[{"index":0}]}],` +
      `"partialFingerprints":${JSON.stringify({ 'ecrFinding/v1': `${f.id}:${f.package}:${f.version}` })},` +
      `"properties":${props}}`
    )
    first = false
  }
  yield '\n]}]}\n'
}
