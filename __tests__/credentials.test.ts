// Role sessions that outlive the scan wait: the renewing credential provider as a table with an
// injected clock, then through the real AWS SDK against the emulator, whose role issues sessions of a
// few seconds (real time: a few seconds).
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr'
import { STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredentialRefreshError, renewingCredentials } from '../src/credentials.ts'
import { assumeRoleWithOidc, type AwsCredentials } from '../src/sts.ts'
import { fetchIdToken } from './testbed/emulator/helpers.ts'
import { pushPermissions, startEmulator, type Emulator } from './testbed/emulator/index.ts'

const session = (n: number, expiresAt: number): AwsCredentials => ({
  accessKeyId: `AK${n}`,
  secretAccessKey: 's',
  sessionToken: 't',
  expiration: new Date(expiresAt),
})

describe('renewingCredentials', () => {
  const HOUR = 3600_000
  function setup(renewals: (() => AwsCredentials)[]) {
    let now = 0
    let calls = 0
    const warnings: string[] = []
    const provider = renewingCredentials({
      initial: session(0, HOUR),
      renew: async () => {
        const next = renewals[calls++]
        if (!next) throw new Error('AccessDenied: trust policy')
        return next()
      },
      durationSeconds: 3600,
      waitSeconds: 7200,
      clock: () => now,
      warn: (l) => warnings.push(l),
    })
    return { provider, warnings, at: (t: number) => (now = t), calls: () => calls }
  }

  it('hands out the session until 5 minutes before it expires, then assumes the role again', async () => {
    const s = setup([() => session(1, 2 * HOUR)])
    s.at(HOUR - 301_000)
    expect((await s.provider()).accessKeyId).toBe('AK0')
    s.at(HOUR - 299_000)
    expect((await s.provider()).accessKeyId).toBe('AK1')
    expect((await s.provider()).accessKeyId).toBe('AK1')
    expect(s.calls()).toBe(1)
  })

  it('concurrent calls share one renewal', async () => {
    const s = setup([() => session(1, 2 * HOUR), () => session(2, 3 * HOUR)])
    s.at(HOUR - 60_000)
    const got = await Promise.all([s.provider(), s.provider(), s.provider()])
    expect(got.map((c) => c.accessKeyId)).toEqual(['AK1', 'AK1', 'AK1'])
    expect(s.calls()).toBe(1)
  })

  it('a failed renewal keeps the old session while it lasts, and tries again 30 s later', async () => {
    const s = setup([])
    s.at(HOUR - 200_000)
    expect((await s.provider()).accessKeyId).toBe('AK0')
    expect(s.warnings[0]).toMatch(/Could not renew the role session \(AccessDenied: trust policy\)/)
    s.at(HOUR - 190_000)
    await s.provider()
    expect(s.calls()).toBe(1)
    s.at(HOUR - 169_000)
    await s.provider()
    expect(s.calls()).toBe(2)
  })

  it('when the session cannot be renewed before it expires, the failure names role-duration-seconds', async () => {
    const s = setup([])
    s.at(HOUR - 2_000)
    const err = await s.provider().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CredentialRefreshError)
    expect((err as Error).name).toBe('CredentialRefreshError')
    expect((err as Error).message).toMatch(
      /expires at .*\(role-duration-seconds: 3600\), before the scan wait ends, and assuming the role again failed: AccessDenied: trust policy\. Raise role-duration-seconds to at least 7500/,
    )
  })

  it('a chained session that cannot be renewed: the source credentials must outlast the wait', async () => {
    let now = 0
    const provider = renewingCredentials({
      initial: session(0, HOUR),
      renew: async () => Promise.reject(new Error('ExpiredToken: the source session expired')),
      durationSeconds: 3600,
      waitSeconds: 7200,
      chainedFrom: 'arn:aws:sts::123456789012:assumed-role/github-oidc/s',
      clock: () => now,
    })
    now = HOUR - 2_000
    const err = await provider().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CredentialRefreshError)
    expect((err as Error).message).toMatch(
      /^The chained role session expires at .* \(a role assumed with another role's session lasts at most 1 hour\), before the scan wait ends, and assuming the role again with arn:aws:sts::123456789012:assumed-role\/github-oidc\/s failed: ExpiredToken: the source session expired\. .*give the earlier step's session at least 7500 seconds/,
    )
    expect((err as Error).message).not.toContain('Raise role-duration-seconds')
  })
})

describe('renewal through the SDK against the emulator', () => {
  const ACCOUNT = '123456789012'
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/short-sessions`
  let emu: Emulator

  beforeAll(async () => {
    emu = await startEmulator()
    emu.addRole({
      arn: ROLE,
      trust: { sub: 'repo:acme/*' },
      sessionSeconds: 3,
      permissions: pushPermissions(ACCOUNT, 'acme/*', { governance: true }),
    })
    emu.createRepository({ name: 'acme/widget' })
  })
  afterAll(async () => {
    expect(emu?.internalErrors ?? []).toEqual([])
    await emu?.close()
  })

  const assume = () =>
    assumeRoleWithOidc({
      roleArn: ROLE,
      sessionName: 'renew-test',
      durationSeconds: 900,
      region: 'us-east-1',
      audience: 'sts.amazonaws.com',
      getToken: () => fetchIdToken(emu),
      mask: () => undefined,
      client: new STSClient({ region: 'us-east-1', endpoint: emu.env.AWS_ENDPOINT_URL_STS, maxAttempts: 1 }),
    })
  const ecr = (credentials: AwsCredentials | (() => Promise<AwsCredentials>)) =>
    new ECRClient({
      region: 'us-east-1',
      endpoint: emu.env.AWS_ENDPOINT_URL_ECR,
      credentials,
      maxAttempts: 1,
    })
  const describeRepo = (c: ECRClient) =>
    c.send(new DescribeRepositoriesCommand({ repositoryNames: ['acme/widget'] }))
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('a plain session expires during a wait (ExpiredTokenException); the renewing one does not', async () => {
    const first = await assume()
    const plain = ecr(first.credentials as AwsCredentials)
    const renewing = ecr(
      renewingCredentials({
        initial: (await assume()).credentials as AwsCredentials,
        renew: async () => (await assume()).credentials as AwsCredentials,
        durationSeconds: 900,
      }),
    )
    const before = emu.callsFor('sts', 'AssumeRoleWithWebIdentity').length
    for (let i = 0; i < 5; i++) {
      await describeRepo(renewing)
      await pause(1000)
    }
    expect(emu.callsFor('sts', 'AssumeRoleWithWebIdentity').length - before).toBeGreaterThanOrEqual(1)
    // Each renewal presented a fresh OIDC token.
    const jtis = emu.callsFor('sts', 'AssumeRoleWithWebIdentity').map((c) => c.tokenJti)
    expect(new Set(jtis).size).toBe(jtis.length)
    await expect(describeRepo(plain)).rejects.toMatchObject({ name: 'ExpiredTokenException' })
  })

  it('a role that can no longer be assumed: the call fails with a message naming role-duration-seconds', async () => {
    const role = emu.state.roles.get(ROLE)
    if (!role) throw new Error('no role')
    const client = ecr(
      renewingCredentials({
        initial: (await assume()).credentials as AwsCredentials,
        renew: async () => (await assume()).credentials as AwsCredentials,
        durationSeconds: 900,
        waitSeconds: 900,
      }),
    )
    await describeRepo(client)
    role.trust.sub = 'repo:someone-else/*'
    try {
      await pause(3200)
      await expect(describeRepo(client)).rejects.toMatchObject({
        name: 'CredentialRefreshError',
        message: expect.stringContaining('role-duration-seconds: 900'),
      })
    } finally {
      role.trust.sub = 'repo:acme/*'
    }
  })
})
