/**
 * Session policies as STS takes them (AssumeRole, AssumeRoleWithWebIdentity): the inline policy
 * (`Policy`, IAM policy JSON) and the managed policies (`PolicyArns`), turned into the statements the
 * session is limited by (iam.ts intersects them with the role's own policy).
 *
 * AWS (STS API reference): the plaintext of the inline policy and the managed policy ARNs together
 * may not exceed 2,048 characters; at most 10 managed policy ARNs; customer managed policies must be
 * in the role's account. What STS answers beyond its model's constraints: `MalformedPolicyDocument`
 * (the JSON parser's own words for bad JSON, "Syntax errors in policy." for a bad shape) and
 * `PackedPolicyTooLarge` ("Packed policy consumes N% of allotted space, please use smaller
 * policy."). The emulator evaluates Effect, Action and Resource; a policy with elements it does not
 * evaluate (Condition, NotAction, NotResource) is an emulator limitation, reported as such, never
 * silently ignored.
 */
import { AwsError, EmulatorBug } from './errors.ts'
import type { EmulatorState } from './state.ts'
import type { Statement } from './types.ts'
import { isRecord } from './util.ts'

/** STS's plaintext limit of the inline policy and the managed policy ARNs together. */
export const SESSION_POLICY_PLAINTEXT_LIMIT = 2048
export const MAX_MANAGED_SESSION_POLICIES = 10

const malformed = (message = 'Syntax errors in policy.'): AwsError =>
  new AwsError('MalformedPolicyDocument', message)

const strings = (v: unknown): readonly string[] | undefined =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')
      ? (v as string[])
      : undefined

/** One IAM statement in the emulator's terms. */
function statementOf(raw: unknown): Statement {
  if (!isRecord(raw)) throw malformed()
  for (const unsupported of ['Condition', 'NotAction', 'NotResource', 'NotPrincipal']) {
    if (unsupported in raw)
      throw new EmulatorBug(`session policy element ${unsupported} is not evaluated by the emulator`)
  }
  if ('Principal' in raw) throw malformed('Policy document should not specify a principal.')
  const action = strings(raw.Action)
  const resource = strings(raw.Resource)
  if ((raw.Effect !== 'Allow' && raw.Effect !== 'Deny') || !action || !resource) throw malformed()
  return { effect: raw.Effect, action, resource }
}

/** The statements of an inline session policy. */
export function parseSessionPolicy(text: string): Statement[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw malformed(err instanceof Error ? err.message : String(err))
  }
  if (!isRecord(doc) || doc.Statement === undefined) throw malformed()
  const list = Array.isArray(doc.Statement) ? (doc.Statement as unknown[]) : [doc.Statement]
  if (list.length === 0) throw malformed()
  return list.map(statementOf)
}

/**
 * The session policy of a session asked with `policy` and `policyArns` (undefined: none, the
 * session may do what the role may). `roleAccount`: customer managed policies must be in it.
 */
export function sessionPolicyOf(
  state: EmulatorState,
  roleAccount: string,
  policy: string | undefined,
  policyArns: readonly { arn?: string }[] | undefined,
): Statement[] | undefined {
  const arns = (policyArns ?? []).map((p) => p.arn ?? '')
  if (policy === undefined && arns.length === 0) return undefined
  if (arns.length > MAX_MANAGED_SESSION_POLICIES) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_MANAGED_SESSION_POLICIES}`,
    )
  }
  const plaintext = (policy?.length ?? 0) + arns.reduce((n, a) => n + a.length, 0)
  if (plaintext > SESSION_POLICY_PLAINTEXT_LIMIT) {
    const percent = Math.ceil((plaintext / SESSION_POLICY_PLAINTEXT_LIMIT) * 100)
    throw new AwsError(
      'PackedPolicyTooLarge',
      `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`,
    )
  }
  const statements = policy === undefined ? [] : parseSessionPolicy(policy)
  for (const arn of arns) {
    const managed = state.managedPolicies.get(arn)
    const account = /^arn:aws:iam::(\d{12}|aws):policy\//.exec(arn)?.[1]
    if (managed === undefined || (account !== 'aws' && account !== roleAccount)) {
      throw new EmulatorBug(
        `managed session policy ${arn} is not known to the emulator in account ${roleAccount} or aws: add it with emulator.addManagedPolicy()`,
      )
    }
    statements.push(...managed)
  }
  return statements
}
