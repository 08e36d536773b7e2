/**
 * The botocore models of the operations we call (aws-model.json, a copy of
 * shared/aws-model/ecr-sts.json: ecr, sts, ecr-public, inspector2) and a validator of values against
 * their shapes: required members, types, enums, min/max (length or value), patterns (full match).
 */
import { readFileSync } from 'node:fs'
import { isRecord } from './util.ts'

export interface MemberRef {
  shape: string
}

export interface Shape {
  type:
    'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'boolean' | 'timestamp' | 'blob'
  members?: Record<string, MemberRef>
  required?: string[]
  member?: string
  key?: string
  value?: string
  min?: number
  max?: number
  pattern?: string
  enum?: string[]
  exception?: boolean
  fault?: boolean
  error?: { code: string; httpStatusCode: number; senderFault?: boolean }
}

export interface OperationModel {
  input: string
  output: string
  errors: string[]
  /** rest-json services (inspector2): how the operation is addressed. */
  http?: { method: string; requestUri: string; responseCode?: number }
}

interface ServiceModel {
  metadata: Record<string, unknown>
  operations: Record<string, OperationModel>
  shapes: Record<string, Shape>
}

export type ModelService = 'ecr' | 'sts' | 'ecr-public' | 'inspector2'

interface ModelFile {
  services: Record<ModelService, ServiceModel>
}

const model = JSON.parse(readFileSync(new URL('./aws-model.json', import.meta.url), 'utf8')) as ModelFile

/**
 * Operations the shared subset lacks that the test bed serves (ecr-public DescribeImages),
 * transcribed from the same botocore model: added to their service, never replacing an entry.
 */
const supplement = JSON.parse(
  readFileSync(new URL('./aws-model-supplement.json', import.meta.url), 'utf8'),
) as { services: Partial<Record<ModelService, Pick<ServiceModel, 'operations' | 'shapes'>>> }
for (const [name, extra] of Object.entries(supplement.services)) {
  const service = model.services[name as ModelService]
  for (const [op, m] of Object.entries(extra.operations)) service.operations[op] ??= m
  for (const [shape, s] of Object.entries(extra.shapes)) service.shapes[shape] ??= s
}

/** The services the model file holds. */
export const modelServices = (): string[] => Object.keys(model.services)

export function operationModel(service: ModelService, operation: string): OperationModel | undefined {
  return model.services[service].operations[operation]
}

export function shapeOf(service: ModelService, name: string): Shape {
  const shape = model.services[service].shapes[name]
  if (!shape) throw new Error(`aws-model.json has no ${service} shape ${name}`)
  return shape
}

export interface ValidationResult {
  /** AWS-style constraint violations ("Value '5000' at 'maxResults' failed to satisfy constraint: ..."). */
  violations: string[]
  /** A member of the wrong JSON type (AWS answers SerializationException). */
  typeErrors: string[]
}

/** `1 validation error detected: ...` as AWS words it. */
export function validationMessage(violations: string[]): string {
  const n = violations.length
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`
}

const regexCache = new Map<string, RegExp>()

function patternRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern)
  if (!re) {
    // Java-style \uXXXXX (5+ hex digits) -> \u{XXXXX}; patterns are full-match constraints.
    const source = pattern.replace(/\\u([0-9a-fA-F]{5,6})/g, '\\u{$1}')
    re = new RegExp(`^(?:${source})$`, 'u')
    regexCache.set(pattern, re)
  }
  return re
}

function show(value: unknown): string {
  if (value instanceof Date) return `'${value.toISOString()}'`
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return `'${String(value)}'`
  return `'${JSON.stringify(value)}'`
}

/**
 * Validate `value` against shape `shapeName`. `mode` 'input' expects wire types (timestamps as epoch
 * numbers or ISO strings); 'output' expects what handlers produce (timestamps as Date).
 */
export function validate(
  service: ModelService,
  shapeName: string,
  value: unknown,
  mode: 'input' | 'output',
): ValidationResult {
  const result: ValidationResult = { violations: [], typeErrors: [] }
  walk(service, shapeName, value, '', mode, result)
  return result
}

function walk(
  service: ModelService,
  shapeName: string,
  value: unknown,
  path: string,
  mode: 'input' | 'output',
  out: ValidationResult,
): void {
  const shape = shapeOf(service, shapeName)
  const at = path || '<root>'
  const violate = (constraint: string): void => {
    out.violations.push(
      `Value ${show(value)} at '${at}' failed to satisfy constraint: Member must ${constraint}`,
    )
  }
  const typeError = (expected: string): void => {
    out.typeErrors.push(`${at}: expected ${expected}, got ${Array.isArray(value) ? 'array' : typeof value}`)
  }
  const lengthChecks = (length: number): void => {
    if (shape.min !== undefined && length < shape.min)
      violate(`have length greater than or equal to ${shape.min}`)
    if (shape.max !== undefined && length > shape.max)
      violate(`have length less than or equal to ${shape.max}`)
  }
  switch (shape.type) {
    case 'structure': {
      if (!isRecord(value)) return typeError('object')
      for (const name of shape.required ?? []) {
        if (value[name] === undefined || value[name] === null) {
          out.violations.push(
            `Value null at '${path ? `${path}.` : ''}${name}' failed to satisfy constraint: Member must not be null`,
          )
        }
      }
      for (const [name, member] of Object.entries(value)) {
        const ref = shape.members?.[name]
        if (member === undefined || member === null) continue
        if (!ref) {
          // AWS ignores unknown members on input; an unknown member in our own output is a bug.
          if (mode === 'output')
            out.typeErrors.push(`${path ? `${path}.` : ''}${name}: not a member of ${shapeName}`)
          continue
        }
        walk(service, ref.shape, member, path ? `${path}.${name}` : name, mode, out)
      }
      return
    }
    case 'list': {
      if (!Array.isArray(value)) return typeError('array')
      lengthChecks(value.length)
      value.forEach((item, i) => walk(service, shape.member ?? '', item, `${at}.${i + 1}.member`, mode, out))
      return
    }
    case 'map': {
      if (!isRecord(value)) return typeError('object')
      lengthChecks(Object.keys(value).length)
      for (const [k, v] of Object.entries(value)) {
        walk(service, shape.key ?? '', k, `${at}.key`, mode, out)
        walk(service, shape.value ?? '', v, `${at}.${k}`, mode, out)
      }
      return
    }
    case 'string': {
      if (typeof value !== 'string') return typeError('string')
      lengthChecks([...value].length)
      if (shape.enum && !shape.enum.includes(value))
        violate(`satisfy enum value set: [${shape.enum.join(', ')}]`)
      if (shape.pattern && !patternRegex(shape.pattern).test(value)) {
        violate(`satisfy regular expression pattern: ${shape.pattern}`)
      }
      return
    }
    case 'integer':
    case 'long':
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeError('number')
      if (shape.type !== 'double' && !Number.isInteger(value)) return typeError('integer')
      if (shape.min !== undefined && value < shape.min)
        violate(`have value greater than or equal to ${shape.min}`)
      if (shape.max !== undefined && value > shape.max)
        violate(`have value less than or equal to ${shape.max}`)
      return
    }
    case 'boolean':
      if (typeof value !== 'boolean') typeError('boolean')
      return
    case 'timestamp':
      if (mode === 'output') {
        if (!(value instanceof Date) || Number.isNaN(value.getTime())) typeError('Date')
      } else if (typeof value !== 'number' && typeof value !== 'string') {
        typeError('timestamp')
      }
      return
    case 'blob':
      if (typeof value !== 'string') typeError('base64 string')
      return
  }
}
