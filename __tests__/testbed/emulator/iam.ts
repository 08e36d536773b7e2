/** IAM-style identity policy evaluation and the least-privilege statements the action needs. */
import { AwsError } from './errors.ts'
import type { Principal, RepositoryRecord, ResourceStatement, Statement } from './types.ts'
import { wildcardMatch } from './util.ts'

const list = (value: string | readonly string[]): readonly string[] =>
  typeof value === 'string' ? [value] : value

function matches(statement: Statement, action: string, resource: string): boolean {
  return (
    list(statement.action).some((a) => wildcardMatch(a, action, true)) &&
    list(statement.resource).some((r) => wildcardMatch(r, resource))
  )
}

export type Decision = 'allow' | 'implicit-deny' | 'explicit-deny'

export function evaluate(statements: readonly Statement[], action: string, resource: string): Decision {
  let allowed = false
  for (const statement of statements) {
    if (!matches(statement, action, resource)) continue
    if (statement.effect === 'Deny') return 'explicit-deny'
    allowed = true
  }
  return allowed ? 'allow' : 'implicit-deny'
}

/**
 * Whether a resource policy statement names `principal` (`*`, its account, its ARN or its role).
 * `sessionOnly`: only a statement that names the session itself (IAM: a session policy does not
 * limit what a resource policy grants the session by its own ARN, but does limit the rest).
 */
function names(statement: ResourceStatement, principal: Principal, sessionOnly = false): boolean {
  if (sessionOnly) return list(statement.principal).includes(principal.arn)
  const roleArn = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principal.arn)
  const ids = new Set([principal.arn, principal.account, `arn:aws:iam::${principal.account}:root`])
  if (roleArn) ids.add(`arn:aws:iam::${roleArn[1] ?? ''}:role/${roleArn[2] ?? ''}`)
  if (principal.roleArn !== undefined) ids.add(principal.roleArn)
  return list(statement.principal).some((p) => p === '*' || ids.has(p))
}

/** A repository policy's decision for `principal` doing `action`. */
export function evaluateResource(
  statements: readonly ResourceStatement[],
  principal: Principal,
  action: string,
  sessionOnly = false,
): Decision {
  let allowed = false
  for (const statement of statements) {
    if (!names(statement, principal, sessionOnly)) continue
    if (!list(statement.action).some((a) => wildcardMatch(a, action, true))) continue
    if (statement.effect === 'Deny') return 'explicit-deny'
    allowed = true
  }
  return allowed ? 'allow' : 'implicit-deny'
}

/**
 * Why `principal` may not do `action` on `resource`, in AWS's words; undefined when it may.
 * Identity policy and the repository's policy: within one account either may allow, across
 * accounts both must; an explicit deny in either wins. A session's session policies (role chaining
 * or OIDC with `inline-session-policy` / `managed-session-policies`) must allow too: the session may
 * do what its role's policy AND its session policies allow.
 */
export function denial(
  principal: Principal,
  action: string,
  resource: string,
  repository?: Pick<RepositoryRecord, 'account' | 'policy'>,
): string | undefined {
  const head = `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`
  const session =
    principal.sessionPolicy === undefined ? 'allow' : evaluate(principal.sessionPolicy, action, resource)
  if (session === 'explicit-deny') return `${head} with an explicit deny in a session policy`
  const identity = evaluate(principal.permissions, action, resource)
  // What a resource policy grants the role (not the session by name) is limited by the session policy.
  const limited = session !== 'allow'
  const resourceDecision = repository?.policy
    ? evaluateResource(repository.policy, principal, action, limited)
    : 'implicit-deny'
  if (identity === 'explicit-deny') return `${head} with an explicit deny in an identity-based policy`
  if (resourceDecision === 'explicit-deny') return `${head} with an explicit deny in a resource-based policy`
  const resourceAccount = /^arn:aws:ecr(?:-public)?:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? principal.account
  const crossAccount = resourceAccount !== principal.account
  const identityAllows = identity === 'allow' && !limited
  if (crossAccount) {
    if (identity !== 'allow') return `${head} because no identity-based policy allows the ${action} action`
    if (limited) return `${head} because no session policy allows the ${action} action`
    if (resourceDecision !== 'allow')
      return `${head} because no resource-based policy allows the ${action} action`
    return undefined
  }
  if (identityAllows || resourceDecision === 'allow') return undefined
  if (identity === 'allow') return `${head} because no session policy allows the ${action} action`
  return `${head} because no identity-based policy allows the ${action} action`
}

/** Throw ECR's AccessDeniedException unless `principal` may do `action` on `resource`. */
export function authorize(
  principal: Principal,
  action: string,
  resource: string,
  repository?: Pick<RepositoryRecord, 'account' | 'policy'>,
): void {
  const why = denial(principal, action, resource, repository)
  if (why !== undefined) throw new AwsError('AccessDeniedException', why, 400)
}

export interface PushPermissionOptions {
  /** ecr:GetRegistryScanningConfiguration, ecr:BatchGetRepositoryScanningConfiguration. Default true. */
  scanDiscovery?: boolean
  /**
   * ecr:CreateRepository, DescribeRepositories, Get/PutLifecyclePolicy (and, on `*`,
   * DescribeRepositoryCreationTemplates). Default false.
   */
  governance?: boolean
  /**
   * `registry-scanning: continuous | on-push`: ecr:PutRegistryScanningConfiguration and what an
   * ENHANCED write needs of Amazon Inspector (inspector2:Enable, inspector2:ListAccountPermissions).
   * Default false.
   */
  registryScanning?: boolean
  /** Region in the repository ARN. Default `*`. */
  region?: string
}

/** The least-privilege statements for a push + scan gate (AWS-FACTS "IAM actions a push needs"). */
export function pushPermissions(
  account: string,
  repoPattern: string,
  options: PushPermissionOptions = {},
): Statement[] {
  const repositoryArn = `arn:aws:ecr:${options.region ?? '*'}:${account}:repository/${repoPattern}`
  const repoActions = [
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
    'ecr:BatchGetImage',
    'ecr:DescribeImages',
    'ecr:DescribeImageScanFindings',
    'ecr:StartImageScan',
  ]
  const registryActions = ['ecr:GetAuthorizationToken']
  if (options.scanDiscovery ?? true) {
    registryActions.push('ecr:GetRegistryScanningConfiguration')
    repoActions.push('ecr:BatchGetRepositoryScanningConfiguration')
  }
  if (options.registryScanning) {
    registryActions.push(
      'ecr:PutRegistryScanningConfiguration',
      'inspector2:Enable',
      'inspector2:ListAccountPermissions',
    )
  }
  if (options.governance) {
    registryActions.push('ecr:DescribeRepositoryCreationTemplates')
    repoActions.push(
      'ecr:CreateRepository',
      'ecr:TagResource',
      'ecr:DescribeRepositories',
      'ecr:GetLifecyclePolicy',
      'ecr:PutLifecyclePolicy',
      'ecr:StartLifecyclePolicyPreview',
      'ecr:GetLifecyclePolicyPreview',
    )
  }
  return [
    { effect: 'Allow', action: registryActions, resource: '*' },
    { effect: 'Allow', action: repoActions, resource: repositoryArn },
  ]
}

/**
 * What a role needs to push to an ECR Public repository (ECR Public user guide, "Pushing an image"):
 * the token (`ecr-public:GetAuthorizationToken` with `sts:GetServiceBearerToken`), the registry's
 * URI, and the layer and image actions on the repository. `imageReads` adds DescribeImages and
 * DescribeRepositories (the action's checks).
 */
export function publicPushPermissions(
  account: string,
  repoPattern: string,
  options: { imageReads?: boolean } = {},
): Statement[] {
  const repoActions = [
    'ecr-public:BatchCheckLayerAvailability',
    'ecr-public:InitiateLayerUpload',
    'ecr-public:UploadLayerPart',
    'ecr-public:CompleteLayerUpload',
    'ecr-public:PutImage',
  ]
  if (options.imageReads ?? true)
    repoActions.push('ecr-public:DescribeImages', 'ecr-public:DescribeRepositories')
  return [
    {
      effect: 'Allow',
      action: [
        'ecr-public:GetAuthorizationToken',
        'sts:GetServiceBearerToken',
        'ecr-public:DescribeRegistries',
      ],
      resource: '*',
    },
    {
      effect: 'Allow',
      action: repoActions,
      resource: `arn:aws:ecr-public::${account}:repository/${repoPattern}`,
    },
  ]
}
