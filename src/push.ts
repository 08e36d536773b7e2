/**
 * The push, in the order main calls it: the local image (before any network call), who we act as
 * (OIDC → STS, or the environment's credentials), then ECR login → docker push of every tag →
 * digest cross-checked with ECR. Each step gets what it needs as parameters; the result is data.
 */
import { cancelled, onSignal } from './cancel.js'
import * as core from './core.js'
import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import {
  Docker,
  createPrivateConfig,
  explainPushFailure,
  privateDockerEnv,
  removeDir,
  removeDirSync,
  runnerTempDir,
  stoppedPushMessage,
  userDockerConfigDir,
  type ExecResult,
} from './docker.js'
import {
  explainEcrError,
  findRepository,
  getAuthorization,
  manifestsByDigest,
  manifestsForTags,
  type Authorization,
} from './ecr.js'
import { ActionError, errorMessage, errorName } from './errors.js'
import { getIdToken, requireOidc } from './github.js'
import type { Inputs } from './inputs.js'
import { realSleep } from './retry.js'
import { repositoryArn as arnOfRepository } from './partition.js'
import { imageRefs, parsePushDigest, registryHost, type ImageRefs } from './registry.js'
import { pushedSection } from './pushed-section.js'
import { preloadSdks } from './sdk.js'
import { stageResult, type StageResult } from './stage.js'
import { configDigest, indexChildren, verifyPushed, type TagManifest } from './verify.js'
import { saveState } from './state.js'
import { renewingCredentials, type CredentialProvider } from './credentials.js'
import {
  assumeRoleChained,
  assumeRoleWithOidc,
  callerIdentity,
  checkAllowedAccount,
  type AssumeRoleOptions,
  type AwsCredentials,
  type ChainOptions,
  type Identity,
} from './sts.js'

/** What was pushed, as data: no clients, no handles. */
export interface PushResult extends ImageRefs {
  /** Account that owns the registry. */
  registryId: string
  /**
   * The repository as DescribeRepositories shows it; undefined when that call is not allowed, or
   * when the push itself created it (a CREATE_ON_PUSH template).
   */
  repository: Repository | undefined
  digest: string
  tags: string[]
  tokenExpiresAt: Date
  /** Local image ID that was pushed. */
  imageId: string
}

/** Runs `fn` when the step ends, success or failure. */
export type Defer = (fn: () => Promise<void>) => void

/**
 * Hook for repository governance: called when the repository is missing; returns it (created),
 * undefined (the push will create it: a creation template), or throws.
 */
export type MissingRepository = () => Promise<Repository | undefined>

export interface PushDeps {
  env: NodeJS.ProcessEnv
  defer: Defer
  ecr: ECRClient
  /** Account that owns the registry (registry-id, or the identity's own). */
  registryId: string
  /** The docker CLI with the user's environment (the engine that holds the local image). */
  docker: Docker
  /** The local image's ID (from localImageId). */
  imageId: string
  onMissingRepository?: MissingRepository
}

/** The docker CLI as the user's environment configures it. */
export function localDocker(env: NodeJS.ProcessEnv): Docker {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return new Docker(out)
}

/**
 * The local image's ID. A missing image is found before any network call: nothing happens at all.
 * Loading the AWS SDK overlaps with this check (a child process).
 */
export async function localImageId(inputs: Inputs, docker: Docker): Promise<string> {
  preloadSdks()
  const imageId = await docker.imageId(inputs.image)
  if (imageId === undefined) {
    throw new ActionError(
      `Local image '${inputs.image}' not found. Build or pull it in an earlier step (docker build -t ${inputs.image} .), ` +
        `on the same runner, before this one.`,
    )
  }
  core.debug(`local image ${inputs.image} = ${imageId}`)
  return imageId
}

/** Who the action acts as: the role assumed with the OIDC token, or the environment's credentials. */
export async function signIn(inputs: Inputs, env: NodeJS.ProcessEnv): Promise<Identity> {
  const identity = await resolveIdentity(inputs, env)
  checkAllowedAccount(identity, inputs.allowedAccountIds)
  core.info(`Acting as ${identity.arn} (account ${identity.account})`)
  return identity
}

/** ECR login → docker push of every tag → digest cross-checked with ECR. */
export async function pushImage(inputs: Inputs, deps: PushDeps): Promise<PushResult> {
  const { ecr, registryId } = deps
  const repositoryArn = arnOfRepository(inputs.region, registryId, inputs.repository)
  const [auth, existing] = await Promise.all([
    getAuthorization(ecr, core.setSecret).catch((err: unknown) => {
      throw explainEcrError('ecr:GetAuthorizationToken', err, '*')
    }),
    describeRepository(inputs, ecr, registryId, repositoryArn),
  ])
  const registry = registryHost(auth.proxyEndpoint, registryId)
  const repository = existing === undefined ? await missingRepository(inputs, deps) : (existing ?? undefined)

  const docker = await loginDocker(inputs, deps, registry)
  const digest = await tagAndPush(inputs, docker, { registry, auth, imageId: deps.imageId })

  const refs = imageRefs(registry, inputs.repository, inputs.tags, digest)
  await verifyImage(inputs, deps, { repositoryUri: refs.repositoryUri, digest, repositoryArn })
  return {
    ...refs,
    registryId,
    repository,
    digest,
    tags: inputs.tags,
    tokenExpiresAt: auth.expiresAt,
    imageId: deps.imageId,
  }
}

/**
 * ---- issue 9, point 5: the pushed image is ours --------------------------------------------
 * ECR is the source of truth for what a tag now points at: each tag's manifest (BatchGetImage)
 * must be what docker pushed and name the local image's config (verify.ts).
 */
async function verifyImage(
  inputs: Inputs,
  deps: PushDeps,
  pushed: { repositoryUri: string; digest: string; repositoryArn: string },
): Promise<void> {
  const tags = await manifestsForTags(deps.ecr, inputs.repository, inputs.tags, deps.registryId).catch(
    (err: unknown) => {
      throw explainEcrError('ecr:BatchGetImage', err, pushed.repositoryArn)
    },
  )
  const configs = await indexConfigs(inputs, deps, tags).catch((err: unknown) => {
    throw explainEcrError('ecr:BatchGetImage', err, pushed.repositoryArn)
  })
  const problems = verifyPushed({
    repositoryUri: pushed.repositoryUri,
    image: inputs.image,
    imageId: deps.imageId,
    pushedDigest: pushed.digest,
    tags,
    indexConfigs: configs,
  })
  if (problems.length > 0) throw new ActionError(problems.join(' '))
}

/** For each index a tag holds (docker with the containerd store), the configs its images name. */
async function indexConfigs(
  inputs: Inputs,
  deps: PushDeps,
  tags: Map<string, TagManifest | undefined>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const held of tags.values()) {
    if (held === undefined || held.digest === deps.imageId || out.has(held.digest)) continue
    if (configDigest(held.manifest) !== undefined) continue
    const children = await manifestsByDigest(
      deps.ecr,
      inputs.repository,
      indexChildren(held.manifest),
      deps.registryId,
    )
    out.set(
      held.digest,
      children.flatMap((m) => configDigest(m.manifest) ?? []),
    )
  }
  return out
}

/**
 * The repository, undefined when missing, null when the role may not look. Checking first gives a
 * clear error before the push, but the push itself does not need the permission: without it,
 * warn and let the registry have the last word.
 */
export async function describeRepository(
  inputs: Inputs,
  ecr: ECRClient,
  registryId: string,
  repositoryArn: string,
): Promise<Repository | undefined | null> {
  return findRepository(ecr, inputs.repository, registryId).catch((err: unknown) => {
    if (errorName(err) === 'AccessDeniedException') {
      core.warning(
        `Could not check that repository '${inputs.repository}' exists: ecr:DescribeRepositories is not allowed ` +
          `on ${repositoryArn}. Pushing anyway; grant it for clearer errors and the repository's settings.`,
      )
      return null
    }
    throw explainEcrError('ecr:DescribeRepositories', err, repositoryArn)
  })
}

export async function missingRepository(
  inputs: Inputs,
  deps: Pick<PushDeps, 'registryId' | 'onMissingRepository'>,
): Promise<Repository | undefined> {
  if (!deps.onMissingRepository) throw new ActionError(missingRepositoryMessage(inputs, deps.registryId))
  return deps.onMissingRepository()
}

/** The error for a repository that does not exist and that nothing will create. */
export function missingRepositoryMessage(inputs: Inputs, registryId: string): string {
  return (
    `Repository '${inputs.repository}' does not exist in registry ${registryId} (${inputs.region}). ` +
    `Set 'create-repository: true', or create it: aws ecr create-repository --repository-name ${inputs.repository} ` +
    `--image-scanning-configuration scanOnPush=true --region ${inputs.region}`
  )
}

/** The docker CLI to log in with: a private config that dies with the step, or the user's (keep-login). */
export async function loginDocker(
  inputs: Inputs,
  deps: Pick<PushDeps, 'env' | 'defer' | 'docker'>,
  registry: string,
): Promise<Docker> {
  const { env } = deps
  if (inputs.keepLogin) {
    saveState({ logoutRegistry: registry, dockerConfig: userDockerConfigDir(env) })
    return deps.docker
  }
  // Saved before the login: a post step after a SIGKILL still finds (and verifies) it.
  const { dir, id } = await createPrivateConfig(runnerTempDir(env))
  saveState({ privateConfig: dir, privateConfigId: id })
  // On SIGINT/SIGTERM it goes at once, synchronously (cancel.ts); else when the push is done.
  const forget = onSignal(() => removeDirSync(dir))
  deps.defer(async () => {
    await removeDir(dir)
    forget()
  })
  return new Docker(await privateDockerEnv(env, dir))
}

/** Where tagAndPush pushes: `<registry>/<repository>:<tag>`, docker logged in to `loginHost`. */
export interface PushTarget {
  /** The repositories' prefix: an ECR registry host, or ECR Public's registry URI (`host/alias`). */
  registry: string
  /** The host docker logs in to (default `registry`). */
  loginHost?: string
  auth: Pick<Authorization, 'username' | 'password' | 'expiresAt'>
  imageId: string
  service?: 'ecr' | 'ecr-public'
}

/**
 * Logs in and tags side by side (tags are local), then pushes every tag; returns the one digest
 * they all got. The local tags made here are removed when it ends, success or failure.
 */
export async function tagAndPush(inputs: Inputs, docker: Docker, target: PushTarget): Promise<string> {
  const { registry, auth } = target
  const loginHost = target.loginHost ?? registry
  const targets = inputs.tags.map((tag) => `${registry}/${inputs.repository}:${tag}`)
  const tagged: LocalTag[] = []
  try {
    const tagging = tagLocally(docker, target.imageId, targets, tagged)
    const [login] = await Promise.allSettled([docker.login(loginHost, auth), tagging])
    if (login.status === 'rejected') throw login.reason
    await tagging
    core.info(`Logged in to ${loginHost} (token valid until ${auth.expiresAt.toISOString()})`)
    return await pushAll(inputs, docker, targets, target.service)
  } finally {
    await untagLocally(docker, target.imageId, tagged)
  }
}

/** `docker push` of every target; the one digest they all got. */
async function pushAll(
  inputs: Inputs,
  docker: Docker,
  targets: string[],
  service: 'ecr' | 'ecr-public' = 'ecr',
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<string> {
  let digest: string | undefined
  for (const target of targets) {
    const r = await pushRetried(docker, target, sleep)
    if (r.stopped) throw new ActionError(stoppedPushMessage(target, r.stopped))
    if (r.code !== 0) {
      const why = explainPushFailure(target, inputs.repository, r.stderr + r.stdout, service)
      throw new ActionError(r.attempts > 1 ? `${why} (after ${r.attempts} attempts)` : why)
    }
    const d = parsePushDigest(r.stdout)
    if (!d) throw new ActionError(`docker push ${target} succeeded but printed no digest`)
    if (digest !== undefined && d !== digest) {
      throw new ActionError(`docker pushed two digests for one image: ${digest} and ${d} (${target})`)
    }
    digest = d
  }
  if (digest === undefined) throw new ActionError('nothing was pushed')
  return digest
}

/**
 * What docker prints for a registry failure that can pass on retry: a 5xx or 429 answer, a reset
 * or cut connection. A push is content-addressed, so pushing again is safe (the verification after
 * it still checks what each tag names). Refusals (denied, unknown name, immutable tag) are not here.
 */
const TRANSIENT_PUSH_FAILURE =
  /unexpected HTTP status: (5\d\d|429)\b|\b(50[0234]|429) (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout|Too Many Requests)\b|toomanyrequests|connection reset by peer|unexpected EOF|TLS handshake timeout/i

/** Pauses before the 2nd and 3rd attempts of a push that failed transiently. */
export const PUSH_RETRY_DELAYS_MS = [1000, 3000]

/** `docker push`, again (at most twice) after a transient registry failure. */
async function pushRetried(
  docker: Docker,
  target: string,
  sleep: (ms: number) => Promise<void>,
): Promise<ExecResult & { attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const r = await docker.push(target)
    const delay = PUSH_RETRY_DELAYS_MS[attempt - 1]
    const transient = r.code !== 0 && !r.stopped && TRANSIENT_PUSH_FAILURE.test(r.stderr + r.stdout)
    if (!transient || delay === undefined || cancelled() !== undefined) return { ...r, attempts: attempt }
    const line = (r.stderr + r.stdout).split('\n').find((l) => TRANSIENT_PUSH_FAILURE.test(l)) ?? ''
    core.warning(
      `docker push ${target} failed (${line.trim()}); this can pass on retry: pushing again in ${delay / 1000} s (attempt ${attempt + 1} of ${PUSH_RETRY_DELAYS_MS.length + 1})`,
    )
    await sleep(delay)
  }
}

// ---- issue 9, point 5: local tags --------------------------------------------------------------

/** A tag this step set on the local image, and what it named before (undefined: nothing). */
interface LocalTag {
  ref: string
  before: string | undefined
}

/**
 * Tags the image by its ID (the image resolved before any network call, not whatever the input's
 * name points at by now), noting what each target named before.
 */
async function tagLocally(
  docker: Docker,
  imageId: string,
  targets: string[],
  tagged: LocalTag[],
): Promise<void> {
  for (const ref of targets) {
    const before = await docker.imageId(ref)
    await docker.tag(imageId, ref)
    tagged.push({ ref, before })
  }
}

/**
 * Undoes the tags: one this step created is removed (unless it is the image's only tag: removing it
 * would delete the image), one that named another image names it again; one that already named
 * this image stays. A tag another job moved meanwhile is left alone.
 * Never throws (it runs on failure too).
 */
async function untagLocally(docker: Docker, imageId: string, tagged: LocalTag[]): Promise<void> {
  for (const { ref, before } of tagged) {
    if (before === imageId) continue
    try {
      if ((await docker.imageId(ref)) !== imageId) continue
      if (before !== undefined) await docker.tag(before, ref)
      // Its last tag goes only with the image itself (an image given by ID): then it stays.
      else if ((await docker.tagCount(ref)) > 1) await docker.untag(ref)
    } catch (err) {
      core.warning(`Could not remove the local tag ${ref}: ${errorMessage(err)}`)
    }
  }
}

/**
 * What the push hands to main: its outputs and its summary section (`pushed` false: push: false
 * worked on ECR's image; `consoleUrl`: the image in the ECR console).
 */
export function pushStageResult(
  p: PushResult,
  identity: Identity,
  { pushed = true, consoleUrl }: { pushed?: boolean; consoleUrl?: string | undefined } = {},
): StageResult {
  return stageResult({
    outputs: {
      registry: p.registry,
      'repository-uri': p.repositoryUri,
      'image-uri': p.imageUri,
      'image-digest': p.digest,
      'image-ref': p.imageRef,
      tags: p.tags.join(','),
      'aws-account-id': identity.account,
      'token-expires-at': p.tokenExpiresAt.toISOString(),
    },
    sections: { push: pushedSection(p, identity, { pushed, consoleUrl }) },
  })
}

async function resolveIdentity(inputs: Inputs, env: NodeJS.ProcessEnv): Promise<Identity> {
  if (inputs.roleToAssume === undefined) {
    core.info('No role-to-assume: using the credentials in the environment (default AWS credential chain)')
    return callerIdentity(inputs.region)
  }
  if (inputs.roleChaining) {
    const chained = await assumeRoleChained(chainOptions(inputs, inputs.roleToAssume))
    core.info(
      `Role chaining: assumed ${inputs.roleToAssume} with the environment's credentials (${chained.source ?? 'identity unknown'})`,
    )
    return chained
  }
  requireOidc(env)
  return assumeRoleWithOidc(assumeOptions(inputs, inputs.roleToAssume))
}

/** What both ways of assuming the role take from the inputs. */
function stsOptions(inputs: Inputs, roleArn: string): ChainOptions {
  return {
    roleArn,
    sessionName: inputs.roleSessionName,
    durationSeconds: inputs.roleDurationSeconds,
    region: inputs.region,
    policies: {
      ...(inputs.inlineSessionPolicy !== undefined ? { policy: inputs.inlineSessionPolicy } : {}),
      policyArns: inputs.managedSessionPolicies,
    },
    mask: core.setSecret,
    log: core.info,
  }
}

function assumeOptions(inputs: Inputs, roleArn: string): AssumeRoleOptions {
  return { ...stsOptions(inputs, roleArn), audience: inputs.audience, getToken: getIdToken }
}

function chainOptions(inputs: Inputs, roleArn: string): ChainOptions {
  return {
    ...stsOptions(inputs, roleArn),
    ...(inputs.roleExternalId !== undefined ? { externalId: inputs.roleExternalId } : {}),
  }
}

/**
 * The role session as a provider that assumes the role again before it expires (the scan wait):
 * with a fresh OIDC token, or (role chaining) with the environment's credentials again.
 */
export function sessionCredentials(
  inputs: Inputs,
  identity: Identity,
): AwsCredentials | CredentialProvider | undefined {
  const initial = identity.credentials
  const roleArn = inputs.roleToAssume
  if (initial === undefined || roleArn === undefined) return initial
  const assume = inputs.roleChaining
    ? () => assumeRoleChained(chainOptions(inputs, roleArn))
    : () => assumeRoleWithOidc(assumeOptions(inputs, roleArn))
  return renewingCredentials({
    initial,
    renew: async () => {
      const again = await assume()
      if (!again.credentials) throw new Error('STS answered without credentials')
      return again.credentials
    },
    durationSeconds: inputs.roleDurationSeconds,
    ...(inputs.waitForScan ? { waitSeconds: inputs.scanTimeoutSeconds } : {}),
    ...(inputs.roleChaining ? { chainedFrom: identity.source ?? "the environment's credentials" } : {}),
    log: core.info,
    warn: (line) => core.warning(line),
  })
}
