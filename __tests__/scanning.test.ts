// The one scan-coverage decision (src/scanning.ts): every coverage kind, the rule order, what is read
// and how often, and that the gate's mode and governance's phrase come from the same answer.
import type { ECRClient } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { scanMode } from '../src/gate/mode.ts'
import { coveragePhrase } from '../src/governance/settings.ts'
import {
  decideCoverage,
  matchingRule,
  needsRepositoryConfig,
  scanningConfiguration,
  type CoverageFacts,
  type RegistryConfig,
} from '../src/scanning.ts'

const REPO = 'acme/widget'
const ACCOUNT = '123456789012'

const rule = (scanFrequency: string, ...filters: string[]) => ({
  scanFrequency,
  repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' })),
})
const enhanced = (...rules: RegistryConfig['rules']): RegistryConfig => ({ scanType: 'ENHANCED', rules })
const basic = (...rules: RegistryConfig['rules']): RegistryConfig => ({ scanType: 'BASIC', rules })

describe('decideCoverage', () => {
  it.each<[string, CoverageFacts, object]>([
    [
      'enhanced continuous',
      { registry: enhanced(rule('CONTINUOUS_SCAN', 'acme/*')) },
      { kind: 'CONTINUOUS_SCAN', filter: 'acme/*' },
    ],
    [
      'enhanced on push',
      { registry: enhanced(rule('SCAN_ON_PUSH', '*')) },
      { kind: 'SCAN_ON_PUSH', filter: '*' },
    ],
    [
      'enhanced: continuous wins over on push, whatever the rules’ order',
      { registry: enhanced(rule('SCAN_ON_PUSH', '*'), rule('CONTINUOUS_SCAN', 'acme/*')) },
      { kind: 'CONTINUOUS_SCAN', filter: 'acme/*' },
    ],
    ['enhanced, a MANUAL rule covers nothing', { registry: enhanced(rule('MANUAL', '*')) }, { kind: 'NONE' }],
    [
      'enhanced, no filter matches',
      { registry: enhanced(rule('CONTINUOUS_SCAN', 'other/*')) },
      { kind: 'NONE' },
    ],
    [
      "enhanced: ECR's own per-repository answer covers it",
      {
        registry: enhanced(rule('CONTINUOUS_SCAN', 'other/*')),
        repository: {
          scanOnPush: false,
          scanFrequency: 'SCAN_ON_PUSH',
          appliedScanFilters: [{ filter: 'acme/w*', filterType: 'WILDCARD' }],
        },
      },
      { kind: 'SCAN_ON_PUSH', filter: 'acme/w*' },
    ],
    [
      'basic, the repository scans on push',
      { registry: basic(), repositoryScanOnPush: true },
      { kind: 'BASIC_SCAN_ON_PUSH' },
    ],
    ['basic, manual', { registry: basic(), repositoryScanOnPush: false }, { kind: 'BASIC_MANUAL' }],
    [
      'basic, a registry scan-on-push rule',
      { registry: basic(rule('SCAN_ON_PUSH', 'acme/*')), repositoryScanOnPush: false },
      { kind: 'BASIC_SCAN_ON_PUSH' },
    ],
    [
      'basic, flag unknown: the repository configuration says',
      {
        registry: basic(),
        repository: { scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] },
      },
      { kind: 'BASIC_SCAN_ON_PUSH' },
    ],
    ['unreadable', { registry: undefined, repositoryScanOnPush: true }, { kind: 'UNKNOWN' }],
  ])('%s', (_name, facts, expected) => {
    expect(decideCoverage(facts, REPO, 'us-east-1')).toMatchObject(expected)
  })

  it('not covered carries the command that adds the repository, keeping the other rules', () => {
    const c = decideCoverage({ registry: enhanced(rule('CONTINUOUS_SCAN', 'other/*')) }, REPO, 'eu-west-1')
    expect(c.kind).toBe('NONE')
    expect(c.kind === 'NONE' && c.fix).toContain(
      '{"filter":"other/*","filterType":"WILDCARD"},{"filter":"acme/widget","filterType":"WILDCARD"}',
    )
  })

  it('matchingRule names the filter that matched', () => {
    expect(matchingRule([rule('CONTINUOUS_SCAN', 'x', 'acme/*')], REPO)?.filter).toBe('acme/*')
    expect(matchingRule([rule('CONTINUOUS_SCAN', 'acme')], REPO)).toBeUndefined()
  })

  it('asks for the repository configuration only when the rest leaves the answer open', () => {
    expect(needsRepositoryConfig({ registry: basic() }, REPO)).toBe(true)
    expect(needsRepositoryConfig({ registry: basic(), repositoryScanOnPush: false }, REPO)).toBe(false)
    expect(needsRepositoryConfig({ registry: basic(rule('SCAN_ON_PUSH', '*')) }, REPO)).toBe(false)
    expect(needsRepositoryConfig({ registry: enhanced() }, REPO)).toBe(false)
    expect(needsRepositoryConfig({ registry: undefined }, REPO)).toBe(false)
  })
})

/** An ECR client that answers from a table and counts the calls. */
function fakeEcr(answers: Record<string, () => unknown>): { ecr: ECRClient; calls: string[] } {
  const calls: string[] = []
  const ecr = {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '')
      calls.push(name)
      const answer = answers[name]
      if (!answer) throw new Error(`unexpected ${name}`)
      return answer()
    },
  } as unknown as ECRClient
  return { ecr, calls }
}

describe('scanningConfiguration', () => {
  const source = { registryId: ACCOUNT, account: ACCOUNT, region: 'us-east-1', repository: REPO }

  it('reads once however many stages ask, and they all get the same answer', async () => {
    const { ecr, calls } = fakeEcr({
      GetRegistryScanningConfiguration: () => ({
        scanningConfiguration: enhanced(rule('SCAN_ON_PUSH', '*'), rule('CONTINUOUS_SCAN', 'acme/*')),
      }),
    })
    const scanning = scanningConfiguration({ ...source, ecr, repositoryScanOnPush: true })
    const [gate, governance] = await Promise.all([scanning.coverage(), scanning.coverage()])
    expect(gate).toBe(governance)
    expect(calls).toEqual(['GetRegistryScanningConfiguration'])
    // The gate waits for continuous scanning; governance says the same.
    expect(scanMode(gate.coverage, REPO)).toEqual({ kind: 'enhanced', frequency: 'CONTINUOUS_SCAN' })
    expect(coveragePhrase(governance.coverage)).toBe('yes (CONTINUOUS_SCAN, filter `acme/*`)')
  })

  it('asks BatchGetRepositoryScanningConfiguration only when the repository flag is unknown', async () => {
    const { ecr, calls } = fakeEcr({
      GetRegistryScanningConfiguration: () => ({ scanningConfiguration: { scanType: 'BASIC', rules: [] } }),
      BatchGetRepositoryScanningConfiguration: () => ({
        scanningConfigurations: [{ repositoryName: REPO, scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH' }],
      }),
    })
    const answer = await scanningConfiguration({ ...source, ecr, repositoryScanOnPush: undefined }).coverage()
    expect(answer.coverage.kind).toBe('BASIC_SCAN_ON_PUSH')
    expect(calls).toEqual(['GetRegistryScanningConfiguration', 'BatchGetRepositoryScanningConfiguration'])
  })

  it('a denied read is UNKNOWN, with the denial for the warning', async () => {
    const denied = () => {
      throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })
    }
    const { ecr } = fakeEcr({ GetRegistryScanningConfiguration: denied })
    const answer = await scanningConfiguration({ ...source, ecr, repositoryScanOnPush: true }).coverage()
    expect(answer.coverage).toMatchObject({
      kind: 'UNKNOWN',
      short: 'ecr:GetRegistryScanningConfiguration denied',
    })
    expect(answer.problems).toMatchObject([
      { denied: true, message: 'AccessDeniedException: not authorized' },
    ])
    expect(scanMode(answer.coverage, REPO).kind).toBe('unknown')
  })

  it('another account’s registry is UNKNOWN without a call', async () => {
    const { ecr, calls } = fakeEcr({})
    const answer = await scanningConfiguration({
      ...source,
      registryId: '210987654321',
      ecr,
      repositoryScanOnPush: true,
    }).coverage()
    expect(answer.coverage).toMatchObject({
      kind: 'UNKNOWN',
      short: 'the registry belongs to another account',
    })
    expect(calls).toEqual([])
  })
})
