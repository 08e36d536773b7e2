// The audit end to end: the bundled action (ACTION_DIST or dist/) run as the runner runs it, against
// the emulator and the real registry, on an image with a planted fake AWS key.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, removeImage } from './testbed/docker.ts'
import { cleanup } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'
import { CRAFTED, EXPECTED_TREE, FAKE_KEY } from './fixtures/audit/crafted-image.ts'
import { dockerArchive, readTree } from './fixtures/audit/craft.ts'

/** stdout with the mask registrations taken out: the key must appear nowhere else. */
const outsideMasks = (stdout: string): string =>
  stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')

describe('audit end to end', () => {
  let tb: Testbed
  const crafted = `ecr-sc-test/audit-crafted:${process.pid}`
  beforeAll(async () => {
    tb = await startTestbed()
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'audit-e2e-'))
    try {
      fs.writeFileSync(path.join(dir, 'image.tar'), await dockerArchive(CRAFTED, crafted))
      await docker(['load', '-i', path.join(dir, 'image.tar')])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
  afterAll(async () => {
    await removeImage(crafted)
    await tb?.close()
  })

  it('fail-on-secrets: the step fails after the push, names the digest, and never prints the key', async () => {
    const image = await tb.image({
      env: { AWS_ACCESS_KEY_ID: FAKE_KEY, LANG: 'C.UTF-8', APP_MODE: 'fast' },
      labels: { 'org.opencontainers.image.source': 'https://github.com/acme/widget' },
      user: '1000',
      expose: [8080],
    })
    const r = await tb.run({ inputs: { image, audit: 'true', 'fail-on-secrets': 'true' } })
    try {
      expect(r.code).toBe(1)
      const digest = r.outputs['image-digest'] as string
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(r.masks).toContain(FAKE_KEY)
      // Registered before it could appear in any other line, and then never in clear.
      expect(r.stdout.indexOf(`::add-mask::${FAKE_KEY}`)).toBeGreaterThanOrEqual(0)
      expect(outsideMasks(r.stdout)).not.toContain(FAKE_KEY)
      expect(r.stderr).not.toContain(FAKE_KEY)
      expect(r.summary).not.toContain(FAKE_KEY)
      const failure = r.errors.find((e) => e.includes('ALREADY PUSHED'))
      expect(failure).toContain(
        `aws ecr batch-delete-image --repository-name acme/widget --image-ids imageDigest=${digest}`,
      )
      expect(r.outputs['secrets-found']).toBe('1')
      expect(Number(r.outputs['layer-count'])).toBe(1)
      // Size as ECR stores it: the pushed manifest's compressed layers + config.
      const res = await fetch(`${tb.backend.url}/v2/acme/widget/manifests/${digest}`, {
        headers: {
          authorization: tb.backend.authorization,
          accept: 'application/vnd.docker.distribution.manifest.v2+json',
        },
      })
      const manifest = (await res.json()) as { config: { size: number }; layers: { size: number }[] }
      const expected = manifest.layers.reduce((s, l) => s + l.size, manifest.config.size)
      expect(r.outputs['image-size']).toBe(String(expected))
      expect(tb.emulator.callsFor('ecr', 'BatchGetImage').length).toBeGreaterThan(0)
      const auditFile = r.outputs['audit-file'] as string
      const text = fs.readFileSync(auditFile, 'utf8')
      expect(text).not.toContain(FAKE_KEY)
      const audit = JSON.parse(text) as {
        image: { size: number; digest: string }
        secrets: { redacted: string; where: string[] }[]
        config: {
          user: string
          env: { name: string; value?: string; masked: boolean }[]
          exposedPorts: string[]
        }
      }
      expect(audit.image.digest).toBe(digest)
      expect(audit.image.size).toBe(Number(r.outputs['image-size']))
      expect(audit.secrets).toEqual([
        expect.objectContaining({
          redacted: 'AKIA…(20 chars)',
          where: ['history #2 (ENV)', 'env AWS_ACCESS_KEY_ID'],
        }),
      ])
      expect(audit.config.env).toEqual([
        {
          name: 'PATH',
          value: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          masked: false,
        },
        { name: 'AWS_ACCESS_KEY_ID', masked: true },
        { name: 'LANG', value: 'C.UTF-8', masked: false },
        { name: 'APP_MODE', masked: true },
      ])
      expect(audit.config.exposedPorts).toEqual(['8080/tcp'])
      expect(r.summary).toContain('### Image audit')
      expect(r.summary).toContain('<summary>Recovered Dockerfile</summary>')
      // A skipped gate does not read as a step that passed: the audit's failure is right under it.
      expect(r.summary).toMatch(/^### ⏭️ Scan gate skipped/)
      const also = r.summary.indexOf('❌ **What else fails the step:**\n\n- The audit found 1 credential')
      expect(also).toBeGreaterThan(0)
      expect(also).toBeLessThan(r.summary.indexOf('### Pushed'))
      expect(r.summary).toContain(
        '❌ **1 credential found** in the history, env or labels (fail-on-secrets: the step fails)',
      )
    } finally {
      cleanup(r)
    }
  })

  it('fail-on-secrets false + export-filesystem: passes, warns, exports the merged filesystem', async () => {
    const r = await tb.run({
      inputs: {
        image: crafted,
        tags: 't2',
        audit: 'true',
        'fail-on-secrets': 'false',
        'export-filesystem': 'rootfs',
      },
    })
    try {
      expect(r.errors).toEqual([])
      expect(r.code).toBe(0)
      expect(outsideMasks(r.stdout)).not.toContain(FAKE_KEY)
      expect(r.warnings.some((w) => w.includes('ALREADY PUSHED'))).toBe(true)
      expect(r.warnings.some((w) => w.includes('Missing OCI labels'))).toBe(true)
      expect(r.outputs['layer-count']).toBe('3')
      expect(r.outputs['secrets-found']).toBe('1')
      const { tree, hardlinks } = readTree(path.join(r.dirs.workspace, 'rootfs'))
      expect(tree).toEqual(EXPECTED_TREE)
      expect(hardlinks).toEqual(expect.arrayContaining([['app/a.txt', 'app/b.txt']]))
      const audit = JSON.parse(fs.readFileSync(r.outputs['audit-file'] as string, 'utf8')) as {
        layers: { index: number; size: number; instruction: string }[]
        history: { emptyLayer: boolean }[]
        export: { refusedCount: number; whiteouts: number }
        config: { user: string; runsAsRoot: boolean }
      }
      expect(audit.history.map((h) => h.emptyLayer)).toEqual([false, true, false, false, true])
      expect(audit.layers.map((l) => l.instruction.split(' ')[0])).toEqual(['COPY', 'RUN', 'RUN'])
      expect(audit.layers.every((l) => l.size > 0)).toBe(true)
      expect(audit.export).toMatchObject({ refusedCount: 0, whiteouts: 2 })
      expect(audit.config).toMatchObject({ user: '1000', runsAsRoot: false })
    } finally {
      cleanup(r)
    }
  })
})
