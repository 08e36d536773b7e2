// Continuous scanning as code: the merge (src/scanning.ts), the emulator's
// PutRegistryScanningConfiguration checked against ECR's rules, and the read-merge-write-verify loop
// (src/governance/registry-scanning.ts) over the real AWS SDK, concurrent writers included.
import {
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  type PutRegistryScanningConfigurationCommandInput,
} from '@aws-sdk/client-ecr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  ensureRegistryScanning,
  type RegistryScanningDeps,
  type RegistryScanningWant,
} from '../src/governance/registry-scanning.ts'
import {
  registryScanningAnnotations,
  registryScanningMarkdown,
  registryScanningReport,
} from '../src/governance/registry-scanning-report.ts'
import {
  addScanningFilter,
  coveredWith,
  putScanningCommand,
  type RegistryConfig,
  type RegistryRule,
} from '../src/scanning.ts'
import { assumeRole } from './testbed/emulator/helpers.ts'
import { pushPermissions, startEmulator, type Emulator, type Statement } from './testbed/emulator/index.ts'
import { registryScanningWrites, setReadBarrier } from './testbed/emulator/ecr/registry-scanning.ts'
import { setRegistryScanning, type RegistryScanning } from './testbed/emulator/ecr/scan.ts'

const ACCOUNT = '123456789012'
const REPO = 'acme/widget'

const rule = (scanFrequency: string, ...filters: string[]): RegistryRule => ({
  scanFrequency,
  repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' })),
})
const enhanced = (...rules: RegistryRule[]): RegistryConfig => ({ scanType: 'ENHANCED', rules })
const basic = (...rules: RegistryRule[]): RegistryConfig => ({ scanType: 'BASIC', rules })
const manyFilters = (n: number): string[] => Array.from({ length: n }, (_, i) => `team${i}/*`)

describe('addScanningFilter (pure)', () => {
  it('adds the filter to the rule of that frequency and keeps every other rule byte for byte', () => {
    const other = rule('SCAN_ON_PUSH', 'legacy/*', 'tools/ci', '*-cache')
    const before = enhanced(rule('CONTINUOUS_SCAN', 'prod/*', 'payments'), other)
    const frozen = JSON.stringify(before)
    const change = addScanningFilter(before, REPO, 'CONTINUOUS_SCAN', REPO)
    expect(change.kind).toBe('change')
    if (change.kind !== 'change') return
    expect(JSON.stringify(before)).toBe(frozen) // the input is not touched
    expect(JSON.stringify(change.next.rules[1])).toBe(JSON.stringify(other))
    expect(change.next.rules[0]?.repositoryFilters.map((f) => f.filter)).toEqual(['prod/*', 'payments', REPO])
    expect(change).toMatchObject({ switchesType: false, createsRule: false })
  })

  it('creates the rule when the registry has none of that frequency', () => {
    const change = addScanningFilter(enhanced(rule('SCAN_ON_PUSH', 'x/*')), REPO, 'CONTINUOUS_SCAN', 'acme/*')
    expect(change).toEqual({
      kind: 'change',
      next: enhanced(rule('SCAN_ON_PUSH', 'x/*'), rule('CONTINUOUS_SCAN', 'acme/*')),
      switchesType: false,
      createsRule: true,
    })
  })

  it.each<[string, RegistryConfig, 'CONTINUOUS_SCAN' | 'SCAN_ON_PUSH']>([
    [
      "the console's seed: every repository continuously",
      enhanced(rule('CONTINUOUS_SCAN', '*')),
      'CONTINUOUS_SCAN',
    ],
    ['continuous also satisfies on-push', enhanced(rule('CONTINUOUS_SCAN', 'acme/*')), 'SCAN_ON_PUSH'],
    ['on push by an exact filter', enhanced(rule('SCAN_ON_PUSH', REPO)), 'SCAN_ON_PUSH'],
  ])('already covered: %s', (_, config, frequency) => {
    expect(addScanningFilter(config, REPO, frequency, REPO)).toEqual({ kind: 'covered' })
  })

  it('on-push coverage is not enough for continuous: the filter goes to the continuous rule', () => {
    const change = addScanningFilter(enhanced(rule('SCAN_ON_PUSH', '*')), REPO, 'CONTINUOUS_SCAN', REPO)
    expect(change.kind === 'change' && change.next.rules.map((r) => r.scanFrequency)).toEqual([
      'SCAN_ON_PUSH',
      'CONTINUOUS_SCAN',
    ])
  })

  it('BASIC: the same rules, switched to ENHANCED (basic scan-on-push filters become enhanced ones)', () => {
    const change = addScanningFilter(basic(rule('SCAN_ON_PUSH', '*')), REPO, 'SCAN_ON_PUSH', REPO)
    expect(change).toEqual({
      kind: 'change',
      next: enhanced(rule('SCAN_ON_PUSH', '*', REPO)),
      switchesType: true,
      createsRule: false,
    })
  })

  it('ECR limits: 100 filters in the rule, or 2 rules already', () => {
    const full = addScanningFilter(
      enhanced(rule('CONTINUOUS_SCAN', ...manyFilters(100))),
      REPO,
      'CONTINUOUS_SCAN',
      REPO,
    )
    expect(full).toMatchObject({ kind: 'limit' })
    expect(full.kind === 'limit' && full.problem).toMatch(
      /CONTINUOUS_SCAN rule already has 100 filters, ECR's limit is 100. Use a broader registry-scanning-filter .*'acme\/\*' or '\*'/,
    )
    const two = addScanningFilter(
      enhanced(rule('SCAN_ON_PUSH', 'x'), rule('MANUAL', 'y')),
      REPO,
      'CONTINUOUS_SCAN',
      REPO,
    )
    expect(two.kind === 'limit' && two.problem).toMatch(
      /already has 2 scanning rules \(SCAN_ON_PUSH, MANUAL\), ECR's limit is 2 \(one per scan frequency\), so no CONTINUOUS_SCAN rule can be added. Use registry-scanning: on-push/,
    )
    // 99 filters: room for one more.
    expect(
      addScanningFilter(enhanced(rule('CONTINUOUS_SCAN', ...manyFilters(99))), REPO, 'CONTINUOUS_SCAN', REPO)
        .kind,
    ).toBe('change')
  })

  it('the CLI command of a configuration', () => {
    expect(putScanningCommand(enhanced(rule('CONTINUOUS_SCAN', 'acme/*')), 'eu-west-1')).toBe(
      `aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"acme/*","filterType":"WILDCARD"}]}]' --region eu-west-1`,
    )
  })
})

// ---- over the real SDK, against the emulator -------------------------------------------------------

let emu: Emulator

const writerPermissions: Statement[] = pushPermissions(ACCOUNT, 'acme/*', { registryScanning: true })

async function client(permissions: Statement[] = writerPermissions): Promise<ECRClient> {
  const arn = `arn:aws:iam::${ACCOUNT}:role/r-${Math.random().toString(36).slice(2, 10)}`
  emu.addRole({ arn, permissions })
  return new ECRClient({
    region: 'us-east-1',
    endpoint: emu.env.AWS_ENDPOINT_URL_ECR,
    credentials: await assumeRole(emu, arn),
    maxAttempts: 1,
  })
}

function deps(ecr: ECRClient, slept: number[] = []): RegistryScanningDeps {
  return {
    ecr,
    region: 'us-east-1',
    account: ACCOUNT,
    registryId: ACCOUNT,
    // Real (short) waits: concurrent runs must really interleave.
    sleep: async (ms) => {
      slept.push(ms)
      await new Promise((r) => setTimeout(r, Math.min(ms, 150)))
    },
    random: () => 0.5,
  }
}

function want(over: Partial<RegistryScanningWant> = {}): RegistryScanningWant {
  return {
    mode: 'continuous',
    frequency: 'CONTINUOUS_SCAN',
    filter: REPO,
    repository: REPO,
    allowSwitch: false,
    ...over,
  }
}

const seed = (config: RegistryScanning): void => setRegistryScanning(emu, config)
const stored = (): RegistryScanning | undefined =>
  (emu.state.ext.scan as { registry?: RegistryScanning }).registry

beforeAll(async () => {
  emu = await startEmulator()
})

afterAll(async () => {
  await emu?.close()
})

afterEach(() => {
  expect(emu.internalErrors).toEqual([])
  emu.clearCalls()
})

describe('PutRegistryScanningConfiguration in the emulator, as ECR checks it', () => {
  const put = async (input: PutRegistryScanningConfigurationCommandInput, ecr?: ECRClient) =>
    (ecr ?? (await client())).send(new PutRegistryScanningConfigurationCommand(input)).then(
      (out) => ({ ok: true as const, out }),
      (err: Error) => ({ ok: false as const, name: err.name, message: err.message }),
    )

  it('a write replaces the whole configuration, is recorded, and Get answers it', async () => {
    seed({ scanType: 'ENHANCED', rules: [] })
    const ecr = await client()
    const rules = [rule('CONTINUOUS_SCAN', 'acme/*'), rule('SCAN_ON_PUSH', '*')] as RegistryScanning['rules']
    const r = await put({ scanType: 'ENHANCED', rules }, ecr)
    expect(r.ok).toBe(true)
    const got = await ecr.send(new GetRegistryScanningConfigurationCommand({}))
    expect(got.scanningConfiguration).toEqual({ scanType: 'ENHANCED', rules })
    expect(registryScanningWrites(emu).map((w) => w.config)).toEqual([{ scanType: 'ENHANCED', rules }])
  })

  it.each<[string, PutRegistryScanningConfigurationCommandInput, RegExp]>([
    [
      'three rules',
      {
        scanType: 'ENHANCED',
        rules: [rule('CONTINUOUS_SCAN', 'a'), rule('SCAN_ON_PUSH', 'b'), rule('MANUAL', 'c')] as never,
      },
      /at 'rules' failed to satisfy constraint: 'Member must have length less than or equal to 2'/,
    ],
    [
      'two rules of one frequency',
      { scanType: 'ENHANCED', rules: [rule('SCAN_ON_PUSH', 'a'), rule('SCAN_ON_PUSH', 'b')] as never },
      /Only one rule per scan frequency/,
    ],
    [
      '101 filters',
      { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', ...manyFilters(101))] as never },
      /length less than or equal to 100/,
    ],
    [
      'a filter ECR does not accept',
      { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'Acme/Widget')] as never },
      /regular expression pattern/,
    ],
    [
      'a filter type other than WILDCARD',
      {
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'a', filterType: 'PREFIX' }] },
        ] as never,
      },
      /enum value set: \[WILDCARD\]/,
    ],
  ])('refuses %s (nothing recorded)', async (_, input, message) => {
    seed({ scanType: 'BASIC', rules: [] })
    const r = await put(input)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.message).toMatch(message)
    expect(registryScanningWrites(emu)).toEqual([])
  })

  it('ENHANCED needs Amazon Inspector permissions; turning it on from BASIC its service-linked role too', async () => {
    seed({ scanType: 'BASIC', rules: [] })
    const ecrOnly = await client([
      {
        action: ['ecr:PutRegistryScanningConfiguration', 'ecr:GetRegistryScanningConfiguration'],
        resource: '*',
      },
    ])
    const r = await put({ scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', '*')] as never }, ecrOnly)
    expect(!r.ok && r.name).toBe('AccessDeniedException')
    expect(!r.ok && r.message).toMatch(/not authorized to perform: inspector2:Enable/)
    const withInspector = await client(writerPermissions)
    const noRole = await put(
      { scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', '*')] as never },
      withInspector,
    )
    expect(!noRole.ok && noRole.message).toMatch(/not authorized to perform: iam:CreateServiceLinkedRole/)
    const full = await client([
      ...writerPermissions,
      { action: 'iam:CreateServiceLinkedRole', resource: '*' },
    ])
    expect(
      (await put({ scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', '*')] as never }, full)).ok,
    ).toBe(true)
    // Already ENHANCED: no role to create any more.
    expect(
      (await put({ scanType: 'ENHANCED', rules: [rule('SCAN_ON_PUSH', '*')] as never }, withInspector)).ok,
    ).toBe(true)
  })
})

describe('ensureRegistryScanning', () => {
  it('merges into the rule of that frequency, keeps the other rule byte for byte, reads it back', async () => {
    const other = rule('SCAN_ON_PUSH', 'legacy/*', 'tools/ci') as RegistryScanning['rules'][number]
    seed({ scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'prod/*') as never, other] })
    const slept: number[] = []
    const out = await ensureRegistryScanning(deps(await client(), slept), want())
    expect(out.kind).toBe('written')
    expect(JSON.stringify(stored()?.rules[1])).toBe(JSON.stringify(other))
    expect(stored()?.rules[0]?.repositoryFilters.map((f) => f.filter)).toEqual(['prod/*', REPO])
    expect(out.kind === 'written' && out.attempts).toBe(1)
    expect(out.kind === 'written' && out.after).toEqual(stored())
    // Written, waited, read back.
    expect(emu.calls.map((c) => c.operation)).toEqual([
      'GetIdToken',
      'AssumeRoleWithWebIdentity',
      'GetRegistryScanningConfiguration',
      'PutRegistryScanningConfiguration',
      'GetRegistryScanningConfiguration',
    ])
    expect(slept).toEqual([2000])
  })

  it('a second run changes nothing: no write', async () => {
    const ecr = await client()
    emu.clearCalls()
    const out = await ensureRegistryScanning(deps(ecr), want())
    expect(out.kind).toBe('covered')
    expect(emu.callsFor('ecr', 'PutRegistryScanningConfiguration')).toEqual([])
  })

  it('BASIC without the switch: nothing written, what it would write reported', async () => {
    seed({ scanType: 'BASIC', rules: [rule('SCAN_ON_PUSH', '*') as never] })
    const out = await ensureRegistryScanning(deps(await client()), want())
    expect(out).toMatchObject({
      kind: 'needs-switch',
      proposed: enhanced(rule('SCAN_ON_PUSH', '*'), rule('CONTINUOUS_SCAN', REPO)),
    })
    expect(emu.callsFor('ecr', 'PutRegistryScanningConfiguration')).toEqual([])
    expect(stored()).toEqual({ scanType: 'BASIC', rules: [rule('SCAN_ON_PUSH', '*')] })
    const [warning] = registryScanningAnnotations(out, 'us-east-1')
    expect(warning?.level).toBe('warning')
    expect(warning?.message).toContain(
      "The registry uses BASIC scanning: registry-scanning: continuous would switch it to ENHANCED (Amazon Inspector) and add filter 'acme/widget' to a new CONTINUOUS_SCAN rule. That changes scanning, and billing, for every repository of the account in us-east-1, so it is done only with 'registry-scanning-switch: true'. Nothing was changed.",
    )
  })

  it('BASIC with the switch: switched and covered', async () => {
    seed({ scanType: 'BASIC', rules: [] })
    const ecr = await client([...writerPermissions, { action: 'iam:CreateServiceLinkedRole', resource: '*' }])
    const out = await ensureRegistryScanning(
      deps(ecr),
      want({ allowSwitch: true, mode: 'on-push', frequency: 'SCAN_ON_PUSH' }),
    )
    expect(out.kind).toBe('written')
    expect(stored()).toEqual({ scanType: 'ENHANCED', rules: [rule('SCAN_ON_PUSH', REPO)] })
  })

  it("the seed's * filter covers it: no write", async () => {
    seed({ scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', '*') as never] })
    const out = await ensureRegistryScanning(deps(await client()), want({ filter: '*' }))
    expect(out.kind).toBe('covered')
    expect(registryScanningWrites(emu)).toEqual([])
    expect(registryScanningMarkdown(registryScanningReport(out))).toContain(
      'already covered by filter `*` of the CONTINUOUS_SCAN rule; nothing written.',
    )
  })

  it('two concurrent runs adding different filters: both end covered', async () => {
    seed({ scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', 'prod/*') as never] })
    // Both read the same configuration before either writes: one write is bound to undo the other.
    setReadBarrier(emu, 2)
    const [a, b] = await Promise.all([
      client().then((ecr) =>
        ensureRegistryScanning(deps(ecr), want({ filter: 'acme/api', repository: 'acme/api' })),
      ),
      client().then((ecr) =>
        ensureRegistryScanning(deps(ecr), want({ filter: 'acme/web', repository: 'acme/web' })),
      ),
    ])
    expect([a.kind, b.kind]).toEqual(['written', 'written'])
    const final = stored() as RegistryConfig
    expect(coveredWith(final, 'acme/api', 'CONTINUOUS_SCAN')).toBe(true)
    expect(coveredWith(final, 'acme/web', 'CONTINUOUS_SCAN')).toBe(true)
    expect(final.rules[0]?.repositoryFilters[0]?.filter).toBe('prod/*')
    // The run that lost wrote again, from what the other had written.
    const attempts = [a, b].map((o) => (o.kind === 'written' ? o.attempts : 0)).sort()
    expect(attempts).toEqual([1, 2])
    expect(registryScanningWrites(emu)).toHaveLength(3)
  })

  it('ECR limits are a clear failure, before any write', async () => {
    seed({ scanType: 'ENHANCED', rules: [rule('CONTINUOUS_SCAN', ...manyFilters(100)) as never] })
    const out = await ensureRegistryScanning(deps(await client()), want())
    expect(out.kind).toBe('failed')
    expect(out.kind === 'failed' && out.message).toMatch(
      /^Cannot add registry-scanning-filter 'acme\/widget': the registry's CONTINUOUS_SCAN rule already has 100 filters, ECR's limit is 100\./,
    )
    expect(registryScanningWrites(emu)).toEqual([])
  })

  it('denied: the message names what to grant', async () => {
    seed({ scanType: 'ENHANCED', rules: [] })
    const readOnly = await client(pushPermissions(ACCOUNT, 'acme/*'))
    const out = await ensureRegistryScanning(deps(readOnly), want())
    expect(out.kind === 'failed' && out.message).toMatch(
      /^Could not change the registry scanning configuration: User: .* is not authorized to perform: ecr:PutRegistryScanningConfiguration .*registry-scanning: continuous needs ecr:PutRegistryScanningConfiguration on "\*", and for an ENHANCED configuration inspector2:Enable and inspector2:ListAccountPermissions/,
    )
    const blind = await client([{ action: 'ecr:PutRegistryScanningConfiguration', resource: '*' }])
    const unread = await ensureRegistryScanning(deps(blind), want())
    expect(unread.kind === 'failed' && unread.message).toMatch(
      /^Could not read the registry scanning configuration \(AccessDeniedException: .*\)\. registry-scanning: continuous needs ecr:GetRegistryScanningConfiguration on "\*" to keep the registry's other rules when it writes\.$/,
    )
    expect(registryScanningWrites(emu)).toEqual([])
  })

  it('another account’s registry: refused before any call', async () => {
    const ecr = await client()
    emu.clearCalls()
    const out = await ensureRegistryScanning({ ...deps(ecr), registryId: '210987654321' }, want())
    expect(out.kind === 'failed' && out.message).toMatch(
      /changes the scanning configuration of the credentials' own registry \(account 123456789012\), but the push goes to registry 210987654321/,
    )
    expect(emu.calls).toEqual([])
  })
})

describe('the summary part', () => {
  it('before and after, the added filter in bold', () => {
    const before = enhanced(rule('CONTINUOUS_SCAN', 'prod/*'), rule('SCAN_ON_PUSH', '*-cache'))
    const after = enhanced(rule('CONTINUOUS_SCAN', 'prod/*', REPO), rule('SCAN_ON_PUSH', '*-cache'))
    const md = registryScanningMarkdown(
      registryScanningReport({ kind: 'written', want: want(), before, after, attempts: 2 }),
    )
    expect(md).toBe(
      [
        '**Registry scanning** (`registry-scanning: continuous`, filter `acme/widget`): added to the CONTINUOUS_SCAN rule; written and read back (2 writes: another job changed the configuration at the same time).',
        '',
        '| Registry | Scan type | CONTINUOUS_SCAN filters | SCAN_ON_PUSH filters |',
        '|---|---|---|---|',
        '| Before | ENHANCED | `prod/*` | `*-cache` |',
        '| After | ENHANCED | `prod/*`, **`acme/widget`** | `*-cache` |',
      ].join('\n'),
    )
  })

  it('a long rule is cut short, the added filter still shown', () => {
    const before = enhanced(rule('CONTINUOUS_SCAN', ...manyFilters(40)))
    const after = enhanced(rule('CONTINUOUS_SCAN', ...manyFilters(40), REPO))
    const md = registryScanningMarkdown(
      registryScanningReport({ kind: 'written', want: want(), before, after, attempts: 1 }),
    )
    expect(md).toContain('`team9/*`, … and 30 more, **`acme/widget`** |')
    expect(md).not.toContain('team10/*')
  })
})
