// The filesystem export of a large image: a `docker save`-style archive of `sizeMiB` MiB (two
// layers, the second gzip-free and overwriting half of the first's files, plus a whiteout) is
// written to a temp dir without holding it in memory, then exported in a child process whose peak
// RSS (process.resourceUsage().maxRSS) is the honest measure. Target: <= 200 MiB RSS for 1 GiB.
// Run alone: node __tests__/bench/audit-bench.ts [sizeMiB]
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import * as tar from 'tar-stream'

const FILE = 8 * 1024 * 1024 // 8 MiB files
const CHUNK = 1024 * 1024

/** Bytes of a tar-stream pack of n regular files of `size` bytes (short names, no PAX). */
function tarSize(n: number, size: number): number {
  return n * (512 + Math.ceil(size / 512) * 512) + 1024
}

/** A deterministic, not compressible-to-nothing content stream of `size` bytes. */
function content(size: number, seed: number): Readable {
  let left = size
  const block = Buffer.alloc(CHUNK)
  for (let i = 0; i < CHUNK; i += 4) block.writeUInt32LE((i * 2654435761 + seed) >>> 0, i)
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null)
        return
      }
      const n = Math.min(left, CHUNK)
      left -= n
      this.push(n === CHUNK ? block : block.subarray(0, n))
    },
  })
}

async function entry(
  pack: tar.Pack,
  header: Partial<tar.Header> & { name: string },
  body: Readable | Buffer,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    if (Buffer.isBuffer(body)) {
      pack.entry(header as tar.Header, body, (err) => (err ? reject(err) : resolve()))
      return
    }
    const sink = pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()))
    body.pipe(sink as unknown as NodeJS.WritableStream)
  })
}

/** An inner layer tar, streamed. */
function layer(files: { name: string; size: number; seed: number }[], whiteouts: string[] = []): Readable {
  const pack = tar.pack()
  void (async () => {
    for (const w of whiteouts) await entry(pack, { name: w, size: 0, mode: 0o644 }, Buffer.alloc(0))
    for (const f of files)
      await entry(pack, { name: f.name, size: f.size, mode: 0o644 }, content(f.size, f.seed))
    pack.finalize()
  })()
  return pack as unknown as Readable
}

/** Writes the archive; returns its path. */
export async function writeLargeArchive(dir: string, sizeMiB: number): Promise<string> {
  const total = sizeMiB * 1024 * 1024
  const n1 = Math.max(2, Math.floor((total * 0.75) / FILE))
  const n2 = Math.max(1, Math.floor((total * 0.25) / FILE))
  const files1 = Array.from({ length: n1 }, (_, i) => ({ name: `data/f${i}.bin`, size: FILE, seed: i }))
  const files2 = Array.from({ length: n2 }, (_, i) => ({
    name: `data/f${i}.bin`,
    size: FILE,
    seed: 1000 + i,
  }))
  const wh = ['data/.wh.f1.bin']
  const file = path.join(dir, 'image.tar')
  const outer = tar.pack()
  const written = pipeline(outer as unknown as Readable, createWriteStream(file))
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    }),
  )
  await entry(outer, { name: 'l1/layer.tar', size: tarSize(n1, FILE) }, layer(files1))
  await entry(
    outer,
    { name: 'l2/layer.tar', size: tarSize(n2 + wh.length, FILE) - wh.length * FILE },
    layer(files2, wh),
  )
  await entry(outer, { name: 'config.json' }, config)
  await entry(
    outer,
    { name: 'manifest.json' },
    Buffer.from(JSON.stringify([{ Config: 'config.json', Layers: ['l1/layer.tar', 'l2/layer.tar'] }])),
  )
  outer.finalize()
  await written
  return file
}

/** Builds a `sizeMiB` archive and exports it in a child process: wall time and peak RSS. */
export async function benchExport(sizeMiB = 1024): Promise<{ ms: number; rssMiB: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-bench-'))
  try {
    const archive = await writeLargeArchive(dir, sizeMiB)
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', archive, path.join(dir, 'rootfs'), dir],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      let text = ''
      child.stdout.on('data', (b: Buffer) => (text += b.toString()))
      child.once('error', reject)
      child.once('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`export child exited ${code}`)),
      )
    })
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { ms: number; rssMiB: number }
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

async function child(archive: string, out: string, spool: string): Promise<void> {
  const { exportSavedImage } = await import('../../src/audit/export.ts')
  const { createReadStream } = await import('node:fs')
  const t0 = performance.now()
  const { result } = await exportSavedImage(createReadStream(archive), out, spool)
  const ms = Math.round(performance.now() - t0)
  if (result.files === 0 || result.whiteouts !== 1)
    throw new Error(`unexpected export: ${JSON.stringify(result)}`)
  process.stdout.write(
    `${JSON.stringify({ ms, rssMiB: Math.round(process.resourceUsage().maxRSS / 1024), bytes: result.bytes })}\n`,
  )
}

const self = fileURLToPath(import.meta.url)
if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string)
  } else {
    const size = Number(process.argv[2] ?? 1024)
    const r = await benchExport(size)
    console.log(
      `audit export of a ${size} MiB image: ${r.ms} ms, peak RSS ${r.rssMiB} MiB (target <= 200 MiB)`,
    )
    if (r.rssMiB > 200) process.exitCode = 1
  }
}
