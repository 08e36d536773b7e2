/**
 * `push: false`: the image ECR already holds, named by `image-digest` or the first tag. Nothing is
 * written anywhere (no upload, no manifest, no docker login); the result has the push's shape, so
 * the gate, governance and the audit run on it as after a push.
 */
import type { ECRClient } from '@aws-sdk/client-ecr'
import * as core from '../core.js'
import { digestsForTags, explainEcrError } from '../ecr.js'
import { ActionError, errorName } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { repositoryArn as arnOfRepository } from '../partition.js'
import type { PushResult } from '../push.js'
import { imageRefs } from '../registry.js'
import { ecrSdk } from '../sdk.js'
import type { RegistryClient } from './client.js'
import { authorize, registryClient } from './push.js'

export interface RemoteDeps {
  env: NodeJS.ProcessEnv
  ecr: ECRClient
  registryId: string
}

/** The image ECR holds for `image-digest` or the first tag, and a client to read it. */
export async function resolveRemote(
  inputs: Inputs,
  deps: RemoteDeps,
): Promise<{ pushed: PushResult; client: RegistryClient }> {
  const where = `registry ${deps.registryId} (${inputs.region})`
  const missing = (): Promise<never> =>
    Promise.reject(
      new ActionError(
        `Repository '${inputs.repository}' does not exist in ${where}: 'push: false' works on an image ECR already holds.`,
      ),
    )
  const { auth, registry, repository } = await authorize(inputs, { ...deps, missing })
  const { digest, tags } =
    inputs.imageDigest !== undefined
      ? await byDigest(inputs, deps, inputs.imageDigest, registry)
      : await byTag(inputs, deps, registry)
  core.info(
    `push: false: working on ${registry}/${inputs.repository}@${digest}${tags.length > 0 ? ` (${tags.join(', ')})` : ''}`,
  )
  const refs = imageRefs(registry, inputs.repository, tags, digest)
  const pushed: PushResult = {
    ...refs,
    // No tag names it: image-uri is the digest-pinned reference.
    imageUri: tags.length > 0 ? refs.imageUri : refs.imageRef,
    registryId: deps.registryId,
    repository,
    digest,
    tags,
    tokenExpiresAt: auth.expiresAt,
    imageId: digest,
  }
  return { pushed, client: registryClient(auth, registry, inputs.repository, deps.env) }
}

/** The first tag must exist; the other tags count when they name the same image (else a warning). */
async function byTag(
  inputs: Inputs,
  deps: RemoteDeps,
  registry: string,
): Promise<{ digest: string; tags: string[] }> {
  const arn = arnOfRepository(inputs.region, deps.registryId, inputs.repository)
  const found = await digestsForTags(deps.ecr, inputs.repository, inputs.tags, deps.registryId).catch(
    (err: unknown) => {
      throw explainEcrError('ecr:BatchGetImage', err, arn)
    },
  )
  const first = inputs.tags[0] ?? ''
  const digest = found.get(first)
  if (digest === undefined) {
    throw new ActionError(
      `Tag '${first}' does not exist in ${registry}/${inputs.repository}. 'push: false' works on an image ECR already holds: ` +
        `name a tag it has in 'tags' (the first one is used), or its digest in 'image-digest'.`,
    )
  }
  const tags: string[] = []
  for (const [tag, d] of found) {
    if (d === digest) tags.push(tag)
    else
      core.warning(
        `Tag '${tag}' ${d === undefined ? 'does not exist' : `names another image (${d})`} in ${registry}/${inputs.repository}: only ${digest} (tag '${first}') is checked.`,
      )
  }
  return { digest, tags }
}

/** The digest must be an image of the repository; its tags are what ECR lists for it. */
async function byDigest(
  inputs: Inputs,
  deps: RemoteDeps,
  digest: string,
  registry: string,
): Promise<{ digest: string; tags: string[] }> {
  const { DescribeImagesCommand } = await ecrSdk()
  try {
    const out = await deps.ecr.send(
      new DescribeImagesCommand({
        repositoryName: inputs.repository,
        registryId: deps.registryId,
        imageIds: [{ imageDigest: digest }],
      }),
    )
    const detail = out.imageDetails?.find((d) => d.imageDigest === digest)
    if (!detail) throw new ActionError(`ECR answered DescribeImages for ${digest} without it`)
    return { digest, tags: [...(detail.imageTags ?? [])].sort() }
  } catch (err) {
    if (errorName(err) === 'ImageNotFoundException') {
      throw new ActionError(
        `Image ${digest} does not exist in ${registry}/${inputs.repository}. Check 'image-digest': 'push: false' works on an image ECR already holds.`,
      )
    }
    if (err instanceof ActionError) throw err
    throw explainEcrError(
      'ecr:DescribeImages',
      err,
      arnOfRepository(inputs.region, deps.registryId, inputs.repository),
    )
  }
}
