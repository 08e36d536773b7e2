/** A small client of the real registry's HTTP API (distribution v2), with basic auth. */
import { isRecord } from './util.ts'

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const

export const ALL_MANIFEST_TYPES: readonly string[] = Object.values(MEDIA_TYPES)

export const isIndexType = (mediaType: string): boolean =>
  mediaType === MEDIA_TYPES.dockerList || mediaType === MEDIA_TYPES.ociIndex

export interface RegistryOptions {
  /** e.g. `http://127.0.0.1:5123` */
  url: string
  username?: string
  password: string
}

interface ClientState {
  url: string
  authorization: string
  cache: Map<string, ManifestRecord>
}

export interface ManifestRecord {
  digest: string
  mediaType: string
  body: string
  json: Record<string, unknown>
}

export class RegistryClient {
  readonly url: string
  readonly host: string
  /** Prefix of every repository name in the real registry (`''`, or `<account>.<region>/`). */
  readonly namespace: string
  /** `Basic …` of the real registry (the registry front forwards with it). */
  readonly authorization: string
  /** Manifests by `<repo>@<digest>`: content-addressed, so cacheable forever. */
  private readonly cache: Map<string, ManifestRecord>

  constructor(options: RegistryOptions | ClientState, namespace = '') {
    this.url = options.url.replace(/\/+$/, '')
    this.host = new URL(this.url).host
    this.namespace = namespace
    if ('authorization' in options) {
      this.authorization = options.authorization
      this.cache = options.cache
    } else {
      this.authorization = `Basic ${Buffer.from(`${options.username ?? 'AWS'}:${options.password}`).toString('base64')}`
      this.cache = new Map()
    }
  }

  /** The same registry, with every repository name under `namespace` (one account's registry). */
  withNamespace(namespace: string): RegistryClient {
    return new RegistryClient(
      { url: this.url, authorization: this.authorization, cache: this.cache },
      namespace,
    )
  }

  private async request(
    path: string,
    init: { method?: string; accept?: readonly string[] } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { authorization: this.authorization }
    if (init.accept) headers.accept = init.accept.join(', ')
    const response = await fetch(`${this.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      signal: AbortSignal.timeout(15_000),
    })
    if (response.status === 401) {
      await response.arrayBuffer()
      throw new Error(`registry ${this.url} refused the emulator's credentials (401)`)
    }
    if (response.status === 404) await response.arrayBuffer()
    return response
  }

  /** Tags of a repository; [] when the registry does not know it. */
  async tags(repository: string): Promise<string[]> {
    const response = await this.request(`/v2/${this.namespace}${repository}/tags/list`)
    if (response.status === 404) return []
    if (!response.ok) throw new Error(`registry tags/list ${repository}: HTTP ${response.status}`)
    const body: unknown = await response.json()
    return isRecord(body) && Array.isArray(body.tags)
      ? body.tags.filter((t): t is string => typeof t === 'string')
      : []
  }

  /** A manifest by tag or digest; undefined when absent (or not of an accepted type). */
  async manifest(
    repository: string,
    reference: string,
    accept: readonly string[] = ALL_MANIFEST_TYPES,
  ): Promise<ManifestRecord | undefined> {
    const key = `${this.namespace}${repository}@${reference}`
    const cached = reference.startsWith('sha256:') ? this.cache.get(key) : undefined
    if (cached) return cached
    const response = await this.request(`/v2/${this.namespace}${repository}/manifests/${reference}`, {
      accept,
    })
    if (response.status === 404) return undefined
    if (!response.ok) throw new Error(`registry manifest ${repository}:${reference}: HTTP ${response.status}`)
    const body = await response.text()
    const digest = response.headers.get('docker-content-digest')
    if (!digest) throw new Error(`registry gave no Docker-Content-Digest for ${repository}:${reference}`)
    let json: Record<string, unknown> = {}
    try {
      const parsed: unknown = JSON.parse(body)
      if (isRecord(parsed)) json = parsed
    } catch {
      // keep the raw body
    }
    const headerType = response.headers.get('content-type')?.split(';')[0]?.trim()
    const mediaType =
      typeof json.mediaType === 'string' ? json.mediaType : (headerType ?? MEDIA_TYPES.dockerManifest)
    const record: ManifestRecord = { digest, mediaType, body, json }
    this.cache.set(`${this.namespace}${repository}@${digest}`, record)
    return record
  }

  /** Whether a manifest exists (HEAD). */
  async has(repository: string, digest: string): Promise<boolean> {
    const key = `${this.namespace}${repository}@${digest}`
    if (this.cache.has(key)) {
      const response = await this.request(`/v2/${this.namespace}${repository}/manifests/${digest}`, {
        method: 'HEAD',
        accept: ALL_MANIFEST_TYPES,
      })
      if (response.status === 404) this.cache.delete(key)
      return response.ok
    }
    return (await this.manifest(repository, digest)) !== undefined
  }
}

/** Sum of the layer sizes plus the config of an image manifest. */
export function manifestSize(manifest: ManifestRecord): number {
  const config =
    isRecord(manifest.json.config) && typeof manifest.json.config.size === 'number'
      ? manifest.json.config.size
      : 0
  const layers = Array.isArray(manifest.json.layers) ? manifest.json.layers : []
  return layers.reduce<number>(
    (sum, layer) => sum + (isRecord(layer) && typeof layer.size === 'number' ? layer.size : 0),
    config,
  )
}

/** Child manifest digests of an index. */
export function indexChildren(manifest: ManifestRecord): string[] {
  const manifests = Array.isArray(manifest.json.manifests) ? manifest.json.manifests : []
  return manifests.flatMap((m) => (isRecord(m) && typeof m.digest === 'string' ? [m.digest] : []))
}
