import type { PreflightContext, StageContext, StageOutcome } from '../stage.js'
export interface GatePlan {
  enabled: boolean
}
export async function prepareGate(ctx: PreflightContext): Promise<GatePlan> {
  return { enabled: ctx.inputs.waitForScan }
}
export async function runGate(_ctx: StageContext, _plan: GatePlan): Promise<StageOutcome> {
  return {}
}
