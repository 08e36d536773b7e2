// Runs the bundled action (dist/index.js, then dist/post/index.js) the way the GitHub runner does, and
// parses what came back: outputs, state, exported env, job summary, workflow commands. Any other
// JavaScript action too (`actionDir`: its action.yml's inputs and `runs.main` / `runs.post`).
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

// ---- action.yml -----------------------------------------------------------------------------------

export interface ActionInput {
  name: string
  required: boolean
  /** The default as written (expressions not evaluated); undefined when none. */
  default: string | undefined
}

function unquote(raw: string, where: string): string {
  const v = raw.trim()
  if (v.startsWith("'")) {
    if (!v.endsWith("'") || v.length < 2) throw new Error(`${where}: unterminated quote: ${v}`)
    return v.slice(1, -1).replace(/''/g, "'")
  }
  if (v.startsWith('"')) return JSON.parse(v) as string
  if (v === '|' || v === '>' || v.startsWith('|-') || v.startsWith('>-') || v === '|+' || v === '>+')
    throw new Error(`${where}: block scalars are not supported by the test bed's action.yml reader`)
  return v.replace(/\s+#.*$/, '')
}

/**
 * The inputs of an action.yml: a tiny reader of the two-level `inputs:` block (names at two spaces,
 * keys at four), enough for names, `required` and single-line defaults.
 */
export function parseActionInputs(text: string): ActionInput[] {
  const inputs: ActionInput[] = []
  let inBlock = false
  let current: ActionInput | undefined
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const where = `action.yml:${i + 1}`
    if (/^\s*(#.*)?$/.test(line)) continue
    if (/^\S/.test(line)) {
      inBlock = /^inputs:\s*(#.*)?$/.test(line)
      current = undefined
      continue
    }
    if (!inBlock) continue
    const name = /^ {2}([^\s:#][^:]*):\s*(#.*)?$/.exec(line)
    if (name !== null) {
      current = { name: (name[1] ?? '').trim(), required: false, default: undefined }
      inputs.push(current)
      continue
    }
    const key = /^ {4}(default|required):(.*)$/.exec(line)
    if (key !== null && current !== undefined) {
      const value = unquote(key[2] ?? '', where)
      if (key[1] === 'default') current.default = value
      else current.required = value === 'true'
    }
  }
  return inputs
}

/** `runs.main` and `runs.post` of an action.yml (a JavaScript action's scripts, relative to it). */
export function parseActionRuns(text: string): { main: string; post?: string } {
  let inRuns = false
  const out: { main?: string; post?: string } = {}
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (/^\s*(#.*)?$/.test(line)) continue
    if (/^\S/.test(line)) {
      inRuns = /^runs:\s*(#.*)?$/.test(line)
      continue
    }
    const key = inRuns ? /^ {2}(main|post):(.*)$/.exec(line) : null
    if (key !== null) out[key[1] as 'main' | 'post'] = unquote(key[2] ?? '', `action.yml:${i + 1}`)
  }
  if (out.main === undefined) throw new Error('action.yml: no runs.main (not a JavaScript action?)')
  return out.post === undefined ? { main: out.main } : { main: out.main, post: out.post }
}

let cachedInputs: { file: string; inputs: ActionInput[] } | undefined

export function actionInputs(actionYml = path.join(REPO_ROOT, 'action.yml')): ActionInput[] {
  if (cachedInputs?.file !== actionYml) {
    cachedInputs = { file: actionYml, inputs: parseActionInputs(fs.readFileSync(actionYml, 'utf8')) }
  }
  return cachedInputs.inputs
}

/** `INPUT_<NAME>`: upper-case, spaces to `_`, hyphens kept (as the runner and @actions/core do). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Evaluates the `${{ github.* }}` expressions a default may hold, from the step's env and the job's token. */
export function evaluateDefault(value: string, env: Record<string, string>, githubToken = ''): string {
  const contexts: Record<string, string | undefined> = {
    'github.token': githubToken,
    'github.sha': env['GITHUB_SHA'],
    'github.ref': env['GITHUB_REF'],
    'github.ref_name': env['GITHUB_REF_NAME'],
    'github.repository': env['GITHUB_REPOSITORY'],
    'github.repository_owner': env['GITHUB_REPOSITORY_OWNER'],
    'github.run_id': env['GITHUB_RUN_ID'],
    'github.run_number': env['GITHUB_RUN_NUMBER'],
    'github.run_attempt': env['GITHUB_RUN_ATTEMPT'],
    'github.workflow': env['GITHUB_WORKFLOW'],
    'github.job': env['GITHUB_JOB'],
    'github.actor': env['GITHUB_ACTOR'],
    'github.event_name': env['GITHUB_EVENT_NAME'],
    'github.server_url': env['GITHUB_SERVER_URL'],
    'github.workspace': env['GITHUB_WORKSPACE'],
    'runner.temp': env['RUNNER_TEMP'],
    'runner.os': env['RUNNER_OS'],
  }
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_m, expr: string) => {
    const v = contexts[expr]
    if (v === undefined) throw new Error(`runner: cannot evaluate \${{ ${expr} }} in an action.yml default`)
    return v
  })
}

// ---- workflow commands and file commands --------------------------------------------------------

export interface WorkflowCommand {
  command: string
  props: Record<string, string>
  message: string
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(s: string): string {
  return s
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%')
}

/** The commands the GitHub runner registers (actions/runner ActionCommandManager and its extensions). */
export const RUNNER_COMMANDS = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
] as const

export interface RunnerCommand {
  /** As written (the runner compares names case-insensitively). */
  command: string
  form: 'v2' | 'legacy'
  /** The whole line the runner read. */
  line: string
}

/**
 * Every line of a step's output the real runner would take as a command, by its own rules (not
 * the friendlier ones of parseWorkflowCommands): lines end at LF, CR or CRLF (.NET ReadLine);
 * `::name …::` after leading white space (TrimStart), the name matched case-insensitively; and
 * the legacy `##[name …]` anywhere in a line. `::stop-commands::` is NOT honoured: a forged stop
 * is itself a command that must not be there.
 */
export function runnerCommands(output: string): RunnerCommand[] {
  const names = new Set<string>(RUNNER_COMMANDS)
  const found: RunnerCommand[] = []
  for (const line of output.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(/^\s+/u, '')
    const v2 = /^::([^ :]*)(?: [^:]*)?::/.exec(trimmed)
    if (v2 !== null && names.has((v2[1] ?? '').toLowerCase())) {
      found.push({ command: v2[1] ?? '', form: 'v2', line })
      continue
    }
    const at = line.indexOf('##[')
    const end = at < 0 ? -1 : line.indexOf(']', at)
    if (end > at) {
      const name = line.slice(at + 3, end).split(' ')[0] ?? ''
      if (names.has(name.toLowerCase())) found.push({ command: name, form: 'legacy', line })
    }
  }
  return found
}

/** `::name k=v,k=v::message` lines of a step's stdout, honouring `::stop-commands::`. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let stopToken: string | undefined
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined
      continue
    }
    const m = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/.exec(line)
    if (m === null) continue
    const command = m[1] ?? ''
    const props: Record<string, string> = {}
    for (const pair of (m[2] ?? '').split(',')) {
      if (pair.trim() === '') continue
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      props[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1))
    }
    const message = unescapeData(m[3] ?? '')
    if (command === 'stop-commands') {
      stopToken = message
      continue
    }
    commands.push({ command, props, message })
  }
  return commands
}

/** A GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file: `name=value` lines and `name<<DELIM` heredocs. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  if (lines[lines.length - 1] === '') lines.pop()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const eq = line.indexOf('=')
    const hd = line.indexOf('<<')
    if (hd > 0 && (eq < 0 || hd < eq)) {
      const name = line.slice(0, hd)
      const delimiter = line.slice(hd + 2)
      if (delimiter === '') throw new Error(`file command: empty heredoc delimiter for ${name}`)
      const value: string[] = []
      let closed = false
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true
          break
        }
        value.push(lines[i] ?? '')
      }
      if (!closed) throw new Error(`file command: heredoc for ${name} not closed by ${delimiter}`)
      out[name] = value.join('\n')
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1)
    } else {
      throw new Error(`file command: cannot parse line ${JSON.stringify(line)}`)
    }
  }
  return out
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** What the runner's log would show: each line masked with the masks registered before it. */
function maskLog(chunks: ReadonlyArray<{ stream: 'stdout' | 'stderr'; text: string }>): string {
  const masks: string[] = []
  const out: string[] = []
  const text = chunks.map((c) => c.text).join('')
  for (const line of text.split('\n')) {
    const add = /^::add-mask::(.*)$/.exec(line.replace(/\r$/, ''))
    if (add !== null) {
      const value = unescapeData(add[1] ?? '').trim()
      if (value !== '') masks.push(value)
      continue
    }
    let masked = line
    for (const m of [...masks].sort((a, b) => b.length - a.length)) masked = masked.split(m).join('***')
    out.push(masked)
  }
  return out.join('\n')
}

// ---- running a step -----------------------------------------------------------------------------

export interface RunOptions {
  /** `with:` of the step; every other action.yml input gets its default. */
  inputs: Record<string, string>
  /** Step env (overrides the standard GITHUB_* env as well). */
  env?: Record<string, string>
  /** Directory holding index.js and post/index.js; default env ACTION_DIST, else <repo>/dist. */
  dist?: string
  /**
   * Another action's directory instead (e.g. `shared/peers/amazon-ecr-login`): its action.yml gives
   * the inputs and the scripts (`runs.main`, `runs.post`).
   */
  actionDir?: string
  /** RUNNER_DEBUG=1 (core.debug lines appear). */
  debug?: boolean
  /** HOME to use instead of a fresh one (kept by cleanup()). */
  home?: string
  /** Default 120 s; the child is killed (SIGKILL) after it. */
  timeoutMs?: number
  /** Inputs that action.yml does not declare are an error unless this is set (the runner only warns). */
  allowUnknownInputs?: boolean
  /** action.yml to read input defaults from; default <repo>/action.yml. */
  actionYml?: string
  /** The event that triggered the run (GITHUB_EVENT_NAME and the GITHUB_EVENT_PATH payload); default a push to main. */
  event?: { name: string; payload: unknown }
  /** `${{ github.token }}`; default a fresh fake installation token (`ghs_…`) per run. */
  githubToken?: string
}

export interface RunDirs {
  home: string
  runnerTemp: string
  workspace: string
  /** Parent of runnerTemp/workspace/home (the run's own temp dir). */
  root: string
}

export interface RunFiles {
  output: string
  state: string
  env: string
  path: string
  summary: string
  event: string
}

export interface RunResult {
  /** Exit code (128 + n when killed by a signal, or when timed out). */
  code: number
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  /** stdout and stderr as the runner's log would show them: masked, in arrival order. */
  log: string
  durationMs: number
  outputs: Record<string, string>
  state: Record<string, string>
  exportedEnv: Record<string, string>
  addedPath: string[]
  summary: string
  commands: WorkflowCommand[]
  masks: string[]
  errors: string[]
  warnings: string[]
  notices: string[]
  debug: string[]
  dirs: RunDirs
  files: RunFiles
  /** Environment the step's process got (inputs included). */
  env: Record<string, string>
  /** The dist directory that was run. */
  dist: string
  script: string
  /** The post step's script (runPost runs it); undefined when the action has none. */
  postScript: string | undefined
}

const createdDirs = new Set<string>()

/** Removes the temp dirs of one result, or of every run so far. A `home` given by the test is kept. */
export function cleanup(result?: RunResult): void {
  const roots = result === undefined ? [...createdDirs] : [result.dirs.root]
  for (const root of roots) {
    fs.rmSync(root, { recursive: true, force: true })
    createdDirs.delete(root)
  }
}

function resolveDist(dist: string | undefined): string {
  const d = dist ?? process.env['ACTION_DIST'] ?? path.join(REPO_ROOT, 'dist')
  return path.resolve(d)
}

/** Node 24 like `runs.using: node24`: this process when it is 24+, else the node@24 devDependency. */
export function node24(): string {
  const major = Number(process.versions.node.split('.')[0])
  if (major >= 24) return process.execPath
  const local = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node')
  if (fs.existsSync(local)) return local
  throw new Error(`runner: Node 24 needed to run the action, this is ${process.version}; run npm ci`)
}

/** Environment passed through from the test process (nothing else is: no AWS_*, no ACTIONS_*). */
const PASS_THROUGH = [
  'PATH',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'TZ',
  'DOCKER_HOST',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
]

function fileSet(dir: string, tag: string): RunFiles {
  const id = randomUUID()
  const f = (kind: string): string => {
    const file = path.join(dir, `${tag}_${kind}_${id}`)
    fs.writeFileSync(file, '')
    return file
  }
  return {
    output: f('set_output'),
    state: f('save_state'),
    env: f('set_env'),
    path: f('add_path'),
    summary: f('step_summary'),
    event: path.join(dir, 'event.json'),
  }
}

function withFiles(env: Record<string, string>, files: RunFiles): Record<string, string> {
  return {
    ...env,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
  }
}

async function spawnStep(
  script: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<Pick<RunResult, 'code' | 'signal' | 'timedOut' | 'stdout' | 'stderr' | 'log' | 'durationMs'>> {
  if (!fs.existsSync(script)) throw new Error(`runner: ${script} does not exist (run npm run bundle)`)
  const started = performance.now()
  return await new Promise((resolve, reject) => {
    const child = spawn(node24(), [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: Array<{ stream: 'stdout' | 'stderr'; text: string }> = []
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => {
      out.push(b)
      chunks.push({ stream: 'stdout', text: b.toString('utf8') })
    })
    child.stderr.on('data', (b: Buffer) => {
      err.push(b)
      chunks.push({ stream: 'stderr', text: b.toString('utf8') })
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? 128 + (signal === null ? 0 : (os.constants.signals[signal] ?? 0)),
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        log: maskLog(chunks),
        durationMs: Math.round(performance.now() - started),
      })
    })
  })
}

function collect(
  base: Awaited<ReturnType<typeof spawnStep>>,
  ctx: {
    dirs: RunDirs
    files: RunFiles
    env: Record<string, string>
    dist: string
    script: string
    postScript: string | undefined
  },
): RunResult {
  const commands = parseWorkflowCommands(base.stdout)
  const messages = (name: string): string[] =>
    commands.filter((c) => c.command === name).map((c) => c.message)
  return {
    ...base,
    outputs: parseKeyValueFile(readText(ctx.files.output)),
    state: parseKeyValueFile(readText(ctx.files.state)),
    exportedEnv: parseKeyValueFile(readText(ctx.files.env)),
    addedPath: readText(ctx.files.path)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
    summary: readText(ctx.files.summary),
    commands,
    masks: messages('add-mask'),
    errors: messages('error'),
    warnings: messages('warning'),
    notices: messages('notice'),
    debug: messages('debug'),
    ...ctx,
  }
}

/** Runs `<dist>/index.js` (or `actionDir`'s main) as a workflow step with `with: inputs`. */
export async function runAction(opts: RunOptions): Promise<RunResult> {
  const actionDir = opts.actionDir === undefined ? undefined : path.resolve(opts.actionDir)
  const runs =
    actionDir === undefined
      ? undefined
      : parseActionRuns(fs.readFileSync(path.join(actionDir, 'action.yml'), 'utf8'))
  const dist = actionDir ?? resolveDist(opts.dist)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-run-'))
  createdDirs.add(root)
  const dirs: RunDirs = {
    root,
    runnerTemp: path.join(root, 'runner-temp'),
    workspace: path.join(root, 'workspace'),
    home: opts.home ?? path.join(root, 'home'),
  }
  for (const d of [dirs.runnerTemp, dirs.workspace, dirs.home]) fs.mkdirSync(d, { recursive: true })
  const files = fileSet(dirs.runnerTemp, 'main')

  const env: Record<string, string> = {}
  for (const key of PASS_THROUGH) {
    const v = process.env[key]
    if (v !== undefined) env[key] = v
  }
  const runId = String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000))
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_REPOSITORY_ID: '123456789',
    GITHUB_SHA: randomBytes(20).toString('hex'),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/ci.yml@refs/heads/main',
    GITHUB_JOB: 'ship',
    GITHUB_ACTION: 'ship',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_RETENTION_DAYS: '90',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'testbed',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: dirs.runnerTemp,
    RUNNER_TOOL_CACHE: path.join(root, 'toolcache'),
    HOME: dirs.home,
  })
  if (opts.debug === true) env['RUNNER_DEBUG'] = '1'
  Object.assign(env, opts.env ?? {})
  if (opts.event !== undefined) env['GITHUB_EVENT_NAME'] = opts.event.name
  const stepEnv = withFiles(env, files)
  const payload = opts.event?.payload ?? {
    ref: stepEnv['GITHUB_REF'],
    after: stepEnv['GITHUB_SHA'],
    repository: { full_name: stepEnv['GITHUB_REPOSITORY'], name: 'widget', owner: { login: 'acme' } },
  }
  fs.writeFileSync(files.event, `${JSON.stringify(payload)}\n`)
  const githubToken = opts.githubToken ?? `ghs_${randomBytes(18).toString('hex')}`

  const declared = actionInputs(
    opts.actionYml ?? (actionDir ? path.join(actionDir, 'action.yml') : undefined),
  )
  const known = new Set(declared.map((i) => i.name))
  const unknown = Object.keys(opts.inputs).filter((k) => !known.has(k))
  if (unknown.length > 0 && opts.allowUnknownInputs !== true) {
    throw new Error(`runner: inputs not declared in action.yml: ${unknown.join(', ')}`)
  }
  for (const input of declared) {
    const given = opts.inputs[input.name]
    const value =
      given ?? (input.default === undefined ? '' : evaluateDefault(input.default, stepEnv, githubToken))
    stepEnv[inputEnvName(input.name)] = value
  }
  for (const name of unknown) stepEnv[inputEnvName(name)] = opts.inputs[name] ?? ''

  const script = runs ? path.join(dist, runs.main) : path.join(dist, 'index.js')
  const postScript = runs
    ? runs.post === undefined
      ? undefined
      : path.join(dist, runs.post)
    : path.join(dist, 'post', 'index.js')
  const base = await spawnStep(script, stepEnv, dirs.workspace, opts.timeoutMs ?? 120_000)
  return collect(base, { dirs, files, env: stepEnv, dist, script, postScript })
}

export interface PostOptions {
  env?: Record<string, string>
  dist?: string
  timeoutMs?: number
}

/** Runs the post script (`<dist>/post/index.js`) after `main` as the runner does: same inputs/env/dirs, STATE_<name>. */
export async function runPost(main: RunResult, opts: PostOptions = {}): Promise<RunResult> {
  const dist = opts.dist === undefined ? main.dist : path.resolve(opts.dist)
  const script = opts.dist === undefined ? main.postScript : path.join(dist, 'post', 'index.js')
  if (script === undefined) throw new Error(`runner: ${main.script}'s action has no post step`)
  const files = fileSet(main.dirs.runnerTemp, 'post')
  fs.copyFileSync(main.files.event, files.event)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(main.env)) if (!k.startsWith('STATE_')) env[k] = v
  // Later steps (post included) see what main exported through GITHUB_ENV and GITHUB_PATH.
  Object.assign(env, main.exportedEnv)
  if (main.addedPath.length > 0) {
    env['PATH'] = [...[...main.addedPath].reverse(), env['PATH'] ?? ''].join(path.delimiter)
  }
  for (const [name, value] of Object.entries(main.state)) env[`STATE_${name}`] = value
  Object.assign(env, opts.env ?? {})
  const stepEnv = withFiles(env, files)
  const base = await spawnStep(script, stepEnv, main.dirs.workspace, opts.timeoutMs ?? 120_000)
  return collect(base, { dirs: main.dirs, files, env: stepEnv, dist, script, postScript: script })
}
