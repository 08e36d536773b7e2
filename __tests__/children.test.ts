// Child processes (src/children.ts) and the docker CLI's limits (src/docker.ts): deadlines and
// stalls that end a child, neutralised logging of what it prints, the register the signal
// handlers stop, the push's progress phases, and `docker save` ended when its consumer fails.
import { execFileSync } from 'node:child_process'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { saveImage, withSavedImage } from '../src/audit/engine.ts'
import { childrenAlive, runChild, stopAllChildren } from '../src/children.ts'
import {
  Docker,
  PUSH_BUDGET_MS,
  PUSH_FINISH_STALL_MS,
  PUSH_STALL_MS,
  pushLimits,
  pushProgress,
  stoppedPushMessage,
} from '../src/docker.ts'
import { buildImage, ensureDocker, removeImage } from './testbed/docker.ts'
import { runnerCommands } from './testbed/runner.ts'

const env = { PATH: process.env.PATH ?? '' }
let stdout: string
let restore: () => void

beforeEach(() => {
  stdout = ''
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }) as typeof process.stdout.write
  restore = () => {
    process.stdout.write = write
  }
})
afterEach(() => restore())

describe('runChild', () => {
  it('collects the output and logs it neutralised, a line at a time', async () => {
    const r = await runChild(
      'sh',
      ['-c', 'printf "ok\\n::set-output name=x::y\\nhalf\\r::error::forged\\n"; echo err >&2'],
      {
        env,
        deadlineMs: 10_000,
      },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('::set-output')
    expect(r.stderr).toBe('err\n')
    expect(runnerCommands(stdout)).toEqual([])
    expect(stdout).toContain('\\u003a:set-output name=x::y')
    expect(stdout).toContain('half\\u000d::error::forged')
  })

  it('a child over its deadline is stopped, and the result says so', async () => {
    const started = Date.now()
    const r = await runChild('sh', ['-c', 'while :; do echo tick; sleep 0.1; done'], {
      env,
      silent: true,
      deadlineMs: 700,
    })
    expect(r.stopped?.limit).toBe('deadline')
    expect(r.signal).toBe('SIGTERM')
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(childrenAlive()).toBe(0)
  })

  it('a silent child is stopped after the stall limit; one that ignores SIGTERM gets SIGKILL', async () => {
    const r = await runChild('sh', ['-c', 'trap "" TERM; echo start; sleep 30'], {
      env,
      silent: true,
      deadlineMs: 60_000,
      stallMs: 500,
    })
    expect(r.stopped?.limit).toBe('stall')
    expect(r.stdout).toBe('start\n')
    expect(childrenAlive()).toBe(0)
  }, 15_000)

  it('a child that exits before reading its input is no uncaught EPIPE', async () => {
    const r = await runChild('true', [], { env, input: 'x'.repeat(1 << 20), deadlineMs: 10_000 })
    expect(r.code).toBe(0)
  })

  it('stopAllChildren stops every child still running', async () => {
    const running = runChild('sleep', ['30'], { env, silent: true, deadlineMs: 60_000 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(childrenAlive()).toBe(1)
    expect(stopAllChildren()).toBe(1)
    expect((await running).signal).toBe('SIGTERM')
    expect(childrenAlive()).toBe(0)
  })

  it('a missing command rejects (docker: a plain error)', async () => {
    await expect(runChild('no-such-command-here', [], { env, deadlineMs: 1000 })).rejects.toMatchObject({
      code: 'ENOENT',
    })
    await expect(new Docker({ PATH: '/nonexistent' }).exec(['version'], { silent: true })).rejects.toThrow(
      /docker is not installed or not on the PATH/,
    )
  })
})

describe('docker push limits', () => {
  it('defaults, and the environment overrides in whole seconds', () => {
    expect(pushLimits({})).toEqual({
      budgetMs: PUSH_BUDGET_MS,
      stallMs: PUSH_STALL_MS,
      finishStallMs: PUSH_FINISH_STALL_MS,
    })
    expect(
      pushLimits({ ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS: '5', ECR_SUPPLY_CHAIN_PUSH_TIMEOUT_SECONDS: '600' }),
    ).toEqual({ budgetMs: 600_000, stallMs: 5_000, finishStallMs: 5_000 })
    expect(pushLimits({ ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS: 'soon' }).stallMs).toBe(PUSH_STALL_MS)
  })

  it('the long stall limit while a layer is to go, the short one once every layer is done', () => {
    const p = pushProgress({ budgetMs: 1, stallMs: 600_000, finishStallMs: 60_000 })
    expect(p.stallMs()).toBe(600_000)
    for (const l of [
      'The push refers to repository [h/r]',
      'aaaaaaaaaaaa: Preparing',
      'bbbbbbbbbbbb: Preparing',
    ])
      p.line(l)
    expect(p.phase()).toBe('layers')
    p.line('aaaaaaaaaaaa: Pushed')
    p.line('bbbbbbbbbbbb: Waiting')
    expect(p.stallMs()).toBe(600_000)
    p.line('bbbbbbbbbbbb: Layer already exists')
    expect(p.phase()).toBe('manifest')
    expect(p.stallMs()).toBe(60_000)
  })

  it('a stopped push names the registry and the knob', () => {
    const ref = '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget:t1'
    expect(stoppedPushMessage(ref, { limit: 'stall', afterMs: 60_400 })).toMatch(
      /^docker push .* was stopped: no progress for 60 s, the registry 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com stopped answering \(ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS/,
    )
    expect(stoppedPushMessage(ref, { limit: 'deadline', afterMs: 3_600_000 })).toMatch(/stopped after 3600 s/)
  })
})

describe('docker save, ended when its consumer fails', () => {
  let tag: string
  beforeAll(async () => {
    await ensureDocker()
    // Big enough that docker save blocks on the pipe once nobody reads it.
    const blob = Buffer.alloc(32 * 1024 * 1024, 7)
    tag = (await buildImage({ files: { 'blob.bin': blob }, tag: `ecr-sc-test/save:${process.pid}` })).tag
  }, 120_000)
  afterAll(async () => {
    await removeImage(tag)
  })

  it('the consumer throws after the first chunk: docker save is gone at once, the consumer error is the one seen', async () => {
    const saved = saveImage(
      new Docker({ ...env, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) }),
      tag,
    )
    const started = Date.now()
    const err = await withSavedImage(saved, async (stream) => {
      for await (const _chunk of stream) throw new Error('consumer gave up')
      return 'read it all'
    }).catch((e: unknown) => e as Error)
    expect((err as Error).message).toBe('consumer gave up')
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(childrenAlive()).toBe(0)
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    expect(ps.split('\n').filter((l) => l.startsWith(`docker save ${tag}`))).toEqual([])
  }, 30_000)

  it("an image that is gone: docker's own error is the cause reported, the consumer's the consequence", async () => {
    const gone = `ecr-sc-test/gone:${process.pid}-${Date.now()}`
    const saved = saveImage(
      new Docker({ ...env, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) }),
      gone,
    )
    const err = await withSavedImage(saved, async (stream) => {
      for await (const _chunk of stream) break
      throw new Error('the saved image has no manifest')
    }).catch((e: unknown) => e as Error)
    expect((err as Error).message).toMatch(
      new RegExp(
        `^docker save ${gone.replace(/[/.]/g, '\\$&')} failed \\(exit 1\\): .*\\(so: the saved image has no manifest\\)$`,
      ),
    )
    expect(childrenAlive()).toBe(0)
  }, 30_000)
})
