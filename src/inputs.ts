import * as path from 'node:path'
import { setSecret } from './core.js'
import { InputError } from './errors.js'
import { budgetProblem } from './gate/decision.js'
import { parseImageSource, type ImageSource } from './oci/source.js'
import { ARN_PARTITION, arn, closestRegion, isKnownRegion, partitionOf, partitionOfArn } from './partition.js'
import { filterMatches } from './scanning.js'
import {
  MAX_MANAGED_POLICIES,
  SESSION_POLICY_LIMIT,
  managedPolicyProblem,
  parseInlinePolicy,
} from './session-policy.js'
import { THRESHOLDS, type Threshold } from './severity.js'

export interface Inputs {
  // Credentials
  roleToAssume?: string
  region: string
  audience: string
  roleSessionName: string
  roleDurationSeconds: number
  allowedAccountIds: string[]
  /** Assume role-to-assume with the environment's credentials (sts:AssumeRole), not the OIDC token. */
  roleChaining: boolean
  /** The ExternalId of that AssumeRole (role chaining only). */
  roleExternalId?: string
  /** The inline session policy as it is sent: validated, white space between tokens removed. */
  inlineSessionPolicy?: string
  /** Managed session policy ARNs. */
  managedSessionPolicies: string[]
  // Push
  /** The image to push: for the docker engine, the local reference (without `docker-daemon:`). '' with push: false. */
  image: string
  /** Where the image comes from (issue 12): the docker engine, an OCI layout or archive, a docker save archive. */
  imageSource: ImageSource
  /** false: push nothing, work on the image ECR holds (image-digest, or the first tag). */
  push: boolean
  /** With push: false, the digest to work on. */
  imageDigest?: string
  repository: string
  tags: string[]
  registryId?: string
  keepLogin: boolean
  /** `private`: Amazon ECR. `public`: Amazon ECR Public (no scanning, no governance). */
  registryType: RegistryType
  // Repository governance
  createRepository: boolean
  imageTagMutability: TagMutability
  /** Wildcard tag filters exempt from the mutability setting (only with a `_WITH_EXCLUSION` value). */
  imageTagMutabilityExclusions: string[]
  encryption: 'AES256' | 'KMS'
  kmsKey?: string
  /** Absolute path of the lifecycle policy file. */
  lifecyclePolicy?: string
  /** `report`: only say how scanning covers the repository; else make ENHANCED scanning cover it. */
  registryScanning: RegistryScanningMode
  /** The WILDCARD filter `registry-scanning` adds (default: the repository name). */
  registryScanningFilter: string
  /** Allows switching a BASIC registry to ENHANCED. */
  registryScanningSwitch: boolean
  // Scan gate
  waitForScan: boolean
  scanTimeoutSeconds: number
  scanSettleSeconds: number
  severityThreshold: Threshold
  /** Raw `ignore` text: one entry a line (parsed by the gate's policy module). */
  ignore: string
  /** Absolute path of the ignore file. */
  ignoreFile?: string
  onlyFixable: boolean
  onScanUnavailable: 'fail' | 'warn'
  /** Absolute path for the SARIF file; undefined: none. */
  sarifFile?: string
  /**
   * The image's Dockerfile as code scanning names it: relative to the workspace (the repository's
   * checkout), with forward slashes, e.g. `docker/app/Dockerfile`. Where SARIF results point.
   */
  dockerfile: string
  summary: boolean
  /** Keep one comment with the verdict on the pull request (pull_request events only). */
  prComment: boolean
  /** Token for the pull request comment; masked when read. '' when unset. */
  githubToken: string
  // Audit
  audit: boolean
  failOnSecrets: boolean
  /** Absolute path of the export directory. */
  exportFilesystem?: string
}

export const TAG_MUTABILITIES = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
] as const
export type TagMutability = (typeof TAG_MUTABILITIES)[number]

export const REGISTRY_TYPES = ['private', 'public'] as const
export type RegistryType = (typeof REGISTRY_TYPES)[number]

export const REGISTRY_SCANNING_MODES = ['report', 'continuous', 'on-push'] as const
export type RegistryScanningMode = (typeof REGISTRY_SCANNING_MODES)[number]

/** Reads one input's raw value ('' when unset), as `core.getInput` does. */
export type InputGetter = (name: string) => string

export const ROLE_ARN = new RegExp(
  `^arn:${ARN_PARTITION}:iam::(\\d{12}):role\\/(?:[\\w+=,.@-]+\\/)*([\\w+=,.@-]{1,64})$`,
)
const EXAMPLE_ROLE = arn({
  service: 'iam',
  region: '',
  account: '123456789012',
  resource: 'role/github-ecr-push',
})
export const REGION = /^[a-z]{2,4}(?:-[a-z0-9]+)*-[a-z]+-\d{1,2}$/
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/
export const ACCOUNT_ID = /^\d{12}$/
/** STS's externalIdType: 2-1224 characters. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/
/** ECR's repositoryName pattern (aws-model), 2–256 characters. */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/
/** Docker's tag grammar, as ECR accepts it (1–300 characters for ECR, 128 for docker). */
export const TAG = /^[\w][\w.-]{0,127}$/
/** A local image reference: [host[:port]/]name[:tag][@digest], or an image ID (full or short). */
const IMAGE_REF =
  /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/
/** ECR's ScanningRepositoryFilterValue (aws-model), 1–255 characters. */
export const SCANNING_FILTER = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/
/** ECR's ImageTagMutabilityExclusionFilterValue (aws-model); at most 5 filters. */
export const TAG_EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/
export const MAX_TAG_EXCLUSIONS = 5

/** Splits a list input on newlines and commas, trimming and dropping blanks. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/** Reads raw input values and collects every problem, each naming the input and the expected form. */
class InputReader {
  readonly problems: string[] = []
  private readonly get: InputGetter
  private readonly workspace: string

  constructor(get: InputGetter, workspace: string) {
    this.get = get
    this.workspace = workspace
  }

  workspacePath(): string {
    return this.workspace
  }

  bad(name: string, value: string, expected: string): void {
    this.problems.push(`Invalid input '${name}': '${value}'. Expected ${expected}.`)
  }

  missing(problem: string): void {
    this.problems.push(problem)
  }

  /** The value as given (lists and free text keep their own layout). */
  verbatim(name: string): string {
    return this.get(name)
  }

  raw(name: string): string {
    return this.get(name).trim()
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.raw(name)
    if (v === '') return dflt
    if (TRUE.includes(v)) return true
    if (FALSE.includes(v)) return false
    this.bad(name, v, 'true or false')
    return dflt
  }

  int(name: string, dflt: number, min: number, max: number): number {
    const v = this.raw(name)
    if (v === '') return dflt
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.bad(name, v, `a whole number of seconds from ${min} to ${max}`)
      return dflt
    }
    return Number(v)
  }

  oneOf<T extends string>(name: string, dflt: T, allowed: readonly T[]): T {
    const v = this.raw(name)
    if (v === '') return dflt
    const found = allowed.find((a) => a.toLowerCase() === v.toLowerCase())
    if (found === undefined) this.bad(name, v, `one of ${allowed.join(', ')}`)
    return found ?? dflt
  }

  /** An absolute path (relative ones are in the workspace); undefined when empty. */
  filePath(name: string): string | undefined {
    const v = this.raw(name)
    if (v === '') return undefined
    if (v.includes('\0')) {
      this.bad(name, v, 'a file path')
      return undefined
    }
    return path.resolve(this.workspace, v)
  }

  /**
   * A file in the repository, relative to the workspace (an absolute path inside it is made
   * relative), with forward slashes: how code scanning names files. `dflt` when empty.
   */
  repoPath(name: string, dflt: string): string {
    const v = this.raw(name) || dflt
    const expected = `a file path in the repository, relative to the workspace, e.g. ${dflt} or docker/app/${dflt}`
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v)) {
      this.bad(name, v, expected)
      return dflt
    }
    const rel = path.relative(this.workspace, path.resolve(this.workspace, v))
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      this.bad(name, v, `${expected} (inside the workspace)`)
      return dflt
    }
    return rel.split(path.sep).join('/')
  }
}

/** `{ [key]: value }`, or nothing when the value is undefined or empty (optional inputs). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>)
}

type CredentialInputs = Pick<
  Inputs,
  'roleToAssume' | 'region' | 'audience' | 'roleSessionName' | 'roleDurationSeconds' | 'allowedAccountIds'
>

/** aws-region, or the runner's AWS_REGION / AWS_DEFAULT_REGION; '' when missing or bad. */
function regionInput(r: InputReader, env: NodeJS.ProcessEnv): string {
  const region = r.raw('aws-region') || (env.AWS_REGION ?? '').trim() || (env.AWS_DEFAULT_REGION ?? '').trim()
  if (region === '') {
    r.missing(
      "Missing input 'aws-region': set it (e.g. aws-region: us-east-1) or the AWS_REGION environment variable.",
    )
    return ''
  }
  if (!REGION.test(region)) {
    r.bad('aws-region', region, 'an AWS region code like us-east-1')
    return ''
  }
  // Known to the AWS SDK's partition data; a typo gets the closest known region.
  if (!isKnownRegion(region)) {
    r.missing(
      `Invalid input 'aws-region': '${region}' is not a region the AWS SDK knows. Expected a region code like us-east-1: did you mean ${closestRegion(region)}?`,
    )
    return ''
  }
  return region
}

function credentialInputs(r: InputReader, env: NodeJS.ProcessEnv): CredentialInputs {
  const roleToAssume = r.raw('role-to-assume')
  if (roleToAssume !== '' && !ROLE_ARN.test(roleToAssume)) {
    r.bad('role-to-assume', roleToAssume, `an IAM role ARN like ${EXAMPLE_ROLE}`)
  }
  const region = regionInput(r, env)
  const audience = r.raw('audience') || 'sts.amazonaws.com'
  const runId = env.GITHUB_RUN_ID ?? '0'
  const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1'
  const roleSessionName = r.raw('role-session-name') || `GitHubActions-${runId}-${runAttempt}`.slice(0, 64)
  if (!SESSION_NAME.test(roleSessionName)) {
    r.bad('role-session-name', roleSessionName, '2 to 64 characters of letters, digits and +=,.@_-')
  }
  // A chained session (role-chaining with a role session's credentials) lasts at most 1 hour: STS
  // decides that (an IAM user's keys may ask for more), and sts.ts explains its refusal.
  const roleDurationSeconds = r.int('role-duration-seconds', 3600, 900, 43200)
  const allowedAccountIds = splitList(r.raw('allowed-account-ids'))
  for (const id of allowedAccountIds) {
    if (!ACCOUNT_ID.test(id)) r.bad('allowed-account-ids', id, 'comma-separated 12-digit AWS account IDs')
  }
  return {
    ...optional('roleToAssume', roleToAssume),
    region,
    audience,
    roleSessionName,
    roleDurationSeconds,
    allowedAccountIds,
  }
}

type SessionInputs = Pick<
  Inputs,
  'roleChaining' | 'roleExternalId' | 'inlineSessionPolicy' | 'managedSessionPolicies'
>

/**
 * role-chaining, role-external-id and the session policies (session-policy.ts), as
 * configure-aws-credentials names them. `roleToAssume` and `region` as given ('' when missing).
 */
function sessionInputs(r: InputReader, roleToAssume: string, region: string): SessionInputs {
  const roleChaining = r.bool('role-chaining', false)
  if (roleChaining && roleToAssume === '') {
    r.missing(
      "Missing input 'role-to-assume': 'role-chaining: true' assumes it with the credentials already in the environment (sts:AssumeRole), e.g. role-to-assume: arn:aws:iam::123456789012:role/ecr-push.",
    )
  }
  const roleExternalId = r.raw('role-external-id')
  if (roleExternalId !== '' && !roleChaining) {
    r.bad(
      'role-external-id',
      roleExternalId,
      "to be set only with 'role-chaining: true' (sts:AssumeRoleWithWebIdentity takes no external ID: the OIDC token's sub and aud conditions do its work)",
    )
  } else if (roleExternalId !== '' && !EXTERNAL_ID.test(roleExternalId)) {
    r.bad('role-external-id', roleExternalId, '2 to 1224 characters of letters, digits and +=,.@:/-_')
  }
  const policies = sessionPolicyInputs(r, roleToAssume, region)
  return { roleChaining, ...optional('roleExternalId', roleExternalId), ...policies }
}

const POLICY_EXAMPLE =
  '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:PutImage"], "Resource": "*"}]}'

/** inline-session-policy and managed-session-policies: validated before any call. */
function sessionPolicyInputs(
  r: InputReader,
  roleToAssume: string,
  region: string,
): Pick<Inputs, 'inlineSessionPolicy' | 'managedSessionPolicies'> {
  const inline = r.verbatim('inline-session-policy').trim()
  const managed = [
    ...new Set(
      r
        .verbatim('managed-session-policies')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ]
  const none = { managedSessionPolicies: [] }
  if (roleToAssume === '') {
    const given =
      inline !== '' ? 'inline-session-policy' : managed.length > 0 ? 'managed-session-policies' : ''
    if (given !== '')
      r.missing(
        `Invalid input '${given}': it limits an assumed role's session, so it needs 'role-to-assume' (with the default credential chain there is no session to limit).`,
      )
    return none
  }
  let policy: string | undefined
  if (inline !== '') {
    const parsed = parseInlinePolicy(inline)
    if ('problem' in parsed) {
      r.missing(
        `Invalid input 'inline-session-policy': ${parsed.problem}. Expected an IAM policy document in JSON, e.g. ${POLICY_EXAMPLE}.`,
      )
    } else policy = parsed.policy
  }
  const partition = partitionOfArn(roleToAssume) ?? partitionOf(region).id
  const roleAccount = ROLE_ARN.exec(roleToAssume)?.[1]
  for (const a of managed) {
    const problem = managedPolicyProblem(a, partition, roleAccount)
    if (problem !== undefined) r.bad('managed-session-policies', a, problem)
  }
  if (managed.length > MAX_MANAGED_POLICIES) {
    r.bad(
      'managed-session-policies',
      `${managed.length} ARNs`,
      `at most ${MAX_MANAGED_POLICIES} (STS's limit)`,
    )
  }
  const plaintext = (policy?.length ?? 0) + managed.reduce((n, a) => n + a.length, 0)
  if (plaintext > SESSION_POLICY_LIMIT) {
    r.missing(
      `Invalid input 'inline-session-policy' / 'managed-session-policies': together they are ${plaintext} characters (the inline policy without white space between its tokens, plus the ARNs); STS takes at most ${SESSION_POLICY_LIMIT}. Shorten the policy, or move statements into a managed policy.`,
    )
  }
  return { ...optional('inlineSessionPolicy', policy), managedSessionPolicies: managed }
}

type PushInputs = Pick<
  Inputs,
  | 'image'
  | 'imageSource'
  | 'push'
  | 'imageDigest'
  | 'repository'
  | 'tags'
  | 'registryId'
  | 'keepLogin'
  | 'registryType'
>

const DIGEST = /^sha256:[a-f0-9]{64}$/

/** `image`, `push` and `image-digest` (issue 12): the image's source, or none with push: false. */
function sourceInputs(r: InputReader): Pick<Inputs, 'image' | 'imageSource' | 'push' | 'imageDigest'> {
  const push = r.bool('push', true)
  const image = r.raw('image')
  const imageDigest = r.raw('image-digest')
  if (imageDigest !== '' && !push) {
    if (!DIGEST.test(imageDigest)) r.bad('image-digest', imageDigest, 'a digest like sha256:<64 hex digits>')
  } else if (imageDigest !== '') {
    r.bad(
      'image-digest',
      imageDigest,
      "to be set only with 'push: false' (a push reports the digest it pushed)",
    )
  }
  if (!push) {
    if (image !== '')
      r.bad(
        'image',
        image,
        "no image with 'push: false' (the image is the one ECR holds for image-digest or the first tag)",
      )
    return {
      image: '',
      imageSource: { kind: 'docker', ref: '' },
      push,
      ...optional('imageDigest', imageDigest),
    }
  }
  if (image === '') {
    r.missing(
      "Missing input 'image': the image to push, e.g. widget:ci (local), oci:build/oci, oci-archive:image.tar, docker-archive:saved.tar; or 'push: false'.",
    )
    return { image, imageSource: { kind: 'docker', ref: image }, push }
  }
  const source = parseImageSource(image, r.workspacePath())
  if (typeof source === 'string') {
    r.bad('image', image, source)
    return { image, imageSource: { kind: 'docker', ref: image }, push }
  }
  if (source.kind === 'docker') {
    if (!IMAGE_REF.test(source.ref) && !IMAGE_ID.test(source.ref)) {
      r.bad(
        'image',
        image,
        'a local image reference like widget:ci or an image ID, or oci:DIR, oci-archive:FILE, docker-archive:FILE',
      )
    }
    return { image: source.ref, imageSource: source, push }
  }
  return { image, imageSource: source, push }
}

function pushInputs(r: InputReader): PushInputs {
  const source = sourceInputs(r)
  const repository = r.raw('repository')
  if (repository === '') r.missing("Missing input 'repository': the ECR repository name, e.g. acme/widget.")
  else if (repository.length < 2 || repository.length > 256 || !REPOSITORY_NAME.test(repository)) {
    r.bad(
      'repository',
      repository,
      'an ECR repository name: 2-256 lowercase letters, digits and . _ - separated by /, e.g. acme/widget',
    )
  }
  const tags = [...new Set(splitList(r.verbatim('tags')))]
  if (tags.length === 0) r.missing("Missing input 'tags': at least one tag, e.g. ${{ github.sha }}.")
  for (const t of tags) {
    if (!TAG.test(t))
      r.bad('tags', t, 'tags of letters, digits, _ . - (at most 128, not starting with . or -)')
  }
  if (tags.length > 100) r.bad('tags', `${tags.length} tags`, 'at most 100 tags')
  const registryId = r.raw('registry-id')
  if (registryId !== '' && !ACCOUNT_ID.test(registryId)) {
    r.bad('registry-id', registryId, 'the 12-digit account ID that owns the registry')
  }
  const keepLogin = r.bool('keep-login', false)
  if (keepLogin && (!source.push || source.imageSource.kind !== 'docker')) {
    r.bad(
      'keep-login',
      'true',
      "false with 'push: false' or an oci:, oci-archive: or docker-archive: image: they never log docker in (add a docker login step for later steps)",
    )
  }
  const registryType = r.oneOf('registry-type', 'private', REGISTRY_TYPES)
  return { ...source, repository, tags, ...optional('registryId', registryId), keepLogin, registryType }
}

type GovernanceInputs = Pick<
  Inputs,
  | 'createRepository'
  | 'imageTagMutability'
  | 'imageTagMutabilityExclusions'
  | 'encryption'
  | 'kmsKey'
  | 'lifecyclePolicy'
  | 'registryScanning'
  | 'registryScanningFilter'
  | 'registryScanningSwitch'
>

function governanceInputs(r: InputReader, repository: string): GovernanceInputs {
  const createRepository = r.bool('create-repository', false)
  const imageTagMutability = r.oneOf('image-tag-mutability', 'MUTABLE', TAG_MUTABILITIES)
  const imageTagMutabilityExclusions = tagExclusions(r, imageTagMutability)
  const encryption = r.oneOf('encryption', 'AES256', ['AES256', 'KMS'] as const)
  const kmsKey = r.raw('kms-key')
  if (kmsKey !== '' && encryption !== 'KMS') {
    r.bad('kms-key', kmsKey, "to be set only with 'encryption: KMS'")
  }
  const lifecyclePolicy = r.filePath('lifecycle-policy')
  return {
    createRepository,
    imageTagMutability,
    imageTagMutabilityExclusions,
    encryption,
    ...optional('kmsKey', kmsKey),
    ...optional('lifecyclePolicy', lifecyclePolicy),
    ...registryScanningInputs(r, repository),
  }
}

/** image-tag-mutability-exclusions: needed by, and only by, the `_WITH_EXCLUSION` settings. */
function tagExclusions(r: InputReader, mutability: Inputs['imageTagMutability']): string[] {
  const filters = [...new Set(splitList(r.verbatim('image-tag-mutability-exclusions')))]
  const withExclusion = mutability.endsWith('_WITH_EXCLUSION')
  if (withExclusion && filters.length === 0) {
    r.missing(
      `Missing input 'image-tag-mutability-exclusions': 'image-tag-mutability: ${mutability}' needs at least one wildcard tag filter, one a line (e.g. latest, dev-*).`,
    )
  } else if (!withExclusion && filters.length > 0) {
    r.bad(
      'image-tag-mutability-exclusions',
      filters.join(', '),
      "to be set only with 'image-tag-mutability: IMMUTABLE_WITH_EXCLUSION' or 'MUTABLE_WITH_EXCLUSION'",
    )
  }
  for (const f of filters) {
    if (!TAG_EXCLUSION_FILTER.test(f)) {
      r.bad(
        'image-tag-mutability-exclusions',
        f,
        'wildcard tag filters of 1-128 letters, digits, . _ - and *',
      )
    }
  }
  if (filters.length > MAX_TAG_EXCLUSIONS) {
    r.bad(
      'image-tag-mutability-exclusions',
      `${filters.length} filters`,
      `at most ${MAX_TAG_EXCLUSIONS} filters (ECR's limit)`,
    )
  }
  return filters
}

type RegistryScanningInputs = Pick<
  Inputs,
  'registryScanning' | 'registryScanningFilter' | 'registryScanningSwitch'
>

function registryScanningInputs(r: InputReader, repository: string): RegistryScanningInputs {
  const registryScanning = r.oneOf('registry-scanning', 'report', REGISTRY_SCANNING_MODES)
  const given = r.raw('registry-scanning-filter')
  const registryScanningSwitch = r.bool('registry-scanning-switch', false)
  if (registryScanning === 'report') {
    if (given !== '')
      r.bad(
        'registry-scanning-filter',
        given,
        "to be set only with 'registry-scanning: continuous' or 'on-push'",
      )
    if (registryScanningSwitch)
      r.bad(
        'registry-scanning-switch',
        'true',
        "to be set only with 'registry-scanning: continuous' or 'on-push'",
      )
  } else if (given !== '') {
    if (given.length > 255 || !SCANNING_FILTER.test(given)) {
      r.bad(
        'registry-scanning-filter',
        given,
        'an ECR scanning filter: lowercase letters, digits, . _ - / and the wildcard *, e.g. acme/* or *',
      )
    } else if (repository !== '' && !filterMatches(given, repository)) {
      r.bad(
        'registry-scanning-filter',
        given,
        `a filter that matches the repository '${repository}' (e.g. ${repository}, or a wildcard such as *)`,
      )
    }
  }
  return { registryScanning, registryScanningFilter: given || repository, registryScanningSwitch }
}

type GateInputs = Pick<
  Inputs,
  | 'waitForScan'
  | 'scanTimeoutSeconds'
  | 'scanSettleSeconds'
  | 'severityThreshold'
  | 'ignore'
  | 'ignoreFile'
  | 'onlyFixable'
  | 'onScanUnavailable'
  | 'sarifFile'
  | 'dockerfile'
  | 'summary'
>

function gateInputs(r: InputReader): GateInputs {
  const waitForScan = r.bool('wait-for-scan', true)
  const before = r.problems.length
  const scanTimeoutSeconds = r.int('scan-timeout-seconds', 900, 1, 21600)
  const scanSettleSeconds = r.int('scan-settle-seconds', 20, 0, 3600)
  // Checked only when both values are well-formed (else their own error says enough).
  const budget = budgetProblem(scanTimeoutSeconds, scanSettleSeconds)
  if (waitForScan && r.problems.length === before && budget !== undefined) r.missing(budget)
  const severityThreshold = r.oneOf('severity-threshold', 'HIGH', THRESHOLDS)
  const ignore = r.verbatim('ignore')
  const ignoreFile = r.filePath('ignore-file')
  const onlyFixable = r.bool('only-fixable', false)
  const onScanUnavailable = r.oneOf('on-scan-unavailable', 'fail', ['fail', 'warn'] as const)
  const sarifFile = r.filePath('sarif-file')
  const dockerfile = r.repoPath('dockerfile', 'Dockerfile')
  const summary = r.bool('summary', true)
  return {
    waitForScan,
    scanTimeoutSeconds,
    scanSettleSeconds,
    severityThreshold,
    ignore,
    ...optional('ignoreFile', ignoreFile),
    onlyFixable,
    onScanUnavailable,
    ...optional('sarifFile', sarifFile),
    dockerfile,
    summary,
  }
}

type CommentInputs = Pick<Inputs, 'prComment' | 'githubToken'>

function commentInputs(r: InputReader): CommentInputs {
  const prComment = r.bool('pr-comment', false)
  // Checked only when used; never echoed in an error: it is a credential.
  const githubToken = r.raw('github-token')
  if (prComment && /[^\x21-\x7e]/.test(githubToken)) {
    r.missing(
      "Invalid input 'github-token': it holds whitespace or control characters. Expected a GitHub token, e.g. ${{ github.token }}.",
    )
  } else if (prComment && githubToken === '') {
    r.missing(
      "Missing input 'github-token': 'pr-comment: true' needs a token with pull-requests: write, e.g. github-token: ${{ github.token }} (the default).",
    )
  }
  return { prComment, githubToken }
}

type AuditInputs = Pick<Inputs, 'audit' | 'failOnSecrets' | 'exportFilesystem'>

function auditInputs(r: InputReader): AuditInputs {
  const audit = r.bool('audit', true)
  const failOnSecrets = r.bool('fail-on-secrets', true)
  const exportFilesystem = r.filePath('export-filesystem')
  return { audit, failOnSecrets, ...optional('exportFilesystem', exportFilesystem) }
}

/** Builds Inputs from raw values, collecting every problem before failing. Pure: no I/O. */
export function parseInputs(get: InputGetter, env: NodeJS.ProcessEnv = {}): Inputs {
  const r = new InputReader(get, env.GITHUB_WORKSPACE || process.cwd())
  // Section by section, in action.yml's order: the problems come out in that order too.
  const credentials = credentialInputs(r, env)
  const session = sessionInputs(r, credentials.roleToAssume ?? '', credentials.region)
  const push = pushInputs(r)
  const inputs: Inputs = {
    ...credentials,
    ...session,
    ...push,
    ...governanceInputs(r, push.repository),
    ...gateInputs(r),
    ...commentInputs(r),
    ...auditInputs(r),
  }
  if (inputs.registryType === 'public') publicRegistryProblems(r, inputs)
  if (r.problems.length > 0) throw new InputError(r.problems)
  return inputs
}

/**
 * registry-type: public. ECR Public has no scanning, no lifecycle policies, no tag mutability or
 * encryption settings, and one registry per account, found with the caller's own credentials:
 * every input that would ask for one of those is an error, before any call.
 */
function publicRegistryProblems(r: InputReader, inputs: Inputs): void {
  const why = (what: string): string => `nothing with 'registry-type: public' (${what})`
  if (partitionOf(inputs.region).id !== 'aws' && inputs.region !== '')
    r.bad('aws-region', inputs.region, why('ECR Public exists only in the aws partition, in us-east-1'))
  if (inputs.registryId !== undefined)
    r.bad(
      'registry-id',
      inputs.registryId,
      why("the public registry is the caller's own, found with ecr-public:DescribeRegistries"),
    )
  if (!inputs.push) r.bad('push', 'false', why('ECR Public does not scan: there are no findings to re-check'))
  if (inputs.createRepository)
    r.bad(
      'create-repository',
      'true',
      why(
        'create the public repository first: aws ecr-public create-repository --region us-east-1 --repository-name NAME',
      ),
    )
  if (inputs.imageTagMutability !== 'MUTABLE')
    r.bad('image-tag-mutability', inputs.imageTagMutability, why('ECR Public has no tag mutability setting'))
  if (inputs.encryption !== 'AES256')
    r.bad('encryption', inputs.encryption, why('ECR Public has no encryption setting'))
  if (inputs.kmsKey !== undefined)
    r.bad('kms-key', inputs.kmsKey, why('ECR Public has no encryption setting'))
  if (inputs.lifecyclePolicy !== undefined)
    r.bad('lifecycle-policy', r.raw('lifecycle-policy'), why('ECR Public has no lifecycle policies'))
  if (inputs.registryScanning !== 'report')
    r.bad('registry-scanning', inputs.registryScanning, why('ECR Public does not scan'))
  publicScanningProblems(r, why)
  if (inputs.push && inputs.imageSource.kind !== 'docker')
    r.bad(
      'image',
      inputs.image,
      why(
        "an image in the local Docker engine, e.g. widget:ci: OCI layouts and archives are pushed by the action's own client, which speaks ECR's registry authentication, not ECR Public's; docker load it first",
      ),
    )
}

/** registry-scanning-filter, registry-scanning-switch and tag mutability exclusions: ECR only. */
function publicScanningProblems(r: InputReader, why: (what: string) => string): void {
  const filter = r.raw('registry-scanning-filter')
  if (filter !== '') r.bad('registry-scanning-filter', filter, why('ECR Public does not scan'))
  if (TRUE.includes(r.raw('registry-scanning-switch')))
    r.bad('registry-scanning-switch', 'true', why('ECR Public does not scan'))
  const exclusions = r.raw('image-tag-mutability-exclusions')
  if (exclusions !== '')
    r.bad('image-tag-mutability-exclusions', exclusions, why('ECR Public has no tag mutability setting'))
}

/** Inputs that hold credentials: masked in the log the moment they are read. */
const SECRET_INPUTS = new Set(['github-token'])

/** Reads the action's inputs from the runner's INPUT_* environment. */
export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  const get: InputGetter = (name) => {
    const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? ''
    if (SECRET_INPUTS.has(name)) {
      setSecret(value)
      setSecret(value.trim())
    }
    return value
  }
  return parseInputs(get, env)
}
