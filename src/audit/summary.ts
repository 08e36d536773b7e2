/** The audit's job-summary section. Pure: everything it prints is already redacted. */
import { mdCode, mdFence, mdText } from '../neutralise.js'
import type { AuditResult } from './analyze.js'
import type { ExportResult } from './export.js'
import { formatBytes } from './image.js'

/** A code span in a table cell (`code`) or in running text (`inline`). */
const code = (s: string): string => mdCode(s, { table: true })
const inline = (s: string): string => mdCode(s)

export function auditMarkdown(r: AuditResult, exported?: ExportResult, auditFile?: string): string {
  const out: string[] = ['### Image audit', '', headline(r)]
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
  out.push(
    '',
    '<details><summary>Recovered Dockerfile</summary>',
    '',
    mdFence(r.dockerfile, 'dockerfile'),
    '',
    '</details>',
  )
  if (auditFile) out.push('', `Full audit: ${inline(auditFile)} (output \`audit-file\`).`)
  return out.join('\n')
}

function headline(r: AuditResult): string {
  const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown'
  return (
    `${r.image.layerCount} layer${r.image.layerCount === 1 ? '' : 's'}, ${size} compressed` +
    `${r.image.platform ? `, ${r.image.platform}` : ''}; ` +
    (r.secrets.length > 0 ? `**${r.secrets.length} credential(s) found**` : 'no credentials found') +
    '.'
  )
}

function warningLines(r: AuditResult, exported: ExportResult | undefined): string[] {
  const refused = exported?.refused ?? []
  if (r.warnings.length === 0 && refused.length === 0) return []
  const out = ['', '**Warnings**', '']
  for (const w of r.warnings) out.push(`- ${mdText(w)}`)
  if (exported && refused.length > 0) {
    const n = exported.refusedCount
    out.push(`- Filesystem export refused ${n} entr${n === 1 ? 'y' : 'ies'}:`)
    for (const x of refused.slice(0, 20))
      out.push(`  - layer ${x.layer}: ${inline(x.path)}: ${mdText(x.reason)}`)
  }
  return out
}

function layerTable(r: AuditResult): string[] {
  const out = ['| # | Size | Made by |', '|---:|---:|---|']
  for (const l of r.layers) {
    const s = l.size !== undefined ? formatBytes(l.size) : '?'
    const instr = l.instruction !== undefined ? code(truncate(l.instruction, 160)) : '(no history entry)'
    out.push(`| ${l.index} | ${l.big ? `**${s}** 🔺` : s} | ${instr} |`)
  }
  if (r.layers.some((l) => l.big)) out.push('', '🔺 the biggest layers (each at least a tenth of the image).')
  return out
}

function configTable(c: AuditResult['config']): string[] {
  const out = ['| Configuration | |', '|---|---|']
  out.push(`| User | ${c.user === '' ? '(not set: root)' : code(c.user)}${c.runsAsRoot ? ' ⚠️ root' : ''} |`)
  if (c.entrypoint) out.push(`| Entrypoint | ${code(JSON.stringify(c.entrypoint))} |`)
  if (c.cmd) out.push(`| Cmd | ${code(JSON.stringify(c.cmd))} |`)
  if (c.workingDir) out.push(`| Working dir | ${code(c.workingDir)} |`)
  if (c.exposedPorts.length > 0) out.push(`| Exposed ports | ${c.exposedPorts.map(code).join(', ')} |`)
  if (c.volumes.length > 0) out.push(`| Volumes | ${c.volumes.map(code).join(', ')} |`)
  if (c.env.length > 0) {
    const env = c.env.map((e) =>
      e.masked ? `${code(e.name)} (value hidden)` : `${code(`${e.name}=${e.value ?? ''}`)}`,
    )
    out.push(`| Env | ${env.join('<br>')} |`)
  }
  for (const [name, v] of Object.entries(c.ociLabels)) {
    out.push(`| ${code(name)} | ${v.present ? code(v.value ?? '') : '⚠️ missing'} |`)
  }
  const other = Object.entries(c.labels).filter(([k]) => !(k in c.ociLabels))
  if (other.length > 0)
    out.push(`| Labels | ${other.map(([k, v]) => code(`${k}=${truncate(v, 100)}`)).join('<br>')} |`)
  return out
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`
}
