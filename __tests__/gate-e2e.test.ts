// The scan gate end to end: the bundled action (ACTION_DIST or dist/) run as the runner runs it,
// docker pushing to the real registry, the emulator answering ECR with scan scenarios. Real time:
// a pass needs the 60 s fill-in floor, so most cases here fail (fast); the slow ones (the one pass,
// budgets running out) run side by side, each in a repository of its own.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushPermissions, type RepositoryRecord } from './testbed/emulator/index.ts'
import {
  enhancedFinding,
  basicFinding,
  setRegistryScanning,
  setScanScenario,
  type ScanScenario,
} from './testbed/emulator/ecr/scan.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'
import type { RunResult } from './testbed/runner.ts'
import { indexPushingDocker, type IndexChild } from './testbed/index-docker.ts'

let tb: Testbed
let repo: RepositoryRecord

const CRIT = enhancedFinding({
  id: 'CVE-2024-0001',
  severity: 'CRITICAL',
  package: 'openssl',
  version: '3.0.1',
  fixedIn: '3.0.9',
  score: 9.8,
  exploitAvailable: 'YES',
})
const HIGH1 = enhancedFinding({
  id: 'CVE-2024-0002',
  severity: 'HIGH',
  package: 'zlib',
  version: '1.2.11',
  score: 7.5,
})
const HIGH2 = enhancedFinding({
  id: 'CVE-2024-0003',
  severity: 'HIGH',
  package: 'curl',
  version: '7.88',
  fixedIn: '8.0',
  score: 8.1,
})
const MED = enhancedFinding({
  id: 'CVE-2024-0004',
  severity: 'MEDIUM',
  package: 'bash',
  version: '5.1',
  fixedIn: '5.2',
  score: 5.0,
})
const UNTRIAGED = enhancedFinding({
  id: 'CVE-2024-0005',
  severity: 'UNTRIAGED',
  package: 'tar',
  version: '1.34',
})
const CLOSED = enhancedFinding({
  id: 'CVE-2024-0006',
  severity: 'CRITICAL',
  package: 'glibc',
  version: '2.36',
  status: 'CLOSED',
})
const FIVE = [CRIT, HIGH1, HIGH2, MED, UNTRIAGED, CLOSED]

function continuous(filter = 'acme/*'): void {
  setRegistryScanning(tb.emulator, {
    scanType: 'ENHANCED',
    rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter, filterType: 'WILDCARD' }] }],
  })
}

async function gate(
  scenario: ScanScenario,
  inputs: Record<string, string> = {},
  target: RepositoryRecord = repo,
  env: Record<string, string> = {},
): Promise<RunResult> {
  setScanScenario(target, scenario)
  const image = await tb.image()
  return tb.run({
    env,
    inputs: {
      image,
      repository: target.name,
      'wait-for-scan': 'true',
      'scan-timeout-seconds': '90',
      'scan-settle-seconds': '2',
      ...inputs,
    },
  })
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

/** A platform image put straight into the registry (config + one layer), untagged. */
async function platformImage(repository: string, arch: string): Promise<IndexChild> {
  const config = await tb.backend.putBlob(
    repository,
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      n: Math.random(),
    }),
  )
  const layer = await tb.backend.putBlob(repository, `layer ${arch} ${Math.random()}`)
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: config.digest,
      size: config.size,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size },
    ],
  }
  const digest = await tb.backend.putManifest(repository, undefined, manifest, OCI_MANIFEST)
  return { digest, size: Buffer.byteLength(JSON.stringify(manifest)), mediaType: OCI_MANIFEST }
}

/** A repository of its own, for a test that runs beside others. */
const own = (name: string): RepositoryRecord => tb.emulator.createRepository({ name: `acme/${name}` })

const counts = (r: RunResult) => JSON.parse(r.outputs.findings ?? 'null') as Record<string, number>

beforeAll(async () => {
  tb = await startTestbed({
    permissions: [
      ...pushPermissions('123456789012', 'acme/*', { scanDiscovery: true, governance: true }),
      {
        effect: 'Allow',
        action: 'ecr:StartImageScan',
        resource: 'arn:aws:ecr:*:123456789012:repository/acme/*',
      },
    ],
  })
  repo = tb.emulator.state.repositories.find((r) => r.name === tb.repository) as RepositoryRecord
})

afterAll(async () => {
  expect(tb?.emulator.internalErrors ?? []).toEqual([])
  await tb?.close()
})

describe('scan gate end to end', () => {
  let failedRun: RunResult

  it('enhanced findings fail at HIGH: outputs, summary, annotations, SARIF and report agree', async () => {
    continuous()
    const r = await gate({ enhancedFindings: FIVE })
    failedRun = r
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({
      'scan-type': 'ENHANCED',
      'scan-status': 'ACTIVE',
      gate: 'failed',
      'findings-critical': '1',
      'findings-high': '2',
      'findings-medium': '1',
      'findings-low': '0',
      'findings-informational': '0',
      'findings-undefined': '1',
      'findings-total': '5',
      'findings-ignored': '0',
      'highest-severity': 'CRITICAL',
    })
    expect(counts(r)).toEqual({ CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 1 })
    // Verdict first in the summary, then the push section, then the gate section.
    expect(r.summary.indexOf('Scan gate failed')).toBeLessThan(r.summary.indexOf('### Pushed'))
    expect(r.summary).toContain('[CVE-2024-0001](https://nvd.nist.gov/vuln/detail/CVE-2024-0001)')
    expect(r.summary).toMatch(/\| CRITICAL 9\.8 \| `openssl` \| `3\.0\.1` → `3\.0\.9` \| YES \| YES \|/)
    expect(r.summary.indexOf('CVE-2024-0001')).toBeLessThan(r.summary.indexOf('CVE-2024-0003'))
    expect(r.summary.indexOf('CVE-2024-0003')).toBeLessThan(r.summary.indexOf('CVE-2024-0002'))
    // One ::error per blocking finding (3) plus the step's failure.
    expect(r.errors.filter((e) => /^(CRITICAL|HIGH) CVE-/.test(e))).toHaveLength(3)
    const sarif = JSON.parse(fs.readFileSync(r.outputs['sarif-file'] as string, 'utf8'))
    expect(sarif.version).toBe('2.1.0')
    const results = sarif.runs[0].results as {
      ruleId: string
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[]
    }[]
    expect(results.map((x) => x.ruleId).sort()).toEqual([
      'CVE-2024-0001',
      'CVE-2024-0002',
      'CVE-2024-0003',
      'CVE-2024-0004',
      'CVE-2024-0005',
    ])
    expect(results.every((x) => x.locations[0]?.physicalLocation.artifactLocation.uri === 'Dockerfile')).toBe(
      true,
    )
    // The runner's workspace holds no Dockerfile: said, once, before any wait.
    expect(r.warnings.filter((w) => w.includes('without a file location'))).toEqual([
      expect.stringContaining("dockerfile 'Dockerfile' is not a file in the workspace"),
    ])
    // No automationDetails: the upload step's `category` decides (see sarif.ts).
    expect(sarif.runs[0].automationDetails).toBeUndefined()
    const rules = sarif.runs[0].tool.driver.rules as {
      id: string
      helpUri?: string
      properties: Record<string, string>
    }[]
    expect(rules.find((x) => x.id === 'CVE-2024-0001')?.properties['security-severity']).toBe('9.8')
    // UNTRIAGED counts as UNDEFINED: a valid value at the bottom of GitHub's low band, never 0.0.
    expect(rules.find((x) => x.id === 'CVE-2024-0005')?.properties['security-severity']).toBe('0.5')
    const report = JSON.parse(fs.readFileSync(r.outputs['report-file'] as string, 'utf8'))
    expect(report.findings).toHaveLength(6)
    expect(report.findings.find((f: { id: string }) => f.id === 'CVE-2024-0006')).toMatchObject({
      disposition: 'inactive',
      counted: false,
    })
  })

  it('SARIF results point at the dockerfile input, a path in the repository; no warning when it is there', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-e2e-ws-'))
    try {
      fs.mkdirSync(path.join(workspace, 'docker', 'app'), { recursive: true })
      fs.writeFileSync(path.join(workspace, 'docker', 'app', 'Dockerfile'), 'FROM scratch\n')
      const r = await gate(
        { enhancedFindings: [CRIT] },
        { dockerfile: './docker/app/Dockerfile', audit: 'false' },
        own('sarif-dockerfile'),
        { GITHUB_WORKSPACE: workspace },
      )
      expect(r.code, r.log).toBe(1)
      expect(r.warnings.filter((w) => w.includes('without a file location'))).toEqual([])
      const sarif = JSON.parse(fs.readFileSync(r.outputs['sarif-file'] as string, 'utf8'))
      const uris = (
        sarif.runs[0].results as {
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[]
        }[]
      ).map((x) => x.locations[0]?.physicalLocation.artifactLocation.uri)
      expect(uris).toEqual(['docker/app/Dockerfile'])
      const rule = sarif.runs[0].tool.driver.rules[0] as { help: { markdown: string } }
      expect(rule.help.markdown).toContain('- Upgrade `openssl` `3.0.1` to `3.0.9` or later.')
      expect(rule.help.markdown).toContain(
        'Advisory: [nvd.nist.gov](https://nvd.nist.gov/vuln/detail/CVE-2024-0001)',
      )
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true })
    }
  })

  it('the critical one ignored, a HIGH still blocks: ignore reasons, notices and the report agree', async () => {
    continuous()
    const r = await gate(
      { enhancedFindings: FIVE },
      { ignore: 'CVE-2024-0001 until=2999-01-01 # vendor backport\nCVE-1999-9999 # gone' },
    )
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({
      gate: 'failed',
      'findings-critical': '0',
      'findings-high': '2',
      'findings-ignored': '1',
      'findings-total': '4',
      'highest-severity': 'HIGH',
    })
    expect(r.summary).toContain('vendor backport')
    expect(r.summary).toContain('2999-01-01')
    expect(r.notices.join('\n')).toContain('CVE-1999-9999')
    const report = JSON.parse(fs.readFileSync(r.outputs['report-file'] as string, 'utf8'))
    expect(report.findings.find((f: { id: string }) => f.id === 'CVE-2024-0001').ignoredBy).toMatchObject({
      id: 'CVE-2024-0001',
      reason: 'vendor backport',
    })
  })

  it('an expired ignore entry warns and no longer ignores', async () => {
    continuous()
    const dir = fs.mkdtempSync('/tmp/gate-ignore-')
    fs.writeFileSync(
      `${dir}/ignore.yml`,
      '- id: CVE-2024-0001\n  until: 2020-01-01\n  reason: old exception\n',
    )
    // An input file must be in the workspace.
    const r = await gate(
      { enhancedFindings: FIVE },
      { 'severity-threshold': 'CRITICAL', 'ignore-file': 'ignore.yml' },
      repo,
      { GITHUB_WORKSPACE: dir },
    )
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-critical': '1', 'findings-ignored': '0' })
    expect(r.warnings.join('\n')).toMatch(/CVE-2024-0001.*expired on 2020-01-01/)
  })

  it('only-fixable counts only findings with a fix', async () => {
    continuous()
    const r = await gate({ enhancedFindings: [HIGH1, HIGH2, MED, UNTRIAGED] }, { 'only-fixable': 'true' })
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({
      gate: 'failed',
      'findings-high': '1',
      'findings-medium': '1',
      'findings-undefined': '0',
      'findings-total': '2',
    })
    expect(r.errors.filter((e) => /^HIGH CVE-/.test(e))).toEqual([expect.stringContaining('CVE-2024-0003')])
  })

  it('basic scanning without scan-on-push: starts the scan once and gates on basic findings', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'BASIC', rules: [] })
    repo.scanOnPush = false
    try {
      const r = await gate({
        inProgressSeconds: 1,
        findings: [basicFinding({ id: 'CVE-2023-7777', severity: 'CRITICAL', package: 'musl', score: 10 })],
      })
      expect(r.code, r.log).toBe(1)
      expect(r.outputs).toMatchObject({
        'scan-type': 'BASIC',
        'scan-status': 'COMPLETE',
        gate: 'failed',
        'findings-critical': '1',
      })
      expect(tb.emulator.callsFor('ecr', 'StartImageScan').filter((c) => c.status === 200)).toHaveLength(1)
    } finally {
      repo.scanOnPush = true
    }
  })

  it('a repository enhanced scanning does not cover fails fast with the fix', async () => {
    continuous('other/*')
    const started = Date.now()
    const r = await gate({ enhancedFindings: FIVE })
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({ gate: 'failed', 'scan-status': 'NOT_CONFIGURED', 'scan-type': 'NONE' })
    expect(r.errors.join('\n')).toContain('aws ecr put-registry-scanning-configuration --scan-type ENHANCED')
    expect(
      tb.emulator.calls.filter(
        (c) => c.at.getTime() >= started && c.operation === 'DescribeImageScanFindings',
      ),
    ).toHaveLength(0)
  })

  it('findings arriving after the status turns ready: no false pass', async () => {
    continuous()
    const r = await gate(
      {
        enhancedFindings: [MED, CRIT, HIGH1],
        arrivals: [
          { afterSeconds: 0, count: 0 },
          { afterSeconds: 2, count: 1 },
          { afterSeconds: 4, count: 3 },
        ],
      },
      { 'scan-settle-seconds': '5' },
    )
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-total': '3', 'findings-critical': '1' })
  })

  it('2,500 findings over pages', async () => {
    continuous()
    const many = Array.from({ length: 2500 }, (_, i) =>
      enhancedFinding({ id: `CVE-2023-${10000 + i}`, severity: 'LOW', package: `p${i}`, score: 2.1, n: i }),
    )
    const r = await gate(
      { enhancedFindings: many, severityCounts: { LOW: 10 } },
      { 'severity-threshold': 'LOW' },
    )
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-low': '2500', 'findings-total': '2500' })
    const sarif = JSON.parse(fs.readFileSync(r.outputs['sarif-file'] as string, 'utf8'))
    expect(sarif.runs[0].results).toHaveLength(2500)
    expect(r.summary).toContain('The 100 most severe of 2500 counted findings')
  })

  it('a throttled run gives the same verdict', async () => {
    continuous()
    tb.emulator.inject({
      service: 'ecr',
      operation: 'DescribeImageScanFindings',
      times: 6,
      fault: { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
    })
    tb.emulator.inject({
      service: 'ecr',
      operation: 'GetRegistryScanningConfiguration',
      times: 1,
      fault: { kind: 'error', status: 503, code: 'ServiceUnavailableException', message: 'busy' },
    })
    const r = await gate({ enhancedFindings: FIVE })
    expect(r.code, r.log).toBe(1)
    for (const k of ['gate', 'findings', 'findings-total', 'highest-severity', 'scan-status'])
      expect(r.outputs[k]).toBe(failedRun.outputs[k])
    expect(tb.emulator.calls.filter((c) => c.injected === 'error').length).toBeGreaterThanOrEqual(7)
  })

  it('reads the registry scanning configuration once per run (the gate and governance share it)', async () => {
    continuous()
    tb.emulator.clearCalls()
    const r = await gate({ enhancedFindings: [MED] }, { 'severity-threshold': 'MEDIUM' })
    expect(r.code, r.log).toBe(1)
    expect(tb.emulator.callsFor('ecr', 'GetRegistryScanningConfiguration')).toHaveLength(1)
    expect(r.summary).toContain('- Enhanced scanning covers it: yes')
  })

  it('fails fast: a blocking finding ends the gate as soon as the counts settle, long before the floor', async () => {
    continuous()
    const r = await gate({ pendingSeconds: 1, enhancedFindings: [CRIT, MED] }, { 'scan-settle-seconds': '0' })
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-critical': '1', 'findings-total': '2' })
    expect(r.log).toMatch(/Blocking finding in .*CRITICAL CVE-2024-0001 in openssl 3\.0\.1/)
    expect(r.summary).toContain('- Counts: complete')
    // The whole step (push included) ends well inside the 60 s a pass would need.
    expect(r.durationMs).toBeLessThan(45_000)
  })

  it('a role session that expires during the wait is renewed with a fresh OIDC token; the verdict stands', async () => {
    continuous()
    const role = tb.emulator.state.roles.get(tb.roleArn)
    if (!role) throw new Error('no role')
    role.sessionSeconds = 8
    try {
      const assumes = () => tb.emulator.callsFor('sts', 'AssumeRoleWithWebIdentity')
      const before = assumes().length
      const r = await gate({ pendingSeconds: 12, enhancedFindings: [CRIT] })
      expect(r.code, r.log).toBe(1)
      expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-critical': '1' })
      expect(r.log).toContain('Renewed the role session')
      expect(r.log).not.toMatch(/ExpiredToken/)
      const mine = assumes().slice(before)
      expect(mine.length).toBeGreaterThanOrEqual(2)
      expect(new Set(mine.map((c) => c.tokenJti)).size).toBe(mine.length)
    } finally {
      delete role.sessionSeconds
    }
  })

  it('an image index: every platform gated, attestations not; an unscannable platform does not hide a CRITICAL (warn)', async () => {
    continuous()
    const target = own('multi')
    const arm = {
      ...(await platformImage(target.name, 'arm64')),
      platform: { os: 'linux', architecture: 'arm64' },
    }
    const att = {
      ...(await platformImage(target.name, 'unknown')),
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': arm.digest,
      },
    }
    setScanScenario(target, { status: 'UNSUPPORTED_IMAGE' }, arm.digest)
    const docker = indexPushingDocker([arm, att])
    try {
      const r = await gate(
        { enhancedFindings: [CRIT, MED] },
        { 'on-scan-unavailable': 'warn', 'scan-settle-seconds': '0', audit: 'false' },
        target,
        { PATH: docker.path, ...docker.env },
      )
      expect(r.code, r.log).toBe(1)
      expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-critical': '1', 'findings-total': '2' })
      expect(r.log).toContain('Image index: gating 2 platform image(s): linux/amd64, linux/arm64')
      expect(r.summary).toMatch(/- Platform linux\/arm64: `sha256:[a-f0-9]{64}`: UNSUPPORTED_IMAGE/)
      expect(r.errors.some((e) => /^CRITICAL CVE-2024-0001 .*\[linux\/amd64\]/.test(e))).toBe(true)
      const read = tb.emulator
        .callsFor('ecr', 'DescribeImageScanFindings')
        .map((c) => (c.input.imageId as { imageDigest?: string }).imageDigest)
      expect(read).toContain(arm.digest)
      expect(read).not.toContain(att.digest)
      expect(read).not.toContain(r.outputs['image-digest'])
    } finally {
      docker.close()
    }
  })

  it('wait-for-scan: false skips the gate', async () => {
    const r = await tb.run({ inputs: { image: await tb.image() } })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs).toMatchObject({ gate: 'skipped', 'scan-status': 'SKIPPED' })
  })
})

// Real-time waits of a minute each, side by side.
describe.concurrent('scan gate end to end: the slow cases', () => {
  beforeAll(() => continuous())

  it('passes at CRITICAL with the critical one ignored; an entry matching nothing gets a notice', async () => {
    const r = await gate(
      { enhancedFindings: FIVE },
      {
        'severity-threshold': 'critical',
        ignore: 'CVE-2024-0001 until=2999-01-01 # vendor backport\nCVE-1999-9999 # gone',
      },
      own('slow-pass'),
    )
    expect(r.code, r.log).toBe(0)
    // Pass late: not before the 60 s fill-in floor since the scan first read as ready.
    expect(r.durationMs).toBeGreaterThanOrEqual(60_000)
    expect(r.outputs).toMatchObject({
      gate: 'passed',
      'findings-critical': '0',
      'findings-ignored': '1',
      'findings-total': '4',
      'highest-severity': 'HIGH',
    })
    expect(r.summary).toContain('vendor backport')
    expect(r.summary).toContain('2999-01-01')
    expect(r.notices.join('\n')).toContain('CVE-1999-9999')
    const report = JSON.parse(fs.readFileSync(r.outputs['report-file'] as string, 'utf8'))
    expect(report.findings.find((f: { id: string }) => f.id === 'CVE-2024-0001').ignoredBy).toMatchObject({
      id: 'CVE-2024-0001',
      reason: 'vendor backport',
    })
  })

  it.each([
    ['fail', 1, 'failed'],
    ['warn', 0, 'unavailable'],
  ])('the budget running out (on-scan-unavailable: %s)', async (mode, code, gateOut) => {
    const r = await gate(
      { pendingSeconds: Infinity },
      { 'scan-timeout-seconds': '60', 'scan-settle-seconds': '0', 'on-scan-unavailable': mode },
      own(`slow-timeout-${mode}`),
    )
    expect(r.code, r.log).toBe(code)
    expect(r.outputs).toMatchObject({ gate: gateOut, 'scan-status': 'TIMEOUT', 'scan-type': 'ENHANCED' })
    expect(r.outputs['findings-total']).toBeUndefined()
    expect(r.outputs['sarif-file']).toBeUndefined()
    const said = mode === 'fail' ? r.errors.join('\n') : r.warnings.join('\n')
    expect(said).toContain('still PENDING')
    // It never suggests the setting that is already there.
    expect(said.includes('set on-scan-unavailable: warn')).toBe(mode === 'fail')
  })

  it('a nextToken that cycles: ends by the deadline, fails in both modes, says why', async () => {
    const started = Date.now()
    const r = await gate(
      { enhancedFindings: [MED], pagination: 'cycle' },
      { 'scan-timeout-seconds': '60', 'scan-settle-seconds': '0', 'on-scan-unavailable': 'warn' },
      own('slow-cycle'),
    )
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({ gate: 'failed', 'scan-status': 'TIMEOUT' })
    expect(r.errors.join('\n')).toMatch(/inconsistent .*pagination cycles/)
    expect(r.outputs['findings-total']).toBeUndefined()
    // The budget (60 s) plus the push and one call, not a loop that ECR ends.
    expect(Date.now() - started).toBeLessThan(100_000)
  })
})
