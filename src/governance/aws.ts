/**
 * The ECR calls of repository governance, each a thin wrapper that receives its client. Decisions
 * live in policy.ts, settings.ts and preview.ts.
 */
import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import { errorName } from '../errors.js'
import type { Clock, Sleep } from '../retry.js'
import type { RegistryConfig } from '../scanning.js'
import { normalizePolicyText } from './policy.js'
import type { PreviewResult } from './preview.js'
import type { CreateRepositoryRequest } from './settings.js'
import type { CreationTemplate } from './templates.js'
import { ecrSdk, inspectorSdk, type EcrSdk } from '../sdk.js'
import type { RescanSetting } from './inspector.js'

/** created: by this run; concurrent: by another job meanwhile; template: by ECR on push. */
export type RepositoryOrigin = 'created' | 'concurrent' | 'template'

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

/** One preview run: the repository, the policy, and its bounded wait. */
interface PreviewRun {
  ecr: ECRClient
  sdk: EcrSdk
  repositoryName: string
  registryId: string
  lifecyclePolicyText: string
  /** Sleeps one poll interval; false when that would pass the budget. */
  wait: () => Promise<boolean>
  timeout: (what: string) => PreviewOutcome
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
  const started = opts.clock()
  const run: PreviewRun = {
    ecr,
    sdk: await ecrSdk(),
    repositoryName,
    registryId,
    lifecyclePolicyText,
    wait: async () => {
      if (opts.clock() - started + opts.pollMs > opts.timeoutMs) return false
      await opts.sleep(opts.pollMs)
      return true
    },
    timeout: (what) => ({
      status: 'TIMEOUT',
      detail: `${what} after ${Math.round((opts.clock() - started) / 1000)} s`,
    }),
  }
  const startFailure = await startPreview(run)
  return startFailure ?? awaitPreview(run)
}

/** Starts the preview; only one runs per repository at a time, another job's may be under way. */
async function startPreview(run: PreviewRun): Promise<PreviewOutcome | undefined> {
  const { repositoryName, registryId, lifecyclePolicyText } = run
  for (;;) {
    try {
      await run.ecr.send(
        new run.sdk.StartLifecyclePolicyPreviewCommand({ repositoryName, registryId, lifecyclePolicyText }),
      )
      return undefined
    } catch (err) {
      if (errorName(err) !== 'LifecyclePolicyPreviewInProgressException') throw err
      if (!(await run.wait())) return run.timeout('another preview of this repository was still running')
    }
  }
}

/** Polls until the preview of this policy ends, then reads every page of it. */
async function awaitPreview(run: PreviewRun): Promise<PreviewOutcome> {
  const { repositoryName, registryId } = run
  const wanted = normalizePolicyText(run.lifecyclePolicyText)
  for (;;) {
    let out
    try {
      out = await run.ecr.send(
        new run.sdk.GetLifecyclePolicyPreviewCommand({ repositoryName, registryId, maxResults: 100 }),
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
      return { status: 'COMPLETE', results: await allResults(run, out.previewResults, out.nextToken) }
    }
    if (!(await run.wait())) return run.timeout('the preview was still in progress')
  }
}

async function allResults(
  run: PreviewRun,
  first: PreviewResult[] | undefined,
  nextToken: string | undefined,
): Promise<PreviewResult[]> {
  const results: PreviewResult[] = [...(first ?? [])]
  let token = nextToken
  while (token) {
    const page = await run.ecr.send(
      new run.sdk.GetLifecyclePolicyPreviewCommand({
        repositoryName: run.repositoryName,
        registryId: run.registryId,
        maxResults: 100,
        nextToken: token,
      }),
    )
    results.push(...(page.previewResults ?? []))
    token = page.nextToken
  }
  return results
}

/** PutRegistryScanningConfiguration: the whole configuration (it replaces every rule). */
export async function putRegistryScanning(ecr: ECRClient, config: RegistryConfig): Promise<void> {
  const { PutRegistryScanningConfigurationCommand } = await ecrSdk()
  await ecr.send(
    new PutRegistryScanningConfigurationCommand({
      scanType: config.scanType as 'BASIC' | 'ENHANCED',
      rules: config.rules.map((r) => ({
        scanFrequency: r.scanFrequency as 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL',
        repositoryFilters: r.repositoryFilters.map((f) => ({
          filter: f.filter,
          filterType: f.filterType as 'WILDCARD',
        })),
      })),
    }),
  )
}

/** DescribeRepositoryCreationTemplates for these prefixes, every page (the caller's registry). */
export async function describeCreationTemplates(
  ecr: ECRClient,
  prefixes: string[],
): Promise<CreationTemplate[]> {
  const { DescribeRepositoryCreationTemplatesCommand } = await ecrSdk()
  const out: CreationTemplate[] = []
  let nextToken: string | undefined
  // A few prefixes match a few templates; a token that never ends is not followed for ever.
  for (let pages = 0; pages < 10; pages++) {
    const page = await ecr.send(
      new DescribeRepositoryCreationTemplatesCommand({
        prefixes,
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
    )
    out.push(...(page.repositoryCreationTemplates ?? []))
    nextToken = page.nextToken
    if (!nextToken) break
  }
  return out
}

/**
 * Amazon Inspector's ECR re-scan duration (inspector2:GetConfiguration) of the credentials'
 * account, with the ECR client's credentials, in its region.
 */
export async function getRescanDuration(ecr: ECRClient, region: string): Promise<RescanSetting> {
  const { Inspector2Client, GetConfigurationCommand } = await inspectorSdk()
  const client = new Inspector2Client({
    region,
    credentials: ecr.config.credentials,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5000, requestTimeout: 15000 },
  })
  try {
    const out = await client.send(new GetConfigurationCommand({}))
    const s = out.ecrConfiguration?.rescanDurationState
    return {
      rescanDuration: s?.rescanDuration,
      pullDateRescanDuration: s?.pullDateRescanDuration,
      pullDateRescanMode: s?.pullDateRescanMode,
      status: s?.status,
    }
  } finally {
    client.destroy()
  }
}
