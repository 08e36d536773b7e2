/** GitHub's ID token request endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`), as @actions/core calls it. */
import { AwsError } from './errors.ts'
import type { Answer, IncomingRequest, ParsedCall, ServiceProtocol } from './protocol.ts'
import type { EmulatorCore } from './state.ts'
import type { CallRecord } from './types.ts'

export const OIDC_PATH = '/oidc/token'

function audienceOf(req: IncomingRequest): string | undefined {
  return new URL(req.url, 'http://x').searchParams.get('audience') ?? undefined
}

export function createOidcService(core: EmulatorCore): ServiceProtocol {
  const parse = (req: IncomingRequest): ParsedCall => {
    const audience = audienceOf(req)
    return { operation: 'GetIdToken', input: audience === undefined ? {} : { audience } }
  }

  const errorAnswer = (error: AwsError, requestId: string): Answer => ({
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-github-request-id': requestId },
    body: JSON.stringify({ message: error.message }),
  })

  const handle = async (req: IncomingRequest, call: CallRecord): Promise<Answer> => {
    if (req.method !== 'GET') throw new AwsError('MethodNotAllowed', 'Method not allowed', 405)
    if (req.headers.authorization !== `Bearer ${core.oidc.config.requestToken}`) {
      throw new AwsError('Unauthorized', 'Bad credentials', 401)
    }
    const { token, claims } = core.oidc.mint(
      {},
      { ...(audienceOf(req) !== undefined ? { audience: audienceOf(req) as string } : {}) },
    )
    call.tokenJti = String(claims.jti)
    core.state.issuedIdTokens.push(token)
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-github-request-id': call.requestId },
      body: JSON.stringify({ count: 1, value: token }),
    }
  }

  return { name: 'oidc', parse, handle, errorAnswer }
}
