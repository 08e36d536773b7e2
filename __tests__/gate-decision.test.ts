// The gate's decision over every image it waits for, as tables: fail fast (sticky, reads on until the
// counts settle), pass late (every platform passable), unscannable platforms never hide another's
// blocking finding, unknown statuses and inconsistent reads fail closed in both modes, and the
// messages say what was seen. Pure: states are built by feeding observations (plain numbers as time).
import { describe, expect, it } from 'vitest'
import { budgetProblem, decideGate, type PlatformSnapshot } from '../src/gate/decision.ts'
import {
  defaultWaitConfig,
  initialState,
  nextStep,
  type Observation,
  type WaitConfig,
  type WaitState,
} from '../src/gate/status.ts'

const cfg = (timeoutS = 300, settleS = 20): WaitConfig => ({
  ...defaultWaitConfig(0, timeoutS, settleS),
  random: () => 0.5,
})

const ready = (set: string, blocking = 0): Observation => ({
  kind: 'status',
  status: 'ACTIVE',
  calls: 1,
  pass: { consistent: true, problems: [], fingerprint: set, count: set.length, blocking },
})
const pending: Observation = { kind: 'status', status: 'PENDING', calls: 1 }
const cycling: Observation = {
  kind: 'status',
  status: 'ACTIVE',
  calls: 4,
  pass: {
    consistent: false,
    problems: ['ECR answered a nextToken it had already given on an earlier page (pagination cycles)'],
    fingerprint: '',
    count: 0,
    blocking: 0,
  },
}
const status = (s: string): Observation => ({ kind: 'status', status: s, calls: 1 })

/** One image: its state after the observations (seconds), and its end if the machine ended it. */
function image(label: string, c: WaitConfig, seq: [number, Observation][]): PlatformSnapshot {
  let state: WaitState = initialState(c)
  const snap: PlatformSnapshot = { label, multi: true, state }
  for (const [t, obs] of seq) {
    const step = nextStep(state, obs, t * 1000, c)
    state = step.state
    if (step.step.kind === 'end') snap.end = step.step.end
  }
  snap.state = state
  return snap
}

const decide = (
  c: WaitConfig,
  now: number,
  onUnavailable: 'fail' | 'warn',
  ...platforms: PlatformSnapshot[]
) => decideGate({ platforms, now: now * 1000, cfg: c, onUnavailable })

describe('decideGate', () => {
  const c = cfg()
  const settledClean = (label: string) =>
    image(label, c, [
      [0, ready('a')],
      [30, ready('a')],
      [60, ready('a')],
    ])

  it.each<[string, number, 'fail' | 'warn', () => PlatformSnapshot[], object]>([
    [
      'one clean image before the floor: wait',
      30,
      'fail',
      () => [
        image('x', c, [
          [0, ready('a')],
          [30, ready('a')],
        ]),
      ],
      { kind: 'wait' },
    ],
    ['one clean image after the floor: passed', 60, 'fail', () => [settledClean('x')], { kind: 'passed' }],
    [
      'blocking at the first read: failed, waits for the counts to settle',
      0,
      'fail',
      () => [image('x', c, [[0, ready('a', 1)]])],
      { kind: 'wait' },
    ],
    [
      'blocking and settled (no floor): failed with complete counts',
      20,
      'fail',
      () => [
        image('x', c, [
          [0, ready('a', 1)],
          [20, ready('a')],
        ]),
      ],
      { kind: 'blocking', countsSettled: true, unsettled: [] },
    ],
    [
      'blocking and still changing at the deadline: failed, counts incomplete',
      300,
      'fail',
      () => [
        image('x', c, [
          [0, ready('a', 1)],
          [290, ready('ab')],
        ]),
      ],
      { kind: 'blocking', countsSettled: false },
    ],
    [
      'blocking on amd64, arm64 stuck PENDING: reads on until the budget ends',
      100,
      'warn',
      () => [
        image('amd64', c, [
          [0, ready('a', 1)],
          [20, ready('a', 1)],
        ]),
        image('arm64', c, [
          [0, pending],
          [90, pending],
        ]),
      ],
      { kind: 'wait' },
    ],
    [
      'blocking on amd64, arm64 stuck PENDING, budget over: failed, arm64 named',
      300,
      'warn',
      () => [
        image('amd64', c, [
          [0, ready('a', 1)],
          [20, ready('a', 1)],
        ]),
        image('arm64', c, [
          [0, pending],
          [290, pending],
        ]),
      ],
      { kind: 'blocking', countsSettled: false, unsettled: ['arm64: the scan was still PENDING'] },
    ],
    [
      'blocking on amd64, arm64 UNSUPPORTED_IMAGE, warn: still failed',
      20,
      'warn',
      () => [
        image('amd64', c, [
          [0, ready('a', 1)],
          [20, ready('a', 1)],
        ]),
        image('arm64', c, [[0, status('UNSUPPORTED_IMAGE')]]),
      ],
      { kind: 'blocking', countsSettled: true },
    ],
    [
      'arm64 UNSUPPORTED_IMAGE while amd64 is still settling: wait (it may still show a blocking finding)',
      30,
      'warn',
      () => [
        image('amd64', c, [
          [0, ready('a')],
          [30, ready('a')],
        ]),
        image('arm64', c, [[0, status('UNSUPPORTED_IMAGE')]]),
      ],
      { kind: 'wait' },
    ],
    [
      'arm64 UNSUPPORTED_IMAGE, amd64 passable: no verdict, relaxable',
      60,
      'warn',
      () => [settledClean('amd64'), image('arm64', c, [[0, status('UNSUPPORTED_IMAGE')]])],
      {
        kind: 'no-verdict',
        status: 'UNSUPPORTED_IMAGE',
        relaxable: true,
        message: expect.stringMatching(/^arm64: /),
      },
    ],
    [
      'an unknown status on one platform fails at once, not relaxable',
      5,
      'warn',
      () => [image('amd64', c, [[0, ready('a')]]), image('arm64', c, [[0, status('BRAND_NEW')]])],
      { kind: 'no-verdict', status: 'BRAND_NEW', relaxable: false },
    ],
    [
      'both clean and passable: passed',
      60,
      'fail',
      () => [settledClean('amd64'), settledClean('arm64')],
      { kind: 'passed' },
    ],
    [
      'one passable, the other not yet past its own floor: wait',
      60,
      'fail',
      () => [
        settledClean('amd64'),
        image('arm64', c, [
          [20, ready('a')],
          [60, ready('a')],
        ]),
      ],
      { kind: 'wait' },
    ],
    [
      'stuck PENDING at the deadline: TIMEOUT, relaxable, says PENDING and suggests warn',
      300,
      'fail',
      () => [
        image('x', c, [
          [0, pending],
          [290, pending],
        ]),
      ],
      {
        kind: 'no-verdict',
        status: 'TIMEOUT',
        relaxable: true,
        message: expect.stringMatching(
          /still PENDING.*Raise scan-timeout-seconds, or set on-scan-unavailable: warn/,
        ),
      },
    ],
    [
      'stuck PENDING with warn set: never suggests warn',
      300,
      'warn',
      () => [
        image('x', c, [
          [0, pending],
          [290, pending],
        ]),
      ],
      {
        kind: 'no-verdict',
        relaxable: true,
        message: expect.not.stringContaining('on-scan-unavailable: warn'),
      },
    ],
    [
      'cycling tokens until the deadline: no pass, not relaxable, says why',
      300,
      'warn',
      () => [
        image('x', c, [
          [0, cycling],
          [290, cycling],
        ]),
      ],
      {
        kind: 'no-verdict',
        status: 'TIMEOUT',
        relaxable: false,
        message: expect.stringMatching(
          /inconsistent \(2 reads in a row: .*pagination cycles\).*never passes on inconsistent/,
        ),
      },
    ],
    [
      'the set still changing at the deadline',
      300,
      'fail',
      () => [
        image('x', c, [
          [0, ready('a')],
          [250, ready('b')],
          [290, ready('c')],
        ]),
      ],
      {
        kind: 'no-verdict',
        relaxable: true,
        message: expect.stringContaining(
          'still changing (last change 10 s before the end; scan-settle-seconds: 20)',
        ),
      },
    ],
    [
      'stable, but ready too late for the floor',
      300,
      'fail',
      () => [
        image('x', c, [
          [260, ready('a')],
          [290, ready('a')],
        ]),
      ],
      {
        kind: 'no-verdict',
        relaxable: true,
        message: expect.stringContaining(
          'stable for 30 s, but the budget ended first: a pass needs 60 s since the scan first read as ready (it had been 30 s)',
        ),
      },
    ],
  ])('%s', (_n, now, mode, platforms, expected) => {
    expect(decide(c, now, mode, ...platforms())).toMatchObject(expected)
  })

  it('a failed verdict is sticky: the finding disappearing later does not make it pass', () => {
    const x = image('x', c, [
      [0, ready('a', 1)],
      [10, ready('b')],
      [40, ready('b')],
      [80, ready('b')],
    ])
    expect(decide(c, 80, 'fail', x)).toMatchObject({ kind: 'blocking', countsSettled: true })
  })

  it('a single image is not prefixed with its label', () => {
    const x = {
      ...image('sha256:abc', c, [
        [0, pending],
        [290, pending],
      ]),
      multi: false,
    }
    expect(decide(c, 300, 'fail', x)).toMatchObject({
      message: expect.stringMatching(/: the scan was still PENDING\./),
    })
  })
})

describe('budgetProblem', () => {
  it.each([
    [900, 20, false],
    [80, 20, false],
    [79, 20, true],
    [60, 0, false],
    [59, 0, true],
    [100, 90, true],
  ])('scan-timeout-seconds %i, scan-settle-seconds %i: bad %s', (timeout, settle, isBad) => {
    const p = budgetProblem(timeout, settle)
    expect(p !== undefined).toBe(isBad)
    if (p) {
      expect(p).toContain("'scan-timeout-seconds'")
      expect(p).toContain("'scan-settle-seconds'")
      expect(p).toContain(`at least ${60 + settle}`)
    }
  })
})
