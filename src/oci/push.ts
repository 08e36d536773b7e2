/**
 * The push of an OCI layout or archive, with our own registry client (no Docker engine, no docker
 * login, no docker config): every blob (bounded parallel, skipped when the registry has it), every
 * platform manifest and attestation by digest, then the image or index under each tag; then what
 * ECR stores is read back (digest of each tag, and the config each image manifest names) and
 * BatchGetImage must agree.
 */
import type { ECRClient } from '@aws-sdk/client-ecr'
import * as core from '../core.js'
import { digestsForTags, explainEcrError, getAuthorization, type Authorization } from '../ecr.js'
import { ActionError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { repositoryArn as arnOfRepository } from '../partition.js'
import type { MissingRepository, PushResult } from '../push.js'
import { describeRepository, missingRepository } from '../push.js'
import { imageRefs, registryHost } from '../registry.js'
import { formatBytes } from '../audit/image.js'
import { RegistryClient, type UploadOutcome } from './client.js'
import type { ImageGraph } from './layout.js'
import { INDEX_TYPES, parseManifest, shown } from './types.js'

/** Blobs uploaded at once: enough to fill a runner's link, few enough for a 2-core runner. */
export const UPLOAD_CONCURRENCY = 4

export interface OciPushDeps {
  env: NodeJS.ProcessEnv
  ecr: ECRClient
  registryId: string
  graph: ImageGraph
  /** Settles when every blob is hashed (rejects on a mismatch): nothing is uploaded before. */
  verified: Promise<void>
  onMissingRepository?: MissingRepository
}

/** The ECR token's registry client (token in memory only). */
export function registryClient(
  auth: Authorization,
  registry: string,
  repository: string,
  env: NodeJS.ProcessEnv,
): RegistryClient {
  const scheme = new URL(auth.proxyEndpoint).protocol === 'http:' ? 'http:' : 'https:'
  return new RegistryClient({
    origin: `${scheme}//${registry}`,
    repository,
    username: auth.username,
    password: auth.password,
    env,
    log: core.info,
  })
}

/**
 * The token and the repository, side by side (as the docker push does). A missing repository goes
 * to `missing` (the push's: create it or say how; push: false's: say so). `early` gets the token as
 * soon as it is there, before the repository check answers (to start read-only requests).
 */
export async function authorize(
  inputs: Inputs,
  deps: {
    ecr: ECRClient
    registryId: string
    missing: () => Promise<PushResult['repository']>
    early?: (auth: Authorization, registry: string) => void
  },
): Promise<{ auth: Authorization; registry: string; repository: PushResult['repository'] }> {
  const repositoryArn = arnOfRepository(inputs.region, deps.registryId, inputs.repository)
  const [auth, existing] = await Promise.all([
    getAuthorization(deps.ecr, core.setSecret).then(
      (a) => {
        deps.early?.(a, registryHost(a.proxyEndpoint, deps.registryId))
        return a
      },
      (err: unknown) => {
        throw explainEcrError('ecr:GetAuthorizationToken', err, '*')
      },
    ),
    describeRepository(inputs, deps.ecr, deps.registryId, repositoryArn),
  ])
  const registry = registryHost(auth.proxyEndpoint, deps.registryId)
  const repository = existing === undefined ? await deps.missing() : (existing ?? undefined)
  return { auth, registry, repository }
}

/** HEAD of every blob, started as soon as there is a token (read-only: it needs no repository check). */
function checkBlobs(client: RegistryClient, graph: ImageGraph): Map<string, Promise<boolean>> {
  const present = new Map<string, Promise<boolean>>()
  for (const b of graph.blobs) {
    const p = client.hasBlob(b)
    p.catch(() => undefined) // read (and reported) by the upload that awaits it
    present.set(b.digest, p)
  }
  return present
}

/** Pushes the graph under every tag; what was pushed, and the client (for the audit). */
export async function pushGraph(
  inputs: Inputs,
  deps: OciPushDeps,
): Promise<{ pushed: PushResult; client: RegistryClient }> {
  const { graph } = deps
  const missing = (): Promise<PushResult['repository']> =>
    missingRepository(inputs, {
      registryId: deps.registryId,
      ...(deps.onMissingRepository ? { onMissingRepository: deps.onMissingRepository } : {}),
    })
  let early: { client: RegistryClient; present: Map<string, Promise<boolean>> } | undefined
  const { auth, registry, repository } = await authorize(inputs, {
    ...deps,
    missing,
    early: (a, host) => {
      const c = registryClient(a, host, inputs.repository, deps.env)
      early = { client: c, present: checkBlobs(c, graph) }
    },
  })
  const client = early?.client ?? registryClient(auth, registry, inputs.repository, deps.env)
  await deps.verified
  const what =
    graph.platforms.length > 0
      ? `an index of ${graph.platforms.length} platform(s) (${graph.platforms.join(', ')})`
      : 'an image'
  core.info(`Pushing ${what} from ${graph.image} to ${registry}/${inputs.repository} (no Docker engine)`)
  await uploadBlobs(client, graph, early?.present)
  for (const m of graph.manifests)
    if (m !== graph.top) await client.putManifest(m.descriptor.digest, m.bytes, m.descriptor.mediaType)
  for (const tag of inputs.tags)
    await client.putManifest(tag, graph.top.bytes, graph.top.descriptor.mediaType)
  const digest = graph.top.descriptor.digest
  await checkStored(client, graph, inputs.tags)
  await checkWithEcr(inputs, deps, registry, digest)
  const config = graph.top.parsed.config?.digest
  const pushed: PushResult = {
    ...imageRefs(registry, inputs.repository, inputs.tags, digest),
    registryId: deps.registryId,
    repository,
    digest,
    tags: inputs.tags,
    tokenExpiresAt: auth.expiresAt,
    imageId: config ?? digest,
  }
  return { pushed, client }
}

/** Every blob, UPLOAD_CONCURRENCY at a time; a line with what moved. */
async function uploadBlobs(
  client: RegistryClient,
  graph: ImageGraph,
  present?: Map<string, Promise<boolean>>,
): Promise<void> {
  const queue = [...graph.blobs].sort((a, b) => b.size - a.size)
  const counts: Record<UploadOutcome, { n: number; bytes: number }> = {
    exists: { n: 0, bytes: 0 },
    mounted: { n: 0, bytes: 0 },
    uploaded: { n: 0, bytes: 0 },
  }
  let failed = false
  const worker = async (): Promise<void> => {
    // After a failure no worker takes another blob (the step fails; the rest would be for nothing).
    for (let b = queue.shift(); b !== undefined && !failed; b = queue.shift()) {
      try {
        const known = present?.get(b.digest)
        const outcome = await client.uploadBlob(
          b,
          graph.open(b.digest),
          known ? { present: await known } : {},
        )
        counts[outcome].n++
        counts[outcome].bytes += b.size
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, queue.length) }, worker))
  const { uploaded, exists, mounted } = counts
  core.info(
    `Blobs: ${uploaded.n} uploaded (${formatBytes(uploaded.bytes)}), ${exists.n} already in the repository` +
      (mounted.n > 0 ? `, ${mounted.n} mounted` : ''),
  )
}

/**
 * What ECR stores, read back: every tag names our digest, every manifest we pushed is stored as
 * its bytes, and each image manifest names the config we pushed (a silently dropped upload shows
 * here, not in the deployment).
 */
async function checkStored(
  client: RegistryClient,
  graph: ImageGraph,
  tags: readonly string[],
): Promise<void> {
  const top = graph.top.descriptor.digest
  for (const tag of tags) {
    const stored = await client.getManifest(tag)
    if (stored.digest !== top) {
      throw new ActionError(
        `The registry holds ${stored.digest} under ${client.host}/${client.repository}:${tag}, but ${top} was pushed. ` +
          'Another job may have pushed the same tag at the same time: do not deploy this tag; re-run.',
      )
    }
  }
  for (const m of graph.manifests) {
    if (INDEX_TYPES.has(m.parsed.mediaType) || m.parsed.config === undefined) continue
    const stored = await client.getManifest(m.descriptor.digest)
    const config = parseManifest(
      stored.bytes,
      stored.mediaType || m.descriptor.mediaType,
      `the stored manifest ${m.descriptor.digest}`,
    ).config
    if (config?.digest !== m.parsed.config.digest) {
      throw new ActionError(
        `The registry's manifest ${m.descriptor.digest} names the config ${shown(config?.digest)}, not ${m.parsed.config.digest}.`,
      )
    }
  }
}

/** ECR (BatchGetImage) must agree: it is the source of truth for what a tag points at. */
async function checkWithEcr(
  inputs: Inputs,
  deps: OciPushDeps,
  registry: string,
  digest: string,
): Promise<void> {
  const arn = arnOfRepository(inputs.region, deps.registryId, inputs.repository)
  const ecrDigests = await digestsForTags(deps.ecr, inputs.repository, inputs.tags, deps.registryId).catch(
    (err: unknown) => {
      throw explainEcrError('ecr:BatchGetImage', err, arn)
    },
  )
  for (const [tag, d] of ecrDigests) {
    if (d !== digest) {
      throw new ActionError(
        `ECR reports ${d ?? 'no image'} for ${registry}/${inputs.repository}:${tag}, but ${digest} was pushed. ` +
          'Another job may have pushed the same tag at the same time: do not deploy this tag; re-run.',
      )
    }
  }
}
