/**
 * ECR repository governance: CreateRepository, Get/PutLifecyclePolicy with ECR's validation of the
 * policy text, StartLifecyclePolicyPreview / GetLifecyclePolicyPreview computed from the
 * repository's images (`listRepositoryImages`: tagged, untagged, imagePushedAt).
 * GetRegistryScanningConfiguration lives in `ecr/scan.ts`.
 *
 * Scenario knobs, all optional, in `emulator.state.ext.governance` (see `GovernanceScenario`):
 * - `previewPolls`: GetLifecyclePolicyPreview answers IN_PROGRESS this many times before COMPLETE (default 1).
 * - `previewStatus`: end a preview FAILED or EXPIRED instead of COMPLETE.
 * - `createBarrier`: CreateRepository calls wait until this many are in flight (or 10 s), so that
 *   concurrent jobs really race.
 * - `kmsKeys`: when set, a kmsKey not in the list is a KmsException.
 * Per repository: `repo.ext.lifecyclePolicy` ({ text, lastEvaluatedAt? }), `repo.ext.lifecyclePreview`,
 * and per image `repo.ext.imageStates[digest]` ({ lastPulledAt?, archivedAt? }, see `setImageState`):
 * an image with `archivedAt` is in the ARCHIVE storage class; one never pulled counts from its push.
 *
 * Lifecycle rules of today's ECR (user guide, "Lifecycle policy properties", "Archiving an image"):
 * `storageClass` `standard` (default) or `archive`, the latter with (and only with) `countType`
 * `sinceImageTransitioned`; `countType` also `sinceImagePulled`; `action.type` `transition` with
 * `targetStorageClass: archive` (never for archived images); archived images stay at least 90 days.
 */
import { AwsError } from '../errors.ts'
import { authorize } from '../iam.ts'
import type { ImageTagMutability, RepositoryRecord, TagMutabilityExclusionFilter } from '../types.ts'
import { isRecord, sleep } from '../util.ts'
import {
  invalidParameter,
  operation,
  paginate,
  repositoryShape,
  type EcrContext,
  type EcrOperation,
} from './context.ts'
import { listRepositoryImages, type ImageInfo } from './images.ts'

export interface GovernanceScenario {
  previewPolls?: number
  previewStatus?: 'FAILED' | 'EXPIRED'
  createBarrier?: number
  kmsKeys?: string[]
}

export interface StoredLifecyclePolicy {
  text: string
  lastEvaluatedAt?: Date
}

interface PreviewRecord {
  text: string
  pollsLeft: number
  final: 'COMPLETE' | 'FAILED' | 'EXPIRED'
  results: Record<string, unknown>[]
}

const scenario = (ctx: EcrContext): GovernanceScenario =>
  (isRecord(ctx.state.ext.governance) ? ctx.state.ext.governance : {}) as GovernanceScenario

// ---- lifecycle policy validation, as ECR words it ---------------------------------------------------

const failure = (detail: string): AwsError =>
  invalidParameter(
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`,
  )

interface Rule {
  rulePriority: number
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any'
    tagPrefixList?: string[]
    tagPatternList?: string[]
    storageClass?: 'standard' | 'archive'
    countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned'
    countUnit?: 'days'
    countNumber: number
  }
  action: { type: 'expire' | 'transition'; targetStorageClass?: 'archive' }
}

/** What the lifecycle knows of an image besides its push (test helper state). */
export interface ImageState {
  lastPulledAt?: Date
  /** Set: the image is archived (storage class ARCHIVE) since then. */
  archivedAt?: Date
}

/** Test helper: the pull and archive history of one image. */
export function setImageState(repo: RepositoryRecord, digest: string, state: ImageState): void {
  const states = (repo.ext.imageStates ??= {}) as Record<string, ImageState>
  states[digest] = state
}

function imageState(repo: RepositoryRecord, digest: string): ImageState {
  const states = repo.ext.imageStates as Record<string, ImageState> | undefined
  return states?.[digest] ?? {}
}

const DAY_COUNTS = ['sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned']

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v

function checkObject(value: unknown, required: string[], allowed: string[]): Record<string, unknown> {
  if (!isRecord(value)) {
    throw failure(
      `instance type (${typeName(value)}) does not match any allowed primitive type (allowed: ["object"])`,
    )
  }
  const missing = required.filter((k) => value[k] === undefined)
  if (missing.length > 0) {
    throw failure(`object has missing required properties (${JSON.stringify(missing)})`)
  }
  const extra = Object.keys(value).filter((k) => !allowed.includes(k))
  if (extra.length > 0) {
    throw failure(
      `object instance has properties which are not allowed by the schema: ${JSON.stringify(extra)}`,
    )
  }
  return value
}

function checkEnum(value: unknown, allowed: string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw failure(
      `instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(allowed)})`,
    )
  }
}

function checkInteger(value: unknown, minimum: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw failure(
      `instance type (${typeName(value)}) does not match any allowed primitive type (allowed: ["integer"])`,
    )
  }
  if (value < minimum) {
    throw failure(
      `numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${value})`,
    )
  }
}

function checkStringList(value: unknown, pattern: boolean): void {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === '')) {
    throw failure(`array is too short or has non-string items (minItems: 1)`)
  }
  if (pattern) {
    for (const p of value as string[]) {
      if ((p.match(/\*/g)?.length ?? 0) > 4) {
        throw failure(`tagPatternList value "${p}" has more than 4 wildcard characters`)
      }
    }
  }
}

/** storageClass: `archive` with (and only with) sinceImageTransitioned. */
function checkStorage(sel: Record<string, unknown>): void {
  if (sel.storageClass !== undefined) checkEnum(sel.storageClass, ['standard', 'archive'])
  const archive = sel.storageClass === 'archive'
  if ((sel.countType === 'sinceImageTransitioned') !== archive) {
    throw failure(
      `countType 'sinceImageTransitioned' is only supported with storageClass 'archive', and storageClass 'archive' only with countType 'sinceImageTransitioned'`,
    )
  }
}

function checkAction(action: Record<string, unknown>, sel: Record<string, unknown>): void {
  if (action.type === 'transition') {
    if (action.targetStorageClass === undefined)
      throw failure(`object has missing required properties (["targetStorageClass"])`)
    checkEnum(action.targetStorageClass, ['archive'])
    if (sel.storageClass === 'archive')
      throw failure(`images in storageClass 'archive' cannot be transitioned to 'archive'`)
  } else if (action.targetStorageClass !== undefined) {
    throw failure(
      `object instance has properties which are not allowed by the schema: ["targetStorageClass"]`,
    )
  } else if (sel.storageClass === 'archive' && typeof sel.countNumber === 'number' && sel.countNumber < 90) {
    throw failure(
      `archived images have a minimum storage duration of 90 days; countNumber ${sel.countNumber} for storageClass 'archive' is lower`,
    )
  }
}

/** ECR's checks of a lifecycle policy text; the parsed rules when it passes. */
export function validateLifecyclePolicy(text: string): Rule[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw failure(
      `unable to parse the policy text as JSON: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  const top = checkObject(doc, ['rules'], ['rules'])
  if (!Array.isArray(top.rules) || top.rules.length === 0) {
    throw failure('array is too short: must have at least 1 elements but instance has 0 elements')
  }
  const rules: Rule[] = []
  for (const raw of top.rules as unknown[]) {
    const rule = checkObject(
      raw,
      ['rulePriority', 'selection', 'action'],
      ['rulePriority', 'description', 'selection', 'action'],
    )
    checkInteger(rule.rulePriority, 1)
    if (rule.description !== undefined && typeof rule.description !== 'string') {
      throw failure(
        `instance type (${typeName(rule.description)}) does not match any allowed primitive type (allowed: ["string"])`,
      )
    }
    const sel = checkObject(
      rule.selection,
      ['tagStatus', 'countType', 'countNumber'],
      [
        'tagStatus',
        'tagPrefixList',
        'tagPatternList',
        'storageClass',
        'countType',
        'countUnit',
        'countNumber',
      ],
    )
    checkEnum(sel.tagStatus, ['tagged', 'untagged', 'any'])
    checkEnum(sel.countType, [
      'imageCountMoreThan',
      'sinceImagePushed',
      'sinceImagePulled',
      'sinceImageTransitioned',
    ])
    checkInteger(sel.countNumber, 1)
    const lists = (sel.tagPrefixList !== undefined ? 1 : 0) + (sel.tagPatternList !== undefined ? 1 : 0)
    if (sel.tagStatus === 'tagged' ? lists !== 1 : lists !== 0) {
      throw failure(`instance failed to match exactly one schema (matched 0 out of 2)`)
    }
    if (sel.tagPrefixList !== undefined) checkStringList(sel.tagPrefixList, false)
    if (sel.tagPatternList !== undefined) checkStringList(sel.tagPatternList, true)
    if (DAY_COUNTS.includes(sel.countType as string)) {
      if (sel.countUnit === undefined) throw failure(`object has missing required properties (["countUnit"])`)
      checkEnum(sel.countUnit, ['days'])
    } else if (sel.countUnit !== undefined) {
      throw failure(`object instance has properties which are not allowed by the schema: ["countUnit"]`)
    }
    checkStorage(sel)
    const action = checkObject(rule.action, ['type'], ['type', 'targetStorageClass'])
    checkEnum(action.type, ['expire', 'transition'])
    checkAction(action, sel)
    rules.push(rule as unknown as Rule)
  }
  const priorities = rules.map((r) => r.rulePriority)
  const dup = priorities.find((p, i) => priorities.indexOf(p) !== i)
  if (dup !== undefined) {
    throw failure(
      `rulePriority ${dup} is used by more than one rule. Each rule must have a unique rulePriority`,
    )
  }
  const anys = rules.filter((r) => r.selection.tagStatus === 'any')
  const max = Math.max(...priorities)
  if (anys.length > 1 || (anys[0] !== undefined && anys[0].rulePriority !== max)) {
    throw failure(
      `The rule with tagStatus 'any' must have the highest rulePriority and there can be only one such rule`,
    )
  }
  return rules.sort((a, b) => a.rulePriority - b.rulePriority)
}

// ---- lifecycle evaluation --------------------------------------------------------------------------

function globMatch(pattern: string, tag: string): boolean {
  const source = pattern
    .split('*')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`).test(tag)
}

/** Whether a rule's selection takes the image: its storage class, then its tags (every prefix/pattern must match one). */
function selects(rule: Rule, image: LifecycleImage): boolean {
  const s = rule.selection
  if ((s.storageClass ?? 'standard') !== image.storageClass) return false
  if (s.tagStatus === 'any') return true
  if (s.tagStatus === 'untagged') return image.tags.length === 0
  if (image.tags.length === 0) return false
  if (s.tagPrefixList) return s.tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)))
  return (s.tagPatternList ?? []).every((p) => image.tags.some((t) => globMatch(p, t)))
}

/** An image as the lifecycle sees it. */
export interface LifecycleImage extends ImageInfo {
  storageClass: 'standard' | 'archive'
  lastPulledAt?: Date
  archivedAt?: Date
}

export function lifecycleImages(repo: RepositoryRecord, images: ImageInfo[]): LifecycleImage[] {
  return images.map((i) => {
    const st = imageState(repo, i.digest)
    return {
      ...i,
      storageClass: st.archivedAt ? 'archive' : 'standard',
      ...(st.lastPulledAt ? { lastPulledAt: st.lastPulledAt } : {}),
      ...(st.archivedAt ? { archivedAt: st.archivedAt } : {}),
    }
  })
}

/** The time a day-counting rule counts from (never pulled: the push). */
function countedFrom(rule: Rule, image: LifecycleImage): Date {
  const t = rule.selection.countType
  if (t === 'sinceImagePulled') return image.lastPulledAt ?? image.pushedAt
  if (t === 'sinceImageTransitioned') return image.archivedAt ?? image.pushedAt
  return image.pushedAt
}

/**
 * What the rules would do now, as ECR documents the evaluation: rules in rulePriority order;
 * images sorted newest first by imagePushedAt; an image is acted on by at most one rule, and never
 * by a rule of lower priority than one whose selection also takes it. The map gives each image's
 * rule and action.
 */
export function evaluateLifecycle(
  rules: Rule[],
  images: LifecycleImage[],
  now: Date,
): Map<string, { rulePriority: number; action: 'expire' | 'transition' }> {
  const acted = new Map<string, { rulePriority: number; action: 'expire' | 'transition' }>()
  rules.forEach((rule, index) => {
    const matched = images
      .filter((i) => selects(rule, i))
      .sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || a.digest.localeCompare(b.digest))
    const s = rule.selection
    const candidates =
      s.countType === 'imageCountMoreThan'
        ? matched.slice(s.countNumber)
        : matched.filter((i) => now.getTime() - countedFrom(rule, i).getTime() > s.countNumber * 86_400_000)
    for (const image of candidates) {
      if (acted.has(image.digest)) continue
      if (rules.slice(0, index).some((higher) => selects(higher, image))) continue
      acted.set(image.digest, { rulePriority: rule.rulePriority, action: rule.action.type })
    }
  })
  return acted
}

// ---- operations ------------------------------------------------------------------------------------

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u
let creationsInFlight = 0

function checkTags(tags: { Key: string; Value: string }[]): void {
  if (tags.length > 50)
    throw new AwsError('TooManyTagsException', 'The number of tags exceeds the limit of 50')
  for (const { Key, Value } of tags) {
    if (Key.length < 1 || Key.length > 128 || !TAG_CHARS.test(Key) || Key.toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidTagParameterException', `Invalid tag key: '${Key}'`)
    }
    if (Value.length > 256 || !TAG_CHARS.test(Value)) {
      throw new AwsError('InvalidTagParameterException', `Invalid tag value for key '${Key}': '${Value}'`)
    }
  }
  const keys = tags.map((t) => t.Key)
  if (new Set(keys).size !== keys.length)
    throw new AwsError('InvalidTagParameterException', 'Duplicate tag keys')
}

interface CreateRepositoryInput {
  registryId?: string
  repositoryName: string
  tags?: { Key: string; Value: string }[]
  imageTagMutability?: string
  imageTagMutabilityExclusionFilters?: TagMutabilityExclusionFilter[]
  imageScanningConfiguration?: { scanOnPush?: boolean }
  encryptionConfiguration?: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string }
}

interface RepositoryInput {
  registryId?: string
  repositoryName: string
}

interface PutLifecyclePolicyInput extends RepositoryInput {
  lifecyclePolicyText: string
}

interface StartPreviewInput extends RepositoryInput {
  lifecyclePolicyText?: string
}

interface GetPreviewInput extends RepositoryInput {
  imageIds?: { imageDigest?: string; imageTag?: string }[]
  nextToken?: string
  maxResults?: number
  filter?: { tagStatus?: 'TAGGED' | 'UNTAGGED' | 'ANY' }
}

function storedPolicy(repo: RepositoryRecord): StoredLifecyclePolicy | undefined {
  const p = repo.ext.lifecyclePolicy
  return isRecord(p) && typeof p.text === 'string' ? (p as unknown as StoredLifecyclePolicy) : undefined
}

const policyNotFound = (repo: RepositoryRecord): AwsError =>
  new AwsError(
    'LifecyclePolicyNotFoundException',
    `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
  )

async function repositoryImages(ctx: EcrContext, repo: RepositoryRecord): Promise<ImageInfo[]> {
  return ctx.registry ? listRepositoryImages(ctx, repo) : []
}

function previewSummary(results: Record<string, unknown>[]): Record<string, unknown> {
  const type = (r: Record<string, unknown>): unknown => (r.action as { type?: unknown } | undefined)?.type
  const transitions = results.filter((r) => type(r) === 'TRANSITION').length
  return {
    expiringImageTotalCount: results.filter((r) => type(r) === 'EXPIRE').length,
    ...(transitions > 0
      ? { transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: transitions }] }
      : {}),
  }
}

export const operations: Record<string, EcrOperation> = {
  CreateRepository: operation<CreateRepositoryInput>({
    async handle(ctx, input) {
      const arn = ctx.repositoryArn(input.repositoryName)
      const tags = input.tags ?? []
      // Tags on create need ecr:TagResource as well (ECR user guide, "tag on create").
      if (tags.length > 0) authorize(ctx.principal, 'ecr:TagResource', arn)
      checkTags(tags)
      const mutability = (input.imageTagMutability ?? 'MUTABLE') as ImageTagMutability
      const filters = input.imageTagMutabilityExclusionFilters
      const withExclusion =
        mutability === 'IMMUTABLE_WITH_EXCLUSION' || mutability === 'MUTABLE_WITH_EXCLUSION'
      if (withExclusion && (filters === undefined || filters.length === 0)) {
        throw invalidParameter(
          `imageTagMutabilityExclusionFilters are required when imageTagMutability is ${mutability}`,
        )
      }
      if (!withExclusion && filters !== undefined) {
        throw invalidParameter(
          'imageTagMutabilityExclusionFilters can only be used with MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION',
        )
      }
      const enc = input.encryptionConfiguration ?? { encryptionType: 'AES256' as const }
      if (enc.encryptionType === 'AES256' && enc.kmsKey !== undefined) {
        throw invalidParameter(
          "Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'KMS key should not be specified for AES256 encryption type'",
        )
      }
      const known = scenario(ctx).kmsKeys
      if (enc.kmsKey !== undefined && known !== undefined && !known.includes(enc.kmsKey)) {
        throw new AwsError('KmsException', `KMS key ${enc.kmsKey} not found or not accessible`)
      }
      const barrier = scenario(ctx).createBarrier
      if (barrier !== undefined) {
        creationsInFlight++
        const until = Date.now() + 10_000
        while (creationsInFlight < barrier && Date.now() < until) await sleep(20)
        await sleep(20)
        creationsInFlight = Math.max(0, creationsInFlight - 1)
      }
      if (ctx.core.findRepository(ctx.account, ctx.region, input.repositoryName)) {
        throw new AwsError(
          'RepositoryAlreadyExistsException',
          `The repository with name '${input.repositoryName}' already exists in the registry with id '${ctx.account}'`,
        )
      }
      const repo: RepositoryRecord = {
        account: ctx.account,
        region: ctx.region,
        name: input.repositoryName,
        createdAt: new Date(),
        imageTagMutability: mutability,
        scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
        encryption:
          enc.kmsKey !== undefined
            ? { encryptionType: enc.encryptionType, kmsKey: enc.kmsKey }
            : { encryptionType: enc.encryptionType },
        tags,
        ext: {},
      }
      if (withExclusion && filters) repo.imageTagMutabilityExclusionFilters = filters
      ctx.state.repositories.push(repo)
      return { repository: repositoryShape(ctx, repo) }
    },
  }),

  GetLifecyclePolicy: operation<RepositoryInput>({
    handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const policy = storedPolicy(repo)
      if (!policy) throw policyNotFound(repo)
      const out: Record<string, unknown> = {
        registryId: repo.account,
        repositoryName: repo.name,
        lifecyclePolicyText: policy.text,
      }
      if (policy.lastEvaluatedAt) out.lastEvaluatedAt = policy.lastEvaluatedAt
      return out
    },
  }),

  PutLifecyclePolicy: operation<PutLifecyclePolicyInput>({
    handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      validateLifecyclePolicy(input.lifecyclePolicyText)
      const stored: StoredLifecyclePolicy = { text: input.lifecyclePolicyText }
      repo.ext.lifecyclePolicy = stored
      return {
        registryId: repo.account,
        repositoryName: repo.name,
        lifecyclePolicyText: input.lifecyclePolicyText,
      }
    },
  }),

  StartLifecyclePolicyPreview: operation<StartPreviewInput>({
    async handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const running = repo.ext.lifecyclePreview as PreviewRecord | undefined
      if (running && running.pollsLeft > 0) {
        throw new AwsError(
          'LifecyclePolicyPreviewInProgressException',
          `The previous lifecycle policy preview request has not completed for the repository with name '${repo.name}' in the registry with id '${repo.account}'. Please try again later.`,
        )
      }
      const text = input.lifecyclePolicyText ?? storedPolicy(repo)?.text
      if (text === undefined) throw policyNotFound(repo)
      const rules = validateLifecyclePolicy(text)
      const images = lifecycleImages(repo, await repositoryImages(ctx, repo))
      const acted = evaluateLifecycle(rules, images, ctx.now)
      const results = images.flatMap((i) => {
        const a = acted.get(i.digest)
        if (!a) return []
        const r: Record<string, unknown> = {
          imageDigest: i.digest,
          imagePushedAt: i.pushedAt,
          action:
            a.action === 'transition'
              ? { type: 'TRANSITION', targetStorageClass: 'ARCHIVE' }
              : { type: 'EXPIRE' },
          appliedRulePriority: a.rulePriority,
          storageClass: i.storageClass === 'archive' ? 'ARCHIVE' : 'STANDARD',
        }
        if (i.tags.length > 0) r.imageTags = i.tags
        return [r]
      })
      const s = scenario(ctx)
      const record: PreviewRecord = {
        text,
        pollsLeft: s.previewPolls ?? 1,
        final: s.previewStatus ?? 'COMPLETE',
        results,
      }
      repo.ext.lifecyclePreview = record
      return {
        registryId: repo.account,
        repositoryName: repo.name,
        lifecyclePolicyText: text,
        status: 'IN_PROGRESS',
      }
    },
  }),

  GetLifecyclePolicyPreview: operation<GetPreviewInput>({
    handle(ctx, input) {
      const repo = ctx.requireRepository(input.repositoryName)
      const preview = repo.ext.lifecyclePreview as PreviewRecord | undefined
      if (!preview) {
        throw new AwsError(
          'LifecyclePolicyPreviewNotFoundException',
          `There is no dry run for the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
        )
      }
      const base = { registryId: repo.account, repositoryName: repo.name, lifecyclePolicyText: preview.text }
      if (preview.pollsLeft > 0) {
        preview.pollsLeft--
        return { ...base, status: 'IN_PROGRESS' }
      }
      if (preview.final !== 'COMPLETE') return { ...base, status: preview.final }
      let selected = preview.results
      const status = input.filter?.tagStatus ?? 'ANY'
      if (status !== 'ANY')
        selected = selected.filter((r) => (status === 'TAGGED') === (r.imageTags !== undefined))
      if (input.imageIds) {
        const ids = input.imageIds
        selected = selected.filter((r) =>
          ids.some(
            (id) =>
              (id.imageDigest === undefined || id.imageDigest === r.imageDigest) &&
              (id.imageTag === undefined ||
                ((r.imageTags as string[] | undefined) ?? []).includes(id.imageTag)),
          ),
        )
      }
      const { page, nextToken } = paginate(ctx, selected, input)
      const out: Record<string, unknown> = {
        ...base,
        status: 'COMPLETE',
        previewResults: page,
        summary: previewSummary(preview.results),
      }
      if (nextToken) out.nextToken = nextToken
      return out
    },
  }),
}
