import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import { ActionError, errorMessage, errorName } from './errors.js'
import { decodeAuthToken, type DockerCredentials } from './registry.js'
import type { TagManifest } from './verify.js'
import type { AwsCredentials } from './sts.js'
import { ENDPOINT_IN_ERRORS, endpointInErrors, sdkRequestHandler } from './network.js'
import { ecrSdk } from './sdk.js'

/**
 * An ECR client for the region; credentials undefined: the SDK's default chain. A provider (see
 * credentials.ts) lets a long scan wait renew the role session.
 */
export async function createEcrClient(
  region: string,
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>),
): Promise<ECRClient> {
  const { ECRClient } = await ecrSdk()
  // The SDK's standard retry strategy retries throttling, 5xx and network errors with jittered
  // backoff, 3 attempts: a black-holed endpoint ends the step in about half a minute (network.ts).
  const client = new ECRClient({
    region,
    maxAttempts: 3,
    requestHandler: sdkRequestHandler(),
    ...(credentials ? { credentials } : {}),
  })
  client.middlewareStack.add(endpointInErrors('ECR'), ENDPOINT_IN_ERRORS)
  return client
}

export interface Authorization extends DockerCredentials {
  proxyEndpoint: string
  expiresAt: Date
}

/** GetAuthorizationToken, decoded. Every secret part is masked before this returns. */
export async function getAuthorization(client: ECRClient, mask: (s: string) => void): Promise<Authorization> {
  const { GetAuthorizationTokenCommand } = await ecrSdk()
  const out = await client.send(new GetAuthorizationTokenCommand({}))
  const data = out.authorizationData?.[0]
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error('GetAuthorizationToken answered without authorization data')
  }
  mask(data.authorizationToken)
  const creds = decodeAuthToken(data.authorizationToken)
  mask(creds.password)
  return {
    ...creds,
    proxyEndpoint: data.proxyEndpoint,
    expiresAt: data.expiresAt ?? new Date(Date.now() + 12 * 3600 * 1000),
  }
}

/** The repository, or undefined when it does not exist. */
export async function findRepository(
  client: ECRClient,
  repositoryName: string,
  registryId?: string,
): Promise<Repository | undefined> {
  const { DescribeRepositoriesCommand } = await ecrSdk()
  try {
    const out = await client.send(
      new DescribeRepositoriesCommand({
        repositoryNames: [repositoryName],
        ...(registryId ? { registryId } : {}),
      }),
    )
    return out.repositories?.[0]
  } catch (err) {
    if (errorName(err) === 'RepositoryNotFoundException') return undefined
    throw err
  }
}

/** The manifest media types the action reads back (single images and indexes, Docker and OCI). */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
]

/**
 * The image ECR holds for each tag, manifest included (BatchGetImage, 100 image IDs a call). A tag
 * ECR does not know maps to undefined.
 */
export async function manifestsForTags(
  client: ECRClient,
  repositoryName: string,
  tags: string[],
  registryId?: string,
): Promise<Map<string, TagManifest | undefined>> {
  const { BatchGetImageCommand } = await ecrSdk()
  const result = new Map<string, TagManifest | undefined>(tags.map((t) => [t, undefined]))
  for (let i = 0; i < tags.length; i += 100) {
    const out = await client.send(
      new BatchGetImageCommand({
        repositoryName,
        imageIds: tags.slice(i, i + 100).map((imageTag) => ({ imageTag })),
        acceptedMediaTypes: MANIFEST_TYPES,
        ...(registryId ? { registryId } : {}),
      }),
    )
    for (const image of out.images ?? []) {
      const tag = image.imageId?.imageTag
      const digest = image.imageId?.imageDigest
      if (tag === undefined || digest === undefined || !result.has(tag)) continue
      result.set(tag, {
        digest,
        manifest: image.imageManifest ?? '',
        mediaType: image.imageManifestMediaType ?? '',
      })
    }
  }
  return result
}

/** The digest ECR holds for each tag (BatchGetImage); a tag ECR does not know maps to undefined. */
export async function digestsForTags(
  client: ECRClient,
  repositoryName: string,
  tags: string[],
  registryId?: string,
): Promise<Map<string, string | undefined>> {
  const manifests = await manifestsForTags(client, repositoryName, tags, registryId)
  return new Map([...manifests].map(([tag, m]) => [tag, m?.digest]))
}

/** The manifests of these digests (BatchGetImage); the ones ECR does not have are left out. */
export async function manifestsByDigest(
  client: ECRClient,
  repositoryName: string,
  digests: string[],
  registryId?: string,
): Promise<TagManifest[]> {
  const { BatchGetImageCommand } = await ecrSdk()
  const found: TagManifest[] = []
  for (let i = 0; i < digests.length; i += 100) {
    const out = await client.send(
      new BatchGetImageCommand({
        repositoryName,
        imageIds: digests.slice(i, i + 100).map((imageDigest) => ({ imageDigest })),
        acceptedMediaTypes: MANIFEST_TYPES,
        ...(registryId ? { registryId } : {}),
      }),
    )
    for (const image of out.images ?? []) {
      const digest = image.imageId?.imageDigest
      if (digest !== undefined)
        found.push({
          digest,
          manifest: image.imageManifest ?? '',
          mediaType: image.imageManifestMediaType ?? '',
        })
    }
  }
  return found
}

/** Turns an AWS error into one line that says what to do, for the calls the push makes. */
export function explainEcrError(action: string, err: unknown, repositoryArnOrName: string): Error {
  const name = errorName(err)
  const msg = errorMessage(err)
  if (name === 'AccessDeniedException') {
    return new ActionError(
      `${action} was denied: ${msg}. Grant the permission in the role's policy (see the README's least-privilege policy) for ${repositoryArnOrName}.`,
    )
  }
  if (name === 'ExpiredTokenException') {
    return new ActionError(`${action} failed: the AWS credentials expired (${msg}). Re-run the job.`)
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
    return new ActionError(`${action} failed: AWS did not accept the credentials (${name}: ${msg}).`)
  }
  return new Error(`${action} failed: ${name ? `${name}: ` : ''}${msg}`, { cause: err })
}
