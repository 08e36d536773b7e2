import * as core from './core.js'
import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import {
  Docker,
  createPrivateConfig,
  explainPushFailure,
  privateDockerEnv,
  removeDir,
  userDockerConfigDir,
} from './docker.js'
import {
  createEcrClient,
  digestsForTags,
  explainEcrError,
  findRepository,
  getAuthorization,
  registryScanningOnce,
  type RegistryScanningRead,
} from './ecr.js'
import { ActionError, errorName } from './errors.js'
import { getIdToken, requireOidc } from './github.js'
import type { Inputs } from './inputs.js'
import { imageRefs, parsePushDigest, registryHost, type ImageRefs } from './registry.js'
import { cell } from './report.js'
import { preloadSdks } from './sdk.js'
import { stageResult, type StageResult } from './stage.js'
import { saveState } from './state.js'
import { assumeRoleWithOidc, callerIdentity, checkAllowedAccount, type Identity } from './sts.js'

export interface PushResult extends ImageRefs {
  identity: Identity
  ecr: ECRClient
  /** Account that owns the registry. */
  registryId: string
  /** The repository as DescribeRepositories shows it; undefined when that call is not allowed. */
  repository: Repository | undefined
  digest: string
  tags: string[]
  tokenExpiresAt: Date
  /** The registry's scanning configuration, read once for the stages that need it. */
  registryScanning: RegistryScanningRead
  /** Docker CLI logged in to the registry (private config unless keep-login). */
  docker: Docker
  /** Local image ID that was pushed. */
  imageId: string
}

/** Runs `fn` when the step ends, success or failure. */
export type Defer = (fn: () => Promise<void>) => void

/** Hook for repository governance: called when the repository is missing; returns it or throws. */
export type MissingRepository = (ecr: ECRClient, registryId: string) => Promise<Repository>

export interface PushDeps {
  env: NodeJS.ProcessEnv
  defer: Defer
  onMissingRepository?: MissingRepository
}

/** OIDC → STS → ECR login → docker push of every tag → digest cross-checked with ECR. */
export async function pushImage(inputs: Inputs, deps: PushDeps): Promise<PushResult> {
  const { env, defer } = deps
  const baseDocker = new Docker(stringEnv(env))
  // Loading the OIDC client and the AWS SDK overlaps with the local image check (a child process).
  if (inputs.roleToAssume !== undefined) core.preloadOidc()
  preloadSdks()

  // A missing local image is found before any network call: nothing happens at all.
  const imageId = await baseDocker.imageId(inputs.image)
  if (imageId === undefined) {
    throw new ActionError(
      `Local image '${inputs.image}' not found. Build or pull it in an earlier step (docker build -t ${inputs.image} .), ` +
        `on the same runner, before this one.`,
    )
  }
  core.debug(`local image ${inputs.image} = ${imageId}`)

  const identity = await resolveIdentity(inputs, env)
  checkAllowedAccount(identity, inputs.allowedAccountIds)
  core.info(`Acting as ${identity.arn} (account ${identity.account})`)
  const registryId = inputs.registryId ?? identity.account
  const repositoryArn = `arn:aws:ecr:${inputs.region}:${registryId}:repository/${inputs.repository}`

  const ecr = await createEcrClient(inputs.region, identity.credentials)
  const [auth, existing] = await Promise.all([
    getAuthorization(ecr, core.setSecret).catch((err: unknown) => {
      throw explainEcrError('ecr:GetAuthorizationToken', err, '*')
    }),
    findRepository(ecr, inputs.repository, registryId).catch((err: unknown) => {
      // Checking first gives a clear error before the push, but the push itself does not need the
      // permission: without it, warn and let the registry have the last word.
      if (errorName(err) === 'AccessDeniedException') {
        core.warning(
          `Could not check that repository '${inputs.repository}' exists: ecr:DescribeRepositories is not allowed ` +
            `on ${repositoryArn}. Pushing anyway; grant it for clearer errors and the repository's settings.`,
        )
        return null
      }
      throw explainEcrError('ecr:DescribeRepositories', err, repositoryArn)
    }),
  ])
  const registry = registryHost(auth.proxyEndpoint, registryId)
  let repository = existing ?? undefined
  if (existing === undefined) {
    if (!deps.onMissingRepository) {
      throw new ActionError(
        `Repository '${inputs.repository}' does not exist in registry ${registryId} (${inputs.region}). ` +
          `Set 'create-repository: true', or create it: aws ecr create-repository --repository-name ${inputs.repository} ` +
          `--image-scanning-configuration scanOnPush=true --region ${inputs.region}`,
      )
    }
    repository = await deps.onMissingRepository(ecr, registryId)
  }

  // Log in: a private docker config that dies with the step, or the user's (keep-login).
  let docker: Docker
  if (inputs.keepLogin) {
    docker = baseDocker
    saveState({ logoutRegistry: registry, dockerConfig: userDockerConfigDir(env) })
  } else {
    const dir = await createPrivateConfig(env.RUNNER_TEMP || (await import('node:os')).tmpdir())
    saveState({ privateConfig: dir })
    defer(() => removeDir(dir))
    docker = new Docker(await privateDockerEnv(env, dir))
  }
  // Log in and tag side by side (tags are local). On failure the local tags we made are removed.
  const refs = imageRefs(registry, inputs.repository, inputs.tags, 'sha256:')
  const created: string[] = []
  let digest: string | undefined
  try {
    const targets = inputs.tags.map((tag) => `${refs.repositoryUri}:${tag}`)
    const tagging = (async () => {
      for (const target of targets) {
        await docker.tag(inputs.image, target)
        created.push(target)
      }
    })()
    const [login] = await Promise.allSettled([docker.login(registry, auth), tagging])
    if (login.status === 'rejected') throw login.reason
    await tagging
    core.info(`Logged in to ${registry} (token valid until ${auth.expiresAt.toISOString()})`)
    for (const target of targets) {
      const r = await docker.push(target)
      if (r.code !== 0)
        throw new ActionError(explainPushFailure(target, inputs.repository, r.stderr + r.stdout))
      const d = parsePushDigest(r.stdout)
      if (!d) throw new ActionError(`docker push ${target} succeeded but printed no digest`)
      if (digest !== undefined && d !== digest) {
        throw new ActionError(`docker pushed two digests for one image: ${digest} and ${d} (${target})`)
      }
      digest = d
    }
  } catch (err) {
    await Promise.all(created.map((ref) => docker.untag(ref)))
    throw err
  }
  if (digest === undefined) throw new ActionError('nothing was pushed')

  // ECR is the source of truth for what a tag now points at.
  const ecrDigests = await digestsForTags(ecr, inputs.repository, inputs.tags, registryId).catch(
    (err: unknown) => {
      throw explainEcrError('ecr:DescribeImages', err, repositoryArn)
    },
  )
  for (const [tag, d] of ecrDigests) {
    if (d !== digest) {
      throw new ActionError(
        `ECR reports ${d ?? 'no image'} for ${refs.repositoryUri}:${tag}, but docker pushed ${digest}. ` +
          `Another job may have pushed the same tag at the same time: do not deploy this tag; re-run.`,
      )
    }
  }

  return {
    ...imageRefs(registry, inputs.repository, inputs.tags, digest),
    identity,
    ecr,
    registryId,
    repository,
    digest,
    tags: inputs.tags,
    tokenExpiresAt: auth.expiresAt,
    registryScanning: registryScanningOnce(ecr),
    docker,
    imageId,
  }
}

/** The push's outputs and its summary section. */
export function pushStageResult(p: PushResult): StageResult {
  return stageResult({
    outputs: {
      registry: p.registry,
      'repository-uri': p.repositoryUri,
      'image-uri': p.imageUri,
      'image-digest': p.digest,
      'image-ref': p.imageRef,
      tags: p.tags.join(','),
      'aws-account-id': p.identity.account,
      'token-expires-at': p.tokenExpiresAt.toISOString(),
    },
    sections: {
      push: [
        '### Pushed',
        '',
        '| | |',
        '|---|---|',
        `| Image (deploy this) | \`${cell(p.imageRef)}\` |`,
        `| Tags | ${p.tags.map((t) => `\`${cell(t)}\``).join(', ')} |`,
        `| Registry | \`${cell(p.registry)}\` (account ${p.registryId}) |`,
        `| Pushed as | \`${cell(p.identity.arn)}\` |`,
      ].join('\n'),
    },
  })
}

async function resolveIdentity(inputs: Inputs, env: NodeJS.ProcessEnv): Promise<Identity> {
  if (inputs.roleToAssume === undefined) {
    core.info('No role-to-assume: using the credentials in the environment (default AWS credential chain)')
    return callerIdentity(inputs.region)
  }
  requireOidc(env)
  return assumeRoleWithOidc({
    roleArn: inputs.roleToAssume,
    sessionName: inputs.roleSessionName,
    durationSeconds: inputs.roleDurationSeconds,
    region: inputs.region,
    audience: inputs.audience,
    getToken: getIdToken,
    mask: core.setSecret,
    log: core.info,
  })
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
