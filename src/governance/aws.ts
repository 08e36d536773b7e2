/**
 * The ECR calls of repository governance, each a thin wrapper that receives its client. Decisions
 * live in policy.ts, settings.ts and preview.ts.
 */
import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import { errorName } from '../errors.js'
import type { Clock, Sleep } from '../retry.js'
import { normalizePolicyText } from './policy.js'
import type { PreviewResult } from './preview.js'
import type { CreateRepositoryRequest } from './settings.js'
import { ecrSdk } from '../sdk.js'

export type RepositoryOrigin = 'created' | 'concurrent'

export interface CreatedRepository {
  repository: Repository
  origin: RepositoryOrigin
  /** The tags were dropped because ecr:TagResource was denied. */
  untagged: boolean
}

/**
 * CreateRepository. RepositoryAlreadyExistsException (another job created it a moment ago) is
 * success: the repository is then read back. A denied ecr:TagResource (needed for tags on create)
 * creates it without tags.
 */
export async function createRepositoryCall(
  ecr: ECRClient,
  request: CreateRepositoryRequest,
  describe: () => Promise<Repository | undefined>,
): Promise<CreatedRepository> {
  const { CreateRepositoryCommand } = await ecrSdk()
  const attempt = async (tags: boolean): Promise<CreatedRepository> => {
    const { tags: tagList, ...rest } = request
    try {
      const out = await ecr.send(new CreateRepositoryCommand(tags && tagList.length > 0 ? request : rest))
      if (!out.repository) throw new Error('CreateRepository answered without the repository')
      return { repository: out.repository, origin: 'created', untagged: !tags }
    } catch (err) {
      const name = errorName(err)
      if (name === 'RepositoryAlreadyExistsException') {
        const repository = await describe()
        if (!repository) throw err
        return { repository, origin: 'concurrent', untagged: false }
      }
      if (
        tags &&
        name === 'AccessDeniedException' &&
        /ecr:TagResource/.test(String((err as Error).message))
      ) {
        return attempt(false)
      }
      throw err
    }
  }
  return attempt(true)
}

/** The repository's lifecycle policy text, or undefined when it has none. */
export async function getLifecyclePolicy(
  ecr: ECRClient,
  repositoryName: string,
  registryId: string,
): Promise<string | undefined> {
  const { GetLifecyclePolicyCommand } = await ecrSdk()
  try {
    const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName, registryId }))
    return out.lifecyclePolicyText
  } catch (err) {
    if (errorName(err) === 'LifecyclePolicyNotFoundException') return undefined
    throw err
  }
}

export async function putLifecyclePolicy(
  ecr: ECRClient,
  repositoryName: string,
  registryId: string,
  lifecyclePolicyText: string,
): Promise<void> {
  const { PutLifecyclePolicyCommand } = await ecrSdk()
  await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, registryId, lifecyclePolicyText }))
}

export type PreviewOutcome =
  | { status: 'COMPLETE'; results: PreviewResult[] }
  | { status: 'FAILED' | 'EXPIRED' | 'TIMEOUT' | 'REPLACED'; detail: string }

export interface PreviewOptions {
  sleep: Sleep
  clock: Clock
  /** Whole wait budget. */
  timeoutMs: number
  /** Between polls. */
  pollMs: number
}

/**
 * StartLifecyclePolicyPreview with the policy text, then GetLifecyclePolicyPreview until it leaves
 * IN_PROGRESS (bounded by `timeoutMs`), every page of results.
 */
export async function runLifecyclePreview(
  ecr: ECRClient,
  repositoryName: string,
  registryId: string,
  lifecyclePolicyText: string,
  opts: PreviewOptions,
): Promise<PreviewOutcome> {
  const { StartLifecyclePolicyPreviewCommand, GetLifecyclePolicyPreviewCommand } = await ecrSdk()
  const started = opts.clock()
  const timeout = (what: string): PreviewOutcome => ({
    status: 'TIMEOUT',
    detail: `${what} after ${Math.round((opts.clock() - started) / 1000)} s`,
  })
  const wait = async (): Promise<boolean> => {
    if (opts.clock() - started + opts.pollMs > opts.timeoutMs) return false
    await opts.sleep(opts.pollMs)
    return true
  }

  // Only one preview runs per repository at a time: another job's may be under way.
  for (;;) {
    try {
      await ecr.send(
        new StartLifecyclePolicyPreviewCommand({ repositoryName, registryId, lifecyclePolicyText }),
      )
      break
    } catch (err) {
      if (errorName(err) !== 'LifecyclePolicyPreviewInProgressException') throw err
      if (!(await wait())) return timeout('another preview of this repository was still running')
    }
  }

  const wanted = normalizePolicyText(lifecyclePolicyText)
  for (;;) {
    let out
    try {
      out = await ecr.send(
        new GetLifecyclePolicyPreviewCommand({ repositoryName, registryId, maxResults: 100 }),
      )
    } catch (err) {
      if (errorName(err) !== 'LifecyclePolicyPreviewNotFoundException') throw err
      out = undefined
    }
    if (out?.lifecyclePolicyText !== undefined && normalizePolicyText(out.lifecyclePolicyText) !== wanted) {
      return { status: 'REPLACED', detail: 'another job started a preview of a different policy meanwhile' }
    }
    const status = out?.status ?? 'IN_PROGRESS'
    if (status === 'FAILED' || status === 'EXPIRED') {
      return { status, detail: `ECR reports the preview ${status}` }
    }
    if (status === 'COMPLETE' && out) {
      const results: PreviewResult[] = [...(out.previewResults ?? [])]
      let token = out.nextToken
      while (token) {
        const page = await ecr.send(
          new GetLifecyclePolicyPreviewCommand({
            repositoryName,
            registryId,
            maxResults: 100,
            nextToken: token,
          }),
        )
        results.push(...(page.previewResults ?? []))
        token = page.nextToken
      }
      return { status: 'COMPLETE', results }
    }
    if (!(await wait())) return timeout('the preview was still in progress')
  }
}
