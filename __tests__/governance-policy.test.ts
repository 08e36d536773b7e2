// Lifecycle policy as code: the local validator (every error names the rule and the field), the
// canonical comparison, and the shipped examples.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  checkLifecyclePolicy,
  describeRule,
  samePolicy,
  type LifecyclePolicy,
} from '../src/governance/policy.ts'
import { validateLifecyclePolicy } from './testbed/emulator/ecr/governance.ts'
import { REPO_ROOT } from './testbed/runner.ts'

const untagged = {
  rulePriority: 1,
  description: 'expire untagged',
  selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
  action: { type: 'expire' },
}
const tagged = {
  rulePriority: 2,
  selection: {
    tagStatus: 'tagged',
    tagPrefixList: ['main-'],
    countType: 'imageCountMoreThan',
    countNumber: 10,
  },
  action: { type: 'expire' },
}
const any = {
  rulePriority: 9,
  selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 },
  action: { type: 'expire' },
}

type Rule = Record<string, unknown>
const withSelection = (rule: Rule, sel: Record<string, unknown>): Rule => ({
  ...rule,
  selection: { ...(rule.selection as object), ...sel },
})
const without = (obj: Record<string, unknown>, key: string): Record<string, unknown> => {
  const copy = { ...obj }
  delete copy[key]
  return copy
}
const policy = (...rules: unknown[]): string => JSON.stringify({ rules }, null, 2)

describe('checkLifecyclePolicy', () => {
  it('accepts a valid policy and keeps the file text to send', () => {
    const text = policy(untagged, tagged, any)
    const r = checkLifecyclePolicy(`\n${text}\n`, 'lc.json')
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.text).toBe(text)
      expect(r.policy.rules.map((x) => x.rulePriority)).toEqual([1, 2, 9])
    }
  })

  // Each problem: [case, policy text, the one expected problem (substring after the file label)]
  const cases: [string, string, string][] = [
    ['not JSON', '{"rules": [', 'not valid JSON'],
    ['not an object', '[1]', 'top level: [1] is not an object'],
    [
      'unknown top-level key',
      JSON.stringify({ rules: [untagged], version: 1 }),
      "field 'version': unknown field",
    ],
    ['no rules', JSON.stringify({ rules: [] }), "field 'rules': []. Expected a non-empty list"],
    ['rules missing', JSON.stringify({}), "field 'rules': missing"],
    ['rule not an object', policy(untagged, 'x'), 'rule 2: "x" is not an object'],
    [
      'unknown rule key',
      policy({ ...untagged, priority: 1 }),
      "rule 1 (rulePriority 1), field 'priority': unknown field",
    ],
    [
      'missing rulePriority',
      policy(without(untagged, 'rulePriority')),
      "rule 1, field 'rulePriority': missing",
    ],
    [
      'fractional rulePriority',
      policy({ ...untagged, rulePriority: 1.5 }),
      "rule 1, field 'rulePriority': 1.5. Expected a whole number from 1 to 999",
    ],
    [
      'rulePriority 0',
      policy({ ...untagged, rulePriority: 0 }),
      "field 'rulePriority': 0. Expected a whole number from 1 to 999",
    ],
    [
      'rulePriority 1000',
      policy({ ...untagged, rulePriority: 1000 }),
      "(rulePriority 1000), field 'rulePriority': 1000. Expected",
    ],
    [
      'rulePriority as string',
      policy({ ...untagged, rulePriority: '1' }),
      `field 'rulePriority': "1". Expected a whole number`,
    ],
    [
      'duplicate rulePriority',
      policy(untagged, { ...tagged, rulePriority: 1 }),
      "rules 1 and 2, field 'rulePriority': 1 is used 2 times",
    ],
    [
      'description not a string',
      policy({ ...untagged, description: 5 }),
      "field 'description': 5. Expected a string",
    ],
    [
      'missing selection',
      policy(without(untagged, 'selection')),
      "rule 1 (rulePriority 1), field 'selection': missing",
    ],
    [
      'unknown selection key',
      policy(withSelection(untagged, { tagStatusX: 'x' })),
      "field 'selection.tagStatusX': unknown field",
    ],
    [
      'missing tagStatus',
      policy({ ...untagged, selection: without(untagged.selection, 'tagStatus') }),
      "field 'selection.tagStatus': missing",
    ],
    [
      'bad tagStatus',
      policy(withSelection(untagged, { tagStatus: 'TAGGED' })),
      `field 'selection.tagStatus': "TAGGED". Expected one of "tagged", "untagged", "any"`,
    ],
    [
      'tagged without list',
      policy({ ...tagged, selection: without(tagged.selection, 'tagPrefixList') }),
      `(rulePriority 2), field 'selection.tagStatus': "tagged" needs "tagPrefixList" or "tagPatternList"`,
    ],
    [
      'tagged with both lists',
      policy(withSelection(tagged, { tagPatternList: ['v*'] })),
      `field 'selection.tagPatternList': use either`,
    ],
    [
      'untagged with a prefix list',
      policy(withSelection(untagged, { tagPrefixList: ['x'] })),
      `field 'selection.tagPrefixList': not allowed with tagStatus "untagged"`,
    ],
    [
      'any with a pattern list',
      policy(withSelection(any, { tagPatternList: ['x*'] })),
      `field 'selection.tagPatternList': not allowed with tagStatus "any"`,
    ],
    [
      'empty prefix list',
      policy(withSelection(tagged, { tagPrefixList: [] })),
      `field 'selection.tagPrefixList': []. Expected a non-empty list`,
    ],
    [
      'empty prefix',
      policy(withSelection(tagged, { tagPrefixList: [''] })),
      `field 'selection.tagPrefixList[0]': "". Expected one of the tag prefixes`,
    ],
    [
      'prefix with a wildcard',
      policy(withSelection(tagged, { tagPrefixList: ['v*'] })),
      `field 'selection.tagPrefixList[0]': "v*". Expected tag prefixes`,
    ],
    [
      'five wildcards',
      policy({
        ...tagged,
        selection: { ...without(tagged.selection, 'tagPrefixList'), tagPatternList: ['a*b*c*d*e*f'] },
      }),
      `field 'selection.tagPatternList[0]': "a*b*c*d*e*f" has more than 4 wildcards`,
    ],
    [
      'missing countType',
      policy({ ...tagged, selection: without(tagged.selection, 'countType') }),
      `field 'selection.countType': missing`,
    ],
    [
      'bad countType',
      policy(withSelection(tagged, { countType: 'sinceImageBuilt' })),
      `field 'selection.countType': "sinceImageBuilt". Expected one of "imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"`,
    ],
    [
      'sinceImagePushed without countUnit',
      policy({ ...untagged, selection: without(untagged.selection, 'countUnit') }),
      `field 'selection.countUnit': missing: countType "sinceImagePushed" needs "countUnit": "days"`,
    ],
    [
      'countUnit hours',
      policy(withSelection(untagged, { countUnit: 'hours' })),
      `field 'selection.countUnit': "hours". Expected "days"`,
    ],
    [
      'imageCountMoreThan with countUnit',
      policy(withSelection(tagged, { countUnit: 'days' })),
      `field 'selection.countUnit': not allowed with countType "imageCountMoreThan"`,
    ],
    [
      'missing countNumber',
      policy({ ...tagged, selection: without(tagged.selection, 'countNumber') }),
      `field 'selection.countNumber': missing`,
    ],
    [
      'countNumber 0',
      policy(withSelection(tagged, { countNumber: 0 })),
      `field 'selection.countNumber': 0. Expected a whole number of at least 1 (images to keep)`,
    ],
    [
      'countNumber fractional',
      policy(withSelection(untagged, { countNumber: 2.5 })),
      `field 'selection.countNumber': 2.5. Expected a whole number of at least 1 (days)`,
    ],
    [
      'countNumber as string',
      policy(withSelection(untagged, { countNumber: '7' })),
      `field 'selection.countNumber': "7"`,
    ],
    [
      'missing action',
      policy(without(untagged, 'action')),
      `field 'action': missing. Expected {"type": "expire"}`,
    ],
    [
      'action type EXPIRE',
      policy({ ...untagged, action: { type: 'delete' } }),
      `field 'action.type': "delete". Expected "expire"`,
    ],
    [
      'unknown action key',
      policy({ ...untagged, action: { type: 'expire', when: 'now' } }),
      `field 'action.when': unknown field`,
    ],
    [
      'any not last',
      policy({ ...any, rulePriority: 1 }, tagged),
      `rule 1 (rulePriority 1), field 'rulePriority': a rule with tagStatus "any" must have the highest rulePriority`,
    ],
    [
      'two any rules',
      policy(untagged, any, { ...any, rulePriority: 10 }),
      `rules 2 and 3, field 'selection.tagStatus': only one rule may have tagStatus "any"`,
    ],
    // Today's ECR: storage classes, pulls, transitions to archive.
    [
      'sinceImagePulled without countUnit',
      policy(withSelection(tagged, { countType: 'sinceImagePulled', countNumber: 30 })),
      `field 'selection.countUnit': missing: countType "sinceImagePulled" needs "countUnit": "days"`,
    ],
    [
      'a storage class ECR does not have',
      policy(withSelection(untagged, { storageClass: 'glacier' })),
      `field 'selection.storageClass': "glacier". Expected "standard" or "archive"`,
    ],
    [
      'sinceImageTransitioned without storageClass archive',
      policy(withSelection(untagged, { countType: 'sinceImageTransitioned', countNumber: 120 })),
      `rule 1 (rulePriority 1), field 'selection.storageClass': missing: countType "sinceImageTransitioned" counts days in archive and needs "storageClass": "archive"`,
    ],
    [
      'storageClass archive with another countType',
      policy(withSelection(untagged, { storageClass: 'archive' })),
      `field 'selection.storageClass': "archive" goes only with countType "sinceImageTransitioned"`,
    ],
    [
      'archived images expired before 90 days',
      policy(
        withSelection(untagged, {
          storageClass: 'archive',
          countType: 'sinceImageTransitioned',
          countNumber: 30,
        }),
      ),
      `field 'selection.countNumber': 30: archived images cannot be expired before 90 days in archive (ECR's minimum storage duration). Expected at least 90`,
    ],
    [
      'transition without a target',
      policy({ ...untagged, action: { type: 'transition' } }),
      `field 'action.targetStorageClass': missing. Expected "archive" (the only storage class to transition to)`,
    ],
    [
      'transition to standard',
      policy({ ...untagged, action: { type: 'transition', targetStorageClass: 'standard' } }),
      `field 'action.targetStorageClass': "standard". Expected "archive"`,
    ],
    [
      'a target with expire',
      policy({ ...untagged, action: { type: 'expire', targetStorageClass: 'archive' } }),
      `field 'action.targetStorageClass': not allowed with "type": "expire". Remove it.`,
    ],
    [
      'archived images transitioned again',
      policy({
        ...withSelection(untagged, {
          storageClass: 'archive',
          countType: 'sinceImageTransitioned',
          countNumber: 120,
        }),
        action: { type: 'transition', targetStorageClass: 'archive' },
      }),
      `field 'selection.storageClass': "archive" with "type": "transition": archived images cannot be transitioned again`,
    ],
    [
      'an action ECR does not have',
      policy({ ...untagged, action: { type: 'delete' } }),
      `field 'action.type': "delete". Expected "expire" or "transition"`,
    ],
  ]

  it.each(cases)('%s', (_name, text, expected) => {
    const r = checkLifecyclePolicy(text, 'policies/lc.json')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]).toContain("Invalid input 'lifecycle-policy' (policies/lc.json): ")
    expect(r.problems[0]).toContain(expected)
    expect(r.problems[0]).not.toContain('\n')
  })

  // Stricter here than ECR is known to be: priorities above 999, and prefixes that no tag can start with.
  const localOnly = new Set(['rulePriority 1000', 'prefix with a wildcard'])
  it.each(cases.filter(([name]) => !localOnly.has(name)))(
    'the emulator (ECR) also rejects: %s',
    (_name, text) => {
      // The emulator's independent copy of ECR's rules agrees with the local validator.
      expect(() => validateLifecyclePolicy(text)).toThrow(/Lifecycle policy validation failure/)
    },
  )

  it("accepts today's fields: pulls, archive, then expiry from archive", () => {
    const text = policy(
      {
        rulePriority: 1,
        selection: {
          tagStatus: 'tagged',
          tagPatternList: ['*'],
          countType: 'sinceImagePulled',
          countUnit: 'days',
          countNumber: 60,
        },
        action: { type: 'transition', targetStorageClass: 'archive' },
      },
      {
        rulePriority: 2,
        selection: {
          tagStatus: 'any',
          storageClass: 'archive',
          countType: 'sinceImageTransitioned',
          countUnit: 'days',
          countNumber: 90,
        },
        action: { type: 'expire' },
      },
    )
    const r = checkLifecyclePolicy(text, 'lc.json')
    expect(r.ok ? [] : r.problems).toEqual([])
    expect(() => validateLifecyclePolicy(text)).not.toThrow()
    if (r.ok) {
      expect(r.policy.rules.map((x) => describeRule(x))).toEqual([
        'archive images tagged * not pulled for more than 60 days',
        'expire all archived images archived more than 90 days ago',
      ])
    }
  })

  it('reports every problem at once, not just the first', () => {
    const r = checkLifecyclePolicy(
      policy(
        { ...untagged, rulePriority: 0, action: { type: 'x' } },
        withSelection(tagged, { countUnit: 'days' }),
      ),
      'lc.json',
    )
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.problems).toHaveLength(3)
  })

  it('rejects a policy longer than ECR accepts', () => {
    const rules = Array.from({ length: 200 }, (_, i) => ({
      ...tagged,
      rulePriority: i + 1,
      description: 'x'.repeat(200),
    }))
    const r = checkLifecyclePolicy(JSON.stringify({ rules }), 'big.json')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.problems[0]).toMatch(/ECR accepts at most 30720/)
  })
})

describe('policy comparison', () => {
  const a = policy(untagged, tagged)
  it('ignores key order and whitespace', () => {
    const reordered = JSON.stringify({
      rules: [
        {
          action: { type: 'expire' },
          selection: {
            countNumber: 7,
            countUnit: 'days',
            countType: 'sinceImagePushed',
            tagStatus: 'untagged',
          },
          description: 'expire untagged',
          rulePriority: 1,
        },
        {
          selection: {
            countNumber: 10,
            countType: 'imageCountMoreThan',
            tagPrefixList: ['main-'],
            tagStatus: 'tagged',
          },
          rulePriority: 2,
          action: { type: 'expire' },
        },
      ],
    })
    expect(samePolicy(reordered, a)).toBe(true)
    expect(canonicalJson(JSON.parse(reordered))).toBe(canonicalJson(JSON.parse(a)))
  })
  it.each([
    ['a changed number', policy(withSelection(untagged, { countNumber: 8 }), tagged)],
    ['a changed description', policy({ ...untagged, description: 'other' }, tagged)],
    ['rule order', policy(tagged, untagged)],
    ['a removed rule', policy(untagged)],
  ])('sees %s', (_name, other) => {
    expect(samePolicy(other, a)).toBe(false)
  })
  it('no current policy, or garbage, is different', () => {
    expect(samePolicy(undefined, a)).toBe(false)
    expect(samePolicy('not json', a)).toBe(false)
  })
})

describe('examples/lifecycle', () => {
  const dir = path.join(REPO_ROOT, 'examples', 'lifecycle')
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
  it('has the four documented policies', () => {
    expect(files.sort()).toEqual([
      'archive-then-expire.json',
      'expire-untagged.json',
      'keep-last-per-prefix.json',
      'keep-releases.json',
    ])
  })
  it.each(files)('%s passes the validator and ECR’s (emulated) checks', (file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    const r = checkLifecyclePolicy(text, file)
    expect(r.ok ? [] : r.problems).toEqual([])
    expect(() => validateLifecyclePolicy(text)).not.toThrow()
  })
  it('each example does what its name says', () => {
    const read = (f: string): LifecyclePolicy =>
      JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as LifecyclePolicy
    expect(read('expire-untagged.json').rules.map(describeRule)).toEqual([
      'expire untagged images pushed more than 7 days ago',
    ])
    expect(read('keep-last-per-prefix.json').rules.map((r) => r.selection.tagPrefixList)).toEqual([
      ['main-'],
      ['pr-'],
      undefined,
    ])
    expect(read('keep-releases.json').rules[0]?.selection.tagPatternList).toEqual(['v*.*.*'])
    expect(read('archive-then-expire.json').rules.map(describeRule)).toEqual([
      'expire untagged images pushed more than 7 days ago',
      'archive images tagged * not pulled for more than 90 days',
      'expire all archived images archived more than 365 days ago',
    ])
  })
})
