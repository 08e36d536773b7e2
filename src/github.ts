import * as core from './core.js'
import { ActionError } from './errors.js'

/** True when the job may request an OIDC token (`permissions: id-token: write`). */
export function oidcAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
}

export function requireOidc(env: NodeJS.ProcessEnv): void {
  if (!oidcAvailable(env)) {
    throw new ActionError(
      "'role-to-assume' is set but this job cannot request a GitHub OIDC token: " +
        'add `permissions: id-token: write` to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL and ' +
        'ACTIONS_ID_TOKEN_REQUEST_TOKEN are missing). Pull requests from forks never get one.',
    )
  }
}

/** A fresh OIDC token; @actions/core masks it before returning. */
export async function getIdToken(audience: string): Promise<string> {
  return core.getIDToken(audience)
}
