// The gate's report writers against golden files (summary section, verdict lines, report JSON,
// SARIF), the SARIF validated against the official SARIF 2.1.0 schema (vendored in
// __tests__/fixtures/sarif), and the SARIF's agreement with the gate as tables. Pure.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import AjvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import type { Finding, PackageRef } from '../src/gate/findings.ts'
import { evaluate, type Policy } from '../src/gate/policy.ts'
import { reportJson, type GateFacts } from '../src/gate/reports.ts'
import { gateSection, skippedVerdict, unavailableSections, verdictSection } from '../src/gate/summary.ts'
import { buildSarif, securitySeverity } from '../src/gate/sarif.ts'
import { consoleUrl } from '../src/partition.ts'
import { normaliseSeverity, type Severity } from '../src/severity.ts'
import { expectGolden } from './golden.ts'
import { renderGfm } from './testbed/gfm.ts'

const AMD = `sha256:${'a'.repeat(64)}`
const ARM = `sha256:${'b'.repeat(64)}`
const REF = `123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget@${AMD}`

let n = 0
const f = (id: string, severity: string, over: Partial<Finding> = {}): Finding => {
  n += 1
  const packages: PackageRef[] = over.packages ?? [
    { name: over.package ?? 'openssl', version: over.version ?? '3.0.1', fixedIn: over.fixedIn ?? '' },
  ]
  const first = packages[0] as PackageRef
  return {
    key: `arn:aws:inspector2:us-east-1:123456789012:finding/${String(n).padStart(4, '0')}`,
    id,
    source: 'enhanced',
    severity: normaliseSeverity(severity),
    rawSeverity: severity,
    status: 'ACTIVE',
    fixAvailable: first.fixedIn ? 'YES' : 'NO',
    exploitAvailable: 'NO',
    title: `${id} - ${first.name}`,
    description: `${id} in ${first.name} lets an attacker | do things.`,
    url: '',
    imageDigest: AMD,
    platform: 'linux/amd64',
    ...over,
    package: first.name,
    version: first.version,
    fixedIn: first.fixedIn,
    packages,
  }
}

function sample(): Finding[] {
  n = 0
  return [
    f('CVE-2024-0001', 'CRITICAL', { score: 9.8, fixedIn: '3.0.9', exploitAvailable: 'YES' }),
    f('CVE-2024-0001', 'HIGH', { score: 7.5, imageDigest: ARM, platform: 'linux/arm64' }),
    f('CVE-2024-0002', 'HIGH', {
      score: 9.0,
      packages: [
        { name: 'libssl3', version: '3.0.1', fixedIn: '' },
        { name: 'libcrypto3', version: '3.0.1', fixedIn: '' },
      ],
    }),
    f('CVE-2024-0003', 'MEDIUM', { package: 'bash', version: '5.1', fixedIn: '5.2', score: 5.0 }),
    f('CVE-2024-0004', 'UNTRIAGED', { package: 'tar', version: '1.34' }),
    f('CVE-2024-0005', 'INFORMATIONAL', { package: 'zlib', version: '1.2', score: 0.0 }),
    f('CVE-2024-0006', 'CRITICAL', { package: 'glibc', version: '2.36', status: 'CLOSED' }),
    f('CVE-2024-0007', 'CRITICAL', { package: 'curl', version: '7.88', score: 9.1 }),
    f('GHSA-aaaa-bbbb-cccc', 'LOW', {
      package: 'left-pad',
      version: '1.0',
      source: 'basic',
      fixAvailable: '',
    }),
  ]
}

const policy = (over: Partial<Policy> = {}): Policy => ({
  threshold: 'HIGH',
  onlyFixable: false,
  ignore: [
    {
      id: 'CVE-2024-0007',
      reason: 'not reachable: curl is not in the runtime path',
      source: 'ignore line 1',
      until: '2999-01-01',
    },
    { id: 'CVE-2023-9999', reason: 'old', source: 'ignore line 2' },
    { id: 'CVE-2024-0003', reason: 'expired exception', source: 'ignore line 3', until: '2020-01-01' },
  ],
  ...over,
})

const facts = (p: Policy, over: Partial<GateFacts> = {}): GateFacts => ({
  imageRef: REF,
  digest: AMD,
  scanType: 'ENHANCED',
  scanStatus: 'ACTIVE',
  platforms: [
    { digest: AMD, platform: 'linux/amd64', status: 'ACTIVE', findings: 8 },
    { digest: ARM, platform: 'linux/arm64', status: 'ACTIVE', findings: 1 },
  ],
  policy: p,
  today: '2025-06-15',
  elapsedSeconds: 75,
  countsSettled: true,
  unsettled: [],
  consoleUrl: consoleUrl('us-east-1', '123456789012', 'acme/widget', AMD) as string,
  ...over,
})

const CTX = (p: Policy) => ({
  imageRef: REF,
  artifactUri: 'Dockerfile',
  toolVersion: '1.0.0',
  ignore: p.ignore,
})

const SCHEMA = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'sarif',
  'sarif-schema-2.1.0.json',
)
const validateSarif = (() => {
  // CommonJS packages: their `default` export is the class / plugin, under Node and vitest alike.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false })
  ajvFormats.default(ajv)
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object)
})()

function expectValidSarif(text: string): Record<string, unknown> {
  const doc = JSON.parse(text) as Record<string, unknown>
  const ok = validateSarif(doc)
  expect(validateSarif.errors ?? [], 'SARIF 2.1.0 schema errors').toEqual([])
  expect(ok).toBe(true)
  return doc
}

describe('golden files', () => {
  const p = policy()
  const v = evaluate(sample(), p, '2025-06-15')

  it('the summary section of a failed gate', () => {
    expectGolden('gate-section-failed.md', `${verdictSection(v, facts(p))}\n\n${gateSection(v, facts(p))}\n`)
  })

  it('the summary section when the counts had not settled', () => {
    const fx = facts(p, { countsSettled: false, unsettled: ['linux/arm64: the scan was still PENDING'] })
    expectGolden('gate-section-unsettled.md', `${verdictSection(v, fx)}\n\n${gateSection(v, fx)}\n`)
  })

  it('the summary section of a pass, only-fixable notes naming the scan type', () => {
    const clean = evaluate(
      [f('CVE-1', 'LOW', { source: 'basic', fixAvailable: '' }), f('CVE-2', 'MEDIUM', { fixAvailable: '' })],
      policy({ ignore: [], onlyFixable: true }),
      '2025-06-15',
    )
    const fx = facts(policy({ ignore: [], onlyFixable: true }), {
      platforms: [{ digest: AMD, platform: '', status: 'COMPLETE', findings: 2 }],
      scanType: 'BASIC',
      scanStatus: 'COMPLETE',
    })
    expectGolden('gate-section-passed.md', `${verdictSection(clean, fx)}\n\n${gateSection(clean, fx)}\n`)
  })

  it('the summary of a gate without trustworthy findings, and of a skipped one', () => {
    const base = {
      imageRef: REF,
      consoleUrl: facts(p).consoleUrl as string,
      scanType: 'ENHANCED',
      elapsedSeconds: 900,
      platforms: facts(p).platforms,
    }
    const timeout = unavailableSections({
      ...base,
      status: 'TIMEOUT',
      message: 'No trustworthy findings after 900 s: the scan was still PENDING.',
      failed: true,
    })
    const unsupported = unavailableSections({
      ...base,
      platforms: [],
      status: 'UNSUPPORTED_IMAGE',
      message: 'ECR cannot scan this image.',
      failed: false,
    })
    expectGolden(
      'gate-section-unavailable.md',
      [
        timeout.verdict,
        timeout.gate,
        unsupported.verdict,
        unsupported.gate,
        skippedVerdict(REF, base.consoleUrl),
        '',
      ].join('\n\n'),
    )
  })

  it('the report JSON', () => {
    const text = reportJson(v, facts(p), 'failed', '')
    JSON.parse(text)
    expectGolden('report.json', text)
  })

  it('the report JSON without findings', () => {
    const text = reportJson(
      undefined,
      facts(p, { countsSettled: false }),
      'unavailable',
      'ECR cannot scan this image.',
    )
    expectGolden('report-unavailable.json', text)
  })

  it('the SARIF, valid against the SARIF 2.1.0 schema', () => {
    const text = buildSarif(v, CTX(p))
    const doc = expectValidSarif(text)
    expectGolden('ecr-scan.sarif.json', `${JSON.stringify(doc, null, 2)}\n`)
  })

  it('an empty SARIF is valid too', () => {
    expectValidSarif(buildSarif(evaluate([], policy(), '2025-06-15'), CTX(policy())))
  })
})

interface SarifDoc {
  runs: {
    tool: {
      driver: {
        rules: { id: string; properties: Record<string, string>; defaultConfiguration: { level: string } }[]
      }
    }
    results: {
      ruleId: string
      ruleIndex: number
      level: string
      suppressions?: { justification: string }[]
      message: { text: string }
    }[]
  }[]
}

describe('SARIF agrees with the gate', () => {
  const p = policy()
  const doc = JSON.parse(buildSarif(evaluate(sample(), p, '2025-06-15'), CTX(p))) as SarifDoc
  const run = doc.runs[0] as SarifDoc['runs'][number]
  const rule = (id: string) => run.tool.driver.rules.find((r) => r.id === id)

  it.each<[Severity, number | undefined, string]>([
    ['CRITICAL', 9.8, '9.8'],
    ['CRITICAL', 9.0, '9.1'],
    ['CRITICAL', 5.0, '9.1'],
    ['CRITICAL', undefined, '9.5'],
    ['HIGH', 9.8, '8.9'],
    ['HIGH', 7.5, '7.5'],
    ['MEDIUM', undefined, '5.5'],
    ['LOW', 0, '0.1'],
    ['INFORMATIONAL', 0, '0.1'],
    ['INFORMATIONAL', undefined, '0.5'],
    ['UNDEFINED', undefined, '0.5'],
    ['UNDEFINED', 7.5, '1.0'],
  ])('%s with score %s: security-severity %s, in its GitHub band', (sev, score, expected) => {
    expect(securitySeverity(sev, score)).toBe(expected)
    expect(Number(expected)).toBeGreaterThan(0)
  })

  it('a rule takes the highest counted severity of its vulnerability, across platforms', () => {
    expect(rule('CVE-2024-0001')?.properties['security-severity']).toBe('9.8')
    expect(rule('CVE-2024-0001')?.defaultConfiguration.level).toBe('error')
    // HIGH with a CVSS of 9.0: the gate says HIGH, so does the band.
    expect(rule('CVE-2024-0002')?.properties['security-severity']).toBe('8.9')
    expect(rule('CVE-2024-0004')?.properties['security-severity']).toBe('0.5')
  })

  it('one result per vulnerability and package set; the platforms of an index merged', () => {
    const r1 = run.results.filter((r) => r.ruleId === 'CVE-2024-0001')
    expect(r1).toHaveLength(1)
    expect(r1[0]?.message.text).toBe(
      'CVE-2024-0001 (CRITICAL) in openssl 3.0.1; fixed in 3.0.9 (linux/amd64, linux/arm64)',
    )
    expect(run.results.find((r) => r.ruleId === 'CVE-2024-0002')?.message.text).toContain(
      'libssl3 3.0.1, libcrypto3 3.0.1',
    )
  })

  it("ignored findings are suppressed results with the entry's reason; inactive ones are left out", () => {
    const ignored = run.results.filter((r) => r.suppressions !== undefined)
    expect(ignored.map((r) => r.ruleId)).toEqual(['CVE-2024-0007'])
    expect(ignored[0]?.suppressions?.[0]?.justification).toBe(
      'not reachable: curl is not in the runtime path (until 2999-01-01)',
    )
    expect(run.results.some((r) => r.ruleId === 'CVE-2024-0006')).toBe(false)
    // The expired entry ignores nothing: its finding is an ordinary result.
    expect(run.results.find((r) => r.ruleId === 'CVE-2024-0003')?.suppressions).toBeUndefined()
  })

  it('every result points at its rule', () => {
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId)
  })

  it('results point at the dockerfile input; no automationDetails, so the upload step’s category decides', () => {
    const text = buildSarif(evaluate(sample(), p, '2025-06-15'), {
      ...CTX(p),
      artifactUri: 'docker/app/Dockerfile',
    })
    const d = JSON.parse(text) as {
      runs: {
        automationDetails?: unknown
        results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[]
      }[]
    }
    expect(d.runs[0]?.automationDetails).toBeUndefined()
    const uris = new Set(d.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri))
    expect([...uris]).toEqual(['docker/app/Dockerfile'])
  })

  it('help.markdown says what fixes it: each package’s fixed version, the advisory', () => {
    const help = (id: string): { text: string; markdown: string } =>
      (
        run.tool.driver.rules.find((r) => r.id === id) as unknown as {
          help: { text: string; markdown: string }
        }
      ).help
    // openssl 3.0.1 has a fix on amd64 (3.0.9): the rule says so, for both platforms' results.
    expect(help('CVE-2024-0001').markdown).toContain('- Upgrade `openssl` `3.0.1` to `3.0.9` or later.')
    expect(help('CVE-2024-0001').markdown).toContain('Rebuild the image')
    expect(help('CVE-2024-0001').markdown).toContain(
      'Advisory: [nvd.nist.gov](https://nvd.nist.gov/vuln/detail/CVE-2024-0001)',
    )
    expect(help('CVE-2024-0001').text).toContain('Upgrade openssl 3.0.1 to 3.0.9 or later.')
    // Two packages, no fix: each named, and what to do without one.
    const none = help('CVE-2024-0002').markdown
    expect(none).toContain(
      '- `libssl3` `3.0.1`: no fixed version is known yet.\n- `libcrypto3` `3.0.1`: no fixed version is known yet.',
    )
    expect(none).toContain('Without a fixed version:')
    expect(help('GHSA-aaaa-bbbb-cccc').markdown).toContain(
      '[github.com](https://github.com/advisories/GHSA-aaaa-bbbb-cccc)',
    )
  })

  it('help.markdown renders scanner text as text: no HTML, no links it did not make', () => {
    const evil = f('CVE-2024-0666', 'CRITICAL', {
      description: '<img src=x onerror=alert(1)> **bold** [click](https://evil.example) @octocat',
      url: 'javascript:alert(1)',
      package: 'pkg`|`x',
      fixedIn: '2.0<script>',
    })
    const d = JSON.parse(buildSarif(evaluate([evil], policy({ ignore: [] }), '2025-06-15'), CTX(p))) as {
      runs: { tool: { driver: { rules: { helpUri?: string; help: { markdown: string } }[] } } }[]
    }
    const rule = d.runs[0]?.tool.driver.rules[0]
    expect(rule?.helpUri).toBeUndefined()
    const html = renderGfm(rule?.help.markdown ?? '')
    expect(html).not.toMatch(/<img|<script|<a /)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; **bold** [click](https:')
    expect(html).toContain('<code>pkg`|`x</code>')
  })
})
