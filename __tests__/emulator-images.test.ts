// ECR DescribeImages / BatchGetImage answered from a real registry (docker-registry), images put
// over the registry's HTTP API (no docker needed).
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  paginateDescribeImages,
} from '@aws-sdk/client-ecr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRegistry, type Registry } from './testbed/registry.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { pushPermissions, startEmulator, type Emulator } from './testbed/emulator/index.ts'

const ACCOUNT = '123456789012'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/github-ecr-push`
const REPO = 'acme/widget'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

let registry: Registry
let emu: Emulator
let client: ECRClient

const putBlob = (repo: string, data: Buffer | string) => registry.putBlob(repo, data)
const putManifest = (repo: string, ref: string | undefined, manifest: object, mediaType: string) =>
  registry.putManifest(repo, ref, manifest, mediaType)

async function putImage(
  repo: string,
  tags: string[],
  mediaType: string,
  content: string,
): Promise<{ digest: string; size: number }> {
  const oci = mediaType === OCI_MANIFEST
  const config = await putBlob(
    repo,
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Env: [content] },
    }),
  )
  const layer = await putBlob(repo, `layer ${content} ${'x'.repeat(100)}`)
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: oci
        ? 'application/vnd.oci.image.config.v1+json'
        : 'application/vnd.docker.container.image.v1+json',
      digest: config.digest,
      size: config.size,
    },
    layers: [
      {
        mediaType: oci
          ? 'application/vnd.oci.image.layer.v1.tar+gzip'
          : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest: layer.digest,
        size: layer.size,
      },
    ],
  }
  let digest = ''
  for (const tag of tags.length > 0 ? tags : [undefined])
    digest = await putManifest(repo, tag, manifest, mediaType)
  return { digest, size: config.size + layer.size }
}

let dockerImage: { digest: string; size: number }
let ociImage: { digest: string; size: number }
let indexDigest: string
let untagged: { digest: string; size: number }

beforeAll(async () => {
  registry = await startRegistry()
  emu = await startEmulator({ registry: { url: registry.url, username: 'AWS', password: registry.password } })
  emu.addRole({ arn: ROLE, trust: { sub: 'repo:acme/*' }, permissions: pushPermissions(ACCOUNT, 'acme/*') })
  emu.createRepository({ name: REPO })
  emu.createRepository({ name: 'acme/empty' })
  client = new ECRClient({
    region: 'us-east-1',
    endpoint: emu.env.AWS_ENDPOINT_URL_ECR,
    credentials: await assumeRole(emu, ROLE),
    maxAttempts: 1,
  })

  dockerImage = await putImage(REPO, ['v1', 'latest'], DOCKER_MANIFEST, 'docker')
  ociImage = await putImage(REPO, [], OCI_MANIFEST, 'oci-child')
  indexDigest = await putManifest(
    REPO,
    'multi',
    {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: ociImage.digest,
          size: 500,
          platform: { architecture: 'arm64', os: 'linux' },
        },
      ],
    },
    OCI_INDEX,
  )
  untagged = await putImage(REPO, [], DOCKER_MANIFEST, 'orphan')
})

afterAll(async () => {
  await emu?.close()
  await registry?.stop()
})

afterEach(() => {
  expect(emu.internalErrors).toEqual([])
})

describe('DescribeImages', () => {
  it('lists tagged images, index children, sizes, media types', async () => {
    const out = await client.send(new DescribeImagesCommand({ repositoryName: REPO }))
    const byDigest = new Map((out.imageDetails ?? []).map((d) => [d.imageDigest, d]))
    expect(byDigest.get(dockerImage.digest)).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: REPO,
      imageTags: ['latest', 'v1'],
      imageSizeInBytes: dockerImage.size,
      imageManifestMediaType: DOCKER_MANIFEST,
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    })
    expect(byDigest.get(dockerImage.digest)?.imagePushedAt).toBeInstanceOf(Date)
    expect(byDigest.get(indexDigest)).toMatchObject({
      imageTags: ['multi'],
      imageManifestMediaType: OCI_INDEX,
      imageSizeInBytes: ociImage.size,
    })
    expect(byDigest.get(ociImage.digest)).toMatchObject({
      imageManifestMediaType: OCI_MANIFEST,
      imageSizeInBytes: ociImage.size,
    })
    expect(byDigest.get(ociImage.digest)?.imageTags).toBeUndefined()
    // Never seen by tag or digest: the registry API cannot list it.
    expect(byDigest.has(untagged.digest)).toBe(false)
  })

  it('filters by imageIds (tag or digest) and fails on unknown ones as AWS does', async () => {
    const out = await client.send(
      new DescribeImagesCommand({
        repositoryName: REPO,
        imageIds: [{ imageTag: 'v1' }, { imageDigest: indexDigest }],
      }),
    )
    expect(out.imageDetails?.map((d) => d.imageDigest)).toEqual([dockerImage.digest, indexDigest])
    const err = await client
      .send(new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'nope' }] }))
      .catch((e: unknown) => e as Error)
    expect(err).toMatchObject({
      name: 'ImageNotFoundException',
      message: `The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name '${REPO}' in the registry with id '${ACCOUNT}'`,
    })
    const missingRepo = await client
      .send(new DescribeImagesCommand({ repositoryName: 'acme/missing' }))
      .catch((e: unknown) => e as Error)
    expect(missingRepo).toMatchObject({ name: 'RepositoryNotFoundException' })
    const empty = await client.send(new DescribeImagesCommand({ repositoryName: 'acme/empty' }))
    expect(empty.imageDetails).toEqual([])
  })

  it('paginates and filters by tag status', async () => {
    const pages: number[] = []
    for await (const page of paginateDescribeImages({ client, pageSize: 1 }, { repositoryName: REPO }))
      pages.push(page.imageDetails?.length ?? 0)
    expect(pages).toEqual([1, 1, 1])
    const tagged = await client.send(
      new DescribeImagesCommand({ repositoryName: REPO, filter: { tagStatus: 'UNTAGGED' } }),
    )
    expect(tagged.imageDetails?.map((d) => d.imageDigest)).toEqual([ociImage.digest])
  })
})

describe('BatchGetImage', () => {
  it('returns manifests and AWS-style failures', async () => {
    const out = await client.send(
      new BatchGetImageCommand({
        repositoryName: REPO,
        imageIds: [
          { imageTag: 'latest' },
          { imageDigest: indexDigest },
          { imageTag: 'gone' },
          { imageTag: 'v1', imageDigest: indexDigest },
        ],
      }),
    )
    expect(
      out.images?.map((i) => [i.imageId?.imageDigest, i.imageId?.imageTag, i.imageManifestMediaType]),
    ).toEqual([
      [dockerImage.digest, 'latest', DOCKER_MANIFEST],
      [indexDigest, undefined, OCI_INDEX],
    ])
    const manifest = JSON.parse(out.images?.[1]?.imageManifest ?? '{}') as { manifests: { digest: string }[] }
    expect(manifest.manifests[0]?.digest).toBe(ociImage.digest)
    expect(out.failures).toEqual([
      {
        imageId: { imageTag: 'gone' },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found',
      },
      {
        imageId: { imageTag: 'v1', imageDigest: indexDigest },
        failureCode: 'ImageTagDoesNotMatchDigest',
        failureReason: 'Invalid image tag/digest combination',
      },
    ])
  })

  it('an image fetched by digest is remembered and then listed as untagged', async () => {
    const out = await client.send(
      new BatchGetImageCommand({ repositoryName: REPO, imageIds: [{ imageDigest: untagged.digest }] }),
    )
    expect(out.images).toHaveLength(1)
    const list = await client.send(
      new DescribeImagesCommand({ repositoryName: REPO, filter: { tagStatus: 'UNTAGGED' } }),
    )
    expect(list.imageDetails?.map((d) => d.imageDigest).sort()).toEqual(
      [ociImage.digest, untagged.digest].sort(),
    )
  })

  it('respects acceptedMediaTypes', async () => {
    const out = await client.send(
      new BatchGetImageCommand({
        repositoryName: REPO,
        imageIds: [{ imageTag: 'multi' }],
        acceptedMediaTypes: [DOCKER_MANIFEST],
      }),
    )
    expect(out.images).toEqual([])
    expect(out.failures?.[0]?.failureCode).toBe('ImageNotFound')
  })
})
