/**
 * Which scanner covers the repository, decided from the registry's and the repository's scanning
 * configuration. Pure: the calls are in discovery.ts.
 */

export type ScanFrequency = 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL'

export interface RegistryRule {
  scanFrequency: string
  repositoryFilters: { filter: string; filterType: string }[]
}

export interface RegistryConfig {
  scanType: string
  rules: RegistryRule[]
}

export interface RepositoryConfig {
  scanOnPush: boolean
  scanFrequency: string
  appliedScanFilters: { filter: string; filterType: string }[]
}

export type ScanMode =
  | { kind: 'basic'; scanOnPush: boolean }
  | { kind: 'enhanced'; frequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' }
  /** Enhanced scanning will never scan this repository. */
  | { kind: 'not-covered'; message: string }
  /** The configuration could not be read: wait anyway. */
  | { kind: 'unknown'; why: string }

/** ECR's repository filter wildcard: `*` matches any run of characters. */
export function filterMatches(filter: string, repository: string): boolean {
  const re = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${re}$`).test(repository)
}

/** The first rule (CONTINUOUS_SCAN before SCAN_ON_PUSH, as ECR applies them) matching the repository. */
export function matchingRule(rules: readonly RegistryRule[], repository: string): RegistryRule | undefined {
  const order = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL']
  return [...rules]
    .sort((a, b) => order.indexOf(a.scanFrequency) - order.indexOf(b.scanFrequency))
    .find((r) => r.repositoryFilters.some((f) => filterMatches(f.filter, repository)))
}

/**
 * The command that puts the repository under enhanced scanning, keeping the registry's other
 * rules (put-registry-scanning-configuration replaces all of them).
 */
export function enhancedFixCommand(registry: RegistryConfig, repository: string, region: string): string {
  const rules = registry.rules.map((r) => ({
    scanFrequency: r.scanFrequency,
    repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })),
  }))
  const target =
    rules.find((r) => r.scanFrequency === 'CONTINUOUS_SCAN') ??
    rules.find((r) => r.scanFrequency === 'SCAN_ON_PUSH')
  if (target) target.repositoryFilters.push({ filter: repository, filterType: 'WILDCARD' })
  else
    rules.push({
      scanFrequency: 'SCAN_ON_PUSH',
      repositoryFilters: [{ filter: repository, filterType: 'WILDCARD' }],
    })
  return `aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '${JSON.stringify(rules)}' --region ${region}`
}

/**
 * Decide the mode. `registry` or `repo` undefined: that call failed. `repositoryScanOnPush` is the
 * repository's own basic scan-on-push flag (DescribeRepositories), used when the batch call failed.
 */
export function decideScanMode(
  registry: RegistryConfig | undefined,
  repo: RepositoryConfig | undefined,
  repository: string,
  region: string,
  repositoryScanOnPush: boolean | undefined,
): ScanMode {
  if (registry === undefined) {
    return { kind: 'unknown', why: 'the registry scanning configuration could not be read' }
  }
  if (registry.scanType === 'ENHANCED') {
    let frequency: string | undefined
    if (repo !== undefined) {
      frequency =
        repo.appliedScanFilters.length > 0 || repo.scanFrequency !== 'MANUAL' ? repo.scanFrequency : undefined
    } else {
      frequency = matchingRule(registry.rules, repository)?.scanFrequency
    }
    if (frequency === 'CONTINUOUS_SCAN' || frequency === 'SCAN_ON_PUSH')
      return { kind: 'enhanced', frequency }
    return {
      kind: 'not-covered',
      message:
        `Repository '${repository}' is not covered by enhanced scanning: the registry uses Amazon Inspector (ENHANCED) and none of its scanning rules' filters matches the repository, so it will never be scanned. ` +
        `Add it to a rule: ${enhancedFixCommand(registry, repository, region)}`,
    }
  }
  // BASIC (or a scanType ECR may add later: treat as basic, which StartImageScan can always drive).
  if (repo !== undefined)
    return { kind: 'basic', scanOnPush: repo.scanOnPush || repo.scanFrequency === 'SCAN_ON_PUSH' }
  const rule = matchingRule(registry.rules, repository)
  return {
    kind: 'basic',
    scanOnPush: rule?.scanFrequency === 'SCAN_ON_PUSH' || repositoryScanOnPush === true,
  }
}
