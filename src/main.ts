import * as core from './core.js'
import { prepareAudit, runAudit } from './audit/index.js'
import { InputError, errorMessage } from './errors.js'
import { prepareGate, runGate } from './gate/index.js'
import { createRepository, prepareGovernance, runGovernance } from './governance/index.js'
import { getInputs, type Inputs } from './inputs.js'
import { pushImage, type PushResult } from './push.js'
import { Report, cell } from './report.js'
import { realSleep } from './retry.js'
import type { StageContext } from './stage.js'

/** The action: orchestration only. Every decision lives in a module of its own. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const deferred: (() => Promise<void>)[] = []
  const report = new Report()
  let inputs: Inputs | undefined
  try {
    inputs = getInputs(env)
    debugInputs(inputs)
    // Everything that can be checked locally is, before any network call.
    const pre = { inputs, env }
    const [governance, gate, audit] = await Promise.all([
      prepareGovernance(pre),
      prepareGate(pre),
      prepareAudit(pre),
    ])

    const i = inputs
    const pushed = await pushImage(inputs, {
      env,
      defer: (fn) => deferred.push(fn),
      ...(inputs.createRepository
        ? { onMissingRepository: (ecr, registryId) => createRepository(i, ecr, registryId, env) }
        : {}),
    })
    // The registry login is not needed past the push: a private docker config goes right away.
    await runDeferred(deferred)
    setPushOutputs(pushed)
    report.add(10, pushSection(pushed))

    // After the push, side by side: governance, the audit (reads the image locally) and the scan
    // wait (idle polling). A stage that throws fails the step but never hides another's verdict.
    const ctx: StageContext = { inputs, pushed, report, env, clock: Date.now, sleep: realSleep }
    const stages = [
      ['Repository governance', runGovernance(ctx, governance)],
      ['The image audit', runAudit(ctx, audit)],
      ['The scan gate', runGate(ctx, gate)],
    ] as const
    const settled = await Promise.allSettled(stages.map(([, p]) => p))
    const failures = settled.flatMap((r, n) => {
      if (r.status === 'rejected') return [`${stages[n]?.[0] ?? 'A stage'} failed: ${errorMessage(r.reason)}`]
      return r.value.failure ? [r.value.failure] : []
    })
    // Fail closed: a gate that crashed has not passed anything.
    if (settled[2]?.status === 'rejected' && inputs.waitForScan) core.setOutput('gate', 'failed')
    if (failures.length > 0) {
      process.exitCode = 1
      for (const f of failures) core.error(f)
    }
    // pr-comment: the verdict on the pull request (loaded only then). Never throws, never fails the step.
    if (inputs.prComment) {
      const gateRun = settled[2]
      const digest = gateRun?.status === 'fulfilled' ? gateRun.value.digest : undefined
      const { writePrComment } = await import('./github/index.js')
      await writePrComment({ inputs, env, pushed, gate: digest, stepFailed: failures.length > 0 })
    }
  } catch (err) {
    fail(err)
  } finally {
    await runDeferred(deferred)
    if (inputs?.summary && !report.empty) {
      await core.summary
        .addRaw(report.markdown())
        .write()
        .catch((err: unknown) => core.warning(`Could not write the job summary: ${errorMessage(err)}`))
    }
  }
}

/** Runs (once) and forgets the cleanups registered so far, newest first. Never throws. */
async function runDeferred(deferred: (() => Promise<void>)[]): Promise<void> {
  for (const fn of deferred.splice(0).reverse()) {
    await fn().catch((err: unknown) => core.warning(`Cleanup failed: ${errorMessage(err)}`))
  }
}

function fail(err: unknown): void {
  if (err instanceof InputError) {
    for (const problem of err.problems) core.error(problem)
    process.exitCode = 1
    return
  }
  core.setFailed(errorMessage(err))
}

function debugInputs(inputs: Inputs): void {
  if (!core.isDebug()) return
  for (const [k, v] of Object.entries(inputs))
    core.debug(`input ${k} = ${k === 'githubToken' ? '***' : JSON.stringify(v)}`)
}

function setPushOutputs(p: PushResult): void {
  core.setOutput('registry', p.registry)
  core.setOutput('repository-uri', p.repositoryUri)
  core.setOutput('image-uri', p.imageUri)
  core.setOutput('image-digest', p.digest)
  core.setOutput('image-ref', p.imageRef)
  core.setOutput('tags', p.tags.join(','))
  core.setOutput('aws-account-id', p.identity.account)
  core.setOutput('token-expires-at', p.tokenExpiresAt.toISOString())
  core.info(`Pushed ${p.imageRef}`)
}

function pushSection(p: PushResult): string {
  return [
    '### Pushed',
    '',
    '| | |',
    '|---|---|',
    `| Image (deploy this) | \`${cell(p.imageRef)}\` |`,
    `| Tags | ${p.tags.map((t) => `\`${cell(t)}\``).join(', ')} |`,
    `| Registry | \`${cell(p.registry)}\` (account ${p.registryId}) |`,
    `| Pushed as | \`${cell(p.identity.arn)}\` |`,
  ].join('\n')
}
