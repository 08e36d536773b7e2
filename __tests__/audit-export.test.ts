// The filesystem export against crafted archives (both layouts), the real engine's `docker save`
// of a `docker load`ed image, and hostile layers.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Docker } from '../src/docker.ts'
import { historyFromConfig, readLocalImage, saveImage } from '../src/audit/engine.ts'
import { exportSavedImage } from '../src/audit/export.ts'
import { analyze } from '../src/audit/analyze.ts'
import { docker, dockerEnv, ensureDocker, removeImage } from './testbed/docker.ts'
import { dockerArchive, ociArchive, readTree, type CraftedImage } from './fixtures/audit/craft.ts'
import { CRAFTED, EXPECTED_TREE, FAKE_KEY } from './fixtures/audit/crafted-image.ts'

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'audit-export-'))
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

async function exportBuffer(
  archive: Buffer,
): Promise<{ parent: string; out: string; result: Awaited<ReturnType<typeof exportSavedImage>> }> {
  const parent = tmp()
  dirs.push(parent)
  const out = path.join(parent, 'rootfs')
  const result = await exportSavedImage(Readable.from([archive]), out, parent)
  return { parent, out, result }
}

describe('export of crafted archives', () => {
  it.each([
    ['Docker legacy layout', () => dockerArchive(CRAFTED, 'crafted:test')],
    ['OCI image layout', () => ociArchive(CRAFTED)],
  ])('%s: layers applied in order, whiteouts, opaque dir, links', async (_name, make) => {
    const { out, result, parent } = await exportBuffer(await make())
    const { tree, hardlinks } = readTree(out)
    expect(tree).toEqual(EXPECTED_TREE)
    expect(hardlinks).toEqual(
      expect.arrayContaining([
        ['app/a.txt', 'app/b.txt'],
        ['bin/tool', 'bin/tool-link'],
      ]),
    )
    expect(result.result).toMatchObject({
      layers: 3,
      whiteouts: 2,
      hardlinks: 2,
      symlinks: 2,
      symlinksRewritten: 1,
      refusedCount: 0,
    })
    // The saved config's history has the exact empty_layer flags.
    const history = historyFromConfig(result.config)
    expect(history?.map((h) => h.emptyLayer)).toEqual([false, true, false, false, true])
    expect(fs.readdirSync(parent)).toEqual(['rootfs']) // the spool is gone
  })

  it('refuses entries that would leave the directory, and says why', async () => {
    const hostile: CraftedImage = {
      layers: [
        {
          createdBy: 'evil',
          entries: [
            { type: 'file', name: '../escape.txt', content: 'x' },
            { type: 'file', name: '/abs.txt', content: 'x' },
            { type: 'file', name: 'a/../../escape2.txt', content: 'x' },
            { type: 'symlink', name: 'out', target: '../../../../../etc' },
            { type: 'dir', name: 'sub/' },
            { type: 'symlink', name: 'sub/up', target: '..' },
            { type: 'symlink', name: 'etc', target: '/etc' },
            { type: 'link', name: 'shadow', target: '/etc/shadow' },
            { type: 'link', name: 'shadow2', target: '../../etc/shadow' },
            { type: 'file', name: 'ok.txt', content: 'fine' },
          ],
        },
        {
          createdBy: 'evil 2',
          entries: [
            { type: 'file', name: 'etc/passwd', content: 'through a symlink' },
            { type: 'dir', name: 'etc/cron.d/' },
            { type: 'file', name: 'sub/up/x', content: 'x' },
            { type: 'file', name: 'etc/.wh.passwd', content: '' },
            { type: 'file', name: 'out/x', content: 'inside: out was refused, so this is a plain directory' },
          ],
        },
      ],
    }
    const { out, parent, result } = await exportBuffer(await dockerArchive(hostile, 'hostile:test'))
    expect(fs.readdirSync(parent)).toEqual(['rootfs'])
    expect(readTree(out).tree).toEqual({
      etc: 'symlink -> etc',
      'ok.txt': 'file 644 fine',
      out: 'dir',
      'out/x': 'file 644 inside: out was refused, so this is a plain directory',
      sub: 'dir',
      'sub/up': 'symlink -> ..',
    })
    const refused = result.result.refused.map((r) => [r.layer, r.path, r.reason])
    expect(refused).toEqual([
      [1, '../escape.txt', 'path with ..'],
      [1, '/abs.txt', 'absolute path'],
      [1, 'a/../../escape2.txt', 'path with ..'],
      [1, 'out', 'symlink to ../../../../../etc points outside the image root'],
      [1, 'shadow', 'hard link to /etc/shadow: absolute path'],
      [1, 'shadow2', 'hard link to ../../etc/shadow: path with ..'],
      [2, 'etc/passwd', 'would write through the symlink /etc of an earlier entry'],
      [2, 'etc/cron.d/', 'would write through the symlink /etc of an earlier entry'],
      [2, 'sub/up/x', 'would write through the symlink /sub/up of an earlier entry'],
      [2, 'etc/.wh.passwd', 'would write through the symlink /etc of an earlier entry'],
    ])
    expect(fs.readFileSync('/etc/passwd', 'utf8')).not.toContain('through a symlink')
  })

  it('a corrupt archive fails with a plain error', async () => {
    await expect(exportBuffer(Buffer.from('not a tar at all'.repeat(100)))).rejects.toThrow()
  })
})

describe('export through the real engine (docker load, then docker save)', () => {
  const tag = `audit-crafted:t${process.pid}`
  beforeAll(async () => {
    await ensureDocker()
  })
  afterAll(async () => {
    await removeImage(tag)
  })

  it('the engine loads the crafted archive; its docker save exports to the same tree; its history is read', async () => {
    const archive = await dockerArchive(CRAFTED, tag)
    const parent = tmp()
    dirs.push(parent)
    fs.writeFileSync(path.join(parent, 'image.tar'), archive)
    await docker(['load', '-i', path.join(parent, 'image.tar')])
    const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim()

    const cli = new Docker(dockerEnv())
    const saved = saveImage(cli, id)
    const out = path.join(parent, 'rootfs')
    const [result] = await Promise.all([exportSavedImage(saved.stream, out, parent), saved.done])
    expect(readTree(out).tree).toEqual(EXPECTED_TREE)
    expect(result.result.refusedCount).toBe(0)

    // docker inspect + docker history (no save): the same layers and history, the key found.
    const local = await readLocalImage(cli, id)
    expect(local.diffIds).toHaveLength(3)
    expect(local.history.map((h) => h.emptyLayer)).toEqual([false, true, false, false, true])
    const masked: string[] = []
    const audit = analyze(
      {
        imageId: id,
        digest: 'sha256:x',
        imageRef: 'r',
        config: local.config,
        history: local.history,
        diffIds: local.diffIds,
        notes: [],
      },
      (v) => masked.push(v),
    )
    expect([...new Set(masked)]).toEqual([FAKE_KEY])
    expect(audit.secrets[0]?.where).toEqual(['history #2 (ENV)', 'history #3 (RUN)', 'env AWS_ACCESS_KEY_ID'])
    expect(audit.layers.map((l) => l.instruction)).toEqual([
      'COPY dir:base in /',
      'RUN aws configure set aws_access_key_id [secret AKIA…(20 chars) sha256:' +
        audit.secrets[0]?.fingerprint +
        '] && rm /secret.txt',
      'RUN ln /app/a.txt /app/b.txt',
    ])
  })
})
