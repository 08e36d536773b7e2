import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { getExecOutput } from '@actions/exec'
import { ActionError } from './errors.js'
import { createPrivateDir, writeExclusive, type PrivateDir } from './private-dir.js'
import type { DockerCredentials } from './registry.js'

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

/** The docker CLI with a fixed environment (DOCKER_CONFIG chooses whose login is used). */
export class Docker {
  readonly env: Record<string, string>

  constructor(env: Record<string, string>) {
    this.env = env
  }

  async exec(args: string[], opts: { input?: string; silent?: boolean } = {}): Promise<ExecResult> {
    try {
      const out = await getExecOutput('docker', args, {
        env: this.env,
        ignoreReturnCode: true,
        silent: opts.silent ?? false,
        ...(opts.input !== undefined ? { input: Buffer.from(opts.input) } : {}),
      })
      return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr }
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT' || /Unable to locate executable/i.test(String(err))) {
        throw new ActionError(
          'docker is not installed or not on the PATH: this step pushes with the docker CLI.',
        )
      }
      throw err
    }
  }

  /** ID of a local image, or undefined when the engine has no such image. */
  async imageId(image: string): Promise<string | undefined> {
    const r = await this.exec(['image', 'inspect', '--format', '{{.Id}}', image], { silent: true })
    if (r.code === 0) return r.stdout.trim()
    if (/no such image|not found/i.test(r.stderr)) return undefined
    if (/cannot connect|is the docker daemon running|permission denied/i.test(r.stderr)) {
      throw new ActionError(`The Docker engine is not reachable: ${firstLine(r.stderr)}`)
    }
    throw new ActionError(`docker image inspect ${image} failed: ${firstLine(r.stderr)}`)
  }

  async login(host: string, creds: DockerCredentials): Promise<void> {
    const r = await this.exec(['login', '--username', creds.username, '--password-stdin', host], {
      input: creds.password,
    })
    if (r.code !== 0) {
      throw new ActionError(`docker login to ${host} failed: ${firstLine(r.stderr) || firstLine(r.stdout)}`)
    }
  }

  async logout(host: string): Promise<ExecResult> {
    return this.exec(['logout', host])
  }

  async tag(source: string, target: string): Promise<void> {
    const r = await this.exec(['tag', source, target], { silent: true })
    if (r.code !== 0) throw new ActionError(`docker tag ${source} ${target} failed: ${firstLine(r.stderr)}`)
  }

  /** Removes a tag we created; the image itself stays (other tags still name it). */
  async untag(ref: string): Promise<void> {
    await this.exec(['image', 'rm', '--no-prune', ref], { silent: true })
  }

  async push(ref: string): Promise<ExecResult> {
    return this.exec(['push', ref])
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  )
}

/** The line of docker's output that says why a push failed. */
function pushErrorLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim())
  return (
    lines.findLast((l) => /denied|unauthorized|unknown|invalid|refused|unsupported|error|failed/i.test(l)) ??
    lines.findLast((l) => l !== '') ??
    ''
  )
}

/** One line that says why `docker push` failed and what to do about it. Pure. */
export function explainPushFailure(ref: string, repository: string, output: string): string {
  const line = pushErrorLine(output)
  if (/cannot be overwritten|immutable/i.test(output)) {
    return `The registry refused ${ref}: the tag already exists and '${repository}' has immutable tags (${line}). Push a new tag, such as the commit SHA.`
  }
  if (/name unknown|does not exist in the registry|repository .* not found/i.test(output)) {
    return `The registry refused ${ref}: repository '${repository}' does not exist (${line}). Create it, or set 'create-repository: true'.`
  }
  if (/denied|unauthorized|authentication required|no basic auth credentials|forbidden/i.test(output)) {
    return (
      `The registry refused ${ref} (${line}). The role needs ecr:BatchCheckLayerAvailability, ` +
      `ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on '${repository}', ` +
      `and the repository policy must not deny it.`
    )
  }
  if (/read-only|readonly|unsupported|maintenance|HTTP 405|method not allowed/i.test(output)) {
    return `The registry refused ${ref}: it does not accept pushes right now (${line}).`
  }
  return `docker push ${ref} failed: ${line || 'no output'}`
}

/** Prefix of the private docker config directories (under RUNNER_TEMP). */
export const PRIVATE_CONFIG_PREFIX = 'ecr-supply-chain-docker-'

/**
 * A private docker config directory under RUNNER_TEMP (mode 0700, marked: private-dir.ts). The
 * user's own config is never read for credentials nor written; only its current context, if any,
 * is carried over so docker still talks to the same engine.
 */
export async function createPrivateConfig(runnerTemp: string): Promise<PrivateDir> {
  const created = await createPrivateDir(runnerTemp, PRIVATE_CONFIG_PREFIX)
  await writeExclusive(path.join(created.dir, 'config.json'), '{"auths":{}}\n')
  return created
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true })
}

/** RUNNER_TEMP, or the system's temp directory outside a runner. */
export function runnerTempDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.RUNNER_TEMP || os.tmpdir())
}

/** The user's docker config directory, as the docker CLI finds it. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker')
}

/**
 * The environment for docker calls that use a private config. A user who switched docker contexts
 * (rootless, remote engine) keeps their engine: the context's endpoint goes into DOCKER_HOST.
 */
export async function privateDockerEnv(
  env: NodeJS.ProcessEnv,
  configDir: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  out.DOCKER_CONFIG = configDir
  if (!env.DOCKER_HOST && !env.DOCKER_CONTEXT) {
    const context = await currentContext(userDockerConfigDir(env))
    if (context && context !== 'default') {
      const user = new Docker({ ...out, DOCKER_CONFIG: userDockerConfigDir(env) })
      const r = await user.exec(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', context], {
        silent: true,
      })
      if (r.code === 0 && r.stdout.trim() !== '') out.DOCKER_HOST = r.stdout.trim()
    }
  }
  return out
}

async function currentContext(configDir: string): Promise<string | undefined> {
  try {
    const cfg: unknown = JSON.parse(await fs.readFile(path.join(configDir, 'config.json'), 'utf8'))
    const ctx = (cfg as { currentContext?: unknown }).currentContext
    return typeof ctx === 'string' ? ctx : undefined
  } catch {
    return undefined
  }
}
