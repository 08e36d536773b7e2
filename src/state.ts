import * as core from './core.js'

/** What the main step hands to the post step. Saved only when there is something to undo. */
export interface PostState {
  /** Registry host to log out of (keep-login: true). */
  logoutRegistry?: string
  /** Docker config directory the login went into. */
  dockerConfig?: string
  /** Private docker config directory; normally already gone, removed again as a safety net. */
  privateConfig?: string
  /** The random ID in that directory's marker: the post step removes only a directory it can verify. */
  privateConfigId?: string
}

const KEYS = {
  logoutRegistry: 'logout-registry',
  dockerConfig: 'docker-config',
  privateConfig: 'private-config',
  privateConfigId: 'private-config-id',
} as const satisfies Record<keyof PostState, string>

export function saveState(state: PostState): void {
  for (const [field, key] of Object.entries(KEYS) as [keyof PostState, string][]) {
    const value = state[field]
    if (value !== undefined) core.saveState(key, value)
  }
}

export function loadState(): PostState {
  const state: PostState = {}
  for (const [field, key] of Object.entries(KEYS) as [keyof PostState, string][]) {
    const value = core.getState(key)
    if (value !== '') state[field] = value
  }
  return state
}
