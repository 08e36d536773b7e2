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
    /** Whether the trust policy has the GitHub OIDC statement (sts:AssumeRoleWithWebIdentity). Default true. */
    webIdentity?: boolean
    /**
     * `{"AWS": [...]}` principals trusted for sts:AssumeRole (role chaining): role or user ARNs, or an
     * account (`123456789012` or `arn:aws:iam::123456789012:root`: then the caller's identity
     * policy must allow sts:AssumeRole on the role too, as IAM has it). Omitted: none.
     */
    principals?: string[]
    /** The sts:ExternalId the AssumeRole statement's StringEquals condition requires. */
    externalId?: string
    /** The AssumeRole statement also allows sts:TagSession (needed to pass session tags). Default false. */
    tagSession?: boolean
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
  trust: {
    aud: string
    sub?: string
    webIdentity: boolean
    principals: string[]
    externalId?: string
    tagSession: boolean
  }
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
  /** The role behind an assumed-role session (its ARN, path included). */
  roleArn?: string
  /**
   * The session policies (inline and managed, together) of a session that was given any: what the
   * session may do is what `permissions` AND these allow (an explicit deny in either wins).
   */
  sessionPolicy?: Statement[]
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

/** An IAM-style resource (repository) policy statement: who (`*`, an account ID or an ARN) may do what. */
export interface ResourceStatement {
  effect?: 'Allow' | 'Deny'
  principal: string | readonly string[]
  action: string | readonly string[]
}

export type ImageTagMutability =
  'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION'

export interface TagMutabilityExclusionFilter {
  filterType: 'WILDCARD'
  filter: string
}

export interface RepositoryRecord {
  account: string
  region: string
  name: string
  createdAt: Date
  imageTagMutability: ImageTagMutability
  /** Tags that are the exception to `imageTagMutability` (the `_WITH_EXCLUSION` settings). */
  imageTagMutabilityExclusionFilters?: TagMutabilityExclusionFilter[]
  /** The repository policy; another account's principals need it (identity policy AND this). */
  policy?: ResourceStatement[]
  scanOnPush: boolean
  encryption: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string }
  tags: { Key: string; Value: string }[]
  /** Free scenario state for other areas (scan, governance): e.g. `repo.ext.lifecyclePolicy`. */
  ext: Record<string, unknown>
  /** An ECR Public repository (no scanning, no settings: mutable tags, AES256). */
  public?: true
}

/**
 * `registry`: the ECR registry front (docker's side, `<account>.dkr.ecr.<region>.amazonaws.com`);
 * `inspector2`: Amazon Inspector (rest-json).
 */
export type ServiceName = 'sts' | 'ecr' | 'ecr-public' | 'oidc' | 'registry' | 'inspector2'

/** An account's public registry (ECR Public): its alias names it in `public.ecr.aws/<alias>`. */
export interface PublicRegistryRecord {
  account: string
  alias: string
  verified: boolean
}

/**
 * A bearer token the public registry's token endpoint handed out (the registry's own token flow:
 * docker and the action trade the ECR Public password for it). No principal: an anonymous token,
 * good for pulls only.
 */
export interface PublicBearerRecord {
  token: string
  principal?: Principal
  expiresAt: Date
  expired?: boolean
}

export type Fault =
  | { kind: 'error'; status: number; code: string; message?: string }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  /** Accept the request and never answer (until the emulator closes): a black hole. */
  | { kind: 'hang' }
  /**
   * Registry front only, on a layer part (UploadLayerPart): answer 201 as if the part were stored,
   * and throw it away (a chunked upload that silently dropped data: containers-roadmap #2831).
   */
  | { kind: 'drop' }
  /** Registry front only: read `bytes` of the request's body, store nothing, reset the connection. */
  | { kind: 'reset-after'; bytes: number }

export interface FaultSpec {
  service: ServiceName
  /**
   * e.g. `AssumeRoleWithWebIdentity`, `DescribeImages`, `GetIdToken` (OIDC); for the registry the
   * ECR action a request maps to (`InitiateLayerUpload`, `PutImage`, `Ping` for `/v2/`...). Omitted: any.
   */
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

/** A registry password GetAuthorizationToken handed out, and whose it is. */
export interface RegistryTokenRecord {
  /** `ecr`: GetAuthorizationToken of ECR (private registries); `ecr-public`: of ECR Public. */
  service: 'ecr' | 'ecr-public'
  password: string
  principal: Principal
  /** Region of the GetAuthorizationToken call: the token opens that region's registries only. */
  region: string
  issuedAt: Date
  expiresAt: Date
  /** Forced expiry by `emulator.expireRegistryTokens()`. */
  expired?: boolean
}

/** A repository creation template (`CreateRepositoryCreationTemplate`'s settings). */
export interface CreationTemplateRecord {
  account: string
  region: string
  /** `ROOT`, or a namespace prefix without the trailing slash (`prod` covers `prod/...`). */
  prefix: string
  appliedFor: ('CREATE_ON_PUSH' | 'PULL_THROUGH_CACHE' | 'REPLICATION')[]
  description?: string
  imageTagMutability?: ImageTagMutability
  imageTagMutabilityExclusionFilters?: TagMutabilityExclusionFilter[]
  encryptionConfiguration?: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string }
  resourceTags?: { Key: string; Value: string }[]
  lifecyclePolicy?: string
  repositoryPolicy?: string
  customRoleArn?: string
  createdAt: Date
  updatedAt: Date
}
