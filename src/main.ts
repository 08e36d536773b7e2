import * as core from './core.js'
import { prepareAudit, runAudit } from './audit/index.js'
import { InputError, errorMessage } from './errors.js'
import { prepareGate, runGate } from './gate/index.js'
import { createRepository, prepareGovernance, runGovernance } from './governance/index.js'
import { getInputs, type Inputs } from './inputs.js'
import { pushImage, pushStageResult } from './push.js'
import { Report } from './report.js'
import { realSleep } from './retry.js'
import { publish, stageResult, type StageContext, type StageResult } from './stage.js'

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
    publish(pushStageResult(pushed), report)
    core.info(`Pushed ${pushed.imageRef}`)

    // After the push, side by side: governance, the audit (reads the image locally) and the scan
    // wait (idle polling). A stage that throws fails the step but never hides another's verdict.
    const ctx: StageContext = { inputs, pushed, env, clock: Date.now, sleep: realSleep }
    const results = await Promise.all([
      settle('Repository governance', runGovernance(ctx, governance)),
      settle('The image audit', runAudit(ctx, audit)),
      // Fail closed: a gate that crashed has not passed anything.
      settle('The scan gate', runGate(ctx, gate), inputs.waitForScan ? { outputs: { gate: 'failed' } } : {}),
    ])
    const failures: string[] = []
    for (const r of results) {
      publish(r, report)
      if (r.failure !== undefined) failures.push(r.failure)
    }
    if (failures.length > 0) {
      process.exitCode = 1
      for (const f of failures) core.error(f)
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
  for (const [k, v] of Object.entries(inputs)) core.debug(`input ${k} = ${JSON.stringify(v)}`)
}

/** The stage's result; a stage that throws becomes a failure (with `crashed`'s outputs). */
async function settle(
  title: string,
  stage: Promise<StageResult>,
  crashed: Partial<StageResult> = {},
): Promise<StageResult> {
  try {
    return await stage
  } catch (err) {
    return stageResult({ ...crashed, failure: `${title} failed: ${errorMessage(err)}` })
  }
}
