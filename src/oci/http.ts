/**
 * HTTP for the registry client: one request with a deadline, through the proxy the environment
 * names, with bounded answers; retries with backoff for what is safe to retry. No registry logic.
 *
 * Proxies: Node 24's agents take `proxyEnv` and then honour HTTP_PROXY / HTTPS_PROXY / NO_PROXY
 * (checked on Node 24.21: a request through `new http.Agent({ proxyEnv })` reaches the proxy, and
 * a NO_PROXY host goes direct).
 */
import * as http from 'node:http'
import * as https from 'node:https'
import type { Readable } from 'node:stream'
import { ActionError } from '../errors.js'
import { backoffDelay, realSleep, type Sleep } from '../retry.js'

export interface HttpAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface StreamAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  stream: http.IncomingMessage
}

export interface RequestSpec {
  method: string
  url: URL
  headers?: Record<string, string>
  /** The body: bytes, or a function opening a fresh stream (called once per attempt). */
  body?: Buffer | (() => Readable)
  bodyLength?: number
  /** Whole request deadline in ms (connect, send, answer). */
  timeoutMs: number
  /** Largest answer body kept; more is an error (a registry's answer is hostile input). */
  maxBody?: number
  signal?: AbortSignal
}

/** A request that failed without an HTTP answer (reset, refused, deadline): safe to retry. */
export class NetworkError extends Error {
  override name = 'NetworkError'
  readonly code: string
  constructor(message: string, code: string) {
    super(message)
    this.code = code
  }
}

export interface Transport {
  /** One request, answer body buffered (bounded). */
  fetch(spec: RequestSpec): Promise<HttpAnswer>
  /** One request, answer body as a stream (the caller reads or destroys it). */
  stream(spec: RequestSpec): Promise<StreamAnswer>
}

/** Answers up to this size are buffered by default (manifests are at most 4 MiB by the spec). */
export const DEFAULT_MAX_BODY = 4 * 1024 * 1024

const IDLE_MS = 60_000

/** The transport with agents that honour the environment's proxy settings. */
export function createTransport(env: NodeJS.ProcessEnv): Transport {
  const proxyEnv = { ...env }
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 8, proxyEnv }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 8, proxyEnv }),
  }
  const open = (spec: RequestSpec): Promise<StreamAnswer> => send(spec, agents)
  return {
    stream: open,
    fetch: async (spec) => {
      const answer = await open(spec)
      const body = await readBounded(answer.stream, spec.maxBody ?? DEFAULT_MAX_BODY, spec)
      return { status: answer.status, headers: answer.headers, body }
    },
  }
}

function send(
  spec: RequestSpec,
  agents: Record<'http:' | 'https:', http.Agent | https.Agent>,
): Promise<StreamAnswer> {
  const protocol = spec.url.protocol
  if (protocol !== 'http:' && protocol !== 'https:') {
    return Promise.reject(new ActionError(`unsupported registry URL scheme ${protocol}`))
  }
  const lib = protocol === 'https:' ? https : http
  const label = `${spec.method} ${spec.url.pathname}`
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...spec.headers }
    if (spec.bodyLength !== undefined) headers['content-length'] = String(spec.bodyLength)
    else if (Buffer.isBuffer(spec.body)) headers['content-length'] = String(spec.body.length)
    const req = lib.request(spec.url, { method: spec.method, headers, agent: agents[protocol] })
    const timer = setTimeout(() => {
      req.destroy(new NetworkError(`${label}: no answer within ${spec.timeoutMs / 1000} s`, 'ETIMEDOUT'))
    }, spec.timeoutMs)
    // No byte either way for a minute: the connection is dead even if the deadline is far.
    req.setTimeout(IDLE_MS, () => {
      req.destroy(new NetworkError(`${label}: idle for ${IDLE_MS / 1000} s`, 'ETIMEDOUT'))
    })
    const onAbort = (): void => {
      req.destroy(new NetworkError(`${label}: cancelled`, 'ABORTED'))
    }
    spec.signal?.addEventListener('abort', onAbort, { once: true })
    const done = (): void => {
      clearTimeout(timer)
      spec.signal?.removeEventListener('abort', onAbort)
    }
    req.once('error', (err: NodeJS.ErrnoException) => {
      done()
      reject(
        err instanceof NetworkError ? err : new NetworkError(`${label}: ${err.message}`, err.code ?? 'EIO'),
      )
    })
    req.once('response', (res) => {
      // The deadline covers the answer's body too: it is cleared when the body ends or fails.
      res.once('end', done)
      res.once('close', done)
      res.once('error', done)
      resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res })
    })
    writeBody(req, spec.body, label)
  })
}

function writeBody(req: http.ClientRequest, body: RequestSpec['body'], label: string): void {
  if (body === undefined || Buffer.isBuffer(body)) {
    req.end(body)
    return
  }
  const source = body()
  source.once('error', (err) =>
    req.destroy(new NetworkError(`${label}: reading the blob: ${err.message}`, 'ESOURCE')),
  )
  req.once('close', () => source.destroy())
  source.pipe(req)
}

async function readBounded(stream: Readable, max: number, spec: RequestSpec): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer
      size += b.length
      if (size > max) {
        stream.destroy()
        throw new ActionError(
          `the registry's answer to ${spec.method} ${spec.url.pathname} is larger than ${max} bytes: refused`,
        )
      }
      chunks.push(b)
    }
  } catch (err) {
    if (err instanceof ActionError) throw err
    const e = err as NodeJS.ErrnoException
    throw err instanceof NetworkError
      ? err
      : new NetworkError(`${spec.method} ${spec.url.pathname}: ${e.message}`, e.code ?? 'EIO')
  }
  return Buffer.concat(chunks)
}

export interface RetryOptions {
  attempts: number
  baseMs: number
  capMs: number
  sleep?: Sleep
  random?: () => number
  /** Told of each retry (a progress line). */
  onRetry?: (why: string, attempt: number, delayMs: number) => void
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 500, capMs: 8000 }

/** Statuses a registry answers for a passing fault: worth another try. */
export function retryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505)
}

/**
 * Runs `attempt` until it gives an answer that is not a passing fault, or the attempts run out.
 * `attempt` returns an answer (retried when `retryableStatus`) or throws (retried for a
 * NetworkError only). The last answer or error comes back as it is.
 */
export async function withRetry<T extends { status: number }>(
  attempt: (n: number) => Promise<T>,
  opts: RetryOptions,
  label: string,
): Promise<T> {
  const sleep = opts.sleep ?? realSleep
  for (let n = 0; ; n++) {
    let why: string
    try {
      const answer = await attempt(n)
      if (!retryableStatus(answer.status) || n + 1 >= opts.attempts) return answer
      why = `HTTP ${answer.status}`
    } catch (err) {
      if (!(err instanceof NetworkError) || err.code === 'ABORTED' || n + 1 >= opts.attempts) throw err
      why = err.message
    }
    const delay = backoffDelay(n, {
      baseMs: opts.baseMs,
      capMs: opts.capMs,
      ...(opts.random ? { random: opts.random } : {}),
    })
    opts.onRetry?.(`${label}: ${why}`, n + 1, delay)
    await sleep(delay)
  }
}
