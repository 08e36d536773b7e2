/** An error the emulator answers with, in the calling protocol's form (STS XML or ECR JSON). */
export class AwsError extends Error {
  readonly code: string
  readonly status: number
  /** STS `<Type>`: Sender for 4xx, Receiver for 5xx. */
  readonly sender: boolean

  constructor(code: string, message: string, status = 400) {
    super(message)
    this.name = code
    this.code = code
    this.status = status
    this.sender = status < 500
  }
}

/**
 * A bug in the emulator itself (e.g. it produced an answer that does not conform to the AWS model).
 * Answered as a 500 and recorded in `emulator.internalErrors` so tests can fail loudly.
 */
export class EmulatorBug extends Error {
  constructor(message: string) {
    super(`EMULATOR BUG: ${message}`)
    this.name = 'EmulatorBug'
  }
}
