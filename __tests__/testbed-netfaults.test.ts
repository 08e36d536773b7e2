// Black holes and a forward proxy on tap (testbed/netfaults.ts, and the emulator's `hang` fault):
// what the timeout and proxy tests of the action stand on.
import { request as httpRequest } from 'node:http'
import net from 'node:net'
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assumeRole, fetchIdToken } from './testbed/emulator/helpers.ts'
import { startBlackHole, startForwardProxy, type BlackHole, type ForwardProxy } from './testbed/netfaults.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
beforeAll(async () => {
  tb = await startTestbed()
})
afterAll(async () => {
  expect(tb?.emulator.internalErrors ?? []).toEqual([])
  await tb?.close()
})
afterEach(() => tb.emulator.clearFaults())

/** Rejects with the error, or throws when the promise resolved. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a failure')
}

describe('startBlackHole', () => {
  let hole: BlackHole
  beforeAll(async () => {
    hole = await startBlackHole()
  })
  afterAll(async () => {
    await hole.close()
  })

  it('accepts the connection, takes the request and never answers', async () => {
    const started = Date.now()
    const err = await failure(fetch(`${hole.url}/nowhere`, { signal: AbortSignal.timeout(400) }))
    expect(err.name).toBe('TimeoutError')
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
    expect(hole.connections).toBeGreaterThanOrEqual(1)
    expect(hole.received()).toContain('GET /nowhere HTTP/1.1')
  })

  // Note: the SDK's requestTimeout only logs a warning unless throwOnRequestTimeout is set
  // (@smithy/node-http-handler 4.x): without it a black-holed endpoint hangs the call.
  it('an AWS SDK client pointed at it gives up on its request timeout (with throwOnRequestTimeout)', async () => {
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: hole.url,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, connectionTimeout: 300, throwOnRequestTimeout: true },
    })
    const err = await failure(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: tb.roleArn,
          RoleSessionName: 'hole',
          WebIdentityToken: 'x'.repeat(20),
        }),
      ),
    )
    expect(err.name).toBe('TimeoutError')
    expect(hole.received()).toContain('Action=AssumeRoleWithWebIdentity')
    sts.destroy()
  })
})

describe("the emulator's endpoints black-holed by a hang fault", () => {
  it('OIDC: the token request is taken and never answered; the next one is', async () => {
    tb.emulator.inject({ service: 'oidc', fault: { kind: 'hang' } })
    const err = await failure(
      fetch(`${tb.emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`, {
        headers: { authorization: `Bearer ${tb.emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
        signal: AbortSignal.timeout(300),
      }),
    )
    expect(err.name).toBe('TimeoutError')
    expect(tb.emulator.callsFor('oidc').at(-1)?.injected).toBe('hang')
    expect(await fetchIdToken(tb.emulator)).toMatch(/^ey/)
  })

  it('STS and ECR: the SDK times out; times and operation scope the fault', async () => {
    tb.emulator.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', fault: { kind: 'hang' } })
    const token = await fetchIdToken(tb.emulator)
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: tb.emulator.env.AWS_ENDPOINT_URL_STS,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    })
    const stsErr = await failure(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: tb.roleArn,
          RoleSessionName: 'hang',
          WebIdentityToken: token,
        }),
      ),
    )
    expect(stsErr.name).toBe('TimeoutError')
    sts.destroy()

    const credentials = await assumeRole(tb.emulator, tb.roleArn)
    tb.emulator.inject({
      service: 'ecr',
      operation: 'GetAuthorizationToken',
      times: 2,
      fault: { kind: 'hang' },
    })
    const ecr = new ECRClient({
      region: 'us-east-1',
      endpoint: tb.emulator.env.AWS_ENDPOINT_URL_ECR,
      credentials,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    })
    for (let i = 0; i < 2; i++)
      expect((await failure(ecr.send(new GetAuthorizationTokenCommand({})))).name).toBe('TimeoutError')
    expect((await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData).toHaveLength(1)
    ecr.destroy()
  })

  it('the registry front: docker-side requests hang too', async () => {
    tb.emulator.inject({ service: 'registry', fault: { kind: 'hang' } })
    const err = await failure(fetch(`${tb.registry.url}/v2/`, { signal: AbortSignal.timeout(300) }))
    expect(err.name).toBe('TimeoutError')
    expect((await fetch(`${tb.registry.url}/v2/`)).status).toBe(401)
  })
})

/** A CONNECT through `proxy` to `target`; the raw answer line and the socket (null when refused). */
function connect(
  proxy: ForwardProxy,
  target: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  socket: net.Socket | null
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: target, headers })
    req.on('connect', (res, socket) => {
      const ok = res.statusCode === 200
      if (!ok) socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket: ok ? socket : null })
    })
    req.on('error', reject)
    req.end()
  })
}

/** One plain HTTP/1.1 request over an open tunnel; the whole answer. */
function overTunnel(socket: net.Socket, request: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    socket.on('data', (b: Buffer) => chunks.push(b))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.write(request)
  })
}

/** A plain proxied GET (absolute URI); status and body. */
function viaProxy(
  proxy: ForwardProxy,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: proxy.port, method: 'GET', path: url, headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (b: Buffer) => chunks.push(b))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('startForwardProxy', () => {
  let proxy: ForwardProxy
  beforeAll(async () => {
    proxy = await startForwardProxy()
  })
  afterAll(async () => {
    await proxy.close()
  })

  it('tunnels CONNECT to a loopback endpoint and records it, bytes both ways', async () => {
    const target = new URL(tb.emulator.url).host
    const { status, socket } = await connect(proxy, target)
    expect(status).toBe(200)
    const answer = await overTunnel(
      socket as net.Socket,
      `GET /oidc/token?api-version=2.0&audience=sts.amazonaws.com HTTP/1.1\r\nHost: ${target}\r\nAuthorization: Bearer ${tb.emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}\r\nConnection: close\r\n\r\n`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    const rec = proxy.records.find((r) => r.method === 'CONNECT' && r.target === target)
    expect(rec).toMatchObject({ status: 200, host: '127.0.0.1', port: Number(target.split(':')[1]) })
    expect(rec?.bytesUp).toBeGreaterThan(0)
    expect(rec?.bytesDown).toBeGreaterThan(answer.length - 1)
  })

  it('forwards a plain absolute-URI request, by registry host name too, and records the answer', async () => {
    const url = `${tb.registry.url}/v2/`
    const r = await viaProxy(proxy, url)
    expect(r.status).toBe(401)
    expect(r.body).toBe('Not Authorized\n')
    expect(proxy.records.at(-1)).toMatchObject({
      method: 'GET',
      target: url,
      status: 401,
      host: tb.registry.host.split(':')[0],
    })
  })

  it('refuses (403) and records targets off loopback, without going there', async () => {
    const tunnel = await connect(proxy, '192.0.2.1:443')
    expect(tunnel.status).toBe(403)
    const plain = await viaProxy(proxy, 'http://192.0.2.1/latest/meta-data/')
    expect(plain.status).toBe(403)
    expect(proxy.records.slice(-2).map((r) => [r.method, r.target, r.status])).toEqual([
      ['CONNECT', '192.0.2.1:443', 403],
      ['GET', 'http://192.0.2.1/latest/meta-data/', 403],
    ])
  })

  it('with credentials set: 407 and a challenge without them, through with them; the header is recorded', async () => {
    const guarded = await startForwardProxy({ auth: { username: 'ci', password: 'p4ss' } })
    try {
      const target = new URL(tb.emulator.url).host
      const without = await connect(guarded, target)
      expect(without.status).toBe(407)
      expect(without.headers['proxy-authenticate']).toMatch(/^Basic realm=/)
      const header = `Basic ${Buffer.from('ci:p4ss').toString('base64')}`
      const withAuth = await connect(guarded, target, { 'proxy-authorization': header })
      expect(withAuth.status).toBe(200)
      withAuth.socket?.destroy()
      expect(guarded.records.map((r) => [r.status, r.proxyAuthorization])).toEqual([
        [407, undefined],
        [200, header],
      ])
      expect((await viaProxy(guarded, `${tb.registry.url}/v2/`)).status).toBe(407)
    } finally {
      await guarded.close()
    }
  })
})
