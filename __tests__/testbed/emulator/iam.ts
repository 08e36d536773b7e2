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

/** Whether a resource policy statement names `principal` (`*`, its account, its ARN or its role). */
function names(statement: ResourceStatement, principal: Principal): boolean {
  const roleArn = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principal.arn)
  const ids = new Set([principal.arn, principal.account, `arn:aws:iam::${principal.account}:root`])
  if (roleArn) ids.add(`arn:aws:iam::${roleArn[1] ?? ''}:role/${roleArn[2] ?? ''}`)
  return list(statement.principal).some((p) => p === '*' || ids.has(p))
}

/** A repository policy's decision for `principal` doing `action`. */
export function evaluateResource(
  statements: readonly ResourceStatement[],
  principal: Principal,
  action: string,
): Decision {
  let allowed = false
  for (const statement of statements) {
    if (!names(statement, principal)) continue
    if (!list(statement.action).some((a) => wildcardMatch(a, action, true))) continue
    if (statement.effect === 'Deny') return 'explicit-deny'
    allowed = true
  }
  return allowed ? 'allow' : 'implicit-deny'
}

/**
 * Why `principal` may not do `action` on `resource`, in AWS's words; undefined when it may.
 * Identity policy and the repository's policy: within one account either may allow, across
 * accounts both must; an explicit deny in either wins.
 */
export function denial(
  principal: Principal,
  action: string,
  resource: string,
  repository?: Pick<RepositoryRecord, 'account' | 'policy'>,
): string | undefined {
  const identity = evaluate(principal.permissions, action, resource)
  const resourceDecision = repository?.policy
    ? evaluateResource(repository.policy, principal, action)
    : 'implicit-deny'
  const head = `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`
  if (identity === 'explicit-deny') return `${head} with an explicit deny in an identity-based policy`
  if (resourceDecision === 'explicit-deny') return `${head} with an explicit deny in a resource-based policy`
  const resourceAccount = /^arn:aws:ecr:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? principal.account
  const crossAccount = resourceAccount !== principal.account
  if (crossAccount) {
    if (identity !== 'allow') return `${head} because no identity-based policy allows the ${action} action`
    if (resourceDecision !== 'allow')
      return `${head} because no resource-based policy allows the ${action} action`
    return undefined
  }
  if (identity === 'allow' || resourceDecision === 'allow') return undefined
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
