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
    setPushOutputs(pushed)
    report.add(10, pushSection(pushed))

    // After the push: governance, then the audit and the scan wait side by side (the wait is idle
    // polling; the audit reads the image locally).
    const ctx: StageContext = { inputs, pushed, report, env, clock: Date.now, sleep: realSleep }
    const outcomes = [await runGovernance(ctx, governance)]
    outcomes.push(...(await Promise.all([runAudit(ctx, audit), runGate(ctx, gate)])))
    const failures = outcomes.flatMap((o) => (o.failure ? [o.failure] : []))
    if (failures.length > 0) {
      process.exitCode = 1
      for (const f of failures) core.error(f)
    }
  } catch (err) {
    fail(err)
  } finally {
    for (const fn of deferred.reverse()) {
      await fn().catch((err: unknown) => core.warning(`Cleanup failed: ${errorMessage(err)}`))
    }
    if (inputs?.summary && !report.empty) {
      await core.summary
        .addRaw(report.markdown())
        .write()
        .catch((err: unknown) => core.warning(`Could not write the job summary: ${errorMessage(err)}`))
    }
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
