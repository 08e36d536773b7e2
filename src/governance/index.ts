import type { ECRClient, Repository } from '@aws-sdk/client-ecr'
import type { Inputs } from '../inputs.js'
import type { PreflightContext, StageContext, StageOutcome } from '../stage.js'
export interface GovernancePlan {
  lifecyclePolicy?: unknown
}
export async function prepareGovernance(_ctx: PreflightContext): Promise<GovernancePlan> {
  return {}
}
export async function createRepository(
  _i: Inputs,
  _e: ECRClient,
  _r: string,
  _env: NodeJS.ProcessEnv,
): Promise<Repository> {
  throw new Error('not implemented')
}
export async function runGovernance(_ctx: StageContext, _plan: GovernancePlan): Promise<StageOutcome> {
  return {}
}
