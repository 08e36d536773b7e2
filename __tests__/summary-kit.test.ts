// The pieces every summary section is built from (src/markdown.ts) and the gate's own (the
// severity bar, the ignore lines) in src/gate/summary.ts. Pure.
import { describe, expect, it } from 'vitest'
import type { Finding } from '../src/gate/findings.ts'
import { evaluate, parseIgnoreText, zeroCounts, type Counts } from '../src/gate/policy.ts'
import { compareFindings, topN } from '../src/gate/reports.ts'
import { addDays, barCells, ignoreLine, severityBar, shortImage } from '../src/gate/summary.ts'
import { details, foldedTable, link, safeUrl, table } from '../src/markdown.ts'
import { alsoFailed } from '../src/report.ts'
import { SEVERITIES } from '../src/severity.ts'

const counts = (c: Partial<Counts>): Counts => ({ ...zeroCounts(), ...c })

const finding = (id: string, pkg: string, over: Partial<Finding> = {}): Finding => ({
  key: `k-${id}-${pkg}`,
  id,
  source: 'enhanced',
  severity: 'HIGH',
  rawSeverity: 'HIGH',
  status: 'ACTIVE',
  package: pkg,
  version: '1.0',
  fixedIn: '',
  packages: [{ name: pkg, version: '1.0', fixedIn: '' }],
  fixAvailable: 'NO',
  exploitAvailable: 'NO',
  title: id,
  description: id,
  url: '',
  imageDigest: 'sha256:x',
  platform: '',
  ...over,
})

describe('the severity bar', () => {
  it.each<[Partial<Counts>, Partial<Record<string, number>>]>([
    [
      { CRITICAL: 1, HIGH: 1 },
      { CRITICAL: 10, HIGH: 10 },
    ],
    [
      { CRITICAL: 1, LOW: 3 },
      { CRITICAL: 5, LOW: 15 },
    ],
    // A single critical among 49,999 lows still shows: at least one square each.
    [
      { CRITICAL: 1, LOW: 49_999 },
      { CRITICAL: 1, LOW: 19 },
    ],
    [{ CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 1, INFORMATIONAL: 1, UNDEFINED: 100 }, { UNDEFINED: 15 }],
    [{}, {}],
  ])('%j: squares %j, twenty in all', (c, expected) => {
    const cells = barCells(counts(c))
    for (const [s, n] of Object.entries(expected)) expect(cells[s as keyof Counts]).toBe(n)
    const total = SEVERITIES.reduce((n, s) => n + cells[s], 0)
    expect(total).toBe(Object.keys(c).length === 0 ? 0 : 20)
    for (const s of SEVERITIES) expect(cells[s] > 0).toBe((c[s] ?? 0) > 0)
  })

  it('a legend with the counts, the blocking severities in bold; nothing when nothing counts', () => {
    expect(severityBar(counts({ CRITICAL: 1, MEDIUM: 3 }), 'HIGH')).toBe(
      `${'🟥'.repeat(5)}${'🟨'.repeat(15)} **1 critical** · 3 medium`,
    )
    expect(severityBar(counts({ LOW: 2 }), 'NONE')).toBe(`${'🟦'.repeat(20)} 2 low`)
    expect(severityBar(counts({}), 'HIGH')).toBe('')
  })
})

describe('the most severe findings', () => {
  it('topN picks what a full sort would, without sorting everything', () => {
    let x = 7
    const rnd = (): number => (x = (x * 48271) % 2147483647) / 2147483647
    const all = Array.from({ length: 5000 }, (_, i) =>
      finding(`CVE-2024-${i % 997}`, `p${i % 13}`, {
        severity: SEVERITIES[Math.floor(rnd() * 6)] as Finding['severity'],
        ...(rnd() < 0.8 ? { score: Math.round(rnd() * 100) / 10 } : {}),
      }),
    )
    const v = evaluate(all, { threshold: 'HIGH', onlyFixable: false, ignore: [] }, '2025-01-01')
    const ids = (fs: Finding[]): string[] => fs.map((f) => `${f.severity} ${f.score} ${f.id} ${f.package}`)
    for (const n of [1, 10, 100]) {
      expect(ids(topN(v.results, n, () => true))).toEqual(ids([...all].sort(compareFindings).slice(0, n)))
      expect(ids(topN(v.results, n, (e) => e.blocking))).toEqual(
        ids(
          v.results
            .filter((e) => e.blocking)
            .map((e) => e.finding)
            .sort(compareFindings)
            .slice(0, n),
        ),
      )
    }
  })
})

describe('ignore lines', () => {
  it('a line the ignore input parses back to an entry that ignores that finding', () => {
    const f = finding('CVE-2024-0001', 'openssl')
    const line = ignoreLine(f, '2025-07-15')
    expect(line).toBe('CVE-2024-0001 until=2025-07-15 package=openssl # TODO: why this is acceptable')
    const { entries, problems } = parseIgnoreText(line ?? '')
    expect(problems).toEqual([])
    const policy = { threshold: 'HIGH' as const, onlyFixable: false, ignore: entries }
    const v = evaluate([f, finding('CVE-2024-0001', 'libssl')], policy, '2025-07-15')
    // That finding, in that package only, and until that day.
    expect(v.results.map((r) => r.disposition)).toEqual(['ignored', 'counted'])
    expect(evaluate([f], policy, '2025-07-16').results[0]?.disposition).toBe('counted')
  })

  it('no package: a line for the ID alone', () => {
    expect(ignoreLine(finding('ALAS-2024-1', ''), '2025-07-15')).toBe(
      'ALAS-2024-1 until=2025-07-15 # TODO: why this is acceptable',
    )
  })

  it.each([
    ['an ID with white space', finding('CVE-1 x', 'openssl')],
    ['an ID with a line break', finding('CVE-1\n::error::x', 'openssl')],
    ['an ID with =', finding('CVE=1', 'openssl')],
    ['a package with white space', finding('CVE-1', 'open ssl')],
    ['a package with a line break', finding('CVE-1', 'a\nb')],
  ])('%s: no line (never one that ignores something else)', (_name, f) => {
    expect(ignoreLine(f, '2025-07-15')).toBeUndefined()
  })

  it('30 days on, across months and leap days', () => {
    expect(addDays('2025-06-15', 30)).toBe('2025-07-15')
    expect(addDays('2024-02-15', 30)).toBe('2024-03-16')
    expect(addDays('2025-12-15', 30)).toBe('2026-01-14')
  })
})

describe('markdown pieces', () => {
  it('links only to plain http(s) URLs, with nothing that could end the link', () => {
    expect(safeUrl('https://nvd.nist.gov/vuln/detail/CVE-2024-1')).toBe(
      'https://nvd.nist.gov/vuln/detail/CVE-2024-1',
    )
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      'https://u:p@example.com/',
      'not a url',
      '',
    ])
      expect(safeUrl(bad)).toBe('')
    expect(safeUrl('https://e.example/a)(b|c')).toBe('https://e.example/a%29%28b%7Cc')
    expect(link('x', 'javascript:alert(1)')).toBe('x')
    expect(link('x', 'https://e.example/')).toBe('[x](https://e.example/)')
  })

  it('tables always have a header; long ones fold under <details> with an escaped summary', () => {
    expect(table(['A', 'B'], [['1', '2']], ['left', 'right'])).toEqual([
      '| A | B |',
      '|---|---:|',
      '| 1 | 2 |',
    ])
    const rows = Array.from({ length: 11 }, (_, i) => [String(i)])
    expect(foldedTable('t', ['N'], rows.slice(0, 10))[0]).toBe('| N |')
    expect(foldedTable('<b>11</b> & more', ['N'], rows)[0]).toBe(
      '<details><summary>&lt;b&gt;11&lt;/b&gt; &amp; more</summary>',
    )
    expect(details('s', ['x']).at(-1)).toBe('</details>')
  })

  it('the short image: repository and the digest cut to 12 hex digits', () => {
    const d = `sha256:${'a'.repeat(64)}`
    expect(shortImage(`123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget@${d}`)).toBe(
      `acme/widget@sha256:${'a'.repeat(12)}…`,
    )
  })

  it('what else fails the step: neutralised', () => {
    expect(alsoFailed(['The audit found <b>1</b> credential', '::error::x'])).toBe(
      '❌ **What else fails the step:**\n\n- The audit found \\<b\\>1\\</b\\> credential\n- ::error::x',
    )
  })
})
