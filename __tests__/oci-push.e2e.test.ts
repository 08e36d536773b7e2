// Pushes without a Docker engine (issue 12): an OCI image layout built here (two platforms sharing a
// layer, an attestation), its archive, through the bundled dist/ as the runner runs it, with no
// docker on the PATH, against the real registry behind the emulator's ECR front (ECR tokens, IAM on
// every request, ECR's upload rules). What the registry holds is read from the registry itself.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blobFile, buildOciLayout, tarDirectory, type BuiltLayout } from './fixtures/oci/layout.ts'
import { pushPermissions, type CallRecord, type Fault } from './testbed/emulator/index.ts'
import { startForwardProxy } from './testbed/netfaults.ts'
import { cleanup, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const execFileAsync = promisify(execFile)
const OTHER = '210987654321'
let tb: Testbed
let work: string
/** A PATH with nothing on it: no docker (the runner starts node by its full path). */
let noDocker: string

beforeAll(async () => {
  tb = await startTestbed({
    permissions: [
      ...pushPermissions('123456789012', 'acme/*', { scanDiscovery: true, governance: true }),
      // For the skopeo cross-check's pulls.
      { action: 'ecr:GetDownloadUrlForLayer', resource: 'arn:aws:ecr:*:123456789012:repository/acme/*' },
    ],
    otherAccounts: [OTHER],
  })
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-oci-'))
  noDocker = path.join(work, 'empty-path')
  fs.mkdirSync(noDocker)
})

afterAll(async () => {
  expect(tb?.emulator.internalErrors ?? []).toEqual([])
  await tb?.close()
  fs.rmSync(work, { recursive: true, force: true })
  cleanup()
})

/** A layout of its own under the work dir. */
async function layout(name: string, opts: Parameters<typeof buildOciLayout>[1] = {}): Promise<BuiltLayout> {
  return buildOciLayout(path.join(work, name), { seed: name, ...opts })
}

function ociRun(
  image: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<RunResult> {
  return tb.run({ inputs: { image, ...inputs }, env: { PATH: noDocker, ...env } })
}

const registryCalls = (): CallRecord[] => tb.emulator.callsFor('registry')
const WRITES = ['InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'PutImage']

/** Every manifest of the layout is in the repository under its digest, every other blob byte for byte. */
async function expectAllBlobs(repo: string, built: BuiltLayout): Promise<void> {
  const manifests = [
    built.index,
    ...built.platforms.map((p) => p.manifest),
    ...(built.attestation ? [built.attestation] : []),
  ]
  for (const m of manifests) expect(await tb.backend.manifestDigest(repo, m.digest)).toBe(m.digest)
  const names = new Set(manifests.map((m) => m.digest))
  for (const digest of built.blobs.filter((d) => !names.has(d))) {
    const bytes = fs.readFileSync(blobFile(built.dir, digest))
    const res = await fetch(`${tb.backend.url}/v2/${repo}/blobs/${digest}`, {
      headers: { authorization: tb.backend.authorization },
    })
    expect(res.status, `${digest} in ${repo}`).toBe(200)
    const got = Buffer.from(await res.arrayBuffer())
    expect(createHash('sha256').update(got).digest('hex')).toBe(digest.slice(7))
    expect(got.length).toBe(bytes.length)
  }
}

describe('oci: an image index, no docker on the PATH', () => {
  let built: BuiltLayout
  let r: RunResult

  beforeAll(async () => {
    built = await layout('index')
    tb.emulator.clearCalls()
    r = await ociRun(`oci:${built.dir}`, { tags: 'v1\nlatest' })
  })

  it('pushes the whole index under every tag; image-digest is the index digest', async () => {
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    expect(r.outputs['image-digest']).toBe(built.index.digest)
    expect(r.outputs['image-ref']).toBe(`${tb.registry.host}/acme/widget@${built.index.digest}`)
    expect(r.outputs.tags).toBe('v1,latest')
    expect(await tb.registry.manifestDigest('acme/widget', 'v1')).toBe(built.index.digest)
    expect(await tb.registry.manifestDigest('acme/widget', 'latest')).toBe(built.index.digest)
    expect(r.log).toContain('Pushing an index of 2 platform(s) (linux/amd64, linux/arm64)')
  })

  it('every platform manifest, the attestation and every blob are in the repository', async () => {
    for (const p of built.platforms) {
      expect(await tb.registry.manifestDigest('acme/widget', p.manifest.digest)).toBe(p.manifest.digest)
    }
    expect(await tb.registry.manifestDigest('acme/widget', built.attestation?.digest ?? '')).toBe(
      built.attestation?.digest,
    )
    await expectAllBlobs('acme/widget', built)
  })

  it('never logs docker in, never writes a docker config, sends the ECR token only to the registry', () => {
    expect(r.state).toEqual({})
    expect(fs.existsSync(path.join(r.dirs.home, '.docker'))).toBe(false)
    expect(fs.readdirSync(r.dirs.runnerTemp).filter((d) => d.includes('docker'))).toEqual([])
    const calls = registryCalls()
    expect(calls.length).toBeGreaterThan(0)
    expect(calls.every((c) => c.principalArn?.includes('github-ecr-push'))).toBe(true)
  })

  it('uploads the shared layer once', () => {
    const shared = built.platforms[0]?.layers[0]?.digest
    expect(shared).toBe(built.platforms[1]?.layers[0]?.digest)
    const completes = registryCalls().filter((c) => c.operation === 'CompleteLayerUpload' && c.status === 201)
    expect(completes.length).toBe(new Set(built.blobs).size - built.platforms.length - 2)
  })

  // Cross-check with another client (Debian's skopeo: scripts/testbed-setup.sh installs it).
  it('skopeo copies the pushed index back out, digest for digest', async () => {
    const { password } = await tb.registryToken()
    const out = path.join(work, 'skopeo-copy')
    // Asynchronously: the registry front runs in this process and must answer meanwhile.
    await execFileAsync(
      'skopeo',
      [
        'copy',
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--src-creds',
        `AWS:${password}`,
        `docker://${tb.registry.host}/acme/widget:v1`,
        `oci:${out}:copied`,
      ],
      { timeout: 120_000 },
    ).catch((err: { stderr?: string }) => {
      // Not the command line: it holds the token.
      throw new Error(`skopeo copy failed: ${err.stderr ?? ''}`)
    })
    const index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[]
    }
    expect(index.manifests.map((m) => m.digest)).toEqual([built.index.digest])
    for (const digest of built.blobs) expect(fs.existsSync(blobFile(out, digest)), digest).toBe(true)
  })

  it('a second push of the same layout uploads nothing: every blob is already there', async () => {
    tb.emulator.clearCalls()
    const again = await ociRun(`oci:${built.dir}`, { tags: 'v1' })
    expect(again.code, again.log).toBe(0)
    expect(again.outputs['image-digest']).toBe(built.index.digest)
    const ops = registryCalls().map((c) => c.operation)
    expect(ops).not.toContain('InitiateLayerUpload')
    expect(ops).not.toContain('UploadLayerPart')
    expect(again.log).toMatch(/Blobs: 0 uploaded \(0 B\), \d+ already in the repository/)
  })
})

describe('oci-archive: the same layout as a tar', () => {
  it('pushes the same index, digest for digest', async () => {
    const built = await layout('archive')
    const file = path.join(work, 'archive.tar')
    await tarDirectory(built.dir, file)
    tb.emulator.createRepository({ name: 'acme/archive' })
    const r = await ociRun(`oci-archive:${file}:latest`, { repository: 'acme/archive' })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs['image-digest']).toBe(built.index.digest)
    await expectAllBlobs('acme/archive', built)
  })
})

describe('oci: a single image (index.json lists an image manifest)', () => {
  it('pushes the manifest under the tag; image-digest is its digest', async () => {
    const built = await layout('single', { architectures: ['amd64'], attestation: false })
    const image = built.platforms[0]
    fs.writeFileSync(
      path.join(built.dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: [image?.manifest] }),
    )
    tb.emulator.createRepository({ name: 'acme/single' })
    const r = await ociRun(`oci:${built.dir}`, { repository: 'acme/single', tags: 'one' })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs['image-digest']).toBe(image?.manifest.digest)
    expect(r.log).toContain('Pushing an image from oci:')
    expect(await tb.registry.manifestDigest('acme/single', 'one')).toBe(image?.manifest.digest)
  })
})

describe('registry-id', () => {
  it("pushes the index to another account's registry when both policies allow it; ours gets nothing", async () => {
    const built = await layout('cross')
    const arn = 'arn:aws:iam::123456789012:role/oci-cross-account'
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: [
        ...pushPermissions('123456789012', 'acme/widget'),
        ...pushPermissions(OTHER, 'acme/shared').slice(1),
      ],
    })
    tb.emulator.createRepository({
      name: 'acme/shared',
      account: OTHER,
      policy: [{ principal: arn, action: 'ecr:*' }],
    })
    const r = await ociRun(`oci:${built.dir}`, {
      repository: 'acme/shared',
      tags: 'cross',
      'registry-id': OTHER,
      'role-to-assume': arn,
    })
    expect(r.code, r.log).toBe(0)
    const other = tb.registryFor(OTHER)
    expect(r.outputs.registry).toBe(other.host)
    expect(await other.manifestDigest('acme/shared', 'cross')).toBe(built.index.digest)
    expect(await tb.registry.catalog()).not.toContain('acme/shared')
  })
})

describe('proxies', () => {
  it('HTTP_PROXY carries every registry request; NO_PROXY naming the registry host sends them direct', async () => {
    const built = await layout('proxied')
    tb.emulator.createRepository({ name: 'acme/proxied' })
    const proxy = await startForwardProxy()
    try {
      const r = await ociRun(`oci:${built.dir}`, { repository: 'acme/proxied' }, { HTTP_PROXY: proxy.url })
      expect(r.code, r.log).toBe(0)
      const viaProxy = proxy.records.filter((x) =>
        x.target.startsWith(`http://${tb.registry.host}/v2/acme/proxied/`),
      )
      expect(viaProxy.length).toBeGreaterThan(0)
      expect(new Set(viaProxy.map((x) => x.method))).toEqual(new Set(['HEAD', 'POST', 'PUT', 'GET']))
      proxy.records.length = 0
      const direct = await ociRun(
        `oci:${built.dir}`,
        { repository: 'acme/proxied' },
        {
          HTTP_PROXY: proxy.url,
          NO_PROXY: tb.registry.host.replace(/:\d+$/, ''),
        },
      )
      expect(direct.code, direct.log).toBe(0)
      expect(proxy.records.filter((x) => x.target.includes(tb.registry.host))).toEqual([])
    } finally {
      await proxy.close()
    }
  })
})

describe('registry faults mid-upload', () => {
  it('500s, a reset in the middle of a part and a silently dropped part: survived, the right digest', async () => {
    const built = await layout('faults', { bigLayerBytes: 40 * 1024 * 1024 + 12345 })
    tb.emulator.createRepository({ name: 'acme/faults' })
    tb.emulator.clearCalls()
    tb.emulator.inject({
      service: 'registry',
      operation: 'InitiateLayerUpload',
      fault: { kind: 'error', status: 500, code: 'UNKNOWN' },
    })
    tb.emulator.inject({ service: 'registry', operation: 'PutImage', fault: { kind: 'reset' } })
    // The second part of the big layer is reset mid-way; the one after that is dropped; then a 503.
    let parts = 0
    const later: Record<number, Fault> = {
      2: { kind: 'reset-after', bytes: 1024 * 1024 },
      3: { kind: 'drop' },
      4: { kind: 'error', status: 503, code: 'UNAVAILABLE' },
    }
    tb.emulator.onRegistryRequest((info) => {
      if (info.repository !== 'acme/faults' || info.method !== 'PATCH') return
      const fault = later[++parts]
      if (fault) tb.emulator.inject({ service: 'registry', operation: 'UploadLayerPart', fault })
    })
    const r = await ociRun(`oci:${built.dir}`, { repository: 'acme/faults' })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs['image-digest']).toBe(built.index.digest)
    const injected = registryCalls().flatMap((c) => (c.injected ? [`${c.operation} ${c.injected}`] : []))
    expect(injected.sort()).toEqual([
      'InitiateLayerUpload error',
      'PutImage reset',
      'UploadLayerPart drop',
      'UploadLayerPart error',
      'UploadLayerPart reset-after',
    ])
    // Resumed from the registry's own Range, 16 MiB in: the first part is not sent again.
    expect(r.log).toMatch(/the registry holds 16777216 bytes, not 33554432: resending from there/)
    expect(r.log).toContain('asking the registry what it holds')
    await expectAllBlobs('acme/faults', built)
  })
})

describe('bad layouts: an error naming image, nothing pushed, no network call', () => {
  const cases: [string, (b: BuiltLayout) => string, RegExp][] = [
    [
      'a missing blob',
      (b) => {
        fs.rmSync(blobFile(b.dir, b.platforms[1]?.layers[1]?.digest ?? ''))
        return `oci:${b.dir}`
      },
      /^Invalid input 'image': 'oci:.*': the blob sha256:[a-f0-9]{64} is missing/,
    ],
    [
      'a manifest whose bytes do not match its digest',
      (b) => {
        const f = blobFile(b.dir, b.platforms[0]?.manifest.digest ?? '')
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"schemaVersion":2', '"schemaVersion":3'))
        return `oci:${b.dir}`
      },
      /the manifest blobs\/sha256\/[a-f0-9]{64} does not match its digest/,
    ],
    [
      'several images and no REF',
      (b) => {
        const index = JSON.parse(fs.readFileSync(path.join(b.dir, 'index.json'), 'utf8')) as {
          manifests: object[]
        }
        index.manifests.push({
          ...b.platforms[0]?.manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'other' },
        })
        fs.writeFileSync(path.join(b.dir, 'index.json'), JSON.stringify(index))
        return `oci:${b.dir}`
      },
      /index\.json lists 2 images \(latest, other\) and no REF picks one/,
    ],
    [
      'a REF the layout does not have',
      (b) => `oci:${b.dir}:nope`,
      /index\.json names no image 'nope' \(latest\)/,
    ],
    [
      'not a layout',
      (b) => `oci:${path.join(b.dir, 'blobs')}`,
      /it is not an OCI image layout \(no oci-layout file\)/,
    ],
  ]
  it.each(cases)('%s', async (name, spoil, message) => {
    const built = await layout(`bad-${name.replace(/\W+/g, '-')}`)
    const image = spoil(built)
    tb.emulator.clearCalls()
    const before = await tb.registry.catalog()
    const r = await ociRun(image)
    expect(r.code, r.log).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(message)
    expect(tb.emulator.calls).toEqual([])
    expect(await tb.registry.catalog()).toEqual(before)
  })

  it('a layer whose bytes do not match its digest: found before anything is uploaded', async () => {
    const built = await layout('bad-layer-bytes')
    const layer = blobFile(built.dir, built.platforms[1]?.layers[1]?.digest ?? '')
    const bytes = fs.readFileSync(layer)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff
    fs.writeFileSync(layer, bytes)
    tb.emulator.clearCalls()
    const r = await ociRun(`oci:${built.dir}`)
    expect(r.code, r.log).toBe(1)
    expect(r.errors[0]).toMatch(
      /^Invalid input 'image': 'oci:.*': the blob sha256:[a-f0-9]{64} does not match its digest/,
    )
    expect(registryCalls().filter((c) => WRITES.includes(c.operation))).toEqual([])
  })
})
