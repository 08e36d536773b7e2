// The scan wait loop driven by the REAL AWS SDK against the emulator (real registry behind it), with
// an injected fake clock and sleep shared with the emulator's scan timeline: minutes pass in ms.
import { ECRClient } from '@aws-sdk/client-ecr'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readScan, scanTargets, type ScanApi } from '../src/gate/ecr-scan.ts'
import { decideScanMode } from '../src/gate/mode.ts'
import { blockingIn, type Policy } from '../src/gate/policy.ts'
import { getRegistryConfig, getRepositoryConfig } from '../src/scanning.ts'
import { defaultWaitConfig, type WaitConfig } from '../src/gate/status.ts'
import { waitForGate, type GateWaitResult } from '../src/gate/wait.ts'
import type { Threshold } from '../src/severity.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import {
  pushPermissions,
  startEmulator,
  type Emulator,
  type RepositoryRecord,
} from './testbed/emulator/index.ts'
import {
  basicFinding,
  enhancedFinding,
  setRegistryScanning,
  setScanScenario,
  type ScanScenario,
} from './testbed/emulator/ecr/scan.ts'
import { startRegistry, type Registry } from './testbed/registry.ts'

const ACCOUNT = '123456789012'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/github-ecr-push`
const REPO = 'acme/widget'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

let registry: Registry
let emu: Emulator
let client: ECRClient
let repo: RepositoryRecord
let now = 0
const clock = (): number => now
const sleep = async (ms: number): Promise<void> => {
  now += ms
}

const putBlob = (data: string) => registry.putBlob(REPO, data)
const putManifest = (ref: string | undefined, manifest: object, mediaType: string) =>
  registry.putManifest(REPO, ref, manifest, mediaType)

let n = 0
/** A fresh single-platform image (new digest each call). */
async function putImage(tag?: string): Promise<string> {
  n += 1
  const config = await putBlob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Env: [`N=${n}-${Math.random()}`] },
    }),
  )
  const layer = await putBlob(`layer ${n}`)
  return putManifest(
    tag,
    {
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
    },
    OCI_MANIFEST,
  )
}

const api = (): ScanApi => ({ ecr: client, registryId: ACCOUNT, repository: REPO })
const logs: string[] = []
const policy = (threshold: Threshold): Policy => ({ threshold, onlyFixable: false, ignore: [] })
const deps = (threshold: Threshold = 'HIGH') => ({
  api: api(),
  clock,
  sleep,
  log: (l: string) => logs.push(l),
  warn: (l: string) => logs.push(`WARN ${l}`),
  blocking: (f: Parameters<typeof blockingIn>[0]) => blockingIn(f, policy(threshold), '2025-06-15'),
})
const bounds = () => ({ deadline: now + 600_000, clock })
const cfg = (timeoutS: number, settleS: number, over: Partial<WaitConfig> = {}): WaitConfig => ({
  ...defaultWaitConfig(now, timeoutS, settleS),
  random: () => 0.5,
  ...over,
})

const enhanced = (k: number, severity = 'HIGH'): Record<string, unknown>[] =>
  Array.from({ length: k }, (_, i) =>
    enhancedFinding({ id: `CVE-2024-${1000 + i}`, severity, package: `pkg${i % 50}`, version: '1.0', n: i }),
  )

function continuous(filter = 'acme/*'): void {
  setRegistryScanning(emu, {
    scanType: 'ENHANCED',
    rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter, filterType: 'WILDCARD' }] }],
  })
}

interface WaitOpts {
  startScanNow?: boolean
  threshold?: Threshold
  onUnavailable?: 'fail' | 'warn'
}

async function wait(
  digest: string,
  scenario: ScanScenario,
  c: WaitConfig,
  opts: WaitOpts = {},
): Promise<GateWaitResult> {
  setScanScenario(repo, scenario, digest)
  return waitForGate(deps(opts.threshold), [{ digest, platform: '' }], c, {
    startScanNow: opts.startScanNow ?? false,
    onUnavailable: opts.onUnavailable ?? 'fail',
  })
}

const describeCalls = () => emu.callsFor('ecr', 'DescribeImageScanFindings')

beforeAll(async () => {
  registry = await startRegistry()
  emu = await startEmulator({ registry: { url: registry.url, username: 'AWS', password: registry.password } })
  emu.addRole({
    arn: ROLE,
    trust: { sub: 'repo:acme/*' },
    permissions: [
      ...pushPermissions(ACCOUNT, 'acme/*'),
      {
        effect: 'Allow',
        action: 'ecr:StartImageScan',
        resource: `arn:aws:ecr:*:${ACCOUNT}:repository/acme/*`,
      },
    ],
  })
  emu.addRole({
    arn: `arn:aws:iam::${ACCOUNT}:role/no-discovery`,
    trust: { sub: 'repo:acme/*' },
    permissions: pushPermissions(ACCOUNT, 'acme/*', { scanDiscovery: false }),
  })
  repo = emu.createRepository({ name: REPO })
  ;(emu.state.ext as { scan?: object }).scan = { clock }
  client = new ECRClient({
    region: 'us-east-1',
    endpoint: emu.env.AWS_ENDPOINT_URL_ECR,
    credentials: await assumeRole(emu, ROLE),
    maxAttempts: 1,
  })
})

beforeEach(() => {
  now = 1_700_000_000_000
  emu.clearCalls()
  emu.clearFaults()
  logs.length = 0
  setRegistryScanning(emu, { scanType: 'BASIC', rules: [] })
  repo.scanOnPush = true
})

afterAll(async () => {
  expect(emu?.internalErrors ?? []).toEqual([])
  await emu?.close()
  await registry?.stop()
})

const only = (r: GateWaitResult) => r.platforms[0] as GateWaitResult['platforms'][number]

async function putIndex(tag: string, manifests: object[]): Promise<string> {
  return putManifest(tag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, OCI_INDEX)
}
const child = (digest: string, extra: object = {}) => ({
  mediaType: OCI_MANIFEST,
  digest,
  size: 400,
  ...extra,
})

describe('wait loop against the emulator', () => {
  it('ScanNotFound, PENDING, then findings that keep arriving: fails fast, reads on until the counts settle', async () => {
    continuous()
    const digest = await putImage()
    const started = now
    const r = await wait(
      digest,
      {
        notFoundSeconds: 40,
        pendingSeconds: 20,
        enhancedFindings: enhanced(5),
        arrivals: [
          { afterSeconds: 0, count: 0 },
          { afterSeconds: 8, count: 2 },
          { afterSeconds: 30, count: 5 },
        ],
      },
      cfg(600, 20),
    )
    expect(r.decision).toMatchObject({ kind: 'blocking', countsSettled: true })
    expect(only(r).findings).toHaveLength(5)
    expect(only(r).state.last).toBe('ACTIVE')
    // Ready at 60 s, last arrival at 90 s, settled 20 s later at the earliest.
    expect(now - started).toBeGreaterThanOrEqual(110_000)
    // On average at most one call a second.
    expect(describeCalls().length).toBeLessThanOrEqual((now - started) / 1000)
    expect(logs.join('\n')).toMatch(
      /scan-not-found[\s\S]*PENDING[\s\S]*ACTIVE \(0 findings\)[\s\S]*ACTIVE \(2 findings\)[\s\S]*Blocking finding[\s\S]*ACTIVE \(5 findings\)/,
    )
  })

  it('the same arrivals with nothing blocking: passes only after the 60 s fill-in floor and the settle window', async () => {
    continuous()
    const digest = await putImage()
    const started = now
    const r = await wait(
      digest,
      {
        pendingSeconds: 10,
        enhancedFindings: enhanced(5, 'LOW'),
        arrivals: [
          { afterSeconds: 0, count: 0 },
          { afterSeconds: 45, count: 5 },
        ],
      },
      cfg(600, 5),
    )
    expect(r.decision).toEqual({ kind: 'passed' })
    expect(only(r).findings).toHaveLength(5)
    // Ready at 10 s; the floor ends at 70 s, the set last changed at 55 s (+5 s settle).
    expect(now - started).toBeGreaterThanOrEqual(70_000)
  })

  it('an empty set right after ready never passes before the floor, whatever scan-settle-seconds says', async () => {
    continuous()
    const digest = await putImage()
    const started = now
    const r = await wait(digest, { enhancedFindings: [] }, cfg(600, 0))
    expect(r.decision).toEqual({ kind: 'passed' })
    expect(now - started).toBeGreaterThanOrEqual(60_000)
  })

  it('reads every page of 2,500 findings (maxResults 1000), one finding per findingArn', async () => {
    continuous()
    const digest = await putImage()
    const r = await wait(
      digest,
      { enhancedFindings: enhanced(2500, 'MEDIUM'), severityCounts: { MEDIUM: 10 } },
      cfg(300, 2),
    )
    expect(r.decision).toEqual({ kind: 'passed' })
    expect(only(r).findings).toHaveLength(2500)
    const calls = describeCalls()
    expect(calls.every((c) => c.input.maxResults === 1000)).toBe(true)
    expect(calls.filter((c) => c.input.nextToken !== undefined).length).toBeGreaterThanOrEqual(4)
  })

  it('basic scanning without scan-on-push: StartImageScan once, then the basic findings', async () => {
    repo.scanOnPush = false
    const digest = await putImage()
    const r = await wait(
      digest,
      {
        inProgressSeconds: 10,
        findings: [basicFinding({ id: 'CVE-2023-1', severity: 'CRITICAL', score: 9.3 })],
      },
      cfg(300, 5),
      { startScanNow: true },
    )
    expect(r.decision).toMatchObject({ kind: 'blocking', countsSettled: true })
    expect(only(r)).toMatchObject({ scanType: 'BASIC', state: { last: 'COMPLETE' } })
    expect(only(r).findings[0]).toMatchObject({
      id: 'CVE-2023-1',
      severity: 'CRITICAL',
      score: 9.3,
      source: 'basic',
    })
    expect(emu.callsFor('ecr', 'StartImageScan')).toHaveLength(1)
  })

  it('StartImageScan on an image already scanned today (LimitExceeded) reads that scan', async () => {
    repo.scanOnPush = true
    const digest = await putImage()
    const r = await wait(digest, { findings: [] }, cfg(300, 2), { startScanNow: true })
    expect(r.decision).toEqual({ kind: 'passed' })
    expect(emu.callsFor('ecr', 'StartImageScan')[0]?.errorCode).toBe('LimitExceededException')
    expect(logs.join('\n')).toContain('already scanned')
  })

  it('stuck in PENDING: TIMEOUT within the budget, saying what was seen', async () => {
    continuous()
    const digest = await putImage()
    const started = now
    const r = await wait(digest, { pendingSeconds: Infinity }, cfg(120, 5))
    expect(r.decision).toMatchObject({ kind: 'no-verdict', status: 'TIMEOUT', relaxable: true })
    expect(r.decision.kind === 'no-verdict' && r.decision.message).toContain('still PENDING')
    expect(now - started).toBeLessThanOrEqual(120_000)
  })

  it.each([
    'FAILED',
    'UNSUPPORTED_IMAGE',
    'SCAN_ELIGIBILITY_EXPIRED',
    'FINDINGS_UNAVAILABLE',
    'LIMIT_EXCEEDED',
    'IMAGE_ARCHIVED',
  ])('terminal %s is no verdict (relaxable), never zero findings', async (status) => {
    continuous()
    const digest = await putImage()
    const r = await wait(digest, { pendingSeconds: 5, status, enhancedFindings: enhanced(3) }, cfg(300, 2))
    expect(r.decision).toMatchObject({ kind: 'no-verdict', status, relaxable: true })
  })

  it('not covered by enhanced scanning: ScanNotFound forever, and discovery says so up front', async () => {
    continuous('other/*')
    const digest = await putImage()
    const [reg, rep] = await Promise.all([getRegistryConfig(api()), getRepositoryConfig(api())])
    expect(reg.ok && rep.ok).toBe(true)
    const mode = decideScanMode(
      reg.ok ? reg.value : undefined,
      rep.ok ? rep.value : undefined,
      REPO,
      'us-east-1',
      false,
    )
    expect(mode.kind).toBe('not-covered')
    const read = await readScan(api(), { digest, platform: '' }, bounds())
    expect(read.kind).toBe('scan-not-found')
    const r = await wait(digest, {}, cfg(600, 2, { scanNotFoundGraceMs: 60_000 }))
    expect(r.decision).toMatchObject({ kind: 'no-verdict', status: 'NOT_CONFIGURED', relaxable: true })
  })

  it('discovery without permission: a warning-worthy denial, not a failure', async () => {
    const limited = new ECRClient({
      region: 'us-east-1',
      endpoint: emu.env.AWS_ENDPOINT_URL_ECR,
      credentials: await assumeRole(emu, `arn:aws:iam::${ACCOUNT}:role/no-discovery`),
      maxAttempts: 1,
    })
    const a: ScanApi = { ecr: limited, registryId: ACCOUNT, repository: REPO }
    const reg = await getRegistryConfig(a)
    expect(reg).toMatchObject({ ok: false, denied: true })
    const rep = await getRepositoryConfig(a)
    expect(rep).toMatchObject({ ok: false, denied: true })
    expect(decideScanMode(undefined, undefined, REPO, 'us-east-1', true).kind).toBe('unknown')
  })

  it('throttling and 5xx are survived and give the same findings', async () => {
    continuous()
    const digest = await putImage()
    emu.inject({
      service: 'ecr',
      operation: 'DescribeImageScanFindings',
      times: 3,
      fault: { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
    })
    emu.inject({
      service: 'ecr',
      operation: 'DescribeImageScanFindings',
      times: 2,
      fault: { kind: 'error', status: 500, code: 'ServerException', message: 'boom' },
    })
    const r = await wait(digest, { enhancedFindings: enhanced(7) }, cfg(300, 5))
    expect(only(r).findings).toHaveLength(7)
    expect(r.decision).toMatchObject({ kind: 'blocking', countsSettled: true })
    expect(describeCalls().filter((c) => c.injected === 'error')).toHaveLength(5)
  })

  it('an image deleted while waiting: IMAGE_NOT_FOUND, which warn does not relax', async () => {
    const r = await wait(`sha256:${'e'.repeat(64)}`, {}, cfg(300, 2), { onUnavailable: 'warn' })
    expect(r.decision).toMatchObject({ kind: 'no-verdict', status: 'IMAGE_NOT_FOUND', relaxable: false })
  })
})

describe('ECR misbehaving', () => {
  const CRIT = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      enhancedFinding({
        id: `CVE-2025-${100 + i}`,
        severity: i === n - 1 ? 'CRITICAL' : 'LOW',
        package: `p${i}`,
        n: i,
      }),
    )
  // Pages of 1000: 2,500 findings are three pages; the CRITICAL one is on the last.
  it.each<[string, NonNullable<ScanScenario['pagination']>, RegExp]>([
    ['pages that repeat', 'repeat-page', /listed twice/],
    [
      'a last page never linked',
      'unlinked-last-page',
      /findingSeverityCounts claims 1 CRITICAL but the pages listed 0/,
    ],
    ['a nextToken that cycles', 'cycle', /pagination cycles/],
  ])('%s: the read pass is inconsistent and ends', async (_n, pagination, problem) => {
    continuous()
    const digest = await putImage()
    setScanScenario(repo, { enhancedFindings: CRIT(2500), pagination }, digest)
    const read = await readScan(api(), { digest, platform: '' }, bounds())
    expect(read.kind === 'status' && read.pass?.consistent).toBe(false)
    expect(read.kind === 'status' && read.pass?.problems.join('\n')).toMatch(problem)
    expect(read.calls).toBeLessThanOrEqual(5)
  })

  it('a cycling nextToken with nothing else wrong: no pass, ends by the deadline, says why (warn does not relax it)', async () => {
    continuous()
    const digest = await putImage()
    const started = now
    const r = await wait(digest, { enhancedFindings: enhanced(3, 'LOW'), pagination: 'cycle' }, cfg(120, 2), {
      onUnavailable: 'warn',
    })
    expect(r.decision).toMatchObject({ kind: 'no-verdict', status: 'TIMEOUT', relaxable: false })
    expect(r.decision.kind === 'no-verdict' && r.decision.message).toMatch(/inconsistent.*pagination cycles/)
    expect(now - started).toBeLessThanOrEqual(120_000)
    expect(only(r).read).toBe(false)
  })

  it('summary counts that claim more than the pages list: no pass on them', async () => {
    continuous()
    const digest = await putImage()
    const r = await wait(
      digest,
      { enhancedFindings: enhanced(3, 'LOW'), severityCounts: { LOW: 3, CRITICAL: 2 } },
      cfg(120, 2),
    )
    expect(r.decision).toMatchObject({ kind: 'no-verdict', relaxable: false })
    expect(r.decision.kind === 'no-verdict' && r.decision.message).toContain(
      'claims 2 CRITICAL but the pages listed 0',
    )
  })

  it.each<[string, string | null]>([
    ['empty', ''],
    ['missing', null],
    ['unknown', 'TRIAGED_NEW'],
    ['lower-case active', 'active'],
  ])('an enhanced finding whose status is %s counts', async (_n, status) => {
    continuous()
    const digest = await putImage()
    const r = await wait(
      digest,
      { enhancedFindings: [enhancedFinding({ id: 'CVE-2025-1', severity: 'CRITICAL', status })] },
      cfg(120, 0),
    )
    expect(r.decision).toMatchObject({ kind: 'blocking' })
  })

  it.each(['SUPPRESSED', 'closed'])('an enhanced finding %s in Inspector does not count', async (status) => {
    continuous()
    const digest = await putImage()
    const r = await wait(
      digest,
      { enhancedFindings: [enhancedFinding({ id: 'CVE-2025-2', severity: 'CRITICAL', status })] },
      cfg(120, 0),
    )
    expect(r.decision).toEqual({ kind: 'passed' })
  })
})

describe('image indexes', () => {
  it('every child is gated, with or without platform; attestations and artifacts are not', async () => {
    const amd = await putImage()
    const arm = await putImage()
    const bare = await putImage()
    const att = await putImage()
    const sbom = await putImage()
    const index = await putIndex('multi', [
      child(amd, { platform: { architecture: 'amd64', os: 'linux' } }),
      child(arm, { platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }),
      child(bare),
      child(att, {
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': amd,
        },
      }),
      child(sbom, { artifactType: 'application/spdx+json' }),
    ])
    expect(await scanTargets(api(), index)).toEqual([
      { digest: amd, platform: 'linux/amd64' },
      { digest: arm, platform: 'linux/arm64/v8' },
      { digest: bare, platform: `unknown@${bare.slice(0, 19)}` },
    ])
    expect(await scanTargets(api(), amd)).toEqual([{ digest: amd, platform: '' }])
  })

  it('a nested index is followed; an index of attestations only is refused plainly', async () => {
    const amd = await putImage()
    const arm = await putImage()
    const inner = await putIndex('inner', [child(arm, { platform: { architecture: 'arm64', os: 'linux' } })])
    const outer = await putIndex('outer', [
      child(amd, { platform: { architecture: 'amd64', os: 'linux' } }),
      { mediaType: OCI_INDEX, digest: inner, size: 300 },
    ])
    expect(await scanTargets(api(), outer)).toEqual([
      { digest: amd, platform: 'linux/amd64' },
      { digest: arm, platform: 'linux/arm64' },
    ])
    const onlyAtt = await putIndex('att-only', [
      child(amd, { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }),
    ])
    await expect(scanTargets(api(), onlyAtt)).rejects.toThrow(/lists no image to scan/)
  })

  async function twoPlatforms(): Promise<{ amd: string; arm: string }> {
    const amd = await putImage()
    const arm = await putImage()
    return { amd, arm }
  }
  const targets = (d: { amd: string; arm: string }) => [
    { digest: d.amd, platform: 'linux/amd64' },
    { digest: d.arm, platform: 'linux/arm64' },
  ]

  it("an unscannable platform never hides another platform's blocking finding (warn)", async () => {
    continuous()
    const d = await twoPlatforms()
    setScanScenario(
      repo,
      { enhancedFindings: [enhancedFinding({ id: 'CVE-2025-9', severity: 'CRITICAL' })] },
      d.amd,
    )
    setScanScenario(repo, { status: 'UNSUPPORTED_IMAGE' }, d.arm)
    const r = await waitForGate(deps(), targets(d), cfg(300, 2), {
      startScanNow: false,
      onUnavailable: 'warn',
    })
    expect(r.decision).toMatchObject({ kind: 'blocking', countsSettled: true })
  })

  it('a platform stuck PENDING beside a failing one: failed, reading on to the deadline, counts incomplete', async () => {
    continuous()
    const d = await twoPlatforms()
    const started = now
    setScanScenario(
      repo,
      { enhancedFindings: [enhancedFinding({ id: 'CVE-2025-8', severity: 'HIGH' })] },
      d.amd,
    )
    setScanScenario(repo, { pendingSeconds: Infinity }, d.arm)
    const r = await waitForGate(deps(), targets(d), cfg(120, 2), {
      startScanNow: false,
      onUnavailable: 'fail',
    })
    expect(r.decision).toMatchObject({
      kind: 'blocking',
      countsSettled: false,
      unsettled: ['linux/arm64: the scan was still PENDING'],
    })
    expect(now - started).toBeLessThanOrEqual(120_000)
  })

  it('a platform stuck PENDING beside a clean one: no pass (TIMEOUT)', async () => {
    continuous()
    const d = await twoPlatforms()
    setScanScenario(repo, { enhancedFindings: [] }, d.amd)
    setScanScenario(repo, { pendingSeconds: Infinity }, d.arm)
    const r = await waitForGate(deps(), targets(d), cfg(120, 2), {
      startScanNow: false,
      onUnavailable: 'fail',
    })
    expect(r.decision).toMatchObject({
      kind: 'no-verdict',
      status: 'TIMEOUT',
      message: expect.stringContaining('linux/arm64: the scan was still PENDING'),
    })
  })
})

describe('bounded calls', () => {
  it('a call still running at the deadline is aborted one grace later, as a transient fault', async () => {
    continuous()
    const digest = await putImage()
    setScanScenario(repo, { enhancedFindings: enhanced(2) }, digest)
    emu.inject({
      service: 'ecr',
      operation: 'DescribeImageScanFindings',
      times: 1,
      fault: { kind: 'delay', ms: 5000 },
    })
    const t0 = Date.now()
    const read = await readScan(
      api(),
      { digest, platform: '' },
      { deadline: Date.now() + 200, clock: Date.now, graceMs: 300 },
    )
    expect(Date.now() - t0).toBeLessThan(2500)
    expect(read, JSON.stringify(read)).toMatchObject({ kind: 'error', transient: true })
  })
})
