// The push pipeline end to end: the bundled dist/index.js run as the GitHub runner runs it, against
// the AWS emulator, the real Docker engine and the real distribution registry behind the emulator's
// ECR registry front (ECR tokens, IAM on every registry request, one host per account). Every
// refusal checks the one error it expects and that no registry gained a tag or a repository.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDocker } from './testbed/docker.ts'
import { pushPermissions, type Statement } from './testbed/emulator/index.ts'
import { cleanup, runPost, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const OTHER = '210987654321'
let tb: Testbed
let image: string

beforeAll(async () => {
  await ensureDocker()
  // Permission on acme/* so that a missing repository is "not found" rather than "denied".
  tb = await startTestbed({
    permissions: pushPermissions('123456789012', 'acme/*', { scanDiscovery: true, governance: true }),
    otherAccounts: [OTHER],
  })
  image = await tb.image({ files: { 'app.txt': 'push pipeline\n' } })
})

/** Every repository with a manifest in both accounts' registries, and its tags. */
async function registries(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const reg of [tb.registry, tb.registryFor(OTHER)]) {
    for (const repo of await reg.catalog()) out[`${reg.account}/${repo}`] = await reg.tags(repo)
  }
  return out
}

/** A role with exactly these statements (trust: the test bed's OIDC subject). */
function role(name: string, permissions: Statement[]): string {
  const arn = `arn:aws:iam::123456789012:role/${name}`
  tb.emulator.addRole({ arn, trust: { sub: 'repo:acme/widget:*' }, permissions })
  return arn
}

/**
 * The registry requests the front refused, as the set of `<ECR action> <code>` (docker retries and
 * checks layers in its own order; what matters is what was refused and that nothing else was).
 * Not counted: docker's first unauthenticated ping (401), and HEADs of layers not there yet (404).
 */
function refusals(): string[] {
  const refused = tb.emulator
    .callsFor('registry')
    .filter((c) => c.status >= 400 && c.errorCode !== 'missing' && c.errorCode !== 'HTTP 404')
    .map((c) => `${c.operation} ${c.errorCode ?? c.status}`)
  return [...new Set(refused)].sort()
}

/** A FROM scratch image of its own (layers no registry has seen, so docker uploads them). */
const fresh = (label: string): Promise<string> =>
  tb.image({ files: { 'app.txt': `${label} ${Math.random()}\n` } })

afterAll(async () => {
  await tb?.close()
  cleanup()
})

function dockerConfig(home: string): Record<string, unknown> | undefined {
  const file = path.join(home, '.docker', 'config.json')
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)
    : undefined
}

function privateDirs(r: RunResult): string[] {
  return fs.readdirSync(r.dirs.runnerTemp).filter((d) => d.startsWith('ecr-supply-chain-docker-'))
}

function ops(service: 'sts' | 'ecr' | 'oidc'): string[] {
  return tb.emulator.callsFor(service).map((c) => c.operation)
}

describe('push', () => {
  let r: RunResult

  beforeAll(async () => {
    tb.emulator.clearCalls()
    r = await tb.run({ inputs: { image, tags: 'abc123\nlatest' } })
  })

  it('succeeds and sets every push output', () => {
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    const host = tb.registry.host
    expect(r.outputs).toMatchObject({
      registry: host,
      'repository-uri': `${host}/acme/widget`,
      'image-uri': `${host}/acme/widget:abc123`,
      tags: 'abc123,latest',
      'aws-account-id': tb.account,
    })
    expect(r.outputs['image-digest']).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(r.outputs['image-ref']).toBe(`${host}/acme/widget@${r.outputs['image-digest']}`)
    const expires = Date.parse(r.outputs['token-expires-at'] ?? '')
    expect(expires - Date.now()).toBeGreaterThan(11 * 3600 * 1000)
  })

  it("reports the registry's own digest for both tags", async () => {
    const digest = r.outputs['image-digest']
    expect(await tb.registry.manifestDigest('acme/widget', 'abc123')).toBe(digest)
    expect(await tb.registry.manifestDigest('acme/widget', 'latest')).toBe(digest)
  })

  it('makes at most 3 AWS calls before the push, and verifies the image after it', () => {
    expect(ops('oidc')).toEqual(['GetIdToken'])
    expect(ops('sts')).toEqual(['AssumeRoleWithWebIdentity'])
    // Before the push: the login token and the repository check; right after it: BatchGetImage
    // (each tag's manifest must be what docker pushed and name the local image's config).
    expect(ops('ecr').slice(0, 2).sort()).toEqual(['DescribeRepositories', 'GetAuthorizationToken'])
    expect(ops('ecr')[2]).toBe('BatchGetImage')
    const bgi = tb.emulator.callsFor('ecr', 'BatchGetImage')[0]
    expect(bgi?.input).toMatchObject({
      repositoryName: 'acme/widget',
      imageIds: [{ imageTag: 'abc123' }, { imageTag: 'latest' }],
    })
    // Every ECR call was signed with the credentials STS issued to the assumed role.
    for (const c of tb.emulator.callsFor('ecr'))
      expect(c.principalArn).toMatch(/assumed-role\/github-ecr-push\//)
    expect(tb.emulator.internalErrors).toEqual([])
  })

  it('logs in with a private docker config that is gone when the step ends; the user config is untouched', () => {
    expect(privateDirs(r)).toEqual([])
    expect(dockerConfig(r.dirs.home)).toBeUndefined()
    expect(r.state['private-config']).toMatch(/ecr-supply-chain-docker-/)
    expect(fs.existsSync(r.state['private-config'] ?? '/nonexistent')).toBe(false)
    expect(r.state['logout-registry']).toBeUndefined()
  })

  it('writes a job summary with the digest-pinned reference', () => {
    expect(r.summary).toContain(r.outputs['image-ref'])
  })
})

describe('registry-id', () => {
  it('is sent with every ECR call that names the repository', async () => {
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, tags: 'registry-id', 'registry-id': tb.account } })
    expect(r.code, r.log).toBe(0)
    for (const op of ['DescribeRepositories', 'BatchGetImage']) {
      const calls = tb.emulator.callsFor('ecr', op)
      expect(calls.length, op).toBeGreaterThan(0)
      for (const c of calls) expect(c.input).toMatchObject({ registryId: tb.account })
    }
  })

  it("pushes to another account's registry when both policies allow it: that registry holds it, ours does not", async () => {
    const arn = role('cross-account-push', [
      ...pushPermissions('123456789012', 'acme/widget'),
      ...pushPermissions(OTHER, 'acme/shared', { governance: true }).slice(1),
    ])
    // Across accounts both must allow: the role's identity policy and the repository's policy.
    tb.emulator.createRepository({
      name: 'acme/shared',
      account: OTHER,
      policy: [{ principal: arn, action: 'ecr:*' }],
    })
    const r = await tb.run({
      inputs: {
        image,
        repository: 'acme/shared',
        tags: 'cross',
        'registry-id': OTHER,
        'role-to-assume': arn,
      },
    })
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    const other = tb.registryFor(OTHER)
    expect(r.outputs.registry).toBe(other.host)
    expect(r.outputs['image-ref']).toBe(`${other.host}/acme/shared@${r.outputs['image-digest']}`)
    expect(await other.manifestDigest('acme/shared', 'cross')).toBe(r.outputs['image-digest'])
    expect(await tb.registry.catalog()).not.toContain('acme/shared')
    expect(await tb.registry.tags('acme/widget')).not.toContain('cross')
  })

  it('another account whose repository policy does not name the role: refused there, nothing pushed anywhere', async () => {
    tb.emulator.createRepository({ name: 'acme/closed', account: OTHER })
    const arn = role('cross-account-no-policy', [
      ...pushPermissions('123456789012', 'acme/widget'),
      ...pushPermissions(OTHER, 'acme/closed').slice(1),
    ])
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: {
        image,
        repository: 'acme/closed',
        tags: 'cross',
        'registry-id': OTHER,
        'role-to-assume': arn,
      },
    })
    expect(r.code).toBe(1)
    expect(r.warnings.join('\n')).toMatch(
      /Could not check that repository 'acme\/closed' exists: ecr:DescribeRepositories is not allowed on arn:aws:ecr:us-east-1:210987654321:repository\/acme\/closed/,
    )
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^The registry refused 210987654321\.dkr\.ecr\.us-east-1\.amazonaws\.com:\d+\/acme\/closed:cross \(denied: User: \S+ is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:210987654321:repository\/acme\/closed because no resource-based policy allows the ecr:InitiateLayerUpload action\)/,
      ),
    ])
    expect(refusals()).toContain('InitiateLayerUpload DENIED')
    expect(refusals().every((x) => x.endsWith(' DENIED'))).toBe(true)
    expect(await registries()).toEqual(before)
  })

  it('another account the role may not use at all: refused by that registry, nothing pushed anywhere', async () => {
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, tags: 'cross', 'registry-id': OTHER } })
    expect(r.code).toBe(1)
    expect(r.warnings.join('\n')).toMatch(
      /ecr:DescribeRepositories is not allowed on arn:aws:ecr:us-east-1:210987654321:repository\/acme\/widget/,
    )
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^The registry refused 210987654321\.dkr\.ecr\.us-east-1\.amazonaws\.com:\d+\/acme\/widget:cross \(denied: .* ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:210987654321:repository\/acme\/widget because no identity-based policy allows the ecr:InitiateLayerUpload action\)/,
      ),
    ])
    expect(refusals()).toContain('InitiateLayerUpload DENIED')
    expect(refusals().every((x) => x.endsWith(' DENIED'))).toBe(true)
    expect(r.outputs['image-ref']).toBeUndefined()
    expect(await registries()).toEqual(before)
  })
})

describe('keep-login', () => {
  it('true: logs in to the user docker config and the post step logs out', async () => {
    const r = await tb.run({ inputs: { image, tags: 'keep', 'keep-login': 'true' } })
    expect(r.code, r.log).toBe(0)
    const auths = dockerConfig(r.dirs.home)?.auths as Record<string, { auth?: string }> | undefined
    // The login is the run's own ECR token, issued to the role it assumed.
    const login = Buffer.from(auths?.[tb.registry.host]?.auth ?? '', 'base64').toString()
    expect(login.startsWith('AWS:')).toBe(true)
    expect(tb.emulator.state.registryTokens.get(login.slice(4))?.principal.arn).toMatch(
      /assumed-role\/github-ecr-push\//,
    )
    expect(r.state['logout-registry']).toBe(tb.registry.host)

    const post = await runPost(r)
    expect(post.code, post.log).toBe(0)
    expect(post.warnings).toEqual([])
    const after = dockerConfig(r.dirs.home)?.auths as Record<string, unknown> | undefined
    expect(after?.[tb.registry.host]).toBeUndefined()
  })

  it('true: a failed logout warns and never fails the post step', async () => {
    const r = await tb.run({ inputs: { image, tags: 'keep2', 'keep-login': 'true' } })
    expect(r.code, r.log).toBe(0)
    // A docker whose logout fails (the engine gone, a broken credential helper...).
    const bin = fs.mkdtempSync(path.join(r.dirs.root, 'bin-'))
    fs.writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\necho "logout exploded" >&2\nexit 1\n', {
      mode: 0o755,
    })
    const post = await runPost(r, { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } })
    expect(post.code, post.log).toBe(0)
    expect(post.warnings.join('\n')).toMatch(/docker logout .* failed/)
  })

  it('false (default): the post step has nothing to do', async () => {
    const r = await tb.run({ inputs: { image, tags: 'private' } })
    expect(r.code, r.log).toBe(0)
    const post = await runPost(r)
    expect(post.code).toBe(0)
    expect(post.warnings).toEqual([])
    expect(dockerConfig(r.dirs.home)).toBeUndefined()
  })
})

describe('failures leave nothing half-done', () => {
  it('a missing local image: one line, no network call at all, nothing pushed', async () => {
    tb.emulator.clearCalls()
    const before = await tb.registry.catalog()
    const r = await tb.run({ inputs: { image: 'no-such-image:anywhere', tags: 'missing' } })
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/Local image 'no-such-image:anywhere' not found\. Build or pull it/)
    expect(tb.emulator.calls).toEqual([])
    expect(r.outputs['scan-coverage']).toBe('UNKNOWN')
    expect(await tb.registry.catalog()).toEqual(before)
  })

  it.each([
    [{ 'aws-region': 'moon-base-1x' }, 'aws-region'],
    // Well-formed, but no region the AWS SDK knows: a typo.
    [{ 'aws-region': 'us-esat-1' }, 'aws-region'],
    [{ 'role-to-assume': 'github-ecr-push' }, 'role-to-assume'],
    [{ repository: 'Acme/Widget' }, 'repository'],
    [{ tags: 'ok, bad tag' }, 'tags'],
    [{ 'role-duration-seconds': '100' }, 'role-duration-seconds'],
    [{ 'role-session-name': 'x' }, 'role-session-name'],
    [{ 'allowed-account-ids': '12' }, 'allowed-account-ids'],
    [{ 'registry-id': 'acme' }, 'registry-id'],
    [{ 'keep-login': 'yes' }, 'keep-login'],
    [{ 'severity-threshold': 'SEVERE' }, 'severity-threshold'],
    [{ image: '' }, 'image'],
  ])('bad input %j: the error names %s, zero calls, registry unchanged', async (over, name) => {
    tb.emulator.clearCalls()
    const before = await tb.registry.catalog()
    const r = await tb.run({ inputs: { image, tags: 'bad-input', ...over } })
    expect(r.code).toBe(1)
    expect(r.errors.length).toBeGreaterThan(0)
    expect(r.errors.join('\n')).toContain(`'${name}'`)
    expect(tb.emulator.calls).toEqual([])
    expect(await tb.registry.catalog()).toEqual(before)
    expect(await tb.registry.tags('acme/widget')).not.toContain('bad-input')
  })

  it("role-to-assume without id-token permission: says to grant 'id-token: write'", async () => {
    tb.emulator.clearCalls()
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }
    const before = await registries()
    const r = await tb.run({ inputs: { image, tags: 'no-oidc' }, env })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([expect.stringContaining('permissions: id-token: write')])
    expect(tb.emulator.calls).toEqual([])
    expect(await registries()).toEqual(before)
  })

  it('an unknown repository: one line naming both fixes, nothing pushed', async () => {
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, repository: 'acme/nothing-here' } })
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      /Repository 'acme\/nothing-here' does not exist .*create-repository: true.*aws ecr create-repository/,
    )
    expect(tb.emulator.callsFor('registry')).toEqual([])
    expect(await registries()).toEqual(before)
    expect(privateDirs(r)).toEqual([])
  })

  it('an unknown repository the role cannot look up: the registry says NAME_UNKNOWN, and the step says so', async () => {
    const arn = role('push-only', pushPermissions('123456789012', 'acme/*', { scanDiscovery: false }))
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, repository: 'acme/nothing-here', 'role-to-assume': arn } })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^The registry refused \S+\/acme\/nothing-here:t1: repository 'acme\/nothing-here' does not exist \(name unknown: The repository with name 'acme\/nothing-here' does not exist in the registry with id '123456789012'\)\. Create it, or set 'create-repository: true'\.$/,
      ),
    ])
    // Docker's layer check (a HEAD, answered 404 without a body) comes first, then the upload.
    expect(refusals()).toEqual([
      'BatchCheckLayerAvailability NAME_UNKNOWN',
      'InitiateLayerUpload NAME_UNKNOWN',
    ])
    expect(await registries()).toEqual(before)
  })

  it('an account outside allowed-account-ids: fails before any ECR call', async () => {
    tb.emulator.clearCalls()
    const before = await registries()
    const r = await tb.run({
      inputs: { image, tags: 'wrong-account', 'allowed-account-ids': '111111111111' },
    })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(/account 123456789012 .*not in 'allowed-account-ids' \(111111111111\)/),
    ])
    expect(tb.emulator.callsFor('ecr')).toEqual([])
    expect(tb.emulator.callsFor('registry')).toEqual([])
    expect(await registries()).toEqual(before)
  })

  it('AccessDenied from STS: one attempt, names the role, sub and aud and what to check', async () => {
    tb.emulator.clearCalls()
    tb.emulator.oidc.sub = 'repo:someone-else/widget:ref:refs/heads/main'
    const before = await registries()
    try {
      const r = await tb.run({ inputs: { image, tags: 'denied' } })
      expect(r.code).toBe(1)
      expect(r.errors).toHaveLength(1)
      expect(tb.emulator.callsFor('ecr')).toEqual([])
      expect(await registries()).toEqual(before)
      expect(tb.emulator.callsFor('sts', 'AssumeRoleWithWebIdentity')).toHaveLength(1)
      // Always set (INTERFACE): the configuration was never read.
      expect(r.outputs['scan-coverage']).toBe('UNKNOWN')
      const msg = r.errors.join('\n')
      expect(msg).toContain(tb.roleArn)
      expect(msg).toContain('sub "repo:someone-else/widget:ref:refs/heads/main"')
      expect(msg).toContain('aud "sts.amazonaws.com"')
      expect(msg).toContain('trust policy')
    } finally {
      tb.emulator.oidc.sub = 'repo:acme/widget:ref:refs/heads/main'
    }
  })
})

describe('least privilege', () => {
  // README "The role's permission policy (least privilege for the push)", statement for statement.
  const PUSH = [
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
    'ecr:BatchGetImage',
    'ecr:DescribeRepositories',
  ]
  const documented = (without?: string): Statement[] => [
    ...(without === 'ecr:GetAuthorizationToken'
      ? []
      : [{ action: 'ecr:GetAuthorizationToken', resource: '*' }]),
    {
      action: PUSH.filter((a) => a !== without),
      resource: 'arn:aws:ecr:us-east-1:123456789012:repository/acme/widget',
    },
  ]

  it('exactly the documented permissions: the push lands, without a permission warning', async () => {
    const arn = role('least-privilege', documented())
    const r = await tb.run({ inputs: { image, tags: 'least', 'role-to-assume': arn } })
    expect(r.errors, r.log).toEqual([])
    expect(r.warnings.filter((w) => /ecr:|not allowed|denied/i.test(w))).toEqual([])
    expect(r.code).toBe(0)
    expect(await tb.registry.manifestDigest('acme/widget', 'least')).toBe(r.outputs['image-digest'])
  })

  // Each layer and manifest action docker needs: refused by the registry at that very request.
  it.each([
    ['ecr:InitiateLayerUpload', 'InitiateLayerUpload'],
    ['ecr:UploadLayerPart', 'UploadLayerPart'],
    ['ecr:CompleteLayerUpload', 'CompleteLayerUpload'],
    ['ecr:PutImage', 'PutImage'],
  ])('without %s: refused with that action named, nothing pushed', async (missing, action) => {
    const arn = role(`no-${action}`, documented(missing))
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: { image: await fresh(action), tags: `no-${action}`, 'role-to-assume': arn },
    })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The registry refused \\S+/acme/widget:no-${action} \\(denied: User: arn:aws:sts::123456789012:assumed-role/no-${action}/\\S+ is not authorized to perform: ${missing} on resource: arn:aws:ecr:us-east-1:123456789012:repository/acme/widget because no identity-based policy allows the ${missing} action\\)\\. The role needs `,
        ),
      ),
    ])
    expect(refusals()).toEqual([`${action} DENIED`])
    expect(await registries()).toEqual(before)
  })

  it('without ecr:BatchCheckLayerAvailability: the registry refuses the layer check (a HEAD: no body to quote), nothing pushed', async () => {
    const arn = role('no-BatchCheckLayerAvailability', documented('ecr:BatchCheckLayerAvailability'))
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image: await fresh('bcla'), tags: 'no-bcla', 'role-to-assume': arn } })
    expect(r.code).toBe(1)
    // Docker can only say that a HEAD got 403; the front's log says which permission it was.
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^docker push \S+\/acme\/widget:no-bcla failed: error parsing HTTP 403 response body/,
      ),
    ])
    expect(refusals()).toEqual(['BatchCheckLayerAvailability DENIED'])
    expect(await registries()).toEqual(before)
  })

  it('without ecr:GetAuthorizationToken: fails before docker logs in, naming the permission', async () => {
    const arn = role('no-GetAuthorizationToken', documented('ecr:GetAuthorizationToken'))
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, tags: 'no-token', 'role-to-assume': arn } })
    expect(r.code).toBe(1)
    expect(r.errors.join('\n')).toMatch(/ecr:GetAuthorizationToken/)
    expect(tb.emulator.callsFor('registry')).toEqual([])
    expect(await registries()).toEqual(before)
  })

  it('without ecr:BatchGetImage: the push lands, but the step fails: the image cannot be verified', async () => {
    const arn = role('no-BatchGetImage', documented('ecr:BatchGetImage'))
    const r = await tb.run({ inputs: { image, tags: 'no-batch-get-image', 'role-to-assume': arn } })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(/^ecr:BatchGetImage was denied: .* Grant the permission/),
    ])
    expect(r.outputs['image-ref']).toBeUndefined()
    expect(await tb.registry.tags('acme/widget')).toContain('no-batch-get-image')
  })

  it('without ecr:DescribeRepositories: the push still works, with a warning that says what to grant', async () => {
    const arn = role('no-DescribeRepositories', documented('ecr:DescribeRepositories'))
    const r = await tb.run({ inputs: { image, tags: 'no-describe-repositories', 'role-to-assume': arn } })
    expect(r.code, r.log).toBe(0)
    expect(r.warnings).toEqual([expect.stringMatching(/ecr:DescribeRepositories is not allowed/)])
    expect(await tb.registry.manifestDigest('acme/widget', 'no-describe-repositories')).toBe(
      r.outputs['image-digest'],
    )
  })
})

describe('immutable tags', () => {
  let other: string
  beforeAll(async () => {
    other = await tb.image({ files: { 'app.txt': 'another build\n' } })
  })

  it('IMMUTABLE: an existing tag is refused as TAG_INVALID, distinctly; the tag keeps its image', async () => {
    tb.emulator.createRepository({ name: 'acme/frozen', imageTagMutability: 'IMMUTABLE' })
    const first = await tb.run({ inputs: { image, repository: 'acme/frozen', tags: 'v1' } })
    expect(first.code, first.log).toBe(0)
    const before = await registries()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image: other, repository: 'acme/frozen', tags: 'v1' } })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^The registry refused \S+\/acme\/frozen:v1: the tag already exists and 'acme\/frozen' has immutable tags \(tag invalid: The image tag 'v1' already exists in the 'acme\/frozen' repository and cannot be overwritten because the tag is immutable\.\)\. Push a new tag/,
      ),
    ])
    expect(refusals()).toEqual(['PutImage TAG_INVALID'])
    expect(await registries()).toEqual(before)
    expect(await tb.registry.manifestDigest('acme/frozen', 'v1')).toBe(first.outputs['image-digest'])
  })

  it('IMMUTABLE_WITH_EXCLUSION: the excluded tags move, the others do not', async () => {
    tb.emulator.createRepository({
      name: 'acme/releases',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
    })
    const first = await tb.run({ inputs: { image, repository: 'acme/releases', tags: 'v1\nlatest' } })
    expect(first.code, first.log).toBe(0)
    const moved = await tb.run({ inputs: { image: other, repository: 'acme/releases', tags: 'v2\nlatest' } })
    expect(moved.code, moved.log).toBe(0)
    expect(await tb.registry.manifestDigest('acme/releases', 'latest')).toBe(moved.outputs['image-digest'])
    const before = await registries()
    const refused = await tb.run({ inputs: { image: other, repository: 'acme/releases', tags: 'v1' } })
    expect(refused.code).toBe(1)
    expect(refused.errors.join('\n')).toMatch(
      /The image tag 'v1' already exists .* because the tag is immutable/,
    )
    expect(await registries()).toEqual(before)
  })

  it('MUTABLE_WITH_EXCLUSION: only the tags the filters name are immutable', async () => {
    tb.emulator.createRepository({
      name: 'acme/mostly-mutable',
      imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'release-*' }],
    })
    const first = await tb.run({
      inputs: { image, repository: 'acme/mostly-mutable', tags: 'dev\nrelease-1' },
    })
    expect(first.code, first.log).toBe(0)
    const dev = await tb.run({ inputs: { image: other, repository: 'acme/mostly-mutable', tags: 'dev' } })
    expect(dev.code, dev.log).toBe(0)
    const before = await registries()
    const release = await tb.run({
      inputs: { image: other, repository: 'acme/mostly-mutable', tags: 'release-1' },
    })
    expect(release.code).toBe(1)
    expect(release.errors.join('\n')).toMatch(
      /The image tag 'release-1' already exists .* because the tag is immutable/,
    )
    expect(await registries()).toEqual(before)
    expect(await tb.registry.manifestDigest('acme/mostly-mutable', 'release-1')).toBe(
      first.outputs['image-digest'],
    )
  })
})

describe('the ECR token expires mid-step', () => {
  it('the registry refuses the rest of the push as ECR does; the step says so, nothing lands', async () => {
    const before = await registries()
    tb.emulator.clearCalls()
    // The token dies between docker's login and its first layer upload.
    const off = tb.emulator.onRegistryRequest((req) => {
      if (req.operation === 'InitiateLayerUpload') tb.emulator.expireRegistryTokens()
    })
    try {
      const r = await tb.run({ inputs: { image: await fresh('expired'), tags: 'expired' } })
      expect(r.code).toBe(1)
      expect(r.errors).toEqual([
        expect.stringMatching(
          /^The registry refused \S+\/acme\/widget:expired \(denied: Your authorization token has expired\. Reauthenticate and try again\.\)/,
        ),
      ])
      expect(refusals()).toEqual(['InitiateLayerUpload DENIED'])
      expect(await registries()).toEqual(before)
    } finally {
      off()
    }
  })

  it('a short token lifetime is what the step reports as token-expires-at', async () => {
    tb.emulator.setRegistryTokenLifetime(120)
    try {
      const r = await tb.run({ inputs: { image, tags: 'short-token' } })
      expect(r.code, r.log).toBe(0)
      const left = Date.parse(r.outputs['token-expires-at'] ?? '') - Date.now()
      expect(left).toBeGreaterThan(60_000)
      expect(left).toBeLessThanOrEqual(120_000)
    } finally {
      tb.emulator.setRegistryTokenLifetime(12 * 3600)
    }
  })
})

describe('role-to-assume empty: the default AWS credential chain', () => {
  it('pushes with the credentials in the environment, identified by GetCallerIdentity', async () => {
    tb.emulator.addUser({
      accessKeyId: 'AKIAEMULATORCIUSER01',
      secretAccessKey: 's'.repeat(40),
      name: 'ci-pusher',
      permissions: pushPermissions('123456789012', 'acme/*', { scanDiscovery: true, governance: true }),
    })
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: { image, tags: 'static-creds', 'role-to-assume': '' },
      env: { AWS_ACCESS_KEY_ID: 'AKIAEMULATORCIUSER01', AWS_SECRET_ACCESS_KEY: 's'.repeat(40) },
    })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs['aws-account-id']).toBe('123456789012')
    expect(ops('oidc')).toEqual([])
    expect(ops('sts')).toEqual(['GetCallerIdentity'])
    for (const c of tb.emulator.callsFor('ecr'))
      expect(c.principalArn).toBe('arn:aws:iam::123456789012:user/ci-pusher')
  })
})

describe('push refused by the registry', () => {
  let ro: Testbed
  beforeAll(async () => {
    ro = await startTestbed({ registryReadonly: true })
  })
  afterAll(async () => {
    await ro?.close()
  })

  it('one line that says why; the local tags and the private login are gone', async () => {
    const r = await ro.run({ inputs: { image, tags: 'refused' } })
    expect(r.code).toBe(1)
    // The one branch of the explanation that fits: not a permission, not a missing repository, not
    // an immutable tag.
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^The registry refused \S+\/acme\/widget:refused: it does not accept pushes right now \(.*HTTP 405 .*Method not allowed.*\)\.$/,
      ),
    ])
    expect(privateDirs(r)).toEqual([])
    const { imageExists } = await import('./testbed/docker.ts')
    expect(await imageExists(`${ro.registry.host}/acme/widget:refused`)).toBe(false)
    expect(await ro.registry.tags('acme/widget')).toEqual([])
  })
})

describe('secrets never leak', () => {
  it('with step debug on, no credential appears outside ::add-mask:: nor in any file the runner reads', async () => {
    tb.emulator.state.issuedIdTokens.length = 0
    const before = new Set(tb.emulator.state.credentials.keys())
    const tokensBefore = new Set(tb.emulator.state.registryTokens.keys())
    const r = await tb.run({ inputs: { image, tags: 'leak-check' }, debug: true })
    expect(r.code, r.log).toBe(0)
    expect(r.debug.length).toBeGreaterThan(0)

    const sessions = [...tb.emulator.state.credentials.values()].filter(
      (c) => c.sessionToken !== undefined && !before.has(c.accessKeyId),
    )
    expect(sessions).toHaveLength(1)
    const tokens = [...tb.emulator.state.registryTokens.keys()].filter((t) => !tokensBefore.has(t))
    expect(tokens).toHaveLength(1)
    const secrets = [
      ...tokens,
      ...tokens.map((t) => Buffer.from(`AWS:${t}`).toString('base64')),
      ...sessions.flatMap((c) => [c.secretAccessKey, c.sessionToken ?? '']),
      ...tb.emulator.state.issuedIdTokens,
    ].filter((s) => s !== '')
    expect(tb.emulator.state.issuedIdTokens.length).toBeGreaterThan(0)
    expect(secrets.length).toBeGreaterThanOrEqual(5)

    const outsideMasks = (r.stdout + '\n' + r.stderr)
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    const files = [r.files.output, r.files.env, r.files.summary, r.files.state].map((f) =>
      fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '',
    )
    for (const s of secrets) {
      expect(r.masks, 'every secret is masked').toContain(s)
      expect(outsideMasks.includes(s), `secret ${s.slice(0, 4)}… printed`).toBe(false)
      for (const f of files) expect(f.includes(s)).toBe(false)
    }
    // Masked the moment they exist: each mask comes before any other line that could carry it.
    const firstMask = r.stdout.indexOf('::add-mask::')
    expect(firstMask).toBeGreaterThanOrEqual(0)
  })
})
