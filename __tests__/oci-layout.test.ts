// Reading an image from disk (src/oci/layout.ts) before anything is pushed: OCI layouts, their
// archives, docker save archives; every way they can be wrong is an error naming `image`.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../src/errors.ts'
import { loadImage, verifyBlobs } from '../src/oci/layout.ts'
import { dockerArchive } from './fixtures/audit/craft.ts'
import { CRAFTED } from './fixtures/audit/crafted-image.ts'
import { blobFile, buildOciLayout, tarDirectory } from './fixtures/oci/layout.ts'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-layout-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

async function problem(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (err) {
    if (err instanceof InputError) return err.problems.join('\n')
    throw err
  }
  return 'no error'
}

describe('OCI layouts and their archives', () => {
  it('a layout and its archive load as the same graph: children before parents, each blob once', async () => {
    const built = await buildOciLayout(path.join(work, 'same'), { seed: 'same' })
    const file = path.join(work, 'same.tar')
    await tarDirectory(built.dir, file)
    const dir = await loadImage(`oci:${built.dir}`, { kind: 'oci', path: built.dir })
    const tar = await loadImage(`oci-archive:${file}`, { kind: 'oci-archive', path: file })
    for (const g of [dir, tar]) {
      expect(g.top.descriptor.digest).toBe(built.index.digest)
      expect(g.manifests.at(-1)?.descriptor.digest).toBe(built.index.digest)
      expect(g.platforms).toEqual(['linux/amd64', 'linux/arm64'])
      expect(new Set(g.blobs.map((b) => b.digest)).size).toBe(g.blobs.length)
      await verifyBlobs(g)
      expect(g.verified.size).toBe(g.blobs.length)
    }
    expect(tar.blobs).toEqual(dir.blobs)
  })

  it('a gzip-compressed archive says to decompress it; a file that is no tar says so', async () => {
    const built = await buildOciLayout(path.join(work, 'gz'), { seed: 'gz' })
    const file = path.join(work, 'gz.tar')
    await tarDirectory(built.dir, file)
    fs.writeFileSync(`${file}.gz`, gzipSync(fs.readFileSync(file)))
    expect(
      await problem(() => loadImage('oci-archive:x', { kind: 'oci-archive', path: `${file}.gz` })),
    ).toMatch(
      /^Invalid input 'image': 'oci-archive:x': .*gz is gzip-compressed: decompress it first \(gunzip\)\. Expected an uncompressed tar/,
    )
    fs.writeFileSync(path.join(work, 'junk.tar'), Buffer.alloc(4096, 1))
    expect(
      await problem(() =>
        loadImage('oci-archive:j', { kind: 'oci-archive', path: path.join(work, 'junk.tar') }),
      ),
    ).toContain('is not a tar archive')
    expect(
      await problem(() => loadImage('oci:nope', { kind: 'oci', path: path.join(work, 'nope') })),
    ).toContain('does not exist')
  })

  it('a descriptor whose size is not its file size, or a media type with parameters (ECR refuses them)', async () => {
    const built = await buildOciLayout(path.join(work, 'sizes'), { seed: 'sizes', attestation: false })
    const layer = blobFile(built.dir, built.platforms[0]?.layers[1]?.digest ?? '')
    fs.appendFileSync(layer, 'x')
    expect(await problem(() => loadImage('oci:s', { kind: 'oci', path: built.dir }))).toMatch(
      /the blob sha256:[a-f0-9]{64} has \d+ bytes, but its descriptor says \d+/,
    )
    const index = path.join(built.dir, 'index.json')
    const doc = JSON.parse(fs.readFileSync(index, 'utf8')) as { manifests: { mediaType: string }[] }
    doc.manifests[0] = {
      ...doc.manifests[0],
      mediaType: 'application/vnd.oci.image.index.v1+json; charset=utf-8',
    }
    fs.writeFileSync(index, JSON.stringify(doc))
    expect(await problem(() => loadImage('oci:s', { kind: 'oci', path: built.dir }))).toContain(
      'has an unusable mediaType',
    )
  })

  it('REF picks by the ref.name annotation, also by its tag part', async () => {
    const built = await buildOciLayout(path.join(work, 'ref'), {
      seed: 'ref',
      refName: 'registry.example/acme/widget:v2',
    })
    const g = await loadImage('oci:r:v2', { kind: 'oci', path: built.dir, ref: 'v2' })
    expect(g.top.descriptor.digest).toBe(built.index.digest)
  })
})

describe('docker save archives', () => {
  it('the config keeps its digest (the image ID); layers are hashed and checked against diff_ids', async () => {
    const file = path.join(work, 'saved.tar')
    fs.writeFileSync(file, await dockerArchive(CRAFTED, 'crafted:v1'))
    const g = await loadImage(`docker-archive:${file}`, {
      kind: 'docker-archive',
      path: file,
      ref: 'crafted:v1',
    })
    expect(g.top.parsed.layers).toHaveLength(3)
    expect(g.verified.size).toBe(g.blobs.length)
    const config = g.top.parsed.config
    expect(config?.mediaType).toBe('application/vnd.oci.image.config.v1+json')
    expect(
      await problem(() => loadImage('d', { kind: 'docker-archive', path: file, ref: 'other:tag' })),
    ).toMatch(/manifest\.json has no image tagged 'other:tag' \(crafted:v1\)/)
  })
})
