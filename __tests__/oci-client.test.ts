// The registry client (src/oci/client.ts) on its own: against the emulator's ECR front before the
// real registry (parts in ECR's sizes, mounts as ECR does them or not at all), and against a hostile
// registry made here for what no honest one does (a Location on another origin, wrong bytes, a
// redirect off the registry, an answer too big, control characters in an error).
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RegistryClient, type BlobOpener } from '../src/oci/client.ts'
import { noise } from './fixtures/oci/layout.ts'
import { pushPermissions } from './testbed/emulator/index.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`
const opener =
  (b: Buffer): BlobOpener =>
  (start, end) =>
    Readable.from([b.subarray(start, end)])
const quick = { attempts: 2, baseMs: 1, capMs: 2 }

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

describe('against the ECR front', () => {
  let tb: Testbed
  let password: string
  const client = (repository: string): RegistryClient =>
    new RegistryClient({
      origin: tb.registry.url,
      repository,
      username: 'AWS',
      password,
      env: {},
      retry: quick,
    })

  beforeAll(async () => {
    tb = await startTestbed({
      permissions: [
        ...pushPermissions('123456789012', 'acme/*'),
        { action: 'ecr:GetDownloadUrlForLayer', resource: 'arn:aws:ecr:*:123456789012:repository/acme/*' },
      ],
    })
    for (const name of ['acme/a', 'acme/b', 'acme/c'])
      tb.emulator.createRepository({
        name,
        ...(name === 'acme/c' ? { encryption: { encryptionType: 'KMS' } } : {}),
      })
    password = (await tb.registryToken()).password
  })
  afterAll(async () => {
    expect(tb?.emulator.internalErrors ?? []).toEqual([])
    await tb?.close()
  })

  it('a 20 MiB blob goes up in a 16 MiB part and a 4 MiB one, and comes back byte for byte', async () => {
    const blob = noise('client-20m', 20 * 1024 * 1024)
    const ref = { digest: sha(blob), size: blob.length }
    tb.emulator.clearCalls()
    expect(await client('acme/a').uploadBlob(ref, opener(blob))).toBe('uploaded')
    const parts = tb.emulator
      .callsFor('registry', 'UploadLayerPart')
      .filter((c) => c.input.method === 'PATCH')
    expect(parts).toHaveLength(2)
    expect(await client('acme/a').uploadBlob(ref, opener(blob))).toBe('exists')
    expect(sha(await readAll(await client('acme/a').blobStream(ref)))).toBe(ref.digest)
  })

  it('mounts: ECR without BLOB_MOUNTING answers with a fresh upload, which goes on; with it, the blob is mounted', async () => {
    const blob = noise('client-mount', 64 * 1024)
    const ref = { digest: sha(blob), size: blob.length }
    await client('acme/a').uploadBlob(ref, opener(blob))
    tb.emulator.clearCalls()
    expect(await client('acme/b').uploadBlob(ref, opener(blob), { mountFrom: 'acme/a' })).toBe('uploaded')

    const other = noise('client-mount-2', 64 * 1024)
    const ref2 = { digest: sha(other), size: other.length }
    await client('acme/a').uploadBlob(ref2, opener(other))
    tb.emulator.state.ext.blobMounting = new Set(['123456789012/us-east-1'])
    try {
      tb.emulator.clearCalls()
      expect(await client('acme/b').uploadBlob(ref2, opener(other), { mountFrom: 'acme/a' })).toBe('mounted')
      expect(tb.emulator.callsFor('registry', 'UploadLayerPart')).toEqual([])
      expect(await client('acme/b').hasBlob(ref2)).toBe(true)
      // Another encryption type: ECR does not mount; the upload goes on in the session it opened.
      expect(await client('acme/c').uploadBlob(ref2, opener(other), { mountFrom: 'acme/a' })).toBe('uploaded')
    } finally {
      delete tb.emulator.state.ext.blobMounting
    }
  })

  it('a refusal names the ECR action to grant', async () => {
    const locked = new RegistryClient({
      origin: tb.registry.url,
      repository: 'other/x',
      username: 'AWS',
      password,
      env: {},
      retry: quick,
    })
    await expect(locked.getManifest('latest')).rejects.toThrow(
      /HTTP 403 DENIED.*Grant ecr:BatchGetImage on the repository other\/x/,
    )
  })
})

describe('against a hostile registry', () => {
  let hostile: http.Server
  let elsewhere: http.Server
  let origin: string
  let other: string
  const seenElsewhere: { url: string; authorization?: string }[] = []
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end()

  beforeAll(async () => {
    hostile = http.createServer((req, res) => answer(req, res))
    elsewhere = http.createServer((req, res) => {
      seenElsewhere.push({
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      })
      res.end('elsewhere bytes')
    })
    for (const s of [hostile, elsewhere]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    origin = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`
    other = `http://localhost:${(elsewhere.address() as AddressInfo).port}`
  })
  afterAll(() => {
    hostile.close()
    elsewhere.close()
  })

  const client = (): RegistryClient =>
    new RegistryClient({
      origin,
      repository: 'acme/a',
      username: 'AWS',
      password: 'secret-token',
      env: {},
      retry: quick,
    })
  const blob = Buffer.from('the blob')
  const ref = { digest: sha(blob), size: blob.length }

  it('an upload Location on another origin is refused; the token never goes there', async () => {
    answer = (req, res) => {
      if (req.method === 'HEAD') res.writeHead(404).end()
      else res.writeHead(202, { location: `${other}/steal` }).end()
    }
    seenElsewhere.length = 0
    await expect(client().uploadBlob(ref, opener(blob))).rejects.toThrow(
      /upload location on another origin \(http:\/\/localhost:\d+\): refused, the ECR token is sent only to http:\/\/127\.0\.0\.1:\d+/,
    )
    expect(seenElsewhere).toEqual([])
  })

  it('a blob served with other bytes fails its stream', async () => {
    answer = (_req, res) => res.writeHead(200).end('not the blob')
    await expect(readAll(await client().blobStream(ref))).rejects.toThrow(
      /the registry sent more than the 8 bytes/,
    )
    answer = (_req, res) => res.writeHead(200).end('the blub')
    await expect(readAll(await client().blobStream(ref))).rejects.toThrow(
      /the registry sent 8 bytes with sha256:[a-f0-9]{64} for sha256:/,
    )
  })

  it('a redirect to storage is followed without the token', async () => {
    const stored = Buffer.from('elsewhere bytes')
    answer = (_req, res) => res.writeHead(307, { location: `${other}/bucket/blob?sig=1` }).end()
    seenElsewhere.length = 0
    const got = await readAll(await client().blobStream({ digest: sha(stored), size: stored.length }))
    expect(got.toString()).toBe('elsewhere bytes')
    expect(seenElsewhere).toEqual([{ url: '/bucket/blob?sig=1' }])
  })

  it('a manifest answer over 4 MiB is refused; a manifest whose bytes are not its digest too', async () => {
    answer = (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
        .end(Buffer.alloc(5 * 1024 * 1024, 32))
    await expect(client().getManifest('latest')).rejects.toThrow(/larger than 4194304 bytes: refused/)
    answer = (_req, res) => res.writeHead(200).end('{}')
    await expect(client().getManifest(ref.digest)).rejects.toThrow(
      /served sha256:[a-f0-9]{64} when asked for the manifest/,
    )
  })

  it("an error's text is cut and its control characters shown as ?", async () => {
    answer = (_req, res) =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ errors: [{ code: 'X\u001b[31m', message: `bad\n::error::${'y'.repeat(500)}` }] }),
        )
    const err = (await client()
      .getManifest('latest')
      .then(() => new Error('no error'))
      .catch((e: unknown) => e)) as Error
    expect(err.message).toMatch(/HTTP 400 X\?\[31m: bad\?::error::y+…\)$/)
    expect(err.message).not.toContain('\n')
    expect(err.message.length).toBeLessThan(500)
  })

  it('5xx and resets are retried, then reported plainly', async () => {
    let n = 0
    answer = (req, res) => {
      n++
      if (n === 1) req.socket.destroy()
      else res.writeHead(503).end()
    }
    await expect(client().getManifest('latest')).rejects.toThrow(/HTTP 503/)
    expect(n).toBe(2)
  })
})
