/**
 * One finding type for both scanners: ECR basic scanning (`findings[]`) and enhanced scanning by
 * Amazon Inspector (`enhancedFindings[]`) are normalised here. Pure: no I/O.
 */
import type { EnhancedImageScanFinding, ImageScanFinding } from '@aws-sdk/client-ecr'
import { normaliseSeverity, type Severity } from '../severity.js'

export type { Severity }

export interface Finding {
  /** Stable identity inside one image: findingArn, else name|package|version. */
  key: string
  /** CVE / GHSA / ALAS id. */
  id: string
  source: 'basic' | 'enhanced'
  /** Normalised: one of ECR's six; anything else (UNTRIAGED, new values) is UNDEFINED. */
  severity: Severity
  /** As the scanner said it. */
  rawSeverity: string
  /** Enhanced: ACTIVE / SUPPRESSED / CLOSED. Basic findings are always ACTIVE. */
  status: string
  package: string
  version: string
  /** Fixed version, '' when none is known. */
  fixedIn: string
  score?: number
  /** YES / NO / PARTIAL, or '' when the scanner does not say (basic). */
  fixAvailable: string
  /** YES / NO, or ''. */
  exploitAvailable: string
  title: string
  description: string
  url: string
  /** Digest of the platform image the finding belongs to. */
  imageDigest: string
  /** `linux/amd64`, or '' for a single-platform image. */
  platform: string
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

export interface ImageRef {
  imageDigest: string
  platform: string
}

export function fromBasic(f: ImageScanFinding, image: ImageRef): Finding {
  const attrs = new Map<string, string>()
  for (const a of f.attributes ?? [])
    if (a.key !== undefined && a.value !== undefined) attrs.set(a.key, a.value)
  const id = f.name ?? 'UNKNOWN'
  const pkg = attrs.get('package_name') ?? ''
  const version = attrs.get('package_version') ?? ''
  const score = num(attrs.get('CVSS3_SCORE')) ?? num(attrs.get('CVSS2_SCORE'))
  const finding: Finding = {
    key: `${id}|${pkg}|${version}`,
    id,
    source: 'basic',
    severity: normaliseSeverity(f.severity),
    rawSeverity: f.severity ?? '',
    status: 'ACTIVE',
    package: pkg,
    version,
    fixedIn: '',
    fixAvailable: '',
    exploitAvailable: '',
    title: id,
    description: f.description ?? '',
    url: f.uri ?? '',
    imageDigest: image.imageDigest,
    platform: image.platform,
  }
  if (score !== undefined) finding.score = score
  return finding
}

/**
 * An enhanced finding; one per vulnerable package (Inspector lists several packages in one finding
 * at times: each is a finding of its own here, so that ignore `package=` and SARIF results work).
 */
export function fromEnhanced(f: EnhancedImageScanFinding, image: ImageRef): Finding[] {
  const d = f.packageVulnerabilityDetails
  const id = d?.vulnerabilityId ?? f.title ?? 'UNKNOWN'
  const packages = d?.vulnerablePackages?.length ? d.vulnerablePackages : [{}]
  const score = f.score ?? d?.cvss?.find((c) => c.baseScore !== undefined)?.baseScore
  const url = d?.sourceUrl ?? f.remediation?.recommendation?.url ?? d?.referenceUrls?.[0] ?? ''
  return packages.map((p, i) => {
    const pkg = p.name ?? ''
    const version = p.version ?? ''
    const fixed = p.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? p.fixedInVersion : ''
    const base = f.findingArn ?? `${id}|${pkg}|${version}`
    const finding: Finding = {
      key: packages.length > 1 || !f.findingArn ? `${base}|${pkg}|${version}|${i}` : base,
      id,
      source: 'enhanced',
      severity: normaliseSeverity(f.severity),
      rawSeverity: f.severity ?? '',
      status: (f.status ?? 'ACTIVE').toUpperCase(),
      package: pkg,
      version,
      fixedIn: fixed,
      fixAvailable: (f.fixAvailable ?? '').toUpperCase(),
      exploitAvailable: (f.exploitAvailable ?? '').toUpperCase(),
      title: f.title ?? id,
      description: f.description ?? '',
      url,
      imageDigest: image.imageDigest,
      platform: image.platform,
    }
    if (score !== undefined) finding.score = score
    return finding
  })
}

/** Two 32-bit FNV-1a lanes over one string, folded into the running lanes (no allocation). */
function fnv(text: string, h: [number, number]): void {
  let a = h[0]
  let b = h[1]
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 16777619)
    b = Math.imul(b ^ c, 2246822519) ^ (b >>> 15)
  }
  a = Math.imul(a ^ 0x1f, 16777619)
  b = Math.imul(b ^ 0x1f, 2246822519)
  h[0] = a
  h[1] = b
}

/**
 * A fingerprint of a finding set: what must stay the same over the settle window. Order does not
 * matter (each finding is hashed alone and the hashes are summed); it covers the fields a decision
 * depends on, so a finding whose severity, status or fix state changes counts as a change. Built
 * without sorting or joining, for 50,000 findings.
 */
export function fingerprint(findings: readonly Finding[]): string {
  let s1 = 0
  let s2 = 0
  let x1 = 0
  const h: [number, number] = [0, 0]
  for (const f of findings) {
    h[0] = 0x811c9dc5
    h[1] = 0x01000193
    fnv(f.imageDigest, h)
    fnv(f.key, h)
    fnv(f.severity, h)
    fnv(f.status, h)
    fnv(f.fixAvailable, h)
    s1 = (s1 + (h[0] >>> 0)) >>> 0
    s2 = (s2 + (h[1] >>> 0)) >>> 0
    x1 = (x1 ^ Math.imul(h[0] ^ (h[1] >>> 7), 0x9e3779b1)) >>> 0
  }
  const hex = (n: number): string => n.toString(16).padStart(8, '0')
  return `${findings.length}:${hex(s1)}${hex(s2)}${hex(x1)}`
}
