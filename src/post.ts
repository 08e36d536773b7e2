import * as core from './core.js'
import { Docker, removeDir } from './docker.js'
import { errorMessage } from './errors.js'
import { loadState } from './state.js'

/** The post step: undo what the main step left for later steps. Warns, never fails. */
export async function post(): Promise<void> {
  const state = loadState()
  if (state.privateConfig) {
    await removeDir(state.privateConfig).catch((err: unknown) => {
      core.warning(`Could not remove ${state.privateConfig}: ${errorMessage(err)}`)
    })
  }
  if (state.logoutRegistry) {
    try {
      const env: Record<string, string> = {}
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
      if (state.dockerConfig) env.DOCKER_CONFIG = state.dockerConfig
      const r = await new Docker(env).logout(state.logoutRegistry)
      if (r.code !== 0)
        core.warning(`docker logout ${state.logoutRegistry} failed: ${r.stderr.trim() || r.stdout.trim()}`)
      else core.info(`Logged out of ${state.logoutRegistry}`)
    } catch (err) {
      core.warning(`docker logout ${state.logoutRegistry} failed: ${errorMessage(err)}`)
    }
  }
}

await post()
