/**
 * The audit's job-summary section. Pure: everything it prints is already redacted; every string from
 * the image goes through the neutraliser. The headline says first whether the audit fails the step;
 * long tables fold under `<details>`.
 */
import { details, foldedTable, plural } from '../markdown.js'
import { mdCode, mdFence, mdText } from '../neutralise.js'
import type { AuditResult } from './analyze.js'
import type { ExportResult } from './export.js'
import { formatBytes } from './image.js'

/** A code span in a table cell (`code`) or in running text (`inline`). */
const code = (s: string): string => mdCode(s, { table: true })
const inline = (s: string): string => mdCode(s)

export function auditMarkdown(
  r: AuditResult,
  exported?: ExportResult,
  auditFile?: string,
  failOnSecrets = true,
): string {
  const out: string[] = ['### Image audit', '', headline(r, failOnSecrets)]
  out.push(...warningLines(r, exported))
  out.push('', ...layerTable(r))
  out.push('', ...configTable(r.config))
  if (exported) {
    out.push(
      '',
      `Filesystem exported to ${inline(exported.dir)}: ${exported.files} files, ${exported.dirs} directories, ` +
        `${exported.symlinks} symlinks, ${exported.hardlinks} hard links, ${formatBytes(exported.bytes)}; ` +
        `${exported.whiteouts} whiteouts applied.`,
    )
  }
  out.push('', ...details('Recovered Dockerfile', [mdFence(r.dockerfile, 'dockerfile')]))
  if (auditFile) out.push('', `Full audit: ${inline(auditFile)} (output \`audit-file\`).`)
  return out.join('\n')
}

/** `❌ **1 credential found** …` or `✅ No credentials found`, then the image in brief. */
function headline(r: AuditResult, failOnSecrets: boolean): string {
  const size = r.image.size !== undefined ? `${formatBytes(r.image.size)} compressed` : 'size unknown'
  const image =
    `${plural(r.image.layerCount, 'layer')}, ${size}` +
    (r.image.platform ? `, ${mdText(r.image.platform)}` : '')
  const n = r.secrets.length
  const found =
    n === 0
      ? '✅ No credentials found in the history, env or labels'
      : `${failOnSecrets ? '❌' : '⚠️'} **${plural(n, 'credential')} found** in the history, env or labels` +
        (failOnSecrets ? ' (fail-on-secrets: the step fails)' : '')
  return `${found} · ${image}`
}

function warningLines(r: AuditResult, exported: ExportResult | undefined): string[] {
  const refused = exported?.refused ?? []
  if (r.warnings.length === 0 && refused.length === 0) return []
  const out = ['', '**Warnings**', '']
  for (const w of r.warnings) out.push(`- ${mdText(w)}`)
  if (exported && refused.length > 0) {
    const n = exported.refusedCount
    out.push(`- Filesystem export refused ${plural(n, 'entry', 'entries')}:`)
    for (const x of refused.slice(0, 20))
      out.push(`  - layer ${x.layer}: ${inline(x.path)}: ${mdText(x.reason)}`)
  }
  return out
}

function layerTable(r: AuditResult): string[] {
  const rows = r.layers.map((l) => {
    const s = l.size !== undefined ? formatBytes(l.size) : '?'
    const instr = l.instruction !== undefined ? code(truncate(l.instruction, 160)) : '(no history entry)'
    return [String(l.index), l.big ? `**${s}** 🔺` : s, instr]
  })
  const note = r.layers.some((l) => l.big)
    ? '🔺 the biggest layers (each at least a tenth of the image).'
    : ''
  return foldedTable(`Layers: ${r.layers.length}`, ['#', 'Size', 'Made by'], rows, {
    align: ['right', 'right', 'left'],
    ...(note ? { note } : {}),
  })
}

function configTable(c: AuditResult['config']): string[] {
  const rows: string[][] = []
  rows.push(['User', `${c.user === '' ? '(not set: root)' : code(c.user)}${c.runsAsRoot ? ' ⚠️ root' : ''}`])
  if (c.entrypoint) rows.push(['Entrypoint', code(JSON.stringify(c.entrypoint))])
  if (c.cmd) rows.push(['Cmd', code(JSON.stringify(c.cmd))])
  if (c.workingDir) rows.push(['Working dir', code(c.workingDir)])
  if (c.exposedPorts.length > 0) rows.push(['Exposed ports', c.exposedPorts.map(code).join(', ')])
  if (c.volumes.length > 0) rows.push(['Volumes', c.volumes.map(code).join(', ')])
  if (c.env.length > 0) {
    const env = c.env.map((e) =>
      e.masked ? `${code(e.name)} (value hidden)` : code(`${e.name}=${e.value ?? ''}`),
    )
    rows.push(['Env', env.join('<br>')])
  }
  for (const [name, v] of Object.entries(c.ociLabels)) {
    rows.push([code(name), v.present ? code(v.value ?? '') : '⚠️ missing'])
  }
  const other = Object.entries(c.labels).filter(([k]) => !(k in c.ociLabels))
  if (other.length > 0)
    rows.push(['Labels', other.map(([k, v]) => code(`${k}=${truncate(v, 100)}`)).join('<br>')])
  return foldedTable(`Configuration: ${plural(rows.length, 'setting')}`, ['Configuration', 'Value'], rows)
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`
}
