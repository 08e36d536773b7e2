// A loopback emulator of the GitHub REST endpoints the pull request comment calls:
//   GET   /repos/{owner}/{repo}/issues/{n}/comments      (and the /repositories/{id}/… form that
//                                                          GitHub's Link headers point at)
//   POST  /repos/{owner}/{repo}/issues/{n}/comments
//   PATCH /repos/{owner}/{repo}/issues/comments/{id}
// As GitHub answers them: token auth (401 "Bad credentials"), a read-only token gets 403 "Resource
// not accessible by integration" on writes, 404 for unknown repositories, pull requests or
// comments, 422 for a missing or too long body, pagination by per_page/page with a Link header
// (rel next/prev/first/last), a User-Agent required. A request log, and fault injection (status
// answers, delays) for the retry and deadline paths.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GithubUser {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface TokenGrant {
  user: GithubUser
  /** `pull-requests: write` (or `issues: write`): may create and update comments. */
  write: boolean
}

export interface StoredComment {
  id: number
  owner: string
  repo: string
  issue: number
  body: string
  user: GithubUser
  authorAssociation: string
  createdAt: string
  updatedAt: string
}

export interface ApiRequest {
  method: string
  /** Path without the query. */
  path: string
  query: Record<string, string>
  status: number
  /** The token the request carried, if any. */
  token?: string
  userAgent?: string
  body?: unknown
}

export interface Fault {
  method?: string
  path?: RegExp
  /** Answer this status (with a GitHub-style error body) instead of serving the request. */
  status?: number
  message?: string
  /** Wait this long first (then answer `status`, or serve the request). */
  delayMs?: number
  /** How many matching requests it applies to; default 1. */
  times?: number
}

export interface GithubApi {
  /** Base URL, for GITHUB_API_URL. */
  url: string
  env: { GITHUB_API_URL: string }
  /** Accepts `token` with these rights. Default user: github-actions[bot]. */
  addToken(token: string, grant?: Partial<TokenGrant>): void
  /** A repository (id assigned) with open pull requests `numbers` (added to those it has). */
  addRepository(owner: string, repo: string, numbers: number[]): void
  /** Seeds a comment as if `user` wrote it. */
  addComment(
    owner: string,
    repo: string,
    issue: number,
    c: { body: string; user?: Partial<GithubUser>; association?: string },
  ): StoredComment
  comments(owner: string, repo: string, issue: number): StoredComment[]
  fault(f: Fault): void
  readonly log: ApiRequest[]
  /** Requests answered with a 5xx by the emulator's own fault (not injected): should stay empty. */
  readonly internalErrors: string[]
  close(): Promise<void>
}

export const ACTIONS_BOT: GithubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
const BODY_MAX = 65_536
const REQUEST_MAX = 1 << 20

interface Repo {
  id: number
  owner: string
  name: string
  pulls: Set<number>
}

class HttpError extends Error {
  readonly status: number
  readonly docs: string
  readonly errors: unknown[] | undefined
  constructor(status: number, message: string, docs = 'https://docs.github.com/rest', errors?: unknown[]) {
    super(message)
    this.status = status
    this.docs = docs
    this.errors = errors
  }
}

export async function startGithubApi(): Promise<GithubApi> {
  const tokens = new Map<string, TokenGrant>()
  const repos = new Map<string, Repo>()
  const comments: StoredComment[] = []
  const faults: Fault[] = []
  const log: ApiRequest[] = []
  const internalErrors: string[] = []
  let nextCommentId = 1_000_000_001
  let nextRepoId = 500_000_001
  let base = ''

  const repoKey = (owner: string, repo: string): string => `${owner.toLowerCase()}/${repo.toLowerCase()}`

  function commentJson(c: StoredComment): Record<string, unknown> {
    const api = `${base}/repos/${c.owner}/${c.repo}`
    return {
      url: `${api}/issues/comments/${c.id}`,
      html_url: `https://github.com/${c.owner}/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_kwDO${Buffer.from(String(c.id)).toString('base64url')}`,
      user: {
        login: c.user.login,
        id: c.user.id,
        type: c.user.type,
        site_admin: false,
        html_url: `https://github.com/${c.user.type === 'Bot' ? 'apps/' + c.user.login.replace(/\[bot\]$/, '') : c.user.login}`,
      },
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.authorAssociation,
      body: c.body,
      performed_via_github_app: null,
    }
  }

  function now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  async function readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length
      if (size > REQUEST_MAX) throw new HttpError(413, 'Payload too large')
      chunks.push(c)
    }
    const text = Buffer.concat(chunks).toString('utf8')
    if (text === '') return undefined
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new HttpError(400, 'Problems parsing JSON')
    }
  }

  function bodyOf(input: unknown, docs: string): string {
    const b = (input as { body?: unknown } | undefined)?.body
    if (typeof b !== 'string' || b === '') {
      throw new HttpError(422, 'Invalid request.\n\n"body" wasn\'t supplied.', docs)
    }
    if ([...b].length > BODY_MAX) {
      throw new HttpError(422, 'Validation Failed', docs, [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${BODY_MAX} characters)`,
        },
      ])
    }
    return b
  }

  function list(res: http.ServerResponse, r: Repo, issue: number, q: URLSearchParams): void {
    const perPage = Math.min(100, Math.max(1, Number(q.get('per_page') ?? '30') || 30))
    const page = Math.max(1, Number(q.get('page') ?? '1') || 1)
    const all = comments.filter(
      (c) => repoKey(c.owner, c.repo) === repoKey(r.owner, r.name) && c.issue === issue,
    )
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const slice = all.slice((page - 1) * perPage, page * perPage)
    // As GitHub does: the links name the repository by ID.
    const link = (p: number): string =>
      `<${base}/repositories/${r.id}/issues/${issue}/comments?per_page=${perPage}&page=${p}>`
    const rels: string[] = []
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`)
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`)
    if (page > 1) rels.push(`${link(1)}; rel="first"`)
    send(res, 200, slice.map(commentJson), rels.length > 0 ? { link: rels.join(', ') } : {})
  }

  function send(
    res: http.ServerResponse,
    status: number,
    data: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(data)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-github-request-id': `0000:${Math.random().toString(16).slice(2, 10).toUpperCase()}`,
      ...headers,
    })
    res.end(text)
  }

  function repoOf(owner: string, name: string): Repo {
    const r = repos.get(repoKey(owner, name))
    if (!r) throw new HttpError(404, 'Not Found')
    return r
  }

  function repoById(id: number): Repo {
    for (const r of repos.values()) if (r.id === id) return r
    throw new HttpError(404, 'Not Found')
  }

  function pull(r: Repo, n: number): number {
    if (!r.pulls.has(n)) throw new HttpError(404, 'Not Found')
    return n
  }

  async function route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: ApiRequest,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', base)
    const q = url.searchParams
    if (!req.headers['user-agent']) {
      throw new HttpError(
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
      )
    }
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    if (auth?.[1] !== undefined) entry.token = auth[1]
    const grant = auth ? tokens.get(auth[1] as string) : undefined
    if (!auth) throw new HttpError(401, 'Requires authentication')
    if (!grant) throw new HttpError(401, 'Bad credentials')
    const method = req.method ?? 'GET'
    let m: RegExpExecArray | null

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const r = repoOf(decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string))
      const issue = pull(r, Number(m[3]))
      if (method === 'GET') return list(res, r, issue, q)
      if (method === 'POST') {
        const docs = 'https://docs.github.com/rest/issues/comments#create-an-issue-comment'
        const input = await readBody(req)
        entry.body = input
        if (!grant.write) throw new HttpError(403, 'Resource not accessible by integration', docs)
        const c: StoredComment = {
          id: nextCommentId++,
          owner: r.owner,
          repo: r.name,
          issue,
          body: bodyOf(input, docs),
          user: grant.user,
          authorAssociation: grant.user.type === 'Bot' ? 'NONE' : 'MEMBER',
          createdAt: now(),
          updatedAt: now(),
        }
        comments.push(c)
        const json = commentJson(c)
        return send(res, 201, json, { location: String(json.url) })
      }
      throw new HttpError(404, 'Not Found')
    }
    if ((m = /^\/repositories\/(\d+)\/issues\/(\d+)\/comments$/.exec(url.pathname)) && method === 'GET') {
      const r = repoById(Number(m[1]))
      return list(res, r, pull(r, Number(m[2])), q)
    }
    if (
      (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)) &&
      method === 'PATCH'
    ) {
      const r = repoOf(decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string))
      const docs = 'https://docs.github.com/rest/issues/comments#update-an-issue-comment'
      const input = await readBody(req)
      entry.body = input
      const c = comments.find(
        (x) => x.id === Number(m?.[3]) && repoKey(x.owner, x.repo) === repoKey(r.owner, r.name),
      )
      if (!c) throw new HttpError(404, 'Not Found', docs)
      if (!grant.write) throw new HttpError(403, 'Resource not accessible by integration', docs)
      c.body = bodyOf(input, docs)
      c.updatedAt = now()
      return send(res, 200, commentJson(c))
    }
    throw new HttpError(404, 'Not Found')
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base)
    const entry: ApiRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    }
    if (req.headers['user-agent']) entry.userAgent = req.headers['user-agent']
    log.push(entry)
    const fail = (err: unknown): void => {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(500, `emulator: ${err instanceof Error ? err.message : String(err)}`)
      if (!(err instanceof HttpError)) internalErrors.push(`${entry.method} ${entry.path}: ${e.message}`)
      entry.status = e.status
      if (res.headersSent || res.destroyed) return
      send(res, e.status, {
        message: e.message,
        ...(e.errors ? { errors: e.errors } : {}),
        documentation_url: e.docs,
        status: String(e.status),
      })
    }
    void (async () => {
      const i = faults.findIndex(
        (f) =>
          (f.method === undefined || f.method === entry.method) &&
          (f.path === undefined || f.path.test(entry.path)),
      )
      const f = i >= 0 ? faults[i] : undefined
      if (f) {
        f.times = (f.times ?? 1) - 1
        if (f.times <= 0) faults.splice(i, 1)
        if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs))
        if (res.destroyed) {
          entry.status = -1
          return
        }
        if (f.status)
          throw new HttpError(f.status, f.message ?? (f.status >= 500 ? 'Server Error' : 'Injected'))
      }
      await route(req, res, entry)
      entry.status = res.statusCode
    })().catch(fail)
  })
  server.keepAliveTimeout = 1_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: base,
    env: { GITHUB_API_URL: base },
    addToken(token, grant = {}) {
      tokens.set(token, { user: { ...ACTIONS_BOT, ...(grant.user ?? {}) }, write: grant.write ?? true })
    },
    addRepository(owner, repo, numbers) {
      const known = repos.get(repoKey(owner, repo))
      if (known) for (const n of numbers) known.pulls.add(n)
      else repos.set(repoKey(owner, repo), { id: nextRepoId++, owner, name: repo, pulls: new Set(numbers) })
    },
    addComment(owner, repo, issue, c) {
      const r = repoOf(owner, repo)
      const user: GithubUser = { login: 'octocat', id: 583231, type: 'User', ...(c.user ?? {}) }
      const stored: StoredComment = {
        id: nextCommentId++,
        owner: r.owner,
        repo: r.name,
        issue: pull(r, issue),
        body: c.body,
        user,
        authorAssociation: c.association ?? (user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR'),
        createdAt: now(),
        updatedAt: now(),
      }
      comments.push(stored)
      return stored
    },
    comments: (owner, repo, issue) =>
      comments.filter((c) => repoKey(c.owner, c.repo) === repoKey(owner, repo) && c.issue === issue),
    fault(f) {
      faults.push({ ...f })
    },
    log,
    internalErrors,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A fresh fake token in GitHub's installation-token form. */
export function fakeToken(): string {
  return `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`
}
