import * as core from './core.js'
import { InputError, errorMessage } from './errors.js'
import { getInputs, type Inputs } from './inputs.js'
import { pushImage, type PushResult } from './push.js'
import { Report, cell } from './report.js'

/** The action: orchestration only. Every decision lives in a module of its own. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const deferred: (() => Promise<void>)[] = []
  const report = new Report()
  let inputs: Inputs | undefined
  try {
    inputs = getInputs(env)
    debugInputs(inputs)

    const pushed = await pushImage(inputs, { env, defer: (fn) => deferred.push(fn) })
    setPushOutputs(pushed)
    report.add(10, pushSection(pushed))
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
