/**
 * An image on disk as the graph to push: an OCI image layout (a directory, or a tar of one) or a
 * `docker save` archive. Everything is checked before any upload: the layout's files, the chosen
 * image (REF), every manifest and index (read whole, digest recomputed, parsed as hostile JSON),
 * every config and layer (present, of the size its descriptor says); `verifyBlobs` then hashes
 * every blob. Problems are InputErrors naming `image`. Blobs are never loaded: they are streamed
 * from their file (or from their place inside the archive) when uploaded.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { InputError } from '../errors.js'
import type { BlobOpener, BlobRef } from './client.js'
import type { ArchiveKind, ImageSource } from './source.js'
import { NotTarError, TarFiles, indexTar, type TarEntry } from './tar-index.js'
import {
  INDEX_TYPES,
  MANIFEST_TYPES,
  MEDIA,
  isAttestation,
  isRecord,
  parseManifest,
  platformName,
  sha256,
  shown,
  type Descriptor,
  type ParsedManifest,
} from './types.js'

const MAX_MANIFEST = 4 * 1024 * 1024
const MAX_CONFIG = 8 * 1024 * 1024
const MAX_DEPTH = 4
const REF_NAME = 'org.opencontainers.image.ref.name'

export interface GraphManifest {
  descriptor: Descriptor
  bytes: Buffer
  parsed: ParsedManifest
}

/** What a push needs: the manifests (children first), the blobs, and where their bytes are. */
export interface ImageGraph {
  /** `image` as written, for messages. */
  image: string
  /** The image manifest or index that the tags name. */
  top: GraphManifest
  /** Every manifest and index, each after the ones it lists. */
  manifests: GraphManifest[]
  /** Every config and layer, once each. */
  blobs: BlobRef[]
  /** Blobs already hashed while loading (a docker archive's). */
  verified: Set<string>
  /** The platforms of an index (attestations left out); [] for a single image. */
  platforms: string[]
  open(digest: string): BlobOpener
}

/** The files of a layout: a directory, or the inside of a tar. */
interface Files {
  size(rel: string): Promise<number | undefined>
  read(rel: string, max: number): Promise<Buffer>
  open(rel: string, start: number, end: number): Readable
}

class Problem extends Error {}

function dirFiles(root: string): Files {
  const abs = (rel: string): string => {
    const parts = rel.split('/')
    if (rel.startsWith('/') || parts.includes('..'))
      throw new Problem(`the layout names a path outside itself: '${shown(rel)}'`)
    return path.join(root, ...parts)
  }
  return {
    size: async (rel) => {
      const st = await fs.stat(abs(rel)).catch(() => undefined)
      return st?.isFile() ? st.size : undefined
    },
    read: async (rel, max) => {
      const st = await fs.stat(abs(rel))
      if (st.size > max) throw new Problem(`${rel} has ${st.size} bytes, more than ${max}`)
      return fs.readFile(abs(rel))
    },
    open: (rel, start, end) =>
      end <= start
        ? Readable.from([])
        : createReadStream(abs(rel), { start, end: end - 1, highWaterMark: 1 << 20 }),
  }
}

function tarFiles(tar: TarFiles): Files {
  const entry = (rel: string): TarEntry => {
    const e = tar.find(rel)
    if (!e) throw new Problem(`the archive has no ${shown(rel)}`)
    return e
  }
  return {
    size: (rel) => Promise.resolve(tar.find(rel)?.size),
    read: async (rel, max) => {
      const e = entry(rel)
      if (e.size > max) throw new Problem(`${rel} has ${e.size} bytes, more than ${max}`)
      const chunks: Buffer[] = []
      for await (const c of tar.open(e, 0, e.size)) chunks.push(c as Buffer)
      return Buffer.concat(chunks)
    },
    open: (rel, start, end) => tar.open(entry(rel), start, end),
  }
}

function expected(kind: ArchiveKind): string {
  if (kind === 'oci')
    return 'an OCI image layout directory (oci-layout, index.json, blobs/), as `docker buildx build --output type=oci,tar=false` or skopeo write'
  if (kind === 'oci-archive')
    return 'an uncompressed tar of an OCI image layout, as `docker buildx build --output type=oci` writes'
  return 'an uncompressed `docker save` tar'
}

/** Reads and checks the image `source` (not docker). Throws an InputError naming `image`. */
export async function loadImage(
  image: string,
  source: Exclude<ImageSource, { kind: 'docker' }>,
): Promise<ImageGraph> {
  try {
    const files = await openFiles(source)
    return source.kind === 'docker-archive'
      ? await dockerArchive(image, files, source.ref)
      : await ociLayout(image, files, source.ref)
  } catch (err) {
    if (err instanceof InputError) throw err
    const why = err instanceof Error ? err.message : String(err)
    throw new InputError([`Invalid input 'image': '${image}': ${why}. Expected ${expected(source.kind)}.`])
  }
}

async function openFiles(source: Exclude<ImageSource, { kind: 'docker' }>): Promise<Files> {
  const st = await fs.stat(source.path).catch(() => undefined)
  if (!st) throw new Problem(`${source.path} does not exist`)
  if (source.kind === 'oci') {
    if (!st.isDirectory()) throw new Problem(`${source.path} is not a directory`)
    return dirFiles(source.path)
  }
  if (!st.isFile()) throw new Problem(`${source.path} is not a file`)
  try {
    return tarFiles(new TarFiles(source.path, await indexTar(source.path)))
  } catch (err) {
    if (!(err instanceof NotTarError)) throw err
    const fh = await fs.open(source.path, 'r')
    const magic = Buffer.alloc(4)
    await fh.read(magic, 0, 4, 0).finally(() => fh.close())
    if (magic[0] === 0x1f && magic[1] === 0x8b)
      throw new Problem(`${source.path} is gzip-compressed: decompress it first (gunzip)`)
    throw new Problem(`${source.path} is not a tar archive`)
  }
}

async function readJson(files: Files, rel: string, max: number): Promise<unknown> {
  if ((await files.size(rel)) === undefined) throw new Problem(`it has no ${rel}`)
  const bytes = await files.read(rel, max)
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    throw new Problem(`${rel} is not JSON`)
  }
}

// ---- OCI image layout -------------------------------------------------------------------------

const blobPath = (digest: string): string => `blobs/sha256/${digest.slice('sha256:'.length)}`

async function ociLayout(image: string, files: Files, ref: string | undefined): Promise<ImageGraph> {
  const marker = await readJson(files, 'oci-layout', 4096).catch(() => {
    throw new Problem('it is not an OCI image layout (no oci-layout file)')
  })
  if (!isRecord(marker) || typeof marker.imageLayoutVersion !== 'string') {
    throw new Problem('its oci-layout file has no imageLayoutVersion')
  }
  const index = parseManifest(await files.read('index.json', MAX_MANIFEST), MEDIA.ociIndex, 'index.json')
  const top = pickImage(index.manifests, ref)
  const walk = new Walk(files)
  await walk.visit(top, 0)
  const graph = walk.graph(image)
  return graph
}

/** The image index.json names: the one REF names, or the only one. */
function pickImage(listed: Descriptor[], ref: string | undefined): Descriptor {
  const names = listed.map((d) => d.annotations?.[REF_NAME]).filter((n): n is string => n !== undefined)
  const shownNames =
    names.length > 0
      ? ` (${names
          .slice(0, 10)
          .map((n) => shown(n, 60))
          .join(', ')})`
      : ''
  if (ref !== undefined) {
    const found = listed.filter((d) => {
      const name = d.annotations?.[REF_NAME]
      return name === ref || (name !== undefined && name.endsWith(`:${ref}`))
    })
    if (found.length === 1 && found[0]) return found[0]
    if (found.length === 0)
      throw new Problem(
        `index.json names no image '${ref}'${shownNames || ' (it has no ref.name annotations)'}`,
      )
    throw new Problem(`index.json names ${found.length} images '${ref}'`)
  }
  if (listed.length === 1 && listed[0]) return listed[0]
  if (listed.length === 0) throw new Problem('index.json lists no image')
  throw new Problem(
    `index.json lists ${listed.length} images${shownNames} and no REF picks one: name it, e.g. oci:DIR:${names[0] ?? 'latest'}`,
  )
}

/** Depth-first over manifests and indexes, children recorded before their parents. */
class Walk {
  private readonly files: Files
  private readonly manifests = new Map<string, GraphManifest>()
  private readonly blobs = new Map<string, BlobRef>()
  private root: GraphManifest | undefined

  constructor(files: Files) {
    this.files = files
  }

  async visit(d: Descriptor, depth: number): Promise<void> {
    if (this.manifests.has(d.digest)) return
    if (!MANIFEST_TYPES.includes(d.mediaType)) {
      throw new Problem(
        `${depth === 0 ? 'index.json' : 'an index'} lists ${d.digest} of type '${shown(d.mediaType)}', which is not an image manifest or index`,
      )
    }
    if (depth > MAX_DEPTH) throw new Problem(`indexes nest deeper than ${MAX_DEPTH} levels`)
    await this.present(d)
    if (d.size > MAX_MANIFEST)
      throw new Problem(`the manifest ${d.digest} has ${d.size} bytes, more than ${MAX_MANIFEST}`)
    const bytes = await this.files.read(blobPath(d.digest), MAX_MANIFEST)
    if (sha256(bytes) !== d.digest)
      throw new Problem(
        `the manifest ${blobPath(d.digest)} does not match its digest (its bytes are ${sha256(bytes)})`,
      )
    const parsed = parseManifest(bytes, d.mediaType, `the manifest ${d.digest}`)
    if (INDEX_TYPES.has(parsed.mediaType)) {
      for (const child of parsed.manifests) await this.visit(child, depth + 1)
    } else {
      for (const blob of [parsed.config as Descriptor, ...parsed.layers]) {
        await this.present(blob)
        this.blobs.set(blob.digest, { digest: blob.digest, size: blob.size })
      }
    }
    const node = { descriptor: { ...d, mediaType: parsed.mediaType }, bytes, parsed }
    this.manifests.set(d.digest, node)
    if (depth === 0) this.root = node
  }

  /** The blob's file exists and has the size its descriptor says. */
  private async present(d: Descriptor): Promise<void> {
    const size = await this.files.size(blobPath(d.digest))
    if (size === undefined) throw new Problem(`the blob ${d.digest} is missing (${blobPath(d.digest)})`)
    if (size !== d.size)
      throw new Problem(`the blob ${d.digest} has ${size} bytes, but its descriptor says ${d.size}`)
  }

  graph(image: string): ImageGraph {
    const top = this.root as GraphManifest
    const platforms = INDEX_TYPES.has(top.parsed.mediaType)
      ? top.parsed.manifests.filter((c) => !isAttestation(c)).map((c) => platformName(c.platform) || c.digest)
      : []
    const files = this.files
    return {
      image,
      top,
      manifests: [...this.manifests.values()],
      blobs: [...this.blobs.values()],
      verified: new Set(),
      platforms,
      open: (digest) => (start, end) => files.open(blobPath(digest), start, end),
    }
  }
}

// ---- docker save archive ----------------------------------------------------------------------

interface SavedEntry {
  Config: string
  RepoTags: string[]
  Layers: string[]
}

function savedEntries(doc: unknown): SavedEntry[] {
  if (!Array.isArray(doc)) throw new Problem('manifest.json is not a list')
  return doc.map((e: unknown, i) => {
    if (
      !isRecord(e) ||
      typeof e.Config !== 'string' ||
      !Array.isArray(e.Layers) ||
      !e.Layers.every((l) => typeof l === 'string')
    ) {
      throw new Problem(`manifest.json entry ${i + 1} has no Config and Layers`)
    }
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : []
    return { Config: e.Config, RepoTags: tags, Layers: e.Layers }
  })
}

function pickSaved(entries: SavedEntry[], ref: string | undefined): SavedEntry {
  const tags = entries.flatMap((e) => e.RepoTags)
  const listed =
    tags.length > 0
      ? ` (${tags
          .slice(0, 10)
          .map((t) => shown(t, 60))
          .join(', ')})`
      : ''
  if (ref !== undefined) {
    const wanted = ref.includes(':') ? [ref] : [ref, `${ref}:latest`]
    const found = entries.filter((e) => e.RepoTags.some((t) => wanted.includes(t)))
    if (found.length === 1 && found[0]) return found[0]
    throw new Problem(
      `manifest.json has ${found.length === 0 ? 'no image' : `${found.length} images`} tagged '${ref}'${listed}`,
    )
  }
  if (entries.length === 1 && entries[0]) return entries[0]
  if (entries.length === 0) throw new Problem('manifest.json lists no image')
  throw new Problem(
    `it holds ${entries.length} images${listed} and no REF picks one: name it, e.g. docker-archive:FILE:${tags[0] ?? 'name:tag'}`,
  )
}

/** sha256 and length of a stream. */
export async function hashStream(
  stream: Readable,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  const stop = (): void => {
    stream.destroy(new Error('stopped: the step failed'))
  }
  signal?.addEventListener('abort', stop, { once: true })
  for await (const c of stream) {
    hash.update(c as Buffer)
    size += (c as Buffer).length
  }
  signal?.removeEventListener('abort', stop)
  return { digest: `sha256:${hash.digest('hex')}`, size }
}

async function layerType(files: Files, rel: string, size: number): Promise<string> {
  const head: Buffer[] = []
  for await (const c of files.open(rel, 0, Math.min(4, size))) head.push(c as Buffer)
  const magic = Buffer.concat(head)
  if (magic[0] === 0x1f && magic[1] === 0x8b) return MEDIA.ociLayerGzip
  if (magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return MEDIA.ociLayerZstd
  return MEDIA.ociLayer
}

/** A `docker save` archive: its config and layers under an OCI manifest made here (layers as saved). */
async function dockerArchive(image: string, files: Files, ref: string | undefined): Promise<ImageGraph> {
  const entry = pickSaved(savedEntries(await readJson(files, 'manifest.json', MAX_MANIFEST)), ref)
  const configBytes = await files.read(entry.Config, MAX_CONFIG)
  const config: Descriptor = {
    mediaType: MEDIA.ociConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  }
  let diffIds: unknown
  try {
    const doc: unknown = JSON.parse(configBytes.toString('utf8'))
    diffIds = isRecord(doc) && isRecord(doc.rootfs) ? doc.rootfs.diff_ids : undefined
  } catch {
    throw new Problem(`its config ${entry.Config} is not JSON`)
  }
  if (!Array.isArray(diffIds) || diffIds.length !== entry.Layers.length) {
    throw new Problem(
      `its config lists ${Array.isArray(diffIds) ? diffIds.length : 'no'} layers (rootfs.diff_ids), manifest.json ${entry.Layers.length}`,
    )
  }
  const paths = new Map<string, string>([[config.digest, entry.Config]])
  const layers: Descriptor[] = []
  for (const [i, rel] of entry.Layers.entries()) {
    const size = await files.size(rel)
    if (size === undefined) throw new Problem(`the layer ${rel} is missing`)
    const { digest } = await hashStream(files.open(rel, 0, size))
    const mediaType = await layerType(files, rel, size)
    if (mediaType === MEDIA.ociLayer && digest !== diffIds[i]) {
      throw new Problem(
        `the layer ${rel} is ${digest}, but the config's diff_ids[${i}] says ${shown(diffIds[i])}`,
      )
    }
    layers.push({ mediaType, digest, size })
    paths.set(digest, rel)
  }
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config, layers }),
  )
  const top: GraphManifest = {
    descriptor: { mediaType: MEDIA.ociManifest, digest: sha256(bytes), size: bytes.length },
    bytes,
    parsed: { mediaType: MEDIA.ociManifest, config, layers, manifests: [] },
  }
  const blobs = [config, ...layers].map((d) => ({ digest: d.digest, size: d.size }))
  const unique = [...new Map(blobs.map((b) => [b.digest, b])).values()]
  return {
    image,
    top,
    manifests: [top],
    blobs: unique,
    verified: new Set(unique.map((b) => b.digest)),
    platforms: [],
    open: (digest) => (start, end) => files.open(paths.get(digest) ?? '', start, end),
  }
}

/**
 * Hashes every blob not yet hashed (two at a time); a mismatch is an InputError naming `image`.
 * `signal` stops it (the step failed elsewhere: no reason to read a gigabyte more).
 */
export async function verifyBlobs(graph: ImageGraph, signal?: AbortSignal): Promise<void> {
  const todo = graph.blobs.filter((b) => !graph.verified.has(b.digest))
  const check = async (b: BlobRef): Promise<void> => {
    signal?.throwIfAborted()
    const got = await hashStream(graph.open(b.digest)(0, b.size), signal)
    if (got.digest !== b.digest || got.size !== b.size) {
      throw new InputError([
        `Invalid input 'image': '${graph.image}': the blob ${b.digest} does not match its digest (its ${got.size} bytes are ${got.digest}). Nothing was pushed.`,
      ])
    }
    graph.verified.add(b.digest)
  }
  const queue = [...todo]
  await Promise.all(
    [0, 1].map(async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift()) await check(b)
    }),
  )
}
