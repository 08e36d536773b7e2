/**
 * ECR: DescribeImages, BatchGetImage, answered from the real registry's contents over its HTTP API.
 * Digests the emulator has seen are remembered (imagePushedAt = first seen), so untagged images and
 * the platform manifests of an index are listed too, as ECR lists them.
 */
import { AwsError } from '../errors.ts'
import {
  ALL_MANIFEST_TYPES,
  indexChildren,
  isIndexType,
  manifestSize,
  type ManifestRecord,
} from '../registry-client.ts'
import type { RepositoryRecord } from '../types.ts'
import { isRecord } from '../util.ts'
import { invalidParameter, operation, paginate, type EcrContext, type EcrOperation } from './context.ts'

interface ImageId {
  imageDigest?: string
  imageTag?: string
}

export interface ImageInfo {
  digest: string
  tags: string[]
  manifest: ManifestRecord
  pushedAt: Date
  sizeInBytes: number
}

function registryOf(ctx: EcrContext): NonNullable<EcrContext['registry']> {
  if (!ctx.registry) throw new AwsError('ServerException', 'The emulator was started without a registry', 500)
  return ctx.registry
}

function firstSeen(ctx: EcrContext, repo: RepositoryRecord, digest: string): Date {
  const key = `${repo.account}/${repo.name}@${digest}`
  let at = ctx.state.imageFirstSeen.get(key)
  if (!at) {
    at = new Date()
    ctx.state.imageFirstSeen.set(key, at)
  }
  return at
}

/** Every image of a repository: tagged ones, remembered digests still present, index children. */
export async function listRepositoryImages(ctx: EcrContext, repo: RepositoryRecord): Promise<ImageInfo[]> {
  const registry = registryOf(ctx)
  const byDigest = new Map<string, { manifest: ManifestRecord; tags: string[] }>()
  for (const tag of await registry.tags(repo.name)) {
    const manifest = await registry.manifest(repo.name, tag)
    if (!manifest) continue
    const entry = byDigest.get(manifest.digest) ?? { manifest, tags: [] }
    entry.tags.push(tag)
    byDigest.set(manifest.digest, entry)
  }
  const prefix = `${repo.account}/${repo.name}@`
  const remembered = [...ctx.state.imageFirstSeen.keys()]
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
  const pending = [
    ...remembered,
    ...[...byDigest.values()].flatMap((e) =>
      isIndexType(e.manifest.mediaType) ? indexChildren(e.manifest) : [],
    ),
  ]
  while (pending.length > 0) {
    const digest = pending.shift() as string
    if (byDigest.has(digest)) continue
    const manifest = await registry.manifest(repo.name, digest)
    if (!manifest) continue
    byDigest.set(digest, { manifest, tags: [] })
    if (isIndexType(manifest.mediaType)) pending.push(...indexChildren(manifest))
  }
  const images: ImageInfo[] = []
  for (const [digest, { manifest, tags }] of byDigest) {
    let sizeInBytes = manifestSize(manifest)
    if (isIndexType(manifest.mediaType)) {
      sizeInBytes = indexChildren(manifest).reduce((sum, child) => {
        const m = byDigest.get(child)?.manifest
        return sum + (m ? manifestSize(m) : 0)
      }, 0)
    }
    images.push({ digest, tags: tags.sort(), manifest, pushedAt: firstSeen(ctx, repo, digest), sizeInBytes })
  }
  return images.sort(
    (a, b) => a.pushedAt.getTime() - b.pushedAt.getTime() || a.digest.localeCompare(b.digest),
  )
}

function imageDetail(ctx: EcrContext, repo: RepositoryRecord, image: ImageInfo): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    registryId: repo.account,
    repositoryName: repo.name,
    imageDigest: image.digest,
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: image.pushedAt,
    imageManifestMediaType: image.manifest.mediaType,
    imageStatus: 'ACTIVE',
  }
  if (image.tags.length > 0) detail.imageTags = image.tags
  const config = image.manifest.json.config
  if (isRecord(config) && typeof config.mediaType === 'string') detail.artifactMediaType = config.mediaType
  const subject = image.manifest.json.subject
  if (isRecord(subject) && typeof subject.digest === 'string') detail.subjectManifestDigest = subject.digest
  for (const extend of detailExtensions) Object.assign(detail, extend(ctx, repo, image))
  return detail
}

/** Other areas (scan) add fields to ImageDetail here, e.g. imageScanStatus. */
export const detailExtensions: ((
  ctx: EcrContext,
  repo: RepositoryRecord,
  image: ImageInfo,
) => Record<string, unknown>)[] = []

const showId = (id: ImageId): string =>
  `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`

function findImage(images: readonly ImageInfo[], id: ImageId): ImageInfo | undefined {
  return images.find(
    (i) =>
      (id.imageDigest === undefined || i.digest === id.imageDigest) &&
      (id.imageTag === undefined || i.tags.includes(id.imageTag)),
  )
}

interface DescribeImagesInput {
  registryId?: string
  repositoryName: string
  imageIds?: ImageId[]
  nextToken?: string
  maxResults?: number
  filter?: { tagStatus?: 'TAGGED' | 'UNTAGGED' | 'ANY' }
}

interface BatchGetImageInput {
  registryId?: string
  repositoryName: string
  imageIds: ImageId[]
  acceptedMediaTypes?: string[]
}

export const operations: Record<string, EcrOperation> = {
  DescribeImages: operation<DescribeImagesInput>({
    async handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const images = await listRepositoryImages(ctx, repo)
      if (input.imageIds) {
        if (input.maxResults !== undefined || input.nextToken !== undefined) {
          throw invalidParameter(
            'Invalid parameter: maxResults and nextToken cannot be used together with imageIds',
          )
        }
        const found = new Map<string, ImageInfo>()
        for (const id of input.imageIds) {
          const image = findImage(images, id)
          if (!image || (id.imageDigest === undefined && id.imageTag === undefined)) {
            throw new AwsError(
              'ImageNotFoundException',
              `The image with imageId ${showId(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
            )
          }
          found.set(image.digest, image)
        }
        return { imageDetails: [...found.values()].map((i) => imageDetail(ctx, repo, i)) }
      }
      const status = input.filter?.tagStatus ?? 'ANY'
      const selected = images.filter((i) => status === 'ANY' || (status === 'TAGGED') === i.tags.length > 0)
      const { page, nextToken } = paginate(ctx, selected, input)
      const out: Record<string, unknown> = { imageDetails: page.map((i) => imageDetail(ctx, repo, i)) }
      if (nextToken) out.nextToken = nextToken
      return out
    },
  }),

  BatchGetImage: operation<BatchGetImageInput>({
    async handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const registry = registryOf(ctx)
      const accepted = input.acceptedMediaTypes ?? ALL_MANIFEST_TYPES
      const images: Record<string, unknown>[] = []
      const failures: Record<string, unknown>[] = []
      const seen = new Set<string>()
      for (const id of input.imageIds) {
        const fail = (failureCode: string, failureReason: string): void => {
          failures.push({ imageId: id, failureCode, failureReason })
        }
        if (id.imageDigest === undefined && id.imageTag === undefined) {
          fail('MissingDigestAndTag', 'Missing image digest and tag')
          continue
        }
        if (
          id.imageDigest !== undefined &&
          !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(id.imageDigest)
        ) {
          fail('InvalidImageDigest', 'Invalid image digest')
          continue
        }
        const manifest = await registry.manifest(repo.name, id.imageTag ?? (id.imageDigest as string))
        if (!manifest) {
          fail('ImageNotFound', 'Requested image not found')
          continue
        }
        if (id.imageDigest !== undefined && id.imageTag !== undefined && manifest.digest !== id.imageDigest) {
          fail('ImageTagDoesNotMatchDigest', 'Invalid image tag/digest combination')
          continue
        }
        if (!accepted.includes(manifest.mediaType)) {
          fail(
            'ImageNotFound',
            `Requested image not found for the accepted media types [${accepted.join(', ')}]`,
          )
          continue
        }
        firstSeen(ctx, repo, manifest.digest)
        const key = `${manifest.digest}|${id.imageTag ?? ''}`
        if (seen.has(key)) continue
        seen.add(key)
        const imageId: ImageId = { imageDigest: manifest.digest }
        if (id.imageTag !== undefined) imageId.imageTag = id.imageTag
        images.push({
          registryId: repo.account,
          repositoryName: repo.name,
          imageId,
          imageManifest: manifest.body,
          imageManifestMediaType: manifest.mediaType,
        })
      }
      return { images, failures }
    },
  }),
}
