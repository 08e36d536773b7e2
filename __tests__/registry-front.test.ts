// The emulator's ECR registry front on its own: raw distribution-API requests and the real docker
// CLI against it, the real registry behind it. What ECR answers (tokens, IAM per request, error
// bodies, one host per account, create on push, upload rules), not what our action expects.
import { createHash } from 'node:crypto'
import {
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDocker } from './testbed/docker.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { MIN_PART_BYTES, pushPermissions } from './testbed/emulator/index.ts'
import { startTestbed, type RegistryToken, type Testbed } from './testbed/testbed.ts'

const ACCOUNT = '123456789012'
const OTHER = '210987654321'
let tb: Testbed
let token: RegistryToken

beforeAll(async () => {
  await ensureDocker()
  tb = await startTestbed({
    permissions: pushPermissions(ACCOUNT, 'acme/*', { governance: true }),
    otherAccounts: [OTHER],
  })
  token = await tb.registryToken()
})

afterAll(async () => {
  expect(tb?.emulator.internalErrors ?? []).toEqual([])
  await tb?.close()
})

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** A request to the front for `account`'s registry. */
async function front(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string; account?: string } = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const host = tb.emulator.registryHost(init.account ?? ACCOUNT)
  const res = await fetch(`http://${host}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: token.authorization, ...(init.headers ?? {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

const errorBody = (code: string, message: string): string =>
  `${JSON.stringify({ errors: [{ code, message }] })}\n`

describe('hosts', () => {
  it('one host per account, on one free loopback port: the proxyEndpoint names the caller account', () => {
    const port = tb.emulator.registryFront?.port
    expect(tb.registry.host).toBe(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com:${port}`)
    expect(tb.registryFor(OTHER).host).toBe(`${OTHER}.dkr.ecr.us-east-1.amazonaws.com:${port}`)
    expect(token.proxyEndpoint).toBe(`http://${tb.registry.host}`)
  })

  it('a host that is not an ECR registry name is refused', async () => {
    const res = await fetch(`http://127.0.0.1:${tb.emulator.registryFront?.port}/v2/`, {
      headers: { authorization: token.authorization },
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/is not a registry host of this emulator/)
  })
})

describe('authentication', () => {
  it('no credentials: 401 Not Authorized with the Basic challenge ECR sends', async () => {
    const res = await fetch(`http://${tb.registry.host}/v2/`)
    expect(res.status).toBe(401)
    expect(await res.text()).toBe('Not Authorized\n')
    expect(res.headers.get('www-authenticate')).toBe(
      `Basic realm="https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"`,
    )
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
  })

  it('a password ECR never issued, or another user than AWS: 400', async () => {
    const forged = `Basic ${Buffer.from('AWS:not-a-token').toString('base64')}`
    expect((await front('/v2/', { headers: { authorization: forged } })).status).toBe(400)
    const user = `Basic ${Buffer.from(`root:${token.password}`).toString('base64')}`
    expect((await front('/v2/', { headers: { authorization: user } })).status).toBe(400)
    expect((await front('/v2/')).status).toBe(200)
  })

  it("a token opens the region's registries of every account (IAM decides what it may do there)", async () => {
    expect((await front('/v2/', { account: OTHER })).status).toBe(200)
    const r = await front('/v2/acme/widget/tags/list', { account: OTHER })
    expect(r.status).toBe(403)
    expect(r.text).toMatch(
      /ecr:ListImages on resource: arn:aws:ecr:us-east-1:210987654321:repository\/acme\/widget/,
    )
  })

  it('an expired token: 403 DENIED "Your authorization token has expired"', async () => {
    const mine = await tb.registryToken()
    const record = tb.emulator.state.registryTokens.get(mine.password)
    if (!record) throw new Error('token not recorded')
    record.expiresAt = new Date(Date.now() - 1000)
    const r = await front('/v2/', { headers: { authorization: mine.authorization } })
    expect(r.status).toBe(403)
    expect(r.text).toBe(
      errorBody('DENIED', 'Your authorization token has expired. Reauthenticate and try again.'),
    )
  })

  it('tokens differ per call and per principal; each maps to who asked', async () => {
    const again = await tb.registryToken()
    expect(again.password).not.toBe(token.password)
    expect(token.password.length).toBeGreaterThanOrEqual(1024)
    tb.emulator.addRole({
      arn: `arn:aws:iam::${ACCOUNT}:role/someone-else`,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
    })
    const other = await tb.registryToken({ roleArn: `arn:aws:iam::${ACCOUNT}:role/someone-else` })
    expect(tb.emulator.state.registryTokens.get(other.password)?.principal.arn).toMatch(
      /assumed-role\/someone-else\//,
    )
    tb.emulator.clearCalls()
    const r = await front('/v2/acme/widget/tags/list', { headers: { authorization: other.authorization } })
    expect(r.status).toBe(403)
    expect(tb.emulator.callsFor('registry', 'ListImages')[0]?.principalArn).toMatch(
      /assumed-role\/someone-else\//,
    )
  })
})

describe('authorisation and errors, in ECR words', () => {
  it('DENIED names the principal, the ECR action and the repository ARN', async () => {
    const r = await front('/v2/other/thing/manifests/latest')
    expect(r.status).toBe(403)
    const principal = tb.emulator.state.registryTokens.get(token.password)?.principal.arn ?? ''
    expect(r.text).toBe(
      errorBody(
        'DENIED',
        `User: ${principal} is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other/thing because no identity-based policy allows the ecr:BatchGetImage action`,
      ),
    )
  })

  it('NAME_UNKNOWN for a repository the registry does not have', async () => {
    const r = await front('/v2/acme/nowhere/manifests/latest')
    expect(r.status).toBe(404)
    expect(r.text).toBe(
      errorBody(
        'NAME_UNKNOWN',
        `The repository with name 'acme/nowhere' does not exist in the registry with id '${ACCOUNT}'`,
      ),
    )
  })

  it('_catalog lists the repositories of that account only', async () => {
    tb.emulator.createRepository({ name: 'acme/catalogued' })
    tb.emulator.createRepository({ name: 'acme/theirs', account: OTHER })
    tb.emulator.state.roles.get(tb.roleArn)?.permissions.push({
      action: 'ecr:DescribeRepositories',
      resource: `arn:aws:ecr:*:${ACCOUNT}:repository/*`,
    })
    const r = await front('/v2/_catalog')
    expect(r.status).toBe(200)
    const names = (JSON.parse(r.text) as { repositories: string[] }).repositories
    expect(names).toContain('acme/catalogued')
    expect(names).not.toContain('acme/theirs')
  })
})

describe('uploads', () => {
  const start = async (repo = 'acme/widget'): Promise<string> => {
    const r = await front(`/v2/${repo}/blobs/uploads/`, { method: 'POST' })
    expect(r.status).toBe(202)
    const location = r.headers.get('location') ?? ''
    expect(location).toMatch(new RegExp(`^/v2/${repo}/blobs/uploads/[0-9a-f-]{36}$`))
    expect(r.headers.get('docker-upload-uuid')).toBe(location.split('/').pop())
    return location
  }

  it('parts of 5 MiB and a smaller last one, then the digest: stored; a part answers 201 with its Range', async () => {
    const blob = Buffer.concat([Buffer.alloc(MIN_PART_BYTES, 1), Buffer.from('tail')])
    const location = await start()
    const first = await front(location, { method: 'PATCH', body: blob.subarray(0, MIN_PART_BYTES) })
    expect(first.status).toBe(201)
    expect(first.headers.get('range')).toBe(`0-${MIN_PART_BYTES - 1}`)
    const done = await front(`${location}?digest=${sha256(blob)}`, {
      method: 'PUT',
      body: blob.subarray(MIN_PART_BYTES),
    })
    expect(done.status).toBe(201)
    expect(done.headers.get('docker-content-digest')).toBe(sha256(blob))
    expect(done.headers.get('location')).toBe(`/v2/acme/widget/blobs/${sha256(blob)}`)
    const head = await front(`/v2/acme/widget/blobs/${sha256(blob)}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
  })

  it('a part under 5 MiB that is not the last: the upload is refused at completion, nothing stored', async () => {
    const blob = Buffer.from('a'.repeat(1000) + 'b'.repeat(1000))
    const location = await start()
    expect((await front(location, { method: 'PATCH', body: blob.subarray(0, 1000) })).status).toBe(201)
    expect((await front(location, { method: 'PATCH', body: blob.subarray(1000) })).status).toBe(201)
    const done = await front(`${location}?digest=${sha256(blob)}`, { method: 'PUT' })
    expect(done.status).toBe(400)
    expect(JSON.parse(done.text)).toEqual({
      errors: [
        {
          code: 'BLOB_UPLOAD_INVALID',
          message: expect.stringMatching(
            /part 1 has 1000 bytes: every part but the last must be at least 5242880 bytes/,
          ),
        },
      ],
    })
    expect((await front(`/v2/acme/widget/blobs/${sha256(blob)}`, { method: 'HEAD' })).status).toBe(404)
  })

  it('a digest that does not match the bytes: DIGEST_INVALID, nothing stored', async () => {
    const location = await start()
    await front(location, { method: 'PATCH', body: 'what was sent' })
    const claimed = sha256('something else')
    const done = await front(`${location}?digest=${claimed}`, { method: 'PUT' })
    expect(done.status).toBe(400)
    expect(done.text).toMatch(/"code":"DIGEST_INVALID".*does not match the digest specified/)
    expect((await front(`/v2/acme/widget/blobs/${sha256('what was sent')}`, { method: 'HEAD' })).status).toBe(
      404,
    )
    expect((await front(`/v2/acme/widget/blobs/${claimed}`, { method: 'HEAD' })).status).toBe(404)
  })

  it('a Content-Range that does not continue the upload: 416', async () => {
    const location = await start()
    await front(location, { method: 'PATCH', body: 'abc' })
    const r = await front(location, { method: 'PATCH', body: 'def', headers: { 'content-range': '10-12' } })
    expect(r.status).toBe(416)
    const ok = await front(location, { method: 'PATCH', body: 'def', headers: { 'content-range': '3-5' } })
    expect(ok.status).toBe(201)
    expect(ok.headers.get('range')).toBe('0-5')
  })

  it("docker's own upload of a layer over 5 MiB (one streamed part) passes the rules, byte for byte", async () => {
    const payload = Buffer.alloc(MIN_PART_BYTES + 512 * 1024)
    for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32BE((i * 2654435761) >>> 0, i)
    const image = await tb.image({ files: { 'big.bin': payload } })
    const login = await tb.login()
    const target = `${tb.registry.host}/acme/widget:big`
    await login.docker(['tag', image, target])
    tb.emulator.clearCalls()
    const pushed = await login.docker(['push', target])
    await login.docker(['image', 'rm', target])
    expect(pushed.code, pushed.stderr).toBe(0)
    const parts = tb.emulator.callsFor('registry', 'UploadLayerPart')
    expect(parts.length).toBeGreaterThan(0)
    expect(tb.emulator.callsFor('registry', 'CompleteLayerUpload').every((c) => c.status === 201)).toBe(true)
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed.stdout)?.[1]
    expect(await tb.registry.manifestDigest('acme/widget', 'big')).toBe(digest)
  })

  it('a cross-repository mount is not done: a fresh upload starts instead', async () => {
    const r = await front(`/v2/acme/widget/blobs/uploads/?mount=${sha256('x')}&from=acme/other`, {
      method: 'POST',
    })
    expect(r.status).toBe(202)
    expect(r.headers.get('location')).toMatch(/^\/v2\/acme\/widget\/blobs\/uploads\//)
  })
})

describe('tag immutability', () => {
  const putConfig = async (repo: string): Promise<{ digest: string; size: number }> => {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    )
    const location =
      (await front(`/v2/${repo}/blobs/uploads/`, { method: 'POST' })).headers.get('location') ?? ''
    const done = await front(`${location}?digest=${sha256(config)}`, { method: 'PUT', body: config })
    expect(done.status).toBe(201)
    return { digest: sha256(config), size: config.length }
  }
  const manifest = (config: { digest: string; size: number }): string =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [],
    })
  const put = (repo: string, tag: string, body: string): ReturnType<typeof front> =>
    front(`/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    })

  it('IMMUTABLE: the same tag again is TAG_INVALID, even with the very same manifest; a digest PUT is fine', async () => {
    tb.emulator.createRepository({ name: 'acme/immutable-raw', imageTagMutability: 'IMMUTABLE' })
    const body = manifest(await putConfig('acme/immutable-raw'))
    expect((await put('acme/immutable-raw', 'v1', body)).status).toBe(201)
    const again = await put('acme/immutable-raw', 'v1', body)
    expect(again.status).toBe(400)
    expect(again.text).toBe(
      errorBody(
        'TAG_INVALID',
        "The image tag 'v1' already exists in the 'acme/immutable-raw' repository and cannot be overwritten because the tag is immutable.",
      ),
    )
    expect((await put('acme/immutable-raw', sha256(body), body)).status).toBe(201)
    expect((await put('acme/immutable-raw', 'v2', body)).status).toBe(201)
  })
})

describe('create on push', () => {
  const ecr = async (): Promise<ECRClient> =>
    new ECRClient({
      region: 'us-east-1',
      endpoint: tb.emulator.env.AWS_ENDPOINT_URL_ECR,
      credentials: await assumeRole(tb.emulator, tb.roleArn),
      maxAttempts: 1,
    })
  const policy = JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 7,
        },
        action: { type: 'expire' },
      },
    ],
  })

  beforeAll(() => {
    tb.emulator.addCreationTemplate({
      prefix: 'acme/team',
      appliedFor: ['CREATE_ON_PUSH'],
      description: 'team repositories',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/team` },
      resourceTags: [{ Key: 'team', Value: 'platform' }],
      lifecyclePolicy: policy,
      customRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecr-template`,
    })
    tb.emulator.addCreationTemplate({ prefix: 'acme/replicas', appliedFor: ['REPLICATION'] })
  })

  it('DescribeRepositoryCreationTemplates shows them, by prefix', async () => {
    tb.emulator.state.roles
      .get(tb.roleArn)
      ?.permissions.push({ action: 'ecr:DescribeRepositoryCreationTemplates', resource: '*' })
    const client = await ecr()
    const all = await client.send(new DescribeRepositoryCreationTemplatesCommand({}))
    expect(all.registryId).toBe(ACCOUNT)
    expect(all.repositoryCreationTemplates?.map((t) => t.prefix)).toEqual(['acme/replicas', 'acme/team'])
    const one = await client.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['acme/team'] }))
    expect(one.repositoryCreationTemplates?.[0]).toMatchObject({
      prefix: 'acme/team',
      appliedFor: ['CREATE_ON_PUSH'],
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      lifecyclePolicy: policy,
    })
    client.destroy()
  })

  it('a push to a missing repository under the prefix creates it with the template settings', async () => {
    const image = await tb.image({ files: { 'app.txt': 'created on push\n' } })
    const login = await tb.login()
    const target = `${tb.registry.host}/acme/team/api:v1`
    await login.docker(['tag', image, target])
    const pushed = await login.docker(['push', target])
    await login.docker(['image', 'rm', target])
    expect(pushed.code, pushed.stderr).toBe(0)
    expect(await tb.registry.tags('acme/team/api')).toEqual(['v1'])
    const client = await ecr()
    const repo = (await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['acme/team/api'] })))
      .repositories?.[0]
    expect(repo).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/team` },
    })
    const lifecycle = await client.send(new GetLifecyclePolicyCommand({ repositoryName: 'acme/team/api' }))
    expect(lifecycle.lifecyclePolicyText).toBe(policy)
    client.destroy()
    expect(tb.emulator.state.repositories.find((r) => r.name === 'acme/team/api')?.tags).toEqual([
      { Key: 'team', Value: 'platform' },
    ])
  })

  it('the pusher needs ecr:CreateRepository: without it, DENIED for that action, nothing created', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/push-no-create`
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: pushPermissions(ACCOUNT, 'acme/*'),
    })
    const mine = await tb.registryToken({ roleArn: arn })
    const r = await front('/v2/acme/team/web/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: mine.authorization },
    })
    expect(r.status).toBe(403)
    expect(r.text).toMatch(
      /is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:123456789012:repository\/acme\/team\/web/,
    )
    expect(tb.emulator.state.repositories.some((x) => x.name === 'acme/team/web')).toBe(false)
  })

  it('a missing repository no CREATE_ON_PUSH template covers: NAME_UNKNOWN, nothing created', async () => {
    for (const name of ['acme/replicas/x', 'acme/teamless']) {
      const r = await front(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
      expect(r.status).toBe(404)
      expect(r.text).toMatch(/"code":"NAME_UNKNOWN"/)
      expect(tb.emulator.state.repositories.some((x) => x.name === name)).toBe(false)
    }
  })
})

describe('across accounts', () => {
  it("docker pushes to another account's host with the same login; each registry keeps its own", async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/two-accounts`
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: [...pushPermissions(ACCOUNT, 'acme/*'), ...pushPermissions(OTHER, 'acme/*').slice(1)],
    })
    tb.emulator.createRepository({
      name: 'acme/both',
      account: OTHER,
      policy: [{ principal: ACCOUNT, action: 'ecr:*' }],
    })
    tb.emulator.createRepository({ name: 'acme/both' })
    const image = await tb.image({ files: { 'app.txt': 'two accounts\n' } })
    const login = await tb.login({ roleArn: arn, accounts: [ACCOUNT, OTHER] })
    const theirs = `${tb.registryFor(OTHER).host}/acme/both:x`
    await login.docker(['tag', image, theirs])
    const pushed = await login.docker(['push', theirs])
    await login.docker(['image', 'rm', theirs])
    expect(pushed.code, pushed.stderr).toBe(0)
    expect(await tb.registryFor(OTHER).tags('acme/both')).toEqual(['x'])
    expect(await tb.registry.tags('acme/both')).toEqual([])
  })
})

describe('faults and the request log', () => {
  it('every request is logged as the ECR action it was authorised as; injected errors come back as registry errors', async () => {
    tb.emulator.state.roles
      .get(tb.roleArn)
      ?.permissions.push({ action: 'ecr:ListImages', resource: `arn:aws:ecr:*:${ACCOUNT}:repository/acme/*` })
    tb.emulator.clearCalls()
    tb.emulator.inject({
      service: 'registry',
      operation: 'ListImages',
      fault: { kind: 'error', status: 503, code: 'UNAVAILABLE', message: 'try later' },
    })
    const r = await front('/v2/acme/widget/tags/list')
    expect(r.status).toBe(503)
    expect(r.text).toBe(errorBody('UNAVAILABLE', 'try later'))
    expect((await front('/v2/acme/widget/tags/list')).status).toBe(200)
    expect(tb.emulator.callsFor('registry').map((c) => [c.operation, c.status, c.injected ?? ''])).toEqual([
      ['ListImages', 503, 'error'],
      ['ListImages', 200, ''],
    ])
  })

  it('hang: the connection is accepted and never answered', async () => {
    tb.emulator.inject({ service: 'registry', operation: 'Ping', fault: { kind: 'hang' } })
    const started = Date.now()
    const err = await fetch(`http://${tb.registry.host}/v2/`, { signal: AbortSignal.timeout(700) }).catch(
      (e: unknown) => e,
    )
    expect((err as Error).name).toBe('TimeoutError')
    expect(Date.now() - started).toBeGreaterThanOrEqual(650)
    expect((await front('/v2/')).status).toBe(200)
  })
})
