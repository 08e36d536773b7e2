// STS error classification, driven by the real SDK against the emulator: src/sts.ts gets a real
// STSClient pointed at the emulator, a token source that GETs the emulator's OIDC endpoint (a fresh
// token each attempt), and an injected sleep so retries take no time.
import { STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ActionError } from '../src/errors.ts'
import { assumeRoleWithOidc, callerIdentity, type AssumeRoleOptions } from '../src/sts.ts'
import { fetchIdToken } from './testbed/emulator/helpers.ts'
import { startEmulator, type Emulator } from './testbed/emulator/index.ts'

const ROLE = 'arn:aws:iam::123456789012:role/github-ecr-push'
let emu: Emulator
let sleeps: number[]
let masked: string[]

beforeAll(async () => {
  emu = await startEmulator()
  emu.addRole({ arn: ROLE, trust: { aud: 'sts.amazonaws.com', sub: 'repo:acme/widget:*' }, permissions: [] })
})
afterAll(async () => {
  await emu?.close()
})
beforeEach(() => {
  emu.clearCalls()
  emu.clearFaults()
  sleeps = []
  masked = []
  emu.oidc.sub = 'repo:acme/widget:ref:refs/heads/main'
})

function options(over: Partial<AssumeRoleOptions> = {}): AssumeRoleOptions {
  return {
    roleArn: ROLE,
    sessionName: 'GitHubActions-1-1',
    durationSeconds: 3600,
    region: 'us-east-1',
    audience: 'sts.amazonaws.com',
    getToken: (aud) => fetchIdToken(emu, aud),
    mask: (s) => masked.push(s),
    client: new STSClient({ region: 'us-east-1', endpoint: emu.env.AWS_ENDPOINT_URL_STS, maxAttempts: 1 }),
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...over,
  }
}

const attempts = () => emu.callsFor('sts', 'AssumeRoleWithWebIdentity')

describe('assumeRoleWithOidc', () => {
  it('returns the session, its account and ARN, and masks every secret part', async () => {
    const id = await assumeRoleWithOidc(options())
    expect(id.account).toBe('123456789012')
    expect(id.arn).toBe('arn:aws:sts::123456789012:assumed-role/github-ecr-push/GitHubActions-1-1')
    const c = id.credentials
    expect(c?.accessKeyId).toMatch(/^ASIA/)
    expect(masked).toEqual(expect.arrayContaining([c?.accessKeyId, c?.secretAccessKey, c?.sessionToken]))
    expect(masked).toContain(emu.state.issuedIdTokens.at(-1))
    expect(attempts()).toHaveLength(1)
  })

  it('AccessDenied: exactly one attempt, and the error names the role, sub, aud and the trust policy', async () => {
    emu.oidc.sub = 'repo:Acme/widget:ref:refs/heads/main' // sub is case-sensitive
    const err = await assumeRoleWithOidc(options()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ActionError)
    const msg = (err as Error).message
    expect(msg).toContain(ROLE)
    expect(msg).toContain('sub "repo:Acme/widget:ref:refs/heads/main"')
    expect(msg).toContain('aud "sts.amazonaws.com"')
    expect(msg).toContain('oidc-provider/token.actions.githubusercontent.com')
    expect(attempts()).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('two transient failures then success: three attempts with three different tokens', async () => {
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      times: 1,
      fault: {
        kind: 'error',
        status: 400,
        code: 'IDPCommunicationError',
        message: "Couldn't retrieve verification key from your identity provider",
      },
    })
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      times: 1,
      fault: {
        kind: 'error',
        status: 400,
        code: 'InvalidIdentityToken',
        message: "Couldn't retrieve verification key",
      },
    })
    const id = await assumeRoleWithOidc(options())
    expect(id.account).toBe('123456789012')
    const calls = attempts()
    expect(calls).toHaveLength(3)
    expect(calls.map((c) => c.errorCode ?? 'ok')).toEqual([
      'IDPCommunicationError',
      'InvalidIdentityToken',
      'ok',
    ])
    expect(new Set(calls.map((c) => c.tokenJti)).size).toBe(3)
    expect(emu.callsFor('oidc')).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? 0) // backoff grows
  })

  it('survives throttling, a 503 and a connection reset', async () => {
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      times: 1,
      fault: { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' },
    })
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      times: 1,
      fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' },
    })
    emu.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', times: 1, fault: { kind: 'reset' } })
    const id = await assumeRoleWithOidc(options())
    expect(id.credentials?.sessionToken).toBeTruthy()
    expect(attempts()).toHaveLength(4)
  })

  it('an expired token is retried with a fresh one', async () => {
    emu.oidc.lifetimeSeconds = -10
    let n = 0
    const id = await assumeRoleWithOidc(
      options({
        getToken: async (aud) => {
          n++
          if (n === 2) emu.oidc.lifetimeSeconds = 300
          return fetchIdToken(emu, aud)
        },
      }),
    )
    emu.oidc.lifetimeSeconds = 300
    expect(id.account).toBe('123456789012')
    expect(attempts().map((c) => c.errorCode ?? 'ok')).toEqual(['ExpiredTokenException', 'ok'])
  })

  it('a token not valid yet (the issuer clock ahead) is retried with a fresh one', async () => {
    emu.oidc.claims = { nbf: Math.floor(Date.now() / 1000) + 600 }
    let n = 0
    try {
      const id = await assumeRoleWithOidc(
        options({
          getToken: async (aud) => {
            n++
            if (n === 2) emu.oidc.claims = {}
            return fetchIdToken(emu, aud)
          },
        }),
      )
      expect(id.account).toBe('123456789012')
    } finally {
      emu.oidc.claims = {}
    }
    expect(attempts().map((c) => c.errorCode ?? 'ok')).toEqual(['InvalidIdentityToken', 'ok'])
  })

  it('gives up within the budget, saying it is temporary', async () => {
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      times: 50,
      fault: { kind: 'error', status: 400, code: 'IDPCommunicationError' },
    })
    const err = await assumeRoleWithOidc(options({ maxAttempts: 4 })).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(
      /STS kept failing after 4 attempts .*IDPCommunicationError.*re-run/,
    )
    expect(attempts()).toHaveLength(4)
  })

  it('stops when the time budget would be exceeded', async () => {
    emu.inject({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      times: 50,
      fault: { kind: 'error', status: 500, code: 'InternalFailure' },
    })
    let now = 0
    const err = await assumeRoleWithOidc(
      options({ budgetMs: 5000, clock: () => now, sleep: async (ms) => void (now += ms) }),
    ).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/kept failing/)
    expect(now).toBeLessThanOrEqual(5000)
  })

  it('a duration above the role maximum is permanent and says what to change', async () => {
    const err = await assumeRoleWithOidc(options({ durationSeconds: 7200 })).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/role-duration-seconds.*7200.*maximum session duration/)
    expect(attempts()).toHaveLength(1)
  })

  it('an OIDC endpoint that keeps failing ends with a clear error', async () => {
    const err = await assumeRoleWithOidc(
      options({ maxAttempts: 2, getToken: async () => Promise.reject(new Error('HTTP 500')) }),
    ).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/Could not get the GitHub OIDC token after 2 attempts: .*HTTP 500/)
    expect(attempts()).toHaveLength(0)
  })
})

describe('callerIdentity (role-to-assume empty: the default credential chain)', () => {
  it('identifies static credentials through GetCallerIdentity', async () => {
    emu.addUser({
      accessKeyId: 'AKIAEMULATORUSER0001',
      secretAccessKey: 'x'.repeat(40),
      name: 'ci-user',
      permissions: [],
    })
    const client = new STSClient({
      region: 'us-east-1',
      endpoint: emu.env.AWS_ENDPOINT_URL_STS,
      credentials: { accessKeyId: 'AKIAEMULATORUSER0001', secretAccessKey: 'x'.repeat(40) },
    })
    const id = await callerIdentity('us-east-1', client)
    expect(id).toEqual({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ci-user' })
  })
})
