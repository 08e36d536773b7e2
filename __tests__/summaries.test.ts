// Golden files of the job-summary writers for governance (src/governance/section.ts) and the audit
// (src/audit/summary.ts): the whole markdown, byte for byte. UPDATE_GOLDEN=1 rewrites them.
import { describe, it } from 'vitest'
import { analyze, type ImageFacts } from '../src/audit/analyze.ts'
import type { ExportResult } from '../src/audit/export.ts'
import { auditMarkdown } from '../src/audit/summary.ts'
import type { LifecyclePolicy } from '../src/governance/policy.ts'
import { summarizePreview } from '../src/governance/preview.ts'
import { governanceSection, type GovernanceReport } from '../src/governance/section.ts'
import { expectGolden } from './golden.ts'

const policy: LifecyclePolicy = {
  rules: [
    {
      rulePriority: 1,
      description: 'old untagged',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      selection: {
        tagStatus: 'tagged',
        tagPrefixList: ['pr-'],
        countType: 'imageCountMoreThan',
        countNumber: 5,
      },
      action: { type: 'expire' },
    },
  ],
}

const created: GovernanceReport = {
  repository: 'acme/widget',
  origin: 'created',
  scanOnPush: 'on',
  mutability: 'IMMUTABLE',
  encryption: 'KMS (alias/ecr|key)',
  enhanced: 'yes (CONTINUOUS_SCAN, filter `acme/*`)',
  differences: [],
  policy: { kind: 'applied', file: 'lc.json', replaced: true },
  preview: {
    kind: 'done',
    summary: summarizePreview(policy, [
      { imageDigest: 'sha256:u1', appliedRulePriority: 1 },
      ...Array.from({ length: 23 }, (_, i) => ({
        imageDigest: `sha256:p${i}`,
        imageTags: [`pr-${i}`, ...(i === 0 ? ['pr-0-rebuilt'] : [])],
        appliedRulePriority: 2,
      })),
      { imageDigest: 'sha256:x', imageTags: ['odd'], appliedRulePriority: 9 },
    ]),
  },
  movingTags: { tags: [], by: 'setting' },
}

describe('governance section', () => {
  it('a created repository, its policy applied, a preview that expires images', () => {
    expectGolden('governance-created.md', governanceSection(created))
  })

  it('an existing repository that differs from the inputs, with moving tags', () => {
    expectGolden(
      'governance-existing.md',
      governanceSection({
        ...created,
        origin: 'existing',
        scanOnPush: 'off',
        mutability: 'MUTABLE (except `release-*`)',
        encryption: 'AES256 (S3-managed keys)',
        enhanced: 'no (registry scanning is BASIC)',
        differences: [
          'tag mutability is MUTABLE, image-tag-mutability asks for IMMUTABLE',
          'scan-on-push is off',
        ],
        policy: { kind: 'unchanged', file: '.github/ecr lifecycle.json' },
        preview: { kind: 'unavailable', reason: 'ecr:StartLifecyclePolicyPreview denied' },
        movingTags: { tags: ['latest', 'main'], by: 'setting' },
      }),
    )
  })

  it('created by ECR from a template; registry scanning before and after', () => {
    expectGolden(
      'governance-posture.md',
      governanceSection({
        ...created,
        origin: 'template',
        template: {
          prefix: 'acme/team',
          settings:
            'tag mutability IMMUTABLE_WITH_EXCLUSION (except `latest`), encryption AES256 (S3-managed keys)',
        },
        mutability: 'IMMUTABLE_WITH_EXCLUSION (except `latest`)',
        movingTags: { tags: ['latest'], by: 'setting' },
        preview: { kind: 'skipped' },
        registryScanning: {
          mode: 'continuous',
          filter: 'acme/team/*',
          frequency: 'CONTINUOUS_SCAN',
          repository: 'acme/team/api',
          result: 'written',
          attempts: 1,
          before: {
            scanType: 'ENHANCED',
            rules: [
              { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
            ],
          },
          after: {
            scanType: 'ENHANCED',
            rules: [
              { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
              {
                scanFrequency: 'CONTINUOUS_SCAN',
                repositoryFilters: [{ filter: 'acme/team/*', filterType: 'WILDCARD' }],
              },
            ],
          },
        },
      }),
    )
  })

  it('what is unknown is said so; a rejected policy; no preview', () => {
    const unknown = 'unknown (ecr:DescribeRepositories denied)'
    expectGolden(
      'governance-unknown.md',
      governanceSection({
        repository: 'acme/w|dget',
        origin: 'concurrent',
        scanOnPush: unknown,
        mutability: unknown,
        encryption: unknown,
        enhanced: 'unknown (the registry belongs to another account)',
        differences: [],
        policy: { kind: 'failed', file: 'lc.json', reason: 'ECR rejected it: bad | value\nsecond line' },
        preview: { kind: 'skipped' },
        movingTags: { tags: ['latest'], by: 'form' },
      }),
    )
  })
})

const AKIA = 'AKIAIOSFODNN7EXAMPLE' // AWS's documented example key
const digest = `sha256:${'b'.repeat(64)}`

function facts(over: Partial<ImageFacts> = {}): ImageFacts {
  return {
    imageId: `sha256:${'a'.repeat(64)}`,
    digest,
    imageRef: `123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget@${digest}`,
    config: {
      User: '',
      Env: ['PATH=/usr/bin', `AWS_ACCESS_KEY_ID=${AKIA}`, 'APP_MODE=fast'],
      Labels: { 'org.opencontainers.image.source': 'https://github.com/acme/widget', team: 'a|b' },
      Entrypoint: ['/bin/app', '--serve'],
      Cmd: ['--port', '8080'],
      ExposedPorts: { '8080/tcp': {}, '9090/tcp': {} },
      Volumes: { '/data': {} },
      WorkingDir: '/app',
    },
    history: [
      { createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', emptyLayer: false },
      { createdBy: `/bin/sh -c #(nop)  ENV AWS_ACCESS_KEY_ID=${AKIA}`, emptyLayer: true },
      { createdBy: '/bin/sh -c apt-get update && apt-get install -y curl ```', emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  CMD ["--port" "8080"]', emptyLayer: true },
    ],
    diffIds: ['sha256:1', 'sha256:2'],
    manifest: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      layers: [
        { digest: 'sha256:l1', size: 29_000_000 },
        { digest: 'sha256:l2', size: 1_200 },
      ],
      configSize: 1_500,
    },
    os: 'linux',
    architecture: 'amd64',
    created: '2024-05-01T12:00:00Z',
    notes: [],
    ...over,
  }
}

const exported: ExportResult = {
  dir: '/tmp/export',
  layers: 2,
  files: 120,
  dirs: 30,
  symlinks: 4,
  symlinksRewritten: 1,
  hardlinks: 2,
  whiteouts: 3,
  skipped: 1,
  bytes: 52_428_800,
  refusedCount: 2,
  refused: [
    { layer: 1, path: '../escape', reason: 'path with ..' },
    { layer: 2, path: 'etc/`x`', reason: 'would write through the symlink /etc of an earlier entry' },
  ],
}

describe('audit summary', () => {
  it('a credential in env and history, root, a missing label, an export with refusals', () => {
    const result = analyze(facts())
    expectGolden('audit-secrets.md', auditMarkdown(result, exported, '/runner/temp/ecr-audit.json'))
  })

  it('a clean image, without the manifest (sizes unknown), no export, no audit file', () => {
    const clean = facts({
      config: {
        User: 'app',
        Env: ['PATH=/usr/bin'],
        Labels: {
          'org.opencontainers.image.source': 'https://github.com/acme/widget',
          'org.opencontainers.image.revision': 'abc1234',
          'org.opencontainers.image.created': '2024-05-01',
        },
      },
      history: [{ createdBy: '/bin/sh -c #(nop) COPY file:x in /app ', emptyLayer: false }],
      diffIds: ['sha256:1'],
      notes: [
        'Could not read the pushed manifest (ecr:BatchGetImage): denied; compressed layer sizes are unknown.',
      ],
    })
    delete clean.manifest
    const result = analyze(clean)
    expectGolden('audit-clean.md', auditMarkdown(result))
  })
})
