/**
 * The pull request comment: the gate's verdict and its blocking findings, where reviewers look.
 * Pure: facts in, markdown out.
 *
 * Every string that comes from a scan (IDs, packages, versions, URLs, ECR's reasons) is hostile: it
 * is shown only inside a code span (GitHub renders no markdown, HTML, @-mention, #-reference or
 * emoji there), with the characters that could end the span or the table cell neutralised, control
 * and bidirectional-override characters escaped visibly, and its length bounded. URLs are links only when
 * they are plain http(s) URLs, percent-encoded so they cannot close the link. The body stays well
 * under GitHub's 65,536-character limit for a comment.
 */
import { createHash } from 'node:crypto'
import { safeUrl } from '../markdown.js'
import { escapeControls } from '../neutralise.js'
import { SEVERITIES, type Severity, type Threshold } from '../severity.js'
import type { BlockingFinding, GateDigest } from './digest.js'

export interface PrCommentFacts extends GateDigest {
  /** The hidden marker that finds this comment again (commentMarker()). */
  marker: string
  /** Digest-pinned image reference. */
  imageRef: string
  /** The step failed for another reason than the gate (audit, governance). */
  otherFailure: boolean
  /** Link to the workflow run (its job summary and log). */
  runUrl?: string
  /** The commit the run built (40 or 64 hex). */
  commit?: string
}

/** GitHub refuses comments over 65,536 characters; stay clear of it. */
export const BODY_LIMIT = 60_000

const LABEL: Record<Severity, string> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  INFORMATIONAL: 'Informational',
  UNDEFINED: 'Undefined',
}

/**
 * The hidden marker of the one comment per pull request, image and step:
 * `<!-- ecr-supply-chain:<repository>:<12 hex> -->`, the hex a hash of the registry, the repository
 * and the workflow, job and step that push it (so two steps pushing two images keep two comments).
 */
export function commentMarker(key: {
  registry: string
  repository: string
  workflow: string
  job: string
  step: string
}): string {
  const hash = createHash('sha256')
    .update([key.registry, key.repository, key.workflow, key.job, key.step].join('\n'))
    .digest('hex')
    .slice(0, 12)
  // ECR repository names are [a-z0-9._/-] without "--": nothing in them can end an HTML comment.
  const repo = key.repository.replace(/[^a-z0-9._/-]/g, '_').replace(/-{2,}/g, '-')
  return `<!-- ecr-supply-chain:${repo}:${hash} -->`
}

/**
 * Plain, single-line, bounded text (counted in code points): line breaks and tabs become spaces,
 * a lone CR, control characters and the bidirectional overrides/isolates that can make text read
 * as something else ("Trojan Source") are escaped visibly (neutralise.ts).
 */
function clean(s: string, max: number): string {
  const flat = escapeControls(String(s).replace(/\r\n|\n|\t/g, ' ')).trim()
  const points = [...flat]
  return points.length > max ? `${points.slice(0, max - 1).join('')}…` : flat
}

/**
 * Hostile text as a code span. `table`: it sits in a table cell, where `|` (even in a code span)
 * and a backslash before it would split the cell, so both are escaped.
 */
export function code(s: string, max: number, table: boolean): string {
  let t = clean(s, max).replace(/`/g, 'ˋ')
  if (t === '') return '–'
  if (table) t = t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')
  return `\`${t}\``
}

function thresholdText(t: Threshold): string {
  return t === 'NONE' ? 'report only (severity-threshold: NONE)' : `at or above ${t}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function headline(f: PrCommentFacts): string {
  const t = f.threshold
  switch (f.gate) {
    case 'failed':
      return f.counts
        ? `❌ Scan gate failed: ${plural(f.blockingTotal, 'blocking finding')} ${thresholdText(t)}`
        : '❌ Scan gate failed: no trustworthy findings'
    case 'passed': {
      const total = f.counts ? SEVERITIES.reduce((n, s) => n + (f.counts?.[s] ?? 0), 0) : 0
      if (t === 'NONE') return `✅ Scan gate passed: ${plural(total, 'counted finding')}, report only`
      return `✅ Scan gate passed: ${total === 0 ? 'no counted findings' : `${plural(total, 'finding')}, none ${thresholdText(t)}`}`
    }
    case 'unavailable':
      return '⚠️ Scan gate could not decide: no trustworthy findings'
    case 'skipped':
      return '⏭️ Scan gate skipped (wait-for-scan: false): the image was pushed without waiting for its findings'
  }
}

function countsTable(f: PrCommentFacts): string[] {
  if (!f.counts) return []
  const counts = f.counts
  const head = [...SEVERITIES.map((s) => LABEL[s]), 'Ignored']
  const row = [...SEVERITIES.map((s) => String(counts[s])), String(f.ignored ?? 0)]
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`, `| ${row.join(' | ')} |`]
}

function findingRow(b: BlockingFinding, multi: boolean): string {
  const url = safeUrl(b.url)
  const id = code(b.id, 100, true)
  const cells = [
    url && id !== '–' ? `[${id}](${url})` : id,
    b.severity,
    code(b.package, 100, true),
    code(b.version, 80, true),
    code(b.fixedIn, 80, true),
  ]
  if (multi) cells.push(code(b.platform, 40, true))
  return `| ${cells.join(' | ')} |`
}

/** The comment's markdown. */
export function prComment(f: PrCommentFacts): string {
  const out: string[] = [f.marker, `### ${headline(f)}`, '', `Image ${code(f.imageRef, 300, false)}`]
  if (f.reason) out.push('', `Reason: ${code(f.reason, 500, false)}`)
  if (f.otherFailure) {
    out.push(
      '',
      '> [!WARNING]',
      '> The step failed for another reason as well (the image audit or the repository governance): see the run.',
    )
  }
  const counts = countsTable(f)
  if (counts.length > 0) out.push('', ...counts)

  const foot: string[] = []
  const meta: string[] = []
  const run = f.runUrl ? safeUrl(f.runUrl) : ''
  if (run) meta.push(`[Job summary and log](${run})`)
  if (f.commit && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(f.commit)) meta.push(`commit ${f.commit.slice(0, 12)}`)
  meta.push('this comment is updated in place on each push')
  foot.push('', `<sub>${meta.join(' · ')}</sub>`)

  if (f.blocking.length > 0) {
    const multi = f.blocking.some((b) => b.platform !== '')
    const head = ['Blocking finding', 'Severity', 'Package', 'Installed', 'Fixed in']
    if (multi) head.push('Platform')
    out.push('', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`)
    // Rows go in while the body stays under the limit (they are bounded, so this is a backstop).
    let size = out.join('\n').length + foot.join('\n').length + 200
    let listed = 0
    for (const b of f.blocking) {
      const row = findingRow(b, multi)
      if (size + row.length + 1 > BODY_LIMIT) break
      out.push(row)
      size += row.length + 1
      listed++
    }
    const rest = Math.max(f.blockingTotal, f.blocking.length) - listed
    if (rest > 0)
      out.push(
        '',
        `…and ${plural(rest, 'more blocking finding')}: the job summary and the report file list every one.`,
      )
  }
  return [...out, ...foot].join('\n') + '\n'
}
