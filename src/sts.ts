import type { AssumeRoleWithWebIdentityCommandOutput, STSClient } from '@aws-sdk/client-sts'
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

export interface AssumeRoleOptions {
  roleArn: string
  sessionName: string
  durationSeconds: number
  region: string
  audience: string
  /** Fetches a fresh OIDC token; called once per attempt (a reused token can expire mid-loop). */
  getToken: (audience: string) => Promise<string>
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

/**
 * Attempts that may time out (the OIDC endpoint or STS silent) before the loop gives up: a
 * black-holed endpoint ends the step in about 20 s instead of using the whole budget.
 */
export const MAX_SILENT_ATTEMPTS = 2

async function newStsClient(region: string): Promise<STSClient> {
  const { STSClient } = await stsSdk()
  // One attempt per SDK call: our own loop retries, with a fresh OIDC token each time.
  const client = new STSClient({ region, maxAttempts: 1, requestHandler: sdkRequestHandler() })
  client.middlewareStack.add(endpointInErrors('STS'), ENDPOINT_IN_ERRORS)
  return client
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
  const sleep = opts.sleep ?? realSleep
  const clock = opts.clock ?? Date.now
  const maxAttempts = opts.maxAttempts ?? 6
  const budgetMs = opts.budgetMs ?? 60_000
  const started = clock()
  // The first token is requested while the STS SDK loads (GitHub's token endpoint takes a round
  // trip of its own); its failure is handled in the loop below, as any later attempt's.
  let first: Promise<Settled<string>> | undefined = settle(Promise.resolve(opts.audience).then(opts.getToken))
  const client = opts.client ?? (await newStsClient(opts.region))
  const { AssumeRoleWithWebIdentityCommand } = await stsSdk()
  let silent = 0

  /** Waits before the next attempt, or says the budget (or the patience with silence) is spent. */
  const backoffOrGiveUp = async (attempt: number, err: unknown, cause: unknown = err): Promise<boolean> => {
    const delay = backoffDelay(attempt - 1, { baseMs: 1000, capMs: 10_000, ...pick(opts.random) })
    if (isTimeout(cause)) silent++
    if (attempt >= maxAttempts || silent >= MAX_SILENT_ATTEMPTS || clock() - started + delay > budgetMs)
      return false
    opts.log?.(
      `AssumeRoleWithWebIdentity attempt ${attempt} failed (${errorName(err) || 'error'}: ${errorMessage(err)}); ` +
        `retrying in ${(delay / 1000).toFixed(1)} s with a fresh token`,
    )
    await sleep(delay)
    return true
  }

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
        }),
      )
      return identityFromAnswer(out, opts)
    } catch (err) {
      if (classifyStsError(err) === 'permanent') throw explainStsError(err, opts, lastClaims)
      if (!(await backoffOrGiveUp(attempt, err))) {
        throw new ActionError(
          `Could not assume role ${opts.roleArn}: STS kept failing after ${attempt} attempts ` +
            `(${errorName(err) || 'error'}: ${errorMessage(err)}). This is usually temporary: re-run the job.`,
        )
      }
    }
  }
}

/** The identity in an AssumeRoleWithWebIdentity answer; every secret part masked first. */
function identityFromAnswer(
  out: AssumeRoleWithWebIdentityCommandOutput,
  opts: Pick<AssumeRoleOptions, 'roleArn' | 'mask'>,
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
  if (name === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test(errorMessage(err))) {
    return new ActionError(
      `Could not assume role ${opts.roleArn}: ${errorMessage(err)} Lower 'role-duration-seconds' ` +
        `(now ${opts.durationSeconds}) or raise the role's maximum session duration.`,
    )
  }
  return new ActionError(`Could not assume role ${opts.roleArn}: ${name || 'error'}: ${errorMessage(err)}`)
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
