/** Shared types of the emulator. */

/** An IAM-style identity policy statement. Wildcards `*` and `?` in action and resource. */
export interface Statement {
  effect?: 'Allow' | 'Deny'
  action: string | readonly string[]
  resource: string | readonly string[]
}

export interface RoleSpec {
  /** `arn:aws:iam::<account>:role/<name>` (a path is allowed: `role/path/name`). */
  arn: string
  trust?: {
    /** `token.actions.githubusercontent.com:aud` StringEquals. Default `sts.amazonaws.com`. */
    aud?: string
    /** `token.actions.githubusercontent.com:sub` StringLike (`*`, `?`, case-sensitive). Omitted: any. */
    sub?: string
  }
  /** Seconds, 3600 by default (AWS's default), up to 43200. */
  maxSessionDuration?: number
  /**
   * Issue sessions this many seconds long whatever DurationSeconds asks (and say so in Expiration),
   * so that a test can see a role session expire during the scan wait without waiting 15 minutes.
   */
  sessionSeconds?: number
  permissions: Statement[]
}

export interface RoleRecord {
  arn: string
  account: string
  name: string
  roleId: string
  trust: { aud: string; sub?: string }
  maxSessionDuration: number
  sessionSeconds?: number
  permissions: Statement[]
}

export interface UserSpec {
  accessKeyId: string
  secretAccessKey: string
  account?: string
  name: string
  permissions: Statement[]
}

/** Who a signed request acts as. */
export interface Principal {
  kind: 'assumed-role' | 'user'
  arn: string
  account: string
  /** GetCallerIdentity UserId: `AROA...:<session>` or `AIDA...`. */
  userId: string
  permissions: Statement[]
}

/** A credential the emulator issued (session) or a test registered (user). */
export interface CredentialRecord {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
  /** Forced expiry by `emulator.expireCredentials()`. */
  expired?: boolean
  principal: Principal
}

export interface RepositoryRecord {
  account: string
  region: string
  name: string
  createdAt: Date
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE'
  scanOnPush: boolean
  encryption: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string }
  tags: { Key: string; Value: string }[]
  /** Free scenario state for other areas (scan, governance): e.g. `repo.ext.lifecyclePolicy`. */
  ext: Record<string, unknown>
}

export type ServiceName = 'sts' | 'ecr' | 'oidc'

export type Fault =
  | { kind: 'error'; status: number; code: string; message?: string }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }

export interface FaultSpec {
  service: ServiceName
  /** e.g. `AssumeRoleWithWebIdentity`, `DescribeImages`, `GetIdToken` (OIDC). Omitted: any. */
  operation?: string
  /** How many matching requests it hits. Default 1. */
  times?: number
  fault: Fault
}

export interface CallRecord {
  service: ServiceName
  operation: string
  at: Date
  requestId: string
  accessKeyId?: string
  principalArn?: string
  region?: string
  /** Parsed parameters; secrets (WebIdentityToken) replaced by `jti:<jti>`. */
  input: Record<string, unknown>
  status: number
  errorCode?: string
  errorMessage?: string
  /** The OIDC token's jti: issued (oidc) or presented (sts). */
  tokenJti?: string
  /** Set when the answer was an injected fault. */
  injected?: Fault['kind']
}

export interface OidcConfig {
  /** The bearer token the endpoint requires. */
  requestToken: string
  issuer: string
  /** Default `sub`. */
  sub: string
  /** Extra/override claims for every token (repository, ref, sha, run_id, ...). */
  claims: Record<string, unknown>
  /** Token lifetime; negative makes already-expired tokens. Default 300. */
  lifetimeSeconds: number
  /** Client IDs (audiences) registered on the IAM OIDC provider. Default ['sts.amazonaws.com']. */
  providerAudiences: string[]
}
