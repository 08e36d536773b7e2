/**
 * A registry client of our own over the OCI distribution API, for ECR.
 *
 * Why not a library: no well-kept Node library pushes to a registry. Looked at (npm, 2026):
 * `@snyk/docker-registry-v2-client` (read-only: manifests, configs, layers), `docker-registry-client`
 * and its fork `@renovatebot/docker-registry-client` (pull only; "v2 push is coming" for years),
 * `@azure/container-registry` (ContainerRegistryContentClient pushes, but only to Azure, with Azure
 * AD tokens), `dockerode` (the engine's API, not a registry's). Rust, Go and .NET have them; Node
 * has not.
 *
 * What ECR needs and this does: basic auth `AWS:<token>` on every request (no token service; the
 * token lives in this object only, never in a file or a docker config); HEAD before upload; blobs
 * up to one chunk (16 MiB) in one PUT, larger ones in PATCHes of `chunkSize` (ECR: every part but the last
 * at least 5 MiB); each PATCH's answer `Range` checked against what was sent (a chunked upload that
 * silently dropped data has been reported: containers-roadmap #2831); a failed part resumes from
 * the registry's own `Range` (GET of the upload), a lost upload or a digest refused at completion
 * restarts the blob; cross-repository mounts asked for when a source is known (ECR mounts only with
 * its BLOB_MOUNTING setting on, else answers 202 and the upload goes on in that session); every
 * request has a deadline and passing faults (5xx, 429, resets) are retried with backoff. Every
 * string from the registry is hostile: locations must stay on the registry's origin (the token is
 * never sent elsewhere), answers are bounded, digests are recomputed, error texts are cut short.
 */
import { createHash } from 'node:crypto'
import { Transform, pipeline, type Readable } from 'node:stream'
import { ActionError } from '../errors.js'
import { backoffDelay, realSleep } from '../retry.js'
import {
  DEFAULT_RETRY,
  NetworkError,
  createTransport,
  retryableStatus,
  withRetry,
  type HttpAnswer,
  type RequestSpec,
  type RetryOptions,
  type StreamAnswer,
  type Transport,
} from './http.js'
import { MANIFEST_TYPES, SHA256_DIGEST, isRecord, plainMediaType, sha256, shown } from './types.js'

/** ECR's smallest part that is not the last. */
export const MIN_CHUNK = 5 * 1024 * 1024
export const DEFAULT_CHUNK = 16 * 1024 * 1024
const MAX_RESTARTS = 3
const MAX_STALLS = 8
const SMALL_DEADLINE_MS = 30_000

/** Opens bytes [start, end) of a blob as a fresh stream. */
export type BlobOpener = (start: number, end: number) => Readable

export interface BlobRef {
  digest: string
  size: number
}

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded'

export interface RegistryClientOptions {
  /** `https://<host>` (or `http://` for a test registry): the only origin the token goes to. */
  origin: string
  repository: string
  username: string
  password: string
  env: NodeJS.ProcessEnv
  transport?: Transport
  retry?: Partial<RetryOptions>
  chunkSize?: number
  log?: (line: string) => void
}

/** What each registry request is, as the ECR action IAM checks it under. */
type Op = 'check' | 'start' | 'part' | 'complete' | 'putManifest' | 'getManifest' | 'getBlob'
const ACTIONS: Record<Op, string> = {
  check: 'ecr:BatchCheckLayerAvailability',
  start: 'ecr:InitiateLayerUpload',
  part: 'ecr:UploadLayerPart',
  complete: 'ecr:CompleteLayerUpload',
  putManifest: 'ecr:PutImage',
  getManifest: 'ecr:BatchGetImage',
  getBlob: 'ecr:GetDownloadUrlForLayer',
}

/** The registry said no: status, ECR's error code and its (cut) message. */
export class RegistryError extends ActionError {
  override name = 'RegistryError'
  readonly status: number
  readonly code: string
  constructor(message: string, status: number, code: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** Internal: this upload session is lost or its data is wrong; start the blob again. */
class RestartUpload extends Error {}

/** ECR's `{"errors":[{"code","message"}]}`, or the status. */
function errorOf(answer: HttpAnswer): { code: string; message: string } {
  try {
    const doc: unknown = JSON.parse(answer.body.toString('utf8'))
    const first: unknown = isRecord(doc) && Array.isArray(doc.errors) ? doc.errors[0] : undefined
    if (isRecord(first)) {
      return { code: shown(first.code, 40), message: shown(first.message ?? '', 300) }
    }
  } catch {
    // not JSON: the status says it
  }
  const text = answer.body.toString('utf8').trim()
  return { code: `HTTP ${answer.status}`, message: shown(text, 200) }
}

function header(answer: { headers: Record<string, unknown> }, name: string): string | undefined {
  const v = answer.headers[name]
  return typeof v === 'string' ? v : undefined
}

/** Bytes the registry holds of an upload, from `Range: 0-<last>` (`0-0` read as none). */
export function confirmedBytes(range: string | undefined): number | undefined {
  if (range === undefined) return undefined
  const m = /^(?:bytes=)?0-(\d{1,15})$/.exec(range.trim())
  if (!m) return undefined
  const last = Number(m[1])
  return last === 0 ? 0 : last + 1
}

export class RegistryClient {
  readonly origin: string
  readonly repository: string
  private readonly authorization: string
  private readonly http: Transport
  private readonly retry: RetryOptions
  private readonly chunkSize: number
  private readonly log: (line: string) => void

  constructor(opts: RegistryClientOptions) {
    const url = new URL(opts.origin)
    this.origin = url.origin
    this.repository = opts.repository
    this.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`
    this.http = opts.transport ?? createTransport(opts.env)
    this.log = opts.log ?? (() => undefined)
    this.retry = {
      ...DEFAULT_RETRY,
      onRetry: (why, n, ms) => this.log(`registry: ${why}; retry ${n} in ${ms} ms`),
      ...opts.retry,
    }
    this.chunkSize = Math.max(MIN_CHUNK, opts.chunkSize ?? DEFAULT_CHUNK)
  }

  get host(): string {
    return new URL(this.origin).host
  }

  private url(path: string): URL {
    return new URL(`/v2/${this.repository}/${path}`, this.origin)
  }

  /** A Location from the registry, which must stay on its origin (the token goes nowhere else). */
  private location(answer: { headers: Record<string, unknown> }, op: Op): URL {
    const raw = header(answer, 'location')
    if (raw === undefined) throw new ActionError(`the registry answered ${op} without a Location`)
    let url: URL
    try {
      url = new URL(raw, this.origin)
    } catch {
      throw new ActionError(`the registry answered ${op} with an unusable Location '${shown(raw)}'`)
    }
    if (url.origin !== this.origin) {
      throw new ActionError(
        `the registry sent an upload location on another origin (${shown(url.origin)}): refused, the ECR token is sent only to ${this.origin}`,
      )
    }
    return url
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: this.authorization, ...extra }
  }

  private send(
    spec: Omit<RequestSpec, 'headers'> & { headers?: Record<string, string> },
  ): Promise<HttpAnswer> {
    return this.http.fetch({ ...spec, headers: this.headers(spec.headers) })
  }

  private retried(
    spec: Omit<RequestSpec, 'headers'> & { headers?: Record<string, string> },
    label: string,
  ): Promise<HttpAnswer> {
    return withRetry(() => this.send(spec), this.retry, label)
  }

  /** An error for an answer the request did not expect, saying what to do where it can. */
  private refused(op: Op, answer: HttpAnswer, what: string): RegistryError {
    const { code, message } = errorOf(answer)
    const base = `The registry ${this.host} refused ${what} (HTTP ${answer.status} ${code}${message ? `: ${message}` : ''})`
    let hint = ''
    if (answer.status === 401) hint = '. The ECR token was not accepted: re-run the job.'
    else if (answer.status === 403 && /expired/i.test(message))
      hint = '. The ECR token expired: re-run the job.'
    else if (answer.status === 403) hint = `. Grant ${ACTIONS[op]} on the repository ${this.repository}.`
    else if (code === 'NAME_UNKNOWN')
      hint = `. Create the repository ${this.repository}, or set 'create-repository: true'.`
    return new RegistryError(`${base}${hint}`, answer.status, code)
  }

  // ---- blobs --------------------------------------------------------------------------------

  /** Whether the repository holds the blob (HEAD); its size must be the one expected. */
  async hasBlob(blob: BlobRef): Promise<boolean> {
    const answer = await this.retried(
      { method: 'HEAD', url: this.url(`blobs/${blob.digest}`), timeoutMs: SMALL_DEADLINE_MS },
      `HEAD blob ${blob.digest}`,
    )
    if (answer.status === 404) return false
    if (answer.status !== 200) throw this.refused('check', answer, `the layer check of ${blob.digest}`)
    const length = header(answer, 'content-length')
    if (length !== undefined && Number(length) !== blob.size) {
      throw new ActionError(
        `The registry holds ${blob.digest} with ${shown(length, 20)} bytes, but it has ${blob.size}: the registry's copy is not this blob.`,
      )
    }
    return true
  }

  /**
   * The blob in the repository: nothing to do when it is there, a mount when `mountFrom` has it
   * (and ECR mounts), else an upload. Restarted from scratch when a session is lost or the digest
   * is refused at completion, at most MAX_RESTARTS times.
   */
  async uploadBlob(
    blob: BlobRef,
    open: BlobOpener,
    opts: { mountFrom?: string; present?: boolean } = {},
  ): Promise<UploadOutcome> {
    // `present`: the caller already asked (hasBlob), no need to ask again.
    if (opts.present ?? (await this.hasBlob(blob))) return 'exists'
    for (let restart = 0; ; restart++) {
      try {
        return await this.uploadOnce(blob, open, restart === 0 ? opts.mountFrom : undefined)
      } catch (err) {
        if (!(err instanceof RestartUpload)) throw err
        if (restart >= MAX_RESTARTS) {
          throw new ActionError(
            `Could not upload ${blob.digest} after ${restart + 1} attempts: ${err.message}`,
          )
        }
        this.log(`registry: upload of ${blob.digest} starts again: ${err.message}`)
      }
    }
  }

  private async uploadOnce(
    blob: BlobRef,
    open: BlobOpener,
    mountFrom: string | undefined,
  ): Promise<UploadOutcome> {
    const start = await this.startUpload(blob, mountFrom)
    if (start === 'mounted') return 'mounted'
    if (blob.size <= this.chunkSize) {
      await this.putWhole(start, blob, open)
      return 'uploaded'
    }
    let location = start
    let offset = 0
    let stalls = 0
    while (offset < blob.size) {
      const end = Math.min(offset + this.chunkSize, blob.size)
      const r = await this.patch(location, blob, offset, end, open)
      location = r.location
      if (r.confirmed !== end) {
        if (r.confirmed > end || ++stalls > MAX_STALLS) {
          throw new RestartUpload(`the registry holds ${r.confirmed} bytes after a part that ended at ${end}`)
        }
        this.log(
          `registry: ${blob.digest}: the registry holds ${r.confirmed} bytes, not ${end}: resending from there`,
        )
        // A registry that keeps failing the same part is not hammered.
        await (this.retry.sleep ?? realSleep)(backoffDelay(stalls - 1, this.retry))
      }
      offset = r.confirmed
    }
    await this.complete(location, blob, Buffer.alloc(0))
    return 'uploaded'
  }

  /** POST of an upload (with a mount request when a source is known): a session, or 'mounted'. */
  private async startUpload(blob: BlobRef, mountFrom: string | undefined): Promise<URL | 'mounted'> {
    const url = this.url('blobs/uploads/')
    if (mountFrom !== undefined) {
      url.searchParams.set('mount', blob.digest)
      url.searchParams.set('from', mountFrom)
    }
    const answer = await this.retried(
      { method: 'POST', url, bodyLength: 0, timeoutMs: SMALL_DEADLINE_MS },
      `start upload of ${blob.digest}`,
    )
    if (answer.status === 201 && mountFrom !== undefined) {
      const d = header(answer, 'docker-content-digest')
      if (d === blob.digest || (d === undefined && (await this.hasBlob(blob)))) return 'mounted'
      throw new ActionError(`the registry mounted ${shown(d)} when asked for ${blob.digest}`)
    }
    if (answer.status !== 202) throw this.refused('start', answer, `the upload of ${blob.digest}`)
    return this.location(answer, 'start')
  }

  /** The whole blob in the completing PUT. A failed PUT restarts the blob unless it landed. */
  private async putWhole(location: URL, blob: BlobRef, open: BlobOpener): Promise<void> {
    const body = blob.size === 0 ? Buffer.alloc(0) : () => open(0, blob.size)
    await this.complete(location, blob, body)
  }

  private async complete(location: URL, blob: BlobRef, body: Buffer | (() => Readable)): Promise<void> {
    const url = new URL(location)
    url.searchParams.set('digest', blob.digest)
    const length = Buffer.isBuffer(body) ? body.length : blob.size
    let answer: HttpAnswer
    try {
      answer = await this.send({
        method: 'PUT',
        url,
        headers: { 'content-type': 'application/octet-stream' },
        body,
        bodyLength: length,
        timeoutMs: dataDeadline(length),
      })
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err
      if (await this.hasBlob(blob)) return
      throw new RestartUpload(err.message)
    }
    await this.completed(answer, blob)
  }

  /** The completion's answer: done, restart the blob, or a refusal. */
  private async completed(answer: HttpAnswer, blob: BlobRef): Promise<void> {
    if (answer.status === 201 || answer.status === 204) {
      const d = header(answer, 'docker-content-digest')
      if (d !== undefined && d !== blob.digest) {
        throw new RestartUpload(`the registry stored ${shown(d)} instead of ${blob.digest}`)
      }
      return
    }
    const { code, message } = errorOf(answer)
    if (retryableStatus(answer.status) || answer.status === 404 || answer.status === 416) {
      if (await this.hasBlob(blob)) return
      throw new RestartUpload(`completion answered HTTP ${answer.status} ${code}`)
    }
    if (code === 'DIGEST_INVALID' || code === 'BLOB_UPLOAD_INVALID' || code === 'SIZE_INVALID') {
      throw new RestartUpload(`the registry refused the bytes it received (${code}: ${message})`)
    }
    throw this.refused('complete', answer, `the completion of ${blob.digest}`)
  }

  /**
   * One PATCH of [offset, end). The answer's Range says what the registry holds; after a failure
   * (reset, 5xx, 416) the upload's status says it instead, and the caller resumes from there.
   */
  private async patch(
    location: URL,
    blob: BlobRef,
    offset: number,
    end: number,
    open: BlobOpener,
  ): Promise<{ location: URL; confirmed: number }> {
    let answer: HttpAnswer | undefined
    let why: string
    try {
      answer = await this.send({
        method: 'PATCH',
        url: location,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}` },
        body: () => open(offset, end),
        bodyLength: end - offset,
        timeoutMs: dataDeadline(end - offset),
      })
      if (answer.status === 202 || answer.status === 201 || answer.status === 204) {
        const confirmed = confirmedBytes(header(answer, 'range'))
        if (confirmed !== undefined) return { location: this.location(answer, 'part'), confirmed }
        why = 'a part answered without a Range'
      } else if (retryableStatus(answer.status) || answer.status === 416) {
        why = `a part answered HTTP ${answer.status}`
      } else if (answer.status === 404) {
        throw new RestartUpload('the registry no longer knows the upload')
      } else {
        throw this.refused('part', answer, `a part of ${blob.digest}`)
      }
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err
      why = err.message
    }
    this.log(`registry: ${blob.digest} bytes ${offset}-${end - 1}: ${why}; asking the registry what it holds`)
    return this.uploadStatus(location)
  }

  /** GET of an upload: where it stands. A lost session restarts the blob. */
  private async uploadStatus(location: URL): Promise<{ location: URL; confirmed: number }> {
    let answer: HttpAnswer
    try {
      answer = await this.retried(
        { method: 'GET', url: location, timeoutMs: SMALL_DEADLINE_MS },
        'upload status',
      )
    } catch (err) {
      if (err instanceof NetworkError)
        throw new RestartUpload(`the upload status is unreadable: ${err.message}`)
      throw err
    }
    const confirmed = confirmedBytes(header(answer, 'range'))
    if ((answer.status !== 204 && answer.status !== 200) || confirmed === undefined) {
      throw new RestartUpload(`the upload status answered HTTP ${answer.status} ${errorOf(answer).code}`)
    }
    const next = header(answer, 'location') === undefined ? location : this.location(answer, 'part')
    return { location: next, confirmed }
  }

  // ---- manifests ----------------------------------------------------------------------------

  /** PUT of a manifest or index under a tag or its digest; the registry's digest must be ours. */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256(bytes)
    const answer = await this.retried(
      {
        method: 'PUT',
        url: this.url(`manifests/${encodeURIComponent(reference)}`),
        headers: { 'content-type': plainMediaType(mediaType) },
        body: bytes,
        timeoutMs: SMALL_DEADLINE_MS,
      },
      `PUT manifest ${reference}`,
    )
    if (answer.status !== 201 && answer.status !== 200) {
      throw this.refused(
        'putManifest',
        answer,
        `the manifest ${reference === digest ? digest : `${reference} (${digest})`}`,
      )
    }
    const stored = header(answer, 'docker-content-digest')
    if (stored !== undefined && stored !== digest) {
      throw new ActionError(
        `The registry stored the manifest ${reference} as ${shown(stored)}, but its bytes are ${digest}.`,
      )
    }
    return digest
  }

  /** A manifest or index by tag or digest: its bytes, media type and (recomputed) digest. */
  async getManifest(
    reference: string,
    accept: readonly string[] = MANIFEST_TYPES,
  ): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const answer = await this.retried(
      {
        method: 'GET',
        url: this.url(`manifests/${encodeURIComponent(reference)}`),
        headers: { accept: accept.join(', ') },
        timeoutMs: SMALL_DEADLINE_MS,
      },
      `GET manifest ${reference}`,
    )
    if (answer.status !== 200) throw this.refused('getManifest', answer, `the manifest ${reference}`)
    const digest = sha256(answer.body)
    if (SHA256_DIGEST.test(reference) && digest !== reference) {
      throw new ActionError(`The registry served ${digest} when asked for the manifest ${reference}.`)
    }
    return { bytes: answer.body, mediaType: plainMediaType(header(answer, 'content-type')), digest }
  }

  /** Whether a manifest exists (404: undefined), and its digest as the registry reports it. */
  async manifestDigest(reference: string): Promise<string | undefined> {
    try {
      return (await this.getManifest(reference)).digest
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined
      throw err
    }
  }

  // ---- reading blobs ------------------------------------------------------------------------

  /**
   * A blob as a stream whose bytes are checked as they pass: the stream fails at its end when the
   * size or the digest is not the one asked for. ECR answers with a redirect to storage: followed,
   * and the token is not sent off the registry's origin.
   */
  async blobStream(blob: BlobRef, signal?: AbortSignal): Promise<Readable> {
    let url = this.url(`blobs/${blob.digest}`)
    for (let hop = 0; hop < 4; hop++) {
      const onOrigin = url.origin === this.origin
      const target = url
      const answer = await withRetry(
        async () => {
          const a = await this.http.stream({
            method: 'GET',
            url: target,
            headers: onOrigin ? this.headers() : {},
            timeoutMs: dataDeadline(blob.size),
            ...(signal ? { signal } : {}),
          })
          if (retryableStatus(a.status)) a.stream.resume()
          return a
        },
        this.retry,
        `GET blob ${blob.digest}`,
      )
      if (answer.status >= 300 && answer.status < 400 && header(answer, 'location') !== undefined) {
        answer.stream.resume()
        url = new URL(header(answer, 'location') as string, url)
        continue
      }
      if (answer.status !== 200)
        throw this.refused('getBlob', await buffered(answer), `the blob ${blob.digest}`)
      const checked = verifier(blob)
      // pipeline: a reset of the answer fails the checked stream too (pipe would leave it hanging).
      pipeline(answer.stream, checked, () => undefined)
      return checked
    }
    throw new ActionError(`the registry redirected the blob ${blob.digest} too many times`)
  }

  /** A small blob (a config) in memory, checked. */
  async blobBytes(blob: BlobRef, max = 8 * 1024 * 1024): Promise<Buffer> {
    if (blob.size > max)
      throw new ActionError(`the blob ${blob.digest} has ${blob.size} bytes, more than ${max}`)
    const chunks: Buffer[] = []
    for await (const c of await this.blobStream(blob)) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }
}

/** A request's deadline for `bytes` of data: 60 s, plus the time at 100 kB/s. */
function dataDeadline(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 100)
}

async function buffered(answer: StreamAnswer): Promise<HttpAnswer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of answer.stream) {
    size += (c as Buffer).length
    if (size > 64 * 1024) break
    chunks.push(c as Buffer)
  }
  answer.stream.destroy()
  return { status: answer.status, headers: answer.headers, body: Buffer.concat(chunks) }
}

/** Passes bytes on, failing at the end unless they are `blob` exactly (size and sha256). */
function verifier(blob: BlobRef): Transform {
  const hash = createHash('sha256')
  let size = 0
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length
      if (size > blob.size) {
        cb(new ActionError(`the registry sent more than the ${blob.size} bytes of ${blob.digest}`))
        return
      }
      hash.update(chunk)
      cb(null, chunk)
    },
    flush(cb) {
      const digest = `sha256:${hash.digest('hex')}`
      if (size !== blob.size || digest !== blob.digest) {
        cb(
          new ActionError(
            `the registry sent ${size} bytes with ${digest} for ${blob.digest} (${blob.size} bytes)`,
          ),
        )
        return
      }
      cb()
    },
  })
}
