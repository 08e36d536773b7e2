/**
 * How the gate waits, from the run's one answer to "how is this repository covered"
 * (src/scanning.ts decides that; this file only maps it to the gate's modes). Pure.
 */
import { decideCoverage, type Coverage, type RegistryConfig, type RepositoryConfig } from '../scanning.js'

export type ScanMode =
  | { kind: 'basic'; scanOnPush: boolean }
  | { kind: 'enhanced'; frequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' }
  /** Enhanced scanning will never scan this repository. */
  | { kind: 'not-covered'; message: string }
  /** The configuration could not be read: wait anyway. */
  | { kind: 'unknown'; why: string }

/** The gate's mode for a coverage. */
export function scanMode(coverage: Coverage, repository: string): ScanMode {
  switch (coverage.kind) {
    case 'CONTINUOUS_SCAN':
    case 'SCAN_ON_PUSH':
      return { kind: 'enhanced', frequency: coverage.kind }
    case 'BASIC_SCAN_ON_PUSH':
    case 'BASIC_MANUAL':
      return { kind: 'basic', scanOnPush: coverage.kind === 'BASIC_SCAN_ON_PUSH' }
    case 'NONE':
      return {
        kind: 'not-covered',
        message:
          `Repository '${repository}' is not covered by enhanced scanning: the registry uses Amazon Inspector (ENHANCED) and none of its scanning rules' filters matches the repository, so it will never be scanned. ` +
          `Set 'registry-scanning: continuous' (or 'on-push') to have this step add it, or add it to a rule yourself: ${coverage.fix}`,
      }
    case 'UNKNOWN':
      return { kind: 'unknown', why: coverage.why }
  }
}

/**
 * The mode straight from the configurations. `registry` or `repo` undefined: that read failed (or
 * was not made). `repositoryScanOnPush` is the repository's own flag (DescribeRepositories).
 */
export function decideScanMode(
  registry: RegistryConfig | undefined,
  repo: RepositoryConfig | undefined,
  repository: string,
  region: string,
  repositoryScanOnPush: boolean | undefined,
): ScanMode {
  return scanMode(
    decideCoverage({ registry, repository: repo, repositoryScanOnPush }, repository, region),
    repository,
  )
}
