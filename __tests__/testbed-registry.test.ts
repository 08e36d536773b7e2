// The real registry of the test bed: auth, a push over plain HTTP, tags/digest/catalog, read-only mode.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRegistry, type Registry } from './testbed/registry.ts'

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

async function uploadBlob(
  reg: Registry,
  repo: string,
  content: Buffer,
): Promise<{ status: number; digest: string }> {
  const digest = sha256(content)
  const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization: reg.authorization },
  })
  await start.arrayBuffer()
  if (start.status !== 202) return { status: start.status, digest }
  const location = new URL(start.headers.get('location') ?? '', reg.url)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, {
    method: 'PUT',
    headers: { authorization: reg.authorization, 'content-type': 'application/octet-stream' },
    body: content,
  })
  await put.arrayBuffer()
  return { status: put.status, digest }
}

async function pushTinyImage(reg: Registry, repo: string, tag: string): Promise<string> {
  const layer = Buffer.from('not really a tarball, the registry only checks the digest')
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    }),
  )
  const l = await uploadBlob(reg, repo, layer)
  const c = await uploadBlob(reg, repo, config)
  expect([l.status, c.status]).toEqual([201, 201])
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: c.digest,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: layer.length,
        digest: l.digest,
      },
    ],
  })
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: {
      authorization: reg.authorization,
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
    },
    body: manifest,
  })
  const text = await res.text()
  expect(res.status, text).toBe(201)
  expect(res.headers.get('docker-content-digest')).toBe(sha256(manifest))
  return sha256(manifest)
}

describe('startRegistry', () => {
  let reg: Registry

  beforeAll(async () => {
    reg = await startRegistry()
  })
  afterAll(async () => {
    await reg.stop()
  })

  it('listens on loopback and asks for basic auth', async () => {
    expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(reg.url).toBe(`http://${reg.host}`)
    expect(reg.username).toBe('AWS')
    expect(reg.password.length).toBeGreaterThanOrEqual(32)
    const anon = await fetch(`${reg.url}/v2/`)
    expect(anon.status).toBe(401)
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm="ecr-testbed"/)
    const wrong = await fetch(`${reg.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from('AWS:wrong').toString('base64')}` },
    })
    expect(wrong.status).toBe(401)
    const ok = await fetch(`${reg.url}/v2/`, { headers: { authorization: reg.authorization } })
    expect(ok.status).toBe(200)
  })

  it('takes a push and reports tags, digests and the catalog', async () => {
    expect(await reg.tags('acme/widget')).toEqual([])
    expect(await reg.manifestDigest('acme/widget', 'v1')).toBeUndefined()
    const digest = await pushTinyImage(reg, 'acme/widget', 'v1')
    await fetch(`${reg.url}/v2/acme/widget/manifests/v2`, {
      method: 'PUT',
      headers: {
        authorization: reg.authorization,
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      },
      body: await (
        await fetch(`${reg.url}/v2/acme/widget/manifests/v1`, {
          headers: {
            authorization: reg.authorization,
            accept: 'application/vnd.docker.distribution.manifest.v2+json',
          },
        })
      ).arrayBuffer(),
    }).then((r) => r.arrayBuffer())
    expect(await reg.tags('acme/widget')).toEqual(['v1', 'v2'])
    expect(await reg.manifestDigest('acme/widget', 'v1')).toBe(digest)
    expect(await reg.manifestDigest('acme/widget', 'v2')).toBe(digest)
    expect(await reg.manifestDigest('acme/widget', digest)).toBe(digest)
    expect(await reg.catalog()).toEqual(['acme/widget'])
    expect(reg.log()).toContain('acme/widget')
  })

  it('uses a given password and removes its dir on stop', async () => {
    const other = await startRegistry({ password: 'pa55:word' })
    expect(other.password).toBe('pa55:word')
    const ok = await fetch(`${other.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from('AWS:pa55:word').toString('base64')}` },
    })
    expect(ok.status).toBe(200)
    expect(other.port).not.toBe(reg.port)
    await other.stop()
    expect(fs.existsSync(other.dir)).toBe(false)
    await expect(fetch(`${other.url}/v2/`)).rejects.toThrow()
  })
})

describe('startRegistry({ readonly: true })', () => {
  it('refuses uploads but still authenticates', async () => {
    const ro = await startRegistry({ readonly: true })
    try {
      const ok = await fetch(`${ro.url}/v2/`, { headers: { authorization: ro.authorization } })
      expect(ok.status).toBe(200)
      const up = await uploadBlob(ro, 'acme/widget', Buffer.from('x'))
      expect(up.status).toBe(405)
      expect(await ro.tags('acme/widget')).toEqual([])
    } finally {
      await ro.stop()
    }
  })
})
