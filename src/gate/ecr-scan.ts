/**
 * The gate's calls to ECR: StartImageScan, DescribeImageScanFindings (every page), BatchGetImage
 * (to walk an image index). Thin: each receives its client.
 */
import type { DescribeImageScanFindingsCommandOutput, ECRClient } from '@aws-sdk/client-ecr'
import { errorMessage, errorName, httpStatus } from '../errors.js'
import {
  addPage,
  finishPass,
  mayFollow,
  newPass,
  stopped,
  type PageFacts,
  type PassState,
} from './consistency.js'
import { fromBasic, fromEnhanced, interner, type Finding, type ImageRef, type Intern } from './findings.js'
import { ecrSdk } from '../sdk.js'
import { keepYoungGenerationSmall } from './memory.js'
import { isReady } from './status.js'

export interface ScanApi {
  ecr: ECRClient
  registryId: string
  repository: string
}

export type StartResult =
  | { kind: 'started'; status?: string }
  /** LimitExceededException: the image was scanned in the last 24 hours (scan-on-push counts). */
  | { kind: 'already-scanned' }
  | { kind: 'unsupported'; message: string }
  | { kind: 'not-possible'; message: string }

export async function startImageScan(
  api: ScanApi,
  digest: string,
  signal?: AbortSignal,
): Promise<StartResult> {
  const { StartImageScanCommand } = await ecrSdk()
  try {
    const out = await api.ecr.send(
      new StartImageScanCommand({
        registryId: api.registryId,
        repositoryName: api.repository,
        imageId: { imageDigest: digest },
      }),
      signal ? { abortSignal: signal } : {},
    )
    return out.imageScanStatus?.status
      ? { kind: 'started', status: out.imageScanStatus.status }
      : { kind: 'started' }
  } catch (err) {
    const name = errorName(err)
    if (name === 'LimitExceededException') return { kind: 'already-scanned' }
    if (name === 'UnsupportedImageTypeException') return { kind: 'unsupported', message: errorMessage(err) }
    return { kind: 'not-possible', message: `${name || 'Error'}: ${errorMessage(err)}` }
  }
}

/** One complete read pass of a ready scan: its findings and whether ECR's answers held together. */
export interface ReadPass {
  findings: Finding[]
  consistent: boolean
  /** Why not (see consistency.ts); empty when consistent. */
  problems: string[]
}

export type ScanRead =
  | {
      kind: 'status'
      status: string
      description: string
      /** Set when the status was ready and the read went to its end (or found ECR inconsistent). */
      pass?: ReadPass
      /** The read was cut short by the deadline: nothing to decide on, nothing wrong with ECR. */
      cut?: boolean
      calls: number
    }
  | { kind: 'scan-not-found'; calls: number }
  | { kind: 'image-not-found'; calls: number }
  | { kind: 'error'; message: string; transient: boolean; calls: number }

export const PAGE_SIZE = 1000

/** How long one call may still run past the deadline: the gate ends within its budget plus one call. */
export const CALL_GRACE_MS = 30_000

/** Bounds of one read: the gate's deadline (ms, on `clock`). */
export interface ReadBounds {
  deadline: number
  clock: () => number
  /** How long a call may run past the deadline (default CALL_GRACE_MS). */
  graceMs?: number
}

/** The abort signal of one call made at `now`: at the deadline plus one call's grace. */
export function callSignal(bounds: ReadBounds): AbortSignal {
  return AbortSignal.timeout(
    Math.max(0, bounds.deadline - bounds.clock()) + (bounds.graceMs ?? CALL_GRACE_MS),
  )
}

/** Transient: throttling, 5xx, network. The SDK has already retried these itself. */
export function isTransient(err: unknown): boolean {
  const name = errorName(err)
  if (name === 'CredentialRefreshError' || name === 'ExpiredTokenException') return false
  // A call still running at the deadline (plus its grace) was aborted: the budget ended, not ECR.
  if (name === 'AbortError') return true
  if (
    /Throttl|TooManyRequests|LimitExceeded|RequestTimeout|ServiceUnavailable|InternalFailure|ServerException|TimeoutError/i.test(
      name,
    )
  )
    return true
  const status = httpStatus(err)
  if (status !== undefined) return status >= 500 || status === 429
  // No answer at all: connection reset, refused, DNS.
  return true
}

function readError(err: unknown, calls: number): ScanRead {
  const name = errorName(err)
  if (name === 'ScanNotFoundException') return { kind: 'scan-not-found', calls }
  if (name === 'ImageNotFoundException') return { kind: 'image-not-found', calls }
  const transient = isTransient(err)
  let message = `DescribeImageScanFindings failed: ${name ? `${name}: ` : ''}${errorMessage(err)}`
  if (transient) message = `${name || 'Error'}: ${errorMessage(err)}`
  else if (name === 'AccessDeniedException')
    message = `ecr:DescribeImageScanFindings was denied: ${errorMessage(err)}. Grant it on the repository in the role's policy (see the README's least-privilege policy).`
  else if (name === 'CredentialRefreshError') message = errorMessage(err)
  else if (name === 'ExpiredTokenException')
    message = `DescribeImageScanFindings failed: the AWS credentials expired during the scan wait (${errorMessage(err)}). With role-to-assume, the action renews the role session before it expires; raise role-duration-seconds (or the role's maximum session duration) if the session cannot be renewed.`
  return { kind: 'error', message, transient, calls }
}

type Page = DescribeImageScanFindingsCommandOutput

/** One page, normalised, fed to the pass check. */
function takePage(out: Page, image: ImageRef, pass: PassState, findings: Finding[], intern: Intern): void {
  const page: Finding[] = []
  for (const f of out.imageScanFindings?.findings ?? []) page.push(fromBasic(f, image, intern))
  for (const f of out.imageScanFindings?.enhancedFindings ?? []) page.push(fromEnhanced(f, image, intern))
  const facts: PageFacts = {
    status: out.imageScanStatus?.status ?? '',
    findings: page,
    severityCounts: out.imageScanFindings?.findingSeverityCounts,
  }
  const at = out.imageScanFindings?.imageScanCompletedAt?.getTime()
  if (at !== undefined) facts.completedAt = at
  addPage(pass, facts)
  for (const f of page) findings.push(f)
}

/**
 * One look at the scan: the status, and when it is ready, every page of findings (maxResults 1000),
 * normalised and checked for consistency. Bounded: it never follows a token twice, stops at the page
 * cap, and makes no call past the deadline (each call is aborted one call's grace after it).
 */
export async function readScan(api: ScanApi, target: PlatformImage, bounds: ReadBounds): Promise<ScanRead> {
  const image = { imageDigest: target.digest, platform: target.platform }
  const pass = newPass()
  const findings: Finding[] = []
  const intern = interner()
  let calls = 0
  let nextToken: string | undefined
  let first: Page | undefined
  try {
    do {
      if (calls > 0 && bounds.clock() >= bounds.deadline) {
        stopped(pass, 'the budget ended during the read')
        return { kind: 'status', status: pass.status, description: '', cut: true, calls }
      }
      calls += 1
      const out = await findingsPage(api, target.digest, nextToken, bounds)
      first ??= out
      if (calls === 1 && !isReady(statusOf(first))) return notReady(first, calls)
      takePage(out, image, pass, findings, intern)
      nextToken = out.nextToken
      if (calls === 1 && nextToken) keepYoungGenerationSmall()
    } while (nextToken !== undefined && nextToken !== '' && mayFollow(pass, nextToken))
  } catch (err) {
    return readError(err, calls)
  }
  const verdict = finishPass(pass)
  return {
    kind: 'status',
    status: pass.status,
    description: first?.imageScanStatus?.description ?? '',
    pass: { findings, consistent: verdict.consistent, problems: verdict.problems },
    calls,
  }
}

const statusOf = (page: Page): string => page.imageScanStatus?.status ?? ''

/** A first page whose status is not ready: the status is all there is to read. */
function notReady(first: Page, calls: number): ScanRead {
  return {
    kind: 'status',
    status: statusOf(first),
    description: first.imageScanStatus?.description ?? '',
    calls,
  }
}

/** One DescribeImageScanFindings call, aborted one call's grace past the deadline. */
async function findingsPage(
  api: ScanApi,
  digest: string,
  nextToken: string | undefined,
  bounds: ReadBounds,
): Promise<Page> {
  const { DescribeImageScanFindingsCommand } = await ecrSdk()
  const input = {
    registryId: api.registryId,
    repositoryName: api.repository,
    imageId: { imageDigest: digest },
    maxResults: PAGE_SIZE,
    ...(nextToken ? { nextToken } : {}),
  }
  return api.ecr.send(new DescribeImageScanFindingsCommand(input), { abortSignal: callSignal(bounds) })
}

export interface PlatformImage {
  digest: string
  /** `linux/arm64/v8`; `unknown@sha256:…` for an index child without a platform; '' for a single image. */
  platform: string
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

/** How deep nested image indexes are followed; deeper is refused (the gate fails, saying so). */
export const MAX_INDEX_DEPTH = 3

interface Descriptor {
  digest?: string
  mediaType?: string
  artifactType?: string
  platform?: { os?: string; architecture?: string; variant?: string }
  annotations?: Record<string, string>
}

interface IndexManifest {
  manifests?: Descriptor[]
}

/** Docker's attestation manifests (buildx provenance/SBOM) and OCI artifacts are not images to scan. */
export function isAttestation(m: Descriptor): boolean {
  return (
    m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (typeof m.artifactType === 'string' && m.artifactType !== '')
  )
}

function platformLabel(m: Descriptor, digest: string): string {
  const p = m.platform
  const parts = [p?.os, p?.architecture, p?.variant].filter((x): x is string => !!x && x !== 'unknown')
  return parts.length > 0 ? parts.join('/') : `unknown@${digest.slice(0, 19)}`
}

/**
 * The children of an index (pure): every image manifest, with or without a `platform` field, except
 * attestation manifests; nested indexes apart, for the caller to follow.
 */
export function platformImages(index: IndexManifest): { images: PlatformImage[]; nested: PlatformImage[] } {
  const images: PlatformImage[] = []
  const nested: PlatformImage[] = []
  for (const m of index.manifests ?? []) {
    if (typeof m.digest !== 'string' || m.digest === '' || isAttestation(m)) continue
    const child = { digest: m.digest, platform: platformLabel(m, m.digest) }
    if (m.mediaType && INDEX_TYPES.has(m.mediaType)) nested.push(child)
    else images.push(child)
  }
  return { images, nested }
}

async function getManifest(
  api: ScanApi,
  digest: string,
  signal?: AbortSignal,
): Promise<{ mediaType: string; manifest: string }> {
  const { BatchGetImageCommand } = await ecrSdk()
  const out = await api.ecr.send(
    new BatchGetImageCommand({
      registryId: api.registryId,
      repositoryName: api.repository,
      imageIds: [{ imageDigest: digest }],
      acceptedMediaTypes: [
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        ...INDEX_TYPES,
      ],
    }),
    signal ? { abortSignal: signal } : {},
  )
  const image = out.images?.[0]
  if (!image) {
    const why = out.failures?.[0]
    throw new Error(
      `BatchGetImage returned no manifest for ${digest}${why ? ` (${why.failureCode ?? ''}: ${why.failureReason ?? ''})` : ''}`,
    )
  }
  return { mediaType: image.imageManifestMediaType ?? '', manifest: image.imageManifest ?? '{}' }
}

/**
 * What to gate: the pushed digest, or every platform image of an index (nested indexes followed up
 * to MAX_INDEX_DEPTH). Throws when the manifest cannot be read or the index holds nothing to gate:
 * the gate must not guess (a guess could hide a platform's findings).
 */
export async function scanTargets(
  api: ScanApi,
  digest: string,
  signal?: AbortSignal,
): Promise<PlatformImage[]> {
  const top = await getManifest(api, digest, signal)
  if (!INDEX_TYPES.has(top.mediaType)) return [{ digest, platform: '' }]
  const out: PlatformImage[] = []
  const seen = new Set([digest])
  let level = platformImages(JSON.parse(top.manifest) as IndexManifest)
  for (let depth = 1; ; depth++) {
    for (const t of level.images) {
      if (seen.has(t.digest)) continue
      seen.add(t.digest)
      out.push(t)
    }
    const nested = level.nested.filter((n) => !seen.has(n.digest))
    if (nested.length === 0) break
    if (depth >= MAX_INDEX_DEPTH)
      throw new Error(
        `the image index nests indexes deeper than ${MAX_INDEX_DEPTH} levels (${nested[0]?.digest ?? ''}); the gate does not follow them`,
      )
    const next: { images: PlatformImage[]; nested: PlatformImage[] } = { images: [], nested: [] }
    for (const n of nested) {
      seen.add(n.digest)
      const m = await getManifest(api, n.digest, signal)
      const kids = INDEX_TYPES.has(m.mediaType)
        ? platformImages(JSON.parse(m.manifest) as IndexManifest)
        : { images: [n], nested: [] }
      next.images.push(...kids.images)
      next.nested.push(...kids.nested)
    }
    level = next
  }
  if (out.length === 0) throw new Error('the image index lists no image to scan (only attestations)')
  return out
}
