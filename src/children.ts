/**
 * Every child process the action starts (the docker CLI), with deadlines that end it and a
 * register the signal handlers use to stop them all (cancel.ts).
 *
 * - A child ends when it exceeds its `deadlineMs`, or prints nothing for `stallMs` (progress is
 *   output: the docker CLI prints a line when a layer changes state). It is sent SIGTERM, then
 *   SIGKILL after KILL_GRACE_MS, and the result says which limit it hit.
 * - What it prints is logged (unless silent) a line at a time through core.info: neutralised, so a
 *   registry's error text can never become a workflow command.
 * - A streaming child (`docker save`, spawnTracked) is ended by its consumer when the consumer
 *   fails: nothing is left blocked on a full pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as core from './core.js'

/** After SIGTERM, how long a child gets before SIGKILL. */
export const KILL_GRACE_MS = 2_000
/** Output kept per stream (the rest is counted, not kept: `docker history` of a big image). */
const KEEP_BYTES = 4 * 1024 * 1024

// The processes alive now: process handles only, no run data (the signal handlers need them).
const alive = new Set<ChildProcess>()
let refusing = false

/** From now on no child is started (the step is being cancelled): spawning throws. */
export function refuseNewChildren(): void {
  refusing = true
}

/** Stops every child still running (SIGTERM now, SIGKILL after the grace). Never throws. */
export function stopAllChildren(signal: NodeJS.Signals = 'SIGTERM'): number {
  const n = alive.size
  for (const child of alive) stop(child, signal)
  return n
}

/** The children still running (for the signal handlers' report). */
export function childrenAlive(): number {
  return alive.size
}

/** Signals the child's whole process group (what it started too), or the child alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.exitCode !== null || child.signalCode !== null) return
  signalGroup(child, signal)
  const timer = setTimeout(() => {
    const running = child.exitCode === null && child.signalCode === null
    // A pipe still open means some process of the group holds it (so the group is still ours).
    const held = child.stdout?.closed === false || child.stderr?.closed === false
    if (running || held) signalGroup(child, 'SIGKILL')
    child.stdout?.destroy()
    child.stderr?.destroy()
  }, KILL_GRACE_MS)
  timer.unref()
}

/**
 * Spawns `command` in a process group of its own (so that stopping it stops what it started) and
 * registers it until it exits.
 */
export function spawnTracked(
  command: string,
  args: string[],
  opts: { env: Record<string, string>; stdin?: 'pipe' | 'ignore' },
): ChildProcess {
  if (refusing) throw new Error(`not starting ${command}: the step is being cancelled`)
  const child = spawn(command, args, {
    env: opts.env,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: true,
  })
  alive.add(child)
  child.once('exit', () => alive.delete(child))
  child.once('error', () => alive.delete(child))
  return child
}

/** Ends a child (a streaming one whose consumer gave up). */
export function endChild(child: ChildProcess): void {
  stop(child)
}

export interface RunOptions {
  env: Record<string, string>
  input?: string
  /** No line logged. */
  silent?: boolean
  /** The whole run may take at most this long. */
  deadlineMs: number
  /** No output for this long ends it; a function is asked again at every check (it may change). */
  stallMs?: number | (() => number)
  /** Each output line as it comes (stdout and stderr). */
  onLine?: (line: string) => void
}

export interface RunResult {
  code: number
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Set when the action ended it: which limit it hit, and after how long. */
  stopped?: { limit: 'deadline' | 'stall'; afterMs: number }
}

/** A line splitter that logs and reports each complete line; `flush` for the rest. */
function lines(onLine: (line: string) => void): { push: (s: string) => void; flush: () => void } {
  let rest = ''
  return {
    push: (s) => {
      const parts = (rest + s).split('\n')
      rest = parts.pop() ?? ''
      for (const p of parts) onLine(p.replace(/\r$/, ''))
    },
    flush: () => {
      if (rest !== '') onLine(rest)
      rest = ''
    },
  }
}

function keep(chunks: Buffer[], size: { n: number }, b: Buffer): void {
  if (size.n >= KEEP_BYTES) return
  chunks.push(b.subarray(0, KEEP_BYTES - size.n))
  size.n += b.length
}

/** Runs a command to the end (or to a limit); rejects only when it cannot start. */
export function runChild(command: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    let last = started
    let stopped: RunResult['stopped']
    const child = spawnTracked(command, args, {
      env: opts.env,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    const sizes = { out: { n: 0 }, err: { n: 0 } }
    const split = lines((line) => {
      if (!opts.silent) core.info(line)
      opts.onLine?.(line)
    })
    const onData = (chunks: Buffer[], size: { n: number }) => (b: Buffer) => {
      last = Date.now()
      keep(chunks, size, b)
      split.push(b.toString('utf8'))
    }
    child.stdout?.on('data', onData(out, sizes.out))
    child.stderr?.on('data', onData(err, sizes.err))
    const watchdog = setInterval(() => {
      const now = Date.now()
      const stall = typeof opts.stallMs === 'function' ? opts.stallMs() : opts.stallMs
      const limit =
        now - started > opts.deadlineMs
          ? 'deadline'
          : stall !== undefined && now - last > stall
            ? 'stall'
            : undefined
      if (limit !== undefined && stopped === undefined) {
        stopped = { limit, afterMs: limit === 'deadline' ? now - started : now - last }
        stop(child)
      }
    }, 250)
    child.once('error', (e) => {
      clearInterval(watchdog)
      reject(e)
    })
    child.once('close', (code, signal) => {
      clearInterval(watchdog)
      split.flush()
      resolve({
        code: code ?? 128,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(stopped ? { stopped } : {}),
      })
    })
    // A child that exits before reading its input is no uncaught EPIPE.
    child.stdin?.on('error', () => undefined)
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}
