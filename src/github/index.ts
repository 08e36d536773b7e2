/**
 * `pr-comment`: after the stages settle, keep one comment on the pull request with the gate's
 * verdict and its blocking findings, updated in place on every push. A convenience: nothing here
 * fails the step (the gate's verdict is the step's exit code); every problem is one warning.
 */
import * as core from '../core.js'
import type { Inputs } from '../inputs.js'
import { VERSION } from '../version.js'
import { GithubApiError, upsertComment, type ApiOptions } from './api.js'
import { digestWithoutFindings, type GateDigest } from './digest.js'
import { pullRequestOf } from './event.js'
import { commentMarker, prComment, type PrCommentFacts } from './pr-comment.js'

export interface PrCommentContext {
  inputs: Pick<Inputs, 'prComment' | 'githubToken' | 'repository' | 'waitForScan' | 'severityThreshold'>
  env: NodeJS.ProcessEnv
  /** What was pushed. */
  pushed: { registry: string; imageRef: string }
  /** The gate's digest; undefined when the gate stage crashed. */
  gate: GateDigest | undefined
  /** The step fails (for the gate or another stage). */
  stepFailed: boolean
}

/** Test seam: API deadlines. */
export type PrCommentTuning = Pick<ApiOptions, 'timeoutMs' | 'callTimeoutMs' | 'maxPages' | 'sleep'>

// eslint-disable-next-line no-control-regex
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, ' ')

function httpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined
  try {
    const u = new URL(raw)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href.replace(/\/+$/, '') : undefined
  } catch {
    return undefined
  }
}

/** The run's page: its job summary and log. */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const server = httpUrl(env.GITHUB_SERVER_URL)
  const repo = env.GITHUB_REPOSITORY ?? ''
  const id = env.GITHUB_RUN_ID ?? ''
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '1'
  if (!server || !/^[\w.-]+\/[\w.-]+$/.test(repo) || !/^\d{1,20}$/.test(id)) return undefined
  return `${server}/${repo}/actions/runs/${id}${/^\d{1,5}$/.test(attempt) && attempt !== '1' ? `/attempts/${attempt}` : ''}`
}

/** The warning for a failed API call: what happened and what to change. */
export function explain(err: unknown): string {
  const lead = 'Could not write the pull request comment'
  const tail = "The scan gate's verdict is unchanged: only the comment is missing."
  if (!(err instanceof GithubApiError))
    return `${lead}: ${oneLine(err instanceof Error ? err.message : String(err))}. ${tail}`
  const what = `${lead} (${err.operation})`
  if (err.timedOut) return `${what}: the GitHub API gave ${err.message}. ${tail}`
  if (err.status === 403 || (err.status === 404 && /create|update/.test(err.operation))) {
    return (
      `${what}: GitHub answered ${err.status} (${err.message}): the token may not write to this pull request. ` +
      'Give the job `permissions: pull-requests: write` (a pull request from a fork gets a read-only GITHUB_TOKEN ' +
      `whatever the workflow asks), or pass a token that may in 'github-token'. ${tail}`
    )
  }
  if (err.status === 401) {
    return `${what}: GitHub refused 'github-token' (401 ${err.message}). ${tail}`
  }
  return `${what}: ${err.status === undefined ? 'no answer' : `GitHub answered ${err.status}`} (${err.message}). ${tail}`
}

/** Writes or updates the comment. Never throws; a problem is a warning. */
export async function writePrComment(ctx: PrCommentContext, tuning: PrCommentTuning = {}): Promise<void> {
  const { inputs, env } = ctx
  if (!inputs.prComment) return
  try {
    const lookup = await pullRequestOf(env)
    if (lookup.kind === 'not-a-pull-request') {
      core.debug(`pr-comment: the event is ${oneLine(lookup.event)}, not a pull request: no comment`)
      return
    }
    if (lookup.kind === 'unusable') {
      core.warning(`Could not write the pull request comment: ${lookup.why}.`)
      return
    }
    const pr = lookup.pr
    const gate =
      ctx.gate ??
      (inputs.waitForScan
        ? digestWithoutFindings('failed', inputs.severityThreshold, 'the scan gate stage failed: see the run')
        : digestWithoutFindings('skipped', inputs.severityThreshold))
    const marker = commentMarker({
      registry: ctx.pushed.registry,
      repository: inputs.repository,
      workflow: env.GITHUB_WORKFLOW ?? '',
      job: env.GITHUB_JOB ?? '',
      step: env.GITHUB_ACTION ?? '',
    })
    const facts: PrCommentFacts = {
      ...gate,
      marker,
      imageRef: ctx.pushed.imageRef,
      otherFailure: ctx.stepFailed && gate.gate !== 'failed',
    }
    const run = runUrl(env)
    if (run) facts.runUrl = run
    if (pr.headSha) facts.commit = pr.headSha
    const baseUrl = httpUrl(env.GITHUB_API_URL) ?? 'https://api.github.com'
    const res = await upsertComment(pr, marker, prComment(facts), {
      token: inputs.githubToken,
      baseUrl,
      userAgent: `ecr-supply-chain/${VERSION}`,
      log: (l) => core.debug(oneLine(l)),
      ...tuning,
    })
    core.info(`Pull request comment ${res.action}: ${oneLine(res.url)}`)
  } catch (err) {
    core.warning(explain(err))
  }
}
