/**
 * Which pull request, if any, this run belongs to: GITHUB_EVENT_NAME and the event payload at
 * GITHUB_EVENT_PATH. The payload carries text anyone opening a pull request writes (title, body,
 * branch names): it is read with a size cap, parsed defensively, and only the few fields needed are
 * taken, each checked for its form.
 */
import * as fs from 'node:fs/promises'

export const PR_EVENTS = ['pull_request', 'pull_request_target'] as const

export interface PullRequestRef {
  owner: string
  repo: string
  number: number
  /** Head commit of the pull request, when the payload gives a well-formed one. */
  headSha?: string
}

export type PullRequestLookup =
  | { kind: 'pull-request'; pr: PullRequestRef }
  /** Not a pull request event: nothing to do (a debug line). */
  | { kind: 'not-a-pull-request'; event: string }
  /** A pull request event whose context cannot be used: a warning. */
  | { kind: 'unusable'; why: string }

/** GitHub's own limit for a webhook payload is 25 MB. */
const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024
const OWNER_REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function prNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined
}

/** The event payload, or why it cannot be read. Size-capped: the file is hostile input. */
async function readPayload(file: string): Promise<{ payload: unknown } | string> {
  try {
    const fh = await fs.open(file, 'r')
    try {
      const { size } = await fh.stat()
      if (size > MAX_PAYLOAD_BYTES)
        return `the event payload is ${size} bytes, more than a GitHub event can be`
      return { payload: JSON.parse(await fh.readFile('utf8')) as unknown }
    } finally {
      await fh.close()
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    return `cannot read the event payload (${typeof code === 'string' ? code : 'not valid JSON'})`
  }
}

export async function pullRequestOf(env: NodeJS.ProcessEnv): Promise<PullRequestLookup> {
  const event = env.GITHUB_EVENT_NAME ?? ''
  if (!(PR_EVENTS as readonly string[]).includes(event)) {
    return { kind: 'not-a-pull-request', event: event || '(none)' }
  }
  // The base repository: where the pull request (and so its comments) lives, also for forks.
  const m = OWNER_REPO.exec(env.GITHUB_REPOSITORY ?? '')
  if (!m) return { kind: 'unusable', why: 'GITHUB_REPOSITORY is not of the form owner/repo' }
  const file = env.GITHUB_EVENT_PATH ?? ''
  if (file === '') return { kind: 'unusable', why: 'GITHUB_EVENT_PATH is not set' }

  const read = await readPayload(file)
  if (typeof read === 'string') return { kind: 'unusable', why: read }
  const payload = read.payload
  const ref = refOf(payload, m[1] as string, m[2] as string)
  return typeof ref === 'string' ? { kind: 'unusable', why: ref } : { kind: 'pull-request', pr: ref }
}

/** The pull request number and head commit from the payload, each checked; or why not. */
function refOf(payload: unknown, owner: string, repo: string): PullRequestRef | string {
  if (!isObject(payload)) return 'the event payload is not a JSON object'
  const pr = payload.pull_request
  const number = prNumber(isObject(pr) ? pr.number : undefined) ?? prNumber(payload.number)
  if (number === undefined) return 'the event payload has no pull request number'
  const head = isObject(pr) && isObject(pr.head) ? pr.head.sha : undefined
  const ref: PullRequestRef = { owner, repo, number }
  if (typeof head === 'string' && SHA.test(head)) ref.headSha = head
  return ref
}
