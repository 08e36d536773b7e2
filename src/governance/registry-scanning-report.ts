/**
 * What `registry-scanning` did, for the governance section (before and after) and the run's
 * annotations. Pure: no I/O.
 */
import { table } from '../markdown.js'
import { mdCode, mdText } from '../neutralise.js'
import { matchingRule, putScanningCommand, type RegistryConfig } from '../scanning.js'
import type { Annotation } from '../stage.js'
import type { RegistryScanningOutcome } from './registry-scanning.js'

export interface RegistryScanningReport {
  mode: string
  filter: string
  frequency: string
  repository: string
  result: RegistryScanningOutcome['kind']
  /** Writes it took (more than 1: another job wrote at the same time). */
  attempts?: number
  before?: RegistryConfig
  /** The configuration after the step, or (needs-switch) what it would have written. */
  after?: RegistryConfig
  /** Why it failed. */
  message?: string
}

export function registryScanningReport(o: RegistryScanningOutcome): RegistryScanningReport {
  const base = {
    mode: o.want.mode,
    filter: o.want.filter,
    frequency: o.want.frequency,
    repository: o.want.repository,
    result: o.kind,
  }
  switch (o.kind) {
    case 'covered':
      return { ...base, before: o.before, after: o.before }
    case 'written':
      return { ...base, before: o.before, after: o.after, attempts: o.attempts }
    case 'needs-switch':
      return { ...base, before: o.before, after: o.proposed }
    case 'failed':
      return { ...base, ...(o.before ? { before: o.before } : {}), message: o.message }
  }
}

/** A warning when a BASIC registry was left alone; a notice when the configuration was changed. */
export function registryScanningAnnotations(
  o: RegistryScanningOutcome | undefined,
  region: string,
): Annotation[] {
  if (o?.kind === 'needs-switch') {
    const rule = o.before.rules.some((r) => r.scanFrequency === o.want.frequency) ? 'the' : 'a new'
    return [
      {
        level: 'warning',
        title: 'Registry scanning not changed',
        message:
          `The registry uses ${o.before.scanType} scanning: registry-scanning: ${o.want.mode} would switch it to ENHANCED (Amazon Inspector) and add filter '${o.want.filter}' to ${rule} ${o.want.frequency} rule. ` +
          `That changes scanning, and billing, for every repository of the account in ${region}, so it is done only with 'registry-scanning-switch: true'. Nothing was changed. ` +
          `To do it yourself: ${putScanningCommand(o.proposed, region)}`,
      },
    ]
  }
  if (o?.kind === 'written') {
    const switched =
      o.before.scanType === 'ENHANCED'
        ? ''
        : ` and switched the registry from ${o.before.scanType} to ENHANCED`
    return [
      {
        level: 'notice',
        title: 'Registry scanning changed',
        message: `Added filter '${o.want.filter}' to the registry's ${o.want.frequency} rule${switched}: ENHANCED scanning now covers every repository the filter matches.`,
      },
    ]
  }
  return []
}

const ORDER = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL']
const MAX_FILTERS = 10

/** The before/after table and the line above it, for the governance section. */
export function registryScanningMarkdown(r: RegistryScanningReport): string {
  const head = `**Registry scanning** (${mdCode(`registry-scanning: ${r.mode}`)}, filter ${mdCode(r.filter)}): ${status(r)}`
  if (!r.before) return head
  const configs = [r.before, ...(r.after ? [r.after] : [])]
  const present = new Set(configs.flatMap((c) => c.rules.map((x) => x.scanFrequency)))
  const frequencies = [
    ...ORDER.filter((f) => present.has(f)),
    ...[...present].filter((f) => !ORDER.includes(f)),
  ]
  const header = [
    'Scan type',
    ...(frequencies.length > 0 ? frequencies.map((f) => `${f} filters`) : ['Rules']),
  ]
  const row = (label: string, c: RegistryConfig, other?: RegistryConfig): string[] => {
    const cells = frequencies.map((f) => filtersCell(c, f, other))
    return [label, mdText(c.scanType), ...(cells.length > 0 ? cells : ['none'])]
  }
  const rows =
    r.result === 'covered' || !r.after
      ? [row('Before and after', r.before)]
      : [row('Before', r.before), row(r.result === 'needs-switch' ? 'Would be' : 'After', r.after, r.before)]
  return [head, '', ...table(['Registry', ...header], rows)].join('\n')
}

function status(r: RegistryScanningReport): string {
  const was = mdText(r.before?.scanType ?? 'BASIC')
  switch (r.result) {
    case 'covered':
      return `already covered${coveredBy(r)}; nothing written.`
    case 'written': {
      const switched = was === 'ENHANCED' ? '' : `, registry switched from ${was} to ENHANCED`
      const writes = r.attempts ?? 1
      const retried =
        writes > 1 ? ` (${writes} writes: another job changed the configuration at the same time)` : ''
      return `added to the ${r.frequency} rule${switched}; written and read back${retried}.`
    }
    case 'needs-switch':
      return `**not changed**: the registry uses ${was} scanning, and switching it to ENHANCED (every repository, and the bill) needs \`registry-scanning-switch: true\`.`
    case 'failed':
      return `**failed**: ${mdText(r.message ?? 'unknown error')}`
  }
}

function coveredBy(r: RegistryScanningReport): string {
  const match = r.before && matchingRule(r.before.rules, r.repository)
  return match ? ` by filter ${mdCode(match.filter)} of the ${mdText(match.rule.scanFrequency)} rule` : ''
}

/** One rule's filters, in order; filters not in `other` (the configuration before) in bold. */
function filtersCell(c: RegistryConfig, frequency: string, other?: RegistryConfig): string {
  const rule = c.rules.find((x) => x.scanFrequency === frequency)
  if (!rule || rule.repositoryFilters.length === 0) return '–'
  const old = new Set(
    other?.rules.find((x) => x.scanFrequency === frequency)?.repositoryFilters.map((f) => f.filter),
  )
  const isNew = (f: string): boolean => other !== undefined && !old.has(f)
  const show = (f: string): string => {
    const c = mdCode(f, { table: true })
    return isNew(f) ? `**${c}**` : c
  }
  const all = rule.repositoryFilters.map((f) => f.filter)
  const shown = all.slice(0, MAX_FILTERS)
  const hiddenNew = all.slice(MAX_FILTERS).filter(isNew)
  const parts = shown.map(show)
  const hidden = all.length - shown.length - hiddenNew.length
  if (hidden > 0) parts.push(`… and ${hidden} more`)
  parts.push(...hiddenNew.map(show))
  return parts.join(', ')
}
