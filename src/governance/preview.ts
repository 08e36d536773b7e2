/**
 * The lifecycle preview: what each rule would expire, from GetLifecyclePolicyPreview's results.
 * Pure: no I/O.
 */
import { describeRule, rulesInOrder, type LifecyclePolicy } from './policy.js'

/** The parts of ECR's LifecyclePolicyPreviewResult read here. */
export interface PreviewResult {
  imageTags?: string[] | undefined
  imageDigest?: string | undefined
  imagePushedAt?: Date | undefined
  action?: { type?: string | undefined } | undefined
  appliedRulePriority?: number | undefined
}

export interface RulePreview {
  rulePriority: number
  description: string
  /** Images this rule would expire. */
  count: number
  /** Their tags (sorted, each once). */
  tags: string[]
  /** How many of them carry no tag. */
  untagged: number
}

export interface PreviewSummary {
  total: number
  rules: RulePreview[]
}

/** Groups the preview's results by the rule that expires each image, in the policy's rule order. */
export function summarizePreview(policy: LifecyclePolicy, results: PreviewResult[]): PreviewSummary {
  const rules: RulePreview[] = rulesInOrder(policy).map((r) => ({
    rulePriority: r.rulePriority,
    description: r.description?.trim() || describeRule(r),
    count: 0,
    tags: [],
    untagged: 0,
  }))
  const seen = new Set<string>()
  let total = 0
  for (const r of results) {
    if (r.action?.type !== undefined && r.action.type.toUpperCase() !== 'EXPIRE') continue
    const key = r.imageDigest ?? `#${total}`
    if (seen.has(key)) continue
    seen.add(key)
    total++
    let rule = rules.find((x) => x.rulePriority === r.appliedRulePriority)
    if (!rule) {
      rule = {
        rulePriority: r.appliedRulePriority ?? 0,
        description: 'a rule not in the policy file',
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
  return { total, rules }
}
