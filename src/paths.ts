/**
 * Where the action may read and write, checked before any network call (each problem names the
 * input). The rules are pure (`pathProblem`, table-tested); `checkPaths` gathers the facts.
 *
 * - Output files (`sarif-file`): inside the workspace or RUNNER_TEMP, by their real location (a
 *   symlinked directory on the way counts where it points); the name itself must not be a symbolic
 *   link, a directory or anything but a regular file. Written without following links (files.ts).
 * - Output directories (`export-filesystem`): the same places; not a link, not a file, empty.
 * - Input files (`ignore-file`, `lifecycle-policy`): their real location (links followed) inside
 *   the workspace, a regular file. A missing one is left to its reader, which says what to do.
 */
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from './errors.js'
import type { Inputs } from './inputs.js'

export type PathKind = 'output-file' | 'output-dir' | 'input-file'

export type EntryType = 'missing' | 'file' | 'directory' | 'symlink' | 'other'

export interface PathFacts {
  /** The absolute path, as the input resolves (relative to the workspace). */
  path: string
  /** Where it really is: links followed for an input file; for outputs, the real parent + name. */
  real: string
  /** What is at `path` itself, links not followed. */
  type: EntryType
  /** For an input file: what the link leads to (links followed). */
  targetType?: EntryType
  /** For a directory: whether it is empty. */
  empty?: boolean
}

export interface Roots {
  /** Real paths. */
  workspace: string
  runnerTemp: string
}

/** `p` is `root` or inside it (both absolute, normalised). */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
}

const WHAT: Record<PathKind, string> = {
  'output-file': 'a file path inside the workspace or RUNNER_TEMP (a new file, or a regular file to replace)',
  'output-dir': 'a new or empty directory inside the workspace or RUNNER_TEMP',
  'input-file': 'a file in the workspace (checked out by an earlier step)',
}

/** What is wrong with a path for `input`, or undefined. Pure. */
export function pathProblem(
  input: string,
  kind: PathKind,
  facts: PathFacts,
  roots: Roots,
): string | undefined {
  const shown = show(facts.path, roots)
  const bad = (what: string): string => `Invalid input '${input}': ${shown} ${what}. Expected ${WHAT[kind]}.`
  const places = kind === 'input-file' ? [roots.workspace] : [roots.workspace, roots.runnerTemp]
  if (!places.some((root) => isWithin(root, facts.real))) {
    const where = kind === 'input-file' ? 'the workspace' : 'the workspace and RUNNER_TEMP'
    return bad(`${facts.real === facts.path ? 'is' : `resolves to ${facts.real}, which is`} outside ${where}`)
  }
  const what = kind === 'input-file' ? inputFileProblem(facts) : outputProblem(kind, facts)
  return what === undefined ? undefined : bad(what)
}

function inputFileProblem(facts: PathFacts): string | undefined {
  const t = facts.type === 'symlink' ? facts.targetType : facts.type
  if (t === 'missing' || t === undefined || t === 'file') return undefined
  return `is ${article(t)}, not a file`
}

function outputProblem(kind: PathKind, facts: PathFacts): string | undefined {
  if (facts.type === 'symlink') return 'is a symbolic link (never followed for a write)'
  if (facts.type === 'missing') return undefined
  if (kind === 'output-file') return facts.type === 'file' ? undefined : `is ${article(facts.type)}`
  if (facts.type !== 'directory') return `is ${article(facts.type)}, not a directory`
  return facts.empty === false ? "is not empty (the image's files must not mix with others)" : undefined
}

function article(t: EntryType): string {
  return t === 'file' ? 'a file' : t === 'directory' ? 'a directory' : t === 'other' ? 'a special file' : t
}

function show(p: string, roots: Roots): string {
  const rel = path.relative(roots.workspace, p)
  return `'${rel !== '' && isWithin(roots.workspace, p) ? rel : p}'`
}

// ---- facts ------------------------------------------------------------------------------------

async function entryType(p: string, follow: boolean): Promise<EntryType> {
  try {
    const st = follow ? await fs.stat(p) : await fs.lstat(p)
    if (st.isSymbolicLink()) return 'symlink'
    if (st.isFile()) return 'file'
    return st.isDirectory() ? 'directory' : 'other'
  } catch {
    return 'missing'
  }
}

/** The real path of `p`'s deepest existing ancestor, with the rest of `p` appended. */
async function realOfParent(p: string): Promise<string> {
  let dir = path.dirname(p)
  const rest = [path.basename(p)]
  for (;;) {
    try {
      return path.join(await fs.realpath(dir), ...rest.reverse())
    } catch {
      const up = path.dirname(dir)
      if (up === dir) return p
      rest.push(path.basename(dir))
      dir = up
    }
  }
}

/** The facts `pathProblem` decides on. */
export async function pathFacts(p: string, kind: PathKind): Promise<PathFacts> {
  const type = await entryType(p, false)
  const facts: PathFacts = { path: p, real: await realOfParent(p), type }
  if (kind === 'input-file' && type !== 'missing') {
    facts.real = await fs.realpath(p).catch(() => facts.real)
    if (type === 'symlink') facts.targetType = await entryType(p, true)
  }
  if (kind === 'output-dir' && type === 'directory') facts.empty = (await fs.readdir(p)).length === 0
  return facts
}

/** The real workspace and RUNNER_TEMP (each as given when it does not exist). */
export async function roots(env: NodeJS.ProcessEnv): Promise<Roots> {
  const real = (p: string): Promise<string> => fs.realpath(p).catch(() => path.resolve(p))
  return {
    workspace: await real(env.GITHUB_WORKSPACE || process.cwd()),
    runnerTemp: await real(env.RUNNER_TEMP || os.tmpdir()),
  }
}

/** Every path input checked; throws one InputError with every problem. Returns the facts seen. */
export async function checkPaths(inputs: Inputs, env: NodeJS.ProcessEnv): Promise<Map<string, PathFacts>> {
  const r = await roots(env)
  const wanted: [string, PathKind, string | undefined][] = [
    ['lifecycle-policy', 'input-file', inputs.lifecyclePolicy],
    ['ignore-file', 'input-file', inputs.ignoreFile],
    // Only written by the scan gate.
    ['sarif-file', 'output-file', inputs.waitForScan ? inputs.sarifFile : undefined],
    ['export-filesystem', 'output-dir', inputs.exportFilesystem],
  ]
  const problems: string[] = []
  const seen = new Map<string, PathFacts>()
  for (const [input, kind, p] of wanted) {
    if (p === undefined) continue
    const facts = await pathFacts(p, kind)
    seen.set(input, facts)
    const problem = pathProblem(input, kind, facts, r)
    if (problem !== undefined) problems.push(problem)
  }
  if (problems.length > 0) throw new InputError(problems)
  return seen
}
