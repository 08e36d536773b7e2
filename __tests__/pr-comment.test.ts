// The pull request comment's pure parts: the markdown builder (golden files), its neutralisation of
// hostile scanner strings (rendered as GitHub does, in Chromium), the marker, the gate digest, the
// event payload reader and the two inputs.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Finding } from '../src/gate/findings.ts'
import { evaluate } from '../src/gate/policy.ts'
import { digestOfVerdict, MAX_BLOCKING_LISTED, type BlockingFinding } from '../src/github/digest.ts'
import { pullRequestOf } from '../src/github/event.ts'
import { runUrl } from '../src/github/index.ts'
import { BODY_LIMIT, code, commentMarker, prComment, type PrCommentFacts } from '../src/github/pr-comment.ts'
import { safeUrl } from '../src/markdown.ts'
import { InputError } from '../src/errors.ts'
import { getInputs, parseInputs } from '../src/inputs.ts'
import { expectGolden } from './golden.ts'
import { closeBrowser, renderSummary } from './testbed/summary-view.ts'

afterAll(async () => {
  await closeBrowser()
})

const MARKER = commentMarker({
  registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
  repository: 'acme/widget',
  workflow: 'ci',
  job: 'ship',
  step: 'ship',
})
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget@sha256:${'ab'.repeat(32)}`

function blocking(over: Partial<BlockingFinding> = {}): BlockingFinding {
  return {
    id: 'CVE-2024-0001',
    severity: 'CRITICAL',
    package: 'openssl',
    version: '3.0.1',
    fixedIn: '3.0.9',
    url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001',
    platform: '',
    ...over,
  }
}

const COUNTS = { CRITICAL: 1, HIGH: 1, MEDIUM: 2, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 }

/** Facts of a failed gate; `over` wins, an undefined in it removes the field. */
function facts(over: { [K in keyof PrCommentFacts]?: PrCommentFacts[K] | undefined } = {}): PrCommentFacts {
  const f: Record<string, unknown> = {
    marker: MARKER,
    gate: 'failed',
    threshold: 'HIGH',
    imageRef: IMAGE,
    counts: COUNTS,
    ignored: 1,
    blocking: [
      blocking(),
      blocking({
        id: 'GHSA-abcd-efgh-ijkl',
        severity: 'HIGH',
        package: 'lodash',
        version: '4.17.20',
        fixedIn: '',
        url: 'https://github.com/advisories/GHSA-abcd-efgh-ijkl',
      }),
    ],
    blockingTotal: 2,
    otherFailure: false,
    runUrl: 'https://github.com/acme/widget/actions/runs/123456',
    commit: 'c0ffee'.padEnd(40, '0'),
    ...over,
  }
  for (const [k, v] of Object.entries(f)) if (v === undefined) delete f[k]
  return f as unknown as PrCommentFacts
}

describe('prComment (golden files)', () => {
  it.each([
    ['failed', facts()],
    ['failed-more-than-listed', facts({ blockingTotal: 75 })],
    [
      'failed-multi-platform',
      facts({
        blocking: [
          blocking({ platform: 'linux/amd64' }),
          blocking({ platform: 'linux/arm64', id: 'CVE-2024-0009', url: '' }),
        ],
      }),
    ],
    [
      'failed-unavailable',
      facts({
        counts: undefined,
        ignored: undefined,
        blocking: [],
        blockingTotal: 0,
        reason: 'TIMEOUT: no findings within 900 s',
      }),
    ],
    [
      'passed',
      facts({ gate: 'passed', counts: { ...COUNTS, CRITICAL: 0, HIGH: 0 }, blocking: [], blockingTotal: 0 }),
    ],
    ['passed-report-only', facts({ gate: 'passed', threshold: 'NONE', blocking: [], blockingTotal: 0 })],
    [
      'passed-other-failure',
      facts({
        gate: 'passed',
        counts: { ...COUNTS, CRITICAL: 0, HIGH: 0 },
        blocking: [],
        blockingTotal: 0,
        otherFailure: true,
      }),
    ],
    [
      'unavailable',
      facts({
        gate: 'unavailable',
        counts: undefined,
        blocking: [],
        blockingTotal: 0,
        reason: 'UNSUPPORTED_IMAGE: The operating system is not supported.',
      }),
    ],
    [
      'skipped',
      facts({
        gate: 'skipped',
        counts: undefined,
        blocking: [],
        blockingTotal: 0,
        runUrl: undefined,
        commit: undefined,
      }),
    ],
  ] as [string, PrCommentFacts][])('%s', (name, f) => {
    const body = prComment(f)
    expect(body.startsWith(`${MARKER}\n### `)).toBe(true)
    expectGolden(`pr-comment-${name}.md`, body)
  })
})

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  'a|b|c',
  '`code` ``more``',
  '@octocat please merge',
  '#1 and acme/widget#2 and GH-3',
  '](javascript:alert(1))',
  'line1\n| injected | row | x | y | z |\nline3',
  '<!-- ecr-supply-chain:acme/widget:000000000000 -->',
  '\u202Eevil\u202C reversed',
  ':shipit: **bold** _em_ ~~gone~~',
  'back\\slash\\|pipe',
  '<details open><summary>x</summary>',
  'x'.repeat(5_000),
]

describe('prComment neutralises every string from the scan', () => {
  const evil: BlockingFinding[] = HOSTILE.map((s, i) => ({
    id: `${s} ${i}`,
    severity: 'CRITICAL',
    package: s,
    version: s,
    fixedIn: s,
    url: [
      'javascript:alert(1)',
      'https://example.com/a)b|c<d>"e\'f`g\\h i',
      'https://user:pw@example.com/x',
      'data:text/html,<script>alert(1)</script>',
      `https://example.com/${'p'.repeat(1000)}`,
    ][i % 5] as string,
    platform: s,
  }))
  const body = prComment(
    facts({
      blocking: evil,
      blockingTotal: evil.length,
      reason: HOSTILE.join(' '),
      imageRef: HOSTILE[0] as string,
    }),
  )

  it('keeps to one marker line, one table and one row per finding in the markdown', () => {
    const lines = body.split('\n')
    expect(lines[0]).toBe(MARKER)
    expect(lines.filter((l) => l.includes('ecr-supply-chain:') && !l.includes('`'))).toEqual([MARKER])
    const rows = lines.filter((l) => /^\| [[`]/.test(l))
    expect(rows).toHaveLength(evil.length)
    expect(body).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/)
  })

  it('renders as GitHub would with no element, link, mention or extra cell from the scan', async () => {
    const view = await renderSummary(body, { name: 'pr-comment-hostile', breaks: true })
    try {
      expect(await view.problems()).toEqual([])
      expect(await view.query('img, script, iframe, details, summary, input, strong, em, del')).toEqual([])
      const tables = await view.query('table')
      expect(tables).toHaveLength(2) // the counts and the blocking findings
      const rows = await view.query('table:nth-of-type(2) tbody tr')
      expect(rows).toHaveLength(evil.length)
      // Every row has exactly its six cells: nothing from the scan split a cell or added a row.
      const cells = await view.page.evaluate(
        `[...document.querySelectorAll('#summary table')[1].querySelectorAll('tbody tr')].map((r) => r.children.length)`,
      )
      expect(new Set(cells as number[])).toEqual(new Set([6]))
      // Links: only plain https URLs, none with credentials.
      const links = await view.query('a')
      for (const a of links) expect(a.attrs.href).toMatch(/^https:\/\/(?![^/]*@)/)
      expect(links.map((a) => a.attrs.href)).toContain(
        'https://example.com/a%29b%7Cc%3Cd%3E%22e%27f%60g/h%20i',
      )
      // '@' and '#' appear only inside code, where GitHub neither mentions nor links.
      const outside = await view.page.evaluate(
        `[...document.querySelectorAll('#summary *')].filter((e) => !e.closest('code')).flatMap((e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent)).join('')`,
      )
      expect(outside).not.toMatch(/@octocat|#1 |onerror|javascript/)
    } finally {
      await view.close()
    }
  })

  it('bounds every string and the whole body under GitHub’s 65,536-character limit', () => {
    expect(body.length).toBeLessThan(BODY_LIMIT)
    // Each string is cut to its bound (ids 100, reasons 500 characters).
    expect(body).not.toContain('x'.repeat(500))
    for (const line of body.split('\n')) expect(line.length).toBeLessThan(2_000)
    const many = Array.from({ length: 5_000 }, (_, i) =>
      blocking({
        id: `CVE-2024-${i}`,
        package: 'p'.repeat(300),
        version: 'v'.repeat(300),
        fixedIn: 'f'.repeat(300),
        url: `https://example.com/${'u'.repeat(480)}`,
      }),
    )
    const huge = prComment(facts({ blocking: many, blockingTotal: many.length }))
    expect([...huge].length).toBeLessThanOrEqual(BODY_LIMIT)
    expect(huge).toMatch(
      /…and \d+ more blocking findings: the job summary and the report file list every one\.\n/,
    )
  })

  it('code spans: backticks and table pipes cannot escape; empty is a dash', () => {
    expect(code('a`b', 10, false)).toBe('`aˋb`')
    expect(code('a|b\\', 10, true)).toBe('`a\\|b\\\\`')
    expect(code('a|b', 10, false)).toBe('`a|b`')
    expect(code(' \n ', 10, true)).toBe('–')
    expect(code('abcdef', 4, false)).toBe('`abc…`')
  })

  it('safeUrl: http(s) only, no credentials, nothing that ends the link', () => {
    expect(safeUrl('https://nvd.nist.gov/vuln/detail/CVE-2024-1')).toBe(
      'https://nvd.nist.gov/vuln/detail/CVE-2024-1',
    )
    expect(safeUrl('javascript:alert(1)')).toBe('')
    expect(safeUrl('https://u:p@x.example/')).toBe('')
    expect(safeUrl('not a url')).toBe('')
    expect(safeUrl('https://x.example/(a)')).toBe('https://x.example/%28a%29')
  })
})

describe('commentMarker', () => {
  const key = { registry: 'r', repository: 'acme/widget', workflow: 'ci', job: 'ship', step: 'ship' }
  it('is stable for one image and step, and differs per image and per step', () => {
    expect(commentMarker(key)).toBe(commentMarker({ ...key }))
    expect(commentMarker(key)).toMatch(/^<!-- ecr-supply-chain:acme\/widget:[0-9a-f]{12} -->$/)
    expect(commentMarker({ ...key, step: 'ship2' })).not.toBe(commentMarker(key))
    expect(commentMarker({ ...key, repository: 'acme/other' })).not.toBe(commentMarker(key))
    expect(commentMarker({ ...key, registry: 'r2' })).not.toBe(commentMarker(key))
  })
  it('cannot be ended early by the repository name', () => {
    const m = commentMarker({ ...key, repository: 'a-->b<!--c' })
    expect(m.slice(4, -3)).not.toMatch(/--|<|>/)
  })
})

describe('digestOfVerdict', () => {
  const finding = (id: string, severity: Finding['severity'], i: number): Finding => ({
    key: `${id}|p${i}|1`,
    id,
    source: 'enhanced',
    severity,
    rawSeverity: severity,
    status: 'ACTIVE',
    package: `p${i}`,
    version: '1',
    fixedIn: i % 2 ? '2' : '',
    packages: [{ name: `p${i}`, version: '1', fixedIn: i % 2 ? '2' : '' }],
    fixAvailable: i % 2 ? 'YES' : 'NO',
    exploitAvailable: 'NO',
    title: '',
    description: '',
    url: '',
    imageDigest: 'sha256:0',
    platform: '',
  })
  it('lists the most severe blocking findings (the last one read too), capped, with the total and the counts', () => {
    const findings = [
      finding('CVE-2024-0003', 'MEDIUM', 0),
      ...Array.from({ length: 300 }, (_, i) =>
        finding(`CVE-2024-1${String(i).padStart(3, '0')}`, 'HIGH', i + 1),
      ),
      finding('CVE-2024-0001', 'CRITICAL', 99),
    ]
    const v = evaluate(findings, { threshold: 'HIGH', onlyFixable: false, ignore: [] }, '2025-01-01')
    const d = digestOfVerdict(v, 'HIGH')
    expect(d).toMatchObject({ gate: 'failed', threshold: 'HIGH', blockingTotal: 301, ignored: 0 })
    expect(d.counts).toMatchObject({ CRITICAL: 1, HIGH: 300, MEDIUM: 1 })
    expect(d.blocking).toHaveLength(MAX_BLOCKING_LISTED)
    expect(d.blocking[0]).toMatchObject({
      id: 'CVE-2024-0001',
      severity: 'CRITICAL',
      url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001',
    })
    expect(d.blocking.some((b) => b.severity === 'MEDIUM')).toBe(false)
  })
  it('a passing verdict has no blocking findings', () => {
    const v = evaluate(
      [finding('CVE-1', 'LOW', 0)],
      { threshold: 'HIGH', onlyFixable: false, ignore: [] },
      '2025-01-01',
    )
    expect(digestOfVerdict(v, 'HIGH')).toMatchObject({ gate: 'passed', blocking: [], blockingTotal: 0 })
  })
})

describe('pullRequestOf: the event, read as hostile input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-event-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  let n = 0
  const env = (event: string, payload: unknown, repo = 'acme/widget'): NodeJS.ProcessEnv => {
    const file = path.join(dir, `event-${n++}.json`)
    fs.writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload))
    return { GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: repo }
  }
  const sha = 'a'.repeat(40)

  it('takes the number and head commit of a pull_request or pull_request_target event', async () => {
    for (const event of ['pull_request', 'pull_request_target']) {
      expect(
        await pullRequestOf(env(event, { number: 7, pull_request: { number: 7, head: { sha } } })),
      ).toEqual({
        kind: 'pull-request',
        pr: { owner: 'acme', repo: 'widget', number: 7, headSha: sha },
      })
    }
  })

  it('any other event is not a pull request, and its payload is not even read', async () => {
    expect(await pullRequestOf({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: '/nonexistent' })).toEqual({
      kind: 'not-a-pull-request',
      event: 'push',
    })
    expect(await pullRequestOf({})).toEqual({ kind: 'not-a-pull-request', event: '(none)' })
  })

  it.each([
    ['not JSON', '{"number": 7', /not valid JSON/],
    ['an array', '[7]', /not a JSON object/],
    ['a string number', { pull_request: { number: '7' } }, /no pull request number/],
    ['a negative number', { pull_request: { number: -1 } }, /no pull request number/],
    ['a fraction', { pull_request: { number: 1.5 } }, /no pull request number/],
    ['a huge number', { pull_request: { number: 2 ** 60 } }, /no pull request number/],
  ])('a payload with %s is unusable', async (_what, payload, why) => {
    const r = await pullRequestOf(env('pull_request', payload))
    expect(r.kind).toBe('unusable')
    expect(r.kind === 'unusable' && r.why).toMatch(why)
  })

  it('a missing payload file or a bad GITHUB_REPOSITORY is unusable', async () => {
    expect(
      await pullRequestOf({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: 'a/b',
        GITHUB_EVENT_PATH: path.join(dir, 'none'),
      }),
    ).toMatchObject({ kind: 'unusable', why: expect.stringMatching(/ENOENT/) })
    expect(await pullRequestOf(env('pull_request', { number: 1 }, 'acme/widget/../x'))).toMatchObject({
      kind: 'unusable',
    })
    expect(await pullRequestOf(env('pull_request', { number: 1 }, ''))).toMatchObject({ kind: 'unusable' })
  })

  it('a malformed head commit is left out, not passed on', async () => {
    const r = await pullRequestOf(
      env('pull_request', { pull_request: { number: 3, head: { sha: `${sha}\n::warning::x` } } }),
    )
    expect(r).toEqual({ kind: 'pull-request', pr: { owner: 'acme', repo: 'widget', number: 3 } })
  })

  it('links the run, attempt included, only from well-formed context', () => {
    const base = {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/widget',
      GITHUB_RUN_ID: '42',
    }
    expect(runUrl(base)).toBe('https://github.com/acme/widget/actions/runs/42')
    expect(runUrl({ ...base, GITHUB_RUN_ATTEMPT: '3' })).toBe(
      'https://github.com/acme/widget/actions/runs/42/attempts/3',
    )
    expect(runUrl({ ...base, GITHUB_SERVER_URL: 'javascript:alert(1)' })).toBeUndefined()
    expect(runUrl({ ...base, GITHUB_RUN_ID: '42)' })).toBeUndefined()
  })
})

describe('the pr-comment and github-token inputs', () => {
  const base: Record<string, string> = {
    'aws-region': 'us-east-1',
    image: 'widget:ci',
    repository: 'acme/widget',
    tags: 't',
  }
  const parse = (over: Record<string, string>) => parseInputs((n) => ({ ...base, ...over })[n] ?? '', {})
  const problems = (over: Record<string, string>): string[] => {
    try {
      parse(over)
      return []
    } catch (err) {
      if (err instanceof InputError) return err.problems
      throw err
    }
  }

  it('default: no comment; the token is taken as given', () => {
    expect(parse({})).toMatchObject({ prComment: false, githubToken: '' })
    expect(parse({ 'pr-comment': 'true', 'github-token': 'ghs_abc' })).toMatchObject({
      prComment: true,
      githubToken: 'ghs_abc',
    })
  })

  it('rejects a bad pr-comment, an empty token with pr-comment, and a token with whitespace, never echoing it', () => {
    expect(problems({ 'pr-comment': 'yes' })[0]).toContain(
      "Invalid input 'pr-comment': 'yes'. Expected true or false.",
    )
    expect(problems({ 'pr-comment': 'true', 'github-token': '' })[0]).toMatch(
      /^Missing input 'github-token': 'pr-comment: true' needs a token with pull-requests: write/,
    )
    expect(problems({ 'github-token': 'ghs_sec ret' })).toEqual([]) // unused without pr-comment
    const p = problems({ 'pr-comment': 'true', 'github-token': 'ghs_sec ret' })
    expect(p[0]).toMatch(/^Invalid input 'github-token': it holds whitespace or control characters/)
    expect(p[0]).not.toContain('ghs_sec')
  })

  it('masks the token the moment it is read', () => {
    const lines: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk))
      return true
    }) as typeof process.stdout.write
    try {
      getInputs({
        'INPUT_AWS-REGION': 'us-east-1',
        INPUT_IMAGE: 'w:1',
        INPUT_REPOSITORY: 'acme/widget',
        INPUT_TAGS: 't',
        'INPUT_GITHUB-TOKEN': 'ghs_TOPSECRET1234',
      })
    } finally {
      process.stdout.write = write
    }
    expect(lines.join('')).toContain('::add-mask::ghs_TOPSECRET1234')
  })
})
