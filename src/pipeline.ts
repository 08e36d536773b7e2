/**
 * The run after the input check: local checks of every stage, the push, then governance, the audit
 * and the scan gate side by side. Loaded by main.ts only once the inputs are valid, so that a run
 * that fails its input check never loads (or pays the start-up of) any of this.
 */
import * as core from './core.js'
import { prepareAudit, runAudit, type AuditPlan } from './audit/index.js'
import type { Docker } from './docker.js'
import { createEcrClient } from './ecr.js'
import { ActionError, errorMessage } from './errors.js'
import { outputDir } from './files.js'
import { prepareGate, runGate, type GatePlan } from './gate/index.js'
import { crashedVerdict, skippedVerdict } from './gate/summary.js'
import {
  applyRegistryScanning,
  createRepository,
  repositoryFromTemplate,
  prepareGovernance,
  runGovernance,
  type GovernanceDeps,
  type GovernancePlan,
} from './governance/index.js'
import { configurationAfter } from './governance/registry-scanning.js'
import type { Inputs } from './inputs.js'
import { consoleUrl } from './partition.js'
import {
  localDocker,
  localImageId,
  pushImage,
  pushStageResult,
  sessionCredentials,
  signIn,
  type Defer,
  type MissingRepository,
} from './push.js'
import type { RegistryClient } from './oci/client.js'
import { alsoFailed, type Report } from './report.js'
import { realSleep } from './retry.js'
import { createEcrPublicClient, pushPublic } from './public.js'
import { decideCoverage, scanCoverageOutput, scanningConfiguration } from './scanning.js'
import { ecrPublicSdk } from './sdk.js'
import { digestWithoutFindings } from './github/digest.js'
import { publish, stageResult, type AfterPush, type StageContext, type StageResult } from './stage.js'

/**
 * Everything after the input check. `defer` registers cleanups; `loginDone` runs those registered
 * so far (the registry login is not needed past the push). Returns the stages' failures.
 */
export async function runPipeline(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  report: Report,
  cleanups: { defer: Defer; loginDone: () => Promise<void> },
): Promise<string[]> {
  if (inputs.registryType === 'public') return runPublicPipeline(inputs, env, report, cleanups)
  // Everything that can be checked locally is, before any network call.
  const pre = { inputs, env }
  const [governance, gate, audit] = await Promise.all([
    prepareGovernance(pre),
    prepareGate(pre),
    prepareAudit(pre),
  ])
  const docker = localDocker(env)
  const push = await imageStage(inputs, env, docker, cleanups.defer, report)
  // The registry login is not needed past the push: a private docker config goes right away.
  await cleanups.loginDone()
  const { pushed } = push
  const image = consoleUrl(inputs.region, pushed.registryId, inputs.repository, pushed.digest)
  publish(pushStageResult(pushed, push.identity, { pushed: inputs.push, consoleUrl: image }), report)
  core.info(`${inputs.push ? 'Pushed' : 'Working on'} ${pushed.imageRef}`)

  const ctx: StageContext = { inputs, env, clock: Date.now, sleep: realSleep, outputDir: outputDir(env) }
  return afterPush(ctx, { governance, gate, audit }, { ...push, docker }, report)
}

interface PushStage extends AfterPush {
  origin: GovernanceDeps['origin']
  template: GovernanceDeps['template']
  registryScanning: GovernanceDeps['registryScanning']
  /** Reads the image from the registry (OCI sources and push: false; issue 12). */
  registry?: RegistryClient
}

/**
 * The image's source (issue 12): the local docker engine as before; an OCI layout or archive or a
 * docker save archive, pushed without an engine; or, with push: false, the image ECR holds.
 */
async function imageStage(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  docker: Docker,
  defer: Defer,
  report: Report,
): Promise<PushStage> {
  const source = inputs.imageSource
  const prepare: Prepare = (signed) => beforePush(inputs, env, signed, report)
  if (inputs.push && source.kind === 'docker') return pushStage(inputs, env, { docker, defer, prepare })
  const { pushFromFiles, fromRegistry } = await import('./oci/stage.js')
  return source.kind === 'docker'
    ? fromRegistry(inputs, env, prepare)
    : pushFromFiles(inputs, env, source, prepare)
}

/** Who the push acts as, signed in: what the step does before it pushes is decided with it. */
export interface SignedIn extends Pick<AfterPush, 'identity' | 'ecr'> {
  registryId: string
}

/** What was decided before the push (registry scanning, the missing-repository hook). */
export interface BeforePush {
  registryScanning: GovernanceDeps['registryScanning']
  onMissingRepository: MissingRepository
  /** How the repository came to be, known once the push has run the hook (or not). */
  origin: () => GovernanceDeps['origin']
  template: () => GovernanceDeps['template']
}

export type Prepare = (signed: SignedIn) => Promise<BeforePush>

/**
 * After sign-in, before anything is pushed: registry-scanning (what is pushed must land under the
 * rule that scans it), and the hook for a missing repository (create it, or find the creation
 * template that makes ECR create it on push).
 */
async function beforePush(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  { identity, ecr, registryId }: SignedIn,
  report: Report,
): Promise<BeforePush> {
  const registryScanning = await applyRegistryScanning(inputs, {
    ecr,
    region: inputs.region,
    account: identity.account,
    registryId,
    sleep: realSleep,
  })
  if (registryScanning?.kind === 'failed') {
    const { before } = registryScanning
    const kind = decideCoverage({ registry: before }, inputs.repository, inputs.region).kind
    publish(stageResult({ outputs: { 'scan-coverage': kind } }), report)
    throw new ActionError(registryScanning.message)
  }
  let origin: GovernanceDeps['origin'] = 'existing'
  let template: GovernanceDeps['template']
  const onMissingRepository: MissingRepository = async () => {
    if (!inputs.createRepository) {
      // A CREATE_ON_PUSH creation template may make ECR create it on push (else: the error).
      template = await repositoryFromTemplate(inputs, ecr, registryId, identity.account)
      origin = 'template'
      return undefined
    }
    const created = await createRepository(inputs, ecr, registryId, env)
    origin = created.origin
    return created.repository
  }
  return { registryScanning, onMissingRepository, origin: () => origin, template: () => template }
}

/** The local image, who we act as, the ECR client, the push (creating the repository if asked). */
async function pushStage(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  local: { docker: Docker; defer: Defer; prepare: Prepare },
): Promise<PushStage> {
  const { docker, defer } = local
  const imageId = await localImageId(inputs, docker)
  const identity = await signIn(inputs, env)
  const ecr = await createEcrClient(inputs.region, sessionCredentials(inputs, identity))
  const registryId = inputs.registryId ?? identity.account
  const before = await local.prepare({ identity, ecr, registryId })
  const pushed = await pushImage(inputs, {
    env,
    defer,
    ecr,
    registryId,
    docker,
    imageId,
    onMissingRepository: before.onMissingRepository,
  })
  return {
    identity,
    ecr,
    pushed,
    origin: before.origin(),
    template: before.template(),
    registryScanning: before.registryScanning,
  }
}

/**
 * After the push, side by side: governance, the audit (reads the image locally) and the scan wait
 * (idle polling). Publishes each result; returns the failures. A stage that throws fails the step
 * but never hides another's verdict.
 */
async function afterPush(
  ctx: StageContext,
  plans: { governance: GovernancePlan; gate: GatePlan; audit: AuditPlan },
  push: PushStage & { docker: Docker },
  report: Report,
): Promise<string[]> {
  // Read at most once, for the gate and governance alike.
  const scanning = scanningConfiguration({
    ecr: push.ecr,
    registryId: push.pushed.registryId,
    account: push.identity.account,
    region: ctx.inputs.region,
    repository: ctx.inputs.repository,
    repositoryScanOnPush: push.pushed.repository?.imageScanningConfiguration?.scanOnPush,
    registry: push.registryScanning && configurationAfter(push.registryScanning),
  })
  const results = await Promise.all([
    settle('Repository governance', runGovernance(ctx, plans.governance, { ...push, scanning })),
    settle('The image audit', runAudit(ctx, plans.audit, push)),
    // Fail closed: a gate that crashed has not passed anything.
    settle('The scan gate', runGate(ctx, plans.gate, { ...push, scanning }), (failure) =>
      ctx.inputs.waitForScan
        ? { outputs: { gate: 'failed' }, sections: { verdict: crashedVerdict(failure) } }
        : {},
    ),
  ])
  const failures: string[] = []
  for (const r of results) {
    publish(r, report)
    if (r.failure !== undefined) failures.push(r.failure)
  }
  // Under the gate's verdict: what else fails the step (a passed gate does not make it pass).
  const others = results.slice(0, 2).flatMap((r) => (r.failure === undefined ? [] : [r.failure]))
  if (others.length > 0) report.add('verdict', alsoFailed(others))
  publish(stageResult({ outputs: await scanCoverageOutput(scanning) }), report)
  // pr-comment: the verdict on the pull request (loaded only then). Never throws, never fails the step.
  if (ctx.inputs.prComment) {
    const { writePrComment } = await import('./github/index.js')
    const gate = results[2].digest
    await writePrComment({
      inputs: ctx.inputs,
      env: ctx.env,
      pushed: push.pushed,
      gate,
      stepFailed: failures.length > 0,
    })
  }
  return failures
}

/**
 * registry-type: public (public.ts): the same stages with what ECR Public has. Push (ecr-public
 * token, registry URI, DescribeImages), then the audit (the local image) beside a gate that is
 * skipped: ECR Public does not scan. Governance does not apply (its inputs are input errors).
 */
async function runPublicPipeline(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  report: Report,
  cleanups: { defer: Defer; loginDone: () => Promise<void> },
): Promise<string[]> {
  const audit = await prepareAudit({ inputs, env })
  const docker = localDocker(env)
  ecrPublicSdk().catch(() => undefined)
  const imageId = await localImageId(inputs, docker)
  const identity = await signIn(inputs, env)
  const client = await createEcrPublicClient(sessionCredentials(inputs, identity))
  try {
    const push = await pushPublic(inputs, { env, defer: cleanups.defer, client, docker, imageId })
    await cleanups.loginDone()
    publish(pushStageResult(push.pushed, identity), report)
    core.info(`Pushed ${push.pushed.imageRef}`)
    const ctx: StageContext = { inputs, env, clock: Date.now, sleep: realSleep, outputDir: outputDir(env) }
    const deps = { pushed: push.pushed, docker, ...optionalSize(push.sizeInBytes) }
    const audited = await settle('The image audit', runAudit(ctx, audit, deps))
    const gate = publicGateResult(inputs, push.pushed.imageRef)
    for (const r of [gate, audited]) publish(r, report)
    if (inputs.prComment) {
      const { writePrComment } = await import('./github/index.js')
      const stepFailed = audited.failure !== undefined
      await writePrComment({ inputs, env, pushed: push.pushed, gate: gate.digest, stepFailed })
    }
    return audited.failure === undefined ? [] : [audited.failure]
  } finally {
    client.destroy()
  }
}

const optionalSize = (n: number | undefined): { registrySize?: number } =>
  n === undefined ? {} : { registrySize: n }

/** ECR Public does not scan: the gate is skipped, and says why (summary and a notice). */
export function publicGateResult(inputs: Pick<Inputs, 'severityThreshold'>, imageRef: string): StageResult {
  const note =
    'ECR Public does not scan images: there are no findings to gate on, so the scan gate is skipped.'
  const text = `${note} To gate on vulnerabilities, push the image to a private Amazon ECR repository (registry-type: private) as well and let this action wait for its findings there.`
  return stageResult({
    outputs: { 'scan-type': 'NONE', 'scan-status': 'SKIPPED', gate: 'skipped', 'scan-coverage': 'NONE' },
    sections: { verdict: skippedVerdict(imageRef, undefined, { reason: 'ECR Public does not scan', text }) },
    annotations: [{ level: 'notice', title: 'Scan gate skipped', message: note }],
    digest: digestWithoutFindings('skipped', inputs.severityThreshold, note),
  })
}

/** The stage's result; a stage that throws becomes a failure (with what `crashed` makes of it). */
async function settle(
  title: string,
  stage: Promise<StageResult>,
  crashed: (failure: string) => Partial<StageResult> = () => ({}),
): Promise<StageResult> {
  try {
    return await stage
  } catch (err) {
    const failure = `${title} failed: ${errorMessage(err)}`
    return stageResult({ ...crashed(failure), failure })
  }
}
