/**
 * Repository settings: the CreateRepository request built from the inputs, how an existing
 * repository differs from them, how its scanning coverage reads, and which pushed tags can move.
 * Pure: no I/O.
 */
import type { Inputs, TagMutability } from '../inputs.js'
import { wildcardMatches } from '../registry.js'
import type { Coverage } from '../scanning.js'

/** The parts of ECR's Repository shape governance reads. */
export interface RepositorySettings {
  repositoryName?: string | undefined
  imageTagMutability?: string | undefined
  imageTagMutabilityExclusionFilters?:
    { filter?: string | undefined; filterType?: string | undefined }[] | undefined
  imageScanningConfiguration?: { scanOnPush?: boolean | undefined } | undefined
  encryptionConfiguration?: { encryptionType?: string | undefined; kmsKey?: string | undefined } | undefined
}

export interface CreateRepositoryRequest {
  repositoryName: string
  registryId: string
  imageTagMutability: TagMutability
  imageTagMutabilityExclusionFilters?: { filter: string; filterType: 'WILDCARD' }[]
  imageScanningConfiguration: { scanOnPush: true }
  encryptionConfiguration: { encryptionType: 'AES256' | 'KMS'; kmsKey?: string }
  tags: { Key: string; Value: string }[]
}

/** AWS tag values: letters, digits, spaces and _ . : / = + - @, up to 256 characters. */
const TAG_VALUE_BAD = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu

export function tagValue(raw: string): string {
  return raw.replace(TAG_VALUE_BAD, '_').slice(0, 256)
}

/** Tags naming the workflow that created the repository (from the runner's GITHUB_* env). */
export function creationTags(env: NodeJS.ProcessEnv): { Key: string; Value: string }[] {
  const repo = env.GITHUB_REPOSITORY || 'unknown'
  const workflow = env.GITHUB_WORKFLOW || 'unknown'
  const tags = [{ Key: 'created-by', Value: tagValue(`${repo}/${workflow}`) }]
  if (env.GITHUB_RUN_ID) {
    const server = env.GITHUB_SERVER_URL || 'https://github.com'
    tags.push({
      Key: 'created-by-run',
      Value: tagValue(`${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`),
    })
  }
  return tags
}

export function createRepositoryRequest(
  inputs: Inputs,
  registryId: string,
  env: NodeJS.ProcessEnv,
): CreateRepositoryRequest {
  return {
    repositoryName: inputs.repository,
    registryId,
    imageTagMutability: inputs.imageTagMutability,
    ...(inputs.imageTagMutabilityExclusions.length > 0
      ? {
          imageTagMutabilityExclusionFilters: inputs.imageTagMutabilityExclusions.map((filter) => ({
            filter,
            filterType: 'WILDCARD' as const,
          })),
        }
      : {}),
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: {
      encryptionType: inputs.encryption,
      ...(inputs.encryption === 'KMS' && inputs.kmsKey !== undefined ? { kmsKey: inputs.kmsKey } : {}),
    },
    tags: creationTags(env),
  }
}

/**
 * How an existing repository differs from what the inputs would create. Only meaningful with
 * `create-repository: true` (the inputs then state the wanted settings); never acted on.
 */
export function settingsDifferences(repo: RepositorySettings, inputs: Inputs): string[] {
  const out: string[] = []
  const mutability = mutabilityDifference(repo, inputs)
  if (mutability) out.push(mutability)
  if (repo.imageScanningConfiguration?.scanOnPush !== true) {
    out.push('scan-on-push is off (a created repository has it on)')
  }
  const enc = repo.encryptionConfiguration?.encryptionType ?? 'AES256'
  if (enc !== inputs.encryption) {
    out.push(`encryption is ${enc}, encryption asks for ${inputs.encryption}`)
  } else if (
    inputs.encryption === 'KMS' &&
    inputs.kmsKey !== undefined &&
    !kmsKeyMatches(repo.encryptionConfiguration?.kmsKey, inputs.kmsKey)
  ) {
    out.push(
      `the KMS key is ${repo.encryptionConfiguration?.kmsKey ?? 'the AWS managed key'}, kms-key asks for ${inputs.kmsKey}`,
    )
  }
  return out
}

/** How the repository's tag mutability (and its exclusion filters) differs from the inputs. */
function mutabilityDifference(repo: RepositorySettings, inputs: Inputs): string | undefined {
  const mutability = repo.imageTagMutability ?? 'MUTABLE'
  if (mutability !== inputs.imageTagMutability) {
    return `tag mutability is ${mutability}, image-tag-mutability asks for ${inputs.imageTagMutability}`
  }
  const have = exclusionFilters(repo)
  const want = inputs.imageTagMutabilityExclusions
  if (have.length === want.length && want.every((f) => have.includes(f))) return undefined
  const list = (l: string[]): string => (l.length > 0 ? l.map((f) => `\`${f}\``).join(', ') : 'none')
  return `the tag mutability exclusions are ${list(have)}, image-tag-mutability-exclusions asks for ${list(want)}`
}

/** A key ARN, alias ARN, alias name or key ID: equal when one ends with the other's ID part. */
function kmsKeyMatches(actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false
  if (actual === wanted) return true
  const id = (k: string): string => k.replace(/^arn:[^:]+:kms:[^:]*:\d*:/, '').replace(/^key\//, '')
  return id(actual) === id(wanted)
}

/** Whether the registry's enhanced scanning covers the repository, as one phrase for the summary. */
export function coveragePhrase(coverage: Coverage): string {
  switch (coverage.kind) {
    case 'UNKNOWN':
      return `unknown (${coverage.short})`
    case 'BASIC_SCAN_ON_PUSH':
    case 'BASIC_MANUAL':
      return `no (registry scanning is ${coverage.scanType})`
    case 'CONTINUOUS_SCAN':
    case 'SCAN_ON_PUSH':
      return coverage.filter === undefined
        ? `yes (${coverage.kind})`
        : `yes (${coverage.kind}, filter \`${coverage.filter}\`)`
    case 'NONE':
      return 'no (ENHANCED, but no scan-on-push or continuous rule matches this repository: it is never scanned)'
  }
}

/** Whether a tag can be moved to another image in a repository with these settings. */
export function tagIsMutable(repo: RepositorySettings, tag: string): boolean {
  const mode = repo.imageTagMutability ?? 'MUTABLE'
  const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some(
    (f) => f.filter !== undefined && wildcardMatches(f.filter, tag),
  )
  if (mode === 'MUTABLE') return true
  if (mode === 'IMMUTABLE') return false
  if (mode === 'MUTABLE_WITH_EXCLUSION') return !excluded
  if (mode === 'IMMUTABLE_WITH_EXCLUSION') return excluded
  return true
}

/**
 * The tag-form guess, for when the repository's setting cannot be read: a tag is taken to name one
 * image for good when it is derived from the commit (a run of 7 to 64 hex digits with both digits
 * and letters, e.g. the SHA or `sha-abc1234`, or the start of the run's GITHUB_SHA), carries a date
 * or build stamp (a run of 8 or more digits, e.g. `20240501` or `build-20240501.3`), or is a full
 * semantic version (`1.4.2`, `v2.0.0-rc.1`). Anything else (`latest`, `main`, `stable`, `v1`,
 * `1.4`, `pr-42`) is expected to move to another image on a later push.
 */
export function isMovingTag(tag: string, sha?: string): boolean {
  const lower = tag.toLowerCase()
  if (sha !== undefined && sha.length >= 7 && lower.includes(sha.slice(0, 7).toLowerCase())) return false
  for (const run of lower.match(/[0-9a-f]+/g) ?? []) {
    if (run.length >= 7 && run.length <= 64 && /[0-9]/.test(run) && /[a-f]/.test(run)) return false
    if (/^[0-9]{8,}$/.test(run)) return false
  }
  if (/^v?\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/i.test(tag)) return false
  return true
}

/** Pushed tags a later push can move to another image, and how that was judged. */
export interface MovableTags {
  tags: string[]
  /** `setting`: the repository's tag mutability and exclusion filters; `form`: guessed (unknown setting). */
  by: 'setting' | 'form'
}

/**
 * The pushed tags a later push can move: by the repository's real tag mutability and exclusion
 * filters when they are known; guessed from each tag's form (isMovingTag) only when they are not.
 */
export function movableTags(repo: RepositorySettings | undefined, tags: string[], sha?: string): MovableTags {
  if (repo) return { tags: tags.filter((t) => tagIsMutable(repo, t)), by: 'setting' }
  return { tags: tags.filter((t) => isMovingTag(t, sha)), by: 'form' }
}

export function describeEncryption(repo: RepositorySettings): string {
  const e = repo.encryptionConfiguration
  const type = e?.encryptionType ?? 'AES256'
  if (type === 'AES256') return 'AES256 (S3-managed keys)'
  return e?.kmsKey ? `${type} (${e.kmsKey})` : `${type} (AWS managed key aws/ecr)`
}

/** The repository's exclusion filters, as written. */
function exclusionFilters(repo: RepositorySettings): string[] {
  return (repo.imageTagMutabilityExclusionFilters ?? []).flatMap((f) => (f.filter ? [f.filter] : []))
}

export function describeMutability(repo: RepositorySettings): string {
  const mode = repo.imageTagMutability ?? 'MUTABLE'
  const filters = exclusionFilters(repo)
  return filters.length > 0 ? `${mode} (except ${filters.map((f) => `\`${f}\``).join(', ')})` : mode
}
