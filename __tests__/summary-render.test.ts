// The job summary as a reviewer sees it: the action's GITHUB_STEP_SUMMARY rendered as GitHub does
// (GFM + GitHub's sanitisation) in headless Chromium, checked element by element, screenshotted
// (test-artifacts/summary/, uploaded by CI). First the harness itself: its checks must catch what
// they are for.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushPermissions, type RepositoryRecord } from './testbed/emulator/index.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import { renderGfm } from './testbed/gfm.ts'
import { closeBrowser, renderSummary, type SummaryView } from './testbed/summary-view.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'
import type { RunResult } from './testbed/runner.ts'

afterAll(async () => {
  await closeBrowser()
})

async function withView<T>(markdown: string, name: string, fn: (v: SummaryView) => Promise<T>): Promise<T> {
  const view = await renderSummary(markdown, { name })
  try {
    return await fn(view)
  } finally {
    await view.close()
  }
}

const isPng = (file: string): boolean =>
  fs
    .readFileSync(file)
    .subarray(0, 8)
    .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))

describe('GitHub-like rendering', () => {
  it('keeps what GitHub keeps and strips what it strips', () => {
    const html = renderGfm(
      [
        '<details><summary>More</summary>',
        '',
        '| a | b |',
        '|---|--:|',
        '| 1 | 2 |',
        '',
        '</details>',
        '',
        '<script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a>',
        '<iframe src="https://example.com"></iframe><style>body{}</style><sub>small</sub><!-- hidden -->',
      ].join('\n'),
    )
    expect(html).toContain('<details><summary>More</summary>')
    expect(html).toMatch(/<table>\s*<thead>/)
    expect(html).toContain('<th align="right">b</th>')
    expect(html).toContain('<sub>small</sub>')
    for (const gone of ['<script', 'alert(1)', 'onerror', 'javascript:', '<iframe', '<style', 'hidden'])
      expect(html).not.toContain(gone)
  })
})

describe('the generic checks', () => {
  it('pass a well-formed summary, with screenshots collapsed and expanded', async () => {
    const md = [
      '### ✅ Scan gate passed: no counted findings',
      '',
      '| Severity | Counted |',
      '|---|---:|',
      '| High | 0 |',
      '',
      '<details><summary>Top findings</summary>',
      '',
      '| ID | Package |',
      '|---|---|',
      '| CVE-1 | a |',
      '',
      '</details>',
    ].join('\n')
    await withView(md, 'harness-good', async (v) => {
      expect(await v.problems()).toEqual([])
      const [h] = await v.query('h3')
      expect(h?.text).toBe('✅ Scan gate passed: no counted findings')
      const hidden = await v.query('details table')
      expect(hidden[0]?.visible).toBe(false)
      expect(isPng(v.screenshot)).toBe(true)
      expect(isPng(v.screenshotExpanded)).toBe(true)
      // Expanded shows more than collapsed.
      expect(fs.statSync(v.screenshotExpanded).size).toBeGreaterThan(fs.statSync(v.screenshot).size)
    })
  })

  it('catch a summary that does not start with the verdict', async () => {
    await withView('### Pushed\n\n### ❌ Scan gate failed', 'harness-no-verdict', async (v) => {
      expect(await v.problems()).toEqual([
        'verdict first: the first heading is "Pushed", not a verdict (✅ ❌ ⚠️ ⏭️)',
      ])
      expect(await v.problems({ verdictFirst: false })).toEqual([])
    })
    await withView('Some text\n\n### ✅ passed', 'harness-no-heading', async (v) => {
      expect((await v.problems())[0]).toMatch(/starts with <p>, not a heading/)
    })
  })

  it('catch a table that did not render, an empty header row and a header-only table', async () => {
    const md = [
      '### ✅ ok',
      '',
      // No blank line before the table after a paragraph line with a pipe: GFM still makes a table;
      // a missing delimiter row does not.
      '| a | b |',
      '| 1 | 2 |',
      '',
      '| | |',
      '|---|---|',
      '| k | v |',
      '',
      '| only | header |',
      '|---|---|',
    ].join('\n')
    await withView(md, 'harness-bad-tables', async (v) => {
      const p = await v.problems()
      expect(p).toContain('raw table row shown as text in <p>: | a | b |')
      expect(p.some((x) => /^table 1 .*has an empty header row$/.test(x))).toBe(true)
      expect(p).toContain('table 2 has no rows')
    })
  })

  it('catch HTML and markdown shown as text', async () => {
    const md = '### ✅ ok\n\n&lt;details&gt; and \\*\\*bold\\*\\* and \\<!-- x --> and [a]\\(https://x)'
    await withView(md, 'harness-leftovers', async (v) => {
      const p = await v.problems()
      expect(p).toContain('HTML shown as text: <details')
      expect(p).toContain('unrendered markdown shown as text: **')
      expect(p).toContain('unrendered markdown shown as text: <!--')
    })
  })

  it('catch <details> that starts open, has no summary, or is empty', async () => {
    const md = [
      '### ✅ ok',
      '',
      '<details open><summary>Open</summary>',
      '',
      'text',
      '',
      '</details>',
      '',
      '<details>',
      '',
      'no summary',
      '',
      '</details>',
      '',
      '<details><summary>Empty</summary></details>',
    ].join('\n')
    await withView(md, 'harness-details', async (v) => {
      const p = await v.problems()
      expect(p).toContain('details 1 ("Open") starts open')
      expect(p).toContain('details 1 ("Open") shows its content while collapsed')
      expect(p).toContain('details 2 has no <summary> of its own')
      expect(p).toContain('details 3 ("Empty") is empty')
    })
  })
})

// ---- today's summary, from the bundled action -------------------------------------------------

let tb: Testbed
let repo: RepositoryRecord

const FINDINGS = [
  enhancedFinding({
    id: 'CVE-2024-0001',
    severity: 'CRITICAL',
    package: 'openssl',
    version: '3.0.1',
    fixedIn: '3.0.9',
    score: 9.8,
  }),
  enhancedFinding({ id: 'CVE-2024-0002', severity: 'HIGH', package: 'zlib', version: '1.2.11', score: 7.5 }),
  enhancedFinding({
    id: 'CVE-2024-0003',
    severity: 'HIGH',
    package: 'curl',
    version: '7.88',
    fixedIn: '8.0',
  }),
  enhancedFinding({
    id: 'CVE-2024-0004',
    severity: 'MEDIUM',
    package: 'bash',
    version: '5.1',
    fixedIn: '5.2',
  }),
  enhancedFinding({ id: 'CVE-2024-0005', severity: 'LOW', package: 'tar', version: '1.34' }),
]

async function gateRun(inputs: Record<string, string>): Promise<RunResult> {
  const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
  return tb.run({
    inputs: {
      image: await tb.image(),
      'wait-for-scan': 'true',
      'scan-timeout-seconds': '120',
      'scan-settle-seconds': '2',
      audit: 'true',
      ignore: `CVE-2024-0005 until=${until} # tar is not used at run time`,
      ...inputs,
    },
  })
}

describe("today's job summary, rendered", () => {
  beforeAll(async () => {
    tb = await startTestbed({
      permissions: pushPermissions('123456789012', 'acme/widget', { scanDiscovery: true, governance: true }),
    })
    repo = tb.emulator.state.repositories.find((r) => r.name === tb.repository) as RepositoryRecord
    setRegistryScanning(tb.emulator, {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
        },
      ],
    })
  })

  afterAll(async () => {
    expect(tb?.emulator.internalErrors ?? []).toEqual([])
    await tb?.close()
  })

  let failed: RunResult

  it('a failed gate: the verdict heading first, every table a table, nothing raw', async () => {
    setScanScenario(repo, { enhancedFindings: FINDINGS })
    failed = await gateRun({})
    expect(failed.code, failed.log).toBe(1)
    await withView(failed.summary, 'summary-gate-failed', async (v) => {
      const headings = await v.query('h3')
      expect(headings[0]?.text).toMatch(/^❌ Scan gate failed: 3 findings at or above HIGH/)
      // Every markdown table became an HTML table.
      const delimiterRows = failed.summary.split('\n').filter((l) => /^\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(l))
      expect(delimiterRows.length).toBeGreaterThan(2)
      expect(await v.query('table')).toHaveLength(delimiterRows.length)
      const ids = (await v.query('table td:first-child a')).map((a) => a.text)
      expect(ids).toEqual(expect.arrayContaining(['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']))
      const problems = await v.problems()
      // Known today (issue 14 point 6, the summary's content is being redesigned): the key/value
      // tables ("| | |") have an empty header row. Everything else must hold.
      expect(problems.filter((p) => !/has an empty header row$/.test(p))).toEqual([])
    })
  })

  // Turns red (and is then to become a plain `it`) once the redesigned summary drops the empty
  // header rows that its key/value tables have today.
  it.fails('a failed gate: no empty header rows (known gap, issue 14 point 6)', async () => {
    await withView(failed.summary, 'summary-gate-failed-headers', async (v) => {
      expect((await v.problems()).filter((p) => /has an empty header row$/.test(p))).toEqual([])
    })
  })

  it('a gate that could not decide: the verdict heading first, nothing raw', async () => {
    setScanScenario(repo, {
      status: 'UNSUPPORTED_IMAGE',
      description: 'The operating system is not supported.',
    })
    const r = await gateRun({ 'on-scan-unavailable': 'warn' })
    expect(r.code, r.log).toBe(0)
    await withView(r.summary, 'summary-gate-unavailable', async (v) => {
      expect((await v.query('h3'))[0]?.text).toMatch(/^⚠️ Scan gate could not decide/)
      expect((await v.problems()).filter((p) => !/has an empty header row$/.test(p))).toEqual([])
    })
  })
})
