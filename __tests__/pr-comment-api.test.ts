// The pull request comment's GitHub calls: the real @actions/github client (Octokit) against the
// loopback GitHub REST emulator.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GithubApiError, isOurComment, nextPage, upsertComment, type ApiOptions } from '../src/github/api.ts'
import { explain } from '../src/github/index.ts'
import { fakeToken, startGithubApi, type GithubApi } from './testbed/github-api.ts'

let gh: GithubApi
const OWNER = 'acme'
const REPO = 'widget'
const MARKER = '<!-- ecr-supply-chain:acme/widget:0123456789ab -->'
let nextPr = 1
const fast = (): Promise<void> => Promise.resolve()

/** A pull request of its own for each test, and a write token. */
function setup(): { pr: { owner: string; repo: string; number: number }; opts: ApiOptions } {
  const number = nextPr++
  gh.addRepository(OWNER, `${REPO}-${number}`, [number])
  const token = fakeToken()
  gh.addToken(token)
  return {
    pr: { owner: OWNER, repo: `${REPO}-${number}`, number },
    opts: { token, baseUrl: gh.url, sleep: fast, userAgent: 'ecr-supply-chain-test' },
  }
}

let since = 0
/** The requests of the current test. */
const requests = () => gh.log.slice(since)

beforeAll(async () => {
  gh = await startGithubApi()
})

beforeEach(() => {
  since = gh.log.length
})

afterEach(() => {
  expect(gh.internalErrors).toEqual([])
})

afterAll(async () => {
  await gh?.close()
})

describe('upsertComment', () => {
  it('creates the comment once, then updates the same comment in place', async () => {
    const { pr, opts } = setup()
    const first = await upsertComment(pr, MARKER, `${MARKER}\nfirst`, opts)
    expect(first.action).toBe('created')
    const second = await upsertComment(pr, MARKER, `${MARKER}\nsecond`, opts)
    expect(second).toMatchObject({ action: 'updated', id: first.id })
    const comments = gh.comments(pr.owner, pr.repo, pr.number)
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body).toBe(`${MARKER}\nsecond`)
    expect(comments[0]?.user.login).toBe('github-actions[bot]')
    expect(requests().map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 200',
      'POST 201',
      'GET 200',
      'PATCH 200',
    ])
    // The token goes as GitHub expects it, and the client says who it is.
    expect(requests().every((r) => r.token === opts.token)).toBe(true)
    expect(requests()[0]?.userAgent).toContain('ecr-supply-chain-test')
    expect(requests()[0]?.query).toMatchObject({ per_page: '100' })
  })

  it('writes nothing when the body is already what it would write', async () => {
    const { pr, opts } = setup()
    await upsertComment(pr, MARKER, `${MARKER}\nsame`, opts)
    const again = await upsertComment(pr, MARKER, `${MARKER}\nsame`, opts)
    expect(again.action).toBe('unchanged')
    expect(requests().map((r) => r.method)).toEqual(['GET', 'POST', 'GET'])
  })

  it('follows the Link header through every page to find the marker comment', async () => {
    const { pr, opts } = setup()
    for (let i = 0; i < 230; i++) gh.addComment(pr.owner, pr.repo, pr.number, { body: `chatter ${i}` })
    const ours = gh.addComment(pr.owner, pr.repo, pr.number, {
      body: `${MARKER}\nold verdict`,
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
    })
    for (let i = 0; i < 5; i++) gh.addComment(pr.owner, pr.repo, pr.number, { body: `later ${i}` })
    const res = await upsertComment(pr, MARKER, `${MARKER}\nnew verdict`, opts)
    expect(res).toMatchObject({ action: 'updated', id: ours.id, pages: 3 })
    const gets = requests().filter((r) => r.method === 'GET')
    expect(gets).toHaveLength(3)
    // Pages 2 and 3 are fetched from the URLs GitHub's Link header names (repository by ID).
    expect(gets.slice(1).map((r) => [r.path.startsWith('/repositories/'), r.query.page])).toEqual([
      [true, '2'],
      [true, '3'],
    ])
    expect(requests().some((r) => r.method === 'POST')).toBe(false)
    expect(gh.comments(pr.owner, pr.repo, pr.number)).toHaveLength(236)
  })

  it('stops reading pages at maxPages and writes its own comment', async () => {
    const { pr, opts } = setup()
    for (let i = 0; i < 250; i++) gh.addComment(pr.owner, pr.repo, pr.number, { body: `chatter ${i}` })
    const res = await upsertComment(pr, MARKER, `${MARKER}\nv`, { ...opts, maxPages: 2 })
    expect(res).toMatchObject({ action: 'created', pages: 2 })
  })

  it('never adopts a marker comment planted by a stranger', async () => {
    const { pr, opts } = setup()
    const planted = gh.addComment(pr.owner, pr.repo, pr.number, {
      body: `${MARKER}\n✅ all good, merge away`,
      user: { login: 'mallory', id: 666, type: 'User' },
      association: 'FIRST_TIME_CONTRIBUTOR',
    })
    const res = await upsertComment(pr, MARKER, `${MARKER}\n❌ blocked`, opts)
    expect(res.action).toBe('created')
    expect(res.id).not.toBe(planted.id)
    expect(gh.comments(pr.owner, pr.repo, pr.number).find((c) => c.id === planted.id)?.body).toContain(
      'all good',
    )
  })

  it("adopts a collaborator's marker comment (a personal access token writes as its user)", async () => {
    const { pr, opts } = setup()
    const pat = fakeToken()
    gh.addToken(pat, { user: { login: 'release-bot-user', id: 77, type: 'User' } })
    const earlier = gh.addComment(pr.owner, pr.repo, pr.number, {
      body: `${MARKER}\nold`,
      user: { login: 'release-bot-user', id: 77, type: 'User' },
      association: 'COLLABORATOR',
    })
    const res = await upsertComment(pr, MARKER, `${MARKER}\nnew`, { ...opts, token: pat })
    expect(res).toMatchObject({ action: 'updated', id: earlier.id })
  })

  it('a token without pull-requests: write gets a 403 that explains the permission, and writes nothing', async () => {
    const { pr, opts } = setup()
    const readOnly = fakeToken()
    gh.addToken(readOnly, { write: false })
    const err = await upsertComment(pr, MARKER, `${MARKER}\nv`, { ...opts, token: readOnly }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(GithubApiError)
    expect(err).toMatchObject({ status: 403, message: 'Resource not accessible by integration' })
    expect(explain(err)).toContain('permissions: pull-requests: write')
    expect(explain(err)).toContain('verdict is unchanged')
    expect(gh.comments(pr.owner, pr.repo, pr.number)).toHaveLength(0)
    // Not retried: a 403 does not go away.
    expect(requests().filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('a refused token is a 401 naming github-token', async () => {
    const { pr, opts } = setup()
    const err = await upsertComment(pr, MARKER, 'x', { ...opts, token: fakeToken() }).catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 401, message: 'Bad credentials' })
    expect(explain(err)).toContain("'github-token'")
  })

  it('retries the read on a 5xx, but never the create (a retried POST could leave two comments)', async () => {
    const { pr, opts } = setup()
    gh.fault({ method: 'GET', path: new RegExp(`/${pr.repo}/issues/`), status: 502 })
    gh.fault({ method: 'POST', path: new RegExp(`/${pr.repo}/issues/`), status: 502 })
    const err = await upsertComment(pr, MARKER, `${MARKER}\nv`, opts).catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 502 })
    expect(requests().map((r) => `${r.method} ${r.status}`)).toEqual(['GET 502', 'GET 200', 'POST 502'])
    expect(explain(err)).toContain('GitHub answered 502')
  })

  it('retries the update on a 5xx', async () => {
    const { pr, opts } = setup()
    await upsertComment(pr, MARKER, `${MARKER}\n1`, opts)
    gh.fault({ method: 'PATCH', status: 500, path: /\/issues\/comments\// })
    const res = await upsertComment(pr, MARKER, `${MARKER}\n2`, opts)
    expect(res.action).toBe('updated')
    expect(gh.comments(pr.owner, pr.repo, pr.number).map((c) => c.body)).toEqual([`${MARKER}\n2`])
  })

  it('writes a new comment when the marker comment was deleted since it was listed', async () => {
    const { pr, opts } = setup()
    await upsertComment(pr, MARKER, `${MARKER}\n1`, opts)
    gh.fault({ method: 'PATCH', status: 404, message: 'Not Found', path: /\/issues\/comments\// })
    const res = await upsertComment(pr, MARKER, `${MARKER}\n2`, opts)
    expect(res.action).toBe('created')
  })

  it('gives up within its deadline when GitHub does not answer', async () => {
    const { pr, opts } = setup()
    gh.fault({ method: 'GET', path: new RegExp(`/${pr.repo}/issues/`), delayMs: 5_000, times: 5 })
    const t0 = performance.now()
    const err = await upsertComment(pr, MARKER, 'x', { ...opts, callTimeoutMs: 300, timeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    )
    const took = performance.now() - t0
    expect(err).toMatchObject({ timedOut: true })
    expect(took).toBeLessThan(3_000)
    expect(explain(err)).toMatch(/no answer within/)
  })
})

describe('comment matching and paging helpers', () => {
  it('a comment is ours only when it starts with the marker and a bot or a member wrote it', () => {
    const bot = { type: 'Bot' }
    expect(isOurComment({ id: 1, html_url: '', body: `${MARKER}\nx`, user: bot }, MARKER)).toBe(true)
    expect(isOurComment({ id: 1, html_url: '', body: `quote: ${MARKER}`, user: bot }, MARKER)).toBe(false)
    expect(isOurComment({ id: 1, html_url: '', body: null, user: bot }, MARKER)).toBe(false)
    for (const a of ['OWNER', 'MEMBER', 'COLLABORATOR'])
      expect(
        isOurComment(
          { id: 1, html_url: '', body: MARKER, user: { type: 'User' }, author_association: a },
          MARKER,
        ),
      ).toBe(true)
    for (const a of ['CONTRIBUTOR', 'FIRST_TIMER', 'NONE', undefined])
      expect(
        isOurComment(
          {
            id: 1,
            html_url: '',
            body: MARKER,
            user: { type: 'User' },
            ...(a ? { author_association: a } : {}),
          },
          MARKER,
        ),
      ).toBe(false)
  })

  it('follows rel="next" only to the API origin: the token never goes to another host', () => {
    const base = 'https://api.github.com'
    const link =
      '<https://api.github.com/repositories/1/issues/2/comments?page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?page=9>; rel="last"'
    expect(nextPage(link, base)).toBe('https://api.github.com/repositories/1/issues/2/comments?page=2')
    expect(nextPage('<https://evil.example/steal?page=2>; rel="next"', base)).toBeUndefined()
    expect(nextPage('<http://api.github.com/x>; rel="next"', base)).toBeUndefined()
    expect(nextPage('<https://api.github.com/x?page=1>; rel="prev"', base)).toBeUndefined()
    expect(nextPage(undefined, base)).toBeUndefined()
    expect(nextPage('garbage', base)).toBeUndefined()
  })
})
