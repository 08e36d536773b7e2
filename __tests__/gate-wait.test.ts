// The scan wait loop driven by the REAL AWS SDK against the emulator (real registry behind it), with
// an injected fake clock and sleep shared with the emulator's scan timeline: minutes pass in ms.
import { ECRClient } from '@aws-sdk/client-ecr'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readScan, scanTargets, type ScanApi } from '../src/gate/ecr-scan.ts'
import { decideScanMode } from '../src/gate/mode.ts'
import { getRegistryConfig, getRepositoryConfig } from '../src/scanning.ts'
import { defaultWaitConfig, type WaitConfig } from '../src/gate/status.ts'
import { waitForFindings, type WaitResult } from '../src/gate/wait.ts'
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
const deps = () => ({
  api: api(),
  clock,
  sleep,
  log: (l: string) => logs.push(l),
  warn: (l: string) => logs.push(`WARN ${l}`),
})
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

async function wait(
  digest: string,
  scenario: ScanScenario,
  c: WaitConfig,
  startScanNow = false,
): Promise<WaitResult> {
  setScanScenario(repo, scenario, digest)
  return waitForFindings(deps(), { digest, platform: '' }, c, { startScanNow })
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

describe('wait loop against the emulator', () => {
  it('ScanNotFound, PENDING, then findings that keep arriving: decides only on the settled set', async () => {
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
    expect(r.kind).toBe('settled')
    expect(r.kind === 'settled' && r.findings.length).toBe(5)
    expect(r.kind === 'settled' && r.status).toBe('ACTIVE')
    // Ready at 60 s, last arrival at 90 s, settled 20 s later at the earliest.
    expect(now - started).toBeGreaterThanOrEqual(110_000)
    // On average at most one call a second.
    expect(describeCalls().length).toBeLessThanOrEqual((now - started) / 1000)
    expect(logs.join('\n')).toMatch(
      /scan-not-found[\s\S]*PENDING[\s\S]*ACTIVE \(0 findings\)[\s\S]*ACTIVE \(5 findings\)/,
    )
  })

  it('reads every page of 2,500 findings (maxResults 1000), not the severity counts', async () => {
    continuous()
    const digest = await putImage()
    const r = await wait(
      digest,
      { enhancedFindings: enhanced(2500, 'MEDIUM'), severityCounts: { LOW: 1 } },
      cfg(300, 2),
    )
    expect(r.kind === 'settled' && r.findings.length).toBe(2500)
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
      true,
    )
    expect(r).toMatchObject({ kind: 'settled', status: 'COMPLETE', scanType: 'BASIC' })
    expect(r.kind === 'settled' && r.findings[0]).toMatchObject({
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
    const r = await wait(digest, { findings: [] }, cfg(300, 2), true)
    expect(r.kind).toBe('settled')
    expect(emu.callsFor('ecr', 'StartImageScan')[0]?.errorCode).toBe('LimitExceededException')
    expect(logs.join('\n')).toContain('already scanned')
  })

  it('stuck in PENDING: TIMEOUT within the budget', async () => {
    continuous()
    const digest = await putImage()
    const started = now
    const r = await wait(digest, { pendingSeconds: Infinity }, cfg(120, 5))
    expect(r).toMatchObject({ kind: 'unavailable', status: 'TIMEOUT' })
    expect(r.kind === 'unavailable' && r.message).toContain('still PENDING')
    expect(now - started).toBeLessThanOrEqual(121_000)
  })

  it.each([
    'FAILED',
    'UNSUPPORTED_IMAGE',
    'SCAN_ELIGIBILITY_EXPIRED',
    'FINDINGS_UNAVAILABLE',
    'LIMIT_EXCEEDED',
    'IMAGE_ARCHIVED',
  ])('terminal %s is unavailable, never zero findings', async (status) => {
    continuous()
    const digest = await putImage()
    const r = await wait(digest, { pendingSeconds: 5, status, enhancedFindings: enhanced(3) }, cfg(300, 2))
    expect(r).toMatchObject({ kind: 'unavailable', status })
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
    const read = await readScan(api(), digest, '')
    expect(read.kind).toBe('scan-not-found')
    const r = await wait(digest, {}, cfg(600, 2, { scanNotFoundGraceMs: 60_000 }))
    expect(r).toMatchObject({ kind: 'unavailable', status: 'NOT_CONFIGURED' })
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
    expect(r.kind === 'settled' && r.findings.length).toBe(7)
    expect(describeCalls().filter((c) => c.injected === 'error')).toHaveLength(5)
  })

  it('an image deleted while waiting: IMAGE_NOT_FOUND', async () => {
    const r = await wait(`sha256:${'e'.repeat(64)}`, {}, cfg(300, 2))
    expect(r).toMatchObject({ kind: 'unavailable', status: 'IMAGE_NOT_FOUND' })
  })

  it('an image index: each platform image, attestation manifests skipped', async () => {
    const amd = await putImage()
    const arm = await putImage()
    const att = await putImage()
    const index = await putManifest(
      'multi',
      {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: amd,
            size: 400,
            platform: { architecture: 'amd64', os: 'linux' },
          },
          {
            mediaType: OCI_MANIFEST,
            digest: arm,
            size: 400,
            platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
          },
          {
            mediaType: OCI_MANIFEST,
            digest: att,
            size: 400,
            platform: { architecture: 'unknown', os: 'unknown' },
            annotations: {
              'vnd.docker.reference.type': 'attestation-manifest',
              'vnd.docker.reference.digest': amd,
            },
          },
        ],
      },
      OCI_INDEX,
    )
    expect(await scanTargets(api(), index)).toEqual([
      { digest: amd, platform: 'linux/amd64' },
      { digest: arm, platform: 'linux/arm64/v8' },
    ])
    expect(await scanTargets(api(), amd)).toEqual([{ digest: amd, platform: '' }])
  })
})
