/**
 * Repository governance: create the repository when missing, apply the lifecycle policy as code
 * (only when it differs), preview what it would expire, and report the repository's settings.
 */
import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import * as path from 'node:path'
import * as core from '../core.js'
import { explainEcrError, findRepository } from '../ecr.js'
import { ActionError, InputError, errorMessage, errorName } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { missingRepositoryMessage } from '../push.js'
import { repositoryArn } from '../partition.js'
import type { Coverage, CoverageKind, ScanningConfiguration } from '../scanning.js'
import {
  stageResult,
  type Annotation,
  type AfterPush,
  type PreflightContext,
  type StageContext,
  type StageResult,
} from '../stage.js'
import {
  createRepositoryCall,
  describeCreationTemplates,
  getRescanDuration,
  getLifecyclePolicy,
  putLifecyclePolicy,
  runLifecyclePreview,
  type CreatedRepository,
  type RepositoryOrigin,
} from './aws.js'
import { rescanWarning, type RescanState } from './inspector.js'
import { checkLifecyclePolicy, samePolicy, type LifecyclePolicy } from './policy.js'
import {
  ensureRegistryScanning,
  registryScanningWant,
  type RegistryScanningDeps,
  type RegistryScanningOutcome,
} from './registry-scanning.js'
import { registryScanningAnnotations, registryScanningReport } from './registry-scanning-report.js'
import {
  candidatePrefixes,
  coveringTemplate,
  describeTemplate,
  templatePrefix,
  type CreationTemplate,
} from './templates.js'
import { summarizePreview } from './preview.js'
import { governanceSection, type GovernanceReport, type PolicyState, type PreviewState } from './section.js'
import {
  createRepositoryRequest,
  describeEncryption,
  describeMutability,
  coveragePhrase,
  movableTags,
  type MovableTags,
  settingsDifferences,
} from './settings.js'

/** Parsed and locally validated governance configuration (the lifecycle policy, …). */
export interface GovernancePlan {
  lifecyclePolicy?: {
    /** The file as the user named it (workspace-relative), for messages. */
    file: string
    policy: LifecyclePolicy
    /** The text sent to ECR. */
    text: string
  }
}

/** Bounded wait for the lifecycle preview. */
export const PREVIEW_TIMEOUT_MS = 60_000
export const PREVIEW_POLL_MS = 2_000

/** Reads and validates the lifecycle policy file: every problem, before any network call. */
export async function prepareGovernance(ctx: PreflightContext): Promise<GovernancePlan> {
  const file = ctx.inputs.lifecyclePolicy
  if (file === undefined) return {}
  const workspace = ctx.env.GITHUB_WORKSPACE || process.cwd()
  const rel = path.relative(workspace, file)
  const label = rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel
  const { readFile } = await import('node:fs/promises')
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError([
      code === 'ENOENT'
        ? `Invalid input 'lifecycle-policy': ${label} does not exist (looked in ${file}). Expected the path of a lifecycle policy JSON in the workspace, e.g. .github/ecr-lifecycle.json; check out the repository first (actions/checkout).`
        : `Invalid input 'lifecycle-policy': cannot read ${label} (${errorMessage(err)}). Expected a readable lifecycle policy JSON file.`,
    ])
  }
  const checked = checkLifecyclePolicy(raw, label)
  if (!checked.ok) throw new InputError(checked.problems)
  core.debug(`lifecycle policy ${label}: ${checked.policy.rules.length} rule(s), valid`)
  return { lifecyclePolicy: { file: label, policy: checked.policy, text: checked.text } }
}

/** Called when the repository does not exist and 'create-repository' is true. */
export async function createRepository(
  inputs: Inputs,
  ecr: ECRClient,
  registryId: string,
  env: NodeJS.ProcessEnv,
): Promise<CreatedRepository> {
  const arn = repositoryArn(inputs.region, registryId, inputs.repository)
  const request = createRepositoryRequest(inputs, registryId, env)
  let created
  try {
    created = await createRepositoryCall(ecr, request, () =>
      findRepository(ecr, inputs.repository, registryId),
    )
  } catch (err) {
    throw explainCreateError(err, inputs, arn)
  }
  if (created.origin === 'concurrent') {
    core.info(`Repository ${inputs.repository} was created by another job meanwhile: using it as it is`)
  } else {
    const enc = request.encryptionConfiguration
    core.info(
      `Created repository ${inputs.repository} in registry ${registryId} (scan-on-push on, tags ${request.imageTagMutability}, ` +
        `encryption ${enc.encryptionType}${enc.kmsKey ? ` ${enc.kmsKey}` : ''})`,
    )
  }
  if (created.untagged) {
    core.warning(
      `Created repository ${inputs.repository} without the created-by tags: ecr:TagResource was denied. ` +
        `Grant ecr:TagResource on ${arn} to tag repositories with the workflow that created them.`,
    )
  }
  return created
}

/**
 * Called when the repository does not exist and 'create-repository' is off: a CREATE_ON_PUSH
 * repository creation template that covers the name means the push creates it (the template is
 * returned); otherwise the error says what to do, and whether templates could be read at all.
 */
export async function repositoryFromTemplate(
  inputs: Inputs,
  ecr: ECRClient,
  registryId: string,
  account: string,
): Promise<CreationTemplate> {
  const missing = missingRepositoryMessage(inputs, registryId)
  if (registryId !== account) {
    // DescribeRepositoryCreationTemplates reads only the caller's own registry.
    throw new ActionError(missing)
  }
  let templates: CreationTemplate[]
  try {
    templates = await describeCreationTemplates(ecr, candidatePrefixes(inputs.repository))
  } catch (err) {
    const why =
      errorName(err) === 'AccessDeniedException'
        ? `ecr:DescribeRepositoryCreationTemplates was denied (${errorMessage(err)}); grant it on "*" to push to repositories that ECR creates from a CREATE_ON_PUSH template`
        : `${errorName(err) || 'Error'}: ${errorMessage(err)}`
    throw new ActionError(
      `${missing}. Whether a repository creation template would create it on push could not be checked: ${why}.`,
    )
  }
  const template = coveringTemplate(templates, inputs.repository)
  if (!template) throw new ActionError(missing)
  const arn = repositoryArn(inputs.region, registryId, inputs.repository)
  core.info(
    `Repository ${inputs.repository} does not exist: ECR creates it on push from creation template ${templatePrefix(template)} ` +
      `(${describeTemplate(template)}); the push needs ecr:CreateRepository on ${arn}`,
  )
  return template
}

function explainCreateError(err: unknown, inputs: Inputs, arn: string): Error {
  const name = errorName(err)
  const msg = errorMessage(err)
  if (name === 'AccessDeniedException') {
    return new ActionError(
      `ecr:CreateRepository was denied: ${msg}. Grant ecr:CreateRepository (and ecr:TagResource) on ${arn}, ` +
        `or create the repository once outside the workflow and drop 'create-repository'.`,
    )
  }
  if (name === 'KmsException') {
    return new ActionError(
      `Could not create repository ${inputs.repository} with KMS encryption: ${msg}. ` +
        `Check 'kms-key' (a key ID, ARN or alias in ${inputs.region}) and that the role may use it (kms:CreateGrant, kms:DescribeKey).`,
    )
  }
  if (
    name === 'InvalidParameterException' ||
    name === 'InvalidTagParameterException' ||
    name === 'TooManyTagsException'
  ) {
    return new ActionError(`ECR refused to create repository ${inputs.repository}: ${msg}`)
  }
  if (name === 'LimitExceededException') {
    return new ActionError(
      `ECR refused to create repository ${inputs.repository}: ${msg}. The registry is at its repository quota; ` +
        'delete unused repositories or ask AWS for a higher quota.',
    )
  }
  return explainEcrError('ecr:CreateRepository', err, arn)
}

/**
 * `registry-scanning: continuous | on-push`, before the push; undefined with `report`. Never throws:
 * a `failed` outcome carries the message the step fails with.
 */
export async function applyRegistryScanning(
  inputs: Inputs,
  deps: RegistryScanningDeps,
): Promise<RegistryScanningOutcome | undefined> {
  const want = registryScanningWant(inputs)
  return want && ensureRegistryScanning(deps, want)
}

/** What governance needs from the push, by name. */
export interface GovernanceDeps extends AfterPush {
  /** How the repository came to be: found, or created by this run (or another job meanwhile, or ECR on push). */
  origin: RepositoryOrigin | 'existing'
  /** The creation template ECR created the repository from (origin `template`). */
  template?: CreationTemplate | undefined
  /** The run's scanning configuration (shared with the gate). */
  scanning: ScanningConfiguration
  /** What `registry-scanning` did before the push; undefined with `report`. */
  registryScanning?: RegistryScanningOutcome | undefined
}

type GovernanceRun = StageContext & GovernanceDeps

/** After the push: lifecycle policy as code, preview, governance section of the summary. */
export async function runGovernance(
  context: StageContext,
  plan: GovernancePlan,
  deps: GovernanceDeps,
): Promise<StageResult> {
  const ctx: GovernanceRun = { ...context, ...deps }
  const { inputs, pushed, origin } = ctx
  const repo = await repositoryNow(ctx)
  const arn = repo?.repositoryArn ?? repositoryArn(inputs.region, pushed.registryId, inputs.repository)

  // Settings of an existing repository are reported, never changed.
  const differences =
    repo && inputs.createRepository && origin !== 'created' ? settingsDifferences(repo, inputs) : []
  const [{ coverage, rescan }, lifecycle] = await Promise.all([
    scanningFacts(ctx),
    plan.lifecyclePolicy ? applyLifecyclePolicy(ctx, plan.lifecyclePolicy, arn) : undefined,
  ])
  // Tags a later push can move: by the repository's setting and filters; guessed only when unknown.
  const movingTags = movableTags(repo, pushed.tags, ctx.env.GITHUB_SHA)

  const section = governanceSection({
    ...reportOf(ctx, repo),
    enhanced: coveragePhrase(coverage),
    rescan,
    differences,
    policy: lifecycle?.policy ?? { kind: 'none' },
    preview: lifecycle?.preview ?? { kind: 'skipped' },
    movingTags,
  })
  return stageResult({
    sections: { governance: section },
    annotations: [
      ...registryScanningAnnotations(ctx.registryScanning, inputs.region),
      ...rescanAnnotations(rescan, coverage.kind, inputs),
      ...governanceAnnotations(ctx, repo, differences, movingTags),
    ],
    ...(lifecycle?.failure ? { failure: lifecycle.failure } : {}),
  })
}

/** The run's coverage, and (continuous scanning only) how long Inspector keeps re-scanning. */
async function scanningFacts(ctx: GovernanceRun): Promise<{ coverage: Coverage; rescan: RescanState }> {
  const { coverage } = await ctx.scanning.coverage()
  // Only continuous scanning re-scans; the re-scan setting is the credentials' account's.
  if (coverage.kind !== 'CONTINUOUS_SCAN' || ctx.pushed.registryId !== ctx.identity.account) {
    return { coverage, rescan: { kind: 'skipped' } }
  }
  try {
    return {
      coverage,
      rescan: { kind: 'known', setting: await getRescanDuration(ctx.ecr, ctx.inputs.region) },
    }
  } catch (err) {
    const name = errorName(err)
    const reason =
      name === 'AccessDeniedException'
        ? 'inspector2:GetConfiguration denied'
        : `${name ? `${name}: ` : ''}${errorMessage(err)}`
    core.info(`Could not read Amazon Inspector's ECR re-scan duration (${reason}); optional.`)
    return { coverage, rescan: { kind: 'unknown', reason } }
  }
}

function rescanAnnotations(rescan: RescanState, coverage: CoverageKind, inputs: Inputs): Annotation[] {
  if (rescan.kind !== 'known') return []
  const message = rescanWarning(rescan.setting, coverage, inputs.repository, inputs.region)
  return message ? [{ level: 'warning', title: 'Continuous scanning lapses early', message }] : []
}

/** The parts of the section that come from the repository and the steps before the push. */
function reportOf(
  ctx: GovernanceRun,
  repo: Repository | undefined,
): Pick<
  GovernanceReport,
  'repository' | 'origin' | 'scanOnPush' | 'mutability' | 'encryption' | 'template' | 'registryScanning'
> {
  const { template, registryScanning } = ctx
  return {
    repository: ctx.inputs.repository,
    origin: ctx.origin,
    ...repositorySettings(repo),
    ...(template
      ? { template: { prefix: templatePrefix(template), settings: describeTemplate(template) } }
      : {}),
    ...(registryScanning ? { registryScanning: registryScanningReport(registryScanning) } : {}),
  }
}

/**
 * The repository as the push found it, or as ECR created it on push from a template (read now);
 * undefined: the role may not call DescribeRepositories (push.ts warned already).
 */
async function repositoryNow(ctx: GovernanceRun): Promise<Repository | undefined> {
  if (ctx.pushed.repository || ctx.origin !== 'template') return ctx.pushed.repository
  return findRepository(ctx.ecr, ctx.inputs.repository, ctx.pushed.registryId).catch(() => undefined)
}

/** The repository's settings as the summary shows them; unknown when it could not be read. */
function repositorySettings(
  repo: Repository | undefined,
): Pick<GovernanceReport, 'scanOnPush' | 'mutability' | 'encryption'> {
  if (!repo) {
    const unknown = 'unknown (ecr:DescribeRepositories denied)'
    return { scanOnPush: unknown, mutability: unknown, encryption: unknown }
  }
  return {
    scanOnPush: repo.imageScanningConfiguration?.scanOnPush === true ? 'on' : 'off',
    mutability: describeMutability(repo),
    encryption: describeEncryption(repo),
  }
}

/** A notice when the repository differs from the inputs; a warning for tags that move. */
function governanceAnnotations(
  ctx: GovernanceRun,
  repo: Repository | undefined,
  differences: string[],
  movingTags: MovableTags,
): Annotation[] {
  const { inputs } = ctx
  const annotations: Annotation[] = []
  if (differences.length > 0) {
    annotations.push({
      level: 'notice',
      message:
        `Repository ${inputs.repository} exists with other settings than the inputs ask for: ${differences.join('; ')}. ` +
        'This action does not change an existing repository: change it in the console or with the AWS CLI if wanted.',
    })
  }
  const moving = movingTagsWarning(ctx, repo, movingTags)
  if (moving) annotations.push(moving)
  return annotations
}

/** Deploy the digest, not a tag that a later push can move. */
function movingTagsWarning(
  ctx: GovernanceRun,
  repo: Repository | undefined,
  { tags, by }: MovableTags,
): Annotation | undefined {
  if (tags.length === 0) return undefined
  const one = tags.length === 1
  const list = tags.map((t) => `'${t}'`).join(', ')
  const deploy = `Deploy the digest-pinned image-ref output (${ctx.pushed.imageRef}) instead.`
  const where = `${one ? 'Tag' : 'Tags'} ${list} in ${ctx.inputs.repository}`
  // The setting unknown: push.ts has warned that it cannot be read; the summary shows the guess.
  if (!repo || by !== 'setting') return undefined
  return {
    level: 'warning',
    message:
      `${where} ${one ? 'is' : 'are'} mutable (${describeMutability(repo)}): a later push can move ${one ? 'it' : 'them'} to another image, ` +
      `so ${one ? 'it' : 'they'} may name something else by the time you deploy. ${deploy}`,
  }
}

interface LifecycleResult {
  policy: PolicyState
  preview: PreviewState
  failure?: string
}

async function applyLifecyclePolicy(
  ctx: GovernanceRun,
  desired: NonNullable<GovernancePlan['lifecyclePolicy']>,
  repositoryArn: string,
): Promise<LifecycleResult> {
  const { pushed, inputs } = ctx
  const { file, text, policy } = desired
  const failed = (reason: string, failure: string): LifecycleResult => ({
    policy: { kind: 'failed', file, reason },
    preview: { kind: 'skipped' },
    failure,
  })

  let current: string | undefined
  try {
    current = await getLifecyclePolicy(ctx.ecr, inputs.repository, pushed.registryId)
  } catch (err) {
    const e = explainEcrError('ecr:GetLifecyclePolicy', err, repositoryArn)
    return failed('the current policy could not be read', e.message)
  }

  let state: PolicyState
  if (samePolicy(current, text)) {
    core.info(`Lifecycle policy of ${inputs.repository} unchanged (${file})`)
    state = { kind: 'unchanged', file }
  } else {
    try {
      await putLifecyclePolicy(ctx.ecr, inputs.repository, pushed.registryId, text)
    } catch (err) {
      const name = errorName(err)
      if (name === 'InvalidParameterException' || name === 'ValidationException') {
        return failed(
          `ECR rejected it: ${errorMessage(err)}`,
          `ECR rejected the lifecycle policy in ${file}: ${errorMessage(err)}. Fix the file and re-run.`,
        )
      }
      const e = explainEcrError('ecr:PutLifecyclePolicy', err, repositoryArn)
      return failed('it could not be written', e.message)
    }
    core.info(
      `Applied lifecycle policy ${file} to ${inputs.repository}${current === undefined ? '' : ' (replaced a different policy)'}`,
    )
    state = { kind: 'applied', file, replaced: current !== undefined }
  }

  let preview: PreviewState
  try {
    const outcome = await runLifecyclePreview(ctx.ecr, inputs.repository, pushed.registryId, text, {
      sleep: ctx.sleep,
      clock: ctx.clock,
      timeoutMs: PREVIEW_TIMEOUT_MS,
      pollMs: PREVIEW_POLL_MS,
    })
    if (outcome.status === 'COMPLETE') {
      preview = { kind: 'done', summary: summarizePreview(policy, outcome.results) }
      const { total, transitions } = preview.summary
      core.info(
        `Lifecycle preview: ${total} image(s) would expire${transitions > 0 ? `, ${transitions} would move to archive` : ''}`,
      )
    } else {
      preview = { kind: 'unavailable', reason: outcome.detail }
      core.warning(`Lifecycle preview of ${inputs.repository} unavailable: ${outcome.detail}.`)
    }
  } catch (err) {
    const name = errorName(err)
    const reason =
      name === 'AccessDeniedException'
        ? 'ecr:StartLifecyclePolicyPreview / ecr:GetLifecyclePolicyPreview denied'
        : `${name ? `${name}: ` : ''}${errorMessage(err)}`
    preview = { kind: 'unavailable', reason }
    core.warning(
      `Lifecycle preview of ${inputs.repository} unavailable: ${reason}. The policy itself is ${state.kind}.`,
    )
  }
  return { policy: state, preview }
}
