// registry-type: public end to end (issue 14, point 3): the bundled action run as the runner runs
// it, against the test bed's ECR Public (ecr-public API reached through AWS_ENDPOINT_URL_ECR_PUBLIC,
// its registry at public.ecr.test behind the front, with ECR Public's bearer-token flow), the real
// docker and the real registry.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publicPushPermissions } from './testbed/emulator/index.ts'
import { runPost } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'
import { expectNoCredentialFile, expectNoSecretOutsideMasks } from './leaks.ts'

let tb: Testbed
let image: string
const ACCOUNT = '123456789012'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/github-ecr-public-push`

beforeAll(async () => {
  tb = await startTestbed()
  tb.emulator.createPublicRegistry({ alias: 'acme-oss' })
  tb.emulator.createPublicRepository({ name: 'acme/widget' })
  tb.emulator.addRole({
    arn: ROLE,
    trust: { sub: 'repo:acme/widget:*' },
    permissions: publicPushPermissions(ACCOUNT, 'acme/*'),
  })
  image = await tb.image()
})
afterAll(async () => {
  await tb?.close()
})

const publicInputs = (over: Record<string, string> = {}) => ({
  image,
  'role-to-assume': ROLE,
  'registry-type': 'public',
  // Any region: ECR Public's API is in us-east-1 whatever aws-region says.
  'aws-region': 'eu-west-1',
  ...over,
})

describe('registry-type: public', () => {
  it('pushes to <registryUri>/<repository> from DescribeRegistries; the gate is skipped with a note', async () => {
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: publicInputs({ tags: 'v1,latest', 'wait-for-scan': 'true', audit: 'true' }),
      debug: true,
    })
    expect(r.code, r.log).toBe(0)
    const uri = `${tb.emulator.publicRegistryHost()}/acme-oss`
    const digest = await tb.backend.manifestDigest(`public/${ACCOUNT}/acme/widget`, 'v1')
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await tb.backend.tags(`public/${ACCOUNT}/acme/widget`)).toEqual(['latest', 'v1'])
    expect(r.outputs).toMatchObject({
      registry: uri,
      'repository-uri': `${uri}/acme/widget`,
      'image-uri': `${uri}/acme/widget:v1`,
      'image-digest': digest,
      'image-ref': `${uri}/acme/widget@${digest}`,
      tags: 'v1,latest',
      'aws-account-id': ACCOUNT,
      gate: 'skipped',
      'scan-status': 'SKIPPED',
      'scan-type': 'NONE',
      'scan-coverage': 'NONE',
    })
    expect(Number(r.outputs['image-size'])).toBeGreaterThan(0)
    expect(r.notices.join('\n')).toContain('ECR Public does not scan images')
    // The verdict slot first, as for every run: skipped, and why.
    expect(r.summary.split('\n')[0]).toBe('### ⏭️ Scan gate skipped (ECR Public does not scan)')
    expect(r.summary).toContain('ECR Public does not scan images')
    // ECR Public only: no call to ECR's API, the registry front's public host only.
    expect(tb.emulator.callsFor('ecr')).toEqual([])
    const ops = tb.emulator.callsFor('ecr-public').map((c) => `${c.operation} ${c.status} ${c.region}`)
    expect(ops.sort()).toEqual([
      'DescribeImages 200 us-east-1',
      'DescribeRegistries 200 us-east-1',
      'DescribeRepositories 200 us-east-1',
      'GetAuthorizationToken 200 us-east-1',
    ])
    const registry = tb.emulator.callsFor('registry')
    expect(registry.some((c) => c.operation === 'PutImage' && c.status === 201)).toBe(true)
    expect(registry.every((c) => c.region === 'us-east-1')).toBe(true)
    // The token was masked the moment it existed; no file holds it once the step is over.
    expectNoSecretOutsideMasks(r)
    expectNoCredentialFile(r)
    // docker logged in to the public host in a private config, gone before the step ended.
    expect(r.state['private-config']).toMatch(/ecr-supply-chain-docker-/)
    expect(fs.existsSync(r.state['private-config'] ?? '/nonexistent')).toBe(false)
    expect(r.state['logout-registry']).toBeUndefined()
  })

  it("keep-login: true logs in to the user's docker config, to the public host; the post step logs out", async () => {
    const r = await tb.run({ inputs: publicInputs({ tags: 'kept', 'keep-login': 'true' }) })
    expect(r.code, r.log).toBe(0)
    const host = tb.emulator.publicRegistryHost()
    const auths = (): Record<string, unknown> => {
      const file = path.join(r.dirs.home, '.docker', 'config.json')
      if (!fs.existsSync(file)) return {}
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {}
    }
    expect(Object.keys(auths())).toEqual([host])
    expect(r.state['logout-registry']).toBe(host)
    const post = await runPost(r)
    expect(post.code, post.log).toBe(0)
    expect(post.warnings).toEqual([])
    expect(auths()[host]).toBeUndefined()
  })

  it('a repository that does not exist: the error says how to create it, nothing is pushed', async () => {
    const r = await tb.run({ inputs: publicInputs({ repository: 'acme/nowhere', tags: 'x' }) })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringContaining(
        "Public repository 'acme/nowhere' does not exist in the account's ECR Public registry. Create it: aws ecr-public create-repository --region us-east-1 --repository-name acme/nowhere",
      ),
    ])
    expect(await tb.backend.tags(`public/${ACCOUNT}/acme/nowhere`)).toEqual([])
  })

  it('without sts:GetServiceBearerToken: the token is refused and the error names both actions', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/github-ecr-public-no-bearer`
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: publicPushPermissions(ACCOUNT, 'acme/*').map((s) => ({
        ...s,
        action: (Array.isArray(s.action) ? s.action : [s.action]).filter(
          (a) => a !== 'sts:GetServiceBearerToken',
        ),
      })),
    })
    const r = await tb.run({ inputs: publicInputs({ 'role-to-assume': arn, tags: 'no-bearer' }) })
    expect(r.code).toBe(1)
    expect(r.errors.join('\n')).toMatch(
      /ecr-public:GetAuthorizationToken \(with sts:GetServiceBearerToken\) was denied/,
    )
    expect(await tb.backend.tags(`public/${ACCOUNT}/acme/widget`)).not.toContain('no-bearer')
  })

  it('governance inputs that do not apply fail before any call', async () => {
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: publicInputs({
        'lifecycle-policy': 'policy.json',
        'registry-scanning': 'continuous',
        tags: 'never',
      }),
    })
    expect(r.code).toBe(1)
    expect(r.errors.map((e) => /^Invalid input '([a-z-]+)'/.exec(e)?.[1])).toEqual([
      'lifecycle-policy',
      'registry-scanning',
    ])
    expect(tb.emulator.calls).toEqual([])
  })
})
