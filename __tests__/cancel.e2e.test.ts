// Points 4 and 8 of issue 9 end to end, through dist/ with the real docker engine and registry:
// SIGINT and SIGTERM (what the runner sends on cancel) in the middle of a push of a larger image.
// After main exits: no credential in any file, no docker process left, the summary says what
// happened, the exit is non-zero, and with RUNNER_DEBUG=1 no secret outside ::add-mask::. After
// a SIGKILL (no handler runs) the post step still removes the private docker config.
import { execFileSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoCredentialFile, expectNoSecretOutsideMasks } from './leaks.ts'
import { cleanup, runPost, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
beforeAll(async () => {
  tb = await startTestbed()
})
afterAll(async () => {
  await tb?.close()
  cleanup()
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A larger image of its own: 12 MiB nobody has pushed, so docker uploads it in parts. */
const bigImage = (): Promise<string> => tb.image({ files: { 'blob.bin': randomBytes(12 * 1024 * 1024) } })

/** What RUNNER_DEBUG=1 adds is there too: the check covers the debug lines. */
function noSecretOutsideMasks(r: RunResult): void {
  expectNoSecretOutsideMasks(r)
  expect(r.debug.length).toBeGreaterThan(0)
}

const privateConfigs = (r: RunResult): string[] =>
  fs.readdirSync(r.dirs.runnerTemp).filter((d) => d.startsWith('ecr-supply-chain-docker-'))

function dockerPushesOf(ref: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
  return ps.split('\n').filter((l) => l.includes('docker') && l.includes(ref))
}

/** Runs a push and sends `signal` to the step once the registry sees the first layer upload. */
async function pushAndSignal(
  signal: NodeJS.Signals,
  tag: string,
): Promise<{ r: RunResult; afterSignalMs: number }> {
  const image = await bigImage()
  let child: ChildProcess | undefined
  let sentAt: number | undefined
  const unhook = tb.emulator.onRegistryRequest(async (info) => {
    if (sentAt === undefined && info.operation === 'InitiateLayerUpload' && child !== undefined) {
      sentAt = Date.now()
      child.kill(signal)
      // Hold the upload: the push is in flight when the signal lands.
      await sleep(5_000)
    }
  })
  try {
    const r = await tb.run({
      inputs: { image, tags: tag },
      debug: true,
      onStart: (c) => {
        child = c
      },
      timeoutMs: 120_000,
    })
    expect(sentAt, 'the signal was sent mid-push').toBeDefined()
    return { r, afterSignalMs: Date.now() - (sentAt ?? 0) }
  } finally {
    unhook()
  }
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s in the middle of a push', (signal, code) => {
  it('stops docker, deletes the login at once, says so in the summary, exits non-zero', async () => {
    const tag = `cancel-${signal.toLowerCase()}`
    const { r, afterSignalMs } = await pushAndSignal(signal, tag)
    expect(r.timedOut).toBe(false)
    // Well before the runner's SIGTERM, 7.5 s after its SIGINT (the registry still holds the upload).
    expect(afterSignalMs).toBeLessThan(5_000)
    expect(r.code, r.log).toBe(code)
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The step was cancelled \\(${signal}\\): 1 child process stopped; the private docker config \\(the registry login\\) deleted\\.`,
        ),
      ),
    ])
    expect(r.summary).toMatch(new RegExp(`^### ⛔ Cancelled \\(${signal}\\)`))
    // Nothing is left: no login, no docker process, no credential in any file.
    expect(privateConfigs(r)).toEqual([])
    expect(fs.existsSync(path.join(r.dirs.home, '.docker', 'config.json'))).toBe(false)
    expectNoCredentialFile(r)
    expect(dockerPushesOf(`${tb.registry.host}/acme/widget:${tag}`)).toEqual([])
    noSecretOutsideMasks(r)
    expect(await tb.registry.tags(tb.repository)).not.toContain(tag)
    // The post step finds nothing to do (and no state it cannot verify).
    const post = await runPost(r)
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
  })
})

describe('SIGKILL in the middle of a push (no handler can run)', () => {
  it('the private docker config stays behind; the post step verifies it and removes it', async () => {
    const { r } = await pushAndSignal('SIGKILL', 'cancel-sigkill')
    expect(r.signal).toBe('SIGKILL')
    expect(privateConfigs(r)).toHaveLength(1)
    expect(r.state['private-config']).toBe(path.join(r.dirs.runnerTemp, privateConfigs(r)[0] ?? ''))
    const post = await runPost(r, { env: { RUNNER_DEBUG: '1' } })
    expect(post.code, post.log).toBe(0)
    expect(post.warnings).toEqual([])
    expect(privateConfigs(r)).toEqual([])
    expectNoCredentialFile(r)
    // The runner would kill the tree; here the orphaned docker push ends with the registry hold.
    for (
      let i = 0;
      i < 50 && dockerPushesOf(`${tb.registry.host}/acme/widget:cancel-sigkill`).length > 0;
      i++
    )
      await sleep(200)
  })
})
