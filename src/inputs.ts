import * as path from 'node:path'
import { setSecret } from './core.js'
import { InputError } from './errors.js'
import { THRESHOLDS, type Threshold } from './severity.js'

export interface Inputs {
  // Credentials
  roleToAssume?: string
  region: string
  audience: string
  roleSessionName: string
  roleDurationSeconds: number
  allowedAccountIds: string[]
  // Push
  image: string
  repository: string
  tags: string[]
  registryId?: string
  keepLogin: boolean
  // Repository governance
  createRepository: boolean
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE'
  encryption: 'AES256' | 'KMS'
  kmsKey?: string
  /** Absolute path of the lifecycle policy file. */
  lifecyclePolicy?: string
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

/** Reads one input's raw value ('' when unset), as `core.getInput` does. */
export type InputGetter = (name: string) => string

export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/
export const REGION = /^[a-z]{2,4}(?:-[a-z0-9]+)*-[a-z]+-\d{1,2}$/
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/
export const ACCOUNT_ID = /^\d{12}$/
/** ECR's repositoryName pattern (aws-model), 2–256 characters. */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/
/** Docker's tag grammar, as ECR accepts it (1–300 characters for ECR, 128 for docker). */
export const TAG = /^[\w][\w.-]{0,127}$/
/** A local image reference: [host[:port]/]name[:tag][@digest], or an image ID (full or short). */
const IMAGE_REF =
  /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/

/** Splits a list input on newlines and commas, trimming and dropping blanks. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/** Builds Inputs from raw values, collecting every problem before failing. Pure: no I/O. */
export function parseInputs(get: InputGetter, env: NodeJS.ProcessEnv = {}): Inputs {
  const problems: string[] = []
  const bad = (name: string, value: string, expected: string): void => {
    problems.push(`Invalid input '${name}': '${value}'. Expected ${expected}.`)
  }
  const raw = (name: string): string => get(name).trim()
  const bool = (name: string, dflt: boolean): boolean => {
    const v = raw(name)
    if (v === '') return dflt
    if (TRUE.includes(v)) return true
    if (FALSE.includes(v)) return false
    bad(name, v, 'true or false')
    return dflt
  }
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = raw(name)
    if (v === '') return dflt
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      bad(name, v, `a whole number of seconds from ${min} to ${max}`)
      return dflt
    }
    return Number(v)
  }
  const oneOf = <T extends string>(name: string, dflt: T, allowed: readonly T[], caseless = true): T => {
    const v = raw(name)
    if (v === '') return dflt
    const found = allowed.find((a) => (caseless ? a.toLowerCase() === v.toLowerCase() : a === v))
    if (found === undefined) bad(name, v, `one of ${allowed.join(', ')}`)
    return found ?? dflt
  }
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const filePath = (name: string): string | undefined => {
    const v = raw(name)
    if (v === '') return undefined
    if (v.includes('\0')) {
      bad(name, v, 'a file path')
      return undefined
    }
    return path.resolve(workspace, v)
  }

  // --- Credentials ---
  const roleToAssume = raw('role-to-assume')
  if (roleToAssume !== '' && !ROLE_ARN.test(roleToAssume)) {
    bad('role-to-assume', roleToAssume, 'an IAM role ARN like arn:aws:iam::123456789012:role/github-ecr-push')
  }
  let region = raw('aws-region') || (env.AWS_REGION ?? '').trim() || (env.AWS_DEFAULT_REGION ?? '').trim()
  if (region === '') {
    problems.push(
      "Missing input 'aws-region': set it (e.g. aws-region: us-east-1) or the AWS_REGION environment variable.",
    )
  } else if (!REGION.test(region)) {
    bad('aws-region', region, 'an AWS region code like us-east-1')
    region = ''
  }
  const audience = raw('audience') || 'sts.amazonaws.com'
  const runId = env.GITHUB_RUN_ID ?? '0'
  const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1'
  const roleSessionName = raw('role-session-name') || `GitHubActions-${runId}-${runAttempt}`.slice(0, 64)
  if (!SESSION_NAME.test(roleSessionName)) {
    bad('role-session-name', roleSessionName, '2 to 64 characters of letters, digits and +=,.@_-')
  }
  const roleDurationSeconds = int('role-duration-seconds', 3600, 900, 43200)
  const allowedAccountIds = splitList(raw('allowed-account-ids'))
  for (const id of allowedAccountIds) {
    if (!ACCOUNT_ID.test(id)) bad('allowed-account-ids', id, 'comma-separated 12-digit AWS account IDs')
  }

  // --- Push ---
  const image = raw('image')
  if (image === '') problems.push("Missing input 'image': the local image to push, e.g. widget:ci.")
  else if (!IMAGE_REF.test(image) && !IMAGE_ID.test(image)) {
    bad('image', image, 'a local image reference like widget:ci or an image ID')
  }
  const repository = raw('repository')
  if (repository === '')
    problems.push("Missing input 'repository': the ECR repository name, e.g. acme/widget.")
  else if (repository.length < 2 || repository.length > 256 || !REPOSITORY_NAME.test(repository)) {
    bad(
      'repository',
      repository,
      'an ECR repository name: 2-256 lowercase letters, digits and . _ - separated by /, e.g. acme/widget',
    )
  }
  const tags = [...new Set(splitList(get('tags')))]
  if (tags.length === 0) {
    problems.push("Missing input 'tags': at least one tag, e.g. ${{ github.sha }}.")
  }
  for (const t of tags) {
    if (!TAG.test(t)) bad('tags', t, 'tags of letters, digits, _ . - (at most 128, not starting with . or -)')
  }
  if (tags.length > 100) bad('tags', `${tags.length} tags`, 'at most 100 tags')
  const registryId = raw('registry-id')
  if (registryId !== '' && !ACCOUNT_ID.test(registryId)) {
    bad('registry-id', registryId, 'the 12-digit account ID that owns the registry')
  }
  const keepLogin = bool('keep-login', false)

  // --- Repository governance ---
  const createRepository = bool('create-repository', false)
  const imageTagMutability = oneOf('image-tag-mutability', 'MUTABLE', ['MUTABLE', 'IMMUTABLE'] as const)
  const encryption = oneOf('encryption', 'AES256', ['AES256', 'KMS'] as const)
  const kmsKey = raw('kms-key')
  if (kmsKey !== '' && encryption !== 'KMS') {
    bad('kms-key', kmsKey, "to be set only with 'encryption: KMS'")
  }
  const lifecyclePolicy = filePath('lifecycle-policy')

  // --- Scan gate ---
  const waitForScan = bool('wait-for-scan', true)
  const scanTimeoutSeconds = int('scan-timeout-seconds', 900, 1, 21600)
  const scanSettleSeconds = int('scan-settle-seconds', 20, 0, 3600)
  const severityThreshold = oneOf('severity-threshold', 'HIGH', THRESHOLDS)
  const ignore = get('ignore')
  const ignoreFile = filePath('ignore-file')
  const onlyFixable = bool('only-fixable', false)
  const onScanUnavailable = oneOf('on-scan-unavailable', 'fail', ['fail', 'warn'] as const)
  const sarifFile = filePath('sarif-file')
  const summary = bool('summary', true)
  const prComment = bool('pr-comment', false)
  // Checked only when used; never echoed in an error: it is a credential.
  const githubToken = raw('github-token')
  if (prComment && /[^\x21-\x7e]/.test(githubToken)) {
    problems.push(
      "Invalid input 'github-token': it holds whitespace or control characters. Expected a GitHub token, e.g. ${{ github.token }}.",
    )
  } else if (prComment && githubToken === '') {
    problems.push(
      "Missing input 'github-token': 'pr-comment: true' needs a token with pull-requests: write, e.g. github-token: ${{ github.token }} (the default).",
    )
  }

  // --- Audit ---
  const audit = bool('audit', true)
  const failOnSecrets = bool('fail-on-secrets', true)
  const exportFilesystem = filePath('export-filesystem')

  if (problems.length > 0) throw new InputError(problems)

  const inputs: Inputs = {
    region,
    audience,
    roleSessionName,
    roleDurationSeconds,
    allowedAccountIds,
    image,
    repository,
    tags,
    keepLogin,
    createRepository,
    imageTagMutability,
    encryption,
    waitForScan,
    scanTimeoutSeconds,
    scanSettleSeconds,
    severityThreshold,
    ignore,
    onlyFixable,
    onScanUnavailable,
    summary,
    prComment,
    githubToken,
    audit,
    failOnSecrets,
  }
  if (roleToAssume !== '') inputs.roleToAssume = roleToAssume
  if (registryId !== '') inputs.registryId = registryId
  if (kmsKey !== '') inputs.kmsKey = kmsKey
  if (lifecyclePolicy !== undefined) inputs.lifecyclePolicy = lifecyclePolicy
  if (ignoreFile !== undefined) inputs.ignoreFile = ignoreFile
  if (sarifFile !== undefined) inputs.sarifFile = sarifFile
  if (exportFilesystem !== undefined) inputs.exportFilesystem = exportFilesystem
  return inputs
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
