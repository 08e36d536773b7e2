// The real CNCF distribution registry (`docker-registry serve`, Debian package docker-registry) on a
// free 127.0.0.1 port, with htpasswd basic auth for user AWS - what ECR looks like to `docker push`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './ports.ts'

export interface StartRegistryOptions {
  /** storage.maintenance.readonly: pulls work, every upload is refused (405). */
  readonly?: boolean
  /** Password of user AWS; a random strong one when omitted. */
  password?: string
}

export interface Registry {
  /** 127.0.0.1:<port> */
  readonly host: string
  /** http://127.0.0.1:<port> */
  readonly url: string
  readonly port: number
  readonly username: 'AWS'
  readonly password: string
  /** Temp dir: config.yml, htpasswd, registry.log, data/. Removed by stop(). */
  readonly dir: string
  readonly logFile: string
  /** `Basic base64(AWS:password)` */
  readonly authorization: string
  stop(): Promise<void>
  /** Tags of a repository ([] when the repository does not exist). */
  tags(repo: string): Promise<string[]>
  /** Docker-Content-Digest of a manifest or index by tag or digest, undefined when absent. */
  manifestDigest(repo: string, ref: string): Promise<string | undefined>
  /** Repositories holding at least one manifest. */
  catalog(): Promise<string[]>
  /** Uploads a blob over the registry API (no docker needed); its digest and size. */
  putBlob(repo: string, data: string | Buffer): Promise<{ digest: string; size: number }>
  /** PUTs a manifest or index under a tag, or under its own digest when `ref` is undefined; its digest. */
  putManifest(repo: string, ref: string | undefined, manifest: object, mediaType: string): Promise<string>
  /** The registry's log so far (for failure messages). */
  log(): string
}

const sha256 = (data: string | Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

export const INSTALL_HINT = 'docker-registry not found: apt-get install -y docker-registry apache2-utils'

/** Every manifest type a push may leave, for HEAD/GET of /v2/<repo>/manifests/<ref>. */
export const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

const live = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL')
  })
}

function which(binary: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, binary)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  // Debian installs both in /usr/bin, which a minimal PATH might still lack.
  const fallback = path.join('/usr/bin', binary)
  return fs.existsSync(fallback) ? fallback : undefined
}

function htpasswdLine(htpasswd: string, username: string, password: string): string {
  // -i: password from stdin (not on the command line), -B: bcrypt (the only hash distribution accepts).
  const result = spawnSync(htpasswd, ['-niB', username], { input: password, encoding: 'utf8' })
  if (result.error !== undefined) throw new Error(`${INSTALL_HINT} (${result.error.message})`)
  if (result.status !== 0) throw new Error(`htpasswd failed (${result.status}): ${result.stderr}`)
  const line = result.stdout.trim()
  if (!line.startsWith(`${username}:$2`)) throw new Error(`htpasswd printed no bcrypt entry: ${line}`)
  return `${line}\n`
}

function configYaml(o: { port: number; data: string; htpasswd: string; readonly: boolean }): string {
  // JSON strings are valid YAML double-quoted scalars.
  const q = (s: string): string => JSON.stringify(s)
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(o.data)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    '    readonly:',
    `      enabled: ${o.readonly ? 'true' : 'false'}`,
    'http:',
    `  addr: ${q(`127.0.0.1:${o.port}`)}`,
    `  secret: ${q(randomBytes(24).toString('hex'))}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    'auth:',
    '  htpasswd:',
    '    realm: ecr-testbed',
    `    path: ${q(o.htpasswd)}`,
    'health:',
    '  storagedriver:',
    '    enabled: false',
    '',
  ].join('\n')
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function readLog(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Starts a registry; throws (never skips) when docker-registry or htpasswd is missing. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<Registry> {
  const binary = which('docker-registry')
  const htpasswd = which('htpasswd')
  if (binary === undefined || htpasswd === undefined) throw new Error(INSTALL_HINT)

  const password = opts.password ?? randomBytes(32).toString('base64url')
  const username = 'AWS' as const
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-registry-'))
  const data = path.join(dir, 'data')
  fs.mkdirSync(data)
  const htpasswdFile = path.join(dir, 'htpasswd')
  fs.writeFileSync(htpasswdFile, htpasswdLine(htpasswd, username, password), { mode: 0o600 })
  const logFile = path.join(dir, 'registry.log')
  const configFile = path.join(dir, 'config.yml')

  let lastError: Error | undefined
  // The free port can be taken between freePort() and the registry's bind: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    fs.writeFileSync(
      configFile,
      configYaml({ port, data, htpasswd: htpasswdFile, readonly: opts.readonly === true }),
    )
    const logFd = fs.openSync(logFile, 'a')
    const child = spawn(binary, ['serve', configFile], {
      stdio: ['ignore', logFd, logFd],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    })
    fs.closeSync(logFd)
    live.add(child)
    installExitHook()
    let exited: string | undefined
    child.once('exit', (code, signal) => {
      live.delete(child)
      exited = `exited with ${signal ?? code}`
    })
    child.once('error', (e) => {
      live.delete(child)
      exited = `could not start: ${e.message}`
    })
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 20_000
    let up = false
    while (Date.now() < deadline && exited === undefined) {
      try {
        const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2_000) })
        await res.arrayBuffer()
        if (res.status === 401) {
          up = true
          break
        }
      } catch {
        // not listening yet
      }
      await sleep(50)
    }
    if (up) return makeRegistry({ child, port, password, username, dir, logFile })
    child.kill('SIGKILL')
    const log = readLog(logFile)
    lastError = new Error(
      `docker-registry on 127.0.0.1:${port} did not answer 401 on /v2/ (${exited ?? 'timeout'}); log ${logFile}:\n${tail(log)}`,
    )
    if (!/address already in use/i.test(log)) break
  }
  throw lastError ?? new Error('docker-registry did not start')
}

function makeRegistry(o: {
  child: ChildProcess
  port: number
  password: string
  username: 'AWS'
  dir: string
  logFile: string
}): Registry {
  const host = `127.0.0.1:${o.port}`
  const url = `http://${host}`
  const authorization = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`
  const get = async (p: string, init: RequestInit = {}): Promise<Response> =>
    await fetch(`${url}${p}`, {
      ...init,
      headers: { authorization, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(10_000),
    })
  let stopped: Promise<void> | undefined

  return {
    host,
    url,
    port: o.port,
    username: o.username,
    password: o.password,
    dir: o.dir,
    logFile: o.logFile,
    authorization,
    log: () => readLog(o.logFile),
    stop(): Promise<void> {
      stopped ??= (async () => {
        if (o.child.exitCode === null && o.child.signalCode === null) {
          const gone = new Promise<void>((resolve) => o.child.once('exit', () => resolve()))
          o.child.kill('SIGTERM')
          const timer = setTimeout(() => o.child.kill('SIGKILL'), 3_000)
          await gone
          clearTimeout(timer)
        }
        live.delete(o.child)
        fs.rmSync(o.dir, { recursive: true, force: true })
      })()
      return stopped
    },
    async tags(repo: string): Promise<string[]> {
      const res = await get(`/v2/${repo}/tags/list`)
      if (res.status === 404) {
        await res.arrayBuffer()
        return []
      }
      if (!res.ok) throw new Error(`GET /v2/${repo}/tags/list: ${res.status} ${await res.text()}`)
      const body = (await res.json()) as { tags?: string[] | null }
      return [...(body.tags ?? [])].sort()
    },
    async manifestDigest(repo: string, ref: string): Promise<string | undefined> {
      const res = await get(`/v2/${repo}/manifests/${ref}`, {
        method: 'HEAD',
        headers: { accept: MANIFEST_ACCEPT },
      })
      if (res.status === 404) return undefined
      if (!res.ok) throw new Error(`HEAD /v2/${repo}/manifests/${ref}: ${res.status}`)
      return res.headers.get('docker-content-digest') ?? undefined
    },
    async catalog(): Promise<string[]> {
      const res = await get('/v2/_catalog?n=1000')
      if (!res.ok) throw new Error(`GET /v2/_catalog: ${res.status} ${await res.text()}`)
      const body = (await res.json()) as { repositories?: string[] | null }
      return [...(body.repositories ?? [])].sort()
    },
    async putBlob(repo: string, data: string | Buffer): Promise<{ digest: string; size: number }> {
      const body = Buffer.from(data)
      const digest = sha256(body)
      const start = await get(`/v2/${repo}/blobs/uploads/`, { method: 'POST' })
      await start.arrayBuffer()
      if (start.status !== 202) throw new Error(`POST /v2/${repo}/blobs/uploads/: ${start.status}`)
      const location = new URL(start.headers.get('location') ?? '', url)
      location.searchParams.set('digest', digest)
      const put = await fetch(location, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/octet-stream' },
        body,
      })
      if (put.status !== 201) throw new Error(`PUT blob ${digest}: ${put.status} ${await put.text()}`)
      await put.arrayBuffer().catch(() => undefined)
      return { digest, size: body.length }
    },
    async putManifest(
      repo: string,
      ref: string | undefined,
      manifest: object,
      mediaType: string,
    ): Promise<string> {
      const body = JSON.stringify(manifest)
      const digest = sha256(body)
      const res = await get(`/v2/${repo}/manifests/${ref ?? digest}`, {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
      })
      if (res.status !== 201)
        throw new Error(`PUT manifest ${repo}:${ref ?? digest}: ${res.status} ${await res.text()}`)
      await res.arrayBuffer().catch(() => undefined)
      const answered = res.headers.get('docker-content-digest')
      if (answered !== digest) throw new Error(`registry answered digest ${answered}, expected ${digest}`)
      return digest
    },
  }
}
