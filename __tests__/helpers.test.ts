import { describe, expect, it } from 'vitest'
import { explainPushFailure } from '../src/docker.ts'
import { errorMessage, errorName } from '../src/errors.ts'
import { Report } from '../src/report.ts'
import { backoffDelay } from '../src/retry.ts'
import { checkAllowedAccount, classifyStsError } from '../src/sts.ts'

function awsError(name: string, status?: number): Error {
  const e = new Error(`${name} happened`)
  e.name = name
  if (status !== undefined) Object.assign(e, { $metadata: { httpStatusCode: status } })
  return e
}

describe('classifyStsError', () => {
  it.each([
    ['AccessDenied', 403, 'permanent'],
    ['ValidationError', 400, 'permanent'],
    ['MalformedPolicyDocument', 400, 'permanent'],
    ['IDPCommunicationError', 400, 'transient'],
    ['InvalidIdentityToken', 400, 'transient'],
    ['ExpiredTokenException', 400, 'transient'],
    ['Throttling', 400, 'transient'],
    ['ThrottlingException', 400, 'transient'],
    ['InternalFailure', 500, 'transient'],
    ['SomethingNew', 503, 'transient'],
    ['TimeoutError', undefined, 'transient'],
  ] as const)('%s (%s) is %s', (name, status, kind) => {
    expect(classifyStsError(awsError(name, status))).toBe(kind)
  })
  it('treats socket errors as transient', () => {
    expect(classifyStsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'transient',
    )
  })
})

describe('backoffDelay', () => {
  it.each([
    [0, 0, 500],
    [0, 1, 1000],
    [1, 0, 1000],
    [3, 1, 8000],
    [10, 1, 10000],
    [10, 0, 5000],
  ])('attempt %i, random %f -> %i ms', (attempt, r, ms) => {
    expect(backoffDelay(attempt, { baseMs: 1000, capMs: 10_000, random: () => r })).toBe(ms)
  })
})

describe('checkAllowedAccount', () => {
  const id = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/r/s' }
  it('passes when the list is empty or has the account', () => {
    expect(() => checkAllowedAccount(id, [])).not.toThrow()
    expect(() => checkAllowedAccount(id, ['111111111111', '123456789012'])).not.toThrow()
  })
  it('fails naming the account and the list', () => {
    expect(() => checkAllowedAccount(id, ['111111111111'])).toThrow(
      /123456789012.*not in 'allowed-account-ids' \(111111111111\)/,
    )
  })
})

describe('explainPushFailure', () => {
  const ref = 'r/acme/widget:t'
  it.each([
    [
      'denied: User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ecr:InitiateLayerUpload',
      /ecr:InitiateLayerUpload.*'acme\/widget'/,
    ],
    ['unauthorized: authentication required', /The registry refused/],
    [
      "tag invalid: The image tag 't' already exists in the 'acme/widget' repository and cannot be overwritten because the repository is immutable.",
      /immutable tags.*Push a new tag/,
    ],
    [
      "name unknown: The repository with name 'acme/widget' does not exist in the registry with id '1'",
      /does not exist.*create-repository/,
    ],
    ['unsupported: The operation is unsupported.', /does not accept pushes/],
    [
      'error parsing HTTP 405 response body: invalid character \'M\': "Method not allowed\\n"',
      /does not accept pushes/,
    ],
    ['something odd', /docker push r\/acme\/widget:t failed: something odd/],
  ])('%s', (output, expected) => {
    const msg = explainPushFailure(ref, 'acme/widget', output)
    expect(msg).toMatch(expected)
    expect(msg).not.toContain('\n')
  })

  it('a session policy that denies: the session policy inputs are named', () => {
    const msg = explainPushFailure(
      ref,
      'acme/widget',
      'denied: User: x is not authorized to perform: ecr:PutImage on resource: y with an explicit deny in a session policy',
    )
    expect(msg).toMatch(
      /ecr:PutImage on 'acme\/widget'.*session policies \(inline-session-policy, managed-session-policies\) must allow them too\.$/,
    )
  })

  it('ECR Public: its own action names, and how to create a public repository', () => {
    expect(explainPushFailure(ref, 'widget', 'denied: not authorized', 'ecr-public')).toMatch(
      /ecr-public:BatchCheckLayerAvailability, ecr-public:InitiateLayerUpload, .* and ecr-public:PutImage on 'widget'/,
    )
    expect(
      explainPushFailure(
        ref,
        'widget',
        "name unknown: The repository with name 'widget' does not exist",
        'ecr-public',
      ),
    ).toMatch(/aws ecr-public create-repository --region us-east-1 --repository-name widget$/)
  })
})

describe('errors', () => {
  it('names and messages of anything thrown', () => {
    expect(errorMessage(new Error('x'))).toBe('x')
    expect(errorMessage('y')).toBe('y')
    expect(errorMessage({ a: 1 })).toBe('{"a":1}')
    expect(errorName(awsError('AccessDenied'))).toBe('AccessDenied')
    expect(errorName(new Error('plain'))).toBe('')
    expect(errorName(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET')
  })
})

describe('Report', () => {
  it('orders sections and stays under the size limit with a note', () => {
    const r = new Report()
    r.add('gate', 'second')
    r.add('verdict', 'first')
    expect(r.markdown()).toBe('first\n\nsecond\n')
    const big = new Report()
    big.add('verdict', 'row\n'.repeat(1000))
    const md = big.markdown(2000)
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(2000)
    expect(md).toContain('truncated')
  })
})
