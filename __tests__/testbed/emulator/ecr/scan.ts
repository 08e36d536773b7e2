/**
 * ECR image scanning: DescribeImageScanFindings (basic and enhanced shapes, pages of 1–1000, default
 * 100), StartImageScan, BatchGetRepositoryScanningConfiguration. The registry's scanning
 * configuration (Get/PutRegistryScanningConfiguration, its write log) is in `registry-scanning.ts`.
 *
 * Scenario state (set by tests):
 * - `emulator.state.ext.scan` = `{ registry?: {scanType, rules}, clock?: () => ms }`: the registry's
 *   scanning configuration (default BASIC, no rules) and the clock the scan timeline runs on
 *   (default Date.now; tests of the wait loop hand in their fake clock).
 * - `repo.ext.scan` = `{ scenario?, images?: {[digest]: scenario} }` (see ScanScenario): per
 *   repository, or per image digest (platform images of an index).
 * A scan starts when the scan API first sees the digest (scan on push, enhanced) or at StartImageScan
 * (basic, manual); a repository no enhanced rule covers is never scanned (ScanNotFound). Enhanced
 * scan on push scans what is pushed while the rule covers it: an image pushed before a
 * PutRegistryScanningConfiguration added its repository to a SCAN_ON_PUSH rule is never scanned
 * (continuous scanning picks up the images already there).
 */
import { AwsError } from '../errors.ts'
import { isIndexType } from '../registry-client.ts'
import type { RepositoryRecord } from '../types.ts'
import { decodeToken, encodeToken } from '../util.ts'
import { operation, paginate, type EcrContext, type EcrOperation } from './context.ts'
import {
  currentRegistryScanning,
  registryScanningAt,
  type ReadBarrier,
  type RegistryScanningWrite,
} from './registry-scanning.ts'

export interface ScanScenario {
  /** Seconds after the scan starts during which DescribeImageScanFindings answers ScanNotFound. */
  notFoundSeconds?: number
  /** Then seconds in PENDING (Infinity: stuck), then in IN_PROGRESS. */
  pendingSeconds?: number
  inProgressSeconds?: number
  /** The status after that: default COMPLETE (basic, enhanced on push) or ACTIVE (continuous). */
  status?: string
  description?: string
  /** Basic findings (ImageScanFinding shape); answered under BASIC. */
  findings?: Record<string, unknown>[]
  /** Enhanced findings (EnhancedImageScanFinding shape); answered under ENHANCED. */
  enhancedFindings?: Record<string, unknown>[]
  /** Findings that keep arriving once ready: from `afterSeconds` after ready, the first `count` are visible. */
  arrivals?: { afterSeconds: number; count: number }[]
  /** findingSeverityCounts to answer instead of the real counts (counts that disagree with the pages). */
  severityCounts?: Record<string, number>
  /**
   * Pagination as a misbehaving ECR answers it (maxResults as asked):
   * - `repeat-page`: the token of page 2 answers page 1 again (findings listed twice);
   * - `unlinked-last-page`: the page before the last carries no nextToken (the last page is never
   *   linked; findingSeverityCounts still counts every finding);
   * - `cycle`: the last page's nextToken leads back to page 1 (a client that trusts it never ends).
   */
  pagination?: 'repeat-page' | 'unlinked-last-page' | 'cycle'
}

export interface RegistryScanning {
  scanType: 'BASIC' | 'ENHANCED'
  rules: {
    scanFrequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL'
    repositoryFilters: { filter: string; filterType: 'WILDCARD' }[]
  }[]
}

export interface ScanGlobalState {
  registry?: RegistryScanning
  clock?: () => number
  /** The configuration before the first write, and every accepted write (registry-scanning.ts). */
  seed?: RegistryScanning
  writes?: RegistryScanningWrite[]
  readBarrier?: ReadBarrier
}

export interface RepoScanState {
  scenario?: ScanScenario
  images?: Record<string, ScanScenario>
  /** Scan start per digest (scan clock, ms). */
  started?: Record<string, number>
}

export function globalScan(ctx: { state: { ext: Record<string, unknown> } }): ScanGlobalState {
  const ext = ctx.state.ext
  ext.scan ??= {}
  return ext.scan as ScanGlobalState
}

export function repoScan(repo: RepositoryRecord): RepoScanState {
  repo.ext.scan ??= {}
  return repo.ext.scan as RepoScanState
}

/** Test helper: the registry scanning configuration. */
export function setRegistryScanning(
  emulator: { state: { ext: Record<string, unknown> } },
  config: RegistryScanning,
): void {
  const s = globalScan(emulator)
  s.registry = config
  delete s.seed
  delete s.writes
}

/** Test helper: the scenario of a repository (or of one digest in it). */
export function setScanScenario(repo: RepositoryRecord, scenario: ScanScenario, digest?: string): void {
  const s = repoScan(repo)
  if (digest) (s.images ??= {})[digest] = scenario
  else s.scenario = scenario
}

function wildcard(filter: string, name: string): boolean {
  const re = filter
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${re}$`).test(name)
}

type Coverage =
  | { type: 'BASIC'; onPush: boolean; filters: { filter: string; filterType: string }[] }
  | {
      type: 'ENHANCED'
      frequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | undefined
      filters: { filter: string; filterType: string }[]
    }

function coverage(
  ctx: EcrContext,
  repo: RepositoryRecord,
  registry: RegistryScanning = currentRegistryScanning(ctx),
): Coverage {
  const order = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL']
  const rules = [...registry.rules].sort(
    (a, b) => order.indexOf(a.scanFrequency) - order.indexOf(b.scanFrequency),
  )
  const rule = rules.find((r) => r.repositoryFilters.some((f) => wildcard(f.filter, repo.name)))
  const filters = rule ? rule.repositoryFilters.filter((f) => wildcard(f.filter, repo.name)) : []
  if (registry.scanType === 'ENHANCED') {
    const frequency =
      rule?.scanFrequency === 'CONTINUOUS_SCAN' || rule?.scanFrequency === 'SCAN_ON_PUSH'
        ? rule.scanFrequency
        : undefined
    return { type: 'ENHANCED', frequency, filters: frequency ? filters : [] }
  }
  const byRule = rule?.scanFrequency === 'SCAN_ON_PUSH'
  return { type: 'BASIC', onPush: byRule || repo.scanOnPush, filters: byRule ? filters : [] }
}

const now = (ctx: EcrContext): number => (globalScan(ctx).clock ?? Date.now)()

/**
 * Enhanced scan on push scans an image only if a rule covered its repository when it was pushed;
 * continuous scanning scans whatever it covers now.
 */
function scannedOnPush(
  ctx: EcrContext,
  repo: RepositoryRecord,
  digest: string,
  now: Extract<Coverage, { type: 'ENHANCED' }>,
): boolean {
  if (now.frequency !== 'SCAN_ON_PUSH') return true
  const pushedAt = ctx.state.imageFirstSeen.get(`${repo.account}/${repo.name}@${digest}`)
  if (!pushedAt) return true
  const then = coverage(ctx, repo, registryScanningAt(ctx, pushedAt))
  return then.type === 'ENHANCED' && then.frequency !== undefined
}

interface ImageIdInput {
  imageDigest?: string
  imageTag?: string
}

async function requireImage(
  ctx: EcrContext,
  repo: RepositoryRecord,
  id: ImageIdInput,
): Promise<{ digest: string; index: boolean }> {
  const ref = id.imageDigest ?? id.imageTag
  const manifest = ref && ctx.registry ? await ctx.registry.manifest(repo.name, ref) : undefined
  if (!manifest || (id.imageDigest !== undefined && manifest.digest !== id.imageDigest)) {
    throw new AwsError(
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
    )
  }
  return { digest: manifest.digest, index: isIndexType(manifest.mediaType) }
}

const SEVERITIES = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNDEFINED'])

function severityCounts(findings: Record<string, unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const f of findings) {
    const raw = String(f.severity ?? 'UNDEFINED').toUpperCase()
    const s = SEVERITIES.has(raw) ? raw : 'UNDEFINED'
    counts[s] = (counts[s] ?? 0) + 1
  }
  return counts
}

function scanNotFound(repo: RepositoryRecord, digest: string): AwsError {
  return new AwsError(
    'ScanNotFoundException',
    `Image scan does not exist for the image with '{imageDigest:'${digest}', imageTag:'null'}' in the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
  )
}

const DESCRIPTIONS: Record<string, string> = {
  COMPLETE: 'The scan was completed successfully.',
  ACTIVE: 'Continuous scan is selected for image.',
  PENDING: 'Pending start of the image scan',
  IN_PROGRESS: 'Scan in progress',
  FAILED: 'Scan failed',
  UNSUPPORTED_IMAGE: 'UnsupportedImageError: The operating system and/or package manager are not supported.',
  SCAN_ELIGIBILITY_EXPIRED: 'The scan eligibility of the image has expired.',
  FINDINGS_UNAVAILABLE: 'Findings are unavailable for the image.',
  LIMIT_EXCEEDED: 'The image scan limit was exceeded.',
  IMAGE_ARCHIVED: 'The image is archived.',
}

interface DescribeInput {
  repositoryName: string
  imageId: ImageIdInput
  maxResults?: number
  nextToken?: string
}

/** One page of findings, paginated as the scenario's (mis)behaving ECR would. */
function misbehave(
  how: ScanScenario['pagination'],
  ctx: EcrContext,
  items: readonly Record<string, unknown>[],
  input: { maxResults?: number; nextToken?: string },
): { page: Record<string, unknown>[]; nextToken?: string } {
  const size = input.maxResults ?? 100
  const offsetOf = (token: string | undefined): number => {
    const t = token === undefined ? undefined : (decodeToken(token) as { offset?: number } | undefined)
    return typeof t?.offset === 'number' ? t.offset : 0
  }
  const tokenAt = (offset: number): string => encodeToken({ op: ctx.operation, offset })
  const offset = offsetOf(input.nextToken)
  if (how === 'repeat-page' && offset === size) {
    const again = paginate(ctx, items, { maxResults: size })
    return 2 * size < items.length ? { page: again.page, nextToken: tokenAt(2 * size) } : { page: again.page }
  }
  const out = paginate(ctx, items, input)
  if (how === 'unlinked-last-page' && offset + 2 * size >= items.length && offset + size < items.length)
    return { page: out.page }
  if (how === 'cycle' && out.nextToken === undefined) return { page: out.page, nextToken: tokenAt(0) }
  return out
}

export const operations: Record<string, EcrOperation> = {
  BatchGetRepositoryScanningConfiguration: operation<{ repositoryNames: string[] }>({
    handle(ctx, input) {
      const scanningConfigurations: Record<string, unknown>[] = []
      const failures: Record<string, unknown>[] = []
      for (const name of input.repositoryNames) {
        const repo = ctx.core.findRepository(ctx.account, ctx.region, name)
        if (!repo) {
          failures.push({
            repositoryName: name,
            failureCode: 'REPOSITORY_NOT_FOUND',
            failureReason: 'REPOSITORY_NOT_FOUND',
          })
          continue
        }
        const c = coverage(ctx, repo)
        const base = { repositoryArn: ctx.repositoryArn(name), repositoryName: name }
        if (c.type === 'BASIC') {
          scanningConfigurations.push({
            ...base,
            scanOnPush: c.onPush,
            scanFrequency: c.onPush ? 'SCAN_ON_PUSH' : 'MANUAL',
            appliedScanFilters: c.filters,
          })
        } else {
          scanningConfigurations.push({
            ...base,
            scanOnPush: c.frequency === 'SCAN_ON_PUSH',
            scanFrequency: c.frequency ?? 'MANUAL',
            appliedScanFilters: c.filters,
          })
        }
      }
      return { scanningConfigurations, failures }
    },
  }),

  StartImageScan: operation<{ repositoryName: string; imageId: ImageIdInput }>({
    async handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const c = coverage(ctx, repo)
      if (c.type === 'ENHANCED') throw new AwsError('ValidationException', 'This feature is disabled')
      const image = await requireImage(ctx, repo, input.imageId)
      if (image.index)
        throw new AwsError(
          'UnsupportedImageTypeException',
          'The image type is not supported for scanning: image index',
        )
      const state = repoScan(repo)
      const started = (state.started ??= {})
      const t = now(ctx)
      // Scan on push counts as the one scan of the day.
      if (c.onPush) started[image.digest] ??= t
      const at = started[image.digest]
      if (at !== undefined && t - at < 24 * 3600 * 1000) {
        throw new AwsError(
          'LimitExceededException',
          'The scan quota per image has been exceeded. Wait and try again.',
        )
      }
      started[image.digest] = t
      return {
        registryId: repo.account,
        repositoryName: repo.name,
        imageId: { imageDigest: image.digest },
        imageScanStatus: { status: 'IN_PROGRESS', description: DESCRIPTIONS.IN_PROGRESS },
      }
    },
  }),

  DescribeImageScanFindings: operation<DescribeInput>({
    async handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const image = await requireImage(ctx, repo, input.imageId)
      const c = coverage(ctx, repo)
      const state = repoScan(repo)
      const started = (state.started ??= {})
      const t = now(ctx)
      const automatic =
        c.type === 'ENHANCED'
          ? c.frequency !== undefined && scannedOnPush(ctx, repo, image.digest, c)
          : c.onPush
      if (automatic) started[image.digest] ??= t
      const at = started[image.digest]
      if (at === undefined) throw scanNotFound(repo, image.digest)
      const imageId: Record<string, string> = { imageDigest: image.digest }
      if (input.imageId.imageTag !== undefined) imageId.imageTag = input.imageId.imageTag
      const head = { registryId: repo.account, repositoryName: repo.name, imageId }
      if (image.index) {
        return {
          ...head,
          imageScanStatus: {
            status: 'UNSUPPORTED_IMAGE',
            description: 'UnsupportedImageError: an image index is not scanned; its platform images are.',
          },
        }
      }
      const sc = state.images?.[image.digest] ?? state.scenario ?? {}
      const elapsed = (t - at) / 1000
      const notFound = sc.notFoundSeconds ?? 0
      const pending = sc.pendingSeconds ?? 0
      const inProgress = sc.inProgressSeconds ?? 0
      if (elapsed < notFound) throw scanNotFound(repo, image.digest)
      let status: string
      if (elapsed < notFound + pending) status = 'PENDING'
      else if (elapsed < notFound + pending + inProgress) status = 'IN_PROGRESS'
      else
        status =
          sc.status ?? (c.type === 'ENHANCED' && c.frequency === 'CONTINUOUS_SCAN' ? 'ACTIVE' : 'COMPLETE')
      const imageScanStatus = { status, description: sc.description ?? DESCRIPTIONS[status] ?? status }
      if (status !== 'COMPLETE' && status !== 'ACTIVE') return { ...head, imageScanStatus }

      const readyAt = at + (notFound + pending + inProgress) * 1000
      const all = (c.type === 'ENHANCED' ? sc.enhancedFindings : sc.findings) ?? []
      let visible = all.length
      if (sc.arrivals && sc.arrivals.length > 0) {
        const since = (t - readyAt) / 1000
        visible = 0
        for (const a of sc.arrivals) if (since >= a.afterSeconds) visible = Math.max(visible, a.count)
        visible = Math.min(visible, all.length)
      }
      const shown = all.slice(0, visible)
      const { page, nextToken } = misbehave(sc.pagination, ctx, shown, input)
      const findings: Record<string, unknown> = {
        imageScanCompletedAt: new Date(readyAt),
        vulnerabilitySourceUpdatedAt: new Date(readyAt - 3600_000),
        findingSeverityCounts: sc.severityCounts ?? severityCounts(shown),
      }
      if (c.type === 'ENHANCED') findings.enhancedFindings = page
      else findings.findings = page
      const out: Record<string, unknown> = { ...head, imageScanStatus, imageScanFindings: findings }
      if (nextToken) out.nextToken = nextToken
      return out
    },
  }),
}

// ---- finding builders for tests -------------------------------------------------------------

export interface FindingSpec {
  id: string
  severity: string
  package?: string
  version?: string
  /** Fixed version; omitted: "NotAvailable" (enhanced) and fixAvailable NO. */
  fixedIn?: string
  score?: number
  /** Enhanced status, default ACTIVE; null: no status field at all. */
  status?: string | null
  fixAvailable?: 'YES' | 'NO' | 'PARTIAL'
  exploitAvailable?: 'YES' | 'NO'
  account?: string
  n?: number
}

/** An EnhancedImageScanFinding as Inspector reports it. */
export function enhancedFinding(s: FindingSpec): Record<string, unknown> {
  const account = s.account ?? '123456789012'
  const pkg = s.package ?? 'openssl'
  const version = s.version ?? '3.0.0'
  const at = new Date('2025-01-01T00:00:00Z')
  const hex = Buffer.from(`${s.id}|${pkg}|${version}|${s.n ?? 0}`)
    .toString('hex')
    .slice(0, 32)
    .padEnd(32, '0')
  const finding: Record<string, unknown> = {
    awsAccountId: account,
    description: `${s.id} in ${pkg} allows bad things.`,
    findingArn: `arn:aws:inspector2:us-east-1:${account}:finding/${hex}`,
    firstObservedAt: at,
    lastObservedAt: at,
    packageVulnerabilityDetails: {
      cvss:
        s.score !== undefined
          ? [
              {
                baseScore: s.score,
                scoringVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
                source: 'NVD',
                version: '3.1',
              },
            ]
          : [],
      referenceUrls: [`https://nvd.nist.gov/vuln/detail/${s.id}`],
      source: 'NVD',
      sourceUrl: `https://nvd.nist.gov/vuln/detail/${s.id}`,
      vendorSeverity: s.severity,
      vulnerabilityId: s.id,
      vulnerablePackages: [
        {
          name: pkg,
          version,
          fixedInVersion: s.fixedIn ?? 'NotAvailable',
          packageManager: 'OS',
          sourceLayerHash: 'sha256:' + '0'.repeat(64),
          filePath: '',
          arch: 'X86_64',
        },
      ],
    },
    remediation: { recommendation: { text: s.fixedIn ? `Upgrade ${pkg} to ${s.fixedIn}` : 'None Provided' } },
    resources: [
      {
        id: 'arn:aws:ecr:us-east-1:' + account + ':repository/acme/widget/sha256:0',
        type: 'AWS_ECR_CONTAINER_IMAGE',
      },
    ],
    severity: s.severity,
    status: s.status === null ? undefined : (s.status ?? 'ACTIVE'),
    title: `${s.id} - ${pkg}`,
    type: 'PACKAGE_VULNERABILITY',
    updatedAt: at,
    fixAvailable: s.fixAvailable ?? (s.fixedIn ? 'YES' : 'NO'),
    exploitAvailable: s.exploitAvailable ?? 'NO',
  }
  if (s.score !== undefined) finding.score = s.score
  if (finding.status === undefined) delete finding.status
  return finding
}

/** An ImageScanFinding as basic scanning reports it. */
export function basicFinding(s: FindingSpec): Record<string, unknown> {
  const attributes: { key: string; value: string }[] = [
    { key: 'package_version', value: s.version ?? '3.0.0' },
    { key: 'package_name', value: s.package ?? 'openssl' },
  ]
  if (s.score !== undefined) {
    attributes.push(
      { key: 'CVSS2_VECTOR', value: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
      { key: 'CVSS2_SCORE', value: String(s.score) },
    )
  }
  return {
    name: s.id,
    description: `${s.id} in ${s.package ?? 'openssl'}.`,
    uri: `https://security-tracker.debian.org/tracker/${s.id}`,
    severity: s.severity,
    attributes,
  }
}
