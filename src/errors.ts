/** Text of any thrown value, without stack noise. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  if (typeof err === 'string') return err
  try {
    return JSON.stringify(err)
  } catch {
    return String(err)
  }
}

/** Name of an error as the AWS SDK surfaces it (`AccessDenied`, `ThrottlingException`, …). */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; code?: unknown; Code?: unknown }
    for (const v of [e.name, e.Code, e.code]) if (typeof v === 'string' && v !== 'Error') return v
  }
  return ''
}

/** HTTP status of an AWS SDK error, when the service answered at all. */
export function httpStatus(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined
}

/**
 * An error meant for the user: one line that says what is wrong and what to do. main() prints it
 * as is; anything else is prefixed with the phase it happened in.
 */
export class ActionError extends Error {
  override name = 'ActionError'
}

/** Bad inputs, all of them: each line names the input and the expected form. */
export class InputError extends ActionError {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(problems.join('\n'))
    this.problems = problems
    this.name = 'InputError'
  }
}

/** Prefix an error with context, keeping user-facing errors as they are. */
export function withContext(context: string, err: unknown): Error {
  if (err instanceof ActionError) return err
  return new Error(`${context}: ${errorMessage(err)}`, { cause: err })
}
