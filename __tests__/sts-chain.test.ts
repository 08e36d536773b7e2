// Role chaining and session policies (issue 14, point 4), driven by the real SDK against the
// emulator's STS: sts:AssumeRole signed with an earlier role session's (or a user's) credentials,
// the trust policy's principals and sts:ExternalId condition, the 1-hour limit of a chained session
// (AWS's own error text), session policies on both AssumeRole calls, and the explanations.
import { STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ActionError } from '../src/errors.ts'
import { assumeRoleChained, assumeRoleWithOidc, trustPrincipal, type ChainOptions } from '../src/sts.ts'
import { assumeRole, fetchIdToken, type SessionCredentials } from './testbed/emulator/helpers.ts'
import { startEmulator, type Emulator } from './testbed/emulator/index.ts'

const ACCOUNT = '123456789012'
const SOURCE = `arn:aws:iam::${ACCOUNT}:role/github-oidc`
const TARGET = `arn:aws:iam::${ACCOUNT}:role/ecr-push`
const PUSH = [{ action: ['ecr:*'], resource: '*' }]
let emu: Emulator
let masked: string[]
let sleeps: number[]

beforeAll(async () => {
  emu = await startEmulator()
  emu.addRole({
    arn: SOURCE,
    trust: { sub: 'repo:acme/widget:*' },
    maxSessionDuration: 43200,
    permissions: [{ action: 'sts:AssumeRole', resource: `arn:aws:iam::*:role/*` }],
  })
  emu.addRole({
    arn: TARGET,
    trust: { webIdentity: false, principals: [SOURCE, 'arn:aws:iam::123456789012:user/ci-keys'] },
    maxSessionDuration: 43200,
    permissions: PUSH,
  })
  emu.addUser({
    accessKeyId: 'AKIAEMULATORCHAIN001',
    secretAccessKey: 'k'.repeat(40),
    name: 'ci-keys',
    permissions: [],
  })
})
afterAll(async () => {
  await emu?.close()
})
beforeEach(() => {
  emu.clearCalls()
  emu.clearFaults()
  masked = []
  sleeps = []
})

function clientWith(credentials: SessionCredentials | { accessKeyId: string; secretAccessKey: string }) {
  return new STSClient({
    region: 'us-east-1',
    endpoint: emu.env.AWS_ENDPOINT_URL_STS,
    maxAttempts: 1,
    credentials,
  })
}

async function sourceSession(durationSeconds?: number): Promise<SessionCredentials> {
  return assumeRole(emu, SOURCE, {
    sessionName: 'GitHubActions-9-1',
    ...(durationSeconds ? { durationSeconds } : {}),
  })
}

function chain(client: STSClient, over: Partial<ChainOptions> = {}): ChainOptions {
  return {
    roleArn: TARGET,
    sessionName: 'GitHubActions-9-1',
    durationSeconds: 3600,
    region: 'us-east-1',
    mask: (s) => masked.push(s),
    client,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...over,
  }
}

const sessionOf = (accessKeyId: string | undefined) => {
  const c = emu.state.credentials.get(accessKeyId ?? '')
  if (!c) throw new Error('no such session')
  return c
}

describe('assumeRoleChained', () => {
  it('assumes the role with an earlier role session: the source is named, every secret masked', async () => {
    const client = clientWith(await sourceSession())
    emu.clearCalls()
    const id = await assumeRoleChained(chain(client))
    expect(id.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ecr-push/GitHubActions-9-1`)
    expect(id.account).toBe(ACCOUNT)
    expect(id.source).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/github-oidc/GitHubActions-9-1`)
    const c = id.credentials
    expect(masked).toEqual(expect.arrayContaining([c?.accessKeyId, c?.secretAccessKey, c?.sessionToken]))
    const [call] = emu.callsFor('sts', 'AssumeRole')
    expect(call?.principalArn).toBe(id.source)
    expect(
      emu
        .callsFor('sts')
        .map((x) => x.operation)
        .sort(),
    ).toEqual(['AssumeRole', 'GetCallerIdentity'])
    // A chained session lasts at most an hour.
    expect((c?.expiration?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(3600_000)
  })

  it('a chained session above 1 hour: STS refuses with its own words, the error names the input', async () => {
    const err = await assumeRoleChained(
      chain(clientWith(await sourceSession()), { durationSeconds: 7200 }),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ActionError)
    const msg = (err as Error).message
    expect(msg).toContain(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    )
    expect(msg).toContain("Set 'role-duration-seconds' to 3600 or less (now 7200)")
    expect(msg).toContain('assumed-role/github-oidc/GitHubActions-9-1')
    expect(emu.callsFor('sts', 'AssumeRole')).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it("an IAM user's keys are no chain: 2 hours are granted", async () => {
    const id = await assumeRoleChained(
      chain(clientWith({ accessKeyId: 'AKIAEMULATORCHAIN001', secretAccessKey: 'k'.repeat(40) }), {
        durationSeconds: 7200,
      }),
    )
    expect(id.source).toBe(`arn:aws:iam::${ACCOUNT}:user/ci-keys`)
    expect((id.credentials?.expiration?.getTime() ?? 0) - Date.now()).toBeGreaterThan(3600_000)
  })

  it("AccessDenied: the trust policy's principal (the role, not the session) and the external ID", async () => {
    const other = `arn:aws:iam::${ACCOUNT}:role/deploy`
    emu.addRole({
      arn: other,
      trust: { webIdentity: false, principals: ['arn:aws:iam::999999999999:root'] },
      permissions: [],
    })
    const err = await assumeRoleChained(chain(clientWith(await sourceSession()), { roleArn: other })).catch(
      (e: unknown) => e,
    )
    const msg = (err as Error).message
    expect(msg).toMatch(
      /^Could not assume role arn:aws:iam::123456789012:role\/deploy with the environment's credentials/,
    )
    expect(msg).toContain(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/github-oidc/GitHubActions-9-1 is not authorized to perform: sts:AssumeRole on resource: ${other}`,
    )
    expect(msg).toContain(`allows sts:AssumeRole for the principal {"AWS": "${SOURCE}"}`)
    expect(msg).toContain("set 'role-external-id' to that value")
    expect(emu.callsFor('sts', 'AssumeRole')).toHaveLength(1)
  })

  it('sts:ExternalId: the right one is let in, a wrong one is refused and the error shows the condition', async () => {
    const guarded = `arn:aws:iam::${ACCOUNT}:role/vendor`
    emu.addRole({
      arn: guarded,
      trust: { webIdentity: false, principals: [SOURCE], externalId: 'acme-7f3a' },
      permissions: PUSH,
    })
    const client = clientWith(await sourceSession())
    const ok = await assumeRoleChained(chain(client, { roleArn: guarded, externalId: 'acme-7f3a' }))
    expect(ok.arn).toContain('assumed-role/vendor/')
    expect(emu.callsFor('sts', 'AssumeRole')[0]?.input.ExternalId).toBe('acme-7f3a')
    for (const externalId of ['acme-0000', undefined]) {
      const err = await assumeRoleChained(
        chain(client, { roleArn: guarded, ...(externalId ? { externalId } : {}) }),
      ).catch((e: unknown) => e)
      expect((err as Error).message).toContain('AccessDenied')
      if (externalId)
        expect((err as Error).message).toContain('"StringEquals": {"sts:ExternalId": "acme-0000"}')
    }
  })

  it("a trust policy naming the account needs the caller's own sts:AssumeRole permission (IAM)", async () => {
    const byAccount = `arn:aws:iam::${ACCOUNT}:role/by-account`
    emu.addRole({ arn: byAccount, trust: { webIdentity: false, principals: [ACCOUNT] }, permissions: PUSH })
    const keys = clientWith({ accessKeyId: 'AKIAEMULATORCHAIN001', secretAccessKey: 'k'.repeat(40) })
    const err = await assumeRoleChained(chain(keys, { roleArn: byAccount })).catch((e: unknown) => e)
    expect((err as Error).message).toContain("also needs the caller's own policy to allow sts:AssumeRole")
    // The OIDC role may (its policy allows sts:AssumeRole on any role).
    const ok = await assumeRoleChained(chain(clientWith(await sourceSession()), { roleArn: byAccount }))
    expect(ok.arn).toContain('assumed-role/by-account/')
  })

  it('expired source credentials: no retry, the error says to renew them', async () => {
    const source = await sourceSession()
    emu.expireCredentials(source.accessKeyId)
    const err = await assumeRoleChained(chain(clientWith(source))).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/with the environment's credentials .*: they have expired/)
    expect(emu.callsFor('sts', 'AssumeRole')).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('no credentials in the environment: says how to provide them', async () => {
    const client = new STSClient({
      region: 'us-east-1',
      endpoint: emu.env.AWS_ENDPOINT_URL_STS,
      maxAttempts: 1,
      credentials: async () => {
        const e = new Error('Could not load credentials from any providers')
        e.name = 'CredentialsProviderError'
        throw e
      },
    })
    const err = await assumeRoleChained(chain(client)).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(
      /^'role-chaining: true' found no AWS credentials in the environment to assume .*aws-actions\/configure-aws-credentials/,
    )
  })

  it('throttling is retried; the session comes on the second attempt', async () => {
    emu.inject({
      service: 'sts',
      operation: 'AssumeRole',
      fault: { kind: 'error', status: 400, code: 'Throttling' },
    })
    const id = await assumeRoleChained(chain(clientWith(await sourceSession())))
    expect(id.arn).toContain('assumed-role/ecr-push/')
    expect(emu.callsFor('sts', 'AssumeRole')).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
  })
})

describe('session policies', () => {
  const deny = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' },
    ],
  })

  it('AssumeRole passes the inline and managed policies; the session is limited by them', async () => {
    emu.addManagedPolicy(`arn:aws:iam::${ACCOUNT}:policy/read-only`, [
      { action: 'ecr:Describe*', resource: '*' },
    ])
    const id = await assumeRoleChained(
      chain(clientWith(await sourceSession()), {
        policies: { policy: deny, policyArns: [`arn:aws:iam::${ACCOUNT}:policy/read-only`] },
      }),
    )
    const [call] = emu.callsFor('sts', 'AssumeRole')
    expect(call?.input.Policy).toBe(deny)
    expect(call?.input['PolicyArns.member.1.arn']).toBe(`arn:aws:iam::${ACCOUNT}:policy/read-only`)
    const session = sessionOf(id.credentials?.accessKeyId).principal
    expect(session.sessionPolicy).toEqual([
      { effect: 'Allow', action: ['ecr:*'], resource: ['*'] },
      { effect: 'Deny', action: ['ecr:PutImage'], resource: ['*'] },
      { action: 'ecr:Describe*', resource: '*' },
    ])
  })

  it('AssumeRoleWithWebIdentity takes them too (as in configure-aws-credentials)', async () => {
    const id = await assumeRoleWithOidc({
      roleArn: SOURCE,
      sessionName: 'GitHubActions-9-1',
      durationSeconds: 3600,
      region: 'us-east-1',
      audience: 'sts.amazonaws.com',
      getToken: (aud) => fetchIdToken(emu, aud),
      mask: () => undefined,
      client: new STSClient({ region: 'us-east-1', endpoint: emu.env.AWS_ENDPOINT_URL_STS, maxAttempts: 1 }),
      policies: { policy: deny },
    })
    expect(emu.callsFor('sts', 'AssumeRoleWithWebIdentity')[0]?.input.Policy).toBe(deny)
    expect(sessionOf(id.credentials?.accessKeyId).principal.sessionPolicy).toHaveLength(2)
  })

  it('a policy STS cannot parse: its own words, and the input to fix', async () => {
    const err = await assumeRoleChained(
      chain(clientWith(await sourceSession()), { policies: { policy: '{"Version":"2012-10-17",' } }),
    ).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(
      /STS refused the session policy \(.+\)\. Fix 'inline-session-policy'/,
    )
  })
})

describe('trustPrincipal', () => {
  it.each([
    [
      'arn:aws:sts::123456789012:assumed-role/github-oidc/GitHubActions-1-1',
      'arn:aws:iam::123456789012:role/github-oidc',
    ],
    ['arn:aws-cn:sts::123456789012:assumed-role/r/s', 'arn:aws-cn:iam::123456789012:role/r'],
    ['arn:aws:iam::123456789012:user/ci', 'arn:aws:iam::123456789012:user/ci'],
    ['arn:aws:sts::123456789012:federated-user/bob', 'arn:aws:iam::123456789012:root'],
  ])('%s -> %s', (caller, principal) => {
    expect(trustPrincipal(caller)).toBe(principal)
  })
})
