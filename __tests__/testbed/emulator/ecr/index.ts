/**
 * ECR over JSON 1.1 (`X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>`): SigV4, model
 * validation of input and output, IAM, then the operation's handler from the `operations` map.
 */
import { authenticate } from '../auth.ts'
import { AwsError } from '../errors.ts'
import { authorize } from '../iam.ts'
import { operationModel, validationMessage } from '../model.ts'
import {
  checkOutput,
  checkedJsonInput,
  jsonErrorAnswer,
  parseJsonTarget,
  type Answer,
  type IncomingRequest,
  type ParsedCall,
  type ServiceProtocol,
} from '../protocol.ts'
import type { EmulatorCore } from '../state.ts'
import type { CallRecord } from '../types.ts'
import { operations as authOperations } from './auth.ts'
import { repositoryNotFound, type EcrContext, type EcrOperation } from './context.ts'
import { operations as governanceOperations } from './governance.ts'
import { operations as imageOperations } from './images.ts'
import { operations as repositoryOperations } from './repositories.ts'
import { operations as registryScanningOperations } from './registry-scanning.ts'
import { operations as scanOperations } from './scan.ts'
import { operations as templateOperations } from './templates.ts'

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.'
const CONTENT_TYPE = 'application/x-amz-json-1.1'

/** The built-in operations; more are added with `emulator.registerOperation` or by adding a file here. */
export function defaultOperations(): Map<string, EcrOperation> {
  return new Map(
    Object.entries({
      ...authOperations,
      ...repositoryOperations,
      ...imageOperations,
      ...governanceOperations,
      ...scanOperations,
      ...registryScanningOperations,
      ...templateOperations,
    }),
  )
}

const REGISTRY_LEVEL = new Set([
  'GetAuthorizationToken',
  'GetRegistryScanningConfiguration',
  'PutRegistryScanningConfiguration',
  'DescribeRegistry',
  'GetRegistryPolicy',
  'PutRegistryPolicy',
  'DeleteRegistryPolicy',
  'PutReplicationConfiguration',
  'GetAccountSetting',
  'PutAccountSetting',
  'DescribeRepositoryCreationTemplates',
])

function defaultResources(ctx: EcrContext, input: Record<string, unknown>): string[] {
  if (REGISTRY_LEVEL.has(ctx.operation)) return ['*']
  if (typeof input.resourceArn === 'string') return [input.resourceArn]
  if (typeof input.repositoryName === 'string') return [ctx.repositoryArn(input.repositoryName)]
  if (Array.isArray(input.repositoryNames))
    return input.repositoryNames.map((n) => ctx.repositoryArn(String(n)))
  return [ctx.repositoryArn('*')]
}

/** JSON with Date as epoch seconds, as the JSON protocol sends timestamps. */
function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key]
    return raw instanceof Date ? raw.getTime() / 1000 : v
  })
}

export function createEcrService(core: EmulatorCore, ops: Map<string, EcrOperation>): ServiceProtocol {
  const parse = (req: IncomingRequest): ParsedCall => parseJsonTarget(req, TARGET_PREFIX)
  const errorAnswer = jsonErrorAnswer

  const handle = async (req: IncomingRequest, call: CallRecord): Promise<Answer> => {
    const { operation } = call
    const { credential, region, accessKeyId } = authenticate('ecr', req, core.state.credentials)
    call.accessKeyId = accessKeyId
    call.principalArn = credential.principal.arn
    call.region = region
    const op = ops.get(operation)
    const model = operationModel('ecr', operation)
    if (!op || !model) {
      throw new AwsError(
        'UnknownOperationException',
        `Operation ${operation} is not supported by the emulator`,
      )
    }
    const checked = checkedJsonInput('ecr', model, req)
    if (checked.violations.length > 0) {
      const code = model.errors.includes('InvalidParameterException')
        ? 'InvalidParameterException'
        : 'ValidationException'
      const only = checked.violations.length === 1 ? checked.violations[0] : undefined
      const m = only ? /^Value .* at '(.*)' failed to satisfy constraint: (.*)$/s.exec(only) : null
      throw new AwsError(
        code,
        m
          ? `Invalid parameter at '${m[1]}' failed to satisfy constraint: '${m[2]}'`
          : validationMessage(checked.violations),
      )
    }
    const { params } = checked
    const principal = credential.principal
    const account = typeof params.registryId === 'string' ? params.registryId : principal.account
    const ctx: EcrContext = {
      core,
      state: core.state,
      operation,
      principal,
      region,
      account,
      registry: core.registryFor(account, region),
      now: new Date(),
      repositoryArn: (name) => `arn:aws:ecr:${region}:${account}:repository/${name}`,
      requireRepository: (name) => {
        const repo = core.findRepository(account, region, name)
        if (!repo) throw repositoryNotFound(name, account)
        return repo
      },
    }
    for (const resource of (op.resources ?? defaultResources)(ctx, params))
      authorize(principal, `ecr:${operation}`, resource, core.repositoryByArn(resource))
    const output = await op.handle(ctx, params)
    checkOutput('ecr', operation, model, output)
    return {
      status: 200,
      headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': call.requestId },
      body: toJson(output),
    }
  }

  return { name: 'ecr', parse, handle, errorAnswer }
}
