/**
 * The parts of @actions/core this action uses, loaded without @actions/core's entry point.
 *
 * Why: `@actions/core` statically imports its OIDC client, which pulls in @actions/http-client and
 * undici — about 70 ms of every cold start (measured with `npm run bench`), although only
 * getIDToken needs them. So the workflow-command and summary modules of @actions/core are imported
 * directly (the same code, same escaping and masking rules), and the full package is loaded only
 * when an OIDC token is requested. @actions/core is pinned exactly in package.json because of this.
 */
import { EOL } from 'node:os'
import { issue, issueCommand } from '../node_modules/@actions/core/lib/command.js'
import { issueFileCommand, prepareKeyValueMessage } from '../node_modules/@actions/core/lib/file-command.js'
import { toCommandProperties, toCommandValue } from '../node_modules/@actions/core/lib/utils.js'
import type { AnnotationProperties } from '../node_modules/@actions/core/lib/core.js'

export { summary } from '../node_modules/@actions/core/lib/summary.js'
export type { AnnotationProperties }

export function setSecret(secret: string): void {
  if (secret !== '') issueCommand('add-mask', {}, secret)
}

export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value))
    return
  }
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, toCommandValue(value))
}

export function saveState(name: string, value: unknown): void {
  if (process.env.GITHUB_STATE) {
    issueFileCommand('STATE', prepareKeyValueMessage(name, value))
    return
  }
  issueCommand('save-state', { name }, toCommandValue(value))
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] || ''
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

export function isDebug(): boolean {
  return process.env.RUNNER_DEBUG === '1'
}

export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand(
    'error',
    toCommandProperties(properties),
    message instanceof Error ? message.toString() : message,
  )
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand(
    'warning',
    toCommandProperties(properties),
    message instanceof Error ? message.toString() : message,
  )
}

export function notice(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand(
    'notice',
    toCommandProperties(properties),
    message instanceof Error ? message.toString() : message,
  )
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

export function startGroup(name: string): void {
  issue('group', name)
}

export function endGroup(): void {
  issue('endgroup')
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  startGroup(name)
  try {
    return await fn()
  } finally {
    endGroup()
  }
}

/** A GitHub OIDC token (masked by @actions/core before it returns). Loads the full package lazily. */
export async function getIDToken(audience: string): Promise<string> {
  const core = await loadCore()
  return core.getIDToken(audience)
}

/** Starts loading what getIDToken needs, so it overlaps with other start-up work. */
export function preloadOidc(): void {
  loadCore().catch(() => undefined)
}

let full: Promise<typeof import('@actions/core')> | undefined
/** The full package, loaded once (one import() site: one chunk in dist/). */
function loadCore(): Promise<typeof import('@actions/core')> {
  full ??= import('@actions/core')
  return full
}
