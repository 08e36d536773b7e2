/**
 * The AWS emulator of the test bed: one HTTP server on 127.0.0.1 speaking GitHub's OIDC token
 * endpoint (`/oidc/token`), STS (awsQuery/XML, `/sts`), ECR (JSON 1.1, `/ecr`) and Amazon Inspector
 * (rest-json, `/inspector2`: GetConfiguration, see `inspector2.ts`).
 *
 * Extension points (for scan, governance and scenario state):
 * - ECR operations are a map `operationName -> { resources?, handle(ctx, input) }` (see
 *   `ecr/context.ts`). Add a file `ecr/<area>.ts` exporting `operations` and spread it into
 *   `defaultOperations()` in `ecr/index.ts`, or at run time `emulator.registerOperation(name, op)`.
 *   The dispatcher has already done SigV4, model validation of the input, IAM (`ecr:<Op>` on the
 *   resources) when the handler runs, and validates the handler's output against the model (a
 *   non-conforming answer is a 500 and lands in `emulator.internalErrors`). Timestamps are `Date`.
 * - Scenario state: `emulator.state.ext` (free-form, per area) and `RepositoryRecord.ext` (per
 *   repository); image helpers in `ecr/images.ts` (`listRepositoryImages`, `detailExtensions` to
 *   add ImageDetail fields such as imageScanStatus).
 * - Errors: throw `new AwsError(code, message, status?)`; each protocol renders it in its own form.
 * - Faults: `emulator.inject({service, operation?, times?, fault})` (error, reset, delay, hang);
 *   request log: `emulator.calls`.
 * - The registry front (`registry-front.ts`), started when a real registry is given: docker's side
 *   of ECR, one host per account (`emulator.registryHost(account)`), ECR tokens, IAM on every
 *   registry request, create on push (`emulator.addCreationTemplate`), token expiry
 *   (`emulator.setRegistryTokenLifetime`, `emulator.expireRegistryTokens`), request hooks
 *   (`emulator.onRegistryRequest`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { AwsError, EmulatorBug } from './errors.ts'
import { defaultOperations, createEcrService } from './ecr/index.ts'
import type { EcrOperation } from './ecr/context.ts'
import { GITHUB_ISSUER, OidcIssuer, type MintOptions } from './oidc.ts'
import { createOidcService, OIDC_PATH } from './oidc-service.ts'
import { listenLoopback, type Answer, type IncomingRequest, type ServiceProtocol } from './protocol.ts'
import { RegistryClient, type RegistryOptions } from './registry-client.ts'
import { startRegistryFront, type RegistryFront, type RegistryHook } from './registry-front.ts'
import { checkCreationTemplate } from './ecr/templates.ts'
import { EmulatorCore, REGISTRY_TOKEN_LIFETIME_MS, type EmulatorState } from './state.ts'
import { createStsService } from './sts.ts'
import { createInspectorService, INSPECTOR_PATH } from './inspector2.ts'
import { createEcrPublicService, ECR_PUBLIC_PATH } from './ecr-public.ts'
import type {
  CallRecord,
  CreationTemplateRecord,
  CredentialRecord,
  FaultSpec,
  ImageTagMutability,
  OidcConfig,
  PublicRegistryRecord,
  RepositoryRecord,
  ResourceStatement,
  RoleRecord,
  RoleSpec,
  ServiceName,
  Statement,
  TagMutabilityExclusionFilter,
  UserSpec,
} from './types.ts'
import { requestId, sleep, upperAlnum } from './util.ts'

export { AwsError } from './errors.ts'
export { publicPushPermissions, pushPermissions } from './iam.ts'
export { operation } from './ecr/context.ts'
export type { EcrContext, EcrOperation } from './ecr/context.ts'
export type * from './types.ts'
export type { EmulatorState } from './state.ts'
export { ecrHostname, parseRegistryHost, PUBLIC_REGISTRY_HOSTNAME } from './state.ts'
export { MIN_PART_BYTES, tagIsImmutable } from './registry-front.ts'
export type { RegistryFront, RegistryHook, RegistryRequestInfo } from './registry-front.ts'

export interface EmulatorOptions {
  /** The account the registry belongs to; default `123456789012`. */
  account?: string
  /** Region of repositories created without one; default `us-east-1`. */
  region?: string
  /**
   * The real registry: the registry front forwards to it (with its credentials, which never leave
   * the emulator); DescribeImages/BatchGetImage read it.
   */
  registry?: RegistryOptions
  oidc?: Partial<OidcConfig>
  /** Log lines (one per request); default: none. */
  log?: (line: string) => void
}

export interface CreateRepositoryOptions {
  name: string
  account?: string
  region?: string
  scanOnPush?: boolean
  imageTagMutability?: ImageTagMutability
  imageTagMutabilityExclusionFilters?: TagMutabilityExclusionFilter[]
  encryption?: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string }
  tags?: { Key: string; Value: string }[]
  /** The repository policy (needed for another account's principals). */
  policy?: ResourceStatement[]
}

export type CreationTemplateSpec = Omit<
  CreationTemplateRecord,
  'account' | 'region' | 'createdAt' | 'updatedAt'
> & {
  account?: string
  region?: string
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly env: {
    AWS_ENDPOINT_URL_STS: string
    AWS_ENDPOINT_URL_ECR: string
    AWS_ENDPOINT_URL_ECR_PUBLIC: string
    AWS_ENDPOINT_URL_INSPECTOR2: string
    ACTIONS_ID_TOKEN_REQUEST_URL: string
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: string
  }
  readonly state: EmulatorState
  /** The registry front; undefined when the emulator was started without a registry. */
  readonly registryFront: RegistryFront | undefined
  /** `<account>.dkr.ecr.<region>.amazonaws.com:<front port>` (defaults: the emulator's account and region). */
  registryHost(account?: string, region?: string): string
  /** ECR Public's registry host of the test bed: `public.ecr.test:<front port>` (AWS: `public.ecr.aws`). */
  publicRegistryHost(): string
  /** An account's public registry (default the emulator's account), named by its alias. */
  createPublicRegistry(options: { alias: string; account?: string; verified?: boolean }): PublicRegistryRecord
  /** A public repository in an account's public registry (which must exist). */
  createPublicRepository(options: {
    name: string
    account?: string
    policy?: ResourceStatement[]
  }): RepositoryRecord
  /** Add a repository creation template (CREATE_ON_PUSH ones make the front create repositories). */
  addCreationTemplate(spec: CreationTemplateSpec): CreationTemplateRecord
  /** Lifetime of registry tokens issued from now on (ECR: 12 h). */
  setRegistryTokenLifetime(seconds: number): void
  /** Make issued registry tokens expired (all, or those of one principal ARN). */
  expireRegistryTokens(principalArn?: string): void
  /** Run `hook` on every registry request before it is checked; returns the unsubscribe. */
  onRegistryRequest(hook: RegistryHook): () => void
  /** Mutable OIDC settings: sub, claims, lifetimeSeconds, providerAudiences, requestToken. */
  readonly oidc: OidcConfig
  readonly calls: CallRecord[]
  callsFor(service: ServiceName, operation?: string): CallRecord[]
  clearCalls(): void
  /** Errors of the emulator itself (non-conforming answers, handler crashes): assert it stays empty. */
  readonly internalErrors: Error[]
  addRole(spec: RoleSpec): RoleRecord
  addUser(spec: UserSpec): CredentialRecord
  /** An IAM managed policy (`arn:aws:iam::<account>:policy/<name>`, or `arn:aws:iam::aws:policy/...`), for `PolicyArns`. */
  addManagedPolicy(arn: string, statements: Statement[]): void
  createRepository(options: CreateRepositoryOptions): RepositoryRecord
  registerOperation(name: string, op: EcrOperation): void
  inject(fault: FaultSpec): void
  clearFaults(): void
  /** Make issued session credentials expired (one key, or all sessions). */
  expireCredentials(accessKeyId?: string): void
  /**
   * Mint an OIDC token directly (tests of STS): claim overrides, audience (default
   * `sts.amazonaws.com`), lifetime, forged key.
   */
  mintToken(claims?: Record<string, unknown>, options?: MintOptions): string
  close(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const account = options.account ?? '123456789012'
  const region = options.region ?? 'us-east-1'
  const registry = options.registry ? new RegistryClient(options.registry) : undefined
  const state: EmulatorState = {
    account,
    region,
    registryTokens: new Map(),
    registryTokenLifetimeMs: REGISTRY_TOKEN_LIFETIME_MS,
    creationTemplates: [],
    roles: new Map(),
    managedPolicies: new Map(),
    publicRegistries: new Map(),
    publicRepositories: [],
    publicBearerTokens: new Map(),
    credentials: new Map(),
    repositories: [],
    imageFirstSeen: new Map(),
    issuedIdTokens: [],
    ext: {},
  }
  const oidcConfig: OidcConfig = {
    requestToken: options.oidc?.requestToken ?? `ghs_${upperAlnum(36)}`,
    issuer: options.oidc?.issuer ?? GITHUB_ISSUER,
    sub: options.oidc?.sub ?? 'repo:acme/widget:ref:refs/heads/main',
    claims: options.oidc?.claims ?? {},
    lifetimeSeconds: options.oidc?.lifetimeSeconds ?? 300,
    providerAudiences: options.oidc?.providerAudiences ?? ['sts.amazonaws.com'],
  }
  const core = new EmulatorCore(state, new OidcIssuer(oidcConfig), registry, options.log ?? (() => {}))
  const ecrOperations = defaultOperations()
  const services: Record<Exclude<ServiceName, 'registry'>, ServiceProtocol> = {
    oidc: createOidcService(core),
    sts: createStsService(core),
    ecr: createEcrService(core, ecrOperations),
    'ecr-public': createEcrPublicService(core),
    inspector2: createInspectorService(core),
  }

  const route = (req: IncomingMessage): ServiceProtocol | undefined => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === OIDC_PATH) return services.oidc
    if (path === '/sts' || path.startsWith('/sts/')) return services.sts
    if (path === '/ecr' || path.startsWith('/ecr/')) return services.ecr
    if (path === ECR_PUBLIC_PATH || path.startsWith(`${ECR_PUBLIC_PATH}/`)) return services['ecr-public']
    const target = req.headers['x-amz-target']
    if (typeof target === 'string' && target.startsWith('SpencerFrontendService.'))
      return services['ecr-public']
    if (path === INSPECTOR_PATH || path.startsWith(`${INSPECTOR_PATH}/`)) return services.inspector2
    if (typeof req.headers['x-amz-target'] === 'string') return services.ecr
    if (req.method === 'POST') return services.sts
    return undefined
  }

  const send = (res: ServerResponse, answer: Answer): void => {
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) })
    res.end(answer.body)
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const service = route(req)
    if (!service) {
      send(res, { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' })
      return
    }
    const request: IncomingRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
    }
    const parsed = service.parse(request)
    const call: CallRecord = {
      service: service.name,
      operation: parsed.operation,
      at: new Date(),
      requestId: requestId(),
      input: parsed.input,
      status: 0,
    }
    if (parsed.tokenJti !== undefined) call.tokenJti = parsed.tokenJti
    const fault = core.takeFault(service.name, parsed.operation)
    if (fault?.kind === 'hang') {
      call.injected = 'hang'
      core.record(call)
      return
    }
    if (fault?.kind === 'reset') {
      call.injected = 'reset'
      call.errorCode = 'ConnectionReset'
      core.record(call)
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'delay') {
      call.injected = 'delay'
      await sleep(fault.ms)
    }
    let answer: Answer
    try {
      if (fault?.kind === 'error') {
        call.injected = 'error'
        throw new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, fault.status)
      }
      answer = await service.handle(request, call)
    } catch (error) {
      let aws: AwsError
      if (error instanceof AwsError) {
        aws = error
      } else {
        const bug =
          error instanceof EmulatorBug
            ? error
            : new EmulatorBug(error instanceof Error ? (error.stack ?? error.message) : String(error))
        core.bug(bug)
        aws = new AwsError(service.name === 'sts' ? 'InternalFailure' : 'ServerException', bug.message, 500)
      }
      call.errorCode = aws.code
      call.errorMessage = aws.message
      answer = service.errorAnswer(aws, call.requestId)
    }
    call.status = answer.status
    core.record(call)
    if (!res.destroyed) send(res, answer)
  }

  const { server, port } = await listenLoopback(serve, (e) => core.bug(e))
  const url = `http://127.0.0.1:${port}`
  const hooks: RegistryHook[] = []
  let front: RegistryFront | undefined
  if (registry) {
    try {
      front = await startRegistryFront(core, registry, hooks)
    } catch (err) {
      server.close()
      throw err
    }
    core.registryPort = front.port
  }

  const emulator: Emulator = {
    url,
    env: {
      AWS_ENDPOINT_URL_STS: `${url}/sts`,
      AWS_ENDPOINT_URL_ECR: `${url}/ecr`,
      AWS_ENDPOINT_URL_ECR_PUBLIC: `${url}${ECR_PUBLIC_PATH}`,
      AWS_ENDPOINT_URL_INSPECTOR2: `${url}${INSPECTOR_PATH}`,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${url}${OIDC_PATH}?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidcConfig.requestToken,
    },
    state,
    registryFront: front,
    registryHost: (a = account, r = region) => core.registryHost(a, r),
    publicRegistryHost: () => core.publicRegistryHost(),
    createPublicRegistry(opts) {
      if (!/^[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(opts.alias) || opts.alias.length > 50)
        throw new Error(`createPublicRegistry: not a registry alias: ${opts.alias}`)
      const record: PublicRegistryRecord = {
        account: opts.account ?? account,
        alias: opts.alias,
        verified: opts.verified ?? false,
      }
      state.publicRegistries.set(record.account, record)
      return record
    },
    createPublicRepository(opts) {
      const owner = opts.account ?? account
      if (!state.publicRegistries.has(owner))
        throw new Error(
          `createPublicRepository: account ${owner} has no public registry (createPublicRegistry)`,
        )
      if (core.findPublicRepository(owner, opts.name))
        throw new Error(`createPublicRepository: ${opts.name} already exists in ${owner}`)
      const repo: RepositoryRecord = {
        account: owner,
        region: 'us-east-1',
        name: opts.name,
        createdAt: new Date(),
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
        encryption: { encryptionType: 'AES256' },
        tags: [],
        ext: {},
        public: true,
        ...(opts.policy ? { policy: opts.policy } : {}),
      }
      state.publicRepositories.push(repo)
      return repo
    },
    addCreationTemplate(spec) {
      const now = new Date()
      const record: CreationTemplateRecord = {
        ...spec,
        prefix: spec.prefix === 'ROOT' ? 'ROOT' : spec.prefix.replace(/\/+$/, ''),
        account: spec.account ?? account,
        region: spec.region ?? region,
        createdAt: now,
        updatedAt: now,
      }
      checkCreationTemplate(record)
      const same = state.creationTemplates.findIndex(
        (t) => t.account === record.account && t.region === record.region && t.prefix === record.prefix,
      )
      if (same >= 0) throw new Error(`addCreationTemplate: prefix ${record.prefix} already has a template`)
      state.creationTemplates.push(record)
      return record
    },
    setRegistryTokenLifetime(seconds) {
      state.registryTokenLifetimeMs = seconds * 1000
    },
    expireRegistryTokens(principalArn) {
      for (const t of state.registryTokens.values())
        if (principalArn === undefined || t.principal.arn === principalArn) t.expired = true
      for (const t of state.publicBearerTokens.values())
        if (principalArn === undefined || t.principal?.arn === principalArn) t.expired = true
    },
    onRegistryRequest(hook) {
      hooks.push(hook)
      return () => {
        const i = hooks.indexOf(hook)
        if (i >= 0) hooks.splice(i, 1)
      }
    },
    oidc: oidcConfig,
    calls: core.calls,
    callsFor: (service, operation) =>
      core.calls.filter(
        (c) => c.service === service && (operation === undefined || c.operation === operation),
      ),
    clearCalls: () => {
      core.calls.length = 0
    },
    internalErrors: core.internalErrors,
    addRole(spec) {
      const match = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(spec.arn)
      if (!match) throw new Error(`addRole: not a role ARN: ${spec.arn}`)
      const role: RoleRecord = {
        arn: spec.arn,
        account: match[1] as string,
        name: match[2] as string,
        roleId: `AROA${upperAlnum(17)}`,
        trust: {
          aud: spec.trust?.aud ?? 'sts.amazonaws.com',
          ...(spec.trust?.sub !== undefined ? { sub: spec.trust.sub } : {}),
          webIdentity: spec.trust?.webIdentity ?? true,
          principals: spec.trust?.principals ?? [],
          tagSession: spec.trust?.tagSession ?? false,
          ...(spec.trust?.externalId !== undefined ? { externalId: spec.trust.externalId } : {}),
        },
        maxSessionDuration: spec.maxSessionDuration ?? 3600,
        permissions: spec.permissions,
      }
      if (spec.sessionSeconds !== undefined) role.sessionSeconds = spec.sessionSeconds
      state.roles.set(role.arn, role)
      return role
    },
    addManagedPolicy(policyArn, statements) {
      if (!/^arn:aws:iam::(\d{12}|aws):policy\/.+$/.test(policyArn))
        throw new Error(`addManagedPolicy: not a policy ARN: ${policyArn}`)
      state.managedPolicies.set(policyArn, statements)
    },
    addUser(spec) {
      const userAccount = spec.account ?? account
      const credential: CredentialRecord = {
        accessKeyId: spec.accessKeyId,
        secretAccessKey: spec.secretAccessKey,
        principal: {
          kind: 'user',
          arn: `arn:aws:iam::${userAccount}:user/${spec.name}`,
          account: userAccount,
          userId: `AIDA${upperAlnum(17)}`,
          permissions: spec.permissions,
        },
      }
      state.credentials.set(spec.accessKeyId, credential)
      return credential
    },
    createRepository(opts) {
      const repo: RepositoryRecord = {
        account: opts.account ?? account,
        region: opts.region ?? region,
        name: opts.name,
        createdAt: new Date(),
        imageTagMutability: opts.imageTagMutability ?? 'MUTABLE',
        scanOnPush: opts.scanOnPush ?? false,
        encryption: opts.encryption ?? { encryptionType: 'AES256' },
        tags: opts.tags ?? [],
        ext: {},
      }
      if (opts.imageTagMutabilityExclusionFilters)
        repo.imageTagMutabilityExclusionFilters = opts.imageTagMutabilityExclusionFilters
      if (opts.policy) repo.policy = opts.policy
      if (core.findRepository(repo.account, repo.region, repo.name)) {
        throw new Error(`createRepository: ${repo.name} already exists in ${repo.account}/${repo.region}`)
      }
      state.repositories.push(repo)
      return repo
    },
    registerOperation(name, op) {
      ecrOperations.set(name, op)
    },
    inject: (fault) => core.inject(fault),
    clearFaults: () => {
      core.faults.length = 0
    },
    expireCredentials(accessKeyId) {
      for (const credential of state.credentials.values()) {
        if (
          accessKeyId === undefined
            ? credential.sessionToken !== undefined
            : credential.accessKeyId === accessKeyId
        ) {
          credential.expired = true
        }
      }
    },
    mintToken: (claims, mintOptions) =>
      core.oidc.mint(claims, { audience: 'sts.amazonaws.com', ...mintOptions }).token,
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
        front?.close(),
      ])
    },
  }
  return emulator
}
