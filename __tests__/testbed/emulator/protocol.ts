/** The contract between the HTTP server and each service (OIDC, STS, ECR). */
import type { AwsError } from './errors.ts'
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
