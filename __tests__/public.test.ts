// src/public.ts against the test bed's ECR Public, through the real ecr-public SDK client
// (endpoint from AWS_ENDPOINT_URL_ECR_PUBLIC, as the action gets it): the registry URI from
// DescribeRegistries, the missing registry and repository, DescribeImages' check of every tag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createEcrPublicClient,
  publicAuthorization,
  publicRegistry,
  publicRepository,
  verifyPublicPush,
} from '../src/public.ts'
import { publicPushPermissions } from './testbed/emulator/index.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { docker } from './testbed/docker.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

let tb: Testbed
const ACCOUNT = '123456789012'
const OTHER = '210987654321'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/public-unit`
const LONELY = `arn:aws:iam::${OTHER}:role/no-public-registry`
let digests: Record<string, string>

beforeAll(async () => {
  tb = await startTestbed()
  process.env.AWS_ENDPOINT_URL_ECR_PUBLIC = tb.emulator.env.AWS_ENDPOINT_URL_ECR_PUBLIC
  tb.emulator.createPublicRegistry({ alias: 'unit-oss' })
  tb.emulator.createPublicRepository({ name: 'tools/cli' })
  tb.emulator.addRole({ arn: ROLE, permissions: publicPushPermissions(ACCOUNT, '*') })
  tb.emulator.addRole({ arn: LONELY, permissions: publicPushPermissions(OTHER, '*') })
  // Two images under two tags, pushed with the real docker through the public registry's token flow.
  const client = await createEcrPublicClient(await assumeRole(tb.emulator, ROLE))
  const { password } = await publicAuthorization(client, () => undefined)
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-public-unit-'))
  digests = {}
  try {
    const run = (args: string[], input?: string) =>
      docker(args, { env: { DOCKER_CONFIG: config }, ...(input ? { input } : {}) })
    await run(['login', '--username', 'AWS', '--password-stdin', tb.emulator.publicRegistryHost()], password)
    for (const tag of ['a', 'b']) {
      const local = await tb.image({ files: { 'tag.txt': tag } })
      const ref = `${tb.emulator.publicRegistryHost()}/unit-oss/tools/cli:${tag}`
      await run(['tag', local, ref])
      const pushed = await run(['push', ref])
      digests[tag] = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1] ?? ''
      await run(['image', 'rm', ref])
    }
  } finally {
    fs.rmSync(config, { recursive: true, force: true })
    client.destroy()
  }
})
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_ECR_PUBLIC
  await tb?.close()
})

const clientOf = async (arn: string) => createEcrPublicClient(await assumeRole(tb.emulator, arn))

describe('public.ts', () => {
  it('the registry URI, host and alias, from DescribeRegistries', async () => {
    const client = await clientOf(ROLE)
    expect(await publicRegistry(client)).toEqual({
      uri: `${tb.emulator.publicRegistryHost()}/unit-oss`,
      host: tb.emulator.publicRegistryHost(),
      registryId: ACCOUNT,
    })
  })

  it('an account without a public registry: says how to get one', async () => {
    await expect(publicRegistry(await clientOf(LONELY))).rejects.toThrow(/has no ECR Public registry/)
  })

  it('the token is masked (whole and its password) before it is returned', async () => {
    const masked: string[] = []
    const auth = await publicAuthorization(await clientOf(ROLE), (s) => masked.push(s))
    expect(auth.username).toBe('AWS')
    expect(masked).toEqual([Buffer.from(`AWS:${auth.password}`).toString('base64'), auth.password])
  })

  it('a missing repository: the create command', async () => {
    await expect(publicRepository(await clientOf(ROLE), 'tools/none')).rejects.toThrow(
      'aws ecr-public create-repository --region us-east-1 --repository-name tools/none',
    )
    expect((await publicRepository(await clientOf(ROLE), 'tools/cli'))?.repositoryName).toBe('tools/cli')
  })

  it('DescribeImages: every tag must name the pushed digest', async () => {
    const client = await clientOf(ROLE)
    expect(
      await verifyPublicPush(client, { repository: 'tools/cli', tags: ['a'] }, digests.a ?? ''),
    ).toBeGreaterThan(0)
    await expect(
      verifyPublicPush(client, { repository: 'tools/cli', tags: ['a', 'b'] }, digests.a ?? ''),
    ).rejects.toThrow(
      `ECR Public does not show the pushed digest ${digests.a ?? ''} for 'b' (${digests.b ?? ''})`,
    )
    await expect(
      verifyPublicPush(client, { repository: 'tools/cli', tags: ['gone'] }, digests.a ?? ''),
    ).rejects.toThrow(/does not hold the image just pushed/)
  })
})
