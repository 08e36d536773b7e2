/**
 * The governance section of the job summary. Pure: data in, markdown out. Facts as a list (no
 * key/value table with an empty header row); the preview table folds once it is long. The phrases
 * mark values from the registry with backticks: each such part becomes a neutralised code span
 * (mdMixed), the rest neutralised text.
 */
import { factList, foldedTable, plural } from '../markdown.js'
import { mdCode, mdMixed } from '../neutralise.js'
import { rescanPhrase, type RescanState } from './inspector.js'
import type { MovableTags } from './settings.js'
import type { PreviewSummary } from './preview.js'
import type { RepositoryOrigin } from './aws.js'
import { registryScanningMarkdown, type RegistryScanningReport } from './registry-scanning-report.js'

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
  /** Amazon Inspector's re-scan duration (continuous scanning only). */
  rescan?: RescanState
  differences: string[]
  policy: PolicyState
  preview: PreviewState
  movingTags: MovableTags
  /** The creation template ECR created the repository from (origin `template`). */
  template?: { prefix: string; settings: string }
  /** What `registry-scanning` did (absent with `report`). */
  registryScanning?: RegistryScanningReport
}

const MAX_TAGS = 20

const ORIGIN: Record<GovernanceReport['origin'], string> = {
  created: 'created by this run',
  concurrent: 'created by another job at the same time (this run found it already there)',
  template: 'created by ECR on push from a repository creation template',
  existing: 'existing (settings reported, not changed)',
}

export function governanceSection(r: GovernanceReport): string {
  const lines = [
    '### Repository governance',
    '',
    ...factList([
      ['Repository', `${mdCode(r.repository)}, ${origin(r)}`],
      ['Scan on push', r.scanOnPush === 'off' ? '**off**' : mdMixed(r.scanOnPush)],
      ['Tag mutability', mdMixed(r.mutability)],
      ['Encryption', mdMixed(r.encryption)],
      ['Enhanced scanning covers it', mdMixed(r.enhanced)],
      ...rescanRow(r.rescan),
      ['Lifecycle policy', policyCell(r.policy)],
    ]),
  ]
  if (r.registryScanning) lines.push('', registryScanningMarkdown(r.registryScanning))
  if (r.differences.length > 0) {
    lines.push(
      '',
      `> ⚠️ The repository differs from the inputs (not changed by this action): ${r.differences.map((d) => mdMixed(d)).join('; ')}.`,
    )
  }
  const moving = movingTagsLine(r.movingTags)
  if (moving) lines.push('', moving)
  const preview = previewMarkdown(r.preview)
  if (preview) lines.push('', preview)
  return lines.join('\n')
}

function rescanRow(rescan: RescanState | undefined): [string, string][] {
  if (!rescan || rescan.kind === 'skipped') return []
  const text = rescan.kind === 'known' ? rescanPhrase(rescan.setting) : `unknown (${rescan.reason})`
  return [['Inspector re-scans it', mdMixed(text)]]
}

function movingTagsLine({ tags, by }: MovableTags): string | undefined {
  if (tags.length === 0) return undefined
  const one = tags.length === 1
  const list = tags.slice(0, MAX_TAGS).map((t) => mdCode(t))
  if (tags.length > MAX_TAGS) list.push(`… and ${tags.length - MAX_TAGS} more`)
  if (by === 'setting') {
    return (
      `> Mutable tag${one ? '' : 's'} ${list.join(', ')}: the repository's tag mutability lets a later push move ${one ? 'it' : 'them'} ` +
      'to another image: deploy the digest-pinned image reference.'
    )
  }
  return (
    `> Tag${one ? '' : 's'} ${list.join(', ')} ${one ? 'looks' : 'look'} like ${one ? 'a tag that moves' : 'tags that move'} with every push ` +
    "(the repository's tag mutability is unknown): deploy the digest-pinned image reference."
  )
}

function origin(r: GovernanceReport): string {
  if (r.origin === 'template' && r.template) {
    return `created by ECR from template ${mdCode(r.template.prefix)} (create on push): ${mdMixed(r.template.settings)}`
  }
  return ORIGIN[r.origin]
}

function policyCell(p: PolicyState): string {
  switch (p.kind) {
    case 'none':
      return 'not managed by this step (no `lifecycle-policy` input)'
    case 'applied':
      return `applied from ${mdCode(p.file)} (${p.replaced ? 'replaced a different policy' : 'the repository had none'})`
    case 'unchanged':
      return `unchanged: the repository already has ${mdCode(p.file)}`
    case 'failed':
      return `**not applied** (${mdCode(p.file)}): ${mdMixed(p.reason)}`
  }
}

function previewMarkdown(p: PreviewState): string | undefined {
  if (p.kind === 'skipped') return undefined
  if (p.kind === 'unavailable') return `**Lifecycle preview:** unavailable: ${mdMixed(p.reason)}`
  const { summary } = p
  const images = (n: number): string => plural(n, 'image')
  const parts = [
    summary.total === 0 ? 'nothing would expire now' : `${images(summary.total)} would expire now`,
  ]
  if (summary.transitions > 0) parts.push(`${images(summary.transitions)} would move to archive`)
  const transitions = summary.rules.some((r) => r.action === 'transition')
  const rows = summary.rules.map((rule) => {
    const shown = rule.tags.slice(0, MAX_TAGS).map((t) => mdCode(t, { table: true }))
    if (rule.tags.length > MAX_TAGS) shown.push(`… and ${rule.tags.length - MAX_TAGS} more`)
    const untagged = rule.untagged > 0 ? ` (${rule.untagged} untagged)` : ''
    const verb = transitions ? (rule.action === 'transition' ? ' to archive' : ' to expire') : ''
    return [
      String(rule.rulePriority),
      mdMixed(rule.description, { table: true }),
      `${rule.count}${verb}${untagged}`,
      shown.join(', ') || '–',
    ]
  })
  const head = ['Rule', 'What it does', transitions ? 'Images' : 'Would expire', 'Tags']
  const table = foldedTable(`Lifecycle preview: ${plural(rows.length, 'rule')}`, head, rows)
  return [`**Lifecycle preview:** ${parts.join(', ')}`, '', ...table].join('\n')
}
