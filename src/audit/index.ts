import type { PreflightContext, StageContext, StageOutcome } from '../stage.js'
export interface AuditPlan {
  enabled: boolean
}
export async function prepareAudit(ctx: PreflightContext): Promise<AuditPlan> {
  return { enabled: ctx.inputs.audit }
}
export async function runAudit(_ctx: StageContext, _plan: AuditPlan): Promise<StageOutcome> {
  return {}
}
