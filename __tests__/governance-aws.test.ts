// Repository governance over the real AWS SDK against the emulator (and the real registry for the
// lifecycle preview): create, concurrent create, policy unchanged / changed / rejected, preview.
import {
  DescribeImagesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createRepository,
  prepareGovernance,
  runGovernance,
  type GovernanceDeps,
  type GovernancePlan,
} from '../src/governance/index.ts'
import { InputError } from '../src/errors.ts'
import { parseInputs, type Inputs } from '../src/inputs.ts'
import type { CreatedRepository } from '../src/governance/aws.ts'
import type { PushResult } from '../src/push.ts'
import { Report } from '../src/report.ts'
import { publish, type StageContext, type StageResult } from '../src/stage.ts'
import { findRepository } from '../src/ecr.ts'
import { scanningConfiguration } from '../src/scanning.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { pushPermissions, startEmulator, type Emulator, type Statement } from './testbed/emulator/index.ts'
import { setImageState } from './testbed/emulator/ecr/governance.ts'
import { startRegistry, type Registry } from './testbed/registry.ts'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const ACCOUNT = '123456789012'
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const DAY = 86_400_000

const governanceExtras: Statement = {
  effect: 'Allow',
  action: ['ecr:TagResource', 'ecr:StartLifecyclePolicyPreview', 'ecr:GetLifecyclePolicyPreview'],
  resource: `arn:aws:ecr:*:${ACCOUNT}:repository/acme/*`,
}
const fullPermissions = [...pushPermissions(ACCOUNT, 'acme/*', { governance: true }), governanceExtras]

let registry: Registry
let emu: Emulator
let ws: string

async function client(permissions: Statement[] = fullPermissions): Promise<ECRClient> {
  const arn = `arn:aws:iam::${ACCOUNT}:role/r-${Math.random().toString(36).slice(2, 10)}`
  emu.addRole({ arn, permissions })
  return new ECRClient({
    region: 'us-east-1',
    endpoint: emu.env.AWS_ENDPOINT_URL_ECR,
    credentials: await assumeRole(emu, arn),
    maxAttempts: 1,
  })
}

function inputs(over: Record<string, string> = {}): Inputs {
  const raw: Record<string, string> = {
    'aws-region': 'us-east-1',
    image: 'widget:ci',
    repository: 'acme/widget',
    tags: 't1',
    ...over,
  }
  return parseInputs((n) => raw[n] ?? '', { GITHUB_WORKSPACE: ws })
}

/** Captures the workflow commands core writes to stdout (nests: restores what it replaced). */
function captureStdout(): { text: () => string; restore: () => void } {
  let out = ''
  const previous = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }) as typeof process.stdout.write
  return {
    text: () => out,
    restore: () => {
      process.stdout.write = previous
    },
  }
}

interface Ctx extends StageContext {
  deps: GovernanceDeps
  report: Report
  slept: number[]
}

/** Runs governance and writes its result as main does: annotations to stdout, its section into ctx.report. */
async function govern(ctx: Ctx, p: GovernancePlan): Promise<StageResult> {
  const r = await runGovernance(ctx, p, ctx.deps)
  publish(r, ctx.report)
  return r
}

function stage(
  ecr: ECRClient,
  repository: Repository | undefined,
  over: Partial<Inputs> = {},
  tags = ['t1'],
  origin: GovernanceDeps['origin'] = 'existing',
): Ctx {
  let now = 1_000_000
  const slept: number[] = []
  const i = { ...inputs(), ...over, tags }
  const pushed = {
    registryId: ACCOUNT,
    repository,
    tags,
    digest: 'sha256:' + 'a'.repeat(64),
    imageRef: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${i.repository}@sha256:${'a'.repeat(64)}`,
  } as unknown as PushResult
  const identity = { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s` }
  return {
    inputs: i,
    deps: {
      ecr,
      identity,
      pushed,
      origin,
      scanning: scanningConfiguration({
        ecr,
        registryId: ACCOUNT,
        account: ACCOUNT,
        region: 'us-east-1',
        repository: i.repository,
        repositoryScanOnPush: repository?.imageScanningConfiguration?.scanOnPush,
      }),
    },
    report: new Report(),
    env: { GITHUB_WORKSPACE: ws },
    clock: () => now,
    sleep: async (ms) => {
      slept.push(ms)
      now += ms
    },
    slept,
  }
}

async function plan(policy: unknown, file = 'lc.json'): Promise<GovernancePlan> {
  fs.writeFileSync(path.join(ws, file), typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2))
  const out = captureStdout()
  try {
    return await prepareGovernance({
      inputs: inputs({ 'lifecycle-policy': file }),
      env: { GITHUB_WORKSPACE: ws },
    })
  } finally {
    out.restore()
  }
}

const UNTAGGED_7 = {
  rulePriority: 1,
  description: 'untagged older than 7 days',
  selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
  action: { type: 'expire' },
}
const KEEP_1_PR = {
  rulePriority: 2,
  selection: { tagStatus: 'tagged', tagPrefixList: ['pr-'], countType: 'imageCountMoreThan', countNumber: 1 },
  action: { type: 'expire' },
}

beforeAll(async () => {
  registry = await startRegistry()
  emu = await startEmulator({ registry: { url: registry.url, username: 'AWS', password: registry.password } })
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-ws-'))
})

afterAll(async () => {
  await emu?.close()
  await registry?.stop()
  fs.rmSync(ws, { recursive: true, force: true })
})

beforeEach(() => {
  emu.state.ext.governance = { previewPolls: 1 }
})

afterEach(() => {
  expect(emu.internalErrors).toEqual([])
  emu.clearFaults()
})

let seq = 0
const freshName = (): string => `acme/gov-${++seq}`

describe('createRepository', () => {
  it('creates with scan-on-push, mutability, KMS encryption and the creating workflow as tags', async () => {
    const name = freshName()
    const ecr = await client()
    const out = captureStdout()
    let created: CreatedRepository
    try {
      created = await createRepository(
        inputs({
          repository: name,
          'image-tag-mutability': 'IMMUTABLE',
          encryption: 'KMS',
          'kms-key': 'alias/ecr-key',
        }),
        ecr,
        ACCOUNT,
        { GITHUB_REPOSITORY: 'acme/widget', GITHUB_WORKFLOW: 'Build and push', GITHUB_RUN_ID: '7' },
      )
    } finally {
      out.restore()
    }
    const repo = created.repository
    expect(created.origin).toBe('created')
    expect(repo).toMatchObject({
      repositoryName: name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr-key' },
    })
    const record = emu.state.repositories.find((r) => r.name === name)
    expect(record?.tags).toEqual([
      { Key: 'created-by', Value: 'acme/widget/Build and push' },
      { Key: 'created-by-run', Value: 'https://github.com/acme/widget/actions/runs/7' },
    ])
    expect(out.text()).toContain(
      `Created repository ${name} in registry ${ACCOUNT} (scan-on-push on, tags IMMUTABLE, encryption KMS alias/ecr-key)`,
    )

    // Reported as created by this run.
    const ctx = stage(ecr, repo, { repository: name, createRepository: true }, ['abc1234'], created.origin)
    await govern(ctx, {})
    expect(ctx.report.markdown()).toContain(`- Repository: \`${name}\`, created by this run`)
  })

  it('two jobs at once: both succeed, one finds it already created', async () => {
    const name = freshName()
    emu.state.ext.governance = { createBarrier: 2 }
    const [a, b] = [await client(), await client()]
    emu.clearCalls()
    const out = captureStdout()
    let repos: CreatedRepository[]
    try {
      repos = await Promise.all([
        createRepository(inputs({ repository: name }), a, ACCOUNT, {}),
        createRepository(inputs({ repository: name }), b, ACCOUNT, {}),
      ])
    } finally {
      out.restore()
    }
    expect(repos.map((r) => r.repository.repositoryName)).toEqual([name, name])
    const creates = emu.callsFor('ecr', 'CreateRepository')
    expect(creates.map((c) => c.errorCode ?? 'ok').sort()).toEqual(['RepositoryAlreadyExistsException', 'ok'])
    expect(emu.callsFor('ecr', 'DescribeRepositories')).toHaveLength(1)
    expect(emu.state.repositories.filter((r) => r.name === name)).toHaveLength(1)
    expect(out.text()).toContain(`Repository ${name} was created by another job meanwhile`)
    const quiet = captureStdout()
    const reports = await Promise.all(
      repos.map(async (r, i) => {
        const ctx = stage(
          i === 0 ? a : b,
          r.repository,
          { repository: name, createRepository: true },
          ['abc1234'],
          r.origin,
        )
        await govern(ctx, {})
        return ctx.report.markdown()
      }),
    ).finally(() => quiet.restore())
    expect(reports.filter((m) => m.includes('created by this run'))).toHaveLength(1)
    expect(reports.filter((m) => m.includes('created by another job at the same time'))).toHaveLength(1)
  })

  it('without ecr:TagResource: created without tags, with a warning', async () => {
    const name = freshName()
    const ecr = await client([
      ...pushPermissions(ACCOUNT, 'acme/*', { governance: true }),
      { effect: 'Deny', action: 'ecr:TagResource', resource: '*' },
    ])
    const out = captureStdout()
    try {
      await createRepository(inputs({ repository: name }), ecr, ACCOUNT, {
        GITHUB_REPOSITORY: 'a/b',
        GITHUB_WORKFLOW: 'w',
      })
    } finally {
      out.restore()
    }
    expect(emu.state.repositories.find((r) => r.name === name)?.tags).toEqual([])
    expect(out.text()).toMatch(
      /::warning::Created repository .* without the created-by tags: ecr:TagResource was denied/,
    )
  })

  it('without ecr:CreateRepository: one line naming the permission and the other way out', async () => {
    const name = freshName()
    const ecr = await client(pushPermissions(ACCOUNT, 'acme/*'))
    const err = await createRepository(inputs({ repository: name }), ecr, ACCOUNT, {}).then(
      () => new Error('created'),
      (e: unknown) => e as Error,
    )
    expect(err.message).toMatch(
      /^ecr:CreateRepository was denied: .*Grant ecr:CreateRepository \(and ecr:TagResource\) on arn:aws:ecr:us-east-1:123456789012:repository\/acme\/gov-\d+, or create the repository once outside the workflow and drop 'create-repository'\.$/,
    )
    expect(err.message).not.toContain('\n')
  })

  it('a KMS key ECR cannot use: says what to check', async () => {
    emu.state.ext.governance = { kmsKeys: ['alias/good'] }
    const ecr = await client()
    const err = await createRepository(
      inputs({ repository: freshName(), encryption: 'KMS', 'kms-key': 'alias/bad' }),
      ecr,
      ACCOUNT,
      {},
    ).then(
      () => new Error('created'),
      (e: unknown) => e as Error,
    )
    expect(err.message).toMatch(
      /^Could not create repository .* with KMS encryption: KMS key alias\/bad not found.*Check 'kms-key'/,
    )
  })
})

describe('prepareGovernance', () => {
  it('reads and validates the file before any network call', async () => {
    const p = await plan({ rules: [UNTAGGED_7] })
    expect(p.lifecyclePolicy?.file).toBe('lc.json')
    expect(p.lifecyclePolicy?.policy.rules).toHaveLength(1)
  })
  it('a missing file: one line naming the input', async () => {
    const err = await prepareGovernance({
      inputs: inputs({ 'lifecycle-policy': 'nope.json' }),
      env: { GITHUB_WORKSPACE: ws },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).problems).toEqual([
      `Invalid input 'lifecycle-policy': nope.json does not exist (looked in ${path.join(ws, 'nope.json')}). Expected the path of a lifecycle policy JSON in the workspace, e.g. .github/ecr-lifecycle.json; check out the repository first (actions/checkout).`,
    ])
  })
  it('an invalid policy: every problem, as InputError lines', async () => {
    const err = await plan({
      rules: [
        { ...UNTAGGED_7, rulePriority: 0 },
        { ...KEEP_1_PR, action: { type: 'delete' } },
      ],
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).problems).toEqual([
      "Invalid input 'lifecycle-policy' (lc.json): rule 1, field 'rulePriority': 0. Expected a whole number from 1 to 999.",
      `Invalid input 'lifecycle-policy' (lc.json): rule 2 (rulePriority 2), field 'action.type': "delete". Expected "expire" or "transition".`,
    ])
  })
})

describe('lifecycle policy as code', () => {
  it('applies a policy to a repository without one, then leaves it unchanged (no PutLifecyclePolicy)', async () => {
    const name = freshName()
    emu.createRepository({ name, scanOnPush: true })
    const ecr = await client()
    const p = await plan({ rules: [UNTAGGED_7, KEEP_1_PR] })

    emu.clearCalls()
    const first = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    let r1, r2
    try {
      r1 = await govern(first, p)
    } finally {
      out.restore()
    }
    expect(r1.failure).toBeUndefined()
    expect(emu.callsFor('ecr', 'PutLifecyclePolicy')).toHaveLength(1)
    const stored = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }))
    expect(stored.lifecyclePolicyText).toBe(p.lifecyclePolicy?.text)
    expect(first.report.markdown()).toContain(
      '- Lifecycle policy: applied from `lc.json` (the repository had none)\n',
    )
    expect(out.text()).toContain(`Applied lifecycle policy lc.json to ${name}`)

    // The same policy, written with other key order and whitespace: nothing is written.
    const same = await plan(
      `{"rules":[{"action":{"type":"expire"},"selection":{"countNumber":7,"countUnit":"days","countType":"sinceImagePushed","tagStatus":"untagged"},"description":"untagged older than 7 days","rulePriority":1},
        {"rulePriority":2,"action":{"type":"expire"},"selection":{"tagStatus":"tagged","tagPrefixList":["pr-"],"countType":"imageCountMoreThan","countNumber":1}}]}`,
    )
    emu.clearCalls()
    const second = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out2 = captureStdout()
    try {
      r2 = await govern(second, same)
    } finally {
      out2.restore()
    }
    expect(r2.failure).toBeUndefined()
    expect(emu.callsFor('ecr', 'GetLifecyclePolicy')).toHaveLength(1)
    expect(emu.callsFor('ecr', 'PutLifecyclePolicy')).toHaveLength(0)
    expect(second.report.markdown()).toContain(
      '- Lifecycle policy: unchanged: the repository already has `lc.json`\n',
    )
  })

  it('replaces a different policy', async () => {
    const name = freshName()
    emu.createRepository({ name })
    const ecr = await client()
    await ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: name,
        lifecyclePolicyText: JSON.stringify({ rules: [UNTAGGED_7] }),
      }),
    )
    const p = await plan({
      rules: [{ ...UNTAGGED_7, selection: { ...UNTAGGED_7.selection, countNumber: 14 } }],
    })
    emu.clearCalls()
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    try {
      expect((await govern(ctx, p)).failure).toBeUndefined()
    } finally {
      out.restore()
    }
    const puts = emu.callsFor('ecr', 'PutLifecyclePolicy')
    expect(puts).toHaveLength(1)
    expect(puts[0]?.input.lifecyclePolicyText).toBe(p.lifecyclePolicy?.text)
    expect(ctx.report.markdown()).toContain('applied from `lc.json` (replaced a different policy)')
  })

  it('ECR’s own rejection is reported plainly and fails the step', async () => {
    const name = freshName()
    emu.createRepository({ name })
    const ecr = await client()
    const p = await plan({ rules: [UNTAGGED_7] })
    const message =
      "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: instance failed to match exactly one schema (matched 0 out of 2)'"
    emu.inject({
      service: 'ecr',
      operation: 'PutLifecyclePolicy',
      fault: { kind: 'error', status: 400, code: 'InvalidParameterException', message },
    })
    emu.clearCalls()
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    let r
    try {
      r = await govern(ctx, p)
    } finally {
      out.restore()
    }
    expect(r?.failure).toEqual(
      `ECR rejected the lifecycle policy in lc.json: ${message}. Fix the file and re-run.`,
    )
    expect(ctx.report.markdown()).toContain('**not applied** (`lc.json`): ECR rejected it:')
    expect(emu.callsFor('ecr', 'StartLifecyclePolicyPreview')).toHaveLength(0)
  })

  it('the emulator rejects an invalid policy as ECR does (SDK error type and message)', async () => {
    const name = freshName()
    emu.createRepository({ name })
    const ecr = await client()
    const bad = JSON.stringify({
      rules: [{ ...KEEP_1_PR, selection: { ...KEEP_1_PR.selection, countUnit: 'days' } }],
    })
    const err = await ecr
      .send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: bad }))
      .catch((e: unknown) => e as Error)
    expect(err).toMatchObject({
      name: 'InvalidParameterException',
      message:
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: object instance has properties which are not allowed by the schema: [\"countUnit\"]'",
    })
  })

  it('PutLifecyclePolicy denied: the permission, as one line', async () => {
    const name = freshName()
    emu.createRepository({ name })
    const ecr = await client([
      ...pushPermissions(ACCOUNT, 'acme/*'),
      { effect: 'Allow', action: 'ecr:GetLifecyclePolicy', resource: '*' },
    ])
    const ctx = stage(ecr, undefined, { repository: name })
    const out = captureStdout()
    let r
    try {
      r = await govern(ctx, await plan({ rules: [UNTAGGED_7] }))
    } finally {
      out.restore()
    }
    expect(r?.failure).toMatch(
      /^ecr:PutLifecyclePolicy was denied: .* Grant the permission in the role's policy/,
    )
    // DescribeRepositories was not allowed in push: settings are unknown, not invented.
    expect(ctx.report.markdown()).toContain('- Tag mutability: unknown (ecr:DescribeRepositories denied)\n')
  })
})

// ---- the lifecycle preview over real images --------------------------------------------------------

const putBlob = (repo: string, data: string) => registry.putBlob(repo, data)

/** Puts a one-layer image under each tag; returns its digest. */
async function putImage(repo: string, tags: string[], content: string): Promise<string> {
  const config = await putBlob(
    repo,
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: [content] } }),
  )
  const layer = await putBlob(repo, `layer ${content}`)
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
  }
  let digest = ''
  for (const tag of tags) digest = await registry.putManifest(repo, tag, manifest, MANIFEST)
  return digest
}

describe('lifecycle preview', () => {
  let name: string
  let ecr: ECRClient
  const digests: Record<string, string> = {}

  beforeAll(async () => {
    name = freshName()
    emu.createRepository({ name })
    ecr = await client()
    // Images that will lose their tag (untagged later): seen by ECR while tagged, then re-tagged.
    digests.oldUntagged = await putImage(name, ['scratch'], 'old-untagged')
    await ecr.send(new DescribeImagesCommand({ repositoryName: name }))
    digests.newUntagged = await putImage(name, ['scratch'], 'new-untagged')
    await ecr.send(new DescribeImagesCommand({ repositoryName: name }))
    digests.scratch = await putImage(name, ['scratch'], 'scratch-now')
    digests.pr1 = await putImage(name, ['pr-1'], 'pr1')
    digests.pr2 = await putImage(name, ['pr-2', 'pr-2-rebuilt'], 'pr2')
    digests.pr3 = await putImage(name, ['pr-3'], 'pr3')
    digests.release = await putImage(name, ['v1.0.0'], 'release')
    await ecr.send(new DescribeImagesCommand({ repositoryName: name }))
    // imagePushedAt: the untagged one 30 days ago, the other 2 days ago; pr images in order 1 < 2 < 3.
    const at = (d: string, msAgo: number): void => {
      emu.state.imageFirstSeen.set(`${ACCOUNT}/${name}@${d}`, new Date(Date.now() - msAgo))
    }
    at(digests.oldUntagged, 30 * DAY)
    at(digests.newUntagged, 2 * DAY)
    at(digests.pr1, 3 * 3600_000)
    at(digests.pr2, 2 * 3600_000)
    at(digests.pr3, 1 * 3600_000)
  })

  it('shows how many images and which tags each rule would expire', async () => {
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: name }))
    expect(images.imageDetails?.filter((d) => !d.imageTags)).toHaveLength(2)

    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    try {
      expect((await govern(ctx, await plan({ rules: [UNTAGGED_7, KEEP_1_PR] }))).failure).toBeUndefined()
    } finally {
      out.restore()
    }
    // The first poll answered IN_PROGRESS: the injected sleep was used, not real time.
    expect(ctx.slept).toEqual([2000])
    const md = ctx.report.markdown()
    expect(md).toContain('**Lifecycle preview:** 3 images would expire now')
    expect(md).toContain('| 1 | untagged older than 7 days | 1 (1 untagged) | – |')
    expect(md).toContain(
      '| 2 | expire images tagged pr-\\* beyond the newest 1 | 2 | `pr-1`, `pr-2`, `pr-2-rebuilt` |',
    )
    expect(out.text()).toContain('Lifecycle preview: 3 image(s) would expire')
  })

  it('a rule of lower priority never expires what a higher rule selects', async () => {
    const keepReleases = {
      rulePriority: 1,
      selection: {
        tagStatus: 'tagged',
        tagPatternList: ['v*.*.*'],
        countType: 'imageCountMoreThan',
        countNumber: 5,
      },
      action: { type: 'expire' },
    }
    const anyOlderThanAnHour = {
      rulePriority: 9,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
      action: { type: 'expire' },
    }
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    try {
      await govern(ctx, await plan({ rules: [keepReleases, anyOlderThanAnHour] }))
    } finally {
      out.restore()
    }
    const md = ctx.report.markdown()
    // 7 images, the newest kept by rule 9, the release protected by rule 1: 5 expire.
    expect(md).toContain('**Lifecycle preview:** 5 images would expire now')
    expect(md).toMatch(/\| 1 \| .* \| 0 \| – \|/)
    expect(md).not.toContain('`v1.0.0`')
  })

  it('bounded wait: still in progress after the budget is a warning, not a failure', async () => {
    emu.state.ext.governance = { previewPolls: 1000 }
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    let r
    try {
      r = await govern(ctx, await plan({ rules: [UNTAGGED_7] }))
    } finally {
      out.restore()
      const rec = emu.state.repositories.find((x) => x.name === name)
      if (rec) delete rec.ext.lifecyclePreview
    }
    expect(r?.failure).toBeUndefined()
    expect(ctx.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000)
    expect(ctx.slept.length).toBeGreaterThan(10)
    expect(ctx.report.markdown()).toContain(
      '**Lifecycle preview:** unavailable: the preview was still in progress after 60 s',
    )
    expect(out.text()).toContain('::warning::Lifecycle preview of')
  })

  it('a FAILED preview, or one another job started, is reported as unavailable', async () => {
    emu.state.ext.governance = { previewPolls: 0, previewStatus: 'FAILED' }
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    try {
      expect((await govern(ctx, await plan({ rules: [UNTAGGED_7] }))).failure).toBeUndefined()
    } finally {
      out.restore()
    }
    expect(ctx.report.markdown()).toContain('unavailable: ECR reports the preview FAILED')
  })

  it('preview permissions missing: the policy is still applied, the preview says why not', async () => {
    const limited = await client([
      ...pushPermissions(ACCOUNT, 'acme/*', { governance: true }),
      {
        effect: 'Deny',
        action: ['ecr:StartLifecyclePolicyPreview', 'ecr:GetLifecyclePolicyPreview'],
        resource: '*',
      },
    ])
    const ctx = stage(limited, await findRepository(limited, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    try {
      expect((await govern(ctx, await plan({ rules: [KEEP_1_PR] }))).failure).toBeUndefined()
    } finally {
      out.restore()
    }
    expect(ctx.report.markdown()).toContain(
      'unavailable: ecr:StartLifecyclePolicyPreview / ecr:GetLifecyclePolicyPreview denied',
    )
  })
})

describe('lifecycle preview: archive, then expire from archive', () => {
  it('shows expiries and transitions per rule (examples/lifecycle/archive-then-expire.json)', async () => {
    const name = freshName()
    const repo = emu.createRepository({ name })
    const ecr = await client()
    const digests = {
      untagged: await putImage(name, ['gone'], 'untagged-old'),
      idle: await putImage(name, ['idle-1'], 'idle'),
      used: await putImage(name, ['used-1'], 'used'),
      archived: await putImage(name, ['archived-1'], 'archived'),
      archivedRecently: await putImage(name, ['archived-2'], 'archived-recently'),
    }
    await ecr.send(new DescribeImagesCommand({ repositoryName: name }))
    // 'gone' moves to a new image: the old one is untagged now (and old), the new one is new.
    const newer = await putImage(name, ['gone'], 'gone-now')
    const ago = (days: number): Date => new Date(Date.now() - days * DAY)
    for (const d of Object.values(digests)) emu.state.imageFirstSeen.set(`${ACCOUNT}/${name}@${d}`, ago(500))
    emu.state.imageFirstSeen.set(`${ACCOUNT}/${name}@${newer}`, ago(1))
    setImageState(repo, digests.idle, { lastPulledAt: ago(120) })
    setImageState(repo, digests.used, { lastPulledAt: ago(3) })
    setImageState(repo, digests.archived, { archivedAt: ago(400) })
    setImageState(repo, digests.archivedRecently, { archivedAt: ago(100) })

    const text = fs.readFileSync(
      path.join(import.meta.dirname, '..', 'examples', 'lifecycle', 'archive-then-expire.json'),
      'utf8',
    )
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name })
    const out = captureStdout()
    try {
      expect((await govern(ctx, await plan(text, 'archive.json'))).failure).toBeUndefined()
    } finally {
      out.restore()
    }
    const md = ctx.report.markdown()
    expect(md).toContain('**Lifecycle preview:** 2 images would expire now, 1 image would move to archive')
    expect(md).toContain('| Rule | What it does | Images | Tags |')
    expect(md).toContain(
      '| 1 | Expire untagged images 7 days after their push | 1 to expire (1 untagged) | – |',
    )
    expect(md).toContain('| 2 | Archive tagged images nobody pulled for 90 days | 1 to archive | `idle-1` |')
    expect(md).toContain(
      '| 3 | Expire archived images after a year in archive | 1 to expire | `archived-1` |',
    )
    expect(out.text()).toContain('Lifecycle preview: 2 image(s) would expire, 1 would move to archive')
  })
})

describe('settings report', () => {
  it('scanning configuration denied: "unknown", never a failure', async () => {
    const name = freshName()
    emu.createRepository({ name, scanOnPush: false })
    const ecr = await client(pushPermissions(ACCOUNT, 'acme/*', { governance: true, scanDiscovery: false }))
    const ctx = stage(
      ecr,
      await findRepository(ecr, name, ACCOUNT),
      { repository: name, createRepository: true },
      ['latest', 'abc1234'],
    )
    const out = captureStdout()
    try {
      expect((await govern(ctx, {})).failure).toBeUndefined()
    } finally {
      out.restore()
    }
    const md = ctx.report.markdown()
    expect(md).toContain(
      '- Enhanced scanning covers it: unknown (ecr:GetRegistryScanningConfiguration denied)\n',
    )
    expect(md).toContain('- Scan on push: **off**\n')
    expect(md).toContain('existing (settings reported, not changed)')
    expect(md).toContain('scan-on-push is off (a created repository has it on)')
    // The repository's setting decides, not the tags' form: in a MUTABLE repository both can move.
    expect(out.text()).toMatch(
      /::warning::Tags 'latest', 'abc1234' in acme\/gov-\d+ are mutable \(MUTABLE\): a later push can move them to another image/,
    )
    expect(out.text()).toMatch(/::notice::Repository acme\/gov-\d+ exists with other settings/)
    // Nothing was changed.
    expect(emu.state.repositories.find((r) => r.name === name)?.scanOnPush).toBe(false)
  })

  it('tags judged by the real setting and its exclusion filters', async () => {
    const name = freshName()
    emu.createRepository({
      name,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filter: 'latest', filterType: 'WILDCARD' }],
    })
    const ecr = await client()
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name }, ['main', 'latest'])
    const out = captureStdout()
    try {
      await govern(ctx, {})
    } finally {
      out.restore()
    }
    // 'main' looks like a moving tag but is immutable here; 'latest' is the exclusion.
    expect(out.text()).toMatch(
      /::warning::Tag 'latest' in acme\/gov-\d+ is mutable \(IMMUTABLE_WITH_EXCLUSION \(except `latest`\)\): a later push can move it/,
    )
    expect(out.text()).not.toContain("'main'")
    expect(ctx.report.markdown()).toContain('- Tag mutability: IMMUTABLE_WITH_EXCLUSION (except `latest`)\n')
  })

  it('the setting unreadable: guessed from the tags, and said so', async () => {
    const name = freshName()
    emu.createRepository({ name })
    const ecr = await client()
    const ctx = stage(ecr, undefined, { repository: name }, ['latest', 'abc1234'])
    const out = captureStdout()
    try {
      await govern(ctx, {})
    } finally {
      out.restore()
    }
    // No second warning (push.ts said the setting cannot be read); the summary gives the guess.
    expect(out.text()).not.toContain('::warning::')
    expect(ctx.report.markdown()).toContain(
      "> Tag `latest` looks like a tag that moves with every push (the repository's tag mutability is unknown)",
    )
    expect(ctx.report.markdown()).not.toContain('abc1234')
  })

  it('enhanced scanning that covers the repository', async () => {
    const name = freshName()
    emu.createRepository({ name, imageTagMutability: 'IMMUTABLE' })
    emu.registerOperation('GetRegistryScanningConfiguration', {
      handle: () => ({
        registryId: ACCOUNT,
        scanningConfiguration: {
          scanType: 'ENHANCED',
          rules: [
            {
              scanFrequency: 'CONTINUOUS_SCAN',
              repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
            },
          ],
        },
      }),
    })
    const ecr = await client()
    const ctx = stage(ecr, await findRepository(ecr, name, ACCOUNT), { repository: name }, ['latest'])
    const out = captureStdout()
    try {
      await govern(ctx, {})
    } finally {
      out.restore()
    }
    expect(ctx.report.markdown()).toContain(
      '- Enhanced scanning covers it: yes (CONTINUOUS_SCAN, filter `acme/*`)\n',
    )
    // IMMUTABLE: a pushed 'latest' cannot have been moved.
    expect(out.text()).not.toContain('::warning::')
  })
})
