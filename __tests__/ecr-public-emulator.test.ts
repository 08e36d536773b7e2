// The test bed's ECR Public (issue 14, point 3), driven by the real AWS SDK client for ecr-public
// over HTTP (AWS_ENDPOINT_URL_ECR_PUBLIC, as the SDK reads it) and by the real docker against the
// public registry host: the token flow, DescribeRegistries' registryUri, DescribeImages, IAM.
import {
  DescribeImagesCommand,
  DescribeRegistriesCommand,
  ECRPUBLICClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr-public'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publicPushPermissions } from './testbed/emulator/index.ts'
import { assumeRole, type SessionCredentials } from './testbed/emulator/helpers.ts'
import { docker } from './testbed/docker.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let image: string
const ACCOUNT = '123456789012'
const PUSHER = `arn:aws:iam::${ACCOUNT}:role/ecr-public-push`
const NO_BEARER = `arn:aws:iam::${ACCOUNT}:role/ecr-public-no-bearer`

beforeAll(async () => {
  tb = await startTestbed()
  tb.emulator.createPublicRegistry({ alias: 'acme-oss' })
  tb.emulator.createPublicRepository({ name: 'widget' })
  tb.emulator.addRole({ arn: PUSHER, permissions: publicPushPermissions(ACCOUNT, '*') })
  tb.emulator.addRole({
    arn: NO_BEARER,
    permissions: [{ action: ['ecr-public:GetAuthorizationToken'], resource: '*' }],
  })
  image = await tb.image()
})
afterAll(async () => {
  await tb?.close()
})

/** The SDK client as an action builds it: no endpoint in code, AWS_ENDPOINT_URL_ECR_PUBLIC names it. */
async function client(roleArn: string, region = 'us-east-1'): Promise<ECRPUBLICClient> {
  const credentials: SessionCredentials = await assumeRole(tb.emulator, roleArn)
  return new ECRPUBLICClient({ region, credentials, maxAttempts: 1 })
}

describe('ecr-public API', () => {
  it('GetAuthorizationToken: needs sts:GetServiceBearerToken too; a token otherwise, ECR Public-shaped', async () => {
    process.env.AWS_ENDPOINT_URL_ECR_PUBLIC = tb.emulator.env.AWS_ENDPOINT_URL_ECR_PUBLIC
    try {
      const denied = await client(NO_BEARER)
      await expect(denied.send(new GetAuthorizationTokenCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('sts:GetServiceBearerToken'),
      })
      const ok = await client(PUSHER)
      const out = await ok.send(new GetAuthorizationTokenCommand({}))
      const token = Buffer.from(out.authorizationData?.authorizationToken ?? '', 'base64').toString('utf8')
      expect(token).toMatch(/^AWS:.{100,}$/)
      expect(out.authorizationData?.expiresAt?.getTime()).toBeGreaterThan(Date.now())
      expect(tb.emulator.callsFor('ecr-public', 'GetAuthorizationToken').at(-1)?.status).toBe(200)
    } finally {
      delete process.env.AWS_ENDPOINT_URL_ECR_PUBLIC
    }
  })

  it('only in us-east-1: a call signed for another region is refused', async () => {
    process.env.AWS_ENDPOINT_URL_ECR_PUBLIC = tb.emulator.env.AWS_ENDPOINT_URL_ECR_PUBLIC
    try {
      const west = await client(PUSHER, 'us-west-2')
      await expect(west.send(new DescribeRegistriesCommand({}))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
      })
    } finally {
      delete process.env.AWS_ENDPOINT_URL_ECR_PUBLIC
    }
  })

  it('DescribeRegistries names the registry URI (host and alias); docker pushes there; DescribeImages lists it', async () => {
    process.env.AWS_ENDPOINT_URL_ECR_PUBLIC = tb.emulator.env.AWS_ENDPOINT_URL_ECR_PUBLIC
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-public-'))
    try {
      const c = await client(PUSHER)
      const registries = await c.send(new DescribeRegistriesCommand({}))
      const uri = registries.registries?.[0]?.registryUri
      expect(uri).toBe(`${tb.emulator.publicRegistryHost()}/acme-oss`)
      const out = await c.send(new GetAuthorizationTokenCommand({}))
      const password = Buffer.from(out.authorizationData?.authorizationToken ?? '', 'base64')
        .toString('utf8')
        .slice(4)
      const host = tb.emulator.publicRegistryHost()
      const run = (args: string[], input?: string) =>
        docker(args, { env: { DOCKER_CONFIG: config }, allowFailure: true, ...(input ? { input } : {}) })
      const target = `${uri ?? ''}/widget:emu`
      await run(['tag', image, target])
      const login = await run(['login', '--username', 'AWS', '--password-stdin', host], password)
      expect(login.code, login.stderr).toBe(0)
      const pushed = await run(['push', target])
      expect(pushed.code, pushed.stderr).toBe(0)
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1]
      expect(digest).toBeDefined()
      await run(['rmi', target])
      // Pushed where the alias says: the real registry holds it under the account's namespace.
      expect(await tb.backend.tags(`public/${ACCOUNT}/widget`)).toEqual(['emu'])
      const images = await c.send(
        new DescribeImagesCommand({ repositoryName: 'widget', imageIds: [{ imageTag: 'emu' }] }),
      )
      expect(images.imageDetails?.map((d) => [d.imageDigest, d.imageTags])).toEqual([[digest, ['emu']]])
      await expect(
        c.send(new DescribeImagesCommand({ repositoryName: 'widget', imageIds: [{ imageTag: 'nope' }] })),
      ).rejects.toMatchObject({ name: 'ImageNotFoundException' })
      // Anyone may pull a public image, without logging in.
      const anon = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-public-anon-'))
      try {
        const pull = await docker(['pull', target], { env: { DOCKER_CONFIG: anon }, allowFailure: true })
        expect(pull.code, pull.stderr).toBe(0)
        await docker(['rmi', target], { allowFailure: true })
      } finally {
        fs.rmSync(anon, { recursive: true, force: true })
      }
    } finally {
      delete process.env.AWS_ENDPOINT_URL_ECR_PUBLIC
      fs.rmSync(config, { recursive: true, force: true })
    }
  })

  it('a private ECR password opens no public registry', async () => {
    const { password } = await tb.registryToken()
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-public-'))
    try {
      const login = await docker(
        ['login', '--username', 'AWS', '--password-stdin', tb.emulator.publicRegistryHost()],
        {
          env: { DOCKER_CONFIG: config },
          allowFailure: true,
          input: password,
        },
      )
      expect(login.code).not.toBe(0)
    } finally {
      fs.rmSync(config, { recursive: true, force: true })
    }
  })
})
