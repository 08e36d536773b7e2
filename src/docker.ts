import { rmSync } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { runChild, type RunResult } from './children.js'
import * as core from './core.js'
import { ActionError } from './errors.js'
import { createPrivateDir, writeExclusive, type PrivateDir } from './private-dir.js'
import type { DockerCredentials } from './registry.js'

export type ExecResult = RunResult

/** A docker command that is not a push (inspect, tag, login…) may take at most this long. */
export const DOCKER_DEADLINE_MS = 120_000
/** A push may take at most this long (ECR_SUPPLY_CHAIN_PUSH_TIMEOUT_SECONDS overrides). */
export const PUSH_BUDGET_MS = 60 * 60_000
/**
 * A push that prints nothing for this long is stopped (ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS
 * overrides). Long, because without a terminal docker prints nothing while a layer uploads.
 */
export const PUSH_STALL_MS = 10 * 60_000
/** Once every layer is pushed only the manifest is left: silence that long means a stalled registry. */
export const PUSH_FINISH_STALL_MS = 60_000

/** The docker CLI with a fixed environment (DOCKER_CONFIG chooses whose login is used). */
export class Docker {
  readonly env: Record<string, string>

  constructor(env: Record<string, string>) {
    this.env = env
  }

  async exec(
    args: string[],
    opts: {
      input?: string
      silent?: boolean
      deadlineMs?: number
      stallMs?: () => number
      onLine?: (l: string) => void
    } = {},
  ): Promise<ExecResult> {
    if (!opts.silent) core.info(`[command]docker ${args.join(' ')}`)
    try {
      return await runChild('docker', args, {
        env: this.env,
        silent: opts.silent ?? false,
        deadlineMs: opts.deadlineMs ?? DOCKER_DEADLINE_MS,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(opts.stallMs ? { stallMs: opts.stallMs } : {}),
        ...(opts.onLine ? { onLine: opts.onLine } : {}),
      })
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') {
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

  /** How many tags the image `ref` names has (0 when there is no such image). */
  async tagCount(ref: string): Promise<number> {
    const r = await this.exec(['image', 'inspect', '--format', '{{len .RepoTags}}', ref], { silent: true })
    return r.code === 0 ? Number(r.stdout.trim()) || 0 : 0
  }

  /** `docker push`, stopped when it stalls (pushProgress) or runs over its budget. */
  async push(ref: string): Promise<ExecResult> {
    const progress = pushProgress(pushLimits(this.env))
    return this.exec(['push', ref], {
      deadlineMs: progress.limits.budgetMs,
      stallMs: () => progress.stallMs(),
      onLine: (l) => progress.line(l),
    })
  }
}

export interface PushLimits {
  budgetMs: number
  stallMs: number
  finishStallMs: number
}

/** The push's limits: the defaults, or the environment's overrides (whole seconds). */
export function pushLimits(env: Record<string, string | undefined>): PushLimits {
  const seconds = (name: string): number | undefined => {
    const v = env[name]?.trim()
    return v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) * 1000 : undefined
  }
  const stall = seconds('ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS')
  return {
    budgetMs: seconds('ECR_SUPPLY_CHAIN_PUSH_TIMEOUT_SECONDS') ?? PUSH_BUDGET_MS,
    stallMs: stall ?? PUSH_STALL_MS,
    finishStallMs: Math.min(stall ?? PUSH_FINISH_STALL_MS, PUSH_FINISH_STALL_MS),
  }
}

const LAYER_LINE = /^([a-f0-9]{12}): (.+)$/
const LAYER_DONE = /^(Pushed|Layer already exists|Already exists|Mounted from .+)$/

/**
 * What `docker push` has printed, as progress: each layer's state. While a layer is still to go
 * the long stall limit applies (uploads are silent); once every layer is done, the short one.
 */
export function pushProgress(limits: PushLimits): {
  limits: PushLimits
  line: (l: string) => void
  stallMs: () => number
  phase: () => 'layers' | 'manifest'
} {
  const layers = new Map<string, boolean>()
  const phase = (): 'layers' | 'manifest' =>
    layers.size > 0 && [...layers.values()].every(Boolean) ? 'manifest' : 'layers'
  return {
    limits,
    line: (l) => {
      const m = LAYER_LINE.exec(l.trim())
      if (m?.[1] !== undefined) layers.set(m[1], LAYER_DONE.test(m[2] ?? ''))
    },
    stallMs: () => (phase() === 'manifest' ? limits.finishStallMs : limits.stallMs),
    phase,
  }
}

/** Why the action stopped a `docker push`, naming the registry. */
export function stoppedPushMessage(ref: string, stopped: NonNullable<RunResult['stopped']>): string {
  const host = ref.split('/')[0] ?? ref
  const s = Math.round(stopped.afterMs / 1000)
  if (stopped.limit === 'deadline') {
    return `docker push ${ref} was stopped after ${s} s (ECR_SUPPLY_CHAIN_PUSH_TIMEOUT_SECONDS): the registry ${host} is too slow or not answering. Nothing of this push should be deployed; re-run.`
  }
  return `docker push ${ref} was stopped: no progress for ${s} s, the registry ${host} stopped answering (ECR_SUPPLY_CHAIN_PUSH_STALL_SECONDS sets the limit). Check the network path to it (proxy, firewall) and re-run.`
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
export function explainPushFailure(
  ref: string,
  repository: string,
  output: string,
  service: 'ecr' | 'ecr-public' = 'ecr',
): string {
  const line = pushErrorLine(output)
  if (/cannot be overwritten|immutable/i.test(output)) {
    return `The registry refused ${ref}: the tag already exists and '${repository}' has immutable tags (${line}). Push a new tag, such as the commit SHA.`
  }
  if (/name unknown|does not exist in the registry|repository .* not found/i.test(output)) {
    const fix =
      service === 'ecr'
        ? "Create it, or set 'create-repository: true'."
        : 'Create it: aws ecr-public create-repository --region us-east-1 --repository-name ' + repository
    return `The registry refused ${ref}: repository '${repository}' does not exist (${line}). ${fix}`
  }
  if (/denied|unauthorized|authentication required|no basic auth credentials|forbidden/i.test(output)) {
    const actions = [
      'BatchCheckLayerAvailability',
      'InitiateLayerUpload',
      'UploadLayerPart',
      'CompleteLayerUpload',
    ]
    const session = /session polic/i.test(output)
      ? '; the session policies (inline-session-policy, managed-session-policies) must allow them too'
      : ''
    return (
      `The registry refused ${ref} (${line}). The role needs ${actions.map((a) => `${service}:${a}`).join(', ')} ` +
      `and ${service}:PutImage on '${repository}', and the repository policy must not deny it${session}.`
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

/** removeDir, synchronously (a signal handler cannot wait). */
export function removeDirSync(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
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
