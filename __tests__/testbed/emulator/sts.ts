/**
 * STS over awsQuery (form body, XML answers): AssumeRoleWithWebIdentity (unsigned; checks the OIDC
 * token, the role's trust policy, the session name and duration), AssumeRole (SigV4: role chaining
 * from the caller's credentials; the trust policy's AWS principals and its sts:ExternalId condition,
 * the caller's own sts:AssumeRole permission, the 1-hour limit of a chained session) and
 * GetCallerIdentity (SigV4). Both AssumeRole calls take session policies (`Policy`, `PolicyArns`):
 * the session may do what its role AND those allow (session-policy.ts, iam.ts).
 */
import { authenticate } from './auth.ts'
import { AwsError, EmulatorBug } from './errors.ts'
import { shapeOf, validate, validationMessage, operationModel, type Shape } from './model.ts'
import { peekJti } from './oidc.ts'
import type { Answer, IncomingRequest, ParsedCall, ServiceProtocol } from './protocol.ts'
import type { EmulatorCore } from './state.ts'
import { evaluate } from './iam.ts'
import { sessionPolicyOf } from './session-policy.ts'
import type { CallRecord, CredentialRecord, Principal, RoleRecord } from './types.ts'
import { randomSecret, upperAlnum, wildcardMatch, xmlEscape } from './util.ts'
import { randomBytes } from 'node:crypto'

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/'
const VERSION = '2011-06-15'
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/

/** Form parameters -> a structure of `shapeName` (lists as `Name.member.N`). */
function fromQuery(shapeName: string, params: URLSearchParams, prefix = ''): Record<string, unknown> {
  const shape = shapeOf('sts', shapeName)
  const out: Record<string, unknown> = {}
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value = readQueryValue(shapeOf('sts', ref.shape), ref.shape, params, `${prefix}${name}`)
    if (value !== undefined) out[name] = value
  }
  return out
}

function readQueryValue(shape: Shape, shapeName: string, params: URLSearchParams, key: string): unknown {
  switch (shape.type) {
    case 'structure': {
      const value = fromQuery(shapeName, params, `${key}.`)
      return Object.keys(value).length > 0 ? value : undefined
    }
    case 'list': {
      const items: unknown[] = []
      const member = shape.member ?? ''
      for (let i = 1; ; i++) {
        const item = readQueryValue(shapeOf('sts', member), member, params, `${key}.member.${i}`)
        if (item === undefined) break
        items.push(item)
      }
      return items.length > 0 || params.has(key) ? items : undefined
    }
    default: {
      const raw = params.get(key)
      if (raw === null) return undefined
      if (shape.type === 'integer' || shape.type === 'long') return /^-?\d+$/.test(raw) ? Number(raw) : raw
      if (shape.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw
      return raw
    }
  }
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** A structure -> XML elements in model member order. */
function toXml(shapeName: string, value: unknown): string {
  const shape = shapeOf('sts', shapeName)
  switch (shape.type) {
    case 'structure':
      return Object.entries(shape.members ?? {})
        .filter(([name]) => (value as Record<string, unknown>)[name] !== undefined)
        .map(
          ([name, ref]) => `<${name}>${toXml(ref.shape, (value as Record<string, unknown>)[name])}</${name}>`,
        )
        .join('')
    case 'list':
      return (value as unknown[]).map((v) => `<member>${toXml(shape.member ?? '', v)}</member>`).join('')
    case 'timestamp':
      return iso(value as Date)
    default:
      return xmlEscape(String(value))
  }
}

function stsValidation(shapeName: string, value: unknown): AwsError | undefined {
  const { violations, typeErrors } = validate('sts', shapeName, value, 'input')
  const all = [...violations, ...typeErrors].map((v) =>
    v.replace(/at '([A-Z])/, (_m, c: string) => `at '${c.toLowerCase()}`),
  )
  return all.length > 0 ? new AwsError('ValidationError', validationMessage(all)) : undefined
}

const ACCESS_DENIED = (): AwsError =>
  new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403)

/** The longest session of a role assumed with another role session's credentials (role chaining). */
const CHAINED_MAX_SECONDS = 3600

function checkDuration(role: RoleRecord, duration: number): void {
  if (duration > role.maxSessionDuration) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    )
  }
}

function credentialsShape(c: CredentialRecord): Record<string, unknown> {
  return {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: c.expiration,
  }
}

/**
 * Whether the role's trust policy lets `caller` call sts:AssumeRole. A principal named by its ARN
 * (the role behind a session, or a user) in the role's own account needs nothing more; an account
 * principal, or any caller from another account, also needs its identity policy to allow it.
 */
function trustsCaller(role: RoleRecord, caller: Principal): boolean {
  const named = [caller.roleArn, caller.kind === 'user' ? caller.arn : undefined].filter(
    (x): x is string => x !== undefined,
  )
  const byArn = role.trust.principals.some((p) => named.includes(p))
  const byAccount = role.trust.principals.some(
    (p) => p === caller.account || p === `arn:aws:iam::${caller.account}:root`,
  )
  if (!byArn && !byAccount) return false
  const identity = evaluate(caller.permissions, 'sts:AssumeRole', role.arn)
  const session = caller.sessionPolicy ? evaluate(caller.sessionPolicy, 'sts:AssumeRole', role.arn) : 'allow'
  if (identity === 'explicit-deny' || session === 'explicit-deny') return false
  if (byArn && caller.account === role.account) return true
  return identity === 'allow' && session === 'allow'
}

export function createStsService(core: EmulatorCore): ServiceProtocol {
  const parse = (req: IncomingRequest): ParsedCall => {
    const params = new URLSearchParams(req.body.toString('utf8'))
    const operation = params.get('Action') ?? '<unknown>'
    const input: Record<string, unknown> = {}
    let tokenJti: string | undefined
    for (const [k, v] of params) {
      if (k === 'Action' || k === 'Version') continue
      if (k === 'WebIdentityToken') {
        tokenJti = peekJti(v)
        input[k] = `jti:${tokenJti ?? '<unreadable>'}`
      } else {
        input[k] = v
      }
    }
    return tokenJti === undefined ? { operation, input } : { operation, input, tokenJti }
  }

  const errorAnswer = (error: AwsError, requestId: string): Answer => ({
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="${XMLNS}">\n  <Error>\n    <Type>${error.sender ? 'Sender' : 'Receiver'}</Type>\n` +
      `    <Code>${xmlEscape(error.code)}</Code>\n    <Message>${xmlEscape(error.message)}</Message>\n  </Error>\n` +
      `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  })

  const answer = (operation: string, output: Record<string, unknown>, requestId: string): Answer => {
    const model = operationModel('sts', operation)
    if (!model) throw new EmulatorBug(`no model for sts ${operation}`)
    const result = validate('sts', model.output, output, 'output')
    if (result.violations.length > 0 || result.typeErrors.length > 0) {
      throw new EmulatorBug(
        `sts ${operation} answer does not conform: ${[...result.violations, ...result.typeErrors].join('; ')}`,
      )
    }
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body:
        `<${operation}Response xmlns="${XMLNS}">\n  <${operation}Result>${toXml(model.output, output)}</${operation}Result>\n` +
        `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${operation}Response>\n`,
    }
  }

  const assumeRole = (params: URLSearchParams, call: CallRecord): Answer => {
    const input = fromQuery('AssumeRoleWithWebIdentityRequest', params)
    const invalid = stsValidation('AssumeRoleWithWebIdentityRequest', input)
    if (invalid) throw invalid
    const roleArn = input.RoleArn as string
    const sessionName = input.RoleSessionName as string
    const duration = (input.DurationSeconds as number | undefined) ?? 3600
    const cfg = core.oidc.config
    const check = core.oidc.check(input.WebIdentityToken as string)
    if (!check.ok) {
      switch (check.reason) {
        case 'malformed':
          throw new AwsError(
            'InvalidIdentityToken',
            'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
          )
        case 'signature':
          throw new AwsError(
            'InvalidIdentityToken',
            'The web identity token signature could not be verified with the keys of the OpenID Connect provider',
          )
        case 'issuer':
          throw new AwsError(
            'InvalidIdentityToken',
            `No OpenIDConnect provider found in your account for ${String(check.claims?.iss)}`,
          )
        case 'not-yet-valid':
          // The documented text of InvalidIdentityTokenException (AWS publishes no other for this case).
          throw new AwsError(
            'InvalidIdentityToken',
            'The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.',
          )
        case 'expired':
          throw new AwsError(
            'ExpiredTokenException',
            `Token expired: current date/time ${Math.floor(Date.now() / 1000)} must be before the expiration date/time${String(check.claims?.exp)}`,
          )
      }
    }
    const claims = check.claims
    const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud)]
    const aud = audiences.find((a) => cfg.providerAudiences.includes(a))
    if (aud === undefined) throw new AwsError('InvalidIdentityToken', 'Incorrect token audience')
    const sub = String(claims.sub)
    const match = ROLE_ARN.exec(roleArn)
    const role = core.state.roles.get(roleArn)
    if (!match || !role || !role.trust.webIdentity) throw ACCESS_DENIED()
    if (aud !== role.trust.aud) throw ACCESS_DENIED()
    if (role.trust.sub !== undefined && !wildcardMatch(role.trust.sub, sub)) throw ACCESS_DENIED()
    checkDuration(role, duration)
    const credential = issueSession(role, sessionName, duration, sessionPolicy(role, input))
    call.principalArn = credential.principal.arn
    return answer(
      'AssumeRoleWithWebIdentity',
      {
        Credentials: credentialsShape(credential),
        SubjectFromWebIdentityToken: sub,
        AssumedRoleUser: { AssumedRoleId: credential.principal.userId, Arn: credential.principal.arn },
        Provider: `arn:aws:iam::${role.account}:oidc-provider/${new URL(cfg.issuer).host}`,
        Audience: aud,
      },
      call.requestId,
    )
  }

  const sessionPolicy = (role: RoleRecord, input: Record<string, unknown>) =>
    sessionPolicyOf(
      core.state,
      role.account,
      input.Policy as string | undefined,
      input.PolicyArns as { arn?: string }[] | undefined,
    )

  /** New session credentials of `role`, registered; `chained`: at most 1 hour whatever was asked. */
  const issueSession = (
    role: RoleRecord,
    sessionName: string,
    duration: number,
    policy: Principal['sessionPolicy'],
    chained = false,
  ): CredentialRecord => {
    const principal: Principal = {
      kind: 'assumed-role',
      arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
      account: role.account,
      userId: `${role.roleId}:${sessionName}`,
      permissions: role.permissions,
      roleArn: role.arn,
      ...(policy !== undefined ? { sessionPolicy: policy } : {}),
    }
    const seconds = Math.min(
      duration,
      role.sessionSeconds ?? duration,
      chained ? CHAINED_MAX_SECONDS : duration,
    )
    const credential: CredentialRecord = {
      accessKeyId: `ASIA${upperAlnum(16)}`,
      secretAccessKey: randomSecret(),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(600).toString('base64')}`,
      expiration: new Date(Date.now() + seconds * 1000),
      principal,
    }
    core.state.credentials.set(credential.accessKeyId, credential)
    return credential
  }

  /**
   * sts:AssumeRole signed with the caller's credentials. Refused (AccessDenied, AWS's text) unless
   * the role's trust policy names the caller (its role or user ARN: enough on its own in the role's
   * account) or the caller's account (then the caller's identity policy must allow sts:AssumeRole on
   * the role too, as it must for any cross-account caller), and the ExternalId matches the trust
   * policy's condition. A caller that is itself a role session is chaining: at most 1 hour.
   */
  const assumeRoleChained = (req: IncomingRequest, params: URLSearchParams, call: CallRecord): Answer => {
    const { credential: caller, region, accessKeyId } = authenticate('sts', req, core.state.credentials)
    call.accessKeyId = accessKeyId
    call.principalArn = caller.principal.arn
    call.region = region
    const input = fromQuery('AssumeRoleRequest', params)
    const invalid = stsValidation('AssumeRoleRequest', input)
    if (invalid) throw invalid
    const roleArn = input.RoleArn as string
    const role = core.state.roles.get(roleArn)
    const denied = new AwsError(
      'AccessDenied',
      `User: ${caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    )
    if (!role || !trustsCaller(role, caller.principal)) throw denied
    if (role.trust.externalId !== undefined && input.ExternalId !== role.trust.externalId) throw denied
    // Session tags need sts:TagSession in the trust policy too (AWS's text names that action).
    const tagged = (input.Tags as unknown[] | undefined)?.length ?? 0
    if (tagged > 0 && !role.trust.tagSession) {
      throw new AwsError(
        'AccessDenied',
        `User: ${caller.principal.arn} is not authorized to perform: sts:TagSession on resource: ${roleArn}`,
        403,
      )
    }
    const duration = (input.DurationSeconds as number | undefined) ?? 3600
    const chained = caller.principal.kind === 'assumed-role'
    if (chained && duration > CHAINED_MAX_SECONDS) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      )
    }
    checkDuration(role, duration)
    const sessionName = input.RoleSessionName as string
    const credential = issueSession(role, sessionName, duration, sessionPolicy(role, input), chained)
    const packed = (input.Policy as string | undefined) ?? ''
    return answer(
      'AssumeRole',
      {
        Credentials: credentialsShape(credential),
        AssumedRoleUser: { AssumedRoleId: credential.principal.userId, Arn: credential.principal.arn },
        ...(packed !== '' || input.PolicyArns !== undefined
          ? { PackedPolicySize: Math.min(100, Math.ceil((packed.length / 2048) * 100)) }
          : {}),
      },
      call.requestId,
    )
  }

  const handle = async (req: IncomingRequest, call: CallRecord): Promise<Answer> => {
    const params = new URLSearchParams(req.body.toString('utf8'))
    const action = params.get('Action')
    if (params.get('Version') !== VERSION) {
      throw new AwsError(
        'InvalidAction',
        `Could not find operation ${action ?? ''} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
      )
    }
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return assumeRole(params, call)
      case 'AssumeRole':
        return assumeRoleChained(req, params, call)
      case 'GetCallerIdentity': {
        const { credential, region, accessKeyId } = authenticate('sts', req, core.state.credentials)
        call.accessKeyId = accessKeyId
        call.principalArn = credential.principal.arn
        call.region = region
        const p = credential.principal
        return answer(
          'GetCallerIdentity',
          { UserId: p.userId, Account: p.account, Arn: p.arn },
          call.requestId,
        )
      }
      default:
        throw new AwsError('InvalidAction', `Could not find operation ${action ?? ''} for version ${VERSION}`)
    }
  }

  return { name: 'sts', parse, handle, errorAnswer }
}
