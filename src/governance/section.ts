/** The governance section of the job summary. Pure: data in, markdown out. */
import { mdCode, mdMixed } from '../neutralise.js'
import type { PreviewSummary } from './preview.js'
import type { RepositoryOrigin } from './aws.js'

export type PolicyState =
  | { kind: 'none' }
  | { kind: 'applied'; file: string; replaced: boolean }
  | { kind: 'unchanged'; file: string }
  | { kind: 'failed'; file: string; reason: string }

export type PreviewState =
  { kind: 'done'; summary: PreviewSummary } | { kind: 'unavailable'; reason: string } | { kind: 'skipped' }

export interface GovernanceReport {
  repository: string
  origin: RepositoryOrigin | 'existing'
  /** 'on', 'off', or why it is unknown. */
  scanOnPush: string
  mutability: string
  encryption: string
  enhanced: string
  differences: string[]
  policy: PolicyState
  preview: PreviewState
  movingTags: string[]
}

const MAX_TAGS = 20

/** A table cell of our phrases, whose backtick-marked parts may hold values from the registry. */
const cell = (s: string): string => mdMixed(s, { table: true })

const ORIGIN: Record<GovernanceReport['origin'], string> = {
  created: 'created by this run',
  concurrent: 'created by another job at the same time (this run found it already there)',
  existing: 'existing (settings reported, not changed)',
}

export function governanceSection(r: GovernanceReport): string {
  const code = (s: string): string => mdCode(s, { table: true })
  const lines = [
    '### Repository governance',
    '',
    '| | |',
    '|---|---|',
    `| Repository | ${code(r.repository)}: ${ORIGIN[r.origin]} |`,
    `| Scan on push | ${r.scanOnPush === 'off' ? '**off**' : cell(r.scanOnPush)} |`,
    `| Tag mutability | ${cell(r.mutability)} |`,
    `| Encryption | ${cell(r.encryption)} |`,
    `| Enhanced scanning covers it | ${cell(r.enhanced)} |`,
    `| Lifecycle policy | ${policyCell(r.policy)} |`,
  ]
  if (r.differences.length > 0) {
    lines.push(
      '',
      `> The repository differs from the inputs (not changed by this action): ${r.differences.map((d) => mdMixed(d)).join('; ')}.`,
    )
  }
  if (r.movingTags.length > 0) {
    lines.push(
      '',
      `> Mutable tag${r.movingTags.length === 1 ? '' : 's'} ${r.movingTags.map(code).join(', ')} ` +
        `${r.movingTags.length === 1 ? 'is' : 'are'} not unique to this build and move${r.movingTags.length === 1 ? 's' : ''} with every push: ` +
        'deploy the digest-pinned image reference.',
    )
  }
  const preview = previewMarkdown(r.preview)
  if (preview) lines.push('', preview)
  return lines.join('\n')
}

function policyCell(p: PolicyState): string {
  switch (p.kind) {
    case 'none':
      return 'not managed by this step (no `lifecycle-policy` input)'
    case 'applied':
      return `applied from ${mdCode(p.file, { table: true })} (${p.replaced ? 'replaced a different policy' : 'the repository had none'})`
    case 'unchanged':
      return `unchanged: the repository already has ${mdCode(p.file, { table: true })}`
    case 'failed':
      return `**not applied** (${mdCode(p.file, { table: true })}): ${cell(p.reason)}`
  }
}

function previewMarkdown(p: PreviewState): string | undefined {
  if (p.kind === 'skipped') return undefined
  if (p.kind === 'unavailable') return `**Lifecycle preview:** unavailable: ${mdMixed(p.reason)}`
  const { summary } = p
  const lines = [
    `**Lifecycle preview:** ${summary.total === 0 ? 'nothing would expire now' : `${summary.total} image${summary.total === 1 ? '' : 's'} would expire now`}`,
    '',
    '| Rule | What it does | Would expire | Tags |',
    '|---|---|---|---|',
  ]
  for (const rule of summary.rules) {
    const shown = rule.tags.slice(0, MAX_TAGS).map((t) => mdCode(t, { table: true }))
    if (rule.tags.length > MAX_TAGS) shown.push(`… and ${rule.tags.length - MAX_TAGS} more`)
    const count = rule.untagged > 0 ? `${rule.count} (${rule.untagged} untagged)` : String(rule.count)
    lines.push(`| ${rule.rulePriority} | ${cell(rule.description)} | ${count} | ${shown.join(', ') || '–'} |`)
  }
  return lines.join('\n')
}
