/**
 * The lifecycle preview: what each rule would expire or move to archive, from
 * GetLifecyclePolicyPreview's results. Pure: no I/O.
 */
import { describeRule, rulesInOrder, type LifecyclePolicy } from './policy.js'

/** The parts of ECR's LifecyclePolicyPreviewResult read here. */
export interface PreviewResult {
  imageTags?: string[] | undefined
  imageDigest?: string | undefined
  imagePushedAt?: Date | undefined
  action?: { type?: string | undefined; targetStorageClass?: string | undefined } | undefined
  appliedRulePriority?: number | undefined
}

export interface RulePreview {
  rulePriority: number
  description: string
  /** What the rule does to the images it takes. */
  action: 'expire' | 'transition'
  /** Images this rule would expire (or, for a transition rule, move to archive). */
  count: number
  /** Their tags (sorted, each once). */
  tags: string[]
  /** How many of them carry no tag. */
  untagged: number
}

export interface PreviewSummary {
  /** Images that would expire. */
  total: number
  /** Images that would move to archive. */
  transitions: number
  rules: RulePreview[]
}

/** Groups the preview's results by the rule that acts on each image, in the policy's rule order. */
export function summarizePreview(policy: LifecyclePolicy, results: PreviewResult[]): PreviewSummary {
  const rules: RulePreview[] = rulesInOrder(policy).map((r) => ({
    rulePriority: r.rulePriority,
    description: r.description?.trim() || describeRule(r),
    action: r.action.type,
    count: 0,
    tags: [],
    untagged: 0,
  }))
  const seen = new Set<string>()
  const totals = { expire: 0, transition: 0 }
  for (const r of results) {
    const action = actionOf(r)
    if (!action) continue
    const key = r.imageDigest ?? `#${totals.expire + totals.transition}`
    if (seen.has(key)) continue
    seen.add(key)
    totals[action]++
    let rule = rules.find((x) => x.rulePriority === r.appliedRulePriority && x.action === action)
    if (!rule) {
      const known = rules.some((x) => x.rulePriority === r.appliedRulePriority)
      rule = {
        rulePriority: r.appliedRulePriority ?? 0,
        description: known
          ? `ECR reports ${action === 'transition' ? 'transitions' : 'expiries'} for this rule, which the policy file does not`
          : 'a rule not in the policy file',
        action,
        count: 0,
        tags: [],
        untagged: 0,
      }
      rules.push(rule)
    }
    rule.count++
    const tags = r.imageTags ?? []
    if (tags.length === 0) rule.untagged++
    rule.tags.push(...tags)
  }
  for (const r of rules) r.tags = [...new Set(r.tags)].sort()
  return { total: totals.expire, transitions: totals.transition, rules }
}

/** EXPIRE (also when ECR leaves the action out) or TRANSITION; anything else is not counted. */
function actionOf(r: PreviewResult): 'expire' | 'transition' | undefined {
  const type = r.action?.type?.toUpperCase()
  if (type === undefined || type === 'EXPIRE') return 'expire'
  if (type === 'TRANSITION') return 'transition'
  return undefined
}
