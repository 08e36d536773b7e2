// Pure governance decisions: the CreateRepository request, settings differences, enhanced-scanning
// coverage, which pushed tags move, the preview summary and the summary section.
import type { ECRClient } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { parseInputs, type Inputs } from '../src/inputs.ts'
import { summarizePreview } from '../src/governance/preview.ts'
import { governanceSection, type GovernanceReport } from '../src/governance/section.ts'
import {
  createRepositoryRequest,
  creationTags,
  coveragePhrase,
  isMovingTag,
  movableTags,
  settingsDifferences,
  tagIsMutable,
  tagValue,
} from '../src/governance/settings.ts'
import type { LifecyclePolicy } from '../src/governance/policy.ts'
import { scanningConfiguration } from '../src/scanning.ts'

function inputs(over: Record<string, string> = {}): Inputs {
  const raw: Record<string, string> = {
    'aws-region': 'us-east-1',
    image: 'widget:ci',
    repository: 'acme/widget',
    tags: 't1',
    ...over,
  }
  return parseInputs((n) => raw[n] ?? '', { GITHUB_WORKSPACE: '/ws' })
}

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b'

describe('CreateRepository request', () => {
  it('has scan-on-push, the mutability, encryption and the creating workflow as tags', () => {
    const req = createRepositoryRequest(
      inputs({ 'image-tag-mutability': 'immutable', encryption: 'KMS', 'kms-key': 'alias/ecr' }),
      '123456789012',
      {
        GITHUB_REPOSITORY: 'acme/widget',
        GITHUB_WORKFLOW: 'Release',
        GITHUB_RUN_ID: '42',
        GITHUB_SERVER_URL: 'https://github.com',
      },
    )
    expect(req).toEqual({
      repositoryName: 'acme/widget',
      registryId: '123456789012',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
      tags: [
        { Key: 'created-by', Value: 'acme/widget/Release' },
        { Key: 'created-by-run', Value: 'https://github.com/acme/widget/actions/runs/42' },
      ],
    })
  })
  it('defaults: MUTABLE, AES256 without a key', () => {
    const req = createRepositoryRequest(inputs(), '123456789012', {})
    expect(req.imageTagMutability).toBe('MUTABLE')
    expect(req.encryptionConfiguration).toEqual({ encryptionType: 'AES256' })
    expect(req.tags).toEqual([{ Key: 'created-by', Value: 'unknown/unknown' }])
  })
  it.each([
    ['CI (build & push)', 'CI _build _ push_'],
    ['deploy: prod', 'deploy: prod'],
    ['ünïcode ok', 'ünïcode ok'],
  ])('tag values keep only characters AWS accepts: %s', (raw, clean) => {
    expect(tagValue(raw)).toBe(clean)
    expect(creationTags({ GITHUB_REPOSITORY: 'o/r', GITHUB_WORKFLOW: raw })[0]?.Value).toBe(`o/r/${clean}`)
  })
})

describe('settingsDifferences (reported, never applied)', () => {
  const same = {
    imageTagMutability: 'MUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: 'AES256' },
  }
  it('none when the repository matches', () => {
    expect(settingsDifferences(same, inputs())).toEqual([])
  })
  it('lists each difference', () => {
    expect(
      settingsDifferences(
        {
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: false },
          encryptionConfiguration: { encryptionType: 'AES256' },
        },
        inputs({ 'image-tag-mutability': 'IMMUTABLE', encryption: 'KMS' }),
      ),
    ).toEqual([
      'tag mutability is MUTABLE, image-tag-mutability asks for IMMUTABLE',
      'scan-on-push is off (a created repository has it on)',
      'encryption is AES256, encryption asks for KMS',
    ])
  })
  it('the exclusion filters count too (as a set)', () => {
    const repo = {
      ...same,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [
        { filter: 'latest', filterType: 'WILDCARD' },
        { filter: 'dev-*', filterType: 'WILDCARD' },
      ],
    }
    const ask = (filters: string) =>
      inputs({
        'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
        'image-tag-mutability-exclusions': filters,
      })
    expect(settingsDifferences(repo, ask('dev-*\nlatest'))).toEqual([])
    expect(settingsDifferences(repo, ask('latest'))).toEqual([
      'the tag mutability exclusions are `latest`, `dev-*`, image-tag-mutability-exclusions asks for `latest`',
    ])
  })
  it('the create request carries the exclusion filters', () => {
    const req = createRepositoryRequest(
      inputs({ 'image-tag-mutability': 'MUTABLE_WITH_EXCLUSION', 'image-tag-mutability-exclusions': 'v*' }),
      '123456789012',
      {},
    )
    expect(req).toMatchObject({
      imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filter: 'v*', filterType: 'WILDCARD' }],
    })
    expect(
      createRepositoryRequest(inputs(), '123456789012', {}).imageTagMutabilityExclusionFilters,
    ).toBeUndefined()
  })
  it.each([
    ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab', '1234abcd-12ab', true],
    [
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab',
      true,
    ],
    ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab', 'other', false],
  ])('KMS key %s vs kms-key %s: same=%s', (actual, wanted, same) => {
    const d = settingsDifferences({ ...same_kms(actual) }, inputs({ encryption: 'KMS', 'kms-key': wanted }))
    expect(d.length === 0).toBe(same)
  })
  function same_kms(kmsKey: string): object {
    return {
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey },
    }
  }
})

/** The summary's phrase for a registry scanning configuration, through the run's one coverage read. */
async function enhancedCoverage(
  config: Record<string, unknown> | 'denied' | 'other-registry',
  repository: string,
): Promise<string> {
  const ecr = {
    send: async () => {
      if (config === 'denied')
        throw Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' })
      return { scanningConfiguration: config }
    },
  } as unknown as ECRClient
  const scanning = scanningConfiguration({
    ecr,
    registryId: config === 'other-registry' ? '210987654321' : '123456789012',
    account: '123456789012',
    region: 'us-east-1',
    repository,
    repositoryScanOnPush: true,
  })
  return coveragePhrase((await scanning.coverage()).coverage)
}

describe('enhancedCoverage', () => {
  it.each([
    ['denied', 'denied' as const, 'unknown (ecr:GetRegistryScanningConfiguration denied)'],
    ['cross-account', 'other-registry' as const, 'unknown (the registry belongs to another account)'],
    ['basic', { scanType: 'BASIC', rules: [] }, 'no (registry scanning is BASIC)'],
    [
      'enhanced, matching continuous rule',
      {
        scanType: 'ENHANCED',
        rules: [
          {
            scanFrequency: 'CONTINUOUS_SCAN',
            repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
          },
        ],
      },
      'yes (CONTINUOUS_SCAN, filter `acme/*`)',
    ],
    [
      'enhanced, second rule matches',
      {
        scanType: 'ENHANCED',
        rules: [
          {
            scanFrequency: 'CONTINUOUS_SCAN',
            repositoryFilters: [{ filter: 'prod-*', filterType: 'WILDCARD' }],
          },
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
        ],
      },
      'yes (SCAN_ON_PUSH, filter `*`)',
    ],
    [
      'enhanced, no rule matches',
      {
        scanType: 'ENHANCED',
        rules: [
          {
            scanFrequency: 'CONTINUOUS_SCAN',
            repositoryFilters: [{ filter: 'other/*', filterType: 'WILDCARD' }],
          },
        ],
      },
      expect.stringMatching(/^no \(ENHANCED, but no .* rule matches/),
    ],
  ])('%s', async (_name, config, expected) => {
    expect(await enhancedCoverage(config, 'acme/widget')).toEqual(expected)
  })
})

describe('moving tags', () => {
  it.each([
    ['latest', true],
    ['main', true],
    ['stable', true],
    ['v1', true],
    ['1.4', true],
    ['pr-42', true],
    ['dev', true],
    [SHA, false],
    [SHA.slice(0, 7), false],
    ['sha-3f78685', false],
    ['main-3f786850e3', false],
    ['1.4.2', false],
    ['v2.0.0-rc.1', false],
    ['20240501', false],
    ['build-20240501.3', false],
    ['deadbeef', true], // all letters: a word, not a commit
  ])('%s moves: %s', (tag, moving) => {
    expect(isMovingTag(tag)).toBe(moving)
  })
  it('a tag holding the run’s commit does not move', () => {
    expect(isMovingTag('build-3f78685', SHA)).toBe(false)
  })
  it.each([
    ['MUTABLE', [], 'latest', true],
    ['IMMUTABLE', [], 'latest', false],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest'], 'latest', true],
    ['IMMUTABLE_WITH_EXCLUSION', ['dev-*'], 'latest', false],
    ['MUTABLE_WITH_EXCLUSION', ['v*'], 'v1', false],
    ['MUTABLE_WITH_EXCLUSION', ['v*'], 'latest', true],
  ])('%s except %j: %s is mutable: %s', (mode, filters, tag, mutable) => {
    const repo = {
      imageTagMutability: mode,
      imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' })),
    }
    expect(tagIsMutable(repo, tag)).toBe(mutable)
  })
  it("the repository's real setting and filters decide, whatever the tag's form", () => {
    expect(movableTags({ imageTagMutability: 'MUTABLE' }, [SHA, 'latest', 'main'], SHA)).toEqual({
      tags: [SHA, 'latest', 'main'],
      by: 'setting',
    })
    expect(movableTags({ imageTagMutability: 'IMMUTABLE' }, [SHA, 'latest'], SHA)).toEqual({
      tags: [],
      by: 'setting',
    })
    const excluded = {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filter: 'dev-*', filterType: 'WILDCARD' }],
    }
    expect(movableTags(excluded, ['v1.2.3', 'dev-1', 'latest'])).toEqual({ tags: ['dev-1'], by: 'setting' })
  })
  it('the setting unknown: guessed from the form, and said so', () => {
    expect(movableTags(undefined, [SHA, 'latest', '1.4.2'], SHA)).toEqual({ tags: ['latest'], by: 'form' })
  })
})

const policy: LifecyclePolicy = {
  rules: [
    {
      rulePriority: 2,
      selection: {
        tagStatus: 'tagged',
        tagPrefixList: ['pr-'],
        countType: 'imageCountMoreThan',
        countNumber: 1,
      },
      action: { type: 'expire' },
    },
    {
      rulePriority: 1,
      description: 'old untagged',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
  ],
}

describe('summarizePreview', () => {
  it('groups by rule in evaluation order, with tags and untagged counts', () => {
    const s = summarizePreview(policy, [
      { imageDigest: 'sha256:a', action: { type: 'EXPIRE' }, appliedRulePriority: 1 },
      { imageDigest: 'sha256:b', action: { type: 'EXPIRE' }, appliedRulePriority: 1 },
      {
        imageDigest: 'sha256:c',
        imageTags: ['pr-2', 'pr-2b'],
        action: { type: 'EXPIRE' },
        appliedRulePriority: 2,
      },
      {
        imageDigest: 'sha256:c',
        imageTags: ['pr-2', 'pr-2b'],
        action: { type: 'EXPIRE' },
        appliedRulePriority: 2,
      },
      { imageDigest: 'sha256:d', imageTags: ['pr-1'], action: { type: 'EXPIRE' }, appliedRulePriority: 2 },
      { imageDigest: 'sha256:e', action: { type: 'TRANSITION' }, appliedRulePriority: 2 },
    ])
    expect(s).toEqual({
      total: 4,
      transitions: 1,
      rules: [
        { rulePriority: 1, description: 'old untagged', action: 'expire', count: 2, tags: [], untagged: 2 },
        {
          rulePriority: 2,
          description: 'expire images tagged pr-* beyond the newest 1',
          action: 'expire',
          count: 2,
          tags: ['pr-1', 'pr-2', 'pr-2b'],
          untagged: 0,
        },
        {
          rulePriority: 2,
          description: 'ECR reports transitions for this rule, which the policy file does not',
          action: 'transition',
          count: 1,
          tags: [],
          untagged: 1,
        },
      ],
    })
  })
  it('an empty preview lists every rule with nothing', () => {
    expect(summarizePreview(policy, []).rules.map((r) => r.count)).toEqual([0, 0])
  })
})

describe('governanceSection', () => {
  const base: GovernanceReport = {
    repository: 'acme/widget',
    origin: 'created',
    scanOnPush: 'on',
    mutability: 'MUTABLE',
    encryption: 'AES256 (S3-managed keys)',
    enhanced: 'no (registry scanning is BASIC)',
    differences: [],
    policy: { kind: 'applied', file: 'lc.json', replaced: false },
    preview: {
      kind: 'done',
      summary: summarizePreview(policy, [{ imageDigest: 'sha256:a', appliedRulePriority: 1 }]),
    },
    movingTags: { tags: ['latest'], by: 'setting' },
  }
  it('shows settings, policy, preview and the moving tags', () => {
    const md = governanceSection(base)
    expect(md).toContain('### Repository governance')
    expect(md).toContain('- Repository: `acme/widget`, created by this run\n')
    expect(md).toContain('- Scan on push: on\n')
    expect(md).toContain('- Enhanced scanning covers it: no (registry scanning is BASIC)\n')
    expect(md).toContain('- Lifecycle policy: applied from `lc.json` (the repository had none)\n')
    expect(md).toContain('**Lifecycle preview:** 1 image would expire now')
    expect(md).toContain('| 1 | old untagged | 1 (1 untagged) | – |')
    expect(md).toContain(
      "> Mutable tag `latest`: the repository's tag mutability lets a later push move it to another image: deploy the digest-pinned image reference.",
    )
  })
  it.each([
    [{ kind: 'unchanged', file: 'lc.json' } as const, 'unchanged: the repository already has `lc.json`'],
    [{ kind: 'none' } as const, 'not managed by this step'],
    [
      { kind: 'failed', file: 'lc.json', reason: 'ECR rejected it: x|y' } as const,
      '**not applied** (`lc.json`): ECR rejected it: x\\|y',
    ],
  ])('policy %j', (policyState, text) => {
    expect(governanceSection({ ...base, policy: policyState })).toContain(text)
  })
  it('existing repositories: differences are reported as such', () => {
    const md = governanceSection({
      ...base,
      origin: 'existing',
      scanOnPush: 'off',
      differences: ['scan-on-push is off'],
    })
    expect(md).toContain('existing (settings reported, not changed)')
    expect(md).toContain('- Scan on push: **off**\n')
    expect(md).toContain(
      '> ⚠️ The repository differs from the inputs (not changed by this action): scan-on-push is off.',
    )
  })
  it('caps long tag lists', () => {
    const many = summarizePreview(
      policy,
      Array.from({ length: 30 }, (_, i) => ({
        imageDigest: `sha256:${i}`,
        imageTags: [`pr-${i}`],
        appliedRulePriority: 2,
      })),
    )
    expect(governanceSection({ ...base, preview: { kind: 'done', summary: many } })).toContain(
      '… and 10 more',
    )
  })
})
