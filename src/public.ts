/**
 * registry-type: public (issue 14, point 3): the push to Amazon ECR Public. A different service
 * from ECR (`ecr-public`, its API in us-east-1 only; the SDK honours AWS_ENDPOINT_URL_ECR_PUBLIC):
 * the token from its GetAuthorizationToken (which also needs sts:GetServiceBearerToken), the
 * registry URI (`public.ecr.aws/<alias>`) from DescribeRegistries, never assumed, and images at
 * `<registryUri>/<repository>`. ECR Public has no BatchGetImage: the push is checked with
 * DescribeImages (each tag names the digest docker pushed), not by reading the manifests back.
 */
import type { ECRPUBLICClient, Repository } from '@aws-sdk/client-ecr-public'
import * as core from './core.js'
import { explainEcrError } from './ecr.js'
import { ActionError, errorName } from './errors.js'
import type { Inputs } from './inputs.js'
import { ENDPOINT_IN_ERRORS, endpointInErrors, sdkRequestHandler } from './network.js'
import { loginDocker, tagAndPush, type Defer, type PushResult } from './push.js'
import { decodeAuthToken, imageRefs } from './registry.js'
import { ecrPublicSdk } from './sdk.js'
import type { AwsCredentials } from './sts.js'
import type { CredentialProvider } from './credentials.js'
import type { Docker } from './docker.js'

/** The one region of ECR Public's API. */
export const ECR_PUBLIC_REGION = 'us-east-1'

/** A registry URI as DescribeRegistries gives it: `host[:port]/alias` (a hostile string until checked). */
const REGISTRY_URI =
  /^((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?)\/([a-z][a-z0-9]*(?:[._-][a-z0-9]+)*)$/

/** The ECR Public client, in us-east-1 whatever aws-region says. */
export async function createEcrPublicClient(
  credentials?: AwsCredentials | CredentialProvider,
): Promise<ECRPUBLICClient> {
  const { ECRPUBLICClient } = await ecrPublicSdk()
  const client = new ECRPUBLICClient({
    region: ECR_PUBLIC_REGION,
    maxAttempts: 3,
    requestHandler: sdkRequestHandler(),
    ...(credentials ? { credentials } : {}),
  })
  client.middlewareStack.add(endpointInErrors('ECR Public'), ENDPOINT_IN_ERRORS)
  return client
}

export interface PublicAuthorization {
  username: string
  password: string
  expiresAt: Date
}

/** ecr-public GetAuthorizationToken, decoded; every secret part masked before it returns. */
export async function publicAuthorization(
  client: ECRPUBLICClient,
  mask: (s: string) => void,
): Promise<PublicAuthorization> {
  const { GetAuthorizationTokenCommand } = await ecrPublicSdk()
  const out = await client.send(new GetAuthorizationTokenCommand({})).catch((err: unknown) => {
    throw explainPublicError('ecr-public:GetAuthorizationToken (with sts:GetServiceBearerToken)', err, '*')
  })
  const token = out.authorizationData?.authorizationToken
  if (!token) throw new ActionError('ecr-public GetAuthorizationToken answered without authorization data')
  mask(token)
  const creds = decodeAuthToken(token)
  mask(creds.password)
  return { ...creds, expiresAt: out.authorizationData?.expiresAt ?? new Date(Date.now() + 12 * 3600 * 1000) }
}

export interface PublicRegistry {
  /** `host/alias`, e.g. `public.ecr.aws/a1b2c3d4`. */
  uri: string
  /** The host docker logs in to. */
  host: string
  registryId: string
}

/** The caller's public registry, from DescribeRegistries (its first registry: one per account). */
export async function publicRegistry(client: ECRPUBLICClient): Promise<PublicRegistry> {
  const { DescribeRegistriesCommand } = await ecrPublicSdk()
  const out = await client.send(new DescribeRegistriesCommand({})).catch((err: unknown) => {
    throw explainPublicError('ecr-public:DescribeRegistries', err, '*')
  })
  const registry = out.registries?.[0]
  if (!registry) {
    throw new ActionError(
      "The account has no ECR Public registry: open Amazon ECR Public in the console once (it creates the account's registry and its default alias), then re-run.",
    )
  }
  const uri = registry.registryUri ?? ''
  const m = REGISTRY_URI.exec(uri)
  if (!m)
    throw new ActionError(`ecr-public DescribeRegistries gave an unusable registryUri '${uri.slice(0, 200)}'`)
  return { uri, host: m[1] as string, registryId: registry.registryId ?? '' }
}

/**
 * The public repository; a missing one is an error saying how to create it. Without
 * ecr-public:DescribeRepositories: warn, undefined, and let the registry have the last word.
 */
export async function publicRepository(
  client: ECRPUBLICClient,
  repository: string,
): Promise<Repository | undefined> {
  const { DescribeRepositoriesCommand } = await ecrPublicSdk()
  try {
    const out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }))
    return out.repositories?.[0]
  } catch (err) {
    const name = errorName(err)
    if (name === 'RepositoryNotFoundException') {
      throw new ActionError(
        `Public repository '${repository}' does not exist in the account's ECR Public registry. Create it: ` +
          `aws ecr-public create-repository --region us-east-1 --repository-name ${repository}`,
      )
    }
    if (name === 'AccessDeniedException') {
      core.warning(
        `Could not check that public repository '${repository}' exists: ecr-public:DescribeRepositories is not allowed. Pushing anyway.`,
      )
      return undefined
    }
    throw explainPublicError('ecr-public:DescribeRepositories', err, repository)
  }
}

/**
 * What ECR Public holds for each tag (DescribeImages, 100 image IDs a call) must be the digest
 * docker pushed. Returns the image's size as ECR Public reports it.
 */
export async function verifyPublicPush(
  client: ECRPUBLICClient,
  inputs: Pick<Inputs, 'repository' | 'tags'>,
  digest: string,
): Promise<number | undefined> {
  const { DescribeImagesCommand } = await ecrPublicSdk()
  const held = new Map<string, string>()
  let size: number | undefined
  for (let i = 0; i < inputs.tags.length; i += 100) {
    const imageIds = inputs.tags.slice(i, i + 100).map((imageTag) => ({ imageTag }))
    const out = await client
      .send(new DescribeImagesCommand({ repositoryName: inputs.repository, imageIds }))
      .catch((err: unknown) => {
        throw explainPublicError('ecr-public:DescribeImages', err, inputs.repository)
      })
    for (const d of out.imageDetails ?? []) {
      for (const t of d.imageTags ?? []) if (d.imageDigest) held.set(t, d.imageDigest)
      if (d.imageDigest === digest && d.imageSizeInBytes !== undefined) size = d.imageSizeInBytes
    }
  }
  const wrong = inputs.tags.filter((t) => held.get(t) !== digest)
  if (wrong.length > 0) {
    throw new ActionError(
      `ECR Public does not show the pushed digest ${digest} for ${wrong.map((t) => `'${t}' (${held.get(t) ?? 'no image'})`).join(', ')}: ` +
        'another push may have moved the tag meanwhile. Nothing is deployable from this run; re-run it.',
    )
  }
  return size
}

function explainPublicError(action: string, err: unknown, resource: string): Error {
  if (errorName(err) === 'ImageNotFoundException')
    return new ActionError(`${action}: ECR Public does not hold the image just pushed to '${resource}'.`)
  return explainEcrError(action, err, resource)
}

export interface PublicPushDeps {
  env: NodeJS.ProcessEnv
  defer: Defer
  client: ECRPUBLICClient
  docker: Docker
  imageId: string
}

/** What the public push leaves: the push result, and the size ECR Public reports. */
export interface PublicPush {
  pushed: PushResult
  sizeInBytes: number | undefined
}

/** Token, registry URI and repository side by side; docker login, push of every tag; DescribeImages. */
export async function pushPublic(inputs: Inputs, deps: PublicPushDeps): Promise<PublicPush> {
  const { client } = deps
  const [auth, registry] = await Promise.all([
    publicAuthorization(client, core.setSecret),
    publicRegistry(client),
    publicRepository(client, inputs.repository),
  ])
  const docker = await loginDocker(inputs, deps, registry.host)
  const digest = await tagAndPush(inputs, docker, {
    registry: registry.uri,
    loginHost: registry.host,
    auth,
    imageId: deps.imageId,
    service: 'ecr-public',
  })
  const sizeInBytes = await verifyPublicPush(client, inputs, digest)
  return {
    pushed: {
      ...imageRefs(registry.uri, inputs.repository, inputs.tags, digest),
      registryId: registry.registryId,
      repository: undefined,
      digest,
      tags: inputs.tags,
      tokenExpiresAt: auth.expiresAt,
      imageId: deps.imageId,
    },
    sizeInBytes,
  }
}
