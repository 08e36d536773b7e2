// The whole test bed in one call: the real registry, the AWS emulator wired to it (ECR tokens carry
// the registry's password; DescribeImages reads the registry), a role the OIDC token may assume, a
// repository, and a runner for the bundled action with the emulator's environment.
import { randomBytes } from 'node:crypto'
import { buildImage, removeImage, type BuildImageOptions } from './docker.ts'
import { pushPermissions, startEmulator, type Emulator, type Statement } from './emulator/index.ts'
import { startRegistry, type Registry } from './registry.ts'
import { runAction, type RunOptions, type RunResult } from './runner.ts'

export interface TestbedOptions {
  account?: string
  region?: string
  /** Repository name; default `acme/widget`. */
  repository?: string
  /** Create the repository in the emulator; default true. */
  createRepo?: boolean
  repositoryOptions?: {
    scanOnPush?: boolean
    imageTagMutability?: 'MUTABLE' | 'IMMUTABLE'
    encryption?: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string }
  }
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
}

export interface Testbed {
  emulator: Emulator
  registry: Registry
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
  run(opts?: TestbedRunOptions): Promise<RunResult>
  close(): Promise<void>
}

export async function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  const account = opts.account ?? '123456789012'
  const region = opts.region ?? 'us-east-1'
  const repository = opts.repository ?? 'acme/widget'
  const registry = await startRegistry(opts.registryReadonly ? { readonly: true } : {})
  let emulator: Emulator
  try {
    emulator = await startEmulator({
      account,
      region,
      registry: { url: registry.url, username: 'AWS', password: registry.password },
    })
  } catch (err) {
    await registry.stop()
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
  const env: Record<string, string> = { ...emulator.env }

  const tb: Testbed = {
    emulator,
    registry,
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
    run: (o = {}) =>
      runAction({
        inputs: tb.inputs(o.inputs),
        env: { ...env, ...(o.env ?? {}) },
        ...(o.debug !== undefined ? { debug: o.debug } : {}),
        ...(o.home !== undefined ? { home: o.home } : {}),
        ...(o.event !== undefined ? { event: o.event } : {}),
        ...(o.githubToken !== undefined ? { githubToken: o.githubToken } : {}),
        timeoutMs: o.timeoutMs ?? 180_000,
      }),
    close: async () => {
      await Promise.allSettled(images.map((i) => removeImage(i)))
      await emulator.close()
      await registry.stop()
    },
  }
  return tb
}
