// The gate's policy as tables: ignore parsing (line form and YAML), severities, only-fixable,
// expiry with an injected date, package scoping; and the pure scan-mode decision.
import { describe, expect, it } from 'vitest'
import type { Finding } from '../src/gate/findings.ts'
import { fromBasic, fromEnhanced, fingerprint, isCountedStatus } from '../src/gate/findings.ts'
import { normaliseSeverity } from '../src/severity.ts'
import { decideScanMode } from '../src/gate/mode.ts'
import { filterMatches } from '../src/scanning.ts'
import { parse as parseYaml } from 'yaml'
import {
  blockingIn,
  evaluate,
  parseIgnoreFile as parseIgnoreFileWith,
  parseIgnoreText,
  type Policy,
} from '../src/gate/policy.ts'

const parseIgnoreFile = (text: string) => parseIgnoreFileWith(text, 'ignore-file', parseYaml)

const f = (id: string, severity: string, over: Partial<Finding> = {}): Finding => ({
  key: `${id}|${over.package ?? 'openssl'}`,
  id,
  source: 'enhanced',
  severity: normaliseSeverity(severity),
  rawSeverity: severity,
  status: 'ACTIVE',
  package: 'openssl',
  version: '1.0',
  fixedIn: '',
  packages: [
    { name: over.package ?? 'openssl', version: over.version ?? '1.0', fixedIn: over.fixedIn ?? '' },
  ],
  fixAvailable: 'NO',
  exploitAvailable: 'NO',
  title: id,
  description: '',
  url: '',
  imageDigest: 'sha256:a',
  platform: '',
  ...over,
})

const policy = (over: Partial<Policy> = {}): Policy => ({
  threshold: 'HIGH',
  onlyFixable: false,
  ignore: [],
  ...over,
})
const TODAY = '2025-06-15'

describe('parseIgnoreText', () => {
  it.each([
    ['CVE-2024-1', { id: 'CVE-2024-1', reason: '' }],
    ['CVE-2024-1 # accepted risk', { id: 'CVE-2024-1', reason: 'accepted risk' }],
    ['  GHSA-abcd-efgh-ijkl until=2025-12-31  ', { id: 'GHSA-abcd-efgh-ijkl', until: '2025-12-31' }],
    [
      'CVE-2024-2 package=openssl until=2025-01-01 # no fix # really',
      { id: 'CVE-2024-2', package: 'openssl', until: '2025-01-01', reason: 'no fix # really' },
    ],
    ['RHSA-2023:1234', { id: 'RHSA-2023:1234' }],
  ])('%s', (line, expected) => {
    const r = parseIgnoreText(line)
    expect(r.problems).toEqual([])
    expect(r.entries).toHaveLength(1)
    expect(r.entries[0]).toMatchObject(expected)
  })

  it('skips blanks and comments', () => {
    expect(parseIgnoreText('\n# a comment\n   \n').entries).toEqual([])
  })

  it.each([
    ['CVE-1 until=2025-02-30', "'2025-02-30' is not a date"],
    ['CVE-1 until=tomorrow', 'is not a date'],
    ['CVE-1 expires=2025-01-01', "unexpected 'expires=2025-01-01'"],
    ['CVE-1 openssl', "unexpected 'openssl'"],
    ['until=2025-01-01', 'is not a vulnerability ID'],
  ])('rejects %s', (line, problem) => {
    const r = parseIgnoreText(`CVE-OK\n${line}`)
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]).toContain("Invalid input 'ignore' (line 2)")
    expect(r.problems[0]).toContain(problem)
    expect(r.problems[0]).toContain('Expected')
  })
})

describe('parseIgnoreFile', () => {
  it('reads the line form', () => {
    const r = parseIgnoreFile('# header\nCVE-1 until=2025-01-01 # why\nCVE-2\n')
    expect(r.entries.map((e) => e.id)).toEqual(['CVE-1', 'CVE-2'])
    expect(r.entries[0]?.source).toBe('ignore-file line 2')
  })

  it('reads a YAML list of mappings and of lines', () => {
    const r = parseIgnoreFile(
      '# accepted\n- id: CVE-2024-1\n  until: 2025-12-31\n  package: openssl\n  reason: vendor says not reachable\n- "CVE-2024-2 until=2026-01-01 # inline"\n',
    )
    expect(r.problems).toEqual([])
    expect(r.entries).toEqual([
      {
        id: 'CVE-2024-1',
        until: '2025-12-31',
        package: 'openssl',
        reason: 'vendor says not reachable',
        source: 'ignore-file item 1',
      },
      { id: 'CVE-2024-2', until: '2026-01-01', reason: 'inline', source: 'ignore-file item 2' },
    ])
  })

  it.each([
    ['- id: CVE-1\n  until: 2025-13-01\n', "until '2025-13-01' is not a date"],
    ['- id: CVE-1\n  expires: 2025-01-01\n', 'unknown key expires'],
    ['- reason: x\n', "missing 'id'"],
    ['- [a, b]\n', 'not a mapping'],
    ['- id: CVE-1\n  - broken: [\n', 'not valid YAML'],
  ])('rejects %j', (text, problem) => {
    const r = parseIgnoreFile(text)
    expect(r.problems.join('\n')).toContain(problem)
    expect(r.problems[0]).toContain("Invalid input 'ignore-file'")
  })
})

describe('evaluate', () => {
  const findings = [
    f('CVE-C', 'CRITICAL', { score: 9.8, fixAvailable: 'YES', fixedIn: '1.1' }),
    f('CVE-H', 'HIGH', { package: 'zlib', score: 7.5 }),
    f('CVE-M', 'MEDIUM', { fixAvailable: 'PARTIAL' }),
    f('CVE-U', 'UNTRIAGED'),
    f('CVE-S', 'CRITICAL', { status: 'SUPPRESSED' }),
    f('CVE-CL', 'HIGH', { status: 'CLOSED' }),
  ]

  it.each<
    [
      string,
      Partial<Policy>,
      { failed: boolean; total: number; ignored: number; highest: string; blocking: number },
    ]
  >([
    [
      'HIGH fails on critical and high',
      {},
      { failed: true, total: 4, ignored: 0, highest: 'CRITICAL', blocking: 2 },
    ],
    [
      'CRITICAL fails on critical',
      { threshold: 'CRITICAL' },
      { failed: true, total: 4, ignored: 0, highest: 'CRITICAL', blocking: 1 },
    ],
    [
      'NONE never fails',
      { threshold: 'NONE' },
      { failed: false, total: 4, ignored: 0, highest: 'CRITICAL', blocking: 0 },
    ],
    [
      'UNDEFINED counts anything',
      { threshold: 'UNDEFINED' },
      { failed: true, total: 4, ignored: 0, highest: 'CRITICAL', blocking: 4 },
    ],
    [
      'CRITICAL passes with the critical one ignored',
      { threshold: 'CRITICAL', ignore: [{ id: 'cve-c', reason: 'r', source: 's' }] },
      { failed: false, total: 3, ignored: 1, highest: 'HIGH', blocking: 0 },
    ],
    [
      'an expired entry no longer ignores',
      { threshold: 'CRITICAL', ignore: [{ id: 'CVE-C', until: '2025-06-14', reason: 'r', source: 's' }] },
      { failed: true, total: 4, ignored: 0, highest: 'CRITICAL', blocking: 1 },
    ],
    [
      'an entry is valid through its until day',
      { threshold: 'CRITICAL', ignore: [{ id: 'CVE-C', until: '2025-06-15', reason: 'r', source: 's' }] },
      { failed: false, total: 3, ignored: 1, highest: 'HIGH', blocking: 0 },
    ],
    [
      'package= scopes the entry',
      { ignore: [{ id: 'CVE-H', package: 'openssl', reason: '', source: 's' }] },
      { failed: true, total: 4, ignored: 0, highest: 'CRITICAL', blocking: 2 },
    ],
    [
      'package= that matches ignores',
      { ignore: [{ id: 'CVE-H', package: 'ZLIB', reason: '', source: 's' }] },
      { failed: true, total: 3, ignored: 1, highest: 'CRITICAL', blocking: 1 },
    ],
    [
      'only-fixable keeps YES and PARTIAL',
      { onlyFixable: true },
      { failed: true, total: 2, ignored: 0, highest: 'CRITICAL', blocking: 1 },
    ],
    [
      'only-fixable and the fixable critical ignored passes at HIGH',
      { onlyFixable: true, ignore: [{ id: 'CVE-C', reason: '', source: 's' }] },
      { failed: false, total: 1, ignored: 1, highest: 'MEDIUM', blocking: 0 },
    ],
  ])('%s', (_n, over, expected) => {
    const v = evaluate(findings, policy(over), TODAY)
    expect({
      failed: v.failed,
      total: v.total,
      ignored: v.ignored,
      highest: v.highest,
      blocking: v.blocking,
    }).toEqual(expected)
  })

  it('unknown severities count as UNDEFINED, inactive findings are not counted', () => {
    const v = evaluate(findings, policy(), TODAY)
    expect(v.counts).toEqual({ CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 1 })
    expect(v.results.filter((r) => r.disposition === 'inactive')).toHaveLength(2)
  })

  it('reports expired and unused entries, and which entry ignored what', () => {
    const ignore = [
      { id: 'CVE-OLD', until: '2020-01-01', reason: '', source: 'a' },
      { id: 'CVE-NOPE', reason: '', source: 'b' },
      { id: 'CVE-M', reason: 'fine', source: 'c' },
    ]
    const v = evaluate(findings, policy({ ignore }), TODAY)
    expect(v.expired.map((e) => e.id)).toEqual(['CVE-OLD'])
    expect(v.unused.map((e) => e.id)).toEqual(['CVE-NOPE'])
    expect(v.matches).toEqual([0, 0, 1])
    expect(v.results.find((r) => r.finding.id === 'CVE-M')).toMatchObject({
      disposition: 'ignored',
      ignoredBy: 2,
    })
  })

  it('basic findings (fix unknown) are still counted under only-fixable', () => {
    const basic = f('CVE-B', 'HIGH', { source: 'basic', fixAvailable: '' })
    const v = evaluate([basic], policy({ onlyFixable: true }), TODAY)
    expect(v.failed).toBe(true)
    expect(v.fixUnknown).toBe(1)
  })
})

describe('normalisation', () => {
  it('reads basic attributes and enhanced packages', () => {
    const b = fromBasic(
      {
        name: 'CVE-1',
        severity: 'HIGH',
        uri: 'u',
        attributes: [
          { key: 'package_name', value: 'zlib' },
          { key: 'package_version', value: '1.2' },
          { key: 'CVSS2_SCORE', value: '7.5' },
        ],
      },
      { imageDigest: 'sha256:a', platform: '' },
    )
    expect(b).toMatchObject({
      id: 'CVE-1',
      package: 'zlib',
      version: '1.2',
      score: 7.5,
      key: 'CVE-1|zlib|1.2',
      severity: 'HIGH',
    })
    const e = fromEnhanced(
      {
        findingArn: 'arn:x',
        severity: 'UNTRIAGED',
        status: 'ACTIVE',
        fixAvailable: 'YES',
        packageVulnerabilityDetails: {
          vulnerabilityId: 'CVE-2',
          vulnerablePackages: [
            { name: 'a', version: '1', fixedInVersion: '2' },
            { name: 'b', version: '1', fixedInVersion: 'NotAvailable' },
          ],
        },
      },
      { imageDigest: 'sha256:a', platform: 'linux/arm64' },
    )
    // One finding per findingArn, as ECR and Inspector count them; every package kept.
    expect(e).toMatchObject({
      key: 'arn:x',
      severity: 'UNDEFINED',
      rawSeverity: 'UNTRIAGED',
      package: 'a',
      fixedIn: '2',
    })
    expect(e.packages).toEqual([
      { name: 'a', version: '1', fixedIn: '2' },
      { name: 'b', version: '1', fixedIn: '' },
    ])
  })

  it('fingerprints ignore order but see a new finding or a severity change', () => {
    const a = f('A', 'HIGH')
    const b = f('B', 'LOW', { key: 'B' })
    expect(fingerprint([a, b])).toBe(fingerprint([b, a]))
    expect(fingerprint([a])).not.toBe(fingerprint([a, b]))
    expect(fingerprint([a, b])).not.toBe(fingerprint([a, { ...b, severity: 'HIGH' }]))
  })
})

describe('what counts', () => {
  it.each([
    ['ACTIVE', true],
    ['active', true],
    ['', true],
    ['  ', true],
    ['UNKNOWN_NEW', true],
    ['SUPPRESSED', false],
    ['suppressed', false],
    ['Closed', false],
    [' CLOSED ', false],
  ])('enhanced status %j counts: %s', (status, counts) => {
    expect(isCountedStatus(status)).toBe(counts)
    const v = evaluate([f('CVE-X', 'CRITICAL', { status })], policy(), TODAY)
    expect(v.failed).toBe(counts)
    expect(v.results[0]?.disposition).toBe(counts ? 'counted' : 'inactive')
  })

  it('a missing status counts (normalised from the SDK shape)', () => {
    const e = fromEnhanced(
      { findingArn: 'arn:y', severity: 'HIGH', packageVulnerabilityDetails: { vulnerabilityId: 'CVE-9' } },
      { imageDigest: 'sha256:a', platform: '' },
    )
    expect(e.status).toBe('')
    expect(evaluate([e], policy(), TODAY)).toMatchObject({ failed: true, total: 1 })
  })

  it('one finding with three packages counts once; package= matches any of them', () => {
    const multi = f('CVE-M3', 'HIGH', {
      packages: [
        { name: 'libssl3', version: '3.0', fixedIn: '' },
        { name: 'openssl', version: '3.0', fixedIn: '' },
        { name: 'libcrypto', version: '3.0', fixedIn: '' },
      ],
      package: 'libssl3',
    })
    expect(evaluate([multi], policy(), TODAY)).toMatchObject({ total: 1, blocking: 1 })
    const ignored = evaluate(
      [multi],
      policy({ ignore: [{ id: 'CVE-M3', package: 'LIBCRYPTO', reason: 'r', source: 's' }] }),
      TODAY,
    )
    expect(ignored).toMatchObject({ total: 0, ignored: 1, failed: false })
    const other = evaluate(
      [multi],
      policy({ ignore: [{ id: 'CVE-M3', package: 'zlib', reason: 'r', source: 's' }] }),
      TODAY,
    )
    expect(other).toMatchObject({ total: 1, ignored: 0, failed: true })
  })

  it('blockingIn agrees with evaluate and names the worst', () => {
    const findings = [
      f('CVE-L', 'LOW'),
      f('CVE-H', 'HIGH', { package: 'zlib' }),
      f('CVE-C', 'CRITICAL'),
      f('CVE-S', 'CRITICAL', { status: 'SUPPRESSED' }),
    ]
    for (const p of [
      policy(),
      policy({ threshold: 'CRITICAL' }),
      policy({ threshold: 'NONE' }),
      policy({ ignore: [{ id: 'CVE-C', reason: '', source: 's' }] }),
    ]) {
      const b = blockingIn(findings, p, TODAY)
      expect(b.count).toBe(evaluate(findings, p, TODAY).blocking)
    }
    expect(blockingIn(findings, policy(), TODAY).first?.id).toBe('CVE-C')
  })

  it('only-fixable: the fix-unknown count says which scanner left it open', () => {
    const v = evaluate(
      [
        f('CVE-B', 'HIGH', { source: 'basic', fixAvailable: '' }),
        f('CVE-E', 'HIGH', { fixAvailable: '' }),
        f('CVE-Y', 'HIGH', { fixAvailable: 'YES' }),
      ],
      policy({ onlyFixable: true }),
      TODAY,
    )
    expect(v).toMatchObject({ total: 3, fixUnknown: 2, fixUnknownBasic: 1, fixUnknownEnhanced: 1 })
  })
})

describe('decideScanMode', () => {
  const enhanced = (filters: string[], freq = 'CONTINUOUS_SCAN') => ({
    scanType: 'ENHANCED',
    rules: [
      {
        scanFrequency: freq,
        repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' })),
      },
    ],
  })
  it.each<[string, Parameters<typeof decideScanMode>, string, object?]>([
    [
      'basic on push',
      [
        { scanType: 'BASIC', rules: [] },
        { scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] },
        'acme/widget',
        'us-east-1',
        undefined,
      ],
      'basic',
      { scanOnPush: true },
    ],
    [
      'basic manual',
      [
        { scanType: 'BASIC', rules: [] },
        { scanOnPush: false, scanFrequency: 'MANUAL', appliedScanFilters: [] },
        'acme/widget',
        'us-east-1',
        undefined,
      ],
      'basic',
      { scanOnPush: false },
    ],
    [
      'basic, repo config denied: repository flag',
      [{ scanType: 'BASIC', rules: [] }, undefined, 'acme/widget', 'us-east-1', true],
      'basic',
      { scanOnPush: true },
    ],
    [
      'enhanced continuous',
      [
        enhanced(['acme/*']),
        {
          scanOnPush: false,
          scanFrequency: 'CONTINUOUS_SCAN',
          appliedScanFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
        },
        'acme/widget',
        'us-east-1',
        undefined,
      ],
      'enhanced',
      { frequency: 'CONTINUOUS_SCAN' },
    ],
    [
      'enhanced by rules when the batch call failed',
      [enhanced(['acme/*'], 'SCAN_ON_PUSH'), undefined, 'acme/widget', 'us-east-1', undefined],
      'enhanced',
      { frequency: 'SCAN_ON_PUSH' },
    ],
    [
      'enhanced, not covered',
      [
        enhanced(['other/*']),
        { scanOnPush: false, scanFrequency: 'MANUAL', appliedScanFilters: [] },
        'acme/widget',
        'us-east-1',
        undefined,
      ],
      'not-covered',
    ],
    ['registry config unreadable', [undefined, undefined, 'acme/widget', 'us-east-1', true], 'unknown'],
  ])('%s', (_n, args, kind, extra) => {
    const m = decideScanMode(...args)
    expect(m.kind).toBe(kind)
    if (extra) expect(m).toMatchObject(extra)
  })

  it('not covered says the command that fixes it, keeping the other rules', () => {
    const m = decideScanMode(enhanced(['other/*']), undefined, 'acme/widget', 'eu-west-1', undefined)
    expect(m.kind).toBe('not-covered')
    const msg = (m as { message: string }).message
    expect(msg).toContain('aws ecr put-registry-scanning-configuration --scan-type ENHANCED')
    expect(msg).toContain(
      '{"filter":"other/*","filterType":"WILDCARD"},{"filter":"acme/widget","filterType":"WILDCARD"}',
    )
    expect(msg).toContain('--region eu-west-1')
  })

  it.each([
    ['acme/*', 'acme/widget', true],
    ['*', 'x', true],
    ['acme/widget', 'acme/widget', true],
    ['acme', 'acme/widget', false],
    ['a.c', 'abc', false],
  ])('filter %s matches %s: %s', (filter, repo, yes) => {
    expect(filterMatches(filter, repo)).toBe(yes)
  })
})

describe('prepareGate', () => {
  it('reports every bad ignore entry and an unreadable ignore-file before any network call', async () => {
    const { prepareGate } = await import('../src/gate/index.ts')
    const { InputError } = await import('../src/errors.ts')
    const inputs = {
      waitForScan: true,
      severityThreshold: 'HIGH',
      onlyFixable: false,
      ignore: 'CVE-1 until=2025-99-01\nCVE-2 bogus',
      ignoreFile: '/nonexistent/ignore.yml',
    }
    const err = await prepareGate({ inputs: inputs as never, env: {} }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    const problems = (err as InstanceType<typeof InputError>).problems
    expect(problems).toHaveLength(3)
    expect(problems[2]).toContain("Invalid input 'ignore-file': cannot read /nonexistent/ignore.yml (ENOENT)")
  })
})
