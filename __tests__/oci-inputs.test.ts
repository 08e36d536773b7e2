// The image's source (issue 12): the `image` transports, `push: false`, `image-digest`, as parsed
// from the inputs before any file is read or any network call is made; and the tar index that lets
// archives be streamed by offset.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tar from 'tar-stream'
import { afterAll, describe, expect, it } from 'vitest'
import { InputError } from '../src/errors.ts'
import { parseInputs } from '../src/inputs.ts'
import { confirmedBytes } from '../src/oci/client.ts'
import { parseImageSource } from '../src/oci/source.ts'
import { NotTarError, TarFiles, indexTar } from '../src/oci/tar-index.ts'
import { parseDescriptor, parseManifest } from '../src/oci/types.ts'

const base: Record<string, string> = {
  'role-to-assume': 'arn:aws:iam::123456789012:role/github-ecr-push',
  'aws-region': 'us-east-1',
  image: 'widget:ci',
  repository: 'acme/widget',
  tags: 'abc123',
}

function parse(over: Record<string, string>) {
  const values = { ...base, ...over }
  return parseInputs((name) => values[name] ?? '', { GITHUB_WORKSPACE: '/ws' })
}

function problems(over: Record<string, string>): string[] {
  try {
    parse(over)
  } catch (err) {
    if (err instanceof InputError) return err.problems
    throw err
  }
  return []
}

describe('the image transports, as skopeo names them', () => {
  it.each([
    ['widget:ci', { kind: 'docker', ref: 'widget:ci' }],
    ['docker-daemon:widget:ci', { kind: 'docker', ref: 'widget:ci' }],
    ['oci:build/oci', { kind: 'oci', path: '/ws/build/oci' }],
    ['oci:/abs/layout:v1.2', { kind: 'oci', path: '/abs/layout', ref: 'v1.2' }],
    ['oci-archive:image.tar:latest', { kind: 'oci-archive', path: '/ws/image.tar', ref: 'latest' }],
    ['docker-archive:saved.tar', { kind: 'docker-archive', path: '/ws/saved.tar' }],
    [
      'docker-archive:saved.tar:widget:ci',
      { kind: 'docker-archive', path: '/ws/saved.tar', ref: 'widget:ci' },
    ],
  ])('%s', (image, source) => {
    expect(parseImageSource(image, '/ws')).toEqual(source)
  })

  it.each([
    ['oci:', 'needs a path'],
    ['docker-daemon:', 'needs a local image'],
    ['oci:dir:bad ref', 'needs REF to be an image name or tag'],
  ])('rejects %s', (image, why) => {
    expect(parseImageSource(image, '/ws')).toContain(why)
    const p = problems({ image })
    expect(p).toHaveLength(1)
    expect(p[0]).toContain("Invalid input 'image'")
    expect(p[0]).toContain(why)
  })

  it('docker-daemon:REF is the local image REF for the docker push', () => {
    expect(parse({ image: 'docker-daemon:widget:ci' })).toMatchObject({ image: 'widget:ci', push: true })
  })

  it('an OCI source keeps its path, resolved in the workspace', () => {
    expect(parse({ image: 'oci:out' }).imageSource).toEqual({ kind: 'oci', path: '/ws/out' })
  })
})

describe('push and image-digest', () => {
  const digest = `sha256:${'a'.repeat(64)}`

  it('push: false needs no image, takes an image-digest', () => {
    expect(parse({ image: '', push: 'false', 'image-digest': digest })).toMatchObject({
      push: false,
      imageDigest: digest,
      image: '',
    })
  })

  it.each([
    [{ push: 'false' }, 'image', "no image with 'push: false'"],
    [{ image: '', push: 'false', 'image-digest': 'sha256:abc' }, 'image-digest', 'sha256:<64 hex digits>'],
    [{ 'image-digest': digest }, 'image-digest', "only with 'push: false'"],
    [{ image: '', push: 'false', 'keep-login': 'true' }, 'keep-login', 'never log docker in'],
    [{ image: 'oci:out', 'keep-login': 'true' }, 'keep-login', 'never log docker in'],
    [{ push: 'no' }, 'push', 'true or false'],
  ])('%o: one problem naming %s', (over, name, why) => {
    const p = problems(over)
    expect(p).toHaveLength(1)
    expect(p[0]).toContain(`'${name}'`)
    expect(p[0]).toContain(why)
  })

  it('push: true still needs an image, and says which forms it takes', () => {
    expect(problems({ image: '' })[0]).toMatch(/^Missing input 'image': .*oci:build\/oci.*'push: false'/)
  })
})

describe('registry answers are hostile', () => {
  it.each([
    ['0-0', 0],
    ['0-8388607', 8388608],
    ['bytes=0-99', 100],
    ['5-9', undefined],
    ['0-x', undefined],
    [undefined, undefined],
  ])('Range %s holds %s bytes', (range, bytes) => {
    expect(confirmedBytes(range)).toBe(bytes)
  })

  it.each([
    [{ mediaType: 'a/b', digest: 'sha256:zz', size: 1 }, 'unusable digest'],
    [{ mediaType: 'a/b', digest: `sha512:${'a'.repeat(128)}`, size: 1 }, 'unusable digest'],
    [{ mediaType: 'a/b', digest: `sha256:${'a'.repeat(64)}`, size: -1 }, 'unusable size'],
    [{ mediaType: 'a/b; charset=utf-8', digest: `sha256:${'a'.repeat(64)}`, size: 1 }, 'unusable mediaType'],
    ['x', 'not a descriptor'],
  ])('descriptor %o is refused (%s)', (doc, why) => {
    expect(parseDescriptor(doc, 'it')).toContain(why)
  })

  it('a manifest is JSON with a config, an index lists manifests; anything else is refused', () => {
    expect(() => parseManifest(Buffer.from('{'), '', 'm')).toThrow('m is not JSON')
    expect(() => parseManifest(Buffer.from('{"mediaType":"text/plain"}'), '', 'm')).toThrow(
      'neither an image manifest nor an index',
    )
    expect(() =>
      parseManifest(
        Buffer.from('{"mediaType":"application/vnd.oci.image.index.v1+json"}'),
        'application/vnd.oci.image.manifest.v1+json',
        'm',
      ),
    ).toThrow("says mediaType 'application/vnd.oci.image.index.v1+json' but is listed as")
  })
})

describe('the tar index', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-tar-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  async function write(
    file: string,
    entries: (Partial<tar.Header> & { name: string; content?: Buffer })[],
  ): Promise<string> {
    const pack = tar.pack()
    const out = fs.createWriteStream(path.join(dir, file))
    const done = new Promise<void>((resolve) => out.on('finish', () => resolve()))
    pack.pipe(out)
    for (const { content, ...h } of entries) {
      if (content === undefined) pack.entry(h)
      else pack.entry(h, content)
    }
    pack.finalize()
    await done
    return path.join(dir, file)
  }

  it('finds files by name, long names (pax) included, through links, and streams any range of them', async () => {
    const long = `${'d'.repeat(120)}/blob`
    const file = await write('a.tar', [
      { name: './index.json', content: Buffer.from('{"x":1}') },
      { name: long, content: Buffer.from('0123456789') },
      { name: 'sym', type: 'symlink', linkname: long },
      { name: 'hard', type: 'link', linkname: 'index.json' },
      { name: 'up', type: 'symlink', linkname: '../outside' },
    ])
    const files = new TarFiles(file, await indexTar(file))
    const read = async (name: string, start: number, end: number): Promise<string> => {
      const e = files.find(name)
      if (!e) return 'missing'
      const chunks: Buffer[] = []
      for await (const c of files.open(e, start, end)) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString()
    }
    expect(await read('index.json', 0, 7)).toBe('{"x":1}')
    expect(await read(long, 3, 7)).toBe('3456')
    expect(await read('sym', 0, 10)).toBe('0123456789')
    expect(await read('hard', 1, 4)).toBe('"x"')
    expect(await read('up', 0, 1)).toBe('missing')
  })

  it('anything but a tar is NotTarError', async () => {
    const file = path.join(dir, 'not.tar')
    fs.writeFileSync(file, Buffer.alloc(2048, 7))
    await expect(indexTar(file)).rejects.toBeInstanceOf(NotTarError)
  })
})
