/** The emulator's mutable world: identities, credentials, repositories, faults, the request log. */
import type { OidcIssuer } from './oidc.ts'
import type { RegistryClient } from './registry-client.ts'
import type {
  CallRecord,
  CredentialRecord,
  Fault,
  FaultSpec,
  RepositoryRecord,
  RoleRecord,
  ServiceName,
} from './types.ts'

export interface EmulatorState {
  /** The account whose registry the real registry serves; the default for repositories. */
  account: string
  /** Default region of repositories created without one. */
  region: string
  /** Registry host in repository URIs (the real registry's host:port, or the ECR host form). */
  registryHost: string
  /** Password the ECR token carries (the real registry's). */
  registryPassword: string
  /** ECR proxyEndpoint. */
  proxyEndpoint: string
  roles: Map<string, RoleRecord>
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
