/**
 * OCI image-spec and distribution-spec vocabulary: media types, descriptors, digests, and the
 * checks that turn a hostile JSON document into a trusted descriptor. Pure: no I/O.
 */
import { createHash } from 'node:crypto'

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const

export const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA.ociIndex, MEDIA.dockerList])
export const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest])
export const MANIFEST_TYPES: readonly string[] = [...IMAGE_MANIFEST_TYPES, ...INDEX_TYPES]

/** Only sha256: what ECR stores and what every builder writes. */
export const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/

/** A media type as ECR accepts it: type/subtype, no parameters (ECR refuses `;`). */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  annotations?: Record<string, string>
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Printable text of a hostile string, cut short, for an error message. */
export function shown(value: unknown, max = 120): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/** A descriptor out of JSON, or a problem: digest sha256, size a whole number, media type plain. */
export function parseDescriptor(v: unknown, where: string): Descriptor | string {
  if (!isRecord(v)) return `${where} is not a descriptor object`
  const { mediaType, digest, size } = v
  if (typeof digest !== 'string' || !SHA256_DIGEST.test(digest))
    return `${where} has an unusable digest '${shown(digest)}' (expected sha256:<64 hex>)`
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return `${where} has an unusable size '${shown(size)}'`
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType))
    return `${where} has an unusable mediaType '${shown(mediaType)}'`
  const d: Descriptor = { mediaType, digest, size }
  const platform = parsePlatform(v.platform)
  if (platform) d.platform = platform
  if (isRecord(v.annotations)) {
    const annotations: Record<string, string> = {}
    for (const [k, a] of Object.entries(v.annotations)) if (typeof a === 'string') annotations[k] = a
    d.annotations = annotations
  }
  return d
}

function parsePlatform(v: unknown): Platform | undefined {
  if (!isRecord(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string') return undefined
  const p: Platform = { os: v.os, architecture: v.architecture }
  if (typeof v.variant === 'string' && v.variant !== '') p.variant = v.variant
  return p
}

export function platformName(p: Platform | undefined): string {
  if (!p) return ''
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`
}

/** An attestation or other non-runnable child of an index (buildx: unknown/unknown + reference type). */
export function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] !== undefined ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  )
}

/** The parsed parts of a manifest or index that a push and an audit need. */
export interface ParsedManifest {
  mediaType: string
  /** Image manifest: its config. */
  config?: Descriptor
  /** Image manifest: its layers. */
  layers: Descriptor[]
  /** Index: its children. */
  manifests: Descriptor[]
  /** OCI 1.1 subject (referrers), pushed after it. */
  subject?: Descriptor
}

/**
 * A manifest or index document, checked. `declared` is the media type it was served or listed with
 * (the document's own `mediaType` wins when it has one). Throws a plain message naming `where`.
 */
export function parseManifest(bytes: Buffer, declared: string, where: string): ParsedManifest {
  let doc: unknown
  try {
    doc = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new Error(`${where} is not JSON`)
  }
  if (!isRecord(doc)) throw new Error(`${where} is not a JSON object`)
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : declared
  if (doc.mediaType !== undefined && declared !== '' && doc.mediaType !== declared) {
    throw new Error(`${where} says mediaType '${shown(doc.mediaType)}' but is listed as '${shown(declared)}'`)
  }
  const list = (key: string): Descriptor[] => {
    const raw = doc[key]
    if (raw === undefined) return []
    if (!Array.isArray(raw)) throw new Error(`${where}: '${key}' is not a list`)
    return raw.map((x, i) => {
      const d = parseDescriptor(x, `${where} ${key}[${i}]`)
      if (typeof d === 'string') throw new Error(d)
      return d
    })
  }
  const out: ParsedManifest = { mediaType, layers: [], manifests: [] }
  if (INDEX_TYPES.has(mediaType)) {
    out.manifests = list('manifests')
  } else if (IMAGE_MANIFEST_TYPES.has(mediaType) || doc.config !== undefined) {
    const config = parseDescriptor(doc.config, `${where} config`)
    if (typeof config === 'string') throw new Error(config)
    out.config = config
    out.layers = list('layers')
  } else {
    throw new Error(`${where} has media type '${shown(mediaType)}', neither an image manifest nor an index`)
  }
  if (doc.subject !== undefined) {
    const subject = parseDescriptor(doc.subject, `${where} subject`)
    if (typeof subject === 'string') throw new Error(subject)
    out.subject = subject
  }
  return out
}

/** A media type as sent in Content-Type: ECR refuses parameters, so they are dropped. */
export function plainMediaType(type: string | undefined): string {
  return (type ?? '').split(';')[0]?.trim() ?? ''
}
