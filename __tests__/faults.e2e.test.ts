// Point 3 of issue 9 end to end, through dist/: a black-holed endpoint (a loopback listener that
// accepts and never answers) for each of OIDC, STS and ECR ends the step well inside a minute with
// an error that names the endpoint; a registry that stops answering mid-push stops the push, names
// the registry, and leaves no docker process behind.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoCredentialFile, expectNoSecretOutsideMasks } from './leaks.ts'
import { startBlackHole, type BlackHole } from './testbed/netfaults.ts'
import { cleanup } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let image: string
const holes: BlackHole[] = []

beforeAll(async () => {
  tb = await startTestbed()
  image = await tb.image({ files: { 'app.txt': 'faults\n' } })
})
afterAll(async () => {
  await Promise.all(holes.map((h) => h.close()))
  await tb?.close()
  cleanup()
})

async function hole(): Promise<BlackHole> {
  const h = await startBlackHole()
  holes.push(h)
  return h
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

describe.concurrent('a black-holed endpoint ends the step, naming it, well inside a minute', () => {
  it('the GitHub OIDC token endpoint', async () => {
    const h = await hole()
    const r = await tb.run({
      inputs: { image, tags: 'oidc-hole' },
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: `${h.url}/token?api-version=2.0` },
      timeoutMs: 90_000,
      debug: true,
    })
    expect(r.timedOut).toBe(false)
    expect(r.code, r.log).toBe(1)
    expectNoSecretOutsideMasks(r)
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Could not get the GitHub OIDC token after 2 attempts: the GitHub OIDC token endpoint at ${escape(h.url)} did not answer within the deadline`,
        ),
      ),
    ])
    expect(r.durationMs).toBeLessThan(45_000)
    expect(h.connections).toBe(2)
  })

  it('STS', async () => {
    const h = await hole()
    const r = await tb.run({
      inputs: { image, tags: 'sts-hole' },
      env: { AWS_ENDPOINT_URL_STS: h.url },
      timeoutMs: 90_000,
      debug: true,
    })
    expect(r.code, r.log).toBe(1)
    expectNoSecretOutsideMasks(r)
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `STS kept failing after 2 attempts \\(TimeoutError: STS at ${escape(h.url)} did not answer within the deadline`,
        ),
      ),
    ])
    expect(r.durationMs).toBeLessThan(45_000)
  })

  it('ECR', async () => {
    const h = await hole()
    const r = await tb.run({
      inputs: { image, tags: 'ecr-hole' },
      env: { AWS_ENDPOINT_URL_ECR: h.url },
      timeoutMs: 90_000,
      debug: true,
    })
    expect(r.code, r.log).toBe(1)
    expectNoSecretOutsideMasks(r)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      new RegExp(
        `^ecr:\\w+ failed: TimeoutError: ECR at ${escape(h.url)} did not answer within the deadline`,
      ),
    )
    expect(r.durationMs).toBeLessThan(50_000)
    expect(await tb.registry.tags(tb.repository)).not.toContain('ecr-hole')
  })
})

describe('a registry that stops answering mid-push', () => {
  it('the push is stopped after the stall limit, naming the registry; no docker process is left', async () => {
    tb.emulator.inject({
      service: 'registry',
      operation: 'PutImage',
      times: Infinity,
      fault: { kind: 'hang' },
    })
    try {
      const r = await tb.run({
        inputs: { image, tags: 'stalled' },
        env: { ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS: '3' },
        debug: true,
        timeoutMs: 90_000,
      })
      expect(r.code, r.log).toBe(1)
      expect(r.errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^docker push ${escape(tb.registry.host)}/acme/widget:stalled was stopped: no progress for [3-5] s, the registry ${escape(tb.registry.host)} stopped answering`,
          ),
        ),
      ])
      expect(r.durationMs).toBeLessThan(30_000)
      const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      expect(ps.split('\n').filter((l) => l.includes(`${tb.registry.host}/acme/widget:stalled`))).toEqual([])
      // The tag made for the push is gone from the engine too.
      const local = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], {
        encoding: 'utf8',
      })
      expect(local).not.toContain(`${tb.registry.host}/acme/widget:stalled`)
      // The login is gone, and no secret was shown, the debug lines included.
      expectNoCredentialFile(r)
      expectNoSecretOutsideMasks(r)
      expect(r.debug.length).toBeGreaterThan(0)
    } finally {
      tb.emulator.clearFaults()
    }
  })
})

describe('a registry that fails a push transiently', () => {
  it('a 500 on the manifest: docker push runs again, warns, and the push lands', async () => {
    tb.emulator.clearCalls()
    tb.emulator.inject({
      service: 'registry',
      operation: 'PutImage',
      fault: { kind: 'error', status: 500, code: 'INTERNAL' },
    })
    try {
      const r = await tb.run({ inputs: { image, tags: 'flaky-500' } })
      expect(r.code, r.log).toBe(0)
      expect(r.warnings.filter((w) => /pushing again in 1 s \(attempt 2 of 3\)/.test(w))).toHaveLength(1)
      expect(await tb.registry.tags(tb.repository)).toContain('flaky-500')
      expect(r.outputs['image-digest']).toMatch(/^sha256:[a-f0-9]{64}$/)
    } finally {
      tb.emulator.clearFaults()
    }
  })

  it('a 500 every time: three attempts, then one line that says so; nothing lands', async () => {
    tb.emulator.clearCalls()
    tb.emulator.inject({
      service: 'registry',
      operation: 'PutImage',
      fault: { kind: 'error', status: 500, code: 'INTERNAL' },
      times: Infinity,
    })
    try {
      const r = await tb.run({ inputs: { image, tags: 'always-500' } })
      expect(r.code).toBe(1)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0]).toMatch(/^docker push .*:always-500 failed.*\(after 3 attempts\)$/s)
      expect(tb.emulator.callsFor('registry', 'PutImage').filter((c) => c.status === 500)).toHaveLength(3)
      expect(await tb.registry.tags(tb.repository)).not.toContain('always-500')
    } finally {
      tb.emulator.clearFaults()
    }
  })

  it('a refusal (denied) is not retried', async () => {
    tb.emulator.clearCalls()
    tb.emulator.inject({
      service: 'registry',
      operation: 'PutImage',
      fault: { kind: 'error', status: 403, code: 'DENIED', message: 'not authorized' },
      times: Infinity,
    })
    try {
      const r = await tb.run({ inputs: { image, tags: 'denied-once' } })
      expect(r.code).toBe(1)
      expect(r.warnings.filter((w) => /pushing again/.test(w))).toEqual([])
      expect(tb.emulator.callsFor('registry', 'PutImage').filter((c) => c.status === 403)).toHaveLength(1)
    } finally {
      tb.emulator.clearFaults()
    }
  })
})
