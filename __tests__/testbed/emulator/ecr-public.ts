/**
 * Amazon ECR Public over JSON 1.1 (`X-Amz-Target: SpencerFrontendService.<Op>`, SigV4 with the
 * signing name `ecr-public`), reached by the SDK through `AWS_ENDPOINT_URL_ECR_PUBLIC`. Input and
 * output checked against the `ecr-public` model of aws-model.json, IAM under ECR Public's action
 * names. The service exists in us-east-1 only: a call signed for another region is refused.
 *
 * - `GetAuthorizationToken`: `ecr-public:GetAuthorizationToken` and `sts:GetServiceBearerToken`
 *   (AWS requires both); a new registry password per call (`registryTokens`, service
 *   `ecr-public`), which the public registry's token endpoint trades for a bearer token.
 * - `DescribeRegistries`: the caller's public registry, `registryUri` = `<public host>/<alias>`
 *   (`public.ecr.test:<port>/<alias>` here, `public.ecr.aws/<alias>` on AWS).
 * - `DescribeRepositories`: the account's public repositories, `repositoryUri` = `<registryUri>/<name>`.
 * - `DescribeImages`: a public repository's images, read from the real registry behind the front
 *   (every tag of each image listed, as ECR Public does). Its model is in aws-model-supplement.json.
 *   ECR Public has no BatchGetImage: manifests are the registry's to serve.
 */
import { authenticate } from './auth.ts'
import { AwsError } from './errors.ts'
import { authorize } from './iam.ts'
import { operationModel, validationMessage } from './model.ts'
import {
  checkOutput,
  checkedJsonInput,
  jsonErrorAnswer,
  parseJsonTarget,
  type Answer,
  type IncomingRequest,
  type ParsedCall,
  type ServiceProtocol,
} from './protocol.ts'
import { issueRegistryToken } from './registry-tokens.ts'
import type { EmulatorCore } from './state.ts'
import { manifestSize, type ManifestRecord } from './registry-client.ts'
import type { CallRecord, Principal, RepositoryRecord } from './types.ts'
import { isRecord } from './util.ts'

const TARGET_PREFIX = 'SpencerFrontendService.'
const CONTENT_TYPE = 'application/x-amz-json-1.1'
export const ECR_PUBLIC_PATH = '/ecr-public'
/** The one region ECR Public's API is in. */
export const ECR_PUBLIC_REGION = 'us-east-1'

/** `arn:aws:ecr-public::<account>:repository/<name>` (IAM's resource for ECR Public repositories). */
export const publicRepositoryArn = (account: string, name: string): string =>
  `arn:aws:ecr-public::${account}:repository/${name}`

function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key]
    return raw instanceof Date ? raw.getTime() / 1000 : v
  })
}

interface PublicContext {
  core: EmulatorCore
  principal: Principal
  now: Date
}

type Handler = (ctx: PublicContext, input: Record<string, unknown>) => unknown

/** The real registry's repositories of an account's public registry. */
export const publicNamespace = (account: string): string => `public/${account}/`

interface PublicImage {
  manifest: ManifestRecord
  tags: string[]
}

/** Every tagged image of a public repository, by digest (the real registry behind the front). */
async function publicImages(core: EmulatorCore, repo: RepositoryRecord): Promise<Map<string, PublicImage>> {
  if (!core.registry)
    throw new AwsError('ServerException', 'The emulator was started without a registry', 500)
  const registry = core.registry.withNamespace(publicNamespace(repo.account))
  const images = new Map<string, PublicImage>()
  for (const tag of (await registry.tags(repo.name)).sort()) {
    const manifest = await registry.manifest(repo.name, tag)
    if (!manifest) continue
    const image = images.get(manifest.digest) ?? { manifest, tags: [] }
    image.tags.push(tag)
    images.set(manifest.digest, image)
  }
  return images
}

function imageDetail(repo: RepositoryRecord, image: PublicImage, pushedAt: Date): Record<string, unknown> {
  const config = image.manifest.json.config
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    imageDigest: image.manifest.digest,
    imageTags: image.tags,
    imageSizeInBytes: manifestSize(image.manifest),
    imagePushedAt: pushedAt,
    imageManifestMediaType: image.manifest.mediaType,
    ...(isRecord(config) && typeof config.mediaType === 'string'
      ? { artifactMediaType: config.mediaType }
      : {}),
  }
}

function requirePublicRepository(ctx: PublicContext, account: string, name: string): RepositoryRecord {
  const repo = ctx.core.findPublicRepository(account, name)
  if (!repo) {
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${account}'`,
    )
  }
  return repo
}

const targetAccount = (ctx: PublicContext, input: Record<string, unknown>): string =>
  typeof input.registryId === 'string' ? input.registryId : ctx.principal.account

async function describeImages(ctx: PublicContext, input: Record<string, unknown>): Promise<unknown> {
  const repo = requirePublicRepository(ctx, targetAccount(ctx, input), String(input.repositoryName))
  const images = await publicImages(ctx.core, repo)
  const pushedAt = (digest: string): Date => {
    const key = `${publicNamespace(repo.account)}${repo.name}@${digest}`
    const at = ctx.core.state.imageFirstSeen.get(key) ?? ctx.now
    ctx.core.state.imageFirstSeen.set(key, at)
    return at
  }
  const ids = Array.isArray(input.imageIds) ? (input.imageIds as Record<string, unknown>[]) : undefined
  if (ids === undefined)
    return {
      imageDetails: [...images.values()].map((i) => imageDetail(repo, i, pushedAt(i.manifest.digest))),
    }
  const found = new Map<string, PublicImage>()
  for (const id of ids) {
    const digest = typeof id.imageDigest === 'string' ? id.imageDigest : undefined
    const tag = typeof id.imageTag === 'string' ? id.imageTag : undefined
    const image = [...images.values()].find(
      (i) =>
        (digest === undefined || i.manifest.digest === digest) && (tag === undefined || i.tags.includes(tag)),
    )
    if (!image || (digest === undefined && tag === undefined)) {
      throw new AwsError(
        'ImageNotFoundException',
        `The image with imageId {imageDigest:'${digest ?? 'null'}', imageTag:'${tag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
      )
    }
    found.set(image.manifest.digest, image)
  }
  return { imageDetails: [...found.values()].map((i) => imageDetail(repo, i, pushedAt(i.manifest.digest))) }
}

function repositoryShape(core: EmulatorCore, repo: RepositoryRecord): Record<string, unknown> {
  return {
    repositoryArn: publicRepositoryArn(repo.account, repo.name),
    registryId: repo.account,
    repositoryName: repo.name,
    repositoryUri: `${core.publicRegistryUri(repo.account) ?? core.publicRegistryHost()}/${repo.name}`,
    createdAt: repo.createdAt,
  }
}

const operations: Record<
  string,
  { resources: (ctx: PublicContext, input: Record<string, unknown>) => string[]; handle: Handler }
> = {
  GetAuthorizationToken: {
    resources: () => ['*'],
    handle(ctx) {
      // AWS: the token needs sts:GetServiceBearerToken as well.
      authorize(ctx.principal, 'sts:GetServiceBearerToken', '*')
      const token = issueRegistryToken(
        ctx.core.state,
        ctx.principal,
        ECR_PUBLIC_REGION,
        ctx.now,
        'ecr-public',
      )
      return {
        authorizationData: {
          authorizationToken: Buffer.from(`AWS:${token.password}`).toString('base64'),
          expiresAt: token.expiresAt,
        },
      }
    },
  },
  DescribeRegistries: {
    resources: () => ['*'],
    handle(ctx) {
      const account = ctx.principal.account
      const registry = ctx.core.state.publicRegistries.get(account)
      if (registry === undefined) return { registries: [] }
      return {
        registries: [
          {
            registryId: account,
            registryArn: `arn:aws:ecr-public::${account}:registry/${account}`,
            registryUri: ctx.core.publicRegistryUri(account),
            verified: registry.verified,
            aliases: [
              {
                name: registry.alias,
                status: 'ACTIVE',
                primaryRegistryAlias: true,
                defaultRegistryAlias: true,
              },
            ],
          },
        ],
      }
    },
  },
  DescribeImages: {
    resources: (ctx, input) => [publicRepositoryArn(targetAccount(ctx, input), String(input.repositoryName))],
    handle: describeImages,
  },
  DescribeRepositories: {
    resources: (ctx, input) => {
      const account = typeof input.registryId === 'string' ? input.registryId : ctx.principal.account
      return Array.isArray(input.repositoryNames)
        ? input.repositoryNames.map((n) => publicRepositoryArn(account, String(n)))
        : [publicRepositoryArn(account, '*')]
    },
    handle(ctx, input) {
      const account = typeof input.registryId === 'string' ? input.registryId : ctx.principal.account
      const names = Array.isArray(input.repositoryNames) ? input.repositoryNames.map(String) : undefined
      const all = ctx.core.state.publicRepositories.filter((r) => r.account === account)
      if (names === undefined) return { repositories: all.map((r) => repositoryShape(ctx.core, r)) }
      return {
        repositories: names.map((name) => {
          const repo = all.find((r) => r.name === name)
          if (!repo) {
            throw new AwsError(
              'RepositoryNotFoundException',
              `The repository with name '${name}' does not exist in the registry with id '${account}'`,
            )
          }
          return repositoryShape(ctx.core, repo)
        }),
      }
    },
  },
}

export function createEcrPublicService(core: EmulatorCore): ServiceProtocol {
  const parse = (req: IncomingRequest): ParsedCall => parseJsonTarget(req, TARGET_PREFIX)
  const errorAnswer = jsonErrorAnswer

  const handle = async (req: IncomingRequest, call: CallRecord): Promise<Answer> => {
    const { credential, region, accessKeyId } = authenticate('ecr-public', req, core.state.credentials)
    call.accessKeyId = accessKeyId
    call.principalArn = credential.principal.arn
    call.region = region
    if (region !== ECR_PUBLIC_REGION) {
      throw new AwsError(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${region}'. `,
      )
    }
    const op = operations[call.operation]
    const model = operationModel('ecr-public', call.operation)
    if (!op || !model) {
      throw new AwsError(
        'UnknownOperationException',
        `Operation ${call.operation} is not supported by the emulator`,
      )
    }
    const { params, violations } = checkedJsonInput('ecr-public', model, req)
    if (violations.length > 0) throw new AwsError('InvalidParameterException', validationMessage(violations))
    const ctx: PublicContext = { core, principal: credential.principal, now: new Date() }
    for (const resource of op.resources(ctx, params)) {
      const repo = core.state.publicRepositories.find(
        (r) => publicRepositoryArn(r.account, r.name) === resource,
      )
      authorize(ctx.principal, `ecr-public:${call.operation}`, resource, repo)
    }
    const output = await op.handle(ctx, params)
    checkOutput('ecr-public', call.operation, model, output)
    return {
      status: 200,
      headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': call.requestId },
      body: toJson(output),
    }
  }

  return { name: 'ecr-public', parse, handle, errorAnswer }
}
