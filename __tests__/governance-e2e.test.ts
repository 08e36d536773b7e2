// Repository governance end to end: the bundled action run as the GitHub runner runs it, against the
// AWS emulator, the real Docker engine and the real registry.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDocker } from './testbed/docker.ts'
import { pushPermissions, type Statement } from './testbed/emulator/index.ts'
import { cleanup } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const ACCOUNT = '123456789012'
const permissions: Statement[] = [
  ...pushPermissions(ACCOUNT, 'acme/*', { scanDiscovery: true, governance: true }),
  {
    effect: 'Allow',
    action: ['ecr:TagResource', 'ecr:StartLifecyclePolicyPreview', 'ecr:GetLifecyclePolicyPreview'],
    resource: `arn:aws:ecr:*:${ACCOUNT}:repository/acme/*`,
  },
]

let tb: Testbed
let image: string
let workspace: string

beforeAll(async () => {
  await ensureDocker()
  tb = await startTestbed({ permissions })
  image = await tb.image({ files: { 'app.txt': 'governance\n' } })
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-e2e-ws-'))
  fs.copyFileSync(
    path.join(import.meta.dirname, '..', 'examples', 'lifecycle', 'keep-last-per-prefix.json'),
    path.join(workspace, 'ecr-lifecycle.json'),
  )
})

afterAll(async () => {
  await tb?.close()
  cleanup()
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true })
})

describe('create-repository', () => {
  it('creates a missing repository with scan-on-push and the workflow tag, then pushes', async () => {
    const repository = 'acme/created'
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: { image, repository, 'create-repository': 'true', 'image-tag-mutability': 'IMMUTABLE' },
    })
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    const repo = tb.emulator.state.repositories.find((x) => x.name === repository)
    expect(repo).toMatchObject({
      scanOnPush: true,
      imageTagMutability: 'IMMUTABLE',
      encryption: { encryptionType: 'AES256' },
    })
    expect(repo?.tags.find((t) => t.Key === 'created-by')?.Value).toBe('acme/widget/ci')
    expect(await tb.registry.tags(repository)).toEqual(['t1'])
    // CreateRepository came before the push's verification (BatchGetImage).
    const ops = tb.emulator.callsFor('ecr').map((c) => c.operation)
    expect(ops.indexOf('CreateRepository')).toBeGreaterThan(ops.indexOf('DescribeRepositories'))
    expect(ops.indexOf('CreateRepository')).toBeLessThan(ops.indexOf('BatchGetImage'))
    expect(r.summary).toContain('### Repository governance')
    expect(r.summary).toContain('- Repository: `acme/created`, created by this run')
    expect(r.summary).toContain('- Scan on push: on\n')
    expect(r.summary).toContain('- Tag mutability: IMMUTABLE\n')
  })

  it('two jobs creating the same repository at once both succeed', async () => {
    const repository = 'acme/raced'
    tb.emulator.state.ext.governance = { createBarrier: 2 }
    tb.emulator.clearCalls()
    try {
      const [a, b] = await Promise.all([
        tb.run({ inputs: { image, repository, tags: 'ta', 'create-repository': 'true' } }),
        tb.run({ inputs: { image, repository, tags: 'tb', 'create-repository': 'true' } }),
      ])
      expect([a.code, b.code], a.log + b.log).toEqual([0, 0])
      expect([...a.errors, ...b.errors]).toEqual([])
      const creates = tb.emulator.callsFor('ecr', 'CreateRepository')
      expect(creates.map((c) => c.errorCode ?? 'ok').sort()).toEqual([
        'RepositoryAlreadyExistsException',
        'ok',
      ])
      expect(tb.emulator.state.repositories.filter((x) => x.name === repository)).toHaveLength(1)
      expect(
        [a.summary, b.summary].filter((s) => s.includes('created by another job at the same time')),
      ).toHaveLength(1)
      expect((await tb.registry.tags(repository)).sort()).toEqual(['ta', 'tb'])
    } finally {
      tb.emulator.state.ext.governance = {}
    }
  })

  it('without the flag: one line with both ways out, and nothing pushed', async () => {
    const r = await tb.run({ inputs: { image, repository: 'acme/absent' } })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      "Repository 'acme/absent' does not exist in registry 123456789012 (us-east-1). Set 'create-repository: true', or create it: aws ecr create-repository --repository-name acme/absent --image-scanning-configuration scanOnPush=true --region us-east-1",
    ])
    expect(await tb.registry.tags('acme/absent')).toEqual([])
  })
})

describe('lifecycle-policy', () => {
  it('an invalid policy fails before any network call, naming rule and field', async () => {
    fs.writeFileSync(
      path.join(workspace, 'bad.json'),
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 3 },
            action: { type: 'expire' },
          },
        ],
      }),
    )
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: { image, 'lifecycle-policy': 'bad.json' },
      env: { GITHUB_WORKSPACE: workspace },
    })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      `Invalid input 'lifecycle-policy' (bad.json): rule 1 (rulePriority 1), field 'selection.tagStatus': "tagged" needs "tagPrefixList" or "tagPatternList" (which tags the rule selects), e.g. "tagPrefixList": ["release-"].`,
    ])
    expect(tb.emulator.calls).toEqual([])
  })

  it('applies the policy with a preview, and leaves it alone on the next run', async () => {
    tb.emulator.clearCalls()
    const first = await tb.run({
      inputs: { image, tags: 'main-1\nlatest', 'lifecycle-policy': 'ecr-lifecycle.json' },
      env: { GITHUB_WORKSPACE: workspace },
    })
    expect(first.errors, first.log).toEqual([])
    expect(first.code, first.log).toBe(0)
    expect(tb.emulator.callsFor('ecr', 'PutLifecyclePolicy')).toHaveLength(1)
    expect(first.summary).toContain(
      '- Lifecycle policy: applied from `ecr-lifecycle.json` (the repository had none)\n',
    )
    expect(first.summary).toContain('**Lifecycle preview:** nothing would expire now')
    expect(first.summary).toContain(
      '| 10 | Keep the last 20 images of the main branch (tags main-\\*) | 0 | – |',
    )
    expect(first.summary).toContain('- Enhanced scanning covers it: no (registry scanning is BASIC)\n')
    // The same answer as an output: the repository's own scan-on-push flag, no extra call.
    expect(first.outputs['scan-coverage']).toBe(
      tb.emulator.state.repositories.find((x) => x.name === 'acme/widget')?.scanOnPush
        ? 'BASIC_SCAN_ON_PUSH'
        : 'BASIC_MANUAL',
    )
    expect(tb.emulator.callsFor('ecr', 'BatchGetRepositoryScanningConfiguration')).toHaveLength(0)
    // `latest` in a MUTABLE repository: warned; `main-1` is not commit-like either.
    expect(first.warnings.join('\n')).toMatch(
      /Tags 'main-1', 'latest' in acme\/widget are mutable \(MUTABLE\)/,
    )

    tb.emulator.clearCalls()
    const second = await tb.run({
      inputs: { image, tags: 'main-2', 'lifecycle-policy': 'ecr-lifecycle.json' },
      env: { GITHUB_WORKSPACE: workspace },
    })
    expect(second.code, second.log).toBe(0)
    expect(tb.emulator.callsFor('ecr', 'GetLifecyclePolicy')).toHaveLength(1)
    expect(tb.emulator.callsFor('ecr', 'PutLifecyclePolicy')).toHaveLength(0)
    expect(second.summary).toContain(
      '- Lifecycle policy: unchanged: the repository already has `ecr-lifecycle.json`\n',
    )
    expect(tb.emulator.internalErrors).toEqual([])
  })
})
