/**
 * Cancellation of the main step. On cancel the runner sends SIGINT, then SIGTERM 7.5 s later,
 * then kills the process tree (actions/runner ProcessInvoker.CancelAndKillProcessTree). On the
 * first of SIGINT/SIGTERM the action, in this order and without waiting on anything:
 * 1. runs the synchronous cleanups registered (`onSignal`): the private docker config with the
 *    ECR token is deleted at once;
 * 2. stops every child process (children.ts: SIGTERM to each process group, SIGKILL after the
 *    grace, so `docker push` does not go on after the job was cancelled);
 * 3. writes what it knows to the job summary (the sections so far and a "cancelled" verdict) and
 *    an error annotation;
 * 4. exits non-zero (128 + the signal's number) once the children are gone, at most
 *    KILL_GRACE_MS + a little later. A second signal exits at once.
 * The post step still cleans up after a SIGKILL: the private config's path was saved in state
 * before the login (push.ts), and the post step removes it once verified (post.ts).
 */
import { appendFileSync } from 'node:fs'
import * as core from './core.js'
import { errorMessage } from './errors.js'
import { summaryDocument } from './neutralise.js'

// Synchronous cleanups to run at a signal, and whether one came: process-level, like the signal
// itself. No run data.
const cleanups = new Set<() => void>()
let cancelledBy: string | undefined

/** The signal that cancelled the step, if one did: the rest of the run then reports nothing. */
export function cancelled(): string | undefined {
  return cancelledBy
}

/** Registers `fn` to run (synchronously) if the step is cancelled; returns its unregistration. */
export function onSignal(fn: () => void): () => void {
  cleanups.add(fn)
  return () => cleanups.delete(fn)
}

export interface SignalOptions {
  /** The summary so far (undefined: none to write, e.g. summary: false). */
  summary: () => string | undefined
  env?: NodeJS.ProcessEnv
}

const EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 }

/** Installs the SIGINT/SIGTERM handlers; returns their removal (the step ended by itself). */
export function installSignalHandlers(opts: SignalOptions): () => void {
  const handle = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (cancelledBy !== undefined) process.exit(EXIT[signal])
    cancelledBy = signal
    const cleaned = runCleanups()
    // Loaded with the first docker command (already in memory then): not at the input check.
    void import('./children.js').then((children) => {
      children.refuseNewChildren()
      const stopped = children.stopAllChildren('SIGTERM')
      report(signal, { cleaned, stopped }, opts)
      exitWhenChildrenAreGone(EXIT[signal], children.childrenAlive, children.KILL_GRACE_MS)
    })
  }
  const onInt = (): void => handle('SIGINT')
  const onTerm = (): void => handle('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  return () => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}

function runCleanups(): number {
  let n = 0
  for (const fn of [...cleanups]) {
    try {
      fn()
      n++
    } catch {
      // a cleanup that fails must not keep the others from running
    }
    cleanups.delete(fn)
  }
  return n
}

function report(signal: string, done: { cleaned: number; stopped: number }, opts: SignalOptions): void {
  const what =
    `${done.stopped} child process${done.stopped === 1 ? '' : 'es'} stopped` +
    (done.cleaned > 0 ? '; the private docker config (the registry login) deleted' : '')
  core.error(
    `The step was cancelled (${signal}): ${what}. What it had not finished (a push, the scan gate) did not happen: do not deploy from this run.`,
  )
  const file = (opts.env ?? process.env).GITHUB_STEP_SUMMARY
  const known = opts.summary()
  if (!file || known === undefined) return
  const verdict = `### ⛔ Cancelled (${signal})\n\nThe step was stopped before it finished: ${what}. Nothing below is a verdict on the image.\n\n`
  try {
    appendFileSync(file, summaryDocument(verdict + known), 'utf8')
  } catch (err) {
    core.warning(`Could not write the job summary: ${errorMessage(err)}`)
  }
}

function exitWhenChildrenAreGone(code: number, childrenAlive: () => number, grace: number): void {
  const deadline = Date.now() + grace + 500
  const check = (): void => {
    if (childrenAlive() === 0 || Date.now() > deadline) process.exit(code)
    setTimeout(check, 50)
  }
  check()
}
