/**
 * The gate's calls to ECR: StartImageScan, DescribeImageScanFindings (every page), BatchGetImage
 * (to walk an image index). Thin: each receives its client.
 */
import type { ECRClient } from '@aws-sdk/client-ecr'
import { errorMessage, errorName, httpStatus } from '../errors.js'
import { fromBasic, fromEnhanced, type Finding } from './findings.js'
import { ecrSdk } from '../sdk.js'
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

export async function startImageScan(api: ScanApi, digest: string): Promise<StartResult> {
  const { StartImageScanCommand } = await ecrSdk()
  try {
    const out = await api.ecr.send(
      new StartImageScanCommand({
        registryId: api.registryId,
        repositoryName: api.repository,
        imageId: { imageDigest: digest },
      }),
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

export type ScanRead =
  | {
      kind: 'status'
      status: string
      description: string
      findings?: Finding[]
      calls: number
      completedAt?: Date
    }
  | { kind: 'scan-not-found'; calls: number }
  | { kind: 'image-not-found'; calls: number }
  | { kind: 'error'; message: string; transient: boolean; calls: number }

export const PAGE_SIZE = 1000

/** Transient: throttling, 5xx, network. The SDK has already retried these itself. */
export function isTransient(err: unknown): boolean {
  const name = errorName(err)
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

/**
 * One look at the scan: the status, and when it is ready, every page of findings (maxResults 1000),
 * normalised. `platform` labels the findings of one image of a multi-platform index.
 */
export async function readScan(api: ScanApi, digest: string, platform: string): Promise<ScanRead> {
  const { DescribeImageScanFindingsCommand } = await ecrSdk()
  let calls = 0
  let nextToken: string | undefined
  let status = ''
  let description = ''
  let completedAt: Date | undefined
  const findings: Finding[] = []
  const image = { imageDigest: digest, platform }
  try {
    do {
      calls += 1
      const out = await api.ecr.send(
        new DescribeImageScanFindingsCommand({
          registryId: api.registryId,
          repositoryName: api.repository,
          imageId: { imageDigest: digest },
          maxResults: PAGE_SIZE,
          ...(nextToken ? { nextToken } : {}),
        }),
      )
      if (calls === 1) {
        status = out.imageScanStatus?.status ?? ''
        description = out.imageScanStatus?.description ?? ''
        completedAt = out.imageScanFindings?.imageScanCompletedAt
        if (!isReady(status)) return { kind: 'status', status: status || 'UNKNOWN', description, calls }
      }
      for (const f of out.imageScanFindings?.findings ?? []) findings.push(fromBasic(f, image))
      for (const f of out.imageScanFindings?.enhancedFindings ?? []) {
        for (const n of fromEnhanced(f, image)) findings.push(n)
      }
      nextToken = out.nextToken
    } while (nextToken)
  } catch (err) {
    const name = errorName(err)
    if (name === 'ScanNotFoundException') return { kind: 'scan-not-found', calls }
    if (name === 'ImageNotFoundException') return { kind: 'image-not-found', calls }
    const transient = isTransient(err)
    const message = transient
      ? `${name || 'Error'}: ${errorMessage(err)}`
      : name === 'AccessDeniedException'
        ? `ecr:DescribeImageScanFindings was denied: ${errorMessage(err)}. Grant it on the repository in the role's policy (see the README's least-privilege policy).`
        : `DescribeImageScanFindings failed: ${name ? `${name}: ` : ''}${errorMessage(err)}`
    return { kind: 'error', message, transient, calls }
  }
  const read: ScanRead = { kind: 'status', status, description, findings, calls }
  if (completedAt) read.completedAt = completedAt
  return read
}

export interface PlatformImage {
  digest: string
  /** `linux/arm64/v8`; '' when the pushed digest is a single image. */
  platform: string
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

interface IndexManifest {
  manifests?: {
    digest?: string
    mediaType?: string
    platform?: { os?: string; architecture?: string; variant?: string }
    annotations?: Record<string, string>
  }[]
}

/** The platform images of an index, without attestation manifests (pure). */
export function platformImages(index: IndexManifest): PlatformImage[] {
  const out: PlatformImage[] = []
  for (const m of index.manifests ?? []) {
    if (!m.digest) continue
    if (m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue
    const os = m.platform?.os ?? 'unknown'
    const arch = m.platform?.architecture ?? 'unknown'
    if (os === 'unknown' && arch === 'unknown') continue
    if (m.mediaType && INDEX_TYPES.has(m.mediaType)) continue
    out.push({ digest: m.digest, platform: [os, arch, m.platform?.variant].filter(Boolean).join('/') })
  }
  return out
}

/** What to gate: the pushed digest, or each platform image when it is an image index. */
export async function scanTargets(api: ScanApi, digest: string): Promise<PlatformImage[]> {
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
  )
  const image = out.images?.[0]
  if (!image?.imageManifestMediaType || !INDEX_TYPES.has(image.imageManifestMediaType))
    return [{ digest, platform: '' }]
  const targets = platformImages(JSON.parse(image.imageManifest ?? '{}') as IndexManifest)
  return targets.length > 0 ? targets : [{ digest, platform: '' }]
}
