// The HTTP side of every AWS call (src/network.ts), with the real AWS SDK clients: deadlines that
// end a call to a black hole (and name the endpoint), and the environment's proxy honoured in
// either case of the variable names, NO_PROXY too. The end-to-end tests do the same through dist/.
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ENDPOINT_IN_ERRORS,
  RESPONSE_TIMEOUT_MS,
  endpointInErrors,
  isNoAnswer,
  sdkRequestHandler,
} from '../src/network.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { startEmulator, type Emulator } from './testbed/emulator/index.ts'
import { startBlackHole, startForwardProxy, type BlackHole, type ForwardProxy } from './testbed/netfaults.ts'

let emulator: Emulator
let hole: BlackHole
let proxy: ForwardProxy
const ROLE = 'arn:aws:iam::123456789012:role/net'

beforeAll(async () => {
  emulator = await startEmulator()
  emulator.addRole({
    arn: ROLE,
    trust: { sub: 'repo:acme/widget:*' },
    permissions: [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
  })
  hole = await startBlackHole()
  proxy = await startForwardProxy()
})
afterAll(async () => {
  await proxy?.close()
  await hole?.close()
  await emulator?.close()
})

function sts(endpoint: string, env: NodeJS.ProcessEnv = {}): STSClient {
  const client = new STSClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: sdkRequestHandler(env),
  })
  client.middlewareStack.add(endpointInErrors('STS'), ENDPOINT_IN_ERRORS)
  return client
}

describe('deadlines', () => {
  it('a black hole ends the call with a TimeoutError naming the endpoint, after the response deadline', async () => {
    const started = Date.now()
    const err = (await sts(hole.url)
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e)) as Error
    const took = Date.now() - started
    expect(err.name).toBe('TimeoutError')
    expect(err.message).toBe(
      `STS at ${hole.url} did not answer within the deadline (connect 5 s, response ${RESPONSE_TIMEOUT_MS / 1000} s)`,
    )
    expect(isNoAnswer(err)).toBe(true)
    expect(took).toBeGreaterThanOrEqual(RESPONSE_TIMEOUT_MS - 100)
    expect(took).toBeLessThan(RESPONSE_TIMEOUT_MS + 5_000)
    expect(hole.received()).toMatch(/^POST \/ HTTP\/1\.1/)
  }, 30_000)

  it('a refused connection says so, naming the endpoint', async () => {
    const closed = await startBlackHole()
    const url = closed.url
    await closed.close()
    const err = (await sts(url)
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e)) as Error
    expect(err.message).toMatch(
      new RegExp(`^STS at ${url.replace(/\./g, '\\.')} could not be reached \\(.*ECONNREFUSED`),
    )
  })

  it('an answer with an HTTP status is the service speaking: left as it is', async () => {
    const err = (await sts(emulator.env.AWS_ENDPOINT_URL_STS)
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e)) as Error
    expect(isNoAnswer(err)).toBe(false)
    expect(err.message).not.toMatch(/did not answer|could not be reached/)
  })
})

describe('proxies', () => {
  const viaProxy = (): string[] => proxy.records.map((r) => `${r.method} ${r.target}`)

  it.each([['HTTP_PROXY'], ['http_proxy']])('%s: every request goes through the proxy', async (name) => {
    proxy.records.length = 0
    const credentials = await assumeRole(emulator, ROLE)
    const ecr = new ECRClient({
      region: 'us-east-1',
      endpoint: emulator.env.AWS_ENDPOINT_URL_ECR,
      credentials,
      requestHandler: sdkRequestHandler({ [name]: proxy.url }),
    })
    await ecr.send(new GetAuthorizationTokenCommand({}))
    expect(viaProxy()).toEqual([`POST ${emulator.env.AWS_ENDPOINT_URL_ECR}/`])
  })

  it.each([['NO_PROXY'], ['no_proxy']])('%s naming the host: straight to it', async (name) => {
    proxy.records.length = 0
    const host = new URL(emulator.env.AWS_ENDPOINT_URL_STS).hostname
    const err = (await sts(emulator.env.AWS_ENDPOINT_URL_STS, { HTTP_PROXY: proxy.url, [name]: host })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e)) as Error
    // It reached STS (which turned the made-up key down), not the proxy.
    expect(isNoAnswer(err)).toBe(false)
    expect(viaProxy()).toEqual([])
  })
})
