// The scan wait's state machine, as tables, with an injected clock (plain numbers).
import { describe, expect, it } from 'vitest'
import {
  SCAN_STATUSES,
  classifyStatus,
  defaultWaitConfig,
  initialState,
  nextStep,
  type Observation,
  type WaitConfig,
  type WaitState,
} from '../src/gate/status.ts'

const cfg = (over: Partial<WaitConfig> = {}): WaitConfig => ({
  ...defaultWaitConfig(0, 300, 20),
  random: () => 0.5,
  ...over,
})

/** Feeds observations at times (seconds); returns the last transition. */
function run(c: WaitConfig, seq: [number, Observation][]) {
  let state: WaitState = initialState(c)
  let last
  for (const [t, obs] of seq) {
    last = nextStep(state, obs, t * 1000, c)
    state = last.state
  }
  return last as NonNullable<typeof last>
}

const st = (status: string, fingerprint?: string, calls = 1): Observation =>
  fingerprint === undefined
    ? { kind: 'status', status, calls }
    : { kind: 'status', status, fingerprint, calls }

describe('classifyStatus', () => {
  it.each([
    ['COMPLETE', 'ready'],
    ['ACTIVE', 'ready'],
    ['PENDING', 'waiting'],
    ['IN_PROGRESS', 'waiting'],
    ['FAILED', 'terminal'],
    ['UNSUPPORTED_IMAGE', 'terminal'],
    ['SCAN_ELIGIBILITY_EXPIRED', 'terminal'],
    ['FINDINGS_UNAVAILABLE', 'terminal'],
    ['LIMIT_EXCEEDED', 'terminal'],
    ['IMAGE_ARCHIVED', 'terminal'],
    ['SOMETHING_NEW', 'terminal'],
    ['', 'terminal'],
  ])('%s is %s', (status, kind) => {
    expect(classifyStatus(status).kind).toBe(kind)
  })

  it('covers all ten ECR statuses, each terminal one with its own message', () => {
    expect(SCAN_STATUSES).toHaveLength(10)
    const messages = SCAN_STATUSES.map((s) => classifyStatus(s)).flatMap((c) =>
      c.kind === 'terminal' ? [c.message] : [],
    )
    expect(messages).toHaveLength(6)
    expect(new Set(messages).size).toBe(6)
    expect(classifyStatus('NEW_THING').kind === 'terminal' && classifyStatus('NEW_THING')).toMatchObject({
      message: expect.stringContaining('fails closed'),
    })
  })
})

describe('nextStep', () => {
  it.each<[string, [number, Observation][], string, string?]>([
    ['pending waits', [[0, st('PENDING')]], 'poll'],
    ['in progress waits', [[0, st('IN_PROGRESS')]], 'poll'],
    ['ready but unread polls again', [[0, st('COMPLETE')]], 'poll'],
    ['first ready read never decides (settle 20 s)', [[0, st('ACTIVE', 'a')]], 'poll'],
    [
      'same set for 10 s is not settled',
      [
        [0, st('ACTIVE', 'a')],
        [10, st('ACTIVE', 'a')],
      ],
      'poll',
    ],
    [
      'same set for 20 s is settled',
      [
        [0, st('ACTIVE', 'a')],
        [10, st('ACTIVE', 'a')],
        [20, st('ACTIVE', 'a')],
      ],
      'settled',
    ],
    [
      'a change restarts the window',
      [
        [0, st('ACTIVE', 'a')],
        [20, st('ACTIVE', 'b')],
      ],
      'poll',
    ],
    [
      'settles 20 s after the last change',
      [
        [0, st('ACTIVE', 'a')],
        [15, st('ACTIVE', 'b')],
        [36, st('ACTIVE', 'b')],
      ],
      'settled',
    ],
    [
      'falling back to PENDING resets',
      [
        [0, st('COMPLETE', 'a')],
        [10, st('PENDING')],
        [21, st('COMPLETE', 'a')],
      ],
      'poll',
    ],
    ['terminal FAILED', [[0, st('FAILED')]], 'unavailable', 'FAILED'],
    [
      'terminal during settling',
      [
        [0, st('ACTIVE', 'a')],
        [5, st('SCAN_ELIGIBILITY_EXPIRED')],
      ],
      'unavailable',
      'SCAN_ELIGIBILITY_EXPIRED',
    ],
    ['unknown status fails closed', [[0, st('WEIRD')]], 'unavailable', 'WEIRD'],
    [
      'scan not found in grace waits',
      [
        [0, { kind: 'scan-not-found', calls: 1 }],
        [100, { kind: 'scan-not-found', calls: 1 }],
      ],
      'poll',
    ],
    [
      'scan not found past grace: not configured',
      [
        [0, { kind: 'scan-not-found', calls: 1 }],
        [181, { kind: 'scan-not-found', calls: 1 }],
      ],
      'unavailable',
      'NOT_CONFIGURED',
    ],
    ['image not found briefly waits', [[0, { kind: 'image-not-found', calls: 1 }]], 'poll'],
    [
      'image not found for 15 s',
      [
        [0, { kind: 'image-not-found', calls: 1 }],
        [16, { kind: 'image-not-found', calls: 1 }],
      ],
      'unavailable',
      'IMAGE_NOT_FOUND',
    ],
    [
      'throttling survives',
      [[0, { kind: 'error', message: 'ThrottlingException', transient: true, calls: 1 }]],
      'poll',
    ],
    [
      'access denied fails',
      [[0, { kind: 'error', message: 'denied', transient: false, calls: 1 }]],
      'failed',
    ],
    [
      'pending at the deadline times out',
      [
        [0, st('PENDING')],
        [300, st('PENDING')],
      ],
      'unavailable',
      'TIMEOUT',
    ],
    [
      'findings still changing at the deadline time out',
      [
        [280, st('ACTIVE', 'a')],
        [300, st('ACTIVE', 'b')],
      ],
      'unavailable',
      'TIMEOUT',
    ],
  ])('%s', (_name, seq, kind, status) => {
    const t = run(cfg(), seq)
    expect(t.step.kind).toBe(kind)
    if (status) expect(t.step).toMatchObject({ status })
  })

  it('asks for StartImageScan once after the grace period when the mode is unknown', () => {
    const c = cfg({ startScanAfterGrace: true, scanNotFoundGraceMs: 60_000 })
    const nf: Observation = { kind: 'scan-not-found', calls: 1 }
    expect(
      run(c, [
        [0, nf],
        [61, nf],
      ]).step.kind,
    ).toBe('start-scan')
    expect(
      run(c, [
        [0, nf],
        [61, { kind: 'scan-started', calls: 1 }],
        [100, nf],
      ]).step.kind,
    ).toBe('poll')
    expect(
      run(c, [
        [0, nf],
        [61, { kind: 'scan-started', calls: 1 }],
        [122, nf],
      ]).step,
    ).toMatchObject({ kind: 'unavailable', status: 'NOT_CONFIGURED' })
  })

  it.each([
    // [settle s, empty?, stable for s, settled?]
    [20, false, 20, true],
    [20, true, 20, false], // "nothing found" 20 s after ready is what a scan still filling in looks like
    [20, true, 59, false],
    [20, true, 60, true],
    [0, true, 30, false], // even with settle 0, an empty answer must hold for the floor
    [90, true, 60, false],
    [90, true, 90, true],
  ])(
    'settle %i s, empty %s, stable %i s -> settled %s (empty sets need >= 60 s)',
    (settle, empty, after, settled) => {
      const c = defaultWaitConfig(0, 600, settle)
      const obs: Observation = { kind: 'status', status: 'ACTIVE', fingerprint: 'f', empty, calls: 1 }
      const t = run({ ...c, random: () => 0.5 }, [
        [0, obs],
        [after, obs],
      ])
      expect(t.step.kind === 'settled').toBe(settled)
    },
  )

  it('settle 0 decides on the first complete read', () => {
    expect(run(cfg({ settleMs: 0 }), [[0, st('COMPLETE', 'x')]]).step.kind).toBe('settled')
  })

  it('waits at least a second per call just made, and never past the deadline', () => {
    const t = run(cfg({ settleMs: 2000 }), [[0, st('ACTIVE', 'a', 7)]])
    expect(t.step).toMatchObject({ kind: 'poll' })
    expect((t.step as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(7000)
    const late = run(cfg(), [[299, st('PENDING')]])
    expect((late.step as { delayMs: number }).delayMs).toBeLessThanOrEqual(1000)
  })

  it('backs off with jitter while waiting, capped', () => {
    const c = cfg({ random: () => 1 })
    let state = initialState(c)
    const delays: number[] = []
    for (let i = 0; i < 8; i++) {
      const t = nextStep(state, st('PENDING'), i * 1000, c)
      state = t.state
      delays.push((t.step as { delayMs: number }).delayMs)
    }
    expect(delays.slice(0, 4)).toEqual([2000, 4000, 8000, 15000])
    expect(Math.max(...delays)).toBe(15000)
    const low = nextStep(initialState(c), st('PENDING'), 0, { ...c, random: () => 0 })
    expect((low.step as { delayMs: number }).delayMs).toBe(1000)
  })
})
