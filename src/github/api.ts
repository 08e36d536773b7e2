/**
 * The GitHub REST calls of the pull request comment, through @actions/github (Octokit): list the
 * issue comments of the pull request (every page, by the Link header), update the one carrying the
 * marker, or create it. @actions/github (with undici) is loaded only here, on first use, so a run
 * without `pr-comment` never pays for it.
 *
 * Every call has a deadline, and the whole operation a budget. Reads and the update are retried on
 * 5xx, 429 and network faults; the create is not (a retried POST could leave two comments).
 */
import { backoffDelay, realSleep, type Sleep } from '../retry.js'
import type { PullRequestRef } from './event.js'

type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>

export interface ApiOptions {
  token: string
  /** REST API root, e.g. https://api.github.com (GITHUB_API_URL). */
  baseUrl: string
  userAgent?: string
  /** Budget for finding and writing the comment, all calls and retries included. */
  timeoutMs?: number
  /** Deadline of one HTTP call. */
  callTimeoutMs?: number
  /** Pages of 100 comments read at most while looking for the marker. */
  maxPages?: number
  sleep?: Sleep
  /** Debug lines. */
  log?: (line: string) => void
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'unchanged'
  id: number
  url: string
  /** Pages of comments read. */
  pages: number
}

/** A failed call, reduced to what the warning needs (never the token, never the request). */
export class GithubApiError extends Error {
  override name = 'GithubApiError'
  /** What was being done, e.g. `create a comment on pull request #7`. */
  readonly operation: string
  /** HTTP status; undefined when GitHub did not answer. */
  readonly status: number | undefined
  readonly timedOut: boolean
  constructor(message: string, operation: string, status: number | undefined, timedOut: boolean) {
    super(message)
    this.operation = operation
    this.status = status
    this.timedOut = timedOut
  }
}

interface CommentData {
  id: number
  body?: string | null
  html_url: string
  user?: { type?: string; login?: string } | null
  author_association?: string
}

/** Authors whose marker comment is adopted: a bot (the token's app) or someone with a say in the repository. */
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR'])

/**
 * A comment is ours when it starts with the marker and was written by a bot or a repository member:
 * anyone can post a comment holding the marker, and must not thereby get the verdict written into a
 * comment they own (and could later edit).
 */
export function isOurComment(c: CommentData, marker: string): boolean {
  if (typeof c.body !== 'string' || !c.body.startsWith(marker)) return false
  return c.user?.type === 'Bot' || TRUSTED_ASSOCIATIONS.has(c.author_association ?? '')
}

/** The rel="next" URL of a Link header, if it points at the same API origin. */
export function nextPage(link: string | undefined, baseUrl: string): string | undefined {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]+)>\s*;(.*)$/.exec(part)
    if (!m || !/(?:^|;)\s*rel="?next"?\s*(?:;|$)/.test(m[2] ?? '')) continue
    try {
      const next = new URL(m[1] as string)
      // The token goes with every request: never to another host than the API's.
      return next.origin === new URL(baseUrl).origin ? next.href : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

function apiMessage(err: unknown): string {
  const data = (err as { response?: { data?: unknown } }).response?.data
  const raw =
    data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : err instanceof Error
        ? err.message
        : String(err)
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300)
}

function statusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; response?: unknown }
  // Octokit reports network faults as status 500 without a response.
  if (e.response === undefined) return undefined
  return typeof e.status === 'number' ? e.status : undefined
}

function retriable(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500
}

let sdk: Promise<typeof import('@actions/github')> | undefined

/** Loads @actions/github once (one import() site: one chunk in dist/). */
function loadGithub(): Promise<typeof import('@actions/github')> {
  sdk ??= import('@actions/github')
  return sdk
}

type Call = <T>(operation: string, retry: boolean, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>

interface Limits {
  timeoutMs: number
  callTimeoutMs: number
  sleep: Sleep
  log: (line: string) => void
}

/** One call with its deadline, retried when safe and while the whole budget lasts. */
function caller(budget: AbortSignal, l: Limits): Call {
  return async <T>(
    operation: string,
    retry: boolean,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.any([budget, AbortSignal.timeout(l.callTimeoutMs)])
      try {
        return await fn(signal)
      } catch (err) {
        const timedOut = signal.aborted
        const status = timedOut ? undefined : statusOf(err)
        const message = timedOut ? timeoutText(budget.aborted, l) : apiMessage(err)
        if (retry && attempt < 2 && !budget.aborted && retriable(status)) {
          const delay = backoffDelay(attempt, { baseMs: 500, capMs: 4_000 })
          l.log(
            `GitHub API: ${operation} failed (${status ?? 'no answer'}: ${message}); retrying in ${delay} ms`,
          )
          await l.sleep(delay)
          if (!budget.aborted) continue
        }
        throw new GithubApiError(message, operation, status, timedOut)
      }
    }
  }
}

function timeoutText(wholeBudget: boolean, l: Limits): string {
  return wholeBudget
    ? `no answer within the ${Math.round(l.timeoutMs / 1000)} s budget`
    : `no answer within ${Math.round(l.callTimeoutMs / 1000)} s`
}

interface Found {
  comment: CommentData | undefined
  pages: number
}

/** The marker comment among the pull request's comments, following `Link` pages (bounded). */
async function findComment(
  octokit: Octokit,
  call: Call,
  pr: PullRequestRef,
  marker: string,
  opts: ApiOptions,
): Promise<Found> {
  const maxPages = opts.maxPages ?? 30
  const where = { owner: pr.owner, repo: pr.repo, issue_number: pr.number }
  let found: CommentData | undefined
  let pages = 0
  let next: string | undefined
  do {
    const page = next
    const res = await call(`list the comments of pull request #${pr.number}`, true, (signal) =>
      page === undefined
        ? octokit.rest.issues.listComments({ ...where, per_page: 100, request: { signal } })
        : octokit.request({ method: 'GET', url: page, request: { signal } }),
    )
    pages++
    const comments = Array.isArray(res.data) ? (res.data as CommentData[]) : []
    found = comments.find((c) => isOurComment(c, marker))
    next = found ? undefined : nextPage(res.headers.link, opts.baseUrl)
  } while (next !== undefined && pages < maxPages)
  if (!found && next !== undefined)
    opts.log?.(`GitHub API: no marker comment in the first ${pages} pages; writing a new one`)
  return { comment: found, pages }
}

/** Finds the pull request's comment with `marker` and updates it, or creates it. */
export async function upsertComment(
  pr: PullRequestRef,
  marker: string,
  body: string,
  opts: ApiOptions,
): Promise<UpsertResult> {
  const limits: Limits = {
    timeoutMs: opts.timeoutMs ?? 30_000,
    callTimeoutMs: opts.callTimeoutMs ?? 10_000,
    sleep: opts.sleep ?? realSleep,
    log: opts.log ?? (() => undefined),
  }
  const call = caller(AbortSignal.timeout(limits.timeoutMs), limits)
  const { getOctokit } = await loadGithub()
  const octokit: Octokit = getOctokit(opts.token, {
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
  })
  const { comment: found, pages } = await findComment(octokit, call, pr, marker, opts)
  if (found) {
    if (found.body === body) return { action: 'unchanged', id: found.id, url: found.html_url, pages }
    const updated = await updateComment(octokit, call, pr, found.id, body, limits.log)
    if (updated) return { ...updated, pages }
  }
  const res = await call(`create a comment on pull request #${pr.number}`, false, (signal) =>
    octokit.rest.issues.createComment({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      body,
      request: { signal },
    }),
  )
  return { action: 'created', id: res.data.id, url: res.data.html_url, pages }
}

/** Updates comment `id`; undefined when it was deleted since it was listed (write a new one). */
async function updateComment(
  octokit: Octokit,
  call: Call,
  pr: PullRequestRef,
  id: number,
  body: string,
  log: (line: string) => void,
): Promise<Omit<UpsertResult, 'pages'> | undefined> {
  try {
    const res = await call(`update comment ${id}`, true, (signal) =>
      octokit.rest.issues.updateComment({
        owner: pr.owner,
        repo: pr.repo,
        comment_id: id,
        body,
        request: { signal },
      }),
    )
    return { action: 'updated', id: res.data.id, url: res.data.html_url }
  } catch (err) {
    if (!(err instanceof GithubApiError && err.status === 404)) throw err
    log(`GitHub API: comment ${id} is gone; creating a new one`)
    return undefined
  }
}
