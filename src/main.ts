import { cancelled, installSignalHandlers } from './cancel.js'
import * as core from './core.js'
import { InputError, errorMessage } from './errors.js'
import { getInputs, type Inputs } from './inputs.js'
import { writeAlwaysSetOutputs } from './outputs.js'
import { Report } from './report.js'

/**
 * The action: orchestration only, every decision lives in a module of its own. The input check
 * comes first and needs nothing else; the rest (pipeline.ts) loads only once the inputs are valid.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const deferred: (() => Promise<void>)[] = []
  const report = new Report()
  let inputs: Inputs | undefined
  // Cancellation (cancel.ts): what is known so far goes to the summary, if there is one.
  const uninstall = installSignalHandlers({
    env,
    summary: () => (inputs?.summary === false ? undefined : report.markdown()),
  })
  try {
    inputs = getInputs(env)
    debugInputs(inputs)
    // Paths need the file system: checked once the inputs are valid (cold start of a failing run).
    const { checkPaths } = await import('./paths.js')
    await checkPaths(inputs, env)
    const { runPipeline } = await import('./pipeline.js')
    const failures = await runPipeline(inputs, env, report, {
      defer: (fn) => deferred.push(fn),
      loginDone: () => runDeferred(deferred),
    })
    if (failures.length > 0 && cancelled() === undefined) {
      process.exitCode = 1
      for (const f of failures) core.error(f)
    }
  } catch (err) {
    // Once cancelled, what fails afterwards is only the cancellation's doing: it said so already.
    if (cancelled() === undefined) fail(err)
  } finally {
    await runDeferred(deferred)
    uninstall()
    writeAlwaysSetOutputs()
    if (inputs?.summary && !report.empty && cancelled() === undefined) {
      await core
        .appendSummary(report.markdown())
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
