/**
 * Deadlines and proxies of every HTTP call the action makes (the AWS SDK's STS and ECR clients here;
 * the OIDC token request in core.ts uses the same constants and agents).
 *
 * - Deadlines that really fire: connect CONNECT_TIMEOUT_MS, response headers RESPONSE_TIMEOUT_MS,
 *   then the same idle limit while the body streams. @smithy/node-http-handler 4.x only WARNS when
 *   requestTimeout passes unless `throwOnRequestTimeout: true` is set: without it a call to a
 *   black hole never returns.
 * - Proxies: Node's agents with `proxyEnv` honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY, upper or
 *   lower case, as the official AWS actions do (verified against a recording forward proxy).
 * - An error with no answer at all names the endpoint it was waiting for.
 */
import { errorMessage } from './errors.js'

export const CONNECT_TIMEOUT_MS = 5_000
/** From the request to the response headers, and then the longest silence while the body streams. */
export const RESPONSE_TIMEOUT_MS = 10_000

/** Agent options that send requests through the environment's proxy (when it names one). */
export function proxyAgentOptions(env: NodeJS.ProcessEnv = process.env): {
  proxyEnv: NodeJS.ProcessEnv
  keepAlive: true
} {
  return { proxyEnv: env, keepAlive: true }
}

/** The AWS SDK client's `requestHandler` (the NodeHttpHandler's options). */
export function sdkRequestHandler(env: NodeJS.ProcessEnv = process.env): {
  connectionTimeout: number
  requestTimeout: number
  socketTimeout: number
  throwOnRequestTimeout: true
  httpAgent: { proxyEnv: NodeJS.ProcessEnv; keepAlive: true }
  httpsAgent: { proxyEnv: NodeJS.ProcessEnv; keepAlive: true }
} {
  return {
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: RESPONSE_TIMEOUT_MS,
    socketTimeout: RESPONSE_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    httpAgent: proxyAgentOptions(env),
    httpsAgent: proxyAgentOptions(env),
  }
}

const NO_ANSWER_CODES = new Set([
  'TimeoutError',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/** True for an error where the endpoint gave no answer (a timeout, a refused or reset connection). */
export function isNoAnswer(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } } | null
  if (e?.$metadata?.httpStatusCode !== undefined) return false
  return NO_ANSWER_CODES.has(String(e?.name)) || NO_ANSWER_CODES.has(String(e?.code))
}

/** True for a timeout (the endpoint accepted the connection, or not, and said nothing). */
export function isTimeout(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null
  return e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT' || e?.code === 'ESOCKETTIMEDOUT'
}

interface RequestLike {
  protocol?: string
  hostname?: string
  port?: number
}

function endpointOf(request: unknown): string | undefined {
  const r = request as RequestLike | undefined
  if (!r?.hostname) return undefined
  return `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`
}

/** The text of a no-answer error that names the endpoint and the deadline that passed. */
export function noAnswerText(service: string, endpoint: string, err: unknown): string {
  if (isTimeout(err)) {
    return `${service} at ${endpoint} did not answer within the deadline (connect ${CONNECT_TIMEOUT_MS / 1000} s, response ${RESPONSE_TIMEOUT_MS / 1000} s)`
  }
  return `${service} at ${endpoint} could not be reached (${errorMessage(err)})`
}

/**
 * An AWS SDK middleware (step `build`: outside the retries, so it sees the last attempt's error)
 * that rewrites a no-answer error's message to name the endpoint: "STS at https://… did not
 * answer within …". The error keeps its name and code, so retry decisions are unchanged.
 */
export function endpointInErrors(service: string) {
  return <A, R>(next: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      try {
        return await next(args)
      } catch (err) {
        const endpoint = endpointOf((args as { request?: unknown }).request)
        if (endpoint !== undefined && err instanceof Error && isNoAnswer(err)) {
          err.message = noAnswerText(service, endpoint, err)
        }
        throw err
      }
    }
}

/** The options endpointInErrors is added to a client's middleware stack with. */
export const ENDPOINT_IN_ERRORS = { step: 'build', name: 'ecrSupplyChainEndpointInErrors' } as const
