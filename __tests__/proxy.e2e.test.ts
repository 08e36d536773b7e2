// Point 6 of issue 9 end to end, through dist/: with HTTPS_PROXY / HTTP_PROXY (either case) every
// HTTP call the action makes (OIDC, STS, ECR) goes through a real forward proxy on loopback that
// records what passed; with NO_PROXY naming the endpoint, none does. (docker's own registry
// traffic is the engine's: the CLI inherits the environment, the daemon has its own proxy settings.)
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startForwardProxy, type ForwardProxy } from './testbed/netfaults.ts'
import { cleanup } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let proxy: ForwardProxy
let image: string
let emulatorHost: string

beforeAll(async () => {
  tb = await startTestbed()
  proxy = await startForwardProxy()
  image = await tb.image({ files: { 'app.txt': 'proxied\n' } })
  emulatorHost = new URL(tb.emulator.url).host
})
afterAll(async () => {
  await proxy?.close()
  await tb?.close()
  cleanup()
})
beforeEach(() => {
  proxy.records.length = 0
  tb.emulator.clearCalls()
})

/** The emulator's own log of the calls, as `<service> <path>`: what the proxy must have seen. */
const servicesCalled = (): string[] =>
  tb.emulator.calls.filter((c) => c.service !== 'registry').map((c) => c.service)

/** What the proxy passed to the emulator, by service (the path says which). */
const servicesProxied = (): string[] =>
  proxy.records
    .filter((r) => r.status === 200 && new URL(r.target).host === emulatorHost)
    .map((r) => new URL(r.target).pathname.split('/')[1] ?? '')

describe.each([
  ['upper case', { HTTPS_PROXY: 'PROXY', HTTP_PROXY: 'PROXY' }],
  ['lower case', { https_proxy: 'PROXY', http_proxy: 'PROXY' }],
])('proxy variables in %s', (_case, vars) => {
  it('OIDC, STS and ECR all go through the proxy, every one of their calls', async () => {
    const env = Object.fromEntries(Object.entries(vars).map(([k]) => [k, proxy.url]))
    const r = await tb.run({ inputs: { image, tags: 'proxied' }, env })
    expect(r.code, r.log).toBe(0)
    const called = servicesCalled()
    expect(new Set(called)).toEqual(new Set(['oidc', 'sts', 'ecr']))
    expect(servicesProxied().sort()).toEqual(called.sort())
    // Nothing went anywhere else.
    expect(proxy.records.filter((p) => new URL(p.target).host !== emulatorHost)).toEqual([])
  })
})

describe.each([['NO_PROXY'], ['no_proxy']])('%s naming the endpoint', (name) => {
  it('no call goes through the proxy', async () => {
    const r = await tb.run({
      inputs: { image, tags: 'direct' },
      env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, [name]: '127.0.0.1' },
    })
    expect(r.code, r.log).toBe(0)
    expect(servicesCalled().length).toBeGreaterThan(2)
    expect(proxy.records).toEqual([])
  })
})
