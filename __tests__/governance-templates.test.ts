// Which CREATE_ON_PUSH repository creation template ECR applies to a missing repository
// (src/governance/templates.ts): the longest `prefix/` match, else ROOT; other uses never.
import { describe, expect, it } from 'vitest'
import {
  candidatePrefixes,
  coveringTemplate,
  describeTemplate,
  type CreationTemplate,
} from '../src/governance/templates.ts'

const t = (prefix: string, ...appliedFor: string[]): CreationTemplate => ({
  prefix,
  appliedFor: appliedFor.length > 0 ? appliedFor : ['CREATE_ON_PUSH'],
})

describe('candidatePrefixes', () => {
  it.each([
    ['acme/team/api', ['acme/team', 'acme', 'ROOT']],
    ['widget', ['ROOT']],
  ])('%s', (name, expected) => {
    expect(candidatePrefixes(name)).toEqual(expected)
  })
})

describe('coveringTemplate', () => {
  const all = [
    t('ROOT'),
    t('acme'),
    t('acme/team'),
    t('acme/team/api'),
    t('acme/cache', 'PULL_THROUGH_CACHE'),
  ]

  it.each<[string, string | undefined]>([
    ['acme/team/web', 'acme/team'],
    ['acme/team/api/v2', 'acme/team/api'],
    // A prefix covers what is under it, not the name itself.
    ['acme/team', 'acme'],
    ['acme/teamless', 'acme'],
    ['other/x', 'ROOT'],
    ['acme/cache/x', 'acme'],
  ])('%s → %s', (name, prefix) => {
    expect(coveringTemplate(all, name)?.prefix).toBe(prefix)
  })

  it('no ROOT and no prefix: none; a template for another use: none', () => {
    expect(coveringTemplate([t('acme')], 'other/x')).toBeUndefined()
    expect(coveringTemplate([t('ROOT', 'REPLICATION')], 'x/y')).toBeUndefined()
  })

  it('a prefix written with its trailing slash', () => {
    expect(coveringTemplate([t('acme/')], 'acme/x')?.prefix).toBe('acme/')
  })
})

describe('describeTemplate', () => {
  it('what a repository created from it gets', () => {
    expect(
      describeTemplate({
        prefix: 'acme',
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filter: 'v*', filterType: 'WILDCARD' }],
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/ecr' },
        resourceTags: [{ Key: 'team', Value: 'a' }],
      }),
    ).toBe(
      'tag mutability MUTABLE_WITH_EXCLUSION (except `v*`), encryption KMS (alias/ecr), no lifecycle policy, 1 resource tag, scan-on-push off (the registry scanning rules decide)',
    )
  })
})
