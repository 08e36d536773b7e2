// The official actions users chain today, unmodified (shared/peers/: configure-aws-credentials and
// amazon-ecr-login, as their authors publish them), run as the runner runs them against the test
// bed, then `docker push`, then both post steps on Node 24. If they cannot log in and push here, the
// test bed is wrong, not them; and the front must refuse them where ECR would.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, ensureDocker } from './testbed/docker.ts'
import { publicPushPermissions, pushPermissions } from './testbed/emulator/index.ts'
import { REPO_ROOT, cleanup, runAction, runPost, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const PEERS = path.resolve(REPO_ROOT, '..', 'shared', 'peers')
const CAWSC = path.join(PEERS, 'configure-aws-credentials')
const ECR_LOGIN = path.join(PEERS, 'amazon-ecr-login')

let tb: Testbed
let image: string
let home: string
let credentials: RunResult
let login: RunResult

const dockerConfig = (): string => path.join(home, '.docker')
const auths = (): Record<string, unknown> => {
  const file = path.join(dockerConfig(), 'config.json')
  if (!fs.existsSync(file)) return {}
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {}
}

beforeAll(async () => {
  for (const dir of [CAWSC, ECR_LOGIN]) {
    if (!fs.existsSync(path.join(dir, 'action.yml')))
      throw new Error(
        `${dir} is missing: the official actions are test data in ../shared/peers beside the checkout`,
      )
  }
  await ensureDocker()
  tb = await startTestbed({ permissions: pushPermissions('123456789012', 'acme/widget') })
  tb.emulator.createRepository({ name: 'acme/locked' })
  image = await tb.image({ files: { 'app.txt': 'pushed by the official actions\n' } })
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-peers-home-'))

  // Step 1: configure-aws-credentials with OIDC (the emulator's endpoints come from the job's env).
  credentials = await runAction({
    actionDir: CAWSC,
    inputs: { 'role-to-assume': tb.roleArn, 'aws-region': tb.region },
    env: tb.env,
    home,
  })
  // Step 2: amazon-ecr-login, with what step 1 put in GITHUB_ENV.
  login = await runAction({
    actionDir: ECR_LOGIN,
    inputs: {},
    env: { ...tb.env, ...credentials.exportedEnv },
    home,
  })
})

afterAll(async () => {
  await tb?.close()
  cleanup()
  if (home) fs.rmSync(home, { recursive: true, force: true })
})

const push = async (ref: string): Promise<{ code: number; output: string }> => {
  await docker(['tag', image, ref])
  try {
    const r = await docker(['push', ref], { env: { DOCKER_CONFIG: dockerConfig() }, allowFailure: true })
    return { code: r.code, output: r.stdout + r.stderr }
  } finally {
    await docker(['image', 'rm', ref], { allowFailure: true })
  }
}

describe('configure-aws-credentials, amazon-ecr-login, docker push', () => {
  it('configure-aws-credentials assumes the role over OIDC and exports the session', () => {
    expect(credentials.errors, credentials.log).toEqual([])
    expect(credentials.code, credentials.log).toBe(0)
    expect(credentials.exportedEnv.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    expect(credentials.exportedEnv.AWS_SESSION_TOKEN).toBeTruthy()
    expect(tb.emulator.callsFor('sts', 'AssumeRoleWithWebIdentity').map((c) => c.status)).toContain(200)
  })

  it("amazon-ecr-login logs docker in to the account's registry host with the role's own token", () => {
    expect(login.errors, login.log).toEqual([])
    expect(login.code, login.log).toBe(0)
    expect(login.outputs.registry).toBe(tb.registry.host)
    const calls = tb.emulator.callsFor('ecr', 'GetAuthorizationToken')
    expect(calls.at(-1)?.principalArn).toMatch(/assumed-role\/github-ecr-push\//)
    expect(Object.keys(auths()).join(' ')).toContain(tb.registry.host)
  })

  it('docker push with that login lands, and the registry holds exactly what docker pushed', async () => {
    const r = await push(`${tb.registry.host}/acme/widget:peers`)
    expect(r.code, r.output).toBe(0)
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(r.output)?.[1]
    expect(digest).toBeDefined()
    expect(await tb.registry.manifestDigest('acme/widget', 'peers')).toBe(digest)
  })

  it('the same login cannot push where the role may not: refused by the registry, nothing lands', async () => {
    const before = await tb.registry.catalog()
    const r = await push(`${tb.registry.host}/acme/locked:peers`)
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /denied: User: arn:aws:sts::123456789012:assumed-role\/github-ecr-push\/\S+ is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository\/acme\/locked because no identity-based policy allows the ecr:InitiateLayerUpload action/,
    )
    expect(await tb.registry.catalog()).toEqual(before)
    expect(await tb.registry.tags('acme/locked')).toEqual([])
  })

  it('both post steps run clean: amazon-ecr-login logs docker out, configure-aws-credentials cleans up', async () => {
    const loginPost = await runPost(login)
    expect(loginPost.errors, loginPost.log).toEqual([])
    expect(loginPost.code, loginPost.log).toBe(0)
    expect(Object.keys(auths())).not.toContain(tb.registry.host)
    const credentialsPost = await runPost(credentials)
    expect(credentialsPost.errors, credentialsPost.log).toEqual([])
    expect(credentialsPost.code, credentialsPost.log).toBe(0)
  })
})

// Role chaining (issue 14): configure-aws-credentials' own `role-chaining` against the emulator's
// sts:AssumeRole (the emulator must take what the official action sends: session tags included,
// which need sts:TagSession in the trust policy, as on AWS), and then this action chaining from the
// session configure-aws-credentials exported, as the README shows it.
describe('role chaining from the session configure-aws-credentials exported', () => {
  const PUSHER = 'arn:aws:iam::123456789012:role/chained-pusher'
  const UNTAGGABLE = 'arn:aws:iam::123456789012:role/chained-no-tags'

  beforeAll(() => {
    const trust = { webIdentity: false, principals: [tb.roleArn], externalId: 'acme-ci-7f3a' }
    const permissions = pushPermissions('123456789012', 'acme/widget')
    tb.emulator.addRole({ arn: PUSHER, trust: { ...trust, tagSession: true }, permissions })
    tb.emulator.addRole({ arn: UNTAGGABLE, trust, permissions })
    const first = tb.emulator.state.roles.get(tb.roleArn)
    first?.permissions.push({
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::123456789012:role/chained-*',
    })
  })

  const chain = (roleArn: string, extra: Record<string, string> = {}) =>
    runAction({
      actionDir: CAWSC,
      inputs: {
        'role-to-assume': roleArn,
        'aws-region': tb.region,
        'role-chaining': 'true',
        'role-external-id': 'acme-ci-7f3a',
        ...extra,
      },
      env: { ...tb.env, ...credentials.exportedEnv },
      home,
    })

  it("configure-aws-credentials' role-chaining works against the emulator (tags and external ID)", async () => {
    tb.emulator.clearCalls()
    const r = await chain(PUSHER)
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    expect(r.exportedEnv.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    const assume = tb.emulator.callsFor('sts', 'AssumeRole')
    expect(assume.map((c) => c.status)).toEqual([200])
    expect(assume[0]?.principalArn).toMatch(/assumed-role\/github-ecr-push\//)
    expect(assume[0]?.input.ExternalId).toBe('acme-ci-7f3a')
    expect(Object.keys(assume[0]?.input ?? {}).some((k) => k.startsWith('Tags.member.'))).toBe(true)
  })

  it('its session tags are refused without sts:TagSession in the trust policy, as AWS does', async () => {
    const refused = await chain(UNTAGGABLE, { 'retry-max-attempts': '1' })
    expect(refused.code).toBe(1)
    expect(refused.errors.join('\n')).toMatch(/is not authorized to perform: sts:TagSession on resource:/)
    const skipped = await chain(UNTAGGABLE, { 'role-skip-session-tagging': 'true' })
    expect(skipped.code, skipped.log).toBe(0)
  })

  it('this action chains from the exported session (no OIDC token) and pushes', async () => {
    tb.emulator.clearCalls()
    const r = await runAction({
      inputs: {
        'role-to-assume': UNTAGGABLE,
        'role-chaining': 'true',
        'role-external-id': 'acme-ci-7f3a',
        'aws-region': tb.region,
        image,
        repository: 'acme/widget',
        tags: 'chained-from-cawsc',
        'wait-for-scan': 'false',
        audit: 'false',
      },
      env: { ...tb.env, ...credentials.exportedEnv },
      home,
    })
    expect(r.code, r.log).toBe(0)
    expect(tb.emulator.callsFor('oidc')).toEqual([])
    expect(tb.emulator.callsFor('sts', 'AssumeRole')[0]?.principalArn).toMatch(
      /assumed-role\/github-ecr-push\//,
    )
    expect(r.outputs['image-uri']).toBe(`${tb.registry.host}/acme/widget:chained-from-cawsc`)
    expect(await tb.registry.tags('acme/widget')).toContain('chained-from-cawsc')
  })
})

describe("amazon-ecr-login's registry-type: public against the test bed's ECR Public", () => {
  // amazon-ecr-login logs docker in to a hard-coded `public.ecr.aws` (it never asks
  // DescribeRegistries). The test bed must not take that name over on the machine, so a `docker`
  // first on PATH hands the real docker the test bed's public host instead of `public.ecr.aws`,
  // and changes nothing else: the token comes from the official action's own ecr-public SDK call
  // (through AWS_ENDPOINT_URL_ECR_PUBLIC), docker meets the public registry's real token flow.
  const PUBLIC_ROLE = 'arn:aws:iam::123456789012:role/github-ecr-public-peer'
  let publicHome: string
  let shim: string
  let publicLogin: RunResult

  beforeAll(async () => {
    tb.emulator.createPublicRegistry({ alias: 'peer-oss' })
    tb.emulator.createPublicRepository({ name: 'peer/widget' })
    tb.emulator.addRole({
      arn: PUBLIC_ROLE,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: publicPushPermissions('123456789012', 'peer/*'),
    })
    publicHome = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-peers-public-home-'))
    shim = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-peers-docker-'))
    const real = (process.env.PATH ?? '')
      .split(path.delimiter)
      .map((d) => path.join(d, 'docker'))
      .find((f) => fs.existsSync(f))
    if (!real) throw new Error('no docker on PATH')
    fs.writeFileSync(
      path.join(shim, 'docker'),
      [
        '#!/bin/sh',
        '# public.ecr.aws -> the test bed public registry host; every other argument as given',
        'for a; do shift; if [ "$a" = public.ecr.aws ]; then set -- "$@" "$ECR_SC_PUBLIC_HOST"; else set -- "$@" "$a"; fi; done',
        `exec ${real} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    )
    const step1 = await runAction({
      actionDir: CAWSC,
      inputs: { 'role-to-assume': PUBLIC_ROLE, 'aws-region': 'us-east-1' },
      env: tb.env,
      home: publicHome,
    })
    expect(step1.code, step1.log).toBe(0)
    publicLogin = await runAction({
      actionDir: ECR_LOGIN,
      inputs: { 'registry-type': 'public' },
      env: {
        ...tb.env,
        ...step1.exportedEnv,
        PATH: `${shim}${path.delimiter}${process.env.PATH ?? ''}`,
        ECR_SC_PUBLIC_HOST: tb.emulator.publicRegistryHost(),
      },
      home: publicHome,
    })
  })

  afterAll(() => {
    for (const d of [publicHome, shim]) if (d) fs.rmSync(d, { recursive: true, force: true })
  })

  it('gets the token from ecr-public in us-east-1 and logs docker in with it', () => {
    expect(publicLogin.errors, publicLogin.log).toEqual([])
    expect(publicLogin.code, publicLogin.log).toBe(0)
    const calls = tb.emulator.callsFor('ecr-public', 'GetAuthorizationToken')
    expect(calls.at(-1)).toMatchObject({ status: 200, region: 'us-east-1' })
    expect(calls.at(-1)?.principalArn).toMatch(/assumed-role\/github-ecr-public-peer\//)
  })

  it('docker push with that login lands in the alias the registry URI names', async () => {
    const ref = `${tb.emulator.publicRegistryHost()}/peer-oss/peer/widget:peer`
    await docker(['tag', image, ref])
    try {
      const r = await docker(['push', ref], {
        env: { DOCKER_CONFIG: path.join(publicHome, '.docker') },
        allowFailure: true,
      })
      expect(r.code, r.stdout + r.stderr).toBe(0)
    } finally {
      await docker(['image', 'rm', ref], { allowFailure: true })
    }
    expect(await tb.backend.tags('public/123456789012/peer/widget')).toEqual(['peer'])
  })
})
