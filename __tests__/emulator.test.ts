// The AWS emulator, driven by the real AWS SDK clients over HTTP: OIDC, STS, SigV4, IAM, ECR
// validation and pagination, fault injection, the request log.
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr'
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { assumeRole, fetchIdToken, type SessionCredentials } from './testbed/emulator/helpers.ts'
import { pushPermissions, startEmulator, type Emulator } from './testbed/emulator/index.ts'
import { modelServices, operationModel, validate } from './testbed/emulator/model.ts'

const ACCOUNT = '123456789012'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/github-ecr-push`

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(async () => {
  await emu.close()
})
beforeEach(() => {
  emu.state.roles.clear()
  emu.state.repositories.length = 0
  emu.clearFaults()
  emu.clearCalls()
  emu.oidc.lifetimeSeconds = 300
  emu.addRole({
    arn: ROLE,
    trust: { aud: 'sts.amazonaws.com', sub: 'repo:acme/widget:*' },
    permissions: pushPermissions(ACCOUNT, 'acme/*', { governance: true }),
  })
})
afterEach(() => {
  expect(emu.internalErrors).toEqual([])
})

const sts = (options: { maxAttempts?: number; credentials?: SessionCredentials } = {}): STSClient =>
  new STSClient({ region: 'us-east-1', endpoint: emu.env.AWS_ENDPOINT_URL_STS, ...options })

const ecr = (
  credentials: SessionCredentials | { accessKeyId: string; secretAccessKey: string },
  maxAttempts = 1,
): ECRClient =>
  new ECRClient({ region: 'us-east-1', endpoint: emu.env.AWS_ENDPOINT_URL_ECR, credentials, maxAttempts })

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

function assumeCommand(
  token: string,
  extra: { RoleSessionName?: string; DurationSeconds?: number; RoleArn?: string } = {},
) {
  return new AssumeRoleWithWebIdentityCommand({
    RoleArn: ROLE,
    RoleSessionName: 'gh-1',
    WebIdentityToken: token,
    ...extra,
  })
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >
}

describe('OIDC token endpoint', () => {
  it('requires the request token', async () => {
    const url = `${emu.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401)
    const ok = await fetch(url, {
      headers: { authorization: `Bearer ${emu.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    })
    expect(ok.status).toBe(200)
    expect(emu.callsFor('oidc').map((c) => c.status)).toEqual([401, 401, 200])
  })

  it('mints GitHub-like RS256 tokens with the requested audience and a unique jti', async () => {
    const a = await fetchIdToken(emu, 'sts.amazonaws.com')
    const b = await fetchIdToken(emu, 'custom-aud')
    const header = JSON.parse(Buffer.from(a.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >
    expect(header.alg).toBe('RS256')
    const ca = claimsOf(a)
    expect(ca).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.amazonaws.com',
      sub: 'repo:acme/widget:ref:refs/heads/main',
      repository: 'acme/widget',
      ref: 'refs/heads/main',
    })
    expect(Number(ca.exp) - Number(ca.iat)).toBeGreaterThanOrEqual(300)
    expect(claimsOf(b).aud).toBe('custom-aud')
    expect(ca.jti).not.toBe(claimsOf(b).jti)
    expect(emu.callsFor('oidc', 'GetIdToken').map((c) => [c.input.audience, c.tokenJti])).toEqual([
      ['sts.amazonaws.com', ca.jti],
      ['custom-aud', claimsOf(b).jti],
    ])
  })

  it('defaults the audience to the owner URL and honours claim overrides', async () => {
    emu.oidc.claims = { ref: 'refs/heads/dev' }
    emu.oidc.sub = 'repo:acme/widget:ref:refs/heads/dev'
    try {
      const res = await fetch(emu.env.ACTIONS_ID_TOKEN_REQUEST_URL, {
        headers: { authorization: `Bearer ${emu.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
      })
      const claims = claimsOf(((await res.json()) as { value: string }).value)
      expect(claims).toMatchObject({
        aud: 'https://github.com/acme',
        ref: 'refs/heads/dev',
        sub: 'repo:acme/widget:ref:refs/heads/dev',
      })
    } finally {
      emu.oidc.claims = {}
      emu.oidc.sub = 'repo:acme/widget:ref:refs/heads/main'
    }
  })
})

describe('STS AssumeRoleWithWebIdentity', () => {
  it('issues session credentials for a trusted token', async () => {
    const token = await fetchIdToken(emu)
    const before = Date.now()
    const out = await sts().send(assumeCommand(token, { DurationSeconds: 900 }))
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/github-ecr-push/gh-1`)
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:gh-1$/)
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/)
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40)
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100)
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before
    expect(expiresIn).toBeGreaterThan(895_000)
    expect(expiresIn).toBeLessThan(905_000)
    expect(out.SubjectFromWebIdentityToken).toBe('repo:acme/widget:ref:refs/heads/main')
    expect(out.Audience).toBe('sts.amazonaws.com')
    expect(out.Provider).toContain('token.actions.githubusercontent.com')
    const [call] = emu.callsFor('sts', 'AssumeRoleWithWebIdentity')
    expect(call?.status).toBe(200)
    expect(call?.tokenJti).toBe(claimsOf(token).jti)
    expect(call?.input.WebIdentityToken).toBe(`jti:${String(claimsOf(token).jti)}`)
    expect(JSON.stringify(emu.calls)).not.toContain(token)
  })

  it('GetCallerIdentity answers for the session (signed)', async () => {
    const credentials = await assumeRole(emu, ROLE, { sessionName: 'who' })
    const out = await sts({ credentials }).send(new GetCallerIdentityCommand({}))
    expect(out).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/github-ecr-push/who`,
    })
    expect(out.UserId).toMatch(/^AROA[A-Z0-9]{17}:who$/)
  })

  it.each([
    ['forged signature', { foreignKey: true }, 'InvalidIdentityTokenException', 400],
    ['expired token', { lifetimeSeconds: -10 }, 'ExpiredTokenException', 400],
    [
      'audience not registered with the provider',
      { audience: 'https://github.com/acme' },
      'InvalidIdentityTokenException',
      400,
    ],
  ] as const)('rejects a %s', async (_label, mint, name, status) => {
    const token = emu.mintToken({}, mint)
    const err = await rejection(sts({ maxAttempts: 1 }).send(assumeCommand(token)))
    expect(err.name).toBe(name)
    expect(err.$metadata?.httpStatusCode).toBe(status)
    if (name === 'ExpiredTokenException') expect(err.message).toMatch(/^Token expired/)
  })

  it.each([
    ['nbf', 600, 'rejected'],
    ['iat', 600, 'rejected'],
    ['nbf', 30, 'accepted'],
    ['iat', 30, 'accepted'],
  ] as const)(
    'a token whose %s is %i s ahead (clock skew allowed: 60 s) is %s',
    async (claim, ahead, outcome) => {
      const token = emu.mintToken({ [claim]: Math.floor(Date.now() / 1000) + ahead })
      const before = emu.state.credentials.size
      const call = sts({ maxAttempts: 1 }).send(assumeCommand(token))
      if (outcome === 'accepted') {
        expect((await call).Credentials?.AccessKeyId).toMatch(/^ASIA/)
        return
      }
      const err = await rejection(call)
      expect(err.name).toBe('InvalidIdentityTokenException')
      expect(err.$metadata?.httpStatusCode).toBe(400)
      expect(err.message).toBe(
        'The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.',
      )
      expect(emu.state.credentials.size).toBe(before)
    },
  )

  it('rejects an expired token from the endpoint (configurable lifetime)', async () => {
    emu.oidc.lifetimeSeconds = -1
    const err = await rejection(sts({ maxAttempts: 1 }).send(assumeCommand(await fetchIdToken(emu))))
    expect(err.name).toBe('ExpiredTokenException')
  })

  it('denies by trust policy: aud StringEquals, sub StringLike (case-sensitive), unknown role', async () => {
    emu.oidc.providerAudiences.push('other-aud')
    const cases = [
      emu.mintToken({}, { audience: 'other-aud' }),
      emu.mintToken({ sub: 'repo:Acme/widget:ref:refs/heads/main' }),
      emu.mintToken({ sub: 'repo:acme/gadget:ref:refs/heads/main' }),
    ]
    for (const token of cases) {
      const err = await rejection(sts({ maxAttempts: 1 }).send(assumeCommand(token)))
      expect(err.name).toBe('AccessDenied')
      expect(err.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity')
      expect(err.$metadata?.httpStatusCode).toBe(403)
    }
    const err = await rejection(
      sts({ maxAttempts: 1 }).send(
        assumeCommand(emu.mintToken({}, { audience: 'sts.amazonaws.com' }), {
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope`,
        }),
      ),
    )
    expect(err.name).toBe('AccessDenied')
    // AccessDenied is permanent: the SDK does not retry it.
    expect(emu.callsFor('sts', 'AssumeRoleWithWebIdentity')).toHaveLength(4)
    emu.oidc.providerAudiences.pop()
  })

  it('validates session name and duration like AWS', async () => {
    const token = (): string => emu.mintToken({}, { audience: 'sts.amazonaws.com' })
    const bad = await rejection(
      sts({ maxAttempts: 1 }).send(assumeCommand(token(), { RoleSessionName: 'has space' })),
    )
    expect(bad.name).toBe('ValidationError')
    expect(bad.message).toBe(
      "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    )
    const long = await rejection(
      sts({ maxAttempts: 1 }).send(assumeCommand(token(), { DurationSeconds: 50_000 })),
    )
    expect(long.name).toBe('ValidationError')
    expect(long.message).toContain('Member must have value less than or equal to 43200')
    const overRole = await rejection(
      sts({ maxAttempts: 1 }).send(assumeCommand(token(), { DurationSeconds: 7200 })),
    )
    expect(overRole.name).toBe('ValidationError')
    expect(overRole.message).toBe(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    )
  })
})

describe('SigV4', () => {
  it('accepts the issued credentials on ECR and rejects tampered, unknown and expired ones', async () => {
    const credentials = await assumeRole(emu, ROLE)
    const out = await ecr(credentials).send(new GetAuthorizationTokenCommand({}))
    expect(out.authorizationData?.[0]?.authorizationToken).toBeTruthy()

    const tampered = await rejection(
      ecr({
        ...credentials,
        secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}${credentials.secretAccessKey.endsWith('x') ? 'y' : 'x'}`,
      }).send(new GetAuthorizationTokenCommand({})),
    )
    expect(tampered.name).toBe('InvalidSignatureException')
    expect(tampered.$metadata?.httpStatusCode).toBe(400)

    const wrongToken = await rejection(
      ecr({ ...credentials, sessionToken: 'bogus' }).send(new GetAuthorizationTokenCommand({})),
    )
    expect(wrongToken.name).toBe('UnrecognizedClientException')

    const unknown = await rejection(
      ecr({ ...credentials, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }).send(new GetAuthorizationTokenCommand({})),
    )
    expect(unknown.name).toBe('UnrecognizedClientException')

    emu.expireCredentials(credentials.accessKeyId)
    const expired = await rejection(ecr(credentials).send(new GetAuthorizationTokenCommand({})))
    expect(expired.name).toBe('ExpiredTokenException')
    expect(expired.message).toBe('The security token included in the request is expired')
  })

  it('answers STS auth failures in STS form', async () => {
    const credentials = await assumeRole(emu, ROLE)
    const tampered = await rejection(
      sts({ maxAttempts: 1, credentials: { ...credentials, secretAccessKey: 'x'.repeat(40) } }).send(
        new GetCallerIdentityCommand({}),
      ),
    )
    expect(tampered.name).toBe('SignatureDoesNotMatch')
    expect(tampered.$metadata?.httpStatusCode).toBe(403)
    const unknown = await rejection(
      sts({ maxAttempts: 1, credentials: { ...credentials, accessKeyId: 'ASIAZZZZZZZZZZZZZZZZ' } }).send(
        new GetCallerIdentityCommand({}),
      ),
    )
    expect(unknown.name).toBe('InvalidClientTokenId')
    emu.expireCredentials()
    const expired = await rejection(
      sts({ maxAttempts: 1, credentials }).send(new GetCallerIdentityCommand({})),
    )
    expect(expired.name).toBe('ExpiredToken')
  })

  it('accepts static IAM user keys (default credential chain) and records the region', async () => {
    emu.addUser({
      accessKeyId: 'AKIAEMULATORUSER0001',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      name: 'ci',
      permissions: pushPermissions(ACCOUNT, '*'),
    })
    const keys = {
      accessKeyId: 'AKIAEMULATORUSER0001',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    }
    const who = await new STSClient({
      region: 'eu-west-1',
      endpoint: emu.env.AWS_ENDPOINT_URL_STS,
      credentials: keys,
    }).send(new GetCallerIdentityCommand({}))
    expect(who.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ci`)
    expect(who.UserId).toMatch(/^AIDA/)
    await ecr(keys).send(new GetAuthorizationTokenCommand({}))
    expect(emu.callsFor('ecr', 'GetAuthorizationToken')[0]).toMatchObject({
      accessKeyId: 'AKIAEMULATORUSER0001',
      principalArn: `arn:aws:iam::${ACCOUNT}:user/ci`,
      region: 'us-east-1',
      status: 200,
    })
    expect(emu.callsFor('sts', 'GetCallerIdentity')[0]?.region).toBe('eu-west-1')
  })
})

describe('ECR', () => {
  let credentials: SessionCredentials
  beforeEach(async () => {
    credentials = await assumeRole(emu, ROLE)
  })

  it('GetAuthorizationToken: a new opaque AWS:<password> of ECR size per call and principal, 12 h, the account endpoint', async () => {
    const client = ecr(credentials)
    const [first, second] = [
      await client.send(new GetAuthorizationTokenCommand({})),
      await client.send(new GetAuthorizationTokenCommand({})),
    ]
    const data = first.authorizationData?.[0]
    const token = data?.authorizationToken ?? ''
    expect(token.length).toBeGreaterThanOrEqual(1024)
    const decoded = Buffer.from(token, 'base64').toString()
    expect(decoded.startsWith('AWS:')).toBe(true)
    const password = decoded.slice(4)
    expect(second.authorizationData?.[0]?.authorizationToken).not.toBe(token)
    const record = emu.state.registryTokens.get(password)
    expect(record?.principal.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/github-ecr-push/test-session`)
    expect(record?.region).toBe('us-east-1')
    expect(record?.expiresAt.getTime()).toBe(data?.expiresAt?.getTime())
    const hours = ((data?.expiresAt?.getTime() ?? 0) - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(11.9)
    expect(hours).toBeLessThanOrEqual(12)
    // Without a registry front, the endpoint is ECR's own name.
    expect(data?.proxyEndpoint).toBe(`https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`)
    client.destroy()

    // Another principal gets its own token; registryIds (deprecated) gives one entry per registry.
    emu.addUser({
      accessKeyId: 'AKIAEMULATORTOKENS01',
      secretAccessKey: 'k'.repeat(40),
      name: 'tokens',
      permissions: pushPermissions(ACCOUNT, 'acme/*'),
    })
    const other = await ecr({ accessKeyId: 'AKIAEMULATORTOKENS01', secretAccessKey: 'k'.repeat(40) }).send(
      new GetAuthorizationTokenCommand({ registryIds: [ACCOUNT, '210987654321'] }),
    )
    const [mine, theirs] = other.authorizationData ?? []
    expect(mine?.authorizationToken).not.toBe(token)
    expect(theirs?.authorizationToken).toBe(mine?.authorizationToken)
    expect(theirs?.proxyEndpoint).toBe('https://210987654321.dkr.ecr.us-east-1.amazonaws.com')
    const user = Buffer.from(mine?.authorizationToken ?? '', 'base64')
      .toString()
      .slice(4)
    expect(emu.state.registryTokens.get(user)?.principal.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/tokens`)
  })

  it('GetAuthorizationToken: scenarios shorten the lifetime', async () => {
    emu.setRegistryTokenLifetime(30)
    try {
      const out = await ecr(credentials).send(new GetAuthorizationTokenCommand({}))
      const left = (out.authorizationData?.[0]?.expiresAt?.getTime() ?? 0) - Date.now()
      expect(left).toBeGreaterThan(25_000)
      expect(left).toBeLessThanOrEqual(30_000)
    } finally {
      emu.setRegistryTokenLifetime(12 * 3600)
    }
  })

  it('denies what the identity policy does not allow, in AWS words', async () => {
    emu.createRepository({ name: 'other/thing' })
    const err = await rejection(
      ecr(credentials).send(new DescribeRepositoriesCommand({ repositoryNames: ['other/thing'] })),
    )
    expect(err.name).toBe('AccessDeniedException')
    expect(err.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/github-ecr-push/test-session is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other/thing because no identity-based policy allows the ecr:DescribeRepositories action`,
    )
  })

  it('validates input against the model before anything else', async () => {
    const big = await rejection(
      ecr(credentials).send(
        new DescribeRepositoriesCommand({ repositoryNames: ['acme/x'], maxResults: 5000 }),
      ),
    )
    expect(big.name).toBe('InvalidParameterException')
    expect(big.message).toContain("'maxResults'")
    const name = await rejection(
      ecr(credentials).send(new DescribeRepositoriesCommand({ repositoryNames: ['Acme/Widget'] })),
    )
    expect(name.name).toBe('InvalidParameterException')
    expect(name.message).toContain('regular expression pattern')
  })

  it('DescribeRepositories: not found message, names, pagination', async () => {
    const missing = await rejection(
      ecr(credentials).send(new DescribeRepositoriesCommand({ repositoryNames: ['acme/nope'] })),
    )
    expect(missing.name).toBe('RepositoryNotFoundException')
    expect(missing.message).toBe(
      `The repository with name 'acme/nope' does not exist in the registry with id '${ACCOUNT}'`,
    )

    for (let i = 0; i < 5; i++) emu.createRepository({ name: `acme/r${i}`, scanOnPush: i === 0 })
    emu.createRepository({ name: 'acme/elsewhere', region: 'eu-west-1' })
    const one = await ecr(credentials).send(new DescribeRepositoriesCommand({ repositoryNames: ['acme/r0'] }))
    expect(one.repositories?.[0]).toMatchObject({
      repositoryName: 'acme/r0',
      registryId: ACCOUNT,
      repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/acme/r0`,
      repositoryUri: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/acme/r0`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    })
    expect(one.repositories?.[0]?.createdAt).toBeInstanceOf(Date)

    // Listing all needs ecr:DescribeRepositories on repository/*.
    emu.state.roles.get(ROLE)?.permissions.push({ action: 'ecr:DescribeRepositories', resource: '*' })
    const pages: string[][] = []
    for await (const page of paginateDescribeRepositories({ client: ecr(credentials), pageSize: 2 }, {})) {
      pages.push((page.repositories ?? []).map((r) => r.repositoryName ?? ''))
    }
    expect(pages).toEqual([['acme/r0', 'acme/r1'], ['acme/r2', 'acme/r3'], ['acme/r4']])
    const badToken = await rejection(
      ecr(credentials).send(new DescribeRepositoriesCommand({ nextToken: 'garbage' })),
    )
    expect(badToken.name).toBe('InvalidParameterException')
  })
})

describe('fault injection and the request log', () => {
  it('an injected STS Throttling is what the SDK sees (no retries)', async () => {
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      fault: { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' },
    })
    const err = await rejection(sts({ maxAttempts: 1 }).send(assumeCommand(await fetchIdToken(emu))))
    expect(err.name).toBe('Throttling')
    expect(err.message).toBe('Rate exceeded')
    expect(emu.callsFor('sts', 'AssumeRoleWithWebIdentity')).toMatchObject([
      { status: 400, errorCode: 'Throttling', injected: 'error' },
    ])
  })

  it('two transient failures then success: three attempts, three tokens', async () => {
    emu.inject({
      service: 'sts',
      times: 2,
      fault: {
        kind: 'error',
        status: 400,
        code: 'IDPCommunicationError',
        message: "Couldn't contact the IdP",
      },
    })
    const errors: string[] = []
    let out
    for (let attempt = 0; attempt < 3 && !out; attempt++) {
      try {
        out = await sts({ maxAttempts: 1 }).send(assumeCommand(await fetchIdToken(emu)))
      } catch (error) {
        errors.push((error as Error).name)
      }
    }
    expect(errors).toEqual(['IDPCommunicationErrorException', 'IDPCommunicationErrorException'])
    const attempts = emu.callsFor('sts', 'AssumeRoleWithWebIdentity')
    expect(attempts.map((c) => c.status)).toEqual([400, 400, 200])
    expect(new Set(attempts.map((c) => c.tokenJti)).size).toBe(3)
  })

  it('ECR throttling, server errors and 503s in ECR form; SDK retries them when allowed', async () => {
    const credentials = await assumeRole(emu, ROLE)
    emu.inject({
      service: 'ecr',
      operation: 'GetAuthorizationToken',
      fault: { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
    })
    const throttled = await rejection(ecr(credentials).send(new GetAuthorizationTokenCommand({})))
    expect(throttled.name).toBe('ThrottlingException')
    emu.inject({
      service: 'ecr',
      fault: { kind: 'error', status: 500, code: 'ServerException', message: 'boom' },
    })
    const server = await rejection(ecr(credentials).send(new GetAuthorizationTokenCommand({})))
    expect(server.name).toBe('ServerException')
    expect(server.$metadata?.httpStatusCode).toBe(500)
    emu.inject({ service: 'ecr', times: 2, fault: { kind: 'error', status: 500, code: 'ServerException' } })
    await ecr(credentials, 3).send(new GetAuthorizationTokenCommand({}))
    expect(emu.callsFor('ecr', 'GetAuthorizationToken').map((c) => c.status)).toEqual([
      400, 500, 500, 500, 200,
    ])
  })

  it('STS ServiceUnavailable is a 503 in XML form', async () => {
    emu.inject({
      service: 'sts',
      fault: { kind: 'error', status: 503, code: 'ServiceUnavailable', message: 'Service unavailable' },
    })
    const res = await fetch(emu.env.AWS_ENDPOINT_URL_STS, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15',
    })
    expect(res.status).toBe(503)
    const xml = await res.text()
    expect(xml).toContain('<Type>Receiver</Type>')
    expect(xml).toContain('<Code>ServiceUnavailable</Code>')
    expect(xml).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/)
  })

  it('reset drops the connection; delay delays; OIDC faults too', async () => {
    const credentials = await assumeRole(emu, ROLE)
    emu.inject({ service: 'ecr', fault: { kind: 'reset' } })
    const reset = await rejection(ecr(credentials).send(new GetAuthorizationTokenCommand({})))
    expect(reset.name).not.toMatch(/Exception$/)
    expect(emu.callsFor('ecr')[0]).toMatchObject({ injected: 'reset', errorCode: 'ConnectionReset' })

    emu.inject({ service: 'ecr', fault: { kind: 'delay', ms: 300 } })
    const start = Date.now()
    await ecr(credentials).send(new GetAuthorizationTokenCommand({}))
    expect(Date.now() - start).toBeGreaterThanOrEqual(290)

    emu.inject({ service: 'oidc', fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' } })
    await expect(fetchIdToken(emu)).rejects.toThrow(/503/)
    await expect(fetchIdToken(emu)).resolves.toMatch(/^ey/)
  })
})

describe('the AWS model (shared/aws-model/ecr-sts.json)', () => {
  it('loads every service it holds, the newer operations included, and validates against them', () => {
    expect(modelServices().sort()).toEqual(['ecr', 'ecr-public', 'inspector2', 'sts'])
    for (const op of [
      'BatchCheckLayerAvailability',
      'InitiateLayerUpload',
      'UploadLayerPart',
      'CompleteLayerUpload',
      'GetDownloadUrlForLayer',
      'DescribeRepositoryCreationTemplates',
    ])
      expect(operationModel('ecr', op), op).toBeDefined()
    expect(operationModel('sts', 'AssumeRole')).toBeDefined()
    expect(operationModel('ecr-public', 'GetAuthorizationToken')).toBeDefined()
    const listCoverage = operationModel('inspector2', 'ListCoverage')
    expect(listCoverage).toBeDefined()
    const bad = validate('inspector2', listCoverage?.input ?? '', { maxResults: 100_000 }, 'input')
    expect(bad.violations.join('\n')).toMatch(/'maxResults' failed to satisfy constraint/)
  })
})
