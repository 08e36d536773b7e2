import type { GateDigest } from './github/digest.js'
import type { Inputs } from './inputs.js'
import type { PushResult } from './push.js'
import type { Report } from './report.js'
import type { Clock, Sleep } from './retry.js'

/** What every stage after the push receives. */
export interface StageContext {
  inputs: Inputs
  pushed: PushResult
  report: Report
  env: NodeJS.ProcessEnv
  clock: Clock
  sleep: Sleep
}

/** A stage's verdict: `failure` set means the step fails with that one-line message. */
export interface StageOutcome {
  failure?: string
  /** The scan gate's verdict in brief (for the pull request comment); set by the gate only. */
  digest?: GateDigest
}

/** What a stage needs before any network call (parsed files, validated policies). */
export interface PreflightContext {
  inputs: Inputs
  env: NodeJS.ProcessEnv
}
