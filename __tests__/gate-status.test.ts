// The scan wait's state machine for one image, as tables, with an injected clock (plain numbers):
// what it does next, and what its reads show (countsSettled for a failing verdict, passable with the
// fill-in floor).
import { describe, expect, it } from 'vitest'
import {
  FILL_IN_FLOOR_MS,
  SCAN_STATUSES,
  classifyStatus,
  defaultWaitConfig,
  initialState,
  isReady,
  nextStep,
  progress,
  type Observation,
  type WaitConfig,
  type WaitState,
} from '../src/gate/status.ts'

const cfg = (over: Partial<WaitConfig> = {}): WaitConfig => ({
  ...defaultWaitConfig(0, 300, 20),
  random: () => 0.5,
  ...over,
})

/** Feeds observations at times (seconds); returns the last transition and the state's progress. */
function run(c: WaitConfig, seq: [number, Observation][]) {
  let state: WaitState = initialState(c)
  let last
  for (const [t, obs] of seq) {
    last = nextStep(state, obs, t * 1000, c)
    state = last.state
  }
  const t = last as NonNullable<typeof last>
  return { ...t, progress: progress(t.state, c) }
}

/** A ready read; `set` names the finding set (its fingerprint), `blocking` how many block. */
const st = (status: string, set?: string, blocking = 0, calls = 1): Observation =>
  set === undefined
    ? { kind: 'status', status, calls }
    : {
        kind: 'status',
        status,
        calls,
        pass: { consistent: true, problems: [], fingerprint: set, count: set.length, blocking },
      }
const bad = (problem = 'ECR answered a nextToken it had already given'): Observation => ({
  kind: 'status',
  status: 'ACTIVE',
  calls: 3,
  pass: { consistent: false, problems: [problem], fingerprint: '', count: 0, blocking: 0 },
})
const cut: Observation = { kind: 'status', status: 'ACTIVE', cut: true, calls: 2 }

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
    ['SOMETHING_NEW', 'unknown'],
    ['complete', 'unknown'],
    ['', 'unknown'],
  ])('%s is %s', (status, kind) => {
    expect(classifyStatus(status).kind).toBe(kind)
    expect(isReady(status)).toBe(kind === 'ready')
  })

  it('covers all ten ECR statuses, each terminal one with its own message', () => {
    expect(SCAN_STATUSES).toHaveLength(10)
    const messages = SCAN_STATUSES.map((s) => classifyStatus(s)).flatMap((c) =>
      c.kind === 'terminal' ? [c.message] : [],
    )
    expect(messages).toHaveLength(6)
    expect(new Set(messages).size).toBe(6)
    expect(classifyStatus('NEW_THING')).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('whatever on-scan-unavailable says'),
    })
    expect(classifyStatus('').kind === 'unknown' && classifyStatus('')).toMatchObject({
      message: expect.stringContaining('no scan status'),
    })
  })
})

describe('nextStep', () => {
  it.each<[string, [number, Observation][], string, { status?: string; relaxable?: boolean }?]>([
    ['pending waits', [[0, st('PENDING')]], 'poll'],
    ['in progress waits', [[0, st('IN_PROGRESS')]], 'poll'],
    ['ready but unread polls again', [[0, st('COMPLETE')]], 'poll'],
    ['a ready read polls again (the gate decides)', [[0, st('ACTIVE', 'a')]], 'poll'],
    ['an inconsistent read polls again', [[0, bad()]], 'poll'],
    ['a read cut by the deadline polls again', [[0, cut]], 'poll'],
    ['terminal FAILED ends, relaxable', [[0, st('FAILED')]], 'end', { status: 'FAILED', relaxable: true }],
    [
      'terminal during settling ends',
      [
        [0, st('ACTIVE', 'a')],
        [5, st('SCAN_ELIGIBILITY_EXPIRED')],
      ],
      'end',
      { status: 'SCAN_ELIGIBILITY_EXPIRED', relaxable: true },
    ],
    ['unknown status fails closed', [[0, st('WEIRD')]], 'end', { status: 'WEIRD', relaxable: false }],
    ['no status at all fails closed', [[0, st('')]], 'end', { status: 'UNKNOWN', relaxable: false }],
    [
      'unknown status after a blocking read fails closed too',
      [
        [0, st('ACTIVE', 'a', 1)],
        [5, st('NEW')],
      ],
      'end',
      { relaxable: false },
    ],
    [
      'scan not found in grace waits',
      [
        [0, { kind: 'scan-not-found', calls: 1 }],
        [100, { kind: 'scan-not-found', calls: 1 }],
      ],
      'poll',
    ],
    [
      'scan not found past grace: not configured (relaxable)',
      [
        [0, { kind: 'scan-not-found', calls: 1 }],
        [181, { kind: 'scan-not-found', calls: 1 }],
      ],
      'end',
      { status: 'NOT_CONFIGURED', relaxable: true },
    ],
    ['image not found briefly waits', [[0, { kind: 'image-not-found', calls: 1 }]], 'poll'],
    [
      'image not found for 15 s: the image is gone, not relaxable',
      [
        [0, { kind: 'image-not-found', calls: 1 }],
        [16, { kind: 'image-not-found', calls: 1 }],
      ],
      'end',
      { status: 'IMAGE_NOT_FOUND', relaxable: false },
    ],
    [
      'throttling survives',
      [[0, { kind: 'error', message: 'ThrottlingException', transient: true, calls: 1 }]],
      'poll',
    ],
    [
      'access denied ends, not relaxable',
      [[0, { kind: 'error', message: 'denied', transient: false, calls: 1 }]],
      'end',
      { status: 'ERROR', relaxable: false },
    ],
  ])('%s', (_name, seq, kind, end) => {
    const t = run(cfg(), seq)
    expect(t.step.kind).toBe(kind)
    if (end) expect(t.step).toMatchObject({ end })
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
    ).toMatchObject({ kind: 'end', end: { status: 'NOT_CONFIGURED' } })
  })

  it('waits at least a second per call just made, and never past the deadline', () => {
    const t = run(cfg({ settleMs: 2000 }), [[0, st('ACTIVE', 'a', 0, 7)]])
    expect(t.step).toMatchObject({ kind: 'poll' })
    expect((t.step as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(7000)
    const late = run(cfg(), [[299, st('PENDING')]])
    expect((late.step as { delayMs: number }).delayMs).toBeLessThanOrEqual(1000)
    const over = run(cfg(), [[300, st('PENDING')]])
    expect(over.step).toEqual({ kind: 'poll', delayMs: 0 })
  })

  it('pauses before reading an inconsistent pass again', () => {
    const t = run(cfg(), [[0, bad()]])
    expect((t.step as { delayMs: number }).delayMs).toBe(5000)
    expect(t.state).toMatchObject({ inconsistentPasses: 1, lastPassConsistent: false })
    expect(t.state.lastProblem).toContain('nextToken')
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

describe('progress: fail fast, pass late', () => {
  const FLOOR = FILL_IN_FLOOR_MS / 1000
  it('the floor is 60 s and documented as a constant', () => {
    expect(FLOOR).toBe(60)
  })

  it.each<
    [
      string,
      number,
      [number, Observation][],
      { countsSettled: boolean; passable: boolean; blocking: boolean },
    ]
  >([
    [
      'first ready read: nothing settled',
      20,
      [[0, st('ACTIVE', 'a')]],
      { countsSettled: false, passable: false, blocking: false },
    ],
    [
      'same set for 20 s: counts settled, but no pass before the floor',
      20,
      [
        [0, st('ACTIVE', 'a')],
        [10, st('ACTIVE', 'a')],
        [20, st('ACTIVE', 'a')],
      ],
      { countsSettled: true, passable: false, blocking: false },
    ],
    [
      'same set for 60 s since ready: passable',
      20,
      [
        [0, st('ACTIVE', 'a')],
        [30, st('ACTIVE', 'a')],
        [60, st('ACTIVE', 'a')],
      ],
      { countsSettled: true, passable: true, blocking: false },
    ],
    [
      'a partial set that grows at 50 s: the floor is met at 60 s, the settle window only at 70 s',
      20,
      [
        [0, st('ACTIVE', 'a')],
        [50, st('ACTIVE', 'ab')],
        [60, st('ACTIVE', 'ab')],
      ],
      { countsSettled: false, passable: false, blocking: false },
    ],
    [
      '... and passes at 70 s',
      20,
      [
        [0, st('ACTIVE', 'a')],
        [50, st('ACTIVE', 'ab')],
        [60, st('ACTIVE', 'ab')],
        [70, st('ACTIVE', 'ab')],
      ],
      { countsSettled: true, passable: true, blocking: false },
    ],
    [
      'settle 0 does not lower the floor',
      0,
      [
        [30, st('ACTIVE', '')],
        [59, st('ACTIVE', '')],
      ],
      { countsSettled: true, passable: false, blocking: false },
    ],
    [
      'settle 0 passes at the floor',
      0,
      [
        [0, st('ACTIVE', '')],
        [60, st('ACTIVE', '')],
      ],
      { countsSettled: true, passable: true, blocking: false },
    ],
    [
      'settle 90 s: more than the floor',
      90,
      [
        [0, st('ACTIVE', '')],
        [60, st('ACTIVE', '')],
      ],
      { countsSettled: false, passable: false, blocking: false },
    ],
    [
      'a blocking read: failed at once, counts not yet settled',
      20,
      [[0, st('ACTIVE', 'a', 1)]],
      { countsSettled: false, passable: false, blocking: true },
    ],
    [
      'blocking with settle 0: counts settled on the first read (no floor for a fail)',
      0,
      [[0, st('ACTIVE', 'a', 1)]],
      { countsSettled: true, passable: false, blocking: true },
    ],
    [
      'blocking stays when the finding disappears',
      5,
      [
        [0, st('ACTIVE', 'a', 1)],
        [10, st('ACTIVE', 'b', 0)],
        [20, st('ACTIVE', 'b', 0)],
        [90, st('ACTIVE', 'b', 0)],
      ],
      { countsSettled: true, passable: false, blocking: true },
    ],
    [
      'blocking stays when the scan falls back to PENDING',
      5,
      [
        [0, st('ACTIVE', 'a', 1)],
        [10, st('PENDING')],
      ],
      { countsSettled: false, passable: false, blocking: true },
    ],
    [
      'falling back to PENDING restarts the floor',
      20,
      [
        [0, st('COMPLETE', 'a')],
        [50, st('PENDING')],
        [55, st('COMPLETE', 'a')],
        [80, st('COMPLETE', 'a')],
      ],
      { countsSettled: true, passable: false, blocking: false },
    ],
    [
      'an inconsistent read is never the basis of a pass',
      20,
      [
        [0, st('ACTIVE', 'a')],
        [70, st('ACTIVE', 'a')],
        [75, bad()],
      ],
      { countsSettled: false, passable: false, blocking: false },
    ],
    [
      'an inconsistent read showing nothing blocking does not fail',
      20,
      [[0, bad()]],
      { countsSettled: false, passable: false, blocking: false },
    ],
    [
      'a consistent read after inconsistent ones counts again',
      20,
      [
        [0, st('ACTIVE', 'a')],
        [40, bad()],
        [45, st('ACTIVE', 'a')],
        [65, st('ACTIVE', 'a')],
      ],
      { countsSettled: true, passable: true, blocking: false },
    ],
  ])('%s', (_n, settle, seq, expected) => {
    const t = run(cfg({ settleMs: settle * 1000, timeoutMs: 600_000 }), seq)
    expect({
      countsSettled: t.progress.countsSettled,
      passable: t.progress.passable,
      blocking: t.progress.blocking,
    }).toEqual(expected)
  })

  it('measures stability at the reads, not at the clock', () => {
    const c = cfg({ timeoutMs: 600_000 })
    const t = run(c, [
      [0, st('ACTIVE', 'a')],
      [70, st('ACTIVE', 'a')],
      [400, { kind: 'error', message: 'Throttling', transient: true, calls: 1 }],
    ])
    expect(t.progress).toMatchObject({ stableMs: 70_000, sinceReadyMs: 70_000 })
  })
})
