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
  /**
   * Enhanced: Inspector's status upper-cased (ACTIVE / SUPPRESSED / CLOSED, or whatever it says,
   * '' when missing). Basic findings are always ACTIVE. See isCountedStatus.
   */
  status: string
  /** The first vulnerable package (what the summary's row shows); `packages` holds all of them. */
  package: string
  version: string
  /** Fixed version of the first package, '' when none is known. */
  fixedIn: string
  /** Every vulnerable package of the finding (at least one entry; name '' when the scanner names none). */
  packages: PackageRef[]
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

export interface PackageRef {
  name: string
  version: string
  /** '' when none is known. */
  fixedIn: string
}

/**
 * Does a finding with this (enhanced) status count? Only SUPPRESSED and CLOSED are set aside
 * (case-insensitive); a missing, empty or unknown status counts: when in doubt, count.
 */
export function isCountedStatus(status: string): boolean {
  const s = status.trim().toUpperCase()
  return s !== 'SUPPRESSED' && s !== 'CLOSED'
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

/** Returns one shared copy of equal strings (see interner). */
export type Intern = (s: string) => string

const same: Intern = (s) => s

/**
 * An interner for one read pass: the same package names, versions, severities, URLs and titles recur
 * across thousands of findings; one copy of each keeps 50,000 findings small (npm run bench).
 */
export function interner(limit = 200_000): Intern {
  const seen = new Map<string, string>()
  return (s) => {
    if (s.length > 200) return s
    const hit = seen.get(s)
    if (hit !== undefined) return hit
    if (seen.size < limit) seen.set(s, s)
    return s
  }
}

export function fromBasic(f: ImageScanFinding, image: ImageRef, intern: Intern = same): Finding {
  const attrs = new Map<string, string>()
  for (const a of f.attributes ?? [])
    if (a.key !== undefined && a.value !== undefined) attrs.set(a.key, a.value)
  const id = intern(f.name ?? 'UNKNOWN')
  const pkg = intern(attrs.get('package_name') ?? '')
  const version = intern(attrs.get('package_version') ?? '')
  const score = num(attrs.get('CVSS3_SCORE')) ?? num(attrs.get('CVSS2_SCORE'))
  const finding: Finding = {
    key: `${id}|${pkg}|${version}`,
    id,
    source: 'basic',
    severity: normaliseSeverity(f.severity),
    rawSeverity: intern(f.severity ?? ''),
    status: 'ACTIVE',
    package: pkg,
    version,
    fixedIn: '',
    packages: [{ name: pkg, version, fixedIn: '' }],
    fixAvailable: '',
    exploitAvailable: '',
    title: id,
    description: f.description ?? '',
    url: intern(f.uri ?? ''),
    imageDigest: image.imageDigest,
    platform: image.platform,
  }
  if (score !== undefined) finding.score = score
  return finding
}

/**
 * An enhanced finding: one per `findingArn`, as ECR and Inspector count them. Inspector lists several
 * vulnerable packages in one finding at times: all are kept in `packages` (the report lists them,
 * an ignore entry's `package=` matches any of them); the first is the one the summary shows.
 */
export function fromEnhanced(f: EnhancedImageScanFinding, image: ImageRef, intern: Intern = same): Finding {
  const d = f.packageVulnerabilityDetails
  const id = intern(d?.vulnerabilityId ?? f.title ?? 'UNKNOWN')
  const packages = enhancedPackages(d?.vulnerablePackages, intern)
  const first = packages[0] as PackageRef
  const upper = (v: string | undefined): string => intern((v ?? '').trim().toUpperCase())
  const finding: Finding = {
    key: f.findingArn ?? `${id}|${packages.map((p) => `${p.name}|${p.version}`).join('|')}`,
    id,
    source: 'enhanced',
    severity: normaliseSeverity(f.severity),
    rawSeverity: intern(f.severity ?? ''),
    status: upper(f.status),
    package: first.name,
    version: first.version,
    fixedIn: first.fixedIn,
    packages,
    fixAvailable: upper(f.fixAvailable),
    exploitAvailable: upper(f.exploitAvailable),
    title: intern(f.title ?? id),
    description: f.description ?? '',
    url: intern(enhancedUrl(f)),
    imageDigest: image.imageDigest,
    platform: image.platform,
  }
  const score = f.score ?? d?.cvss?.find((c) => c.baseScore !== undefined)?.baseScore
  if (score !== undefined) finding.score = score
  return finding
}

type VulnerablePackages = NonNullable<
  EnhancedImageScanFinding['packageVulnerabilityDetails']
>['vulnerablePackages']

/** Every vulnerable package of an enhanced finding (at least one, possibly unnamed). */
function enhancedPackages(list: VulnerablePackages, intern: Intern): PackageRef[] {
  const packages: PackageRef[] = (list ?? []).map((p) => ({
    name: intern(p.name ?? ''),
    version: intern(p.version ?? ''),
    fixedIn: intern(p.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? p.fixedInVersion : ''),
  }))
  if (packages.length === 0) packages.push({ name: '', version: '', fixedIn: '' })
  return packages
}

/** The advisory link: the source, else the remediation, else the first reference. */
function enhancedUrl(f: EnhancedImageScanFinding): string {
  const d = f.packageVulnerabilityDetails
  return d?.sourceUrl ?? f.remediation?.recommendation?.url ?? d?.referenceUrls?.[0] ?? ''
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
 * depends on, so a finding whose severity, status, fix state or packages change counts as a change
 * (`package=` ignore entries match packages). Built
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
    for (const p of f.packages) {
      fnv(p.name, h)
      fnv(p.version, h)
    }
    s1 = (s1 + (h[0] >>> 0)) >>> 0
    s2 = (s2 + (h[1] >>> 0)) >>> 0
    x1 = (x1 ^ Math.imul(h[0] ^ (h[1] >>> 7), 0x9e3779b1)) >>> 0
  }
  const hex = (n: number): string => n.toString(16).padStart(8, '0')
  return `${findings.length}:${hex(s1)}${hex(s2)}${hex(x1)}`
}
