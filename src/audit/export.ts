/**
 * The image's merged root filesystem, extracted from a `docker save` archive without running
 * anything. Both archive layouts: Docker's legacy one (manifest.json + <id>/layer.tar) and the OCI
 * layout of newer engines (index.json + blobs/sha256/…); layers plain or gzip/zstd compressed.
 *
 * Streamed: the archive is read once; layers are spooled to disk (the archive lists manifest.json
 * last, so the layer order is known only at its end), then applied in order one entry at a time.
 *
 * Never writes outside `dir`: entries with absolute paths or `..`, relative symlinks that climb out
 * of the root, hard links to such paths, and anything that would be written THROUGH a symlink are
 * refused and reported. Absolute symlink targets (`/etc/localtime -> /usr/share/zoneinfo/UTC`) are
 * rewritten relative to the export root, so they resolve inside it. Devices and FIFOs are skipped.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { Readable, type Transform } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import * as tar from 'tar-stream'

export interface Refusal {
  /** 1-based layer number. */
  layer: number
  path: string
  reason: string
}

export interface ExportResult {
  dir: string
  layers: number
  files: number
  dirs: number
  symlinks: number
  /** Absolute symlink targets rewritten to stay inside the export. */
  symlinksRewritten: number
  hardlinks: number
  whiteouts: number
  /** Devices, FIFOs and other entries that are not created. */
  skipped: number
  bytes: number
  refusedCount: number
  /** The first 1000 refusals. */
  refused: Refusal[]
}

export interface SavedImage {
  /** The image configuration JSON (history with empty_layer, rootfs.diff_ids, config). */
  config: unknown
  result: ExportResult
}

/** Entries kept in memory (manifests, configs); anything larger is spooled to a file. */
const IN_MEMORY = 256 * 1024
const MAX_REFUSALS = 1000

type Spooled = { buffer: Buffer } | { file: string }

/** Reads a `docker save` archive from `archive` and applies its layers into `dir` (created). */
export async function exportSavedImage(
  archive: Readable,
  dir: string,
  spoolDir: string,
): Promise<SavedImage> {
  const root = await exportRoot(dir)
  const spool = await fs.mkdtemp(path.join(spoolDir, 'ecr-audit-spool-'))
  try {
    const { entries, links } = await spoolArchive(archive, spool)
    const get = (name: string): Spooled | undefined => {
      let n = normalizeArchiveName(name)
      for (let hops = 0; hops < 8; hops++) {
        const e = entries.get(n)
        if (e) return e
        const target = links.get(n)
        if (target === undefined) return undefined
        n = target
      }
      return undefined
    }
    const json = async (name: string): Promise<unknown> => {
      const e = get(name)
      if (!e) throw new Error(`the saved image has no ${name}`)
      return JSON.parse(('buffer' in e ? e.buffer : await fs.readFile(e.file)).toString('utf8')) as unknown
    }
    const { configName, layerNames } = await layout(get, json)
    const config = await json(configName)
    const applier = new LayerApplier(root)
    for (const [i, name] of layerNames.entries()) {
      const e = get(name)
      if (!e) throw new Error(`the saved image lacks its layer ${name}`)
      await applier.applyLayer(i + 1, e)
    }
    return { config, result: applier.result(dir, layerNames.length) }
  } finally {
    await fs.rm(spool, { recursive: true, force: true })
  }
}

/**
 * The export directory, created (its parents too) or found empty, and never reached through a
 * link: the real path of `dir` must be its real parent plus its own name, and it must hold nothing.
 */
async function exportRoot(dir: string): Promise<string> {
  await fs.mkdir(path.dirname(dir), { recursive: true })
  await fs.mkdir(dir, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err
  })
  const st = await fs.lstat(dir)
  if (!st.isDirectory())
    throw new Error(`${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}`)
  const root = await fs.realpath(dir)
  if (root !== path.join(await fs.realpath(path.dirname(dir)), path.basename(dir)))
    throw new Error(`${dir} is reached through a link`)
  if ((await fs.readdir(root)).length > 0) throw new Error(`${dir} is not empty`)
  return root
}

function normalizeArchiveName(name: string): string {
  return path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/$/, '')
}

/** Runs `handler` on each entry of the tar that `streams` yield, one at a time; it must consume the entry. */
async function eachEntry(
  streams: Readable[],
  handler: (h: tar.Header, entry: Readable) => Promise<void>,
): Promise<void> {
  const extract = tar.extract()
  // The extractor may finish before the last handler's continuation has run: await it too.
  let pending: Promise<void> = Promise.resolve()
  extract.on('entry', (header, entry, next) => {
    pending = handler(header, entry as unknown as Readable).then(
      () => next(),
      (err: unknown) => next(err as Error), // fails the pipeline below
    )
  })
  await pipeline([...streams, extract] as unknown as [Readable, ...Transform[]])
  await pending
}

async function drain(entry: Readable): Promise<void> {
  entry.resume()
  await finished(entry)
}

/** One pass over the outer archive: small entries in memory, big ones in spool files. */
async function spoolArchive(
  archive: Readable,
  spool: string,
): Promise<{ entries: Map<string, Spooled>; links: Map<string, string> }> {
  const entries = new Map<string, Spooled>()
  const links = new Map<string, string>()
  let n = 0
  try {
    await eachEntry([archive], async (h, entry) => {
      const name = normalizeArchiveName(h.name)
      if (h.type === 'file' || h.type === 'contiguous-file') {
        if ((h.size ?? 0) <= IN_MEMORY) {
          const chunks: Buffer[] = []
          entry.on('data', (c: Buffer) => chunks.push(c))
          await finished(entry)
          entries.set(name, { buffer: Buffer.concat(chunks) })
        } else {
          const file = path.join(spool, String(n++))
          await pipeline(entry, createWriteStream(file))
          entries.set(name, { file })
        }
        return
      }
      if (h.type === 'symlink' && h.linkname) {
        // Docker links a layer seen twice: <id>/layer.tar -> ../<other>/layer.tar
        links.set(name, normalizeArchiveName(path.posix.join(path.posix.dirname(name), h.linkname)))
      } else if (h.type === 'link' && h.linkname) {
        links.set(name, normalizeArchiveName(h.linkname))
      }
      await drain(entry)
    })
  } catch (err) {
    archive.destroy()
    throw err
  }
  return { entries, links }
}

interface Layout {
  configName: string
  layerNames: string[]
}

/** Where the config and the layers are: Docker's manifest.json, else the OCI index.json. */
async function layout(
  get: (name: string) => Spooled | undefined,
  json: (name: string) => Promise<unknown>,
): Promise<Layout> {
  if (get('manifest.json')) {
    const m = (await json('manifest.json')) as { Config?: unknown; Layers?: unknown }[]
    const first = Array.isArray(m) ? m[0] : undefined
    if (first && typeof first.Config === 'string' && Array.isArray(first.Layers)) {
      return { configName: first.Config, layerNames: first.Layers.map(String) }
    }
  }
  if (get('index.json')) {
    const blob = (digest: unknown): string => {
      const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(String(digest))
      if (!m) throw new Error(`bad digest ${String(digest)} in the saved image`)
      return `blobs/${m[1]}/${m[2]}`
    }
    let node = (await json('index.json')) as { manifests?: { digest?: unknown; mediaType?: unknown }[] }
    // Walk nested indexes down to the first image manifest.
    for (let depth = 0; depth < 4; depth++) {
      const child = node.manifests?.[0]
      if (!child) break
      const doc = (await json(blob(child.digest))) as {
        manifests?: { digest?: unknown }[]
        config?: { digest?: unknown }
        layers?: { digest?: unknown }[]
      }
      if (doc.config && Array.isArray(doc.layers)) {
        return { configName: blob(doc.config.digest), layerNames: doc.layers.map((l) => blob(l.digest)) }
      }
      node = doc
    }
  }
  throw new Error(
    'the saved image has neither a Docker manifest.json nor an OCI index.json with an image manifest',
  )
}

/** Applies layer tars into a root directory, one entry at a time. */
export class LayerApplier {
  private readonly root: string
  private readonly safeDirs = new Set<string>()
  private written = new Set<string>()
  private layer = 0
  private readonly stats = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    symlinksRewritten: 0,
    hardlinks: 0,
    whiteouts: 0,
    skipped: 0,
    bytes: 0,
    refusedCount: 0,
  }
  private readonly refused: Refusal[] = []

  /** `root` must be a real path (no symlink in it). */
  constructor(root: string) {
    this.root = root
  }

  result(dir: string, layers: number): ExportResult {
    return { dir, layers, ...this.stats, refused: this.refused }
  }

  /** Applies one layer (a tar, possibly compressed) given as a buffer, a file or a stream. */
  async applyLayer(layer: number, source: Spooled | Readable): Promise<void> {
    this.layer = layer
    this.written = new Set()
    let input: Readable
    let magic: Buffer
    if (source instanceof Readable) {
      input = source
      magic = Buffer.alloc(0)
    } else if ('buffer' in source) {
      input = Readable.from([source.buffer])
      magic = source.buffer.subarray(0, 4)
    } else {
      const fh = await fs.open(source.file, 'r')
      try {
        magic = Buffer.alloc(4)
        const { bytesRead } = await fh.read(magic, 0, 4, 0)
        magic = magic.subarray(0, bytesRead)
      } finally {
        await fh.close()
      }
      input = createReadStream(source.file, { highWaterMark: 256 * 1024 })
    }
    const stages: Transform[] = []
    if (magic[0] === 0x1f && magic[1] === 0x8b) stages.push(zlib.createGunzip())
    else if (magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
      const z = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress
      if (!z) throw new Error(`layer ${layer} is zstd-compressed, which this Node.js cannot read`)
      stages.push(z())
    }
    try {
      await eachEntry([input, ...stages], (h, entry) => this.apply(h, entry))
    } catch (err) {
      input.destroy()
      throw err
    }
  }

  private refuse(name: string, reason: string): void {
    this.stats.refusedCount++
    if (this.refused.length < MAX_REFUSALS) this.refused.push({ layer: this.layer, path: name, reason })
  }

  /** Image-relative path parts of an entry name, or a reason to refuse it. */
  static parts(name: string): string[] | string {
    if (name.startsWith('/')) return 'absolute path'
    const parts = name.split('/').filter((p) => p !== '' && p !== '.')
    if (parts.includes('..')) return 'path with ..'
    if (parts.some((p) => p.includes('\0'))) return 'NUL in path'
    return parts
  }

  private abs(parts: readonly string[]): string {
    return path.join(this.root, ...parts)
  }

  /**
   * Makes sure every directory above an entry is a real directory inside the root (creating missing
   * ones); returns a refusal reason when one is a symlink (writing through it could leave the root).
   */
  private async parentsOk(parts: readonly string[], create: boolean): Promise<string | undefined> {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/')
      if (this.safeDirs.has(rel)) continue
      const p = this.abs(parts.slice(0, i))
      const st = await fs.lstat(p).catch(() => undefined)
      if (st === undefined) {
        if (!create) return 'missing'
        await fs.mkdir(p, { mode: 0o755 })
        this.written.add(rel)
      } else if (st.isSymbolicLink()) {
        return `would write through the symlink /${rel} of an earlier entry`
      } else if (!st.isDirectory()) {
        return `/${rel} is not a directory`
      }
      this.safeDirs.add(rel)
    }
    return undefined
  }

  private async remove(p: string, rel: string): Promise<void> {
    const st = await fs.lstat(p).catch(() => undefined)
    if (st === undefined) return
    if (st.isDirectory()) {
      for (const d of this.safeDirs) if (d === rel || d.startsWith(`${rel}/`)) this.safeDirs.delete(d)
      await fs.rm(p, { recursive: true, force: true })
    } else {
      await fs.unlink(p)
    }
  }

  private async apply(h: tar.Header, entry: Readable): Promise<void> {
    const name = h.name
    const parts = LayerApplier.parts(name)
    if (typeof parts === 'string') {
      this.refuse(name, parts)
      await drain(entry)
      return
    }
    if (parts.length === 0) {
      await drain(entry) // the root itself
      return
    }
    const base = parts.at(-1) as string
    if (base.startsWith('.wh.')) {
      await drain(entry)
      return this.whiteout(name, parts, base)
    }
    const problem = await this.parentsOk(parts, true)
    if (problem !== undefined) {
      await drain(entry)
      return this.refuse(name, problem)
    }
    if (await this.write(h, entry, parts)) this.written.add(parts.join('/'))
  }

  /** Whiteouts: .wh..wh..opq clears what earlier layers put in the directory; .wh.NAME deletes NAME. */
  private async whiteout(name: string, parts: string[], base: string): Promise<void> {
    const dirParts = parts.slice(0, -1)
    const problem = await this.parentsOk([...dirParts, base], base === '.wh..wh..opq')
    if (problem === 'missing') return
    if (problem !== undefined) return this.refuse(name, problem)
    this.stats.whiteouts++
    const dirRel = dirParts.join('/')
    const dirAbs = this.abs(dirParts)
    if (base === '.wh..wh..opq') {
      for (const child of await fs.readdir(dirAbs).catch(() => [] as string[])) {
        const childRel = dirRel === '' ? child : `${dirRel}/${child}`
        if (!this.written.has(childRel)) await this.remove(path.join(dirAbs, child), childRel)
      }
      return
    }
    const victim = base.slice('.wh.'.length)
    const victimRel = dirRel === '' ? victim : `${dirRel}/${victim}`
    if (victim !== '' && victim !== '.' && victim !== '..' && !this.written.has(victimRel)) {
      await this.remove(path.join(dirAbs, victim), victimRel)
    }
  }

  /** Writes one entry whose parents are checked; false when it was refused or skipped. */
  private async write(h: tar.Header, entry: Readable, parts: string[]): Promise<boolean> {
    const rel = parts.join('/')
    const target = this.abs(parts)
    const mode = (h.mode ?? 0o644) & 0o777
    switch (h.type) {
      case 'directory': {
        await drain(entry)
        const st = await fs.lstat(target).catch(() => undefined)
        if (st && !st.isDirectory()) await this.remove(target, rel)
        if (!st || !st.isDirectory()) await fs.mkdir(target, { mode: mode | 0o700 })
        else await fs.chmod(target, mode | 0o700)
        this.safeDirs.add(rel)
        this.stats.dirs++
        return true
      }
      case 'file':
      case 'contiguous-file': {
        await this.remove(target, rel)
        // wx: never follows or overwrites anything that appeared meanwhile.
        await pipeline(entry, createWriteStream(target, { flags: 'wx', mode: mode | 0o600 }))
        this.stats.files++
        this.stats.bytes += h.size ?? 0
        return true
      }
      case 'symlink':
        await drain(entry)
        return this.symlink(h, parts, target, rel)
      case 'link':
        await drain(entry)
        return this.hardlink(h, target, rel)
      default:
        await drain(entry)
        this.stats.skipped++
        return false
    }
  }

  /** A symlink; absolute targets are rebased into the export, relative ones may not leave it. */
  private async symlink(h: tar.Header, parts: string[], target: string, rel: string): Promise<boolean> {
    let link = h.linkname ?? ''
    if (link.startsWith('/')) {
      // Inside the image, /x means the image's /x: point at the export's own copy.
      const rebased = path.posix.relative(
        path.posix.join('/', ...parts.slice(0, -1)),
        path.posix.normalize(link),
      )
      link = rebased === '' ? '.' : rebased
      this.stats.symlinksRewritten++
    } else {
      const resolved = path.posix.normalize(path.posix.join(parts.slice(0, -1).join('/') || '.', link))
      if (resolved === '..' || resolved.startsWith('../')) {
        this.refuse(h.name, `symlink to ${h.linkname ?? ''} points outside the image root`)
        return false
      }
    }
    await this.remove(target, rel)
    await fs.symlink(link, target)
    this.stats.symlinks++
    return true
  }

  /** A hard link to a file an earlier entry wrote, inside the export. */
  private async hardlink(h: tar.Header, target: string, rel: string): Promise<boolean> {
    const srcParts = LayerApplier.parts(h.linkname ?? '')
    if (typeof srcParts === 'string' || srcParts.length === 0) {
      const why = typeof srcParts === 'string' ? srcParts : 'the root'
      this.refuse(h.name, `hard link to ${h.linkname ?? ''}: ${why}`)
      return false
    }
    const srcProblem = await this.parentsOk(srcParts, false)
    const src = this.abs(srcParts)
    const st = await fs.lstat(src).catch(() => undefined)
    if (srcProblem !== undefined || st === undefined || st.isDirectory()) {
      const why =
        srcProblem === 'missing' || st === undefined ? 'no such file' : (srcProblem ?? 'a directory')
      this.refuse(h.name, `hard link to ${h.linkname ?? ''}: ${why}`)
      return false
    }
    if (src === target) return true
    await this.remove(target, rel)
    await fs.link(src, target)
    this.stats.hardlinks++
    return true
  }
}
