/**
 * The push stage for the sources that need no Docker engine: an OCI layout or archive, a docker
 * save archive (pushed with our registry client), and `push: false` (the image ECR holds). Same
 * shape as the docker push's stage, plus the registry client the audit reads the image with.
 */
import { createEcrClient } from '../ecr.js'
import type { GovernanceDeps } from '../governance/index.js'
import type { Inputs } from '../inputs.js'
import type { Prepare } from '../pipeline.js'
import { sessionCredentials, signIn } from '../push.js'
import { preloadSdks } from '../sdk.js'
import type { AfterPush } from '../stage.js'
import type { RegistryClient } from './client.js'
import { loadImage, verifyBlobs } from './layout.js'
import { pushGraph } from './push.js'
import { resolveRemote } from './remote.js'
import type { ImageSource } from './source.js'

export interface RegistryStage extends AfterPush {
  origin: GovernanceDeps['origin']
  template: GovernanceDeps['template']
  registryScanning: GovernanceDeps['registryScanning']
  /** Reads the image from the registry (the audit, the export). */
  registry: RegistryClient
}

type FileSource = Exclude<ImageSource, { kind: 'docker' }>

/** Loads and checks the layout or archive (no network), then signs in and pushes it. */
export async function pushFromFiles(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  source: FileSource,
  prepare: Prepare,
): Promise<RegistryStage> {
  preloadSdks()
  const graph = await loadImage(inputs.image, source)
  // Hashing every blob overlaps with the sign-in; nothing is uploaded before it is done, and it
  // stops when the step fails meanwhile.
  const stop = new AbortController()
  const verified = verifyBlobs(graph, stop.signal)
  verified.catch(() => undefined)
  try {
    const identity = await signIn(inputs, env)
    const ecr = await createEcrClient(inputs.region, sessionCredentials(inputs, identity))
    const registryId = inputs.registryId ?? identity.account
    const before = await prepare({ identity, ecr, registryId })
    const { pushed, client } = await pushGraph(inputs, {
      env,
      ecr,
      registryId,
      graph,
      verified,
      onMissingRepository: before.onMissingRepository,
    })
    return {
      identity,
      ecr,
      pushed,
      origin: before.origin(),
      template: before.template(),
      registryScanning: before.registryScanning,
      registry: client,
    }
  } catch (err) {
    stop.abort()
    throw err
  }
}

/** push: false: signs in and finds the image ECR holds; writes nothing. */
export async function fromRegistry(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  prepare: Prepare,
): Promise<RegistryStage> {
  preloadSdks()
  const identity = await signIn(inputs, env)
  const ecr = await createEcrClient(inputs.region, sessionCredentials(inputs, identity))
  const registryId = inputs.registryId ?? identity.account
  // Governance runs as after a push (registry-scanning included); the repository must exist.
  const before = await prepare({ identity, ecr, registryId })
  const { pushed, client } = await resolveRemote(inputs, { env, ecr, registryId })
  return {
    identity,
    ecr,
    pushed,
    origin: 'existing',
    template: undefined,
    registryScanning: before.registryScanning,
    registry: client,
  }
}
