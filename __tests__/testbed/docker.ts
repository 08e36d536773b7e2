// The real Docker engine, for the tests' own calls: a reachability check with a plain error, offline
// `FROM scratch` builds of files the test writes, and small image helpers.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const DOCKERD_COMMAND = 'dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs'

export interface DockerResult {
  code: number
  stdout: string
  stderr: string
}

export interface DockerOptions {
  /** Written to the CLI's stdin (e.g. `login --password-stdin`). */
  input?: string
  /** Extra environment (e.g. DOCKER_CONFIG of a login the test wants to inspect). */
  env?: Record<string, string>
  cwd?: string
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean
  timeoutMs?: number
}

let privateConfig: string | undefined

/**
 * A DOCKER_CONFIG of the test bed's own (empty, created once per process), so the tests' docker calls
 * neither read nor write the developer's ~/.docker and never depend on a login or a credential helper
 * configured there. Pass `env: { DOCKER_CONFIG }` to use another one.
 */
export function testbedDockerConfig(): string {
  if (privateConfig === undefined) {
    privateConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-docker-config-'))
    fs.writeFileSync(path.join(privateConfig, 'config.json'), '{}\n')
    process.once('exit', () => {
      if (privateConfig !== undefined) fs.rmSync(privateConfig, { recursive: true, force: true })
    })
  }
  return privateConfig
}

/** The environment of the tests' docker CLI calls. */
export function dockerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of [
    'PATH',
    'HOME',
    'TMPDIR',
    'DOCKER_HOST',
    'DOCKER_TLS_VERIFY',
    'DOCKER_CERT_PATH',
    'DOCKER_CONTEXT',
  ]) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  env['DOCKER_CONFIG'] = testbedDockerConfig()
  env['DOCKER_CLI_HINTS'] = 'false'
  return { ...env, ...extra }
}

/** Runs the docker CLI; throws with its stderr on a non-zero exit unless allowFailure. */
export async function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  return await new Promise<DockerResult>((resolve, reject) => {
    const child = spawn('docker', args, {
      env: dockerEnv(opts.env),
      cwd: opts.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(e.code === 'ENOENT' ? new Error(notInstalled()) : e)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const result = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }
      if (result.code !== 0 && opts.allowFailure !== true) {
        const why = signal !== null ? `killed by ${signal}` : `exit ${result.code}`
        reject(new Error(`docker ${args.join(' ')}: ${why}\n${result.stderr.trim() || result.stdout.trim()}`))
        return
      }
      resolve(result)
    })
    // A docker that exits before reading its stdin (most commands never read it) makes the write
    // fail with EPIPE; that is no error of the command's.
    child.stdin.on('error', () => undefined)
    child.stdin.end(opts.input ?? '')
  })
}

function notInstalled(): string {
  return (
    'docker not found: the test bed needs the Docker engine and CLI. ' +
    `Install with: apt-get install -y docker.io ; start the daemon with: ${DOCKERD_COMMAND} &`
  )
}

let dockerOk: Promise<string> | undefined

/** Resolves with the engine's version when `docker info` works; otherwise throws what to install/start. */
export function ensureDocker(): Promise<string> {
  dockerOk ??= (async () => {
    const info = await docker(['info', '--format', '{{.ServerVersion}}'], {
      allowFailure: true,
      timeoutMs: 30_000,
    })
    const version = info.stdout.trim()
    if (info.code !== 0 || version === '' || version === '<no value>') {
      throw new Error(
        `docker info failed: the Docker daemon is not reachable (${(info.stderr.trim() || `exit ${info.code}`).split('\n')[0]}). ` +
          `Start it (as root) with: ${DOCKERD_COMMAND} & ` +
          '(install with: apt-get install -y docker.io)',
      )
    }
    return version
  })()
  dockerOk.catch(() => {
    dockerOk = undefined // retry next time, the daemon may have been started meanwhile
  })
  return dockerOk
}

export interface BuildImageOptions {
  /** Tag to build, e.g. widget:test-1. */
  tag: string
  /** Files of the image, path inside the image (relative or absolute) -> content. */
  files: Record<string, string | Buffer>
  env?: Record<string, string>
  labels?: Record<string, string>
  user?: string
  workdir?: string
  cmd?: string[]
  entrypoint?: string[]
  expose?: Array<number | string>
  /** Raw Dockerfile lines appended after the rest (no RUN: the image is FROM scratch). */
  extra?: string[]
}

export interface BuiltImage {
  tag: string
  /** Image ID, sha256:... */
  id: string
  /** The Dockerfile that was built (for messages). */
  dockerfile: string
}

/** A double-quoted Dockerfile word: no variable expansion, no escapes left to the parser. */
function dq(value: string): string {
  if (/[\r\n]/.test(value))
    throw new Error(`buildImage: newlines are not supported in ENV/LABEL values: ${JSON.stringify(value)}`)
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`
}

function envName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name))
    throw new Error(`buildImage: bad ENV name ${JSON.stringify(name)}`)
  return name
}

function renderDockerfile(opts: BuildImageOptions, hasFiles: boolean): string {
  const lines = ['FROM scratch']
  if (hasFiles) lines.push('COPY rootfs/ /')
  // One instruction per kind: each is a commit of the classic builder, slow on the vfs driver.
  const env = Object.entries(opts.env ?? {})
  if (env.length > 0) lines.push(`ENV ${env.map(([k, v]) => `${envName(k)}=${dq(v)}`).join(' ')}`)
  const labels = Object.entries(opts.labels ?? {})
  if (labels.length > 0) lines.push(`LABEL ${labels.map(([k, v]) => `${dq(k)}=${dq(v)}`).join(' ')}`)
  if (opts.workdir !== undefined) lines.push(`WORKDIR ${opts.workdir}`)
  if (opts.user !== undefined) lines.push(`USER ${opts.user}`)
  if ((opts.expose ?? []).length > 0) lines.push(`EXPOSE ${(opts.expose ?? []).join(' ')}`)
  if (opts.entrypoint !== undefined) lines.push(`ENTRYPOINT ${JSON.stringify(opts.entrypoint)}`)
  if (opts.cmd !== undefined) lines.push(`CMD ${JSON.stringify(opts.cmd)}`)
  lines.push(...(opts.extra ?? []))
  return `${lines.join('\n')}\n`
}

/** Builds a FROM scratch image offline with the classic builder (engine 20.10 and later). */
export async function buildImage(opts: BuildImageOptions): Promise<BuiltImage> {
  await ensureDocker()
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-build-'))
  try {
    const rootfs = path.join(context, 'rootfs')
    fs.mkdirSync(rootfs)
    const entries = Object.entries(opts.files)
    for (const [name, content] of entries) {
      const relative = path.posix.normalize(name.replace(/^\/+/, ''))
      if (relative === '.' || relative.startsWith('..')) throw new Error(`buildImage: bad file path ${name}`)
      const target = path.join(rootfs, relative)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      fs.writeFileSync(target, content)
    }
    const dockerfile = renderDockerfile(opts, entries.length > 0)
    fs.writeFileSync(path.join(context, 'Dockerfile'), dockerfile)
    // Classic builder: no BuildKit/buildx needed, nothing pulled for FROM scratch, no network used.
    // --no-cache: each build makes its own intermediate images. With the cache, a build whose first
    // steps match another test's reuses that test's intermediate image, and when the other test
    // removes its image (rm prunes the untagged parents) the build fails with "unable to find
    // image sha256:…" (seen when test files run side by side on the shared daemon).
    await docker(['build', '--quiet', '--no-cache', '--network', 'none', '-t', opts.tag, context], {
      env: { DOCKER_BUILDKIT: '0' },
      timeoutMs: 300_000,
    }).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\nDockerfile:\n${dockerfile}`)
    })
    const id = await imageId(opts.tag)
    if (id === undefined) throw new Error(`buildImage: ${opts.tag} not found after the build`)
    return { tag: opts.tag, id, dockerfile }
  } finally {
    fs.rmSync(context, { recursive: true, force: true })
  }
}

/** The image ID (sha256:...) of a local reference, undefined when there is none. */
export async function imageId(ref: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { allowFailure: true })
  return r.code === 0 ? r.stdout.trim() : undefined
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await imageId(ref)) !== undefined
}

/** Removes a local image reference (a tag, or an ID with all its tags); a missing one is fine. */
export async function removeImage(ref: string): Promise<void> {
  const r = await docker(['image', 'rm', '--force', ref], { allowFailure: true })
  if (r.code !== 0 && !/No such image/i.test(r.stderr))
    throw new Error(`docker image rm ${ref}: ${r.stderr.trim()}`)
}
