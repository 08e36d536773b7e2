/**
 * Reading the image: its configuration and history from the local engine, compressed layer sizes
 * from the registry's manifest, the whole image from `docker save` (only for the filesystem export).
 * Thin I/O: every decision is in image.ts / analyze.ts.
 */
import type { Readable } from 'node:stream'
import type { ECRClient } from '@aws-sdk/client-ecr'
import { endChild, spawnTracked } from '../children.js'
import type { Docker } from '../docker.js'
import { ActionError, errorMessage } from '../errors.js'
import { inferEmptyLayers, type HistoryEntry, type ManifestLayer, type RuntimeConfig } from './image.js'
import { MANIFEST_TYPES } from '../ecr.js'
import { ecrSdk } from '../sdk.js'

export interface LocalImage {
  config: RuntimeConfig
  diffIds: string[]
  history: HistoryEntry[]
  os?: string
  architecture?: string
  variant?: string
  created?: string
}

interface Inspect {
  Config?: RuntimeConfig
  RootFS?: { Layers?: string[] }
  Os?: string
  Architecture?: string
  Variant?: string
  Created?: string
}

interface HistoryLine {
  CreatedBy?: string
  CreatedAt?: string
  Comment?: string
  Size?: string | number
}

/** `docker image inspect` + `docker history`: fast, nothing copied. */
export async function readLocalImage(docker: Docker, imageId: string): Promise<LocalImage> {
  const [inspect, hist] = await Promise.all([
    docker.exec(['image', 'inspect', imageId], { silent: true }),
    docker.exec(['history', '--no-trunc', '--human=false', '--format', '{{json .}}', imageId], {
      silent: true,
    }),
  ])
  if (inspect.code !== 0)
    throw new ActionError(`docker image inspect ${imageId} failed: ${inspect.stderr.trim()}`)
  if (hist.code !== 0) throw new ActionError(`docker history ${imageId} failed: ${hist.stderr.trim()}`)
  const info = (JSON.parse(inspect.stdout) as Inspect[])[0] ?? {}
  const diffIds = info.RootFS?.Layers ?? []
  const lines = hist.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as HistoryLine)
    .reverse() // docker history lists newest first
  const sized = lines.map((l) => ({ createdBy: l.CreatedBy ?? '', size: Number(l.Size ?? 0) || 0 }))
  const empty = inferEmptyLayers(sized, diffIds.length)
  const history = lines.map((l, i) => {
    const h: HistoryEntry = {
      createdBy: l.CreatedBy ?? '',
      emptyLayer: empty[i] ?? true,
      size: sized[i]?.size ?? 0,
    }
    if (l.CreatedAt) h.created = l.CreatedAt
    if (l.Comment) h.comment = l.Comment
    return h
  })
  const out: LocalImage = { config: info.Config ?? {}, diffIds, history }
  if (info.Os) out.os = info.Os
  if (info.Architecture) out.architecture = info.Architecture
  if (info.Variant) out.variant = info.Variant
  if (info.Created) out.created = info.Created
  return out
}

/** History from an image config JSON (exact empty_layer flags), as `docker save` holds it. */
export function historyFromConfig(config: unknown): HistoryEntry[] | undefined {
  const h = (config as { history?: unknown } | null)?.history
  if (!Array.isArray(h)) return undefined
  return h.map((e: { created?: unknown; created_by?: unknown; comment?: unknown; empty_layer?: unknown }) => {
    const entry: HistoryEntry = {
      createdBy: typeof e.created_by === 'string' ? e.created_by : '',
      emptyLayer: e.empty_layer === true,
    }
    if (typeof e.created === 'string') entry.created = e.created
    if (typeof e.comment === 'string' && e.comment !== '') entry.comment = e.comment
    return entry
  })
}

export { MANIFEST_TYPES }

export interface RegistryManifest {
  mediaType: string
  digest: string
  layers: ManifestLayer[]
  configSize: number
}

interface ManifestJson {
  mediaType?: string
  config?: { size?: number }
  layers?: { digest?: string; size?: number; mediaType?: string }[]
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }[]
}

/** The pushed manifest (for an index: the platform manifest of the local image's platform). */
export async function registryManifest(
  ecr: ECRClient,
  where: { registryId: string; repository: string },
  digest: string,
  platform: { os?: string; architecture?: string; variant?: string },
): Promise<RegistryManifest> {
  const { BatchGetImageCommand } = await ecrSdk()
  const get = async (d: string): Promise<{ json: ManifestJson; mediaType: string }> => {
    const out = await ecr.send(
      new BatchGetImageCommand({
        registryId: where.registryId,
        repositoryName: where.repository,
        imageIds: [{ imageDigest: d }],
        acceptedMediaTypes: MANIFEST_TYPES,
      }),
    )
    const image = out.images?.[0]
    if (!image?.imageManifest) {
      const f = out.failures?.[0]
      throw new Error(
        `BatchGetImage ${d}: ${f?.failureCode ?? 'no manifest'} ${f?.failureReason ?? ''}`.trim(),
      )
    }
    const json = JSON.parse(image.imageManifest) as ManifestJson
    return { json, mediaType: image.imageManifestMediaType ?? json.mediaType ?? '' }
  }
  let m = await get(digest)
  let d = digest
  if (Array.isArray(m.json.manifests)) {
    const children = m.json.manifests
    const pick =
      children.find(
        (c) =>
          c.platform?.os === platform.os &&
          c.platform?.architecture === platform.architecture &&
          (platform.variant === undefined || c.platform?.variant === platform.variant),
      ) ?? children.find((c) => c.platform?.os !== 'unknown')
    if (!pick?.digest)
      throw new Error(`the image index ${digest} has no manifest for ${platform.os}/${platform.architecture}`)
    d = pick.digest
    m = await get(d)
  }
  return {
    mediaType: m.mediaType,
    digest: d,
    layers: (m.json.layers ?? []).map((l) => {
      const layer: ManifestLayer = { digest: l.digest ?? '', size: l.size ?? 0 }
      if (l.mediaType) layer.mediaType = l.mediaType
      return layer
    }),
    configSize: m.json.config?.size ?? 0,
  }
}

/** ECR's own size of the image (DescribeImages imageSizeInBytes). */
export async function registrySize(
  ecr: ECRClient,
  where: { registryId: string; repository: string },
  digest: string,
): Promise<number | undefined> {
  const { DescribeImagesCommand } = await ecrSdk()
  const out = await ecr.send(
    new DescribeImagesCommand({
      registryId: where.registryId,
      repositoryName: where.repository,
      imageIds: [{ imageDigest: digest }],
    }),
  )
  return out.imageDetails?.[0]?.imageSizeInBytes
}

/** The failures of `docker save` that were docker's own (an exit code and its message). */
const ownFailures = new WeakSet<object>()

/** `docker save` that sends no byte for this long is stopped (the engine is stuck). */
export const SAVE_STALL_MS = 120_000

export interface SavedStream {
  stream: Readable
  /** Settles when docker exits (rejects on failure, or when it was stopped). */
  done: Promise<void>
  /** Ends docker: the consumer failed, nobody reads the pipe any more. */
  stop: () => void
}

/**
 * `docker save <id>` as a stream (a tracked child: cancel.ts stops it on a signal). No byte for
 * SAVE_STALL_MS stops it; a consumer that fails must call `stop`, or docker would stay blocked on
 * a full pipe (`withSavedImage` does).
 */
export function saveImage(docker: Docker, imageId: string): SavedStream {
  const child = spawnTracked('docker', ['save', imageId], { env: docker.env })
  const err: Buffer[] = []
  child.stderr?.on('data', (b: Buffer) => {
    if (err.length < 64) err.push(b)
  })
  let last = Date.now()
  let stalled = false
  child.stdout?.on('data', () => (last = Date.now()))
  const watchdog = setInterval(() => {
    if (Date.now() - last > SAVE_STALL_MS) {
      stalled = true
      endChild(child)
    }
  }, 1000)
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (e) => {
      clearInterval(watchdog)
      reject(new ActionError(`docker save ${imageId} could not start: ${e.message}`))
    })
    child.once('close', (code, signal) => {
      clearInterval(watchdog)
      if (code === 0) return resolve()
      const why = stalled
        ? `no data for ${SAVE_STALL_MS / 1000} s`
        : (Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '')
      const failure = new ActionError(`docker save ${imageId} failed (${signal ?? `exit ${code}`}): ${why}`)
      // Exited with an error of its own (not a signal: SIGPIPE is a reader that stopped reading).
      if (signal === null && !stalled) ownFailures.add(failure)
      reject(failure)
    })
  })
  return { stream: child.stdout as Readable, done, stop: () => endChild(child) }
}

/**
 * Runs `consume` on the saved image's stream; when it fails, docker is stopped at once (its
 * failure then is only a consequence, and the consumer's error is the one reported).
 */
export async function withSavedImage<T>(
  saved: SavedStream,
  consume: (stream: Readable) => Promise<T>,
): Promise<T> {
  let out: T
  try {
    out = await consume(saved.stream)
  } catch (err) {
    // A stream that ended short is most often docker's own failure (the image went away, the
    // daemon refused): its message is the cause, the consumer's only the consequence.
    // Only once the consumer had read to the end: one that gave up earlier made docker fail.
    const own = saved.stream.readableEnded
      ? await failedOnItsOwn(saved.done, OWN_FAILURE_GRACE_MS)
      : undefined
    saved.stop()
    saved.stream.destroy()
    await saved.done.catch(() => undefined)
    if (own !== undefined) throw new ActionError(`${errorMessage(own)} (so: ${errorMessage(err)})`)
    throw err
  }
  await saved.done
  return out
}

/** How long a consumer's failure waits for docker to say it failed first. */
const OWN_FAILURE_GRACE_MS = 1000

/** docker's own failure, if `done` rejects with one within `ms`; else undefined. */
async function failedOnItsOwn(done: Promise<void>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([
      done.then(
        () => undefined,
        (e: unknown) => e,
      ),
      late,
    ])
  } finally {
    clearTimeout(timer)
  }
}
