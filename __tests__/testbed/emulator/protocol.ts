/** The contract between the HTTP server and each service (OIDC, STS, ECR). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AwsError } from './errors.ts'
import { isRecord } from './util.ts'
import type { SignedRequest } from './sigv4.ts'
import type { CallRecord, ServiceName } from './types.ts'

export type IncomingRequest = SignedRequest

export interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

export interface ParsedCall {
  operation: string
  input: Record<string, unknown>
  tokenJti?: string
}

export interface ServiceProtocol {
  name: ServiceName
  /** Operation name and the input to log, before anything is checked (faults apply after this). */
  parse(req: IncomingRequest): ParsedCall
  /** Answer the call; fills accessKeyId/principalArn/region/tokenJti of `call`. AwsError is answered by errorAnswer. */
  handle(req: IncomingRequest, call: CallRecord): Promise<Answer>
  errorAnswer(error: AwsError, requestId: string): Answer
}

/** awsJson1_1 (ECR, ECR Public): the operation from `X-Amz-Target` after `prefix`, the JSON body. */
export function parseJsonTarget(req: IncomingRequest, prefix: string): ParsedCall {
  const target = req.headers['x-amz-target']
  const operation =
    typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : '<unknown>'
  let input: Record<string, unknown> = {}
  try {
    const parsed: unknown = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {}
    if (isRecord(parsed)) input = parsed
  } catch {
    // answered as SerializationException by the service's handle
  }
  return { operation, input }
}

/** awsJson1_1's error answer: `__type` and `message`, the code in `x-amzn-errortype` too. */
export function jsonErrorAnswer(error: AwsError, requestId: string): Answer {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  }
}

/**
 * An HTTP server on a free loopback port. A request handler that throws is the emulator's bug:
 * reported with `bug` (tests fail on it) and answered 500.
 */
export async function listenLoopback(
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  bug: (error: Error) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      bug(error instanceof Error ? error : new Error(String(error)))
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return { server, port: (server.address() as AddressInfo).port }
}
