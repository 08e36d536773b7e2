// The push pipeline end to end: the bundled dist/index.js run as the GitHub runner runs it, against
// the AWS emulator, the real Docker engine and the real distribution registry.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDocker } from './testbed/docker.ts'
import { pushPermissions } from './testbed/emulator/index.ts'
import { cleanup, runPost, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let image: string

beforeAll(async () => {
  await ensureDocker()
  // Permission on acme/* so that a missing repository is "not found" rather than "denied".
  tb = await startTestbed({
    permissions: pushPermissions('123456789012', 'acme/*', { scanDiscovery: true, governance: true }),
  })
  image = await tb.image({ files: { 'app.txt': 'push pipeline\n' } })
})

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

  it('makes at most 3 AWS calls before the push, and cross-checks the digest after it', () => {
    expect(ops('oidc')).toEqual(['GetIdToken'])
    expect(ops('sts')).toEqual(['AssumeRoleWithWebIdentity'])
    // Before the push: the login token and the repository check; right after it: DescribeImages.
    expect(ops('ecr').slice(0, 2).sort()).toEqual(['DescribeRepositories', 'GetAuthorizationToken'])
    expect(ops('ecr')[2]).toBe('DescribeImages')
    const di = tb.emulator.callsFor('ecr', 'DescribeImages')[0]
    expect(di?.input).toMatchObject({
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
    for (const op of ['DescribeRepositories', 'DescribeImages']) {
      const calls = tb.emulator.callsFor('ecr', op)
      expect(calls.length, op).toBeGreaterThan(0)
      for (const c of calls) expect(c.input).toMatchObject({ registryId: tb.account })
    }
  })

  it('another account the role may not use: fails naming that account and the missing permission', async () => {
    // The test bed has one registry for every account, so the push itself lands; real ECR refuses
    // it at the other account's registry. What is checked here: the step does not pass, and says why.
    const r = await tb.run({ inputs: { image, tags: 'cross', 'registry-id': '210987654321' } })
    expect(r.code).toBe(1)
    expect(r.warnings.join('\n')).toMatch(
      /ecr:DescribeRepositories is not allowed on arn:aws:ecr:us-east-1:210987654321:/,
    )
    expect(r.errors.join('\n')).toMatch(/ecr:DescribeImages was denied: .*210987654321/)
    expect(r.outputs['image-ref']).toBeUndefined()
  })
})

describe('keep-login', () => {
  it('true: logs in to the user docker config and the post step logs out', async () => {
    const r = await tb.run({ inputs: { image, tags: 'keep', 'keep-login': 'true' } })
    expect(r.code, r.log).toBe(0)
    const auths = dockerConfig(r.dirs.home)?.auths as Record<string, { auth?: string }> | undefined
    expect(auths?.[tb.registry.host]?.auth).toBe(
      Buffer.from(`AWS:${tb.registry.password}`).toString('base64'),
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
    expect(await tb.registry.catalog()).toEqual(before)
  })

  it.each([
    [{ 'aws-region': 'moon-base-1x' }, 'aws-region'],
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
    const r = await tb.run({ inputs: { image, tags: 'no-oidc' }, env })
    expect(r.code).toBe(1)
    expect(r.errors.join('\n')).toContain('permissions: id-token: write')
    expect(tb.emulator.calls).toEqual([])
  })

  it('an unknown repository: one line naming both fixes, nothing pushed', async () => {
    const r = await tb.run({ inputs: { image, repository: 'acme/nothing-here' } })
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      /Repository 'acme\/nothing-here' does not exist .*create-repository: true.*aws ecr create-repository/,
    )
    expect(await tb.registry.catalog()).not.toContain('acme/nothing-here')
    expect(privateDirs(r)).toEqual([])
  })

  it('an account outside allowed-account-ids: fails before any ECR call', async () => {
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: { image, tags: 'wrong-account', 'allowed-account-ids': '111111111111' },
    })
    expect(r.code).toBe(1)
    expect(r.errors[0]).toMatch(/account 123456789012 .*not in 'allowed-account-ids' \(111111111111\)/)
    expect(tb.emulator.callsFor('ecr')).toEqual([])
  })

  it('AccessDenied from STS: one attempt, names the role, sub and aud and what to check', async () => {
    tb.emulator.clearCalls()
    tb.emulator.oidc.sub = 'repo:someone-else/widget:ref:refs/heads/main'
    try {
      const r = await tb.run({ inputs: { image, tags: 'denied' } })
      expect(r.code).toBe(1)
      expect(tb.emulator.callsFor('sts', 'AssumeRoleWithWebIdentity')).toHaveLength(1)
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
  it('without ecr:DescribeRepositories the push still works, with a warning that says what to grant', async () => {
    const lp = await startTestbed({
      permissions: pushPermissions('123456789012', 'acme/widget', { scanDiscovery: false }),
    })
    try {
      const r = await lp.run({ inputs: { image, tags: 'least' } })
      expect(r.code, r.log).toBe(0)
      expect(r.warnings.join('\n')).toMatch(/ecr:DescribeRepositories is not allowed/)
      expect(await lp.registry.manifestDigest('acme/widget', 'least')).toBe(r.outputs['image-digest'])
    } finally {
      await lp.close()
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
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/The registry refused .*acme\/widget:refused/)
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
    const r = await tb.run({ inputs: { image, tags: 'leak-check' }, debug: true })
    expect(r.code, r.log).toBe(0)
    expect(r.debug.length).toBeGreaterThan(0)

    const sessions = [...tb.emulator.state.credentials.values()].filter(
      (c) => c.sessionToken !== undefined && !before.has(c.accessKeyId),
    )
    expect(sessions).toHaveLength(1)
    const secrets = [
      tb.registry.password,
      Buffer.from(`AWS:${tb.registry.password}`).toString('base64'),
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
