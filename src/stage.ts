/**
 * What the stages share: the context they run in and the result they return. Stages never write
 * outputs, the summary or their closing annotations themselves: they return them, and main writes
 * them (see `publish`). Progress lines and warnings about how the work goes are logged as they
 * happen.
 */
import type { ECRClient } from '@aws-sdk/client-ecr'
import * as core from './core.js'
import type { OutputDir } from './files.js'
import type { GateDigest } from './github/digest.js'
import type { Inputs } from './inputs.js'
import { writeOutputs, type Outputs } from './outputs.js'
import type { PushResult } from './push.js'
import type { Report, Sections } from './report.js'
import type { Clock, Sleep } from './retry.js'
import type { Identity } from './sts.js'

/** What every stage after the push receives: the run's settings and its clock. */
export interface StageContext {
  inputs: Inputs
  env: NodeJS.ProcessEnv
  clock: Clock
  sleep: Sleep
  /** The step's private directory for its own files (files.ts); made from `env` when absent. */
  outputDir?: OutputDir
}

/** What the push leaves for the stages after it; each stage takes the parts it needs, by name. */
export interface AfterPush {
  /** Who the action acts as (the account of the credentials, the ARN). */
  identity: Identity
  /** The ECR client of that identity, in the input region. */
  ecr: ECRClient
  /** What was pushed. */
  pushed: PushResult
}

/** An annotation on the run: what a stage concluded that a reviewer should see. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title?: string
}

/** What a stage hands back to main. */
export interface StageResult {
  outputs: Outputs
  sections: Sections
  annotations: Annotation[]
  /** Set: the step fails with this one-line message. */
  failure?: string
  /** The scan gate's verdict in brief (for the pull request comment); set by the gate only. */
  digest?: GateDigest
}

/** A result with the parts given and nothing else. */
export function stageResult(parts: Partial<StageResult> = {}): StageResult {
  const { outputs = {}, sections = {}, annotations = [], failure, digest } = parts
  return {
    outputs,
    sections,
    annotations,
    ...(failure === undefined ? {} : { failure }),
    ...(digest === undefined ? {} : { digest }),
  }
}

/** Writes a result: its outputs, its annotations, its summary sections (into `report`). */
export function publish(result: StageResult, report: Report): void {
  writeOutputs(result.outputs)
  for (const a of result.annotations) {
    const props = a.title === undefined ? {} : { title: a.title }
    if (a.level === 'error') core.error(a.message, props)
    else if (a.level === 'warning') core.warning(a.message, props)
    else core.notice(a.message, props)
  }
  report.addAll(result.sections)
}

/** What a stage needs before any network call (parsed files, validated policies). */
export interface PreflightContext {
  inputs: Inputs
  env: NodeJS.ProcessEnv
}
