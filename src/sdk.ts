/**
 * The AWS SDK clients, loaded on first use so that a run that fails its input checks never pays
 * for them. One import() site per package: ncc turns every site into a chunk of its own, and two
 * sites of the same package would ship (and could load) the SDK twice.
 */
export type EcrSdk = typeof import('@aws-sdk/client-ecr')
export type StsSdk = typeof import('@aws-sdk/client-sts')
export type InspectorSdk = typeof import('@aws-sdk/client-inspector2')
export type EcrPublicSdk = typeof import('@aws-sdk/client-ecr-public')

// Caches of the lazy imports (a module loads once per process anyway): the only module-level
// state in src/, and it holds no run data.
let ecr: Promise<EcrSdk> | undefined
let sts: Promise<StsSdk> | undefined
let inspector: Promise<InspectorSdk> | undefined
let ecrPublic: Promise<EcrPublicSdk> | undefined

export function ecrSdk(): Promise<EcrSdk> {
  ecr ??= import('@aws-sdk/client-ecr')
  return ecr
}

export function stsSdk(): Promise<StsSdk> {
  sts ??= import('@aws-sdk/client-sts')
  return sts
}

/** Amazon Inspector's client: only governance loads it, only when continuous scanning covers the repository. */
export function inspectorSdk(): Promise<InspectorSdk> {
  inspector ??= import('@aws-sdk/client-inspector2')
  return inspector
}

/** Amazon ECR Public's client: only registry-type: public loads it. */
export function ecrPublicSdk(): Promise<EcrPublicSdk> {
  ecrPublic ??= import('@aws-sdk/client-ecr-public')
  return ecrPublic
}

/** Starts loading both SDKs, to overlap with work that waits on a child process. */
export function preloadSdks(): void {
  ecrSdk().catch(() => undefined)
  stsSdk().catch(() => undefined)
}
