/** The emulator's mutable world: identities, credentials, repositories, faults, the request log. */
import type { OidcIssuer } from './oidc.ts'
import type { RegistryClient } from './registry-client.ts'
import type {
  CallRecord,
  CreationTemplateRecord,
  CredentialRecord,
  Fault,
  FaultSpec,
  PublicBearerRecord,
  PublicRegistryRecord,
  RegistryTokenRecord,
  RepositoryRecord,
  RoleRecord,
  ServiceName,
  Statement,
} from './types.ts'

/** The registry host of an account in a region, as ECR names it. */
export const ecrHostname = (account: string, region: string): string =>
  `${account}.dkr.ecr.${region}.amazonaws.com`

/** `<account>.dkr.ecr.<region>.amazonaws.com[:port]` -> account and region. */
export function parseRegistryHost(host: string): { account: string; region: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?::\d+)?$/.exec(
    host.toLowerCase(),
  )
  return m ? { account: m[1] as string, region: m[2] as string } : undefined
}

/**
 * The test bed's name for ECR Public's registry host (AWS: `public.ecr.aws`, which the test bed
 * must never take over on the machine). `.test` is reserved for testing (RFC 2606); the setup
 * script maps it to 127.0.0.1 (registry-hosts). The action never assumes a host: it takes the
 * registry URI from DescribeRegistries, as it must on AWS.
 */
export const PUBLIC_REGISTRY_HOSTNAME = 'public.ecr.test'

/** ECR's authorization token lifetime. */
export const REGISTRY_TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000

export interface EmulatorState {
  /** The account whose registry the real registry serves; the default for repositories. */
  account: string
  /** Default region of repositories created without one. */
  region: string
  /** Registry passwords GetAuthorizationToken handed out (the registry front maps each to its principal). */
  registryTokens: Map<string, RegistryTokenRecord>
  /** Lifetime of the next registry tokens (ECR: 12 h); scenarios make it short. */
  registryTokenLifetimeMs: number
  /** Repository creation templates (CREATE_ON_PUSH ones are applied by the registry front). */
  creationTemplates: CreationTemplateRecord[]
  roles: Map<string, RoleRecord>
  /** ECR Public: each account's public registry. */
  publicRegistries: Map<string, PublicRegistryRecord>
  /** ECR Public repositories (`region` us-east-1, `public: true`). */
  publicRepositories: RepositoryRecord[]
  /** Bearer tokens of the public registry's token endpoint. */
  publicBearerTokens: Map<string, PublicBearerRecord>
  /** IAM managed policies (for managed session policies), by ARN. */
  managedPolicies: Map<string, Statement[]>
  /** Issued session credentials and registered user keys, by access key id. */
  credentials: Map<string, CredentialRecord>
  repositories: RepositoryRecord[]
  /** First time the emulator saw an image: key `<account>/<repo>@<digest>`. */
  imageFirstSeen: Map<string, Date>
  /** Every OIDC token the token endpoint handed out (leak tests look for them in the action's output). */
  issuedIdTokens: string[]
  /** Free scenario state for areas added later (scan findings, registry scanning config, ...). */
  ext: Record<string, unknown>
}

export interface FaultRule {
  service: ServiceName
  operation?: string
  remaining: number
  fault: Fault
}

export class EmulatorCore {
  readonly state: EmulatorState
  readonly oidc: OidcIssuer
  readonly registry: RegistryClient | undefined
  readonly calls: CallRecord[] = []
  readonly faults: FaultRule[] = []
  /** Errors of the emulator itself (non-conforming answers, handler crashes). */
  readonly internalErrors: Error[] = []
  readonly log: (line: string) => void
  /** Port of the registry front once it listens (its hosts are `<account>.dkr.ecr.<region>.amazonaws.com:<port>`). */
  registryPort: number | undefined
  private readonly views = new Map<string, RegistryClient>()

  constructor(
    state: EmulatorState,
    oidc: OidcIssuer,
    registry: RegistryClient | undefined,
    log: (line: string) => void,
  ) {
    this.state = state
    this.oidc = oidc
    this.registry = registry
    this.log = log
  }

  /** The registry host of an account: the front's `<host>:<port>`, or ECR's name when there is no front. */
  registryHost(account: string, region: string): string {
    const name = ecrHostname(account, region)
    return this.registryPort === undefined ? name : `${name}:${this.registryPort}`
  }

  /** The public registry's host: `public.ecr.test:<front port>` (ECR Public: `public.ecr.aws`). */
  publicRegistryHost(): string {
    return this.registryPort === undefined
      ? PUBLIC_REGISTRY_HOSTNAME
      : `${PUBLIC_REGISTRY_HOSTNAME}:${this.registryPort}`
  }

  /** An account's public registry URI, as DescribeRegistries answers it: `<host>/<alias>`. */
  publicRegistryUri(account: string): string | undefined {
    const registry = this.state.publicRegistries.get(account)
    return registry === undefined ? undefined : `${this.publicRegistryHost()}/${registry.alias}`
  }

  /** The public repository of an account, when it exists. */
  findPublicRepository(account: string, name: string): RepositoryRecord | undefined {
    return this.state.publicRepositories.find((r) => r.account === account && r.name === name)
  }

  /** GetAuthorizationToken's proxyEndpoint for an account (the front speaks plain HTTP on loopback). */
  proxyEndpoint(account: string, region: string): string {
    return `${this.registryPort === undefined ? 'https' : 'http'}://${this.registryHost(account, region)}`
  }

  /**
   * Where an account's repository lives in the one real registry behind the front: the emulator's
   * own account and region keep their names, every other registry gets a namespace
   * `<account>.<region>/` so that the accounts never share a repository.
   */
  backendNamespace(account: string, region: string): string {
    return account === this.state.account && region === this.state.region ? '' : `${account}.${region}/`
  }

  /** The real registry seen as one account's registry (repository names without the namespace). */
  registryFor(account: string, region: string): RegistryClient | undefined {
    if (!this.registry) return undefined
    const namespace = this.backendNamespace(account, region)
    if (namespace === '') return this.registry
    let view = this.views.get(namespace)
    if (!view) {
      view = this.registry.withNamespace(namespace)
      this.views.set(namespace, view)
    }
    return view
  }

  /** The repository an ECR repository ARN names, when it exists. */
  repositoryByArn(arn: string): RepositoryRecord | undefined {
    const m = /^arn:aws:ecr:([^:]+):(\d{12}):repository\/(.+)$/.exec(arn)
    return m ? this.findRepository(m[2] as string, m[1] as string, m[3] as string) : undefined
  }

  inject(spec: FaultSpec): void {
    const rule: FaultRule = { service: spec.service, remaining: spec.times ?? 1, fault: spec.fault }
    if (spec.operation !== undefined) rule.operation = spec.operation
    this.faults.push(rule)
  }

  /** The next fault for this request, consumed. */
  takeFault(service: ServiceName, operation: string): Fault | undefined {
    const rule = this.faults.find(
      (r) =>
        r.remaining > 0 && r.service === service && (r.operation === undefined || r.operation === operation),
    )
    if (!rule) return undefined
    rule.remaining -= 1
    if (rule.remaining === 0) this.faults.splice(this.faults.indexOf(rule), 1)
    return rule.fault
  }

  record(call: CallRecord): void {
    this.calls.push(call)
    const who = call.principalArn ? ` ${call.principalArn}` : ''
    const err = call.errorCode ? ` ${call.errorCode}` : ''
    const jti = call.tokenJti ? ` jti=${call.tokenJti}` : ''
    this.log(`[emulator] ${call.service} ${call.operation} -> ${call.status}${err}${who}${jti}`)
  }

  bug(error: Error): void {
    this.internalErrors.push(error)
    console.error(error)
  }

  findRepository(account: string, region: string, name: string): RepositoryRecord | undefined {
    return this.state.repositories.find(
      (r) => r.account === account && r.region === region && r.name === name,
    )
  }
}
