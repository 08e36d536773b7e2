/** The contract between the HTTP server and each service (OIDC, STS, ECR). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AwsError, EmulatorBug } from './errors.ts'
import { validate, type ModelService, type OperationModel } from './model.ts'
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

/**
 * The JSON body checked against the operation's input shape: a body that is no JSON, or a value of
 * the wrong type, is a SerializationException (as AWS answers); the constraint violations are left
 * to the service, which words them as it does.
 */
export function checkedJsonInput(
  service: ModelService,
  model: OperationModel,
  req: IncomingRequest,
): { params: Record<string, unknown>; violations: string[] } {
  let input: unknown
  try {
    input = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {}
  } catch {
    throw new AwsError('SerializationException', 'Unable to parse the request body as JSON')
  }
  const checked = validate(service, model.input, input, 'input')
  if (checked.typeErrors.length > 0)
    throw new AwsError('SerializationException', checked.typeErrors.join('; '))
  return { params: input as Record<string, unknown>, violations: checked.violations }
}

/** An answer that does not conform to the model's output shape is the emulator's bug. */
export function checkOutput(
  service: ModelService,
  operation: string,
  model: OperationModel,
  output: unknown,
): void {
  const result = validate(service, model.output, output, 'output')
  if (result.violations.length > 0 || result.typeErrors.length > 0) {
    throw new EmulatorBug(
      `${service} ${operation} answer does not conform to ${model.output}: ${[...result.violations, ...result.typeErrors].join('; ')}`,
    )
  }
}
