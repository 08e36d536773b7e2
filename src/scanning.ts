/**
 * How the registry's scanning covers the repository: read at most once per run, decided one way,
 * for every stage that asks (the gate decides how to wait from it, governance reports it, the
 * `scan-coverage` output says it).
 *
 * What is read: the registry's scanning configuration (GetRegistryScanningConfiguration: BASIC or
 * ENHANCED, and the rules with their wildcard filters) and the repository's own scan-on-push flag,
 * which the push already has from DescribeRepositories. The repository's effective configuration
 * (BatchGetRepositoryScanningConfiguration) is asked only when those leave the answer open: the
 * flag is unknown (DescribeRepositories denied) and no registry rule settles it.
 */
import type { ECRClient } from '@aws-sdk/client-ecr'
import { errorMessage, errorName } from './errors.js'
import { wildcardMatches } from './registry.js'
import { ecrSdk } from './sdk.js'

export interface ScanFilter {
  filter: string
  filterType: string
}

export interface RegistryRule {
  scanFrequency: string
  repositoryFilters: ScanFilter[]
}

export interface RegistryConfig {
  scanType: string
  rules: RegistryRule[]
}

export interface RepositoryConfig {
  scanOnPush: boolean
  scanFrequency: string
  appliedScanFilters: ScanFilter[]
}

/** The `scan-coverage` values. */
export type CoverageKind =
  'CONTINUOUS_SCAN' | 'SCAN_ON_PUSH' | 'BASIC_SCAN_ON_PUSH' | 'BASIC_MANUAL' | 'NONE' | 'UNKNOWN'

export type Coverage =
  /** Enhanced scanning (Amazon Inspector) covers the repository; `filter` is the one that matched. */
  | { kind: 'CONTINUOUS_SCAN' | 'SCAN_ON_PUSH'; filter?: string }
  /** Basic scanning (or a scan type ECR may add later, which StartImageScan can still drive). */
  | { kind: 'BASIC_SCAN_ON_PUSH' | 'BASIC_MANUAL'; scanType: string }
  /** Enhanced scanning that never scans this repository; `fix` is the command that adds it. */
  | { kind: 'NONE'; fix: string }
  /** The configuration could not be read: `why` for a sentence, `short` for a table cell. */
  | { kind: 'UNKNOWN'; why: string; short: string }

/** ECR's repository filter wildcard: `*` matches any run of characters. */
export function filterMatches(filter: string, repository: string): boolean {
  return wildcardMatches(filter, repository)
}

const COVERING = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH'] as const

/**
 * The rule that covers the repository: CONTINUOUS_SCAN before SCAN_ON_PUSH, as ECR applies them
 * (MANUAL rules cover nothing), with the filter that matched.
 */
export function matchingRule(
  rules: readonly RegistryRule[],
  repository: string,
  frequencies: readonly string[] = COVERING,
): { rule: RegistryRule; filter: string } | undefined {
  for (const frequency of frequencies) {
    for (const rule of rules) {
      if (rule.scanFrequency !== frequency) continue
      const match = rule.repositoryFilters.find((f) => filterMatches(f.filter, repository))
      if (match) return { rule, filter: match.filter }
    }
  }
  return undefined
}

/** The scan frequencies `registry-scanning` can ask for (MANUAL rules cover nothing). */
export type CoveringFrequency = (typeof COVERING)[number]

/** ECR's limits on PutRegistryScanningConfiguration (API model): rules, and filters per rule. */
export const MAX_SCANNING_RULES = 2
export const MAX_SCANNING_FILTERS = 100

/**
 * Whether ENHANCED scanning covers the repository at least as often as `frequency` asks: continuous
 * scanning also scans on push, so it satisfies either.
 */
export function coveredWith(
  config: RegistryConfig,
  repository: string,
  frequency: CoveringFrequency,
): boolean {
  if (config.scanType !== 'ENHANCED') return false
  const match = matchingRule(config.rules, repository)
  return (
    match !== undefined && (frequency === 'SCAN_ON_PUSH' || match.rule.scanFrequency === 'CONTINUOUS_SCAN')
  )
}

/** What adding a filter to the registry's scanning configuration comes to. */
export type ScanningChange =
  | { kind: 'covered' }
  /** `next` is the whole configuration to write (a Put replaces all of it). */
  | { kind: 'change'; next: RegistryConfig; switchesType: boolean; createsRule: boolean }
  /** ECR's limits forbid it; `problem` says which and what to do. */
  | { kind: 'limit'; problem: string }

const copyRules = (rules: readonly RegistryRule[]): RegistryRule[] =>
  rules.map((r) => ({
    scanFrequency: r.scanFrequency,
    repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })),
  }))

/**
 * The configuration with `filter` added to the rule of `frequency` (the rule created when absent),
 * ENHANCED, and every other rule and filter exactly as it was, in its order. Nothing to do when
 * the repository is already covered that often. Pure.
 */
export function addScanningFilter(
  config: RegistryConfig,
  repository: string,
  frequency: CoveringFrequency,
  filter: string,
): ScanningChange {
  if (coveredWith(config, repository, frequency)) return { kind: 'covered' }
  const rules = copyRules(config.rules)
  const rule = rules.find((r) => r.scanFrequency === frequency)
  const added = { filter, filterType: 'WILDCARD' }
  if (rule && !rule.repositoryFilters.some((f) => f.filter === filter)) {
    if (rule.repositoryFilters.length >= MAX_SCANNING_FILTERS) {
      return {
        kind: 'limit',
        problem:
          `the registry's ${frequency} rule already has ${rule.repositoryFilters.length} filters, ECR's limit is ${MAX_SCANNING_FILTERS}. ` +
          `Use a broader registry-scanning-filter that covers several repositories (e.g. '${broader(repository)}' or '*'), or remove filters that are no longer needed`,
      }
    }
    rule.repositoryFilters.push(added)
  } else if (!rule) {
    if (rules.length >= MAX_SCANNING_RULES) {
      return {
        kind: 'limit',
        problem:
          `the registry already has ${rules.length} scanning rules (${rules.map((r) => r.scanFrequency).join(', ')}), ECR's limit is ${MAX_SCANNING_RULES} (one per scan frequency), so no ${frequency} rule can be added. ` +
          `Use registry-scanning: ${frequency === 'CONTINUOUS_SCAN' ? 'on-push' : 'continuous'} (a rule that exists), or remove a rule`,
      }
    }
    rules.push({ scanFrequency: frequency, repositoryFilters: [added] })
  }
  return {
    kind: 'change',
    next: { scanType: 'ENHANCED', rules },
    switchesType: config.scanType !== 'ENHANCED',
    createsRule: !rule,
  }
}

/** `acme/widget` → `acme/*`; a name without a namespace → `*`. */
function broader(repository: string): string {
  const slash = repository.lastIndexOf('/')
  return slash > 0 ? `${repository.slice(0, slash)}/*` : '*'
}

/** The AWS CLI command that writes `config` (put-registry-scanning-configuration replaces all of it). */
export function putScanningCommand(config: RegistryConfig, region: string): string {
  return `aws ecr put-registry-scanning-configuration --scan-type ${config.scanType} --rules '${JSON.stringify(copyRules(config.rules))}' --region ${region}`
}

/**
 * The command that puts the repository under enhanced scanning, keeping the registry's other
 * rules (put-registry-scanning-configuration replaces all of them).
 */
export function enhancedFixCommand(registry: RegistryConfig, repository: string, region: string): string {
  const rules = copyRules(registry.rules)
  const target =
    rules.find((r) => r.scanFrequency === 'CONTINUOUS_SCAN') ??
    rules.find((r) => r.scanFrequency === 'SCAN_ON_PUSH')
  if (target) target.repositoryFilters.push({ filter: repository, filterType: 'WILDCARD' })
  else
    rules.push({
      scanFrequency: 'SCAN_ON_PUSH',
      repositoryFilters: [{ filter: repository, filterType: 'WILDCARD' }],
    })
  return putScanningCommand({ scanType: 'ENHANCED', rules }, region)
}

/** Where the answer comes from: the two configurations (undefined: not read, or unreadable). */
export interface CoverageFacts {
  registry: RegistryConfig | undefined
  /** The repository's effective configuration (BatchGetRepositoryScanningConfiguration). */
  repository?: RepositoryConfig | undefined
  /** The repository's own scan-on-push flag (DescribeRepositories). */
  repositoryScanOnPush?: boolean | undefined
}

const UNREADABLE: Extract<Coverage, { kind: 'UNKNOWN' }> = {
  kind: 'UNKNOWN',
  why: 'the registry scanning configuration could not be read',
  short: 'the registry scanning configuration could not be read',
}

/** The one decision: how the registry's scanning covers `repository`. Pure. */
export function decideCoverage(facts: CoverageFacts, repository: string, region: string): Coverage {
  const { registry, repository: repo } = facts
  if (registry === undefined) return UNREADABLE
  if (registry.scanType === 'ENHANCED') {
    const match = matchingRule(registry.rules, repository)
    if (match)
      return { kind: match.rule.scanFrequency as 'CONTINUOUS_SCAN' | 'SCAN_ON_PUSH', filter: match.filter }
    // ECR's own per-repository answer, when it was read, has the last word on coverage.
    if (repo && (repo.scanFrequency === 'CONTINUOUS_SCAN' || repo.scanFrequency === 'SCAN_ON_PUSH')) {
      const filter = repo.appliedScanFilters[0]?.filter
      return filter === undefined ? { kind: repo.scanFrequency } : { kind: repo.scanFrequency, filter }
    }
    return { kind: 'NONE', fix: enhancedFixCommand(registry, repository, region) }
  }
  const onPush =
    facts.repositoryScanOnPush === true ||
    matchingRule(registry.rules, repository, ['SCAN_ON_PUSH']) !== undefined ||
    repo?.scanOnPush === true ||
    repo?.scanFrequency === 'SCAN_ON_PUSH'
  return { kind: onPush ? 'BASIC_SCAN_ON_PUSH' : 'BASIC_MANUAL', scanType: registry.scanType }
}

/** Whether the repository's effective configuration could change the answer the rest gives. */
export function needsRepositoryConfig(facts: CoverageFacts, repository: string): boolean {
  const { registry } = facts
  if (registry === undefined || registry.scanType === 'ENHANCED') return false
  if (facts.repositoryScanOnPush !== undefined) return false
  return matchingRule(registry.rules, repository, ['SCAN_ON_PUSH']) === undefined
}

// ---- the reads ---------------------------------------------------------------------------------

/** A read's answer, or why there is none (`message` names the error, `detail` is its text). */
export type Discovered<T> =
  { ok: true; value: T } | { ok: false; denied: boolean; name: string; message: string; detail: string }

async function attempt<T>(fn: () => Promise<T>): Promise<Discovered<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    return {
      ok: false,
      denied: errorName(err) === 'AccessDeniedException',
      name: errorName(err),
      message: `${errorName(err) || 'Error'}: ${errorMessage(err)}`,
      detail: errorMessage(err),
    }
  }
}

const filters = (
  list: { filter?: string | undefined; filterType?: string | undefined }[] | undefined,
): ScanFilter[] =>
  (list ?? []).map((f) => ({ filter: f.filter ?? '', filterType: f.filterType ?? 'WILDCARD' }))

/** GetRegistryScanningConfiguration (the caller's own registry), normalised. */
export async function getRegistryConfig(api: { ecr: ECRClient }): Promise<Discovered<RegistryConfig>> {
  const { GetRegistryScanningConfigurationCommand } = await ecrSdk()
  return attempt(async () => {
    const out = await api.ecr.send(new GetRegistryScanningConfigurationCommand({}))
    const c = out.scanningConfiguration
    return {
      scanType: c?.scanType ?? 'BASIC',
      rules: (c?.rules ?? []).map((r) => ({
        scanFrequency: r.scanFrequency ?? 'MANUAL',
        repositoryFilters: filters(r.repositoryFilters),
      })),
    }
  })
}

/** BatchGetRepositoryScanningConfiguration for one repository; undefined when ECR has no answer. */
export async function getRepositoryConfig(api: {
  ecr: ECRClient
  repository: string
}): Promise<Discovered<RepositoryConfig | undefined>> {
  const { BatchGetRepositoryScanningConfigurationCommand } = await ecrSdk()
  return attempt(async () => {
    const out = await api.ecr.send(
      new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [api.repository] }),
    )
    const c = out.scanningConfigurations?.find((s) => s.repositoryName === api.repository)
    if (!c) return undefined
    return {
      scanOnPush: c.scanOnPush ?? false,
      scanFrequency: c.scanFrequency ?? 'MANUAL',
      appliedScanFilters: filters(c.appliedScanFilters),
    }
  })
}

// ---- once per run ------------------------------------------------------------------------------

/** The coverage and the reads that failed on the way (for a warning that says what to grant). */
export interface CoverageAnswer {
  coverage: Coverage
  problems: { denied: boolean; message: string }[]
}

export interface ScanningSource {
  ecr: ECRClient
  /** Account that owns the registry. */
  registryId: string
  /** Account of the credentials: GetRegistryScanningConfiguration reads only that registry. */
  account: string
  region: string
  repository: string
  /** The repository's own scan-on-push flag (DescribeRepositories); undefined when unknown. */
  repositoryScanOnPush: boolean | undefined
  /**
   * The registry's configuration when this run already knows it (it wrote and verified it:
   * `registry-scanning`); then it is not read again, and every stage sees the configuration as it
   * is after the write.
   */
  registry?: RegistryConfig | undefined
}

/** The run's scanning configuration: `coverage()` reads and decides once, every caller gets that. */
export interface ScanningConfiguration {
  coverage(): Promise<CoverageAnswer>
}

export function scanningConfiguration(source: ScanningSource): ScanningConfiguration {
  let answer: Promise<CoverageAnswer> | undefined
  return {
    coverage: () => {
      answer ??= readCoverage(source)
      return answer
    },
  }
}

async function readCoverage(source: ScanningSource): Promise<CoverageAnswer> {
  const { repository, region } = source
  if (source.registryId !== source.account) {
    const why = `The registry (${source.registryId}) belongs to another account, whose scanning configuration cannot be read from ${source.account}`
    return {
      coverage: { kind: 'UNKNOWN', why, short: 'the registry belongs to another account' },
      problems: [],
    }
  }
  const registry: Discovered<RegistryConfig> = source.registry
    ? { ok: true, value: source.registry }
    : await getRegistryConfig(source)
  if (!registry.ok) {
    const short = registry.denied
      ? 'ecr:GetRegistryScanningConfiguration denied'
      : registry.name || registry.detail
    return { coverage: { ...UNREADABLE, short }, problems: [registry] }
  }
  const facts: CoverageFacts = { registry: registry.value, repositoryScanOnPush: source.repositoryScanOnPush }
  const problems: CoverageAnswer['problems'] = []
  if (needsRepositoryConfig(facts, repository)) {
    const repo = await getRepositoryConfig(source)
    if (repo.ok) facts.repository = repo.value
    else problems.push(repo)
  }
  return { coverage: decideCoverage(facts, repository, region), problems }
}

/** The `scan-coverage` output, always set: from the run's one answer (UNKNOWN when unreadable). */
export async function scanCoverageOutput(
  scanning: ScanningConfiguration,
): Promise<{ 'scan-coverage': CoverageKind }> {
  const { coverage } = await scanning.coverage()
  return { 'scan-coverage': coverage.kind }
}
