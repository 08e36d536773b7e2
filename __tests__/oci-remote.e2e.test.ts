// Images already in ECR, and images read from the registry (issue 12), end to end through dist/:
// push: false (no local image, no registry write, no docker login; gate, governance and audit as
// after a push), every platform of a pushed index gated, and the audit and export-filesystem read
// from the registry equal to the same image's audit from the docker engine.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dockerArchive, readTree } from './fixtures/audit/craft.ts'
import { CRAFTED, EXPECTED_TREE, FAKE_KEY } from './fixtures/audit/crafted-image.ts'
import { buildOciLayout, type BuiltLayout } from './fixtures/oci/layout.ts'
import { docker, ensureDocker, removeImage } from './testbed/docker.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import { pushPermissions, type Statement } from './testbed/emulator/index.ts'
import { cleanup, type RunResult } from './testbed/runner.ts'
import { closeBrowser, renderSummary } from './testbed/summary-view.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let work: string
let noDocker: string
let built: BuiltLayout

const CRIT = enhancedFinding({
  id: 'CVE-2024-1111',
  severity: 'CRITICAL',
  package: 'openssl',
  version: '3.0.1',
  fixedIn: '3.0.9',
})
const LOW = enhancedFinding({ id: 'CVE-2024-2222', severity: 'LOW', package: 'zlib', version: '1.2' })
const WRITES = [
  'InitiateLayerUpload',
  'UploadLayerPart',
  'CompleteLayerUpload',
  'PutImage',
  'BatchDeleteImage',
]

beforeAll(async () => {
  tb = await startTestbed({
    permissions: [
      ...pushPermissions('123456789012', 'acme/*', { scanDiscovery: true, governance: true }),
      {
        effect: 'Allow',
        action: 'ecr:GetDownloadUrlForLayer',
        resource: 'arn:aws:ecr:*:123456789012:repository/acme/*',
      },
    ],
  })
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-remote-'))
  noDocker = path.join(work, 'empty-path')
  fs.mkdirSync(noDocker)
  built = await buildOciLayout(path.join(work, 'layout'), {
    seed: 'remote',
    runtime: { Env: ['PATH=/usr/bin', `AWS_ACCESS_KEY_ID=${FAKE_KEY}`] },
  })
  const pushed = await tb.run({
    inputs: { image: `oci:${built.dir}`, tags: 'prod\nv1' },
    env: { PATH: noDocker },
  })
  if (pushed.code !== 0) throw new Error(`the layout's push failed:\n${pushed.log}`)
})

afterAll(async () => {
  await closeBrowser()
  expect(tb?.emulator.internalErrors ?? []).toEqual([])
  await tb?.close()
  fs.rmSync(work, { recursive: true, force: true })
  cleanup()
})

/** Every file of the real registry's storage, with its sha256: byte for byte what it holds. */
function storage(): Record<string, string> {
  const root = path.join(tb.backend.dir, 'data')
  const out: Record<string, string> = {}
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name)
      if (e.isDirectory()) walk(r)
      else
        out[r] = createHash('sha256')
          .update(fs.readFileSync(path.join(root, r)))
          .digest('hex')
    }
  }
  walk('')
  return out
}

const remote = (inputs: Record<string, string> = {}): Promise<RunResult> =>
  tb.run({ inputs: { image: '', push: 'false', tags: 'prod', ...inputs }, env: { PATH: noDocker } })

function auditOf(r: RunResult): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(r.outputs['audit-file'] as string, 'utf8')) as Record<string, unknown>
}

describe('push: false', () => {
  it('works on what the first tag names: same outputs, nothing written, no docker, the registry byte for byte unchanged', async () => {
    const before = storage()
    tb.emulator.clearCalls()
    const r = await remote({ tags: 'prod\nv1\nmissing', audit: 'true', 'fail-on-secrets': 'false' })
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    const host = tb.registry.host
    expect(r.outputs).toMatchObject({
      registry: host,
      'repository-uri': `${host}/acme/widget`,
      'image-uri': `${host}/acme/widget:prod`,
      'image-digest': built.index.digest,
      'image-ref': `${host}/acme/widget@${built.index.digest}`,
      tags: 'prod,v1',
      'aws-account-id': tb.account,
      gate: 'skipped',
      'layer-count': '2',
      'secrets-found': '1',
    })
    expect(r.outputs['token-expires-at']).toMatch(/^\d{4}-/)
    expect(r.warnings.some((w) => w.startsWith("Tag 'missing' does not exist"))).toBe(true)
    expect(r.summary).toContain('### Image in ECR (push: false: nothing pushed)')
    expect(r.state).toEqual({})
    const ops = tb.emulator.callsFor('registry').map((c) => c.operation)
    expect(ops.filter((o) => WRITES.includes(o))).toEqual([])
    expect(storage()).toEqual(before)
  })

  it('image-digest names the image instead; its tags are the ones ECR lists', async () => {
    const arm = built.platforms[1]?.manifest.digest ?? ''
    const r = await remote({ 'image-digest': built.index.digest })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs).toMatchObject({ 'image-digest': built.index.digest, tags: 'prod,v1' })
    const untagged = await remote({ 'image-digest': arm })
    expect(untagged.code, untagged.log).toBe(0)
    expect(untagged.outputs['image-uri']).toBe(`${tb.registry.host}/acme/widget@${arm}`)
    expect(untagged.outputs.tags).toBe('')
  })

  it.each([
    [
      { tags: 'nope' },
      /^Tag 'nope' does not exist in .*\/acme\/widget\. 'push: false' works on an image ECR already holds/,
    ],
    [
      { 'image-digest': `sha256:${'0'.repeat(64)}` },
      /^Image sha256:0{64} does not exist in .*\/acme\/widget\. Check 'image-digest'/,
    ],
    [
      { repository: 'acme/none' },
      /^Repository 'acme\/none' does not exist in registry 123456789012 \(us-east-1\): 'push: false'/,
    ],
  ])('%o: one clear error, nothing written', async (inputs, message) => {
    const before = storage()
    const r = await remote(inputs)
    expect(r.code, r.log).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(message)
    expect(storage()).toEqual(before)
  })
})

describe('every platform gated', () => {
  it('an index pushed from an OCI layout: both platforms read, the attestation not; one row per platform', async () => {
    setRegistryScanning(tb.emulator, {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
        },
      ],
    })
    const repo = tb.emulator.createRepository({ name: 'acme/gated' })
    const [amd, arm] = built.platforms
    setScanScenario(repo, { enhancedFindings: [LOW] }, amd?.manifest.digest)
    setScanScenario(repo, { enhancedFindings: [CRIT] }, arm?.manifest.digest)
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: {
        image: `oci:${built.dir}`,
        repository: 'acme/gated',
        'wait-for-scan': 'true',
        'scan-timeout-seconds': '90',
        'scan-settle-seconds': '0',
      },
      env: { PATH: noDocker },
    })
    expect(r.code, r.log).toBe(1)
    expect(r.outputs).toMatchObject({
      gate: 'failed',
      'findings-critical': '1',
      'findings-low': '1',
      'image-digest': built.index.digest,
    })
    expect(r.log).toContain('Image index: gating 2 platform image(s): linux/amd64, linux/arm64')
    expect(r.summary).toContain(`- Platform linux/amd64: \`${amd?.manifest.digest}\`: ACTIVE, 1 finding`)
    expect(r.summary).toContain(`- Platform linux/arm64: \`${arm?.manifest.digest}\`: ACTIVE, 1 finding`)
    expect(r.errors.some((e) => /^CRITICAL CVE-2024-1111 .*\[linux\/arm64\]/.test(e))).toBe(true)
    const read = tb.emulator
      .callsFor('ecr', 'DescribeImageScanFindings')
      .map((c) => (c.input.imageId as { imageDigest?: string }).imageDigest)
    expect(new Set(read)).toEqual(new Set([amd?.manifest.digest, arm?.manifest.digest]))

    // The scheduled re-check of the deployed tag: the same verdict, nothing pushed.
    const again = await remote({
      repository: 'acme/gated',
      tags: 't1',
      'wait-for-scan': 'true',
      'scan-timeout-seconds': '90',
      'scan-settle-seconds': '0',
    })
    expect(again.code, again.log).toBe(1)
    expect(again.outputs).toMatchObject({
      gate: 'failed',
      'findings-critical': '1',
      'image-digest': built.index.digest,
    })

    // Both summaries as GitHub shows them: the verdict first, one platform row each, nothing raw.
    for (const [run, name] of [
      [r, 'summary-oci-index-gate'],
      [again, 'summary-push-false-gate'],
    ] as const) {
      const view = await renderSummary(run.summary, { name })
      try {
        const headings = (await view.query('h3')).map((h) => h.text)
        expect(headings[0]).toMatch(/^❌ Scan gate failed/)
        expect(headings).toContain(run === r ? 'Pushed' : 'Image in ECR (push: false: nothing pushed)')
        const items = (await view.query('li')).map((c) => c.text)
        for (const p of ['linux/amd64', 'linux/arm64'])
          expect(items.filter((t) => t.startsWith(`Platform ${p}: sha256:`))).toHaveLength(1)
        expect(await view.problems()).toEqual([])
      } finally {
        await view.close()
      }
    }
  })
})

describe('the audit from the registry', () => {
  it('an index: reads linux/amd64 from the registry, says which platform; the export holds its files', async () => {
    const r = await remote({ audit: 'true', 'fail-on-secrets': 'false', 'export-filesystem': 'rootfs' })
    expect(r.code, r.log).toBe(0)
    const audit = auditOf(r) as { image: { platform?: string }; export: { files: number } }
    expect(audit.image.platform).toBe('linux/amd64')
    expect(r.warnings.some((w) => w.includes('the audit read linux/amd64 (not linux/arm64)'))).toBe(true)
    expect(readTree(path.join(r.dirs.workspace, 'rootfs')).tree).toEqual({
      app: 'dir',
      'app/amd64.txt': 'file 644 remote amd64\n',
      etc: 'dir',
      'etc/os-release': 'file 644 NAME=ocitest\nSEED=remote\n',
    })
  })

  describe('the same image read from docker and from the registry', () => {
    const tag = `ecr-sc-test/audit-remote:${process.pid}`
    let archive: string
    beforeAll(async () => {
      await ensureDocker()
      archive = path.join(work, 'crafted.tar')
      fs.writeFileSync(archive, await dockerArchive(CRAFTED, tag))
      await docker(['load', '-i', archive])
    })
    afterAll(async () => {
      await removeImage(tag)
    })

    /** The audit JSON without the export's own directory (each run exports elsewhere). */
    const comparable = (a: Record<string, unknown>): Record<string, unknown> => {
      const { export: exp, ...rest } = a as { export?: Record<string, unknown> }
      const { dir: _dir, ...stats } = exp ?? {}
      return { ...rest, export: stats }
    }

    it('push: false of a docker-pushed image: the same configuration, history, layers, secrets and exported tree', async () => {
      const inputs = {
        audit: 'true',
        'fail-on-secrets': 'false',
        'export-filesystem': 'rootfs',
        repository: 'acme/crafted',
      }
      tb.emulator.createRepository({ name: 'acme/crafted' })
      // docker-daemon:REF is the local engine's image, pushed with docker as a bare reference is.
      const fromDocker = await tb.run({ inputs: { image: `docker-daemon:${tag}`, tags: 'dk', ...inputs } })
      expect(fromDocker.code, fromDocker.log).toBe(0)
      const fromRegistry = await remote({ tags: 'dk', ...inputs })
      expect(fromRegistry.code, fromRegistry.log).toBe(0)
      expect(comparable(auditOf(fromRegistry))).toEqual(comparable(auditOf(fromDocker)))
      const tree = (r: RunResult) => readTree(path.join(r.dirs.workspace, 'rootfs'))
      expect(tree(fromRegistry)).toEqual(tree(fromDocker))
      expect(tree(fromRegistry).tree).toEqual(EXPECTED_TREE)
      expect(
        fromRegistry.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
      ).not.toContain(FAKE_KEY)
    })

    it('docker-archive: the docker save tar pushed without docker; same config (image ID), history, secrets, tree', async () => {
      tb.emulator.createRepository({ name: 'acme/saved' })
      const saved = path.join(work, 'saved.tar')
      execFileSync('docker', ['save', '-o', saved, tag])
      const inputs = {
        audit: 'true',
        'fail-on-secrets': 'false',
        'export-filesystem': 'rootfs',
        repository: 'acme/saved',
      }
      const fromArchive = await tb.run({
        inputs: { image: `docker-archive:${saved}:${tag}`, tags: 'a', ...inputs },
        env: { PATH: noDocker },
      })
      expect(fromArchive.code, fromArchive.log).toBe(0)
      const fromDocker = await tb.run({ inputs: { image: tag, tags: 'd', ...inputs } })
      expect(fromDocker.code, fromDocker.log).toBe(0)
      type Audit = {
        image: { imageId: string }
        history: unknown
        config: unknown
        secrets: unknown
        dockerfile: string
      }
      const a = auditOf(fromArchive) as Audit
      const d = auditOf(fromDocker) as Audit
      const imageId = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])
        .toString()
        .trim()
      expect(a.image.imageId).toBe(imageId)
      expect([a.history, a.config, a.secrets]).toEqual([d.history, d.config, d.secrets])
      expect(readTree(path.join(fromArchive.dirs.workspace, 'rootfs')).tree).toEqual(EXPECTED_TREE)
    })
  })
})

describe('least privilege (the README policies)', () => {
  const repoArn = 'arn:aws:ecr:us-east-1:123456789012:repository/acme/*'
  const role = (name: string, permissions: Statement[]): string => {
    const arn = `arn:aws:iam::123456789012:role/${name}`
    tb.emulator.addRole({ arn, trust: { sub: 'repo:acme/widget:*' }, permissions })
    return arn
  }
  const permissionWarnings = (r: RunResult): string[] =>
    r.warnings.filter((w) => /ecr:|not allowed|denied/i.test(w))

  it('push: false with the documented read-only policy: gate, governance and audit, no permission warning', async () => {
    const arn = role('recheck', [
      { action: ['ecr:GetAuthorizationToken', 'ecr:GetRegistryScanningConfiguration'], resource: '*' },
      {
        action: [
          'ecr:DescribeRepositories',
          'ecr:DescribeImages',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:DescribeImageScanFindings',
          'ecr:BatchGetRepositoryScanningConfiguration',
        ],
        resource: repoArn,
      },
    ])
    const r = await remote({
      'role-to-assume': arn,
      audit: 'true',
      'fail-on-secrets': 'false',
      'export-filesystem': 'fs',
    })
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    expect(permissionWarnings(r)).toEqual([])
  })

  it('an OCI push with the documented push policy lands; its audit then names the one action it lacks', async () => {
    const arn = role('oci-push', [
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
      {
        action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
          'ecr:BatchGetImage',
          'ecr:DescribeImages',
          'ecr:DescribeRepositories',
        ],
        resource: repoArn,
      },
    ])
    const inputs = { image: `oci:${built.dir}`, tags: 'least', 'role-to-assume': arn }
    const r = await tb.run({ inputs, env: { PATH: noDocker } })
    expect(r.code, r.log).toBe(0)
    expect(permissionWarnings(r)).toEqual([])
    expect(await tb.registry.manifestDigest('acme/widget', 'least')).toBe(built.index.digest)
    const audited = await tb.run({ inputs: { ...inputs, audit: 'true' }, env: { PATH: noDocker } })
    expect(audited.code, audited.log).toBe(1)
    expect(audited.errors.join('\n')).toMatch(
      /The image audit could not read .*Grant ecr:GetDownloadUrlForLayer on the repository acme\/widget\..*The image IS pushed/,
    )
  })
})
