// The real Docker engine of the test bed: offline FROM scratch builds, and a push to the real registry.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildImage, docker, ensureDocker, imageExists, imageId, removeImage } from './testbed/docker.ts'
import { startRegistry, type Registry } from './testbed/registry.ts'

const suffix = `${process.pid}-${Date.now()}`
const tag = `ecr-sc-testbed/docker:${suffix}`

describe('docker test bed', () => {
  let reg: Registry
  let config: string
  const refs: string[] = [tag]

  beforeAll(async () => {
    await ensureDocker()
    reg = await startRegistry()
    config = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-docker-login-'))
  })
  afterAll(async () => {
    for (const ref of refs) await removeImage(ref)
    await reg?.stop()
    if (config !== undefined) fs.rmSync(config, { recursive: true, force: true })
  })

  it('ensureDocker reports the engine version', async () => {
    expect(await ensureDocker()).toMatch(/^\d+\.\d+/)
  })

  it('builds a FROM scratch image with files, env, labels and config', async () => {
    const built = await buildImage({
      tag,
      files: { 'app/hello.txt': 'hello\n', '/etc/widget.bin': Buffer.from([0, 1, 2, 255]) },
      env: { GREETING: 'hi "there" $HOME \\o/', EMPTY: '' },
      labels: { 'org.opencontainers.image.title': 'widget', 'acme.team': 'supply chain' },
      user: '1000:1000',
      workdir: '/app',
      entrypoint: ['/app/run'],
      cmd: ['--serve'],
      expose: [8080],
    })
    expect(built.tag).toBe(tag)
    expect(built.id).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await imageExists(tag)).toBe(true)
    expect(await imageId(tag)).toBe(built.id)
    const inspect = JSON.parse((await docker(['image', 'inspect', tag])).stdout) as Array<{
      Config: {
        Env: string[]
        Labels: Record<string, string>
        User: string
        WorkingDir: string
        Entrypoint: string[]
        Cmd: string[]
        ExposedPorts: Record<string, unknown>
      }
      RootFS: { Layers: string[] }
    }>
    const cfg = inspect[0]?.Config
    expect(cfg?.Env).toEqual(expect.arrayContaining(['GREETING=hi "there" $HOME \\o/', 'EMPTY=']))
    expect(cfg?.Labels).toEqual({ 'org.opencontainers.image.title': 'widget', 'acme.team': 'supply chain' })
    expect(cfg?.User).toBe('1000:1000')
    expect(cfg?.WorkingDir).toBe('/app')
    expect(cfg?.Entrypoint).toEqual(['/app/run'])
    expect(cfg?.Cmd).toEqual(['--serve'])
    expect(Object.keys(cfg?.ExposedPorts ?? {})).toEqual(['8080/tcp'])
    expect(inspect[0]?.RootFS.Layers).toHaveLength(1)
    // The files are in the layer: export the image and look.
    const saved = (await docker(['image', 'save', tag])).stdout
    expect(saved).toContain('app/hello.txt')
    expect(saved).toContain('etc/widget.bin')
    expect(saved).toContain('hello\n')
  })

  it('rejects values the Dockerfile cannot hold', async () => {
    await expect(buildImage({ tag: `${tag}-bad`, files: {}, env: { A: 'x\ny' } })).rejects.toThrow(/newlines/)
  })

  it('tags, logs in (password on stdin) and pushes to the registry; the digest matches', async () => {
    const remote = `${reg.host}/acme/widget:${suffix}`
    refs.push(remote)
    await docker(['tag', tag, remote])
    const env = { DOCKER_CONFIG: config }
    const login = await docker(['login', '--username', reg.username, '--password-stdin', reg.host], {
      input: reg.password,
      env,
    })
    expect(login.stdout).toContain('Login Succeeded')
    const saved = JSON.parse(fs.readFileSync(path.join(config, 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>
    }
    expect(Object.keys(saved.auths)).toContain(reg.host)
    const push = await docker(['push', remote], { env })
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1]
    expect(digest, push.stdout).toBeDefined()
    expect(await reg.tags('acme/widget')).toEqual([suffix])
    expect(await reg.manifestDigest('acme/widget', suffix)).toBe(digest)
    const repoDigests = (await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', remote]))
      .stdout
    expect(repoDigests).toContain(`${reg.host}/acme/widget@${digest}`)
  })

  it('a push without login is refused', async () => {
    const remote = `${reg.host}/acme/other:${suffix}`
    refs.push(remote)
    await docker(['tag', tag, remote])
    const push = await docker(['push', remote], { allowFailure: true })
    expect(push.code).not.toBe(0)
    expect(push.stderr).toMatch(/no basic auth credentials|unauthorized/i)
  })

  it('removeImage tolerates a missing image', async () => {
    await removeImage(`ecr-sc-testbed/none:${suffix}`)
    expect(await imageExists(`ecr-sc-testbed/none:${suffix}`)).toBe(false)
  })
})
