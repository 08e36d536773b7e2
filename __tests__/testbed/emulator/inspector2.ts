/**
 * Amazon Inspector (inspector2) over rest-json, as far as this project calls it: GetConfiguration
 * (`POST /configuration/get`, its ECR re-scan duration). Each operation is found by the `http`
 * {method, requestUri} of the API model (`aws-model.json`, service `inspector2`); SigV4 with the
 * signing name `inspector2`; input and output checked against the model's shapes; IAM
 * `inspector2:<Operation>` on `*`; errors as rest-json answers them (status, `x-amzn-errortype`,
 * `{"message"}`).
 *
 * State: `emulator.state.ext.inspector` = `{ ecrConfiguration?: EcrRescanDurationState }` (see
 * `setInspectorEcrConfiguration`); without it, a new account's defaults (push date 14 days, last in
 * use 14 days: the Inspector user guide's default for new accounts).
 */
import { authenticate } from './auth.ts'
import { AwsError, EmulatorBug } from './errors.ts'
import { denial } from './iam.ts'
import { operationModel, validate, validationMessage } from './model.ts'
import type { Answer, IncomingRequest, ParsedCall, ServiceProtocol } from './protocol.ts'
import type { EmulatorCore } from './state.ts'
import type { CallRecord } from './types.ts'
import { isRecord } from './util.ts'

export const INSPECTOR_PATH = '/inspector2'
const CONTENT_TYPE = 'application/json'

export interface EcrRescanDurationState {
  rescanDuration?: string
  pullDateRescanDuration?: string
  pullDateRescanMode?: string
  status?: string
  updatedAt?: Date
}

const NEW_ACCOUNT: EcrRescanDurationState = {
  rescanDuration: 'DAYS_14',
  pullDateRescanDuration: 'DAYS_14',
  pullDateRescanMode: 'LAST_IN_USE_AT',
  status: 'SUCCESS',
}

/** Test helper: the account's ECR re-scan duration settings. */
export function setInspectorEcrConfiguration(
  emulator: { state: { ext: Record<string, unknown> } },
  config: EcrRescanDurationState,
): void {
  emulator.state.ext.inspector = { ecrConfiguration: config }
}

function ecrConfiguration(core: EmulatorCore): EcrRescanDurationState {
  const s = core.state.ext.inspector
  return isRecord(s) && isRecord(s.ecrConfiguration)
    ? (s.ecrConfiguration as EcrRescanDurationState)
    : { ...NEW_ACCOUNT, updatedAt: new Date(0) }
}

type Handler = (core: EmulatorCore, input: Record<string, unknown>) => unknown

const HANDLERS: Record<string, Handler> = {
  GetConfiguration: (core) => ({ ecrConfiguration: { rescanDurationState: ecrConfiguration(core) } }),
}

/** The operation a rest-json request names, by the model's `http` of each operation we serve. */
function operationOf(method: string, path: string): string | undefined {
  for (const name of Object.keys(HANDLERS)) {
    const http = operationModel('inspector2', name)?.http
    if (http && http.method === method && http.requestUri === path) return name
  }
  return undefined
}

function pathOf(url: string): string {
  const path = url.split('?')[0] ?? '/'
  return path.startsWith(INSPECTOR_PATH) ? path.slice(INSPECTOR_PATH.length) || '/' : path
}

/** JSON with Date as epoch seconds (rest-json timestamps). */
function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key]
    return raw instanceof Date ? raw.getTime() / 1000 : v
  })
}

export function createInspectorService(core: EmulatorCore): ServiceProtocol {
  const parse = (req: IncomingRequest): ParsedCall => {
    let input: Record<string, unknown> = {}
    try {
      const parsed: unknown = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {}
      if (isRecord(parsed)) input = parsed
    } catch {
      // answered as a ValidationException by handle
    }
    return { operation: operationOf(req.method, pathOf(req.url)) ?? '<unknown>', input }
  }

  const errorAnswer = (error: AwsError, requestId: string): Answer => {
    const body: Record<string, unknown> = { message: error.message }
    if (error.code === 'ValidationException') body.reason = 'OTHER'
    return {
      status: error.status,
      headers: {
        'content-type': CONTENT_TYPE,
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.code,
      },
      body: JSON.stringify(body),
    }
  }

  const handle = async (req: IncomingRequest, call: CallRecord): Promise<Answer> => {
    const { credential, region, accessKeyId } = authenticate('inspector2', req, core.state.credentials)
    call.accessKeyId = accessKeyId
    call.principalArn = credential.principal.arn
    call.region = region
    const handler = HANDLERS[call.operation]
    const model = operationModel('inspector2', call.operation)
    if (!handler || !model) {
      throw new AwsError(
        'UnknownOperationException',
        `No inspector2 operation for ${req.method} ${pathOf(req.url)}`,
        404,
      )
    }
    let input: unknown
    try {
      input = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {}
    } catch {
      throw new AwsError('ValidationException', 'The request body is not valid JSON')
    }
    const checked = validate('inspector2', model.input, input, 'input')
    const problems = [...checked.typeErrors, ...checked.violations]
    if (problems.length > 0) throw new AwsError('ValidationException', validationMessage(problems))
    const why = denial(credential.principal, `inspector2:${call.operation}`, '*')
    if (why !== undefined) throw new AwsError('AccessDeniedException', why, 403)
    const output = await handler(core, input as Record<string, unknown>)
    const result = validate('inspector2', model.output, output, 'output')
    if (result.violations.length > 0 || result.typeErrors.length > 0) {
      throw new EmulatorBug(
        `inspector2 ${call.operation} answer does not conform to ${model.output}: ${[...result.violations, ...result.typeErrors].join('; ')}`,
      )
    }
    return {
      status: model.http?.responseCode ?? 200,
      headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': call.requestId },
      body: toJson(output),
    }
  }

  return { name: 'inspector2', parse, handle, errorAnswer }
}
