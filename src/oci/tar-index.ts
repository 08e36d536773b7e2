/**
 * Where each file of an uncompressed tar is: one pass over its headers (the data is skipped, not
 * read), so that any file's bytes can later be streamed straight from the archive by offset, as
 * often as a retry needs, and a 1 GiB layer inside an archive is never held in memory nor copied.
 * ustar, GNU long names and pax `path`/`linkpath`/`size` records are understood. The archive is
 * hostile input: names are normalized, link chains are bounded, counts and header sizes capped.
 */
import { createReadStream } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { Readable } from 'node:stream'

export interface TarEntry {
  name: string
  type: 'file' | 'symlink' | 'link' | 'directory' | 'other'
  /** Byte offset of the data in the archive. */
  offset: number
  size: number
  linkname?: string
}

const BLOCK = 512
const MAX_ENTRIES = 200_000
const MAX_META = 1024 * 1024

export class NotTarError extends Error {}

/** An archive name as a plain relative path (`./a/b/` → `a/b`). */
export function normalizeName(name: string): string {
  return path.posix.normalize(name.replace(/^(\.\/)+/, '').replace(/^\/+/, '')).replace(/\/$/, '')
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length)
  const nul = field.indexOf(0)
  return (nul < 0 ? field : field.subarray(0, nul)).toString('utf8')
}

/** A numeric header field: octal text, or GNU base-256 when the high bit is set. */
function number(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length)
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let v = 0
    for (let i = 1; i < field.length; i++) v = v * 256 + (field[i] ?? 0)
    return v
  }
  const t = text(block, start, length).trim()
  return t === '' ? 0 : parseInt(t, 8)
}

function checksumOk(block: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0)
  return sum === number(block, 148, 8)
}

/** pax records `<len> key=value\n`. */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let pos = 0
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space < 0) break
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10)
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length) break
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8')
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    pos += len
  }
  return out
}

const TYPES: Record<string, TarEntry['type']> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '5': 'directory',
}

interface Pending {
  longName?: string
  longLink?: string
  pax?: Record<string, string>
}

/** Every entry of the tar at `file`, by normalized name. Throws NotTarError for anything else. */
export async function indexTar(file: string): Promise<Map<string, TarEntry>> {
  const fh = await fs.open(file, 'r')
  try {
    const { size: total } = await fh.stat()
    const entries = new Map<string, TarEntry>()
    const block = Buffer.alloc(BLOCK)
    let pos = 0
    let pending: Pending = {}
    while (pos + BLOCK <= total) {
      await readExactly(fh, block, pos)
      if (block.every((b) => b === 0)) break
      if (!checksumOk(block)) {
        if (pos === 0) throw new NotTarError('not a tar archive (no valid header at its start)')
        throw new Error(`the tar header at byte ${pos} is damaged`)
      }
      const typeflag = String.fromCharCode(block[156] ?? 0)
      const size = entrySize(block, pending)
      const dataAt = pos + BLOCK
      if (dataAt + size > total)
        throw new Error(`the tar entry at byte ${pos} runs past the end of the archive`)
      pos = dataAt + Math.ceil(size / BLOCK) * BLOCK
      if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x') {
        await readMeta(fh, typeflag, dataAt, size, pending)
        continue
      }
      if (typeflag === 'g') continue
      const entry = entryOf(block, pending, dataAt, size, typeflag)
      pending = {}
      if (entries.size >= MAX_ENTRIES) throw new Error(`the archive has more than ${MAX_ENTRIES} entries`)
      if (entry.name !== '' && entry.name !== '.') entries.set(entry.name, entry)
    }
    return entries
  } finally {
    await fh.close()
  }
}

/** The entry's data size: a pax `size` record wins over the header's field. */
function entrySize(block: Buffer, pending: Pending): number {
  const pax = pending.pax?.size !== undefined ? Number(pending.pax.size) : undefined
  return pax !== undefined && Number.isSafeInteger(pax) && pax >= 0 ? pax : number(block, 124, 12)
}

/** A GNU long name or link, or pax records, for the next entry. */
async function readMeta(
  fh: fs.FileHandle,
  typeflag: string,
  at: number,
  size: number,
  pending: Pending,
): Promise<void> {
  if (size > MAX_META) throw new Error(`a tar extended header at byte ${at - BLOCK} is too large`)
  const data = Buffer.alloc(size)
  await readExactly(fh, data, at)
  if (typeflag === 'x') pending.pax = paxRecords(data)
  else if (typeflag === 'L') pending.longName = text(data, 0, data.length)
  else pending.longLink = text(data, 0, data.length)
}

function entryOf(block: Buffer, pending: Pending, dataAt: number, size: number, typeflag: string): TarEntry {
  const prefix = block.subarray(257, 262).toString('ascii') === 'ustar' ? text(block, 345, 155) : ''
  const short = prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100)
  const raw = pending.pax?.path ?? pending.longName ?? short
  const entry: TarEntry = { name: normalizeName(raw), type: TYPES[typeflag] ?? 'other', offset: dataAt, size }
  const link = pending.pax?.linkpath ?? pending.longLink ?? text(block, 157, 100)
  if (entry.type === 'link' || entry.type === 'symlink') entry.linkname = link
  return entry
}

async function readExactly(fh: fs.FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done)
    if (bytesRead === 0) throw new Error(`the archive ends early at byte ${position + done}`)
    done += bytesRead
  }
}

/** The files of an indexed tar: links followed (bounded), bytes streamed from the archive. */
export class TarFiles {
  readonly file: string
  private readonly entries: Map<string, TarEntry>

  constructor(file: string, entries: Map<string, TarEntry>) {
    this.file = file
    this.entries = entries
  }

  /** The regular file an archive name ends at (through hard and symbolic links), or undefined. */
  find(name: string): TarEntry | undefined {
    let n = normalizeName(name)
    for (let hops = 0; hops < 8; hops++) {
      const e = this.entries.get(n)
      if (!e) return undefined
      if (e.type === 'file') return e
      if (e.type === 'link' && e.linkname !== undefined) n = normalizeName(e.linkname)
      else if (e.type === 'symlink' && e.linkname !== undefined && !e.linkname.startsWith('/'))
        n = normalizeName(path.posix.join(path.posix.dirname(n), e.linkname))
      else return undefined
    }
    return undefined
  }

  /** Bytes [start, end) of a file found with `find`. */
  open(entry: TarEntry, start: number, end: number): Readable {
    if (end <= start) return Readable.from([])
    return createReadStream(this.file, {
      start: entry.offset + start,
      end: entry.offset + end - 1,
      highWaterMark: 1 << 20,
    })
  }
}
