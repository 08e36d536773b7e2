/**
 * Session policies (`inline-session-policy`, `managed-session-policies`): checked before any call,
 * as STS documents them (AssumeRole / AssumeRoleWithWebIdentity API reference). Pure.
 *
 * - The inline policy is an IAM policy document in JSON: `Version` ("2012-10-17", or the old
 *   "2008-10-17") and `Statement` (one statement or a list), each with `Effect` Allow|Deny, `Action`
 *   or `NotAction`, `Resource` or `NotResource`, optionally `Sid` and `Condition`. No `Principal`:
 *   a session policy limits the session itself.
 * - Its characters: tab, line feed, carriage return and U+0020–U+00FF only (STS's pattern).
 * - The plaintext of the inline policy and the managed policy ARNs together: at most 2,048
 *   characters. The inline policy is sent without the white space between its tokens (strings are
 *   kept byte for byte), so a policy written over many lines in a workflow costs only its content.
 * - At most 10 managed policy ARNs, `arn:<partition>:iam::<account>:policy/[path/]name`, in the
 *   region's partition; a customer managed policy must be in the role's account (AWS managed
 *   policies have the account `aws`).
 */
import { ARN_PARTITION } from './partition.js'

export const SESSION_POLICY_LIMIT = 2048
export const MAX_MANAGED_POLICIES = 10
const VERSIONS = ['2012-10-17', '2008-10-17']
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
])
export const POLICY_ARN = new RegExp(
  `^arn:(${ARN_PARTITION}):iam::(\\d{12}|aws):policy\\/(?:[\\w+=,.@-]+\\/)*[\\w+=,.@-]{1,128}$`,
)

/**
 * The policy without the white space between its JSON tokens (inside strings nothing changes).
 * Meant for text that parses as JSON.
 */
export function compactJson(text: string): string {
  let out = ''
  let inString = false
  let escaped = false
  for (const c of text) {
    if (inString) {
      out += c
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
      out += c
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      out += c
    }
  }
  return out
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isStringList = (v: unknown): boolean =>
  typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))

/** What is wrong with a statement's Action/NotAction and Resource/NotResource, or undefined. */
function targetProblem(s: Record<string, unknown>, where: string): string | undefined {
  if ('Action' in s === 'NotAction' in s) return `${where} needs exactly one of Action and NotAction`
  if (!isStringList(s.Action ?? s.NotAction))
    return `${where}: Action is a string or a list of strings, e.g. "ecr:PutImage"`
  if ('Resource' in s === 'NotResource' in s) return `${where} needs exactly one of Resource and NotResource`
  if (!isStringList(s.Resource ?? s.NotResource))
    return `${where}: Resource is a string or a list of strings, e.g. "*"`
  return undefined
}

/** What is wrong with one statement (index `i`), or undefined. */
function statementProblem(s: unknown, i: number): string | undefined {
  const where = `Statement ${i + 1}`
  if (!isRecord(s)) return `${where} is not an object`
  if ('Principal' in s || 'NotPrincipal' in s)
    return `${where} has a Principal: a session policy has none (it limits the session itself)`
  const unknown = Object.keys(s).find((k) => !STATEMENT_KEYS.has(k))
  if (unknown !== undefined) return `${where} has an unknown element "${unknown.slice(0, 40)}"`
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `${where} needs "Effect": "Allow" or "Deny"`
  if ('Sid' in s && typeof s.Sid !== 'string') return `${where}: Sid is a string`
  if ('Condition' in s && !isRecord(s.Condition)) return `${where}: Condition is an object`
  return targetProblem(s, where)
}

/** What is wrong with a policy document (parsed JSON), or undefined. */
function documentProblem(doc: unknown): string | undefined {
  if (!isRecord(doc)) return 'it is not a JSON object'
  const unknown = Object.keys(doc).find((k) => k !== 'Version' && k !== 'Statement' && k !== 'Id')
  if (unknown !== undefined) return `it has an unknown element "${unknown.slice(0, 40)}"`
  if (typeof doc.Version !== 'string' || !VERSIONS.includes(doc.Version))
    return 'it needs "Version": "2012-10-17"'
  const list: unknown[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]
  if (doc.Statement === undefined || list.length === 0) return 'it needs a "Statement"'
  for (const [i, s] of list.entries()) {
    const problem = statementProblem(s, i)
    if (problem !== undefined) return problem
  }
  return undefined
}

export type InlinePolicy = { policy: string } | { problem: string }

/** The inline session policy as it is sent (compacted), or what is wrong with it. */
export function parseInlinePolicy(text: string): InlinePolicy {
  const bad = /[^\t\n\r\u0020-\u00ff]/u.exec(text)
  if (bad) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')
    return {
      problem: `it holds the character U+${code} at offset ${bad.index}: STS takes tab, line breaks and U+0020-U+00FF only`,
    }
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    return { problem: `it is not valid JSON (${err instanceof Error ? err.message : String(err)})` }
  }
  const problem = documentProblem(doc)
  return problem === undefined ? { policy: compactJson(text) } : { problem }
}

/**
 * What is wrong with a managed policy ARN, or undefined. `partition`: the region's;
 * `roleAccount`: the role's (customer managed policies must be in it), when known.
 */
export function managedPolicyProblem(
  policyArn: string,
  partition: string,
  roleAccount: string | undefined,
): string | undefined {
  const m = POLICY_ARN.exec(policyArn)
  if (!m)
    return 'a managed policy ARN like arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/ci-push'
  if (m[1] !== partition)
    return `an ARN of the region's partition (arn:${partition}:…): session policies are in the role's partition`
  if (roleAccount !== undefined && m[2] !== 'aws' && m[2] !== roleAccount)
    return `a policy of the role's account ${roleAccount} (or an AWS managed policy, arn:${partition}:iam::aws:policy/…): STS takes customer managed session policies from the role's account only`
  return undefined
}
