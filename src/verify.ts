/**
 * The pushed image is ours: after the push, what ECR holds for each tag must be exactly what docker
 * pushed, and name the local image. Pure: the manifests ECR returned (BatchGetImage) in, problems
 * out.
 *
 * Why both checks. A tag is a name two jobs can use at once. On a shared Docker engine another job
 * can re-tag `<registry>/<repository>:<tag>` between this step's `docker tag` and its `docker push`:
 * docker then pushes the other job's image, and ECR's digest agrees with docker's. Only the image's
 * configuration tells them apart: with Docker's image store the local image ID IS the config
 * digest, so the manifest must name it (with the containerd store the ID is the manifest's, or the
 * index's, own digest; for an index pushed otherwise, one of its platform images must name it).
 * From elsewhere, another push of the same tag can land right after ours:
 * then ECR's digest for the tag is no longer docker's.
 */
import { excerpt } from './neutralise.js'

export interface TagManifest {
  /** The digest ECR gives the tag's image. */
  digest: string
  /** The manifest as ECR returned it. */
  manifest: string
  mediaType: string
}

export interface VerifyFacts {
  /** `<registry>/<repository>`, for messages. */
  repositoryUri: string
  /** The local image as the input named it, and its ID. */
  image: string
  imageId: string
  /** What docker reported it pushed. */
  pushedDigest: string
  /** What ECR holds for each tag; undefined: no image under that tag. */
  tags: Map<string, TagManifest | undefined>
  /** For an index: the config digests its platform images name (by the index's digest). */
  indexConfigs?: Map<string, string[]>
}

/** The platform images an index lists (attestations and `unknown` platforms left out). */
export function indexChildren(manifest: string): string[] {
  try {
    const m = JSON.parse(manifest) as { manifests?: { digest?: unknown; platform?: { os?: unknown } }[] }
    return (m.manifests ?? [])
      .filter((c) => typeof c.digest === 'string' && c.platform?.os !== 'unknown')
      .map((c) => c.digest as string)
  } catch {
    return []
  }
}

/** The config digest an image manifest names; undefined for an index or something unreadable. */
export function configDigest(manifest: string): string | undefined {
  try {
    const m = JSON.parse(manifest) as { config?: { digest?: unknown } }
    return typeof m.config?.digest === 'string' ? m.config.digest : undefined
  } catch {
    return undefined
  }
}

const AFTERWARDS = 'Do not deploy this tag; deploy nothing from this step, and re-run.'

/** What is wrong with what ECR holds after the push, one line per tag; [] when all is ours. */
export function verifyPushed(f: VerifyFacts): string[] {
  const problems: string[] = []
  for (const [tag, held] of f.tags) {
    const ref = `${f.repositoryUri}:${tag}`
    if (held === undefined) {
      problems.push(
        `ECR holds no image for ${ref} right after docker pushed ${f.pushedDigest}: it was deleted or moved meanwhile. ${AFTERWARDS}`,
      )
      continue
    }
    if (held.digest !== f.pushedDigest) {
      problems.push(
        `ECR reports ${held.digest} for ${ref}, but docker pushed ${f.pushedDigest}: another push of the same tag landed at the same time. ${AFTERWARDS}`,
      )
      continue
    }
    const config = configDigest(held.manifest)
    if (held.digest === f.imageId || config === f.imageId) continue
    if (f.indexConfigs?.get(held.digest)?.includes(f.imageId)) continue
    problems.push(
      `docker pushed ${ref} as ${held.digest}, whose image ${config === undefined ? `(${excerpt(held.mediaType, 80)}) is not` : `config is ${config}, not`} the local image '${f.image}' (${f.imageId}): another job on this Docker engine re-tagged ${ref} during the push, and docker pushed its image. ${AFTERWARDS}`,
    )
  }
  return problems
}
