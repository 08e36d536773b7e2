// The whole test bed in one call: the real registry behind the emulator's ECR registry front (one
// host per account, ECR tokens, IAM on every registry request), the AWS emulator, a role the OIDC
// token may assume, a repository, and a runner for the bundled action with the emulator's env.
import { randomBytes } from 'node:crypto'
import dns from 'node:dns'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr'
import { buildImage, docker, removeImage, type BuildImageOptions, type DockerResult } from './docker.ts'
import { assumeRole } from './emulator/helpers.ts'
import {
  ecrHostname,
  pushPermissions,
  startEmulator,
  type CreateRepositoryOptions,
  type Emulator,
  type Statement,
} from './emulator/index.ts'
import { startRegistry, type Registry } from './registry.ts'
import { REPO_ROOT, runAction, type RunOptions, type RunResult } from './runner.ts'

export interface TestbedOptions {
  account?: string
  region?: string
  /** Other accounts whose registry hosts the test uses (their names must resolve, see README). */
  otherAccounts?: string[]
  /** Repository name; default `acme/widget`. */
  repository?: string
  /** Create the repository in the emulator; default true. */
  createRepo?: boolean
  repositoryOptions?: Omit<CreateRepositoryOptions, 'name' | 'account' | 'region'>
  /** The role's permission statements; default: push + scan discovery + governance on the repository. */
  permissions?: Statement[]
  /** The role's trust policy; default aud sts.amazonaws.com, sub repo:acme/widget:*. */
  trust?: { aud?: string; sub?: string }
  /** Start the registry read-only (pushes refused). */
  registryReadonly?: boolean
}

export interface TestbedRunOptions {
  inputs?: Record<string, string>
  env?: Record<string, string>
  event?: RunOptions['event']
  githubToken?: string
  debug?: boolean
  home?: string
  timeoutMs?: number
  onStart?: RunOptions['onStart']
}

/** One account's registry as the front serves it, and what the real registry behind it holds. */
export interface AccountRegistry {
  readonly account: string
  readonly region: string
  /** `<account>.dkr.ecr.<region>.amazonaws.com:<port>`: what the action reports and docker pushes to. */
  readonly host: string
  /** `http://<host>` */
  readonly url: string
  /** Prefix of this account's repositories in the real registry (`''` for the test bed's account). */
  readonly namespace: string
  /** Tags of a repository, read from the real registry ([] when it has none). */
  tags(repo: string): Promise<string[]>
  /** Docker-Content-Digest of a manifest by tag or digest in the real registry, undefined when absent. */
  manifestDigest(repo: string, ref: string): Promise<string | undefined>
  /** This account's repositories that hold a manifest in the real registry. */
  catalog(): Promise<string[]>
}

export interface RegistryToken {
  /** The docker password (after `AWS:`). */
  password: string
  /** `Basic base64(AWS:password)`, for raw requests to the front. */
  authorization: string
  expiresAt: Date
  proxyEndpoint: string
}

/** A docker CLI logged in to the front with a principal's own ECR token (private DOCKER_CONFIG). */
export interface DockerLogin {
  config: string
  /** The docker password (the ECR token's) of this login. */
  password: string
  docker(args: string[]): Promise<DockerResult>
  close(): void
}

export interface Testbed {
  emulator: Emulator
  /** The real CNCF registry behind the front (its own credentials; the action never sees them). */
  backend: Registry
  /** The test bed account's registry. */
  registry: AccountRegistry
  registryFor(account: string, region?: string): AccountRegistry
  account: string
  region: string
  roleArn: string
  repository: string
  /** Env the action needs to reach the emulator (endpoints and the OIDC token request pair). */
  env: Record<string, string>
  /** Inputs of a plain push with this test bed; `over` wins. */
  inputs(over?: Record<string, string>): Record<string, string>
  /** Builds a FROM scratch image; returns its local tag. Removed again by close(). */
  image(opts?: Partial<BuildImageOptions>): Promise<string>
  /** Assumes `roleArn` (default the test bed's role) and asks GetAuthorizationToken for a registry token. */
  registryToken(opts?: { roleArn?: string }): Promise<RegistryToken>
  /** A registry token of `roleArn`, and docker logged in with it to the hosts of `accounts` (default ours). */
  login(opts?: { roleArn?: string; accounts?: string[] }): Promise<DockerLogin>
  run(opts?: TestbedRunOptions): Promise<RunResult>
  close(): Promise<void>
}

export const REGISTRY_HOSTS_FILE = path.join(REPO_ROOT, '__tests__', 'testbed', 'registry-hosts')
export const SETUP_COMMAND = 'sudo bash scripts/testbed-setup.sh'

/** The registry host names the setup script maps to 127.0.0.1. */
export function registryHostNames(): string[] {
  return fs
    .readFileSync(REGISTRY_HOSTS_FILE, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
}

/** Throws what to run unless every name resolves to 127.0.0.1 (as dockerd resolves it: /etc/hosts). */
export async function checkRegistryHosts(names: string[]): Promise<void> {
  const listed = new Set(registryHostNames())
  for (const name of names) {
    if (!listed.has(name)) {
      throw new Error(
        `registry host ${name} is not in __tests__/testbed/registry-hosts: add it there, then run ${SETUP_COMMAND}`,
      )
    }
    let address: string | undefined
    try {
      address = (await dns.promises.lookup(name, { family: 4 })).address
    } catch {
      address = undefined
    }
    if (address !== '127.0.0.1') {
      throw new Error(
        `registry host ${name} resolves to ${address ?? 'nothing'}, not 127.0.0.1: run ${SETUP_COMMAND} ` +
          '(it keeps the test bed block in /etc/hosts)',
      )
    }
  }
}

export async function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  const account = opts.account ?? '123456789012'
  const region = opts.region ?? 'us-east-1'
  const repository = opts.repository ?? 'acme/widget'
  await checkRegistryHosts([account, ...(opts.otherAccounts ?? [])].map((a) => ecrHostname(a, region)))
  const backend = await startRegistry(opts.registryReadonly ? { readonly: true } : {})
  let emulator: Emulator
  try {
    emulator = await startEmulator({
      account,
      region,
      registry: { url: backend.url, username: 'AWS', password: backend.password },
    })
  } catch (err) {
    await backend.stop()
    throw err
  }
  const roleArn = `arn:aws:iam::${account}:role/github-ecr-push`
  emulator.addRole({
    arn: roleArn,
    trust: { aud: opts.trust?.aud ?? 'sts.amazonaws.com', sub: opts.trust?.sub ?? 'repo:acme/widget:*' },
    permissions:
      opts.permissions ?? pushPermissions(account, repository, { scanDiscovery: true, governance: true }),
  })
  if (opts.createRepo ?? true) {
    emulator.createRepository({ name: repository, account, region, ...(opts.repositoryOptions ?? {}) })
  }
  const images: string[] = []
  const logins: DockerLogin[] = []
  const env: Record<string, string> = { ...emulator.env }

  const registryFor = (a: string, r = region): AccountRegistry => {
    const namespace = a === account && r === region ? '' : `${a}.${r}/`
    const host = emulator.registryHost(a, r)
    return {
      account: a,
      region: r,
      host,
      url: `http://${host}`,
      namespace,
      tags: (repo) => backend.tags(`${namespace}${repo}`),
      manifestDigest: (repo, ref) => backend.manifestDigest(`${namespace}${repo}`, ref),
      catalog: async () => {
        const all = await backend.catalog()
        if (namespace !== '')
          return all.filter((n) => n.startsWith(namespace)).map((n) => n.slice(namespace.length))
        return all.filter((n) => !/^\d{12}\.[a-z0-9-]+\//.test(n))
      },
    }
  }

  const tb: Testbed = {
    emulator,
    backend,
    registry: registryFor(account),
    registryFor,
    account,
    region,
    roleArn,
    repository,
    env,
    inputs: (over = {}) => ({
      'role-to-assume': roleArn,
      'aws-region': region,
      repository,
      tags: 't1',
      'wait-for-scan': 'false',
      audit: 'false',
      ...over,
    }),
    image: async (o = {}) => {
      const tag = o.tag ?? `ecr-sc-test/${randomBytes(4).toString('hex')}:ci`
      const built = await buildImage({
        files: { 'hello.txt': `hello ${tag}\n` },
        ...o,
        tag,
      })
      images.push(built.tag)
      return built.tag
    },
    registryToken: async (o = {}) => {
      const credentials = await assumeRole(emulator, o.roleArn ?? roleArn)
      const ecr = new ECRClient({
        region,
        endpoint: emulator.env.AWS_ENDPOINT_URL_ECR,
        credentials,
        maxAttempts: 1,
      })
      try {
        const out = await ecr.send(new GetAuthorizationTokenCommand({}))
        const data = out.authorizationData?.[0]
        const token = data?.authorizationToken ?? ''
        const decoded = Buffer.from(token, 'base64').toString('utf8')
        return {
          password: decoded.slice(decoded.indexOf(':') + 1),
          authorization: `Basic ${token}`,
          expiresAt: data?.expiresAt ?? new Date(0),
          proxyEndpoint: data?.proxyEndpoint ?? '',
        }
      } finally {
        ecr.destroy()
      }
    },
    login: async (o = {}) => {
      const { password } = await tb.registryToken(o.roleArn !== undefined ? { roleArn: o.roleArn } : {})
      const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-login-'))
      fs.writeFileSync(path.join(config, 'config.json'), '{}\n')
      const run = (args: string[], input?: string): Promise<DockerResult> =>
        docker(args, {
          env: { DOCKER_CONFIG: config },
          allowFailure: true,
          ...(input !== undefined ? { input } : {}),
        })
      for (const a of o.accounts ?? [account]) {
        const host = emulator.registryHost(a, region)
        const login = await run(['login', '--username', 'AWS', '--password-stdin', host], password)
        if (login.code !== 0) throw new Error(`docker login ${host}: ${login.stderr}`)
      }
      const handle: DockerLogin = {
        config,
        password,
        docker: (args) => run(args),
        close: () => fs.rmSync(config, { recursive: true, force: true }),
      }
      logins.push(handle)
      return handle
    },
    run: (o = {}) =>
      runAction({
        inputs: tb.inputs(o.inputs),
        env: { ...env, ...(o.env ?? {}) },
        ...(o.debug !== undefined ? { debug: o.debug } : {}),
        ...(o.home !== undefined ? { home: o.home } : {}),
        ...(o.event !== undefined ? { event: o.event } : {}),
        ...(o.githubToken !== undefined ? { githubToken: o.githubToken } : {}),
        ...(o.onStart !== undefined ? { onStart: o.onStart } : {}),
        timeoutMs: o.timeoutMs ?? 180_000,
      }),
    close: async () => {
      for (const l of logins) l.close()
      await Promise.allSettled(images.map((i) => removeImage(i)))
      await emulator.close()
      await backend.stop()
    },
  }
  return tb
}
