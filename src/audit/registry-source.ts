/**
 * The audit's facts and the filesystem export read from the registry instead of the local engine
 * (images pushed from an OCI source, and push: false): the manifest, the image config (exact
 * history with empty_layer, diff_ids, runtime configuration) and the layers, streamed from the
 * registry through decompression into the export, each checked against its digest as it passes.
 * Nothing is held whole: a 1 GiB layer flows through in chunks.
 */
import * as fs from 'node:fs/promises'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import * as core from '../core.js'
import type { RegistryClient } from '../oci/client.js'
import type { PushResult } from '../push.js'
import type { ImageFacts } from './analyze.js'
import {
  INDEX_TYPES,
  isAttestation,
  isRecord,
  parseManifest,
  platformName,
  type Descriptor,
  type ParsedManifest,
} from '../oci/types.js'
import { historyFromConfig, type LocalImage, type RegistryManifest } from './engine.js'
import { LayerApplier, type ExportResult } from './export.js'
import type { HistoryEntry, RuntimeConfig } from './image.js'

export interface RegistryImage extends LocalImage {
  /** The platform manifest read (for an index, the platform picked). */
  manifest: RegistryManifest
  /** The image config's digest (what docker calls the image ID). */
  configDigest: string
  /** For an index: which platform was read, and which others it has. */
  platform?: string
  otherPlatforms: string[]
  layers: Descriptor[]
}

/** The platform image of an index the audit reads: linux/amd64 when there, else the first one. */
export function pickPlatform(children: readonly Descriptor[]): Descriptor | undefined {
  const images = children.filter((c) => !isAttestation(c) && !INDEX_TYPES.has(c.mediaType))
  return images.find((c) => c.platform?.os === 'linux' && c.platform.architecture === 'amd64') ?? images[0]
}

/** Manifest (platform picked for an index) and config, as the audit's facts. */
export async function readRegistryImage(client: RegistryClient, digest: string): Promise<RegistryImage> {
  const top = await client.getManifest(digest)
  let parsed: ParsedManifest = parseManifest(top.bytes, top.mediaType, `the manifest ${digest}`)
  let manifestDigest = digest
  let mediaType = parsed.mediaType
  let platform: string | undefined
  let others: string[] = []
  if (INDEX_TYPES.has(parsed.mediaType)) {
    const pick = pickPlatform(parsed.manifests)
    if (!pick) throw new Error(`the image index ${digest} lists no platform image`)
    platform = platformName(pick.platform) || pick.digest
    others = parsed.manifests
      .filter((c) => c !== pick && !isAttestation(c))
      .map((c) => platformName(c.platform) || c.digest)
    const child = await client.getManifest(pick.digest)
    parsed = parseManifest(child.bytes, child.mediaType || pick.mediaType, `the manifest ${pick.digest}`)
    manifestDigest = pick.digest
    mediaType = parsed.mediaType
  }
  if (!parsed.config) throw new Error(`${manifestDigest} is not an image manifest`)
  const configBytes = await client.blobBytes(parsed.config)
  const image = fromConfig(JSON.parse(configBytes.toString('utf8')) as unknown)
  const out: RegistryImage = {
    ...image,
    manifest: {
      mediaType,
      digest: manifestDigest,
      layers: parsed.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType })),
      configSize: parsed.config.size,
    },
    configDigest: parsed.config.digest,
    otherPlatforms: others,
    layers: parsed.layers,
  }
  if (platform !== undefined) out.platform = platform
  return out
}

/** An image config JSON as the audit's view of it (what `docker image inspect` gives). */
export function fromConfig(doc: unknown): LocalImage {
  if (!isRecord(doc)) throw new Error('the image config is not a JSON object')
  const config = (isRecord(doc.config) ? doc.config : {}) as RuntimeConfig
  const rootfs = isRecord(doc.rootfs) ? doc.rootfs : {}
  const diffIds = Array.isArray(rootfs.diff_ids)
    ? rootfs.diff_ids.filter((d): d is string => typeof d === 'string')
    : []
  const history: HistoryEntry[] = historyFromConfig(doc) ?? []
  const out: LocalImage = { config, diffIds, history }
  if (typeof doc.os === 'string') out.os = doc.os
  if (typeof doc.architecture === 'string') out.architecture = doc.architecture
  if (typeof doc.variant === 'string') out.variant = doc.variant
  if (typeof doc.created === 'string') out.created = doc.created
  return out
}

/** The decompressor a layer needs, from its media type or (unknown types) its first bytes. */
function decompressor(layer: Descriptor, magic: Buffer): Transform | undefined {
  const zstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress
  if (layer.mediaType.endsWith('+zstd') || magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
    if (!zstd) throw new Error(`layer ${layer.digest} is zstd-compressed, which this Node.js cannot read`)
    return zstd()
  }
  if (layer.mediaType.endsWith('gzip') || (magic[0] === 0x1f && magic[1] === 0x8b)) return zlib.createGunzip()
  return undefined
}

/** The first bytes of a stream, put back for the next reader. */
async function peek(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null
      if (chunk === null) return
      cleanup()
      stream.unshift(chunk)
      resolve(chunk.subarray(0, n))
    }
    const onEnd = (): void => {
      cleanup()
      resolve(Buffer.alloc(0))
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const cleanup = (): void => {
      stream.off('readable', onReadable)
      stream.off('end', onEnd)
      stream.off('error', onError)
    }
    stream.on('readable', onReadable)
    stream.once('end', onEnd)
    stream.once('error', onError)
  })
}

/** The image's merged filesystem into `dir` (a real path), layer by layer from the registry. */
export async function exportFromRegistry(
  client: RegistryClient,
  image: RegistryImage,
  root: string,
  dir: string,
): Promise<ExportResult> {
  const applier = new LayerApplier(root)
  for (const [i, layer] of image.layers.entries()) {
    const blob = await client.blobStream(layer)
    const magic = await peek(blob, 4)
    const unpack = decompressor(layer, magic)
    if (!unpack) {
      await applier.applyLayer(i + 1, blob)
      continue
    }
    // Both ends awaited: a digest mismatch (the checked blob stream) fails the export too.
    await Promise.all([pipeline(blob, unpack), applier.applyLayer(i + 1, unpack)])
  }
  return applier.result(dir, image.layers.length)
}

/** The audit's facts of a pushed (or push: false) image, read from the registry. */
export async function registryFacts(client: RegistryClient, pushed: PushResult): Promise<ImageFacts> {
  const image = await readRegistryImage(client, pushed.digest)
  const notes: string[] = []
  if (image.platform !== undefined && image.otherPlatforms.length > 0) {
    notes.push(
      `The image index has ${image.otherPlatforms.length + 1} platforms; the audit read ${image.platform} (not ${image.otherPlatforms.join(', ')}).`,
    )
  }
  const facts: ImageFacts = {
    imageId: image.configDigest,
    digest: pushed.digest,
    imageRef: pushed.imageRef,
    config: image.config,
    history: image.history,
    diffIds: image.diffIds,
    manifest: image.manifest,
    notes,
  }
  if (image.os) facts.os = image.os
  if (image.architecture) facts.architecture = image.architecture
  if (image.created) facts.created = image.created
  return facts
}

/** The export from the registry, with the config's history (as the docker path returns it). */
export async function exportRegistryImage(
  client: RegistryClient,
  pushed: PushResult,
  dir: string,
): Promise<{ result: ExportResult; history: HistoryEntry[] | undefined }> {
  const image = await readRegistryImage(client, pushed.digest)
  await fs.mkdir(dir, { recursive: true })
  const root = await fs.realpath(dir)
  const result = await exportFromRegistry(client, image, root, dir)
  for (const r of result.refused.slice(0, 50))
    core.warning(`Export refused layer ${r.layer} entry ${r.path}: ${r.reason}`)
  return { result, history: image.history }
}
