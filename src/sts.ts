import type {
  AssumeRoleCommandOutput,
  AssumeRoleWithWebIdentityCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts'
import { ActionError, errorMessage, errorName, httpStatus } from './errors.js'
import { arn, partitionOf, partitionOfArn } from './partition.js'
import { accountFromArn, jwtClaims } from './registry.js'
import { backoffDelay, realSleep, type Clock, type Sleep } from './retry.js'
import { ENDPOINT_IN_ERRORS, endpointInErrors, isTimeout, sdkRequestHandler } from './network.js'
import { stsSdk } from './sdk.js'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

/** Who the action acts as. `credentials` undefined: the SDK's default credential chain. */
export interface Identity {
  account: string
  arn: string
  credentials?: AwsCredentials
  /** Role chaining: the ARN of the environment's credentials the role was assumed with. */
  source?: string
}

export type StsErrorKind = 'transient' | 'permanent'

const TRANSIENT_NAMES = new Set([
  'IDPCommunicationError',
  'IDPCommunicationErrorException',
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'ExpiredTokenException',
  'ExpiredToken',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'OidcTokenError',
])

/**
 * Which STS failures are worth another attempt. AccessDenied (the trust policy said no) and
 * validation errors never change on retry; IDP hiccups, throttling, 5xx and the network do.
 * InvalidIdentityToken is transient with GitHub's issuer (STS sometimes fails to fetch its JWKS).
 */
export function classifyStsError(err: unknown): StsErrorKind {
  const name = errorName(err)
  if (TRANSIENT_NAMES.has(name)) return 'transient'
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && TRANSIENT_NAMES.has(code)) return 'transient'
  const status = httpStatus(err)
  if (status !== undefined && (status >= 500 || status === 429)) return 'transient'
  if ((err as { $retryable?: unknown } | null)?.$retryable) return 'transient'
  return 'permanent'
}

/** Session policies of an AssumeRole call (inline-session-policy, managed-session-policies). */
export interface SessionPolicies {
  /** The inline policy, as validated and compacted by session-policy.ts. */
  policy?: string
  policyArns?: readonly string[]
}

/** What both ways of assuming the role share. */
interface StsCallOptions {
  roleArn: string
  sessionName: string
  durationSeconds: number
  region: string
  policies?: SessionPolicies
  /** Called with each secret the moment it exists. */
  mask: (secret: string) => void
  log?: (message: string) => void
  client?: STSClient
  sleep?: Sleep
  clock?: Clock
  random?: () => number
  /** Attempts in all (default 6). */
  maxAttempts?: number
  /** Stop retrying once this much time has passed (default 60 s). */
  budgetMs?: number
}

export interface AssumeRoleOptions extends StsCallOptions {
  audience: string
  /** Fetches a fresh OIDC token; called once per attempt (a reused token can expire mid-loop). */
  getToken: (audience: string) => Promise<string>
}

/** Role chaining: sts:AssumeRole signed with the environment's credentials (the default chain). */
export interface ChainOptions extends StsCallOptions {
  externalId?: string
}

/**
 * Attempts that may time out (the OIDC endpoint or STS silent) before the loop gives up: a
 * black-holed endpoint ends the step in about 20 s instead of using the whole budget.
 */
export const MAX_SILENT_ATTEMPTS = 2

/** The longest session of a role assumed with another role's session (STS: role chaining). */
export const CHAINED_MAX_SECONDS = 3600

async function newStsClient(region: string): Promise<STSClient> {
  const { STSClient } = await stsSdk()
  // One attempt per SDK call: our own loop retries (with a fresh OIDC token each time).
  const client = new STSClient({ region, maxAttempts: 1, requestHandler: sdkRequestHandler() })
  client.middlewareStack.add(endpointInErrors('STS'), ENDPOINT_IN_ERRORS)
  return client
}

/** The session policy parameters of both AssumeRole calls (none when there are none). */
function policyParams(p: SessionPolicies | undefined): { Policy?: string; PolicyArns?: { arn: string }[] } {
  return {
    ...(p?.policy !== undefined ? { Policy: p.policy } : {}),
    ...(p?.policyArns !== undefined && p.policyArns.length > 0
      ? { PolicyArns: p.policyArns.map((arn) => ({ arn })) }
      : {}),
  }
}

/**
 * The retry loop's patience: waits before the next attempt, or says the budget (or the patience
 * with silence) is spent. `then` says what the next attempt does differently.
 */
function retrier(
  opts: StsCallOptions,
  operation: string,
  then: string,
): (attempt: number, err: unknown, cause?: unknown) => Promise<boolean> {
  const sleep = opts.sleep ?? realSleep
  const clock = opts.clock ?? Date.now
  const maxAttempts = opts.maxAttempts ?? 6
  const budgetMs = opts.budgetMs ?? 60_000
  const started = clock()
  let silent = 0
  return async (attempt, err, cause = err) => {
    const delay = backoffDelay(attempt - 1, { baseMs: 1000, capMs: 10_000, ...pick(opts.random) })
    if (isTimeout(cause)) silent++
    if (attempt >= maxAttempts || silent >= MAX_SILENT_ATTEMPTS || clock() - started + delay > budgetMs)
      return false
    opts.log?.(
      `${operation} attempt ${attempt} failed (${errorName(err) || 'error'}: ${errorMessage(err)}); ` +
        `retrying in ${(delay / 1000).toFixed(1)} s${then}`,
    )
    await sleep(delay)
    return true
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** A promise that never rejects: its outcome as a value (no unhandled rejection while unawaited). */
function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
}

/** AssumeRoleWithWebIdentity with GitHub's OIDC token, retried on transient failures only. */
export async function assumeRoleWithOidc(opts: AssumeRoleOptions): Promise<Identity> {
  // The first token is requested while the STS SDK loads (GitHub's token endpoint takes a round
  // trip of its own); its failure is handled in the loop below, as any later attempt's.
  let first: Promise<Settled<string>> | undefined = settle(Promise.resolve(opts.audience).then(opts.getToken))
  const client = opts.client ?? (await newStsClient(opts.region))
  const { AssumeRoleWithWebIdentityCommand } = await stsSdk()
  const backoffOrGiveUp = retrier(opts, 'AssumeRoleWithWebIdentity', ' with a fresh token')
  let lastClaims: Record<string, unknown> = {}
  for (let attempt = 1; ; attempt++) {
    let token: string
    try {
      const got = await (first ?? settle(Promise.resolve(opts.audience).then(opts.getToken)))
      first = undefined
      if (!got.ok) throw got.error
      token = got.value
    } catch (err) {
      const e = new Error(`could not get the GitHub OIDC token: ${errorMessage(err)}`)
      e.name = 'OidcTokenError'
      if (!(await backoffOrGiveUp(attempt, e, err))) {
        throw new ActionError(
          `Could not get the GitHub OIDC token after ${attempt} attempts: ${errorMessage(err)}`,
        )
      }
      continue
    }
    opts.mask(token)
    lastClaims = jwtClaims(token)
    try {
      const out = await client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: opts.roleArn,
          RoleSessionName: opts.sessionName,
          WebIdentityToken: token,
          DurationSeconds: opts.durationSeconds,
          ...policyParams(opts.policies),
        }),
      )
      return identityFromAnswer(out, opts)
    } catch (err) {
      if (classifyStsError(err) === 'permanent') throw explainStsError(err, opts, lastClaims)
      if (!(await backoffOrGiveUp(attempt, err))) throw keptFailing(opts.roleArn, attempt, err)
    }
  }
}

function keptFailing(roleArn: string, attempt: number, err: unknown): ActionError {
  return new ActionError(
    `Could not assume role ${roleArn}: STS kept failing after ${attempt} attempts ` +
      `(${errorName(err) || 'error'}: ${errorMessage(err)}). This is usually temporary: re-run the job.`,
  )
}

/** The identity in an AssumeRole answer; every secret part masked first. */
function identityFromAnswer(
  out: AssumeRoleWithWebIdentityCommandOutput | AssumeRoleCommandOutput,
  opts: Pick<StsCallOptions, 'roleArn' | 'mask'>,
): Identity {
  const c = out.Credentials
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error('STS answered without credentials')
  }
  opts.mask(c.AccessKeyId)
  opts.mask(c.SecretAccessKey)
  opts.mask(c.SessionToken)
  const arn = out.AssumedRoleUser?.Arn ?? ''
  const account = accountFromArn(arn) ?? accountFromArn(opts.roleArn) ?? ''
  const credentials: AwsCredentials = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  }
  if (c.Expiration) credentials.expiration = c.Expiration
  return { account, arn, credentials }
}

function pick(random: (() => number) | undefined): { random?: () => number } {
  return random ? { random } : {}
}

/** The session policy inputs' part in an STS refusal, or undefined when they have none. */
function policyRefusal(err: unknown, roleArn: string): ActionError | undefined {
  const name = errorName(err)
  if (name === 'MalformedPolicyDocument' || name === 'MalformedPolicyDocumentException') {
    return new ActionError(
      `Could not assume role ${roleArn}: STS refused the session policy (${errorMessage(err)}). Fix 'inline-session-policy' (or 'managed-session-policies').`,
    )
  }
  if (name === 'PackedPolicyTooLarge' || name === 'PackedPolicyTooLargeException') {
    return new ActionError(
      `Could not assume role ${roleArn}: the session policies are too large once packed (${errorMessage(err)}). Shorten 'inline-session-policy' or use fewer 'managed-session-policies'.`,
    )
  }
  return undefined
}

function durationRefusal(err: unknown, roleArn: string, durationSeconds: number): ActionError | undefined {
  if (errorName(err) !== 'ValidationError' || !/DurationSeconds|MaxSessionDuration/i.test(errorMessage(err)))
    return undefined
  return new ActionError(
    `Could not assume role ${roleArn}: ${errorMessage(err)} Lower 'role-duration-seconds' ` +
      `(now ${durationSeconds}) or raise the role's maximum session duration.`,
  )
}

function explainStsError(err: unknown, opts: AssumeRoleOptions, claims: Record<string, unknown>): Error {
  const name = errorName(err)
  const sub = typeof claims.sub === 'string' ? claims.sub : '(unknown)'
  const aud =
    typeof claims.aud === 'string'
      ? claims.aud
      : Array.isArray(claims.aud)
        ? claims.aud.join(',')
        : '(unknown)'
  const iss = typeof claims.iss === 'string' ? claims.iss : 'https://token.actions.githubusercontent.com'
  const provider = iss.replace(/^https:\/\//, '')
  const account = accountFromArn(opts.roleArn) ?? '<account>'
  const providerArn = arn({
    partition: partitionOfArn(opts.roleArn) ?? partitionOf(opts.region).id,
    service: 'iam',
    region: '',
    account,
    resource: `oidc-provider/${provider}`,
  })
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new ActionError(
      `Could not assume role ${opts.roleArn}: AccessDenied (${errorMessage(err)}). The role's trust policy ` +
        `rejected this workflow's token: sub "${sub}", aud "${aud}". Check that the role exists and that its trust ` +
        `policy allows sts:AssumeRoleWithWebIdentity for the federated principal ` +
        `${providerArn} with conditions "${provider}:aud" = "${aud}" and ` +
        `"${provider}:sub" matching "${sub}" (sub is case-sensitive; use StringLike for wildcards).`,
    )
  }
  return (
    durationRefusal(err, opts.roleArn, opts.durationSeconds) ??
    policyRefusal(err, opts.roleArn) ??
    new ActionError(`Could not assume role ${opts.roleArn}: ${name || 'error'}: ${errorMessage(err)}`)
  )
}

// ---- role chaining (issue 14) -------------------------------------------------------------------

/**
 * sts:AssumeRole with the credentials already in the environment (the SDK's default chain: an
 * earlier step's role session, access keys, a profile, an instance role), as configure-aws-credentials'
 * `role-chaining` does; retried on transient failures. Who those credentials are
 * (GetCallerIdentity, side by side) is logged, and named in a refusal: the trust policy must name it.
 */
export async function assumeRoleChained(opts: ChainOptions): Promise<Identity> {
  const client = opts.client ?? (await newStsClient(opts.region))
  const { AssumeRoleCommand } = await stsSdk()
  const source = callerIdentity(opts.region, client).catch((err: unknown) =>
    err instanceof Error ? err : new Error(errorMessage(err)),
  )
  const backoffOrGiveUp = retrier(opts, 'AssumeRole', '')
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await client.send(
        new AssumeRoleCommand({
          RoleArn: opts.roleArn,
          RoleSessionName: opts.sessionName,
          DurationSeconds: opts.durationSeconds,
          ...(opts.externalId !== undefined ? { ExternalId: opts.externalId } : {}),
          ...policyParams(opts.policies),
        }),
      )
      const identity = identityFromAnswer(out, opts)
      const from = await source
      return from instanceof Error ? identity : { ...identity, source: from.arn }
    } catch (err) {
      // The source session expiring is no passing fault here: retrying cannot renew it.
      const expired = /^ExpiredToken/.test(errorName(err))
      if (expired || classifyStsError(err) === 'permanent') throw explainChainError(err, opts, await source)
      if (!(await backoffOrGiveUp(attempt, err))) throw keptFailing(opts.roleArn, attempt, err)
    }
  }
}

/**
 * The principal a trust policy names for these credentials: the role behind a role session
 * (`…:assumed-role/R/S` → `…:iam::A:role/R`), a user as it is, else the account.
 */
export function trustPrincipal(callerArn: string): string {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn)
  if (m) return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`
  if (/^arn:[\w-]+:iam::\d{12}:(?:user|role)\//.test(callerArn)) return callerArn
  const account = /^arn:([\w-]+):\w+::(\d{12}):/.exec(callerArn)
  return account ? `arn:${account[1]}:iam::${account[2]}:root` : callerArn
}

function explainChainError(err: unknown, opts: ChainOptions, source: Identity | Error): Error {
  const name = errorName(err)
  const msg = errorMessage(err)
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(msg)) {
    return new ActionError(
      `'role-chaining: true' found no AWS credentials in the environment to assume ${opts.roleArn} with: ` +
        'sign in first in an earlier step (e.g. aws-actions/configure-aws-credentials), or provide ' +
        'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or an instance role.',
    )
  }
  const caller = source instanceof Error ? undefined : source.arn
  const who = `the environment's credentials (${caller ?? 'identity unknown'})`
  if (/^ExpiredToken/.test(name)) {
    return new ActionError(
      `Could not assume role ${opts.roleArn} with ${who}: they have expired (${msg}). ` +
        "Renew them: the earlier step's session must outlast this step (its role-duration-seconds).",
    )
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') return trustRefusal(opts, caller, msg)
  if (name === 'ValidationError' && /role chaining|1 hour session limit/i.test(msg)) {
    return new ActionError(
      `Could not assume role ${opts.roleArn}: ${msg} ${who} are a role session, so this is role chaining: ` +
        `the new session lasts at most ${CHAINED_MAX_SECONDS} seconds. Set 'role-duration-seconds' to ${CHAINED_MAX_SECONDS} or less (now ${opts.durationSeconds}).`,
    )
  }
  return (
    durationRefusal(err, opts.roleArn, opts.durationSeconds) ??
    policyRefusal(err, opts.roleArn) ??
    new ActionError(`Could not assume role ${opts.roleArn} with ${who}: ${name || 'error'}: ${msg}`)
  )
}

/** AccessDenied on AssumeRole: what the role's trust policy (and the caller's policy) must say. */
function trustRefusal(opts: ChainOptions, caller: string | undefined, msg: string): ActionError {
  const principal =
    caller !== undefined
      ? trustPrincipal(caller)
      : '<the ARN of the role or user the environment signs in as>'
  const externalId =
    opts.externalId !== undefined
      ? `, with the condition "StringEquals": {"sts:ExternalId": "${opts.externalId}"} (role-external-id)`
      : "; if it has a condition on sts:ExternalId, set 'role-external-id' to that value"
  return new ActionError(
    `Could not assume role ${opts.roleArn} with the environment's credentials (${caller ?? 'identity unknown'}): ` +
      `AccessDenied (${msg}). Check that the role exists and that its trust policy allows sts:AssumeRole for the ` +
      `principal {"AWS": "${principal}"}${externalId}. A trust policy that names the account ` +
      `(${principal.replace(/:(?:role|user)\/.*$/, ':root')}) instead, or a role in another account, also needs the ` +
      `caller's own policy to allow sts:AssumeRole on ${opts.roleArn}.`,
  )
}

/** The identity behind the default credential chain (role-to-assume empty). */
export async function callerIdentity(region: string, client?: STSClient): Promise<Identity> {
  const { STSClient, GetCallerIdentityCommand } = await stsSdk()
  let sts = client
  if (sts === undefined) {
    sts = new STSClient({ region, maxAttempts: 3, requestHandler: sdkRequestHandler() })
    sts.middlewareStack.add(endpointInErrors('STS'), ENDPOINT_IN_ERRORS)
  }
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}))
    const arn = out.Arn ?? ''
    return { account: out.Account ?? accountFromArn(arn) ?? '', arn }
  } catch (err) {
    const name = errorName(err)
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(errorMessage(err))) {
      throw new ActionError(
        "No AWS credentials: set 'role-to-assume' (with `permissions: id-token: write`) or provide " +
          'credentials in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role).',
      )
    }
    throw new ActionError(
      `Could not identify the AWS credentials in the environment: ${name}: ${errorMessage(err)}`,
    )
  }
}

/** Fails unless the identity's account is allowed. */
export function checkAllowedAccount(identity: Identity, allowed: string[]): void {
  if (allowed.length === 0) return
  if (!allowed.includes(identity.account)) {
    throw new ActionError(
      `The credentials belong to account ${identity.account || '(unknown)'} (${identity.arn}), which is not in ` +
        `'allowed-account-ids' (${allowed.join(', ')}). Check 'role-to-assume' or the list.`,
    )
  }
}
