/** What an ECR operation handler gets, and how operations are declared. */
import { AwsError } from '../errors.ts'
import type { RegistryClient } from '../registry-client.ts'
import type { EmulatorCore, EmulatorState } from '../state.ts'
import type { Principal, RepositoryRecord } from '../types.ts'
import { decodeToken, encodeToken, isRecord } from '../util.ts'

export interface EcrContext {
  core: EmulatorCore
  state: EmulatorState
  operation: string
  principal: Principal
  /** Region of the call (its SigV4 credential scope). */
  region: string
  /** The registry the call targets: `registryId` from the input, else the caller's account. */
  account: string
  /**
   * The real registry as the target account's registry (DescribeImages, BatchGetImage read it);
   * undefined when none was configured.
   */
  registry: RegistryClient | undefined
  now: Date
  repositoryArn(name: string): string
  /** The repository in the target account and region, or RepositoryNotFoundException. */
  requireRepository(name: string): RepositoryRecord
}

export interface EcrOperation {
  /**
   * IAM resources the call needs `ecr:<Operation>` on. Default: the repository named by
   * `repositoryName`, each of `repositoryNames` (else `repository/*`), `resourceArn`, or `*` for
   * registry-level operations.
   */
  resources?: (ctx: EcrContext, input: Record<string, unknown>) => string[]
  handle: (ctx: EcrContext, input: Record<string, unknown>) => unknown
}

/**
 * Declare an operation with a typed input (the dispatcher has validated the input against the
 * model before the handler runs, so the cast is safe for members the model describes).
 */
export function operation<I>(op: {
  resources?: (ctx: EcrContext, input: I) => string[]
  handle: (ctx: EcrContext, input: I) => unknown
}): EcrOperation {
  return op as unknown as EcrOperation
}

export function repositoryNotFound(name: string, account: string): AwsError {
  return new AwsError(
    'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '${account}'`,
  )
}

export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message)
}

/** ECR's `Repository` shape of a repository record. */
export function repositoryShape(ctx: EcrContext, repo: RepositoryRecord): Record<string, unknown> {
  const encryptionConfiguration: Record<string, unknown> = { encryptionType: repo.encryption.encryptionType }
  if (repo.encryption.kmsKey) encryptionConfiguration.kmsKey = repo.encryption.kmsKey
  return {
    repositoryArn: `arn:aws:ecr:${repo.region}:${repo.account}:repository/${repo.name}`,
    registryId: repo.account,
    repositoryName: repo.name,
    repositoryUri: `${ctx.core.registryHost(repo.account, repo.region)}/${repo.name}`,
    createdAt: repo.createdAt,
    imageTagMutability: repo.imageTagMutability,
    ...(repo.imageTagMutabilityExclusionFilters
      ? { imageTagMutabilityExclusionFilters: repo.imageTagMutabilityExclusionFilters }
      : {}),
    imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
    encryptionConfiguration,
  }
}

const DEFAULT_PAGE = 100

/** One page of `items` for maxResults/nextToken; the token is bound to the operation. */
export function paginate<T>(
  ctx: EcrContext,
  items: readonly T[],
  input: { maxResults?: number; nextToken?: string },
): { page: T[]; nextToken?: string } {
  let offset = 0
  if (input.nextToken !== undefined) {
    const token = decodeToken(input.nextToken)
    if (!isRecord(token) || token.op !== ctx.operation || typeof token.offset !== 'number') {
      throw invalidParameter(
        "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'",
      )
    }
    offset = token.offset
  }
  const size = input.maxResults ?? DEFAULT_PAGE
  const page = items.slice(offset, offset + size)
  const next = offset + size
  return next < items.length
    ? { page, nextToken: encodeToken({ op: ctx.operation, offset: next }) }
    : { page }
}
