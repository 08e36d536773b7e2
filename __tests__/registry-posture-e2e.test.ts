// Registry posture as code, end to end: the bundled action run as the runner runs it, real docker
// pushing through the emulator's registry front, the emulator holding the registry's scanning
// configuration (every write recorded) and answering the scan gate.
import {
  DescribeImageScanFindingsCommand,
  ECRClient,
  PutRegistryScanningConfigurationCommand,
} from '@aws-sdk/client-ecr'
import { GetConfigurationCommand, Inspector2Client } from '@aws-sdk/client-inspector2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ensureDocker } from './testbed/docker.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { pushPermissions, type Statement } from './testbed/emulator/index.ts'
import { registryScanningWrites, setReadBarrier } from './testbed/emulator/ecr/registry-scanning.ts'
import { setInspectorEcrConfiguration } from './testbed/emulator/inspector2.ts'
import {
  enhancedFinding,
  setRegistryScanning,
  setScanScenario,
  type RegistryScanning,
} from './testbed/emulator/ecr/scan.ts'
import { cleanup } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const ACCOUNT = '123456789012'
const permissions: Statement[] = [
  ...pushPermissions(ACCOUNT, 'acme/*', { scanDiscovery: true, governance: true, registryScanning: true }),
  { action: 'iam:CreateServiceLinkedRole', resource: '*' },
  { action: 'inspector2:GetConfiguration', resource: '*' },
]
const CRIT = enhancedFinding({ id: 'CVE-2024-0001', severity: 'CRITICAL', fixedIn: '3.0.9', score: 9.8 })

type Rule = RegistryScanning['rules'][number]
const rule = (scanFrequency: Rule['scanFrequency'], ...filters: string[]): Rule => ({
  scanFrequency,
  repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' as const })),
})
const stored = (): RegistryScanning | undefined =>
  (tb.emulator.state.ext.scan as { registry?: RegistryScanning } | undefined)?.registry

let tb: Testbed
let image: string

beforeAll(async () => {
  await ensureDocker()
  tb = await startTestbed({ permissions })
  image = await tb.image({ files: { 'app.txt': 'posture\n' } })
})

afterAll(async () => {
  await tb?.close()
  cleanup()
})

afterEach(() => {
  expect(tb.emulator.internalErrors).toEqual([])
})

let seq = 0
const fresh = (): string => tb.emulator.createRepository({ name: `acme/posture-${++seq}` }).name

describe('registry-scanning: continuous', () => {
  it('adds the filter before the push, keeps the other rule, and the gate waits with the new mode', async () => {
    const other = rule('SCAN_ON_PUSH', 'legacy/*', 'tools/ci')
    setRegistryScanning(tb.emulator, {
      scanType: 'ENHANCED',
      rules: [rule('CONTINUOUS_SCAN', 'prod/*'), other],
    })
    const repository = fresh()
    const repo = tb.emulator.state.repositories.find((r) => r.name === repository)
    if (repo) setScanScenario(repo, { enhancedFindings: [CRIT] })
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: {
        image,
        repository,
        'registry-scanning': 'continuous',
        'wait-for-scan': 'true',
        'scan-timeout-seconds': '90',
        'scan-settle-seconds': '2',
      },
    })
    // The CRITICAL finding fails the gate: it found the scan, in the mode the step had just set up.
    expect(r.outputs.gate, r.log).toBe('failed')
    expect(r.outputs['scan-type']).toBe('ENHANCED')
    expect(r.outputs['scan-status']).toBe('ACTIVE')
    expect(r.outputs['scan-coverage']).toBe('CONTINUOUS_SCAN')
    expect(JSON.stringify(stored()?.rules[1])).toBe(JSON.stringify(other))
    expect(stored()?.rules[0]?.repositoryFilters.map((f) => f.filter)).toEqual(['prod/*', repository])
    // Written (and read back) before docker pushed anything.
    const order = tb.emulator.calls.map((c) => `${c.service}:${c.operation}`)
    const put = order.indexOf('ecr:PutRegistryScanningConfiguration')
    expect(put).toBeGreaterThan(-1)
    expect(put).toBeLessThan(order.indexOf('registry:InitiateLayerUpload'))
    expect(order.filter((o) => o === 'ecr:GetRegistryScanningConfiguration')).toHaveLength(2)
    expect(r.notices.join('\n')).toContain(
      `Added filter '${repository}' to the registry's CONTINUOUS_SCAN rule: ENHANCED scanning now covers every repository the filter matches.`,
    )
    expect(r.summary).toContain(
      `**Registry scanning** (\`registry-scanning: continuous\`, filter \`${repository}\`): added to the CONTINUOUS_SCAN rule; written and read back.`,
    )
    expect(r.summary).toContain('| Before | ENHANCED | `prod/*` | `legacy/*`, `tools/ci` |')
    expect(r.summary).toContain(
      `| After | ENHANCED | \`prod/*\`, **\`${repository}\`** | \`legacy/*\`, \`tools/ci\` |`,
    )
    expect(r.summary).toContain(
      `- Enhanced scanning covers it: yes (CONTINUOUS_SCAN, filter \`${repository}\`)`,
    )

    // The second run: already covered, nothing written.
    tb.emulator.clearCalls()
    const again = await tb.run({ inputs: { image, repository, 'registry-scanning': 'continuous' } })
    expect(again.code, again.log).toBe(0)
    expect(tb.emulator.callsFor('ecr', 'PutRegistryScanningConfiguration')).toEqual([])
    expect(tb.emulator.callsFor('ecr', 'GetRegistryScanningConfiguration')).toHaveLength(1)
    expect(again.summary).toContain(
      `already covered by filter \`${repository}\` of the CONTINUOUS_SCAN rule; nothing written.`,
    )
    expect(again.outputs['scan-coverage']).toBe('CONTINUOUS_SCAN')
  })

  it("the seed's * filter: covered, no write", async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', '*')] })
    const r = await tb.run({
      inputs: {
        image,
        repository: fresh(),
        'registry-scanning': 'continuous',
        'registry-scanning-filter': '*',
      },
    })
    expect(r.code, r.log).toBe(0)
    expect(registryScanningWrites(tb.emulator)).toEqual([])
    expect(r.outputs['scan-coverage']).toBe('CONTINUOUS_SCAN')
  })

  it('two concurrent runs adding different filters both end covered', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'prod/*')] })
    const [api, web] = [fresh(), fresh()]
    setReadBarrier(tb.emulator, 2)
    const [a, b] = await Promise.all([
      tb.run({ inputs: { image, repository: api, tags: 'ta', 'registry-scanning': 'continuous' } }),
      tb.run({ inputs: { image, repository: web, tags: 'tb', 'registry-scanning': 'continuous' } }),
    ])
    expect([a.code, b.code], a.log + b.log).toEqual([0, 0])
    const filters = stored()?.rules[0]?.repositoryFilters.map((f) => f.filter)
    expect(filters?.slice(0, 1)).toEqual(['prod/*'])
    expect([...(filters ?? [])].sort()).toEqual([api, web, 'prod/*'].sort())
    expect([a.outputs['scan-coverage'], b.outputs['scan-coverage']]).toEqual([
      'CONTINUOUS_SCAN',
      'CONTINUOUS_SCAN',
    ])
    // One of them lost the first round and wrote again.
    expect(registryScanningWrites(tb.emulator)).toHaveLength(3)
    expect([a.summary, b.summary].filter((s) => s.includes('(2 writes: another job changed'))).toHaveLength(1)
  })

  it('ECR limits: a clear error before the push, nothing pushed, scan-coverage still set', async () => {
    const full = Array.from({ length: 100 }, (_, i) => `team${i}/*`)
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', ...full)] })
    const repository = fresh()
    const r = await tb.run({ inputs: { image, repository, 'registry-scanning': 'continuous' } })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      `Cannot add registry-scanning-filter '${repository}': the registry's CONTINUOUS_SCAN rule already has 100 filters, ECR's limit is 100. Use a broader registry-scanning-filter that covers several repositories (e.g. 'acme/*' or '*'), or remove filters that are no longer needed.`,
    ])
    expect(r.outputs['scan-coverage']).toBe('NONE')
    expect(await tb.registry.tags(repository)).toEqual([])
    expect(registryScanningWrites(tb.emulator)).toEqual([])
  })
})

describe('registry-scanning: on-push', () => {
  it('the rule is written before the push, so the push is scanned', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'prod/*')] })
    const repository = fresh()
    const repo = tb.emulator.state.repositories.find((x) => x.name === repository)
    if (repo) setScanScenario(repo, { enhancedFindings: [CRIT] })
    const r = await tb.run({
      inputs: {
        image,
        repository,
        'registry-scanning': 'on-push',
        'wait-for-scan': 'true',
        'scan-timeout-seconds': '90',
        'scan-settle-seconds': '2',
      },
    })
    expect(r.outputs.gate, r.log).toBe('failed')
    expect(r.outputs['scan-status']).toBe('COMPLETE')
    expect(r.outputs['findings-critical']).toBe('1')
    expect(r.outputs['scan-coverage']).toBe('SCAN_ON_PUSH')
    expect(stored()?.rules.map((x) => x.scanFrequency)).toEqual(['CONTINUOUS_SCAN', 'SCAN_ON_PUSH'])
  })

  it('(the emulator) an image pushed before its repository joined a scan-on-push rule is never scanned', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [] })
    const repository = fresh()
    const login = await tb.login()
    const target = `${tb.registry.host}/${repository}:late`
    await login.docker(['tag', image, target])
    expect((await login.docker(['push', target])).code).toBe(0)
    await login.docker(['image', 'rm', target])
    const ecr = new ECRClient({
      region: 'us-east-1',
      endpoint: tb.emulator.env.AWS_ENDPOINT_URL_ECR,
      credentials: await assumeRole(tb.emulator, tb.roleArn),
      maxAttempts: 1,
    })
    try {
      await ecr.send(
        new PutRegistryScanningConfigurationCommand({
          scanType: 'ENHANCED',
          rules: [rule('SCAN_ON_PUSH', repository)],
        }),
      )
      const err = await ecr
        .send(
          new DescribeImageScanFindingsCommand({ repositoryName: repository, imageId: { imageTag: 'late' } }),
        )
        .then(
          () => undefined,
          (e: Error) => e.name,
        )
      expect(err).toBe('ScanNotFoundException')
    } finally {
      ecr.destroy()
    }
  })
})

describe('a BASIC registry', () => {
  it('without registry-scanning-switch: reported and warned, unchanged', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'BASIC', rules: [rule('SCAN_ON_PUSH', '*')] })
    const repository = fresh()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, repository, 'registry-scanning': 'continuous' } })
    expect(r.code, r.log).toBe(0)
    expect(tb.emulator.callsFor('ecr', 'PutRegistryScanningConfiguration')).toEqual([])
    expect(stored()).toEqual({ scanType: 'BASIC', rules: [rule('SCAN_ON_PUSH', '*')] })
    expect(r.warnings.join('\n')).toContain(
      `The registry uses BASIC scanning: registry-scanning: continuous would switch it to ENHANCED (Amazon Inspector) and add filter '${repository}' to a new CONTINUOUS_SCAN rule.`,
    )
    expect(r.summary).toContain('**not changed**: the registry uses BASIC scanning')
    expect(r.summary).toContain(`| Would be | ENHANCED | **\`${repository}\`** | \`*\` |`)
    expect(r.outputs['scan-coverage']).toBe('BASIC_SCAN_ON_PUSH')
  })

  it('with registry-scanning-switch: true, switched to ENHANCED', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'BASIC', rules: [] })
    const repository = fresh()
    const r = await tb.run({
      inputs: { image, repository, 'registry-scanning': 'on-push', 'registry-scanning-switch': 'true' },
    })
    expect(r.code, r.log).toBe(0)
    expect(stored()).toEqual({ scanType: 'ENHANCED', rules: [rule('SCAN_ON_PUSH', repository)] })
    expect(r.outputs['scan-coverage']).toBe('SCAN_ON_PUSH')
    expect(r.summary).toContain('added to the SCAN_ON_PUSH rule, registry switched from BASIC to ENHANCED')
  })
})

describe('create on push (a repository creation template)', () => {
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
    setRegistryScanning(tb.emulator, { scanType: 'BASIC', rules: [] })
    tb.emulator.addCreationTemplate({
      prefix: 'acme/team',
      appliedFor: ['CREATE_ON_PUSH'],
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      lifecyclePolicy: policy,
    })
    tb.emulator.addCreationTemplate({ prefix: 'acme/mirror', appliedFor: ['PULL_THROUGH_CACHE'] })
  })

  it('missing, create-repository off, a CREATE_ON_PUSH template covers it: pushed, and said so', async () => {
    const repository = 'acme/team/api'
    const r = await tb.run({ inputs: { image, repository, tags: 'v1\nlatest' } })
    expect(r.errors, r.log).toEqual([])
    expect(r.code, r.log).toBe(0)
    expect((await tb.registry.tags(repository)).sort()).toEqual(['latest', 'v1'])
    expect(tb.emulator.state.repositories.find((x) => x.name === repository)).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ext: { createdFromTemplate: 'acme/team', lifecyclePolicy: { text: policy } },
    })
    expect(r.log).toContain(
      'Repository acme/team/api does not exist: ECR creates it on push from creation template acme/team',
    )
    expect(r.summary).toContain(
      '- Repository: `acme/team/api`, created by ECR from template `acme/team` (create on push): tag mutability IMMUTABLE_WITH_EXCLUSION (except `latest`), encryption AES256 (S3-managed keys), the lifecycle policy of the template, 0 resource tags, scan-on-push off (the registry scanning rules decide)\n',
    )
    // The settings as ECR created them, read after the push.
    expect(r.summary).toContain('- Tag mutability: IMMUTABLE_WITH_EXCLUSION (except `latest`)\n')
    expect(r.outputs['image-ref']).toMatch(/acme\/team\/api@sha256:/)
  })

  it('no template covers it: the error as without templates, nothing pushed', async () => {
    const r = await tb.run({ inputs: { image, repository: 'acme/mirror/x' } })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      "Repository 'acme/mirror/x' does not exist in registry 123456789012 (us-east-1). Set 'create-repository: true', or create it: aws ecr create-repository --repository-name acme/mirror/x --image-scanning-configuration scanOnPush=true --region us-east-1",
    ])
    expect(await tb.registry.tags('acme/mirror/x')).toEqual([])
  })

  it('templates not readable: the error says so', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/no-templates`
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: [
        ...pushPermissions(ACCOUNT, 'acme/*', { scanDiscovery: true }),
        { action: 'ecr:DescribeRepositories', resource: `arn:aws:ecr:*:${ACCOUNT}:repository/acme/*` },
      ],
    })
    const r = await tb.run({ inputs: { image, repository: 'acme/team/web', 'role-to-assume': arn } })
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      /^Repository 'acme\/team\/web' does not exist in registry 123456789012 \(us-east-1\)\. .*\. Whether a repository creation template would create it on push could not be checked: ecr:DescribeRepositoryCreationTemplates was denied \(User: .* is not authorized to perform: ecr:DescribeRepositoryCreationTemplates on resource: \* .*\); grant it on "\*" to push to repositories that ECR creates from a CREATE_ON_PUSH template\.$/,
    )
    expect(await tb.registry.tags('acme/team/web')).toEqual([])
  })
})

describe('tag mutability with exclusions', () => {
  it('created with the exclusions; an immutable tag is refused while an excluded tag moves', async () => {
    const repository = 'acme/exclusions'
    const inputs = {
      repository,
      'create-repository': 'true',
      'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
      'image-tag-mutability-exclusions': 'latest\ndev-*',
    }
    const first = await tb.run({ inputs: { ...inputs, image, tags: 'v1\nlatest' } })
    expect(first.code, first.log).toBe(0)
    expect(tb.emulator.state.repositories.find((x) => x.name === repository)).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [
        { filter: 'latest', filterType: 'WILDCARD' },
        { filter: 'dev-*', filterType: 'WILDCARD' },
      ],
    })
    expect(first.summary).toContain('- Tag mutability: IMMUTABLE_WITH_EXCLUSION (except `latest`, `dev-*`)\n')
    // The warning goes by the repository's setting: only the excluded tag can move.
    expect(first.warnings.join('\n')).toContain(
      `Tag 'latest' in ${repository} is mutable (IMMUTABLE_WITH_EXCLUSION (except \`latest\`, \`dev-*\`)): a later push can move it`,
    )
    expect(first.warnings.join('\n')).not.toContain("'v1'")
    const v1 = await tb.registry.manifestDigest(repository, 'v1')

    const other = await tb.image({ files: { 'app.txt': 'another build\n' } })
    const refused = await tb.run({ inputs: { ...inputs, image: other, tags: 'v1' } })
    expect(refused.code).toBe(1)
    expect(refused.errors.join('\n')).toContain(`has immutable tags`)
    expect(await tb.registry.manifestDigest(repository, 'v1')).toBe(v1)

    const moved = await tb.run({ inputs: { ...inputs, image: other, tags: 'latest' } })
    expect(moved.code, moved.log).toBe(0)
    expect(await tb.registry.manifestDigest(repository, 'latest')).toBe(moved.outputs['image-digest'])
    expect(moved.outputs['image-digest']).not.toBe(v1)
  })
})

describe("Amazon Inspector's re-scan duration", () => {
  it('(the emulator) GetConfiguration over rest-json, checked against the model and IAM', async () => {
    setInspectorEcrConfiguration(tb.emulator, {
      rescanDuration: 'DAYS_30',
      pullDateRescanDuration: 'DAYS_90',
      pullDateRescanMode: 'LAST_PULL_DATE',
      status: 'SUCCESS',
      updatedAt: new Date('2026-01-02T03:04:05Z'),
    })
    const client = new Inspector2Client({
      region: 'us-east-1',
      endpoint: tb.emulator.env.AWS_ENDPOINT_URL_INSPECTOR2,
      credentials: await assumeRole(tb.emulator, tb.roleArn),
      maxAttempts: 1,
    })
    const out = await client.send(new GetConfigurationCommand({}))
    expect(out.ecrConfiguration?.rescanDurationState).toEqual({
      rescanDuration: 'DAYS_30',
      pullDateRescanDuration: 'DAYS_90',
      pullDateRescanMode: 'LAST_PULL_DATE',
      status: 'SUCCESS',
      updatedAt: new Date('2026-01-02T03:04:05Z'),
    })
    client.destroy()
    const arn = `arn:aws:iam::${ACCOUNT}:role/no-inspector`
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: pushPermissions(ACCOUNT, 'acme/*'),
    })
    const denied = new Inspector2Client({
      region: 'us-east-1',
      endpoint: tb.emulator.env.AWS_ENDPOINT_URL_INSPECTOR2,
      credentials: await assumeRole(tb.emulator, arn),
      maxAttempts: 1,
    })
    const err = await denied.send(new GetConfigurationCommand({})).then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
    )
    expect(err?.name).toBe('AccessDeniedException')
    expect(err?.$metadata?.httpStatusCode).toBe(403)
    expect(err?.message).toMatch(/not authorized to perform: inspector2:GetConfiguration/)
    denied.destroy()
  })

  it('continuous scanning that lapses before a deploy lifetime: reported, and a warning', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'acme/*')] })
    setInspectorEcrConfiguration(tb.emulator, {
      rescanDuration: 'DAYS_14',
      pullDateRescanDuration: 'DAYS_14',
      pullDateRescanMode: 'LAST_IN_USE_AT',
      status: 'SUCCESS',
    })
    const repository = fresh()
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, repository } })
    expect(r.code, r.log).toBe(0)
    expect(tb.emulator.callsFor('inspector2', 'GetConfiguration')).toHaveLength(1)
    expect(r.summary).toContain(
      '- Inspector re-scans it: 14 days after the push, or 14 days after its last use on a cluster (DAYS_14 / DAYS_14)\n',
    )
    expect(r.warnings.join('\n')).toContain(
      `Amazon Inspector re-scans images of ${repository} for only 14 days after their push (ECR re-scan duration DAYS_14) unless its last use on a cluster was within 14 days: an image deployed longer turns SCAN_ELIGIBILITY_EXPIRED`,
    )
  })

  it('long enough: reported, no warning; not readable: said so, never a failure', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'acme/*')] })
    setInspectorEcrConfiguration(tb.emulator, { rescanDuration: 'LIFETIME', status: 'SUCCESS' })
    const ok = await tb.run({ inputs: { image, repository: fresh() } })
    expect(ok.code, ok.log).toBe(0)
    expect(ok.summary).toContain("- Inspector re-scans it: for the image's lifetime (LIFETIME)\n")
    expect(ok.warnings.filter((w) => w.includes('Amazon Inspector'))).toEqual([])

    const arn = `arn:aws:iam::${ACCOUNT}:role/no-inspector-config`
    tb.emulator.addRole({
      arn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: pushPermissions(ACCOUNT, 'acme/*', { scanDiscovery: true, governance: true }),
    })
    const blind = await tb.run({ inputs: { image, repository: fresh(), 'role-to-assume': arn } })
    expect(blind.code, blind.log).toBe(0)
    expect(blind.summary).toContain('- Inspector re-scans it: unknown (inspector2:GetConfiguration denied)\n')
  })

  it('not asked when nothing is re-scanned (scan on push, basic)', async () => {
    setRegistryScanning(tb.emulator, { scanType: 'ENHANCED', rules: [rule('SCAN_ON_PUSH', '*')] })
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: { image, repository: fresh() } })
    expect(r.code, r.log).toBe(0)
    expect(tb.emulator.callsFor('inspector2')).toEqual([])
    expect(r.summary).not.toContain('Inspector re-scans it')
  })
})
