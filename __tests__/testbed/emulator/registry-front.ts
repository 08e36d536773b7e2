/**
 * The ECR registry front: what docker talks to, in front of the real CNCF registry.
 *
 * One HTTP server on 127.0.0.1 serves every account's registry, by the `Host` docker sends
 * (`<account>.dkr.ecr.<region>.amazonaws.com:<port>`, as ECR serves them by name). Each request is
 * authenticated with a token GetAuthorizationToken issued (basic auth `AWS:<password>`), mapped to
 * the ECR action ECR authorises it as, checked against the principal's identity policy and the
 * repository's policy, then forwarded to the real registry under the account's namespace with the
 * registry's own credentials, which only the emulator knows. ECR's answers where they differ from a
 * plain registry (sources: the ECR user guide, the distribution spec, ECR users' reports):
 *
 * - no `Authorization`: 401 `Not Authorized`, `WWW-Authenticate: Basic realm=...,service="ecr.amazonaws.com"`;
 *   a password ECR did not issue, or one issued for another region: 400; an expired one: 403
 *   `DENIED` "Your authorization token has expired. Reauthenticate and try again."
 * - not allowed: 403 `DENIED` "User: <arn> is not authorized to perform: ecr:<Action> on resource:
 *   <repository ARN> because no identity-based policy allows the ecr:<Action> action".
 * - no such repository: 404 `NAME_UNKNOWN` "The repository with name '<name>' does not exist in the
 *   registry with id '<account>'", unless a CREATE_ON_PUSH creation template covers it (then the
 *   first write creates it, with `ecr:CreateRepository` of the pusher).
 * - an existing tag that is immutable (IMMUTABLE, or the `_WITH_EXCLUSION` forms and their filters):
 *   400 `TAG_INVALID` "The image tag '<tag>' already exists in the '<name>' repository and cannot be
 *   overwritten because the tag is immutable." (the same manifest again included).
 * - uploads: the upload URL is ECR's own (`/v2/<name>/blobs/uploads/<uuid>`); PATCH answers 201 (as
 *   ECR does; docker accepts any 2xx); parts other than the last must be at least 5 MiB; the digest
 *   is checked against the bytes received when the upload completes; cross-repository mounts only
 *   as ECR does them, with its BLOB_MOUNTING setting on (`state.ext.blobMounting`), else the upload
 *   starts afresh (202, as the spec allows).
 * - layers are served directly (ECR redirects to S3).
 *
 * Every request lands in `emulator.calls` as service `registry`, operation = the ECR action (or
 * `Ping` for `/v2/`); faults (`emulator.inject({ service: 'registry', ... })`) and hooks
 * (`emulator.onRegistryRequest`) apply as to the other services.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto'
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenLoopback } from './protocol.ts'
import { denial } from './iam.ts'
import { checkRegistryAuthorization } from './registry-tokens.ts'
import { MEDIA_TYPES, type RegistryClient } from './registry-client.ts'
import { ecrHostname, parseRegistryHost, type EmulatorCore } from './state.ts'
import { createOnPush } from './ecr/templates.ts'
import { publicRepositoryArn } from './ecr-public.ts'
import {
  checkPublicBearer,
  isPublicRegistryHost,
  publicChallenge,
  publicTokenAnswer,
} from './public-registry.ts'
import type { CallRecord, Principal, RepositoryRecord } from './types.ts'
import { requestId, sleep, wildcardMatch } from './util.ts'

/** ECR's minimum size of a layer part that is not the last (S3 multipart). */
export const MIN_PART_BYTES = 5 * 1024 * 1024

const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const SHA256 = /^sha256:[a-f0-9]{64}$/

/** What a hook sees of a registry request, before anything is checked. */
export interface RegistryRequestInfo {
  operation: string
  method: string
  path: string
  account?: string
  region?: string
  repository?: string
}

export type RegistryHook = (info: RegistryRequestInfo) => void | Promise<void>

export interface RegistryFront {
  readonly port: number
  /** Uploads in progress (front id -> state), for tests of the upload rules. */
  readonly uploads: ReadonlyMap<string, Upload>
  close(): Promise<void>
}

/**
 * One registry as the front serves it: an account's private registry in a region (ECR), or an
 * account's public registry (ECR Public, `<public host>/<alias>`).
 */
interface RegistryView {
  account: string
  region: string
  /** The IAM service prefix of its actions. */
  service: 'ecr' | 'ecr-public'
  /** Prefix of its repositories in the real registry. */
  namespace: string
  /** The repository's own name, from the name the path gives ('' when the path names none). */
  repository(pathName: string): string
  arn(repository: string): string
  find(repository: string): RepositoryRecord | undefined
  /** Pulls need no permission (public repositories). */
  openReads: boolean
}

/** The registry requests that read. */
const READS = new Set(['BatchGetImage', 'GetDownloadUrlForLayer', 'ListImages'])

interface Route {
  operation: string
  kind: 'ping' | 'catalog' | 'tags' | 'manifest' | 'blob' | 'upload-start' | 'upload' | 'token' | 'unknown'
  name?: string
  reference?: string
  uploadId?: string
}

export interface Upload {
  id: string
  account: string
  region: string
  name: string
  /** The real registry's upload URL (path and query), advanced after every part. */
  backendLocation: string
  received: number
  parts: number[]
  hash: Hash
}

class RegistryError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

function route(method: string, path: string): Route {
  if (path === '/v2/' || path === '/v2') return { operation: 'Ping', kind: 'ping' }
  if (path === '/token') return { operation: 'GetBearerToken', kind: 'token' }
  if (path === '/v2/_catalog') return { operation: 'DescribeRepositories', kind: 'catalog' }
  const m = /^\/v2\/(.+?)\/(tags\/list|manifests\/([^/]+)|blobs\/uploads\/([^/]*)|blobs\/([^/]+))$/.exec(path)
  if (!m) return { operation: 'Unknown', kind: 'unknown' }
  const name = m[1] as string
  if (m[2] === 'tags/list') return { operation: 'ListImages', kind: 'tags', name }
  if (m[3] !== undefined) {
    const operation =
      method === 'PUT' ? 'PutImage' : method === 'DELETE' ? 'BatchDeleteImage' : 'BatchGetImage'
    return { operation, kind: 'manifest', name, reference: decodeURIComponent(m[3]) }
  }
  if (m[4] !== undefined) {
    if (m[4] === '') return { operation: 'InitiateLayerUpload', kind: 'upload-start', name }
    const operation = method === 'PUT' ? 'CompleteLayerUpload' : 'UploadLayerPart'
    return { operation, kind: 'upload', name, uploadId: m[4] }
  }
  const operation = method === 'HEAD' ? 'BatchCheckLayerAvailability' : 'GetDownloadUrlForLayer'
  return { operation, kind: 'blob', name, reference: decodeURIComponent(m[5] as string) }
}

/** Reads at least `bytes` of a request's body (or all of it, when shorter). */
async function readSome(req: IncomingMessage, bytes: number): Promise<void> {
  let seen = 0
  for await (const chunk of req) {
    seen += (chunk as Buffer).length
    if (seen >= bytes) return
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

interface BackendAnswer {
  status: number
  headers: IncomingMessage['headers']
  body: Buffer
}

/** Whether a tag is immutable in a repository, exclusions included. */
export function tagIsImmutable(
  repo: Pick<RepositoryRecord, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'>,
  tag: string,
): boolean {
  const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => wildcardMatch(f.filter, tag))
  switch (repo.imageTagMutability) {
    case 'MUTABLE':
      return false
    case 'IMMUTABLE':
      return true
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded
  }
}

export async function startRegistryFront(
  core: EmulatorCore,
  registry: RegistryClient,
  hooks: RegistryHook[],
): Promise<RegistryFront> {
  const uploads = new Map<string, Upload>()
  const backendUrl = new URL(registry.url)

  /** One request to the real registry, answer buffered. */
  const backend = (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<BackendAnswer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: backendUrl.hostname,
          port: backendUrl.port,
          method,
          path,
          headers: {
            authorization: registry.authorization,
            ...headers,
            ...(body !== undefined ? { 'content-length': String(body.length) } : {}),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          )
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`registry ${method} ${path}: no answer in 60 s`)))
      req.on('error', reject)
      req.end(body)
    })

  const send = (
    res: ServerResponse,
    call: CallRecord,
    status: number,
    headers: Record<string, string | string[]>,
    body: Buffer | string = '',
    head = false,
  ): void => {
    call.status = status
    const buf = Buffer.from(body)
    res.writeHead(status, {
      'docker-distribution-api-version': 'registry/2.0',
      ...headers,
      'content-length': String(buf.length),
    })
    res.end(head ? undefined : buf)
  }

  const sendError = (res: ServerResponse, call: CallRecord, err: RegistryError, head: boolean): void => {
    call.errorCode = err.code
    call.errorMessage = err.message
    send(
      res,
      call,
      err.status,
      { 'content-type': 'application/json; charset=utf-8' },
      `${JSON.stringify({ errors: [{ code: err.code, message: err.message }] })}\n`,
      head,
    )
  }

  /** A backend answer passed on, with the backend's names rewritten to the front's. */
  const relay = (
    res: ServerResponse,
    call: CallRecord,
    answer: BackendAnswer,
    rename: (text: string) => string,
    head: boolean,
  ): void => {
    const headers: Record<string, string> = {}
    for (const key of [
      'content-type',
      'docker-content-digest',
      'etag',
      'link',
      'location',
      'range',
      'docker-upload-uuid',
    ]) {
      const v = answer.headers[key]
      if (typeof v === 'string') headers[key] = key === 'location' || key === 'link' ? rename(v) : v
    }
    if (answer.status >= 400) {
      const text = answer.body.toString('utf8')
      call.errorCode = /"code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1] ?? `HTTP ${answer.status}`
    }
    // Only listings and errors name the repository; manifests and blobs pass byte for byte.
    const renamed = call.operation === 'ListImages' || answer.status >= 400
    const body = renamed ? Buffer.from(rename(answer.body.toString('utf8'))) : answer.body
    call.status = answer.status
    res.writeHead(answer.status, {
      'docker-distribution-api-version': 'registry/2.0',
      ...headers,
      'content-length': String(head ? Number(answer.headers['content-length'] ?? body.length) : body.length),
    })
    res.end(head ? undefined : body)
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET'
    const head = method === 'HEAD'
    const url = new URL(req.url ?? '/', 'http://front.invalid')
    const r = route(method, url.pathname)
    const hostHeader = req.headers.host ?? ''
    const target = parseRegistryHost(hostHeader)
    const call: CallRecord = {
      service: 'registry',
      operation: r.operation,
      at: new Date(),
      requestId: requestId(),
      input: {
        method,
        path: url.pathname,
        host: hostHeader,
        ...(r.name !== undefined ? { repositoryName: r.name } : {}),
      },
      status: 0,
    }
    if (r.reference !== undefined) call.input.reference = r.reference
    const finish = (): void => core.record(call)
    try {
      const info: RegistryRequestInfo = { operation: r.operation, method, path: url.pathname }
      if (target) Object.assign(info, target)
      if (r.name !== undefined) info.repository = r.name
      for (const hook of hooks) await hook(info)

      const fault = core.takeFault('registry', r.operation)
      if (fault?.kind === 'hang') {
        call.injected = 'hang'
        finish()
        req.resume()
        return
      }
      if (fault?.kind === 'reset') {
        call.injected = 'reset'
        call.errorCode = 'ConnectionReset'
        finish()
        req.socket.destroy()
        return
      }
      if (fault?.kind === 'reset-after') {
        call.injected = 'reset-after'
        call.errorCode = 'ConnectionReset'
        finish()
        const socket = req.socket
        await readSome(req, fault.bytes)
        socket.destroy()
        return
      }
      if (fault?.kind === 'delay') {
        call.injected = 'delay'
        await sleep(fault.ms)
      }
      if (fault?.kind === 'drop') call.injected = 'drop'
      const body = await readBody(req)
      if (fault?.kind === 'error') {
        call.injected = 'error'
        throw new RegistryError(fault.status, fault.code, fault.message ?? `Injected ${fault.code}`)
      }
      if (isPublicRegistryHost(hostHeader)) {
        await servePublic(req, res, call, r, url, body, head)
        return
      }
      if (!target) {
        throw new RegistryError(
          400,
          'UNSUPPORTED',
          `'${hostHeader}' is not a registry host of this emulator: use ${ecrHostname('<account>', '<region>')}:${core.registryPort ?? '<port>'}`,
        )
      }
      const now = new Date()
      const auth = checkRegistryAuthorization(core.state, req.headers.authorization, target.region, now)
      if (!auth.ok) {
        call.errorCode = auth.reason
        if (auth.reason === 'missing') {
          send(
            res,
            call,
            401,
            {
              'content-type': 'text/plain; charset=utf-8',
              'www-authenticate': `Basic realm="https://${ecrHostname(target.account, target.region)}/",service="ecr.amazonaws.com"`,
            },
            'Not Authorized\n',
            head,
          )
          return
        }
        if (auth.reason === 'expired') {
          throw new RegistryError(
            403,
            'DENIED',
            'Your authorization token has expired. Reauthenticate and try again.',
          )
        }
        send(res, call, 400, { 'content-type': 'text/plain; charset=utf-8' }, 'Bad Request\n', head)
        return
      }
      const principal = auth.token.principal
      call.principalArn = principal.arn
      call.region = target.region
      await dispatch(
        req,
        res,
        call,
        r,
        privateView(target.account, target.region),
        principal,
        url,
        body,
        head,
      )
    } catch (err) {
      if (err instanceof RegistryError) {
        if (!res.headersSent) sendError(res, call, err, head)
      } else {
        core.bug(err instanceof Error ? err : new Error(String(err)))
        call.errorCode = 'InternalError'
        if (!res.headersSent) sendError(res, call, new RegistryError(500, 'UNKNOWN', 'emulator error'), head)
        else res.destroy()
      }
    } finally {
      if (call.injected !== 'hang' && call.injected !== 'reset' && call.injected !== 'reset-after') finish()
    }
  }

  /** An account's private registry in a region. */
  const privateView = (account: string, region: string): RegistryView => ({
    account,
    region,
    service: 'ecr',
    namespace: core.backendNamespace(account, region),
    repository: (pathName) => pathName,
    arn: (repo) => `arn:aws:ecr:${region}:${account}:repository/${repo}`,
    find: (repo) => core.findRepository(account, region, repo),
    openReads: false,
  })

  /**
   * The public registry (ECR Public): the registry's own token flow, then the path's alias names
   * the account whose public repository it is (`/v2/<alias>/<repository>/...`).
   */
  const servePublic = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
    r: Route,
    url: URL,
    body: Buffer,
    head: boolean,
  ): Promise<void> => {
    const host = req.headers.host ?? ''
    call.region = 'us-east-1'
    if (r.kind === 'token') {
      const answer = publicTokenAnswer(core.state, req.headers.authorization, url, host, new Date())
      call.status = answer.status
      if (answer.principal) call.principalArn = answer.principal.arn
      if (answer.status !== 200) call.errorCode = 'UNAUTHORIZED'
      send(res, call, answer.status, answer.headers, answer.body)
      return
    }
    const auth = checkPublicBearer(core.state, req.headers.authorization, new Date())
    if (!auth.ok) {
      call.errorCode = auth.reason
      if (auth.reason === 'missing') {
        send(
          res,
          call,
          401,
          { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': publicChallenge(host) },
          `${JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] })}\n`,
          head,
        )
        return
      }
      // What ECR Public answers: 400, not 401, and no challenge (containers-roadmap #2835; a
      // Basic header is "invalid" there, users' reports).
      throw new RegistryError(
        400,
        'DENIED',
        auth.reason === 'expired'
          ? 'Your Authorization Token has expired.'
          : 'Your Authorization Token is invalid.',
      )
    }
    const principal = auth.token.principal
    if (principal) call.principalArn = principal.arn
    if (r.kind === 'ping' || r.kind === 'unknown' || r.kind === 'catalog') {
      await dispatch(req, res, call, r, publicView('', ''), principal, url, body, head)
      return
    }
    const alias = (r.name ?? '').split('/')[0] ?? ''
    const registry = [...core.state.publicRegistries.values()].find((x) => x.alias === alias)
    if (!registry) {
      throw new RegistryError(
        404,
        'NAME_UNKNOWN',
        `The repository with name '${r.name ?? ''}' does not exist`,
      )
    }
    await dispatch(req, res, call, r, publicView(registry.account, alias), principal, url, body, head)
  }

  /** An account's public registry, its alias the path's first segment. */
  const publicView = (account: string, alias: string): RegistryView => ({
    account,
    region: 'us-east-1',
    service: 'ecr-public',
    namespace: `public/${account}/`,
    repository: (pathName) => (pathName.startsWith(`${alias}/`) ? pathName.slice(alias.length + 1) : ''),
    arn: (repo) => publicRepositoryArn(account, repo),
    find: (repo) => core.findPublicRepository(account, repo),
    openReads: true,
  })

  const dispatch = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
    r: Route,
    view: RegistryView,
    principal: Principal | undefined,
    url: URL,
    body: Buffer,
    head: boolean,
  ): Promise<void> => {
    const { account, region } = view
    const ns = view.namespace
    if (r.kind === 'ping') {
      send(res, call, 200, { 'content-type': 'application/json; charset=utf-8' }, '{}\n', head)
      return
    }
    if (r.kind === 'unknown')
      throw new RegistryError(
        404,
        'UNSUPPORTED',
        `${call.input.method as string} ${url.pathname} is not supported`,
      )
    const authorizeOn = (action: string, resource: string, repo?: RepositoryRecord): void => {
      // ECR Public: anyone may pull from a public repository; only writes are IAM's.
      if (view.openReads && READS.has(action)) return
      if (principal === undefined) throw new RegistryError(401, 'UNAUTHORIZED', 'authentication required')
      const why = denial(principal, `${view.service}:${action}`, resource, repo)
      if (why !== undefined) throw new RegistryError(403, 'DENIED', why)
    }
    if (r.kind === 'catalog') {
      if (view.service !== 'ecr')
        throw new RegistryError(404, 'UNSUPPORTED', 'GET /v2/_catalog is not supported')
      authorizeOn('DescribeRepositories', `arn:aws:ecr:${region}:${account}:repository/*`)
      const names = core.state.repositories
        .filter((x) => x.account === account && x.region === region)
        .map((x) => x.name)
        .sort()
      send(
        res,
        call,
        200,
        { 'content-type': 'application/json; charset=utf-8' },
        `${JSON.stringify({ repositories: names })}\n`,
        head,
      )
      return
    }
    // `name`: the repository as the path names it (ECR Public: `<alias>/<repository>`).
    const name = r.name as string
    const repoName = view.repository(name)
    if (repoName.length < 2 || repoName.length > 256 || !REPOSITORY_NAME.test(repoName)) {
      throw new RegistryError(400, 'NAME_INVALID', `Invalid repository name '${name}'`)
    }
    const arn = view.arn(repoName)
    let repo = view.find(repoName)
    authorizeOn(r.operation, arn, repo)
    if (r.kind === 'upload' && url.searchParams.get('digest') !== null && body.length > 0)
      authorizeOn('UploadLayerPart', arn, repo)
    const notFound = (): RegistryError =>
      new RegistryError(
        404,
        'NAME_UNKNOWN',
        `The repository with name '${repoName}' does not exist in the registry with id '${account}'`,
      )
    if (!repo) {
      if (r.kind === 'blob' && head) {
        // HEAD has no body: docker reads any 404 as "not there yet" and goes on to the upload.
        send(res, call, 404, {}, '', true)
        call.errorCode = 'NAME_UNKNOWN'
        return
      }
      const firstWrite = r.kind === 'upload-start' || (r.kind === 'manifest' && r.operation === 'PutImage')
      const created =
        firstWrite && view.service === 'ecr' && principal
          ? createOnPush(core, principal, account, region, name)
          : undefined
      if (created === undefined) throw notFound()
      if ('denied' in created) throw new RegistryError(403, 'DENIED', created.denied)
      repo = created.created
    }
    const backendName = `${ns}${repoName}`
    const rename = (text: string): string =>
      text
        .split(`${backendUrl.origin}/v2/${backendName}/`)
        .join(`/v2/${name}/`)
        .split(`/v2/${backendName}/`)
        .join(`/v2/${name}/`)
        .split(`"name":"${backendName}"`)
        .join(`"name":"${name}"`)
    const forwardHeaders = (keys: string[]): Record<string, string> => {
      const out: Record<string, string> = {}
      for (const k of keys) {
        const v = req.headers[k]
        if (typeof v === 'string') out[k] = v
      }
      return out
    }

    // The repository exists (ECR's word), so the real registry not knowing it yet means "empty".
    const backendCode = (a: BackendAnswer): string | undefined =>
      a.status === 404 ? /"code"\s*:\s*"([A-Z_]+)"/.exec(a.body.toString('utf8'))?.[1] : undefined
    const imageNotFound = (): RegistryError =>
      new RegistryError(404, 'MANIFEST_UNKNOWN', 'Requested image not found')

    switch (r.kind) {
      case 'tags': {
        const answer = await backend('GET', `/v2/${backendName}/tags/list${url.search}`)
        if (backendCode(answer) === 'NAME_UNKNOWN') {
          send(
            res,
            call,
            200,
            { 'content-type': 'application/json; charset=utf-8' },
            `${JSON.stringify({ name, tags: [] })}\n`,
            head,
          )
          return
        }
        relay(res, call, answer, rename, head)
        return
      }
      case 'blob': {
        if (!DIGEST.test(r.reference as string))
          throw new RegistryError(400, 'DIGEST_INVALID', `Invalid digest '${r.reference as string}'`)
        relay(
          res,
          call,
          await backend(head ? 'HEAD' : 'GET', `/v2/${backendName}/blobs/${r.reference as string}`),
          rename,
          head,
        )
        return
      }
      case 'manifest': {
        const reference = r.reference as string
        const path = `/v2/${backendName}/manifests/${encodeURIComponent(reference)}`
        if (r.operation === 'PutImage') {
          const isDigest = DIGEST.test(reference)
          if (!isDigest && tagIsImmutable(repo, reference)) {
            const existing = await backend('HEAD', path, { accept: Object.values(MEDIA_TYPES).join(', ') })
            if (existing.status === 200) {
              throw new RegistryError(
                400,
                'TAG_INVALID',
                `The image tag '${reference}' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable.`,
              )
            }
          }
          const answer = await backend('PUT', path, forwardHeaders(['content-type']), body)
          const digest = answer.headers['docker-content-digest']
          if (answer.status === 201 && typeof digest === 'string' && view.service === 'ecr') {
            const key = `${account}/${name}@${digest}`
            if (!core.state.imageFirstSeen.has(key)) core.state.imageFirstSeen.set(key, new Date())
          }
          relay(res, call, answer, rename, false)
          return
        }
        const answer = await backend(
          r.operation === 'BatchDeleteImage' ? 'DELETE' : head ? 'HEAD' : 'GET',
          path,
          forwardHeaders(['accept']),
        )
        if (answer.status === 404) throw imageNotFound()
        relay(res, call, answer, rename, head)
        return
      }
      case 'upload-start': {
        // Cross-repository mounts as ECR does them (its BLOB_MOUNTING account setting, off by
        // default): else mount/from are dropped and a fresh upload starts, as the spec allows.
        if (
          view.service === 'ecr' &&
          principal &&
          (await mounted(res, call, url, { account, region, name, repo, principal }))
        )
          return
        const started = await backend('POST', `/v2/${backendName}/blobs/uploads/`)
        const location = started.headers.location
        if (started.status !== 202 || typeof location !== 'string') {
          relay(res, call, started, rename, false)
          return
        }
        const upload: Upload = {
          id: randomUUID(),
          account,
          region,
          name,
          backendLocation: relativeLocation(location, backendUrl),
          received: 0,
          parts: [],
          hash: createHash('sha256'),
        }
        uploads.set(upload.id, upload)
        const digest = url.searchParams.get('digest')
        if (digest !== null) {
          // A monolithic upload (POST with the blob): one part, then completion.
          authorizeOn('UploadLayerPart', arn, repo)
          authorizeOn('CompleteLayerUpload', arn, repo)
          await complete(res, call, upload, digest, body, name)
          return
        }
        send(res, call, 202, uploadHeaders(upload), '')
        return
      }
      case 'upload': {
        const upload = uploads.get(r.uploadId as string)
        if (!upload || upload.account !== account || upload.region !== region || upload.name !== name) {
          throw new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry')
        }
        const method = call.input.method as string
        if (method === 'GET') {
          send(res, call, 204, uploadHeaders(upload), '')
          return
        }
        if (method === 'DELETE') {
          uploads.delete(upload.id)
          await backend('DELETE', upload.backendLocation)
          send(res, call, 204, {}, '')
          return
        }
        if (method === 'PATCH') {
          const range = req.headers['content-range']
          if (typeof range === 'string') {
            const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(range.trim())
            if (!m || Number(m[1]) !== upload.received || Number(m[2]) - Number(m[1]) + 1 !== body.length) {
              throw new RegistryError(
                416,
                'RANGE_INVALID',
                `Content-Range ${range} does not continue the upload at byte ${upload.received}`,
              )
            }
          }
          // An injected drop: answered as stored, thrown away (what users saw ECR do once).
          if (call.injected !== 'drop') await part(upload, body)
          // ECR answers a part with 201 (users' reports; the spec says 202; docker takes any 2xx).
          send(res, call, 201, uploadHeaders(upload), '')
          return
        }
        if (method === 'PUT') {
          await complete(res, call, upload, url.searchParams.get('digest'), body, name)
          return
        }
        throw new RegistryError(405, 'UNSUPPORTED', `${method} on an upload is not supported`)
      }
    }
  }

  /**
   * ECR's blob mount (user guide, "Blob mounting"; containers-roadmap #2860): only with the
   * registry's BLOB_MOUNTING setting on (`emulator.state.ext.blobMounting`: `<account>/<region>`
   * keys), within one registry, between repositories of the same encryption type, with
   * ecr:GetDownloadUrlForLayer on the source, and only for a blob the source repository holds.
   * Answers 201 when it mounts; false (go on with a fresh upload, 202) otherwise.
   */
  const mounted = async (
    res: ServerResponse,
    call: CallRecord,
    url: URL,
    target: { account: string; region: string; name: string; repo: RepositoryRecord; principal: Principal },
  ): Promise<boolean> => {
    const digest = url.searchParams.get('mount')
    const from = url.searchParams.get('from')
    const enabled = (core.state.ext.blobMounting as Set<string> | undefined)?.has(
      `${target.account}/${target.region}`,
    )
    if (!enabled || digest === null || from === null || !SHA256.test(digest) || from === target.name)
      return false
    const source = core.findRepository(target.account, target.region, from)
    if (!source || source.encryption.encryptionType !== target.repo.encryption.encryptionType) return false
    const sourceArn = `arn:aws:ecr:${target.region}:${target.account}:repository/${from}`
    if (denial(target.principal, 'ecr:GetDownloadUrlForLayer', sourceArn, source) !== undefined) return false
    const ns = core.backendNamespace(target.account, target.region)
    const answer = await backend(
      'POST',
      `/v2/${ns}${target.name}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(`${ns}${from}`)}`,
    )
    if (answer.status !== 201) {
      // The real registry did not mount (it opened a session instead): drop that session.
      const loc = answer.headers.location
      if (typeof loc === 'string')
        await backend('DELETE', relativeLocation(loc, backendUrl)).catch(() => undefined)
      return false
    }
    call.input.mountedFrom = from
    send(
      res,
      call,
      201,
      { location: `/v2/${target.name}/blobs/${digest}`, 'docker-content-digest': digest },
      '',
    )
    return true
  }

  const part = async (upload: Upload, body: Buffer): Promise<void> => {
    const answer = await backend(
      'PATCH',
      upload.backendLocation,
      { 'content-type': 'application/octet-stream' },
      body,
    )
    const location = answer.headers.location
    if (answer.status !== 202 || typeof location !== 'string') {
      throw new RegistryError(
        answer.status >= 400 ? answer.status : 502,
        'BLOB_UPLOAD_INVALID',
        `the registry refused a layer part: HTTP ${answer.status} ${answer.body.toString('utf8').trim()}`,
      )
    }
    upload.backendLocation = relativeLocation(location, backendUrl)
    upload.hash.update(body)
    upload.received += body.length
    upload.parts.push(body.length)
  }

  const complete = async (
    res: ServerResponse,
    call: CallRecord,
    upload: Upload,
    digest: string | null,
    body: Buffer,
    name: string,
  ): Promise<void> => {
    if (body.length > 0) await part(upload, body)
    const cancel = async (err: RegistryError): Promise<never> => {
      uploads.delete(upload.id)
      await backend('DELETE', upload.backendLocation).catch(() => undefined)
      throw err
    }
    if (digest === null || !SHA256.test(digest)) {
      await cancel(new RegistryError(400, 'DIGEST_INVALID', `Invalid layer digest '${digest ?? ''}'`))
      return
    }
    const small = upload.parts.slice(0, -1).findIndex((size) => size < MIN_PART_BYTES)
    if (small >= 0) {
      await cancel(
        new RegistryError(
          400,
          'BLOB_UPLOAD_INVALID',
          `Layer part ${small + 1} has ${upload.parts[small] ?? 0} bytes: every part but the last must be at least ${MIN_PART_BYTES} bytes (5 MiB)`,
        ),
      )
      return
    }
    const computed = `sha256:${upload.hash.copy().digest('hex')}`
    if (computed !== digest) {
      await cancel(
        new RegistryError(
          400,
          'DIGEST_INVALID',
          `The layer digest calculation performed by Amazon ECR upon receipt of the image layer does not match the digest specified (${digest}; received ${upload.received} bytes with ${computed})`,
        ),
      )
      return
    }
    const sep = upload.backendLocation.includes('?') ? '&' : '?'
    const answer = await backend(
      'PUT',
      `${upload.backendLocation}${sep}digest=${encodeURIComponent(digest)}`,
      {},
      Buffer.alloc(0),
    )
    uploads.delete(upload.id)
    if (answer.status !== 201) {
      throw new RegistryError(
        answer.status >= 400 ? answer.status : 502,
        'BLOB_UPLOAD_INVALID',
        `the registry refused the layer: HTTP ${answer.status} ${answer.body.toString('utf8').trim()}`,
      )
    }
    send(res, call, 201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest }, '')
  }

  const uploadHeaders = (upload: Upload): Record<string, string> => ({
    location: `/v2/${upload.name}/blobs/uploads/${upload.id}`,
    'docker-upload-uuid': upload.id,
    range: `0-${Math.max(0, upload.received - 1)}`,
  })

  const { server, port } = await listenLoopback(serve, (e) => core.bug(e))
  return {
    port,
    uploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A registry Location (absolute or not) as a path and query on the registry itself. */
function relativeLocation(location: string, base: URL): string {
  const u = new URL(location, base)
  return `${u.pathname}${u.search}`
}
