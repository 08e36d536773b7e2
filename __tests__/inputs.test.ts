import { describe, expect, it } from 'vitest'
import { InputError } from '../src/errors.ts'
import { parseInputs, splitList } from '../src/inputs.ts'

const base: Record<string, string> = {
  'role-to-assume': 'arn:aws:iam::123456789012:role/github-ecr-push',
  'aws-region': 'us-east-1',
  image: 'widget:ci',
  repository: 'acme/widget',
  tags: 'abc123\nlatest',
}

function parse(over: Record<string, string> = {}, env: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: '/ws' }) {
  const values = { ...base, ...over }
  return parseInputs((name) => values[name] ?? '', env)
}

function problems(over: Record<string, string>, env?: NodeJS.ProcessEnv): string[] {
  try {
    parse(over, env)
  } catch (err) {
    if (err instanceof InputError) return err.problems
    throw err
  }
  return []
}

describe('parseInputs', () => {
  it('applies the documented defaults', () => {
    const i = parse({}, { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2', GITHUB_WORKSPACE: '/ws' })
    expect(i).toMatchObject({
      audience: 'sts.amazonaws.com',
      roleSessionName: 'GitHubActions-42-2',
      roleDurationSeconds: 3600,
      allowedAccountIds: [],
      tags: ['abc123', 'latest'],
      keepLogin: false,
      createRepository: false,
      imageTagMutability: 'MUTABLE',
      encryption: 'AES256',
      waitForScan: true,
      scanTimeoutSeconds: 900,
      scanSettleSeconds: 20,
      severityThreshold: 'HIGH',
      onlyFixable: false,
      onScanUnavailable: 'fail',
      summary: true,
      audit: true,
      failOnSecrets: true,
    })
    expect(i.registryId).toBeUndefined()
    expect(i.sarifFile).toBeUndefined()
    expect(i.dockerfile).toBe('Dockerfile')
  })

  it('dockerfile: a path in the repository, as code scanning names it', () => {
    expect(parse({ dockerfile: './docker/app/Dockerfile' }).dockerfile).toBe('docker/app/Dockerfile')
    expect(parse({ dockerfile: '/ws/svc/Dockerfile.prod' }).dockerfile).toBe('svc/Dockerfile.prod')
    expect(parse({ dockerfile: 'a/../b/Dockerfile' }).dockerfile).toBe('b/Dockerfile')
    expect(parse({ dockerfile: '  ' }).dockerfile).toBe('Dockerfile')
    for (const bad of ['../elsewhere/Dockerfile', '/etc/Dockerfile', '.', 'docker/\nDockerfile']) {
      expect(problems({ dockerfile: bad })).toEqual([
        expect.stringMatching(
          /^Invalid input 'dockerfile': '.*'\. Expected a file path in the repository, relative to the workspace, e\.g\. Dockerfile or docker\/app\/Dockerfile/s,
        ),
      ])
    }
  })

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(parse({ 'aws-region': '' }, { AWS_REGION: 'eu-west-1' }).region).toBe('eu-west-1')
    expect(parse({ 'aws-region': '' }, { AWS_DEFAULT_REGION: 'ap-south-2' }).region).toBe('ap-south-2')
    expect(parse({ 'aws-region': 'us-west-2' }, { AWS_REGION: 'eu-west-1' }).region).toBe('us-west-2')
  })

  it('resolves file inputs against the workspace', () => {
    const i = parse({ 'sarif-file': 'out/scan.sarif', 'lifecycle-policy': '/abs/policy.json' })
    expect(i.sarifFile).toBe('/ws/out/scan.sarif')
    expect(i.lifecyclePolicy).toBe('/abs/policy.json')
  })

  it('accepts case-insensitive enumerations and normalises them', () => {
    expect(parse({ 'severity-threshold': 'critical' }).severityThreshold).toBe('CRITICAL')
    expect(parse({ 'severity-threshold': 'none' }).severityThreshold).toBe('NONE')
    expect(parse({ 'on-scan-unavailable': 'WARN' }).onScanUnavailable).toBe('warn')
  })

  it('splits tags on commas and newlines, dropping blanks and duplicates', () => {
    expect(parse({ tags: 'a, b\n\nc,a' }).tags).toEqual(['a', 'b', 'c'])
  })

  it.each([
    ['role-to-assume', 'github-ecr-push', 'an IAM role ARN'],
    ['role-to-assume', 'arn:aws:iam::12345:role/x', 'an IAM role ARN'],
    ['aws-region', 'US East', 'an AWS region code'],
    ['role-session-name', 'a', '2 to 64 characters'],
    ['role-session-name', 'has space', '2 to 64 characters'],
    ['role-duration-seconds', '60', 'from 900 to 43200'],
    ['role-duration-seconds', '1h', 'from 900 to 43200'],
    ['role-duration-seconds', '50000', 'from 900 to 43200'],
    ['allowed-account-ids', '123', '12-digit'],
    ['image', 'Widget:CI!', 'a local image reference'],
    ['repository', 'Acme/Widget', 'an ECR repository name'],
    ['repository', 'acme//widget', 'an ECR repository name'],
    ['repository', 'a', 'an ECR repository name'],
    ['tags', '-bad', 'tags of letters'],
    ['tags', 'has space', 'tags of letters'],
    ['registry-id', 'acme', '12-digit account ID'],
    ['keep-login', 'yes', 'true or false'],
    ['create-repository', '1', 'true or false'],
    ['image-tag-mutability', 'FROZEN', 'one of MUTABLE, IMMUTABLE'],
    ['encryption', 'RSA', 'one of AES256, KMS'],
    ['kms-key', 'alias/x', "'encryption: KMS'"],
    ['image-tag-mutability-exclusions', 'latest', "'image-tag-mutability: IMMUTABLE_WITH_EXCLUSION'"],
    ['registry-scanning', 'always', 'one of report, continuous, on-push'],
    ['registry-scanning-filter', 'acme/*', "'registry-scanning: continuous' or 'on-push'"],
    ['registry-scanning-switch', 'true', "'registry-scanning: continuous' or 'on-push'"],
    ['wait-for-scan', 'maybe', 'true or false'],
    ['scan-timeout-seconds', '0', 'from 1 to 21600'],
    ['scan-settle-seconds', '-1', 'from 0 to 3600'],
    ['severity-threshold', 'SEVERE', 'one of CRITICAL, HIGH'],
    ['on-scan-unavailable', 'ignore', 'one of fail, warn'],
    ['only-fixable', 'sure', 'true or false'],
    ['summary', 'no', 'true or false'],
    ['audit', 'on', 'true or false'],
    ['fail-on-secrets', 'off', 'true or false'],
  ])("rejects %s = '%s', naming the input and the expected form", (name, value, expected) => {
    const p = problems({ [name]: value })
    expect(p).toHaveLength(1)
    expect(p[0]).toContain(`'${name}'`)
    expect(p[0]).toContain(`'${value}'`)
    expect(p[0]).toContain(expected)
  })

  it.each([
    ['image', "Missing input 'image'"],
    ['repository', "Missing input 'repository'"],
    ['tags', "Missing input 'tags'"],
  ])('requires %s', (name, message) => {
    expect(problems({ [name]: '' })[0]).toContain(message)
  })

  it('registry-scanning: the filter defaults to the repository, is checked as ECR checks it, and must match', () => {
    expect(parse({ 'registry-scanning': 'continuous' })).toMatchObject({
      registryScanning: 'continuous',
      registryScanningFilter: 'acme/widget',
      registryScanningSwitch: false,
    })
    expect(
      parse({
        'registry-scanning': 'on-push',
        'registry-scanning-filter': '*',
        'registry-scanning-switch': 'true',
      }),
    ).toMatchObject({
      registryScanning: 'on-push',
      registryScanningFilter: '*',
      registryScanningSwitch: true,
    })
    expect(parse({}).registryScanning).toBe('report')
    expect(problems({ 'registry-scanning': 'continuous', 'registry-scanning-filter': 'Acme/*' })).toEqual([
      "Invalid input 'registry-scanning-filter': 'Acme/*'. Expected an ECR scanning filter: lowercase letters, digits, . _ - / and the wildcard *, e.g. acme/* or *.",
    ])
    expect(problems({ 'registry-scanning': 'continuous', 'registry-scanning-filter': 'other/*' })).toEqual([
      "Invalid input 'registry-scanning-filter': 'other/*'. Expected a filter that matches the repository 'acme/widget' (e.g. acme/widget, or a wildcard such as *).",
    ])
  })

  it('image-tag-mutability with exclusions: the filters, checked as ECR checks them', () => {
    expect(
      parse({
        'image-tag-mutability': 'immutable_with_exclusion',
        'image-tag-mutability-exclusions': 'latest\ndev-*',
      }),
    ).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusions: ['latest', 'dev-*'],
    })
    expect(problems({ 'image-tag-mutability': 'MUTABLE_WITH_EXCLUSION' })).toEqual([
      "Missing input 'image-tag-mutability-exclusions': 'image-tag-mutability: MUTABLE_WITH_EXCLUSION' needs at least one wildcard tag filter, one a line (e.g. latest, dev-*).",
    ])
    expect(
      problems({
        'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
        'image-tag-mutability-exclusions': 'release/*',
      }),
    ).toEqual([
      "Invalid input 'image-tag-mutability-exclusions': 'release/*'. Expected wildcard tag filters of 1-128 letters, digits, . _ - and *.",
    ])
    expect(
      problems({
        'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
        'image-tag-mutability-exclusions': 'a,b,c,d,e,f',
      }),
    ).toEqual([
      "Invalid input 'image-tag-mutability-exclusions': '6 filters'. Expected at most 5 filters (ECR's limit).",
    ])
  })

  it('requires a region from the input or the environment', () => {
    expect(problems({ 'aws-region': '' }, {})[0]).toContain("Missing input 'aws-region'")
  })

  it.each([
    ['60', '20', true],
    ['79', '20', true],
    ['80', '20', false],
    ['60', '0', false],
    ['900', '900', true],
  ])(
    'scan-timeout-seconds %s with scan-settle-seconds %s cannot hold the floor and the window: %s',
    (timeout, settle, isBad) => {
      const p = problems({
        'wait-for-scan': 'true',
        'scan-timeout-seconds': timeout,
        'scan-settle-seconds': settle,
      })
      expect(p).toHaveLength(isBad ? 1 : 0)
      if (isBad) {
        expect(p[0]).toMatch(
          /^Invalid inputs 'scan-timeout-seconds' \(\d+\) and 'scan-settle-seconds' \(\d+\)/,
        )
        expect(p[0]).toContain('60 s fill-in floor')
      }
      // Without the wait, the budget does not matter.
      expect(
        problems({
          'wait-for-scan': 'false',
          'scan-timeout-seconds': timeout,
          'scan-settle-seconds': settle,
        }),
      ).toEqual([])
    },
  )

  it('reports every bad input at once', () => {
    expect(problems({ image: '', repository: 'UP', 'keep-login': 'x' })).toHaveLength(3)
  })

  it.each([
    'widget:ci',
    'widget',
    'ghcr.io/acme/widget:1.2.3',
    'localhost:5000/a/b:c',
    'sha256:' + 'a'.repeat(64),
    '0123456789ab',
    'widget@sha256:' + 'b'.repeat(64),
  ])('accepts the image reference %s', (image) => {
    expect(parse({ image }).image).toBe(image)
  })

  it.each([
    'arn:aws:iam::123456789012:role/github-ecr-push',
    'arn:aws:iam::123456789012:role/path/to/role+x=y,z.w@v-u',
    'arn:aws-cn:iam::123456789012:role/x',
    'arn:aws-us-gov:iam::123456789012:role/x',
  ])('accepts the role ARN %s', (arn) => {
    expect(parse({ 'role-to-assume': arn }).roleToAssume).toBe(arn)
  })

  it.each(['us-east-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-4', 'eusc-de-east-1', 'il-central-1'])(
    'accepts the region %s',
    (region) => {
      expect(parse({ 'aws-region': region }).region).toBe(region)
    },
  )
})

describe('splitList', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    [' a , b ', ['a', 'b']],
    ['a\nb\r\n c', ['a', 'b', 'c']],
    [',,\n', []],
  ])('%j -> %j', (raw, expected) => {
    expect(splitList(raw)).toEqual(expected)
  })
})
