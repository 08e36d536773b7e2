import * as core from './core.js'
import { Docker, PRIVATE_CONFIG_PREFIX, removeDir, runnerTempDir, userDockerConfigDir } from './docker.js'
import { errorMessage } from './errors.js'
import { excerpt } from './neutralise.js'
import { verifyPrivateDir } from './private-dir.js'
import { loadState, type PostState } from './state.js'

/** A registry host as docker takes it: a name or address and maybe a port; never an option. */
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?$/

/**
 * The post step: undo what the main step left for later steps. It acts only on state it can
 * verify (private-dir.ts); anything else is ignored with a warning. Warns, never fails.
 */
export async function post(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const state = loadState()
  if (state.privateConfig) await removePrivateConfig(state.privateConfig, state.privateConfigId ?? '', env)
  if (state.logoutRegistry) await logout(state, env)
}

async function removePrivateConfig(dir: string, id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const verdict = await verifyPrivateDir(dir, id, runnerTempDir(env), PRIVATE_CONFIG_PREFIX)
  if (!verdict.ok) {
    if (!verdict.gone)
      core.warning(
        `Saved state names ${excerpt(dir, 200)} as the private docker config, but it is ${verdict.reason}: left alone.`,
      )
    return
  }
  await removeDir(dir).catch((err: unknown) => {
    core.warning(`Could not remove ${dir}: ${errorMessage(err)}`)
  })
}

async function logout(state: PostState, env: NodeJS.ProcessEnv): Promise<void> {
  const registry = state.logoutRegistry ?? ''
  const expected = userDockerConfigDir(env)
  if (!HOST.test(registry) || (state.dockerConfig !== undefined && state.dockerConfig !== expected)) {
    core.warning(
      `Saved state asks to log out of ${excerpt(registry, 200)} in ${excerpt(state.dockerConfig ?? expected, 200)}, ` +
        `which is not a registry host in this job's docker config: left alone.`,
    )
    return
  }
  try {
    const docker = new Docker({ ...stringEnv(env), DOCKER_CONFIG: expected })
    const r = await docker.logout(registry)
    if (r.code !== 0) core.warning(`docker logout ${registry} failed: ${r.stderr.trim() || r.stdout.trim()}`)
    else core.info(`Logged out of ${registry}`)
  } catch (err) {
    core.warning(`docker logout ${registry} failed: ${errorMessage(err)}`)
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}

await post()
