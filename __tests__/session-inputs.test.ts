// Issue 14 (points 3 and 4), the inputs: role-chaining, role-external-id, the session policies
// (checked as STS documents them, before any call) and registry-type: public (the governance
// inputs that do not apply are errors naming them).
import { describe, expect, it } from 'vitest'
import { InputError } from '../src/errors.ts'
import { parseInputs } from '../src/inputs.ts'
import { compactJson, managedPolicyProblem, parseInlinePolicy } from '../src/session-policy.ts'

const ROLE = 'arn:aws:iam::123456789012:role/github-ecr-push'
const base: Record<string, string> = {
  'role-to-assume': ROLE,
  'aws-region': 'us-east-1',
  image: 'widget:ci',
  repository: 'acme/widget',
  tags: 'abc123',
}

function parse(over: Record<string, string> = {}) {
  const values = { ...base, ...over }
  return parseInputs((name) => values[name] ?? '', { GITHUB_WORKSPACE: '/ws' })
}

function problems(over: Record<string, string>): string[] {
  try {
    parse(over)
  } catch (err) {
    if (err instanceof InputError) return err.problems
    throw err
  }
  return []
}

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["ecr:*"], "Resource": "arn:aws:ecr:*:123456789012:repository/acme widget" }
  ]
}`

describe('role chaining inputs', () => {
  it('defaults: no chaining, no external ID, no session policies', () => {
    const i = parse()
    expect(i.roleChaining).toBe(false)
    expect(i.roleExternalId).toBeUndefined()
    expect(i.inlineSessionPolicy).toBeUndefined()
    expect(i.managedSessionPolicies).toEqual([])
  })

  it('role-chaining with an external ID', () => {
    const i = parse({ 'role-chaining': 'true', 'role-external-id': 'ci-7f3a:prod/eu' })
    expect(i).toMatchObject({ roleChaining: true, roleExternalId: 'ci-7f3a:prod/eu' })
  })

  it('role-chaining needs role-to-assume', () => {
    expect(problems({ 'role-chaining': 'true', 'role-to-assume': '' })).toEqual([
      expect.stringMatching(
        /^Missing input 'role-to-assume': 'role-chaining: true' assumes it with the credentials/,
      ),
    ])
  })

  it('role-external-id: only with role-chaining, and in STS form', () => {
    expect(problems({ 'role-external-id': 'abc' })).toEqual([
      expect.stringMatching(
        /^Invalid input 'role-external-id': 'abc'\. Expected to be set only with 'role-chaining: true'/,
      ),
    ])
    expect(problems({ 'role-chaining': 'true', 'role-external-id': 'x' })).toEqual([
      expect.stringContaining("Invalid input 'role-external-id': 'x'. Expected 2 to 1224 characters"),
    ])
    expect(problems({ 'role-chaining': 'true', 'role-external-id': 'a b' })).toHaveLength(1)
    expect(problems({ 'role-chaining': 'true', 'role-external-id': 'y'.repeat(1225) })).toHaveLength(1)
    expect(problems({ 'role-chaining': 'true', 'role-external-id': 'y'.repeat(1224) })).toEqual([])
  })

  it('role-duration-seconds above 3600 with role-chaining is left to STS (an IAM user may ask for more)', () => {
    expect(parse({ 'role-chaining': 'true', 'role-duration-seconds': '7200' }).roleDurationSeconds).toBe(7200)
  })
})

describe('inline-session-policy', () => {
  it('is sent without the white space between its tokens; strings are kept as written', () => {
    const i = parse({ 'inline-session-policy': POLICY })
    expect(i.inlineSessionPolicy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:*"],"Resource":"arn:aws:ecr:*:123456789012:repository/acme widget"}]}',
    )
    expect(JSON.parse(i.inlineSessionPolicy ?? '')).toEqual(JSON.parse(POLICY))
  })

  it('compactJson keeps escaped quotes and backslashes inside strings', () => {
    const text = ' { "a" : "x \\" y \\\\" , "b" : [ 1 , 2 ] } '
    expect(compactJson(text)).toBe('{"a":"x \\" y \\\\","b":[1,2]}')
    expect(JSON.parse(compactJson(text))).toEqual(JSON.parse(text))
  })

  it.each([
    ['{"Version": "2012-10-17", "Statement": [', /is not valid JSON/],
    ['[]', /it is not a JSON object/],
    ['{"Statement": []}', /needs "Version": "2012-10-17"/],
    ['{"Version": "2019-01-01", "Statement": {}}', /needs "Version"/],
    ['{"Version": "2012-10-17"}', /needs a "Statement"/],
    ['{"Version": "2012-10-17", "Statement": []}', /needs a "Statement"/],
    [
      '{"Version": "2012-10-17", "Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}}',
      /Effect/,
    ],
    ['{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Resource": "*"}}', /exactly one of Action/],
    [
      '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}}',
      /exactly one of Action/,
    ],
    [
      '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}',
      /Action is a string/,
    ],
    ['{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}}', /exactly one of Resource/],
    [
      '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}}',
      /has a Principal/,
    ],
    [
      '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condtion": {}}}',
      /unknown element "Condtion"/,
    ],
    [
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, 3]}',
      /Statement 2 is not an object/,
    ],
    [
      '{"Version": "2012-10-17", "Statement": {"Sid": "π", "Effect": "Allow", "Action": "*", "Resource": "*"}}',
      /U\+03C0 at offset/,
    ],
  ])('refuses %s', (text, why) => {
    const found = problems({ 'inline-session-policy': text })
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(/^Invalid input 'inline-session-policy': /)
    expect(found[0]).toMatch(why)
    expect(found[0]).toContain('Expected an IAM policy document in JSON')
  })

  it('takes conditions, NotAction, a single statement and the old Version', () => {
    const r = parseInlinePolicy(
      '{"Version":"2008-10-17","Statement":{"Sid":"x","Effect":"Deny","NotAction":"ecr:PutImage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}',
    )
    expect(r).toHaveProperty('policy')
  })

  it('needs role-to-assume (no session to limit otherwise)', () => {
    expect(problems({ 'inline-session-policy': POLICY, 'role-to-assume': '' })).toEqual([
      expect.stringMatching(/^Invalid input 'inline-session-policy': it limits an assumed role's session/),
    ])
  })

  it('2,048 characters in all, counted on what is sent (with the managed ARNs)', () => {
    const statement = (n: number) => `{"Sid":"s${n}","Effect":"Allow","Action":"ecr:PutImage","Resource":"*"}`
    const many = (n: number) =>
      `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${Array.from({ length: n }, (_, i) => statement(i)).join(',\n    ')}\n  ]\n}`
    const fits = many(28)
    expect(compactJson(fits).length).toBeLessThanOrEqual(2048)
    expect(fits.length).toBeGreaterThan(2048) // written out, it would not
    expect(problems({ 'inline-session-policy': fits })).toEqual([])
    const arn = 'arn:aws:iam::123456789012:policy/ci/ecr-supply-chain-push-only'
    const over = problems({ 'inline-session-policy': fits, 'managed-session-policies': arn })
    expect(over).toEqual([
      expect.stringMatching(/together they are \d+ characters .* STS takes at most 2048/),
    ])
  })
})

describe('managed-session-policies', () => {
  it('one ARN a line, duplicates dropped', () => {
    const i = parse({
      'managed-session-policies':
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser\n\n arn:aws:iam::123456789012:policy/ci/push,only \narn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser\n',
    })
    expect(i.managedSessionPolicies).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser',
      'arn:aws:iam::123456789012:policy/ci/push,only',
    ])
  })

  it.each([
    ['arn:aws:iam::123456789012:role/x', /a managed policy ARN like/],
    ['ReadOnlyAccess', /a managed policy ARN like/],
    ['arn:aws-cn:iam::aws:policy/ReadOnlyAccess', /the region's partition \(arn:aws:/],
    ['arn:aws:iam::210987654321:policy/other', /a policy of the role's account 123456789012/],
  ])('refuses %s, naming the input', (arn, why) => {
    const found = problems({ 'managed-session-policies': arn })
    expect(found).toEqual([expect.stringContaining(`Invalid input 'managed-session-policies': '${arn}'`)])
    expect(found[0]).toMatch(why)
  })

  it('partition-aware: a China role takes arn:aws-cn: policies', () => {
    const i = parse({
      'role-to-assume': 'arn:aws-cn:iam::123456789012:role/r',
      'aws-region': 'cn-north-1',
      'managed-session-policies': 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess',
    })
    expect(i.managedSessionPolicies).toEqual(['arn:aws-cn:iam::aws:policy/ReadOnlyAccess'])
    expect(managedPolicyProblem('arn:aws:iam::aws:policy/ReadOnlyAccess', 'aws-cn', '123456789012')).toMatch(
      /arn:aws-cn:/,
    )
  })

  it('at most 10', () => {
    const arns = Array.from({ length: 11 }, (_, n) => `arn:aws:iam::123456789012:policy/p${n}`).join('\n')
    expect(problems({ 'managed-session-policies': arns })).toEqual([
      "Invalid input 'managed-session-policies': '11 ARNs'. Expected at most 10 (STS's limit).",
    ])
  })
})

describe('registry-type: public', () => {
  it('parses; private is the default', () => {
    expect(parse().registryType).toBe('private')
    expect(parse({ 'registry-type': 'PUBLIC' }).registryType).toBe('public')
    expect(problems({ 'registry-type': 'gallery' })).toEqual([
      "Invalid input 'registry-type': 'gallery'. Expected one of private, public.",
    ])
  })

  it('every governance input that does not apply is an error naming it, all at once', () => {
    const found = problems({
      'registry-type': 'public',
      'create-repository': 'true',
      'image-tag-mutability': 'IMMUTABLE',
      encryption: 'KMS',
      'kms-key': 'alias/ecr',
      'lifecycle-policy': 'policy.json',
      'registry-scanning': 'continuous',
      'registry-id': '210987654321',
    })
    const named = found.map((p) => /^Invalid input '([a-z-]+)'/.exec(p)?.[1])
    expect(named).toEqual([
      'registry-id',
      'create-repository',
      'image-tag-mutability',
      'encryption',
      'kms-key',
      'lifecycle-policy',
      'registry-scanning',
    ])
    for (const p of found) expect(p).toContain("Expected nothing with 'registry-type: public'")
    expect(found[1]).toContain('aws ecr-public create-repository')
  })

  it('push: false and a region outside the aws partition are errors too', () => {
    expect(problems({ 'registry-type': 'public', push: 'false', image: '' })).toEqual([
      expect.stringMatching(
        /^Invalid input 'push': 'false'\. Expected nothing with 'registry-type: public' \(ECR Public does not scan/,
      ),
    ])
    expect(
      problems({
        'registry-type': 'public',
        'aws-region': 'cn-north-1',
        'role-to-assume': 'arn:aws-cn:iam::123456789012:role/r',
      }),
    ).toEqual([expect.stringMatching(/^Invalid input 'aws-region': 'cn-north-1'.*only in the aws partition/)])
  })

  it('the scanning filter and switch, tag mutability exclusions and OCI sources are errors too', () => {
    const found = problems({
      'registry-type': 'public',
      'registry-scanning-filter': 'acme/*',
      'registry-scanning-switch': 'true',
      'image-tag-mutability-exclusions': 'latest',
    })
    expect(
      found
        .filter((p) => p.includes("'registry-type: public'"))
        .map((p) => /^Invalid input '([a-z-]+)'/.exec(p)?.[1]),
    ).toEqual(['registry-scanning-filter', 'registry-scanning-switch', 'image-tag-mutability-exclusions'])
    expect(problems({ 'registry-type': 'public', image: 'oci-archive:image.tar' })).toEqual([
      expect.stringMatching(
        /^Invalid input 'image': 'oci-archive:image.tar'\. Expected nothing with 'registry-type: public' \(an image in the local Docker engine/,
      ),
    ])
  })

  it('the defaults of the governance inputs are fine', () => {
    expect(parse({ 'registry-type': 'public', 'aws-region': 'eu-west-1' }).registryType).toBe('public')
  })
})
