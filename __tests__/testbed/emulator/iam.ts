/** IAM-style identity policy evaluation and the least-privilege statements the action needs. */
import { AwsError } from './errors.ts'
import type { Principal, Statement } from './types.ts'
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

/** Throw ECR's AccessDeniedException unless `principal` may do `action` on `resource`. */
export function authorize(principal: Principal, action: string, resource: string): void {
  const decision = evaluate(principal.permissions, action, resource)
  if (decision === 'allow') return
  const why =
    decision === 'explicit-deny'
      ? `with an explicit deny in an identity-based policy`
      : `because no identity-based policy allows the ${action} action`
  throw new AwsError(
    'AccessDeniedException',
    `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
    400,
  )
}

export interface PushPermissionOptions {
  /** ecr:GetRegistryScanningConfiguration, ecr:BatchGetRepositoryScanningConfiguration. Default true. */
  scanDiscovery?: boolean
  /** ecr:CreateRepository, DescribeRepositories, Get/PutLifecyclePolicy. Default false. */
  governance?: boolean
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
  if (options.governance) {
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
