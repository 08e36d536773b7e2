// Role chaining and session policies end to end (issue 14, point 4): the bundled action run as the
// runner runs it, with an earlier step's role session in the environment (what
// configure-aws-credentials exports), assuming the push role through the emulator's sts:AssumeRole,
// docker pushing through the ECR registry front (IAM, session policies included, on every request),
// and the scan wait renewing the chained session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushPermissions } from './testbed/emulator/index.ts'
import { assumeRole, type SessionCredentials } from './testbed/emulator/helpers.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let image: string
const ACCOUNT = '123456789012'
const SOURCE = `arn:aws:iam::${ACCOUNT}:role/github-oidc`
const TARGET = `arn:aws:iam::${ACCOUNT}:role/ecr-push-chained`

beforeAll(async () => {
  tb = await startTestbed()
  tb.emulator.addRole({
    arn: SOURCE,
    trust: { sub: 'repo:acme/widget:*' },
    permissions: [{ action: 'sts:AssumeRole', resource: TARGET }],
  })
  tb.emulator.addRole({
    arn: TARGET,
    trust: { webIdentity: false, principals: [SOURCE], externalId: 'acme-ci-7f3a' },
    permissions: pushPermissions(ACCOUNT, 'acme/*', { scanDiscovery: true, governance: true }),
  })
  image = await tb.image()
})
afterAll(async () => {
  await tb?.close()
})

/** The environment an earlier configure-aws-credentials step leaves: a role session's keys. */
function envOf(c: SessionCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
  }
}

const chained = (over: Record<string, string> = {}) => ({
  image,
  'role-to-assume': TARGET,
  'role-chaining': 'true',
  'role-external-id': 'acme-ci-7f3a',
  ...over,
})

describe('role-chaining: true', () => {
  it('assumes the push role with the earlier session (no OIDC token); ECR sees the chained session', async () => {
    const source = await assumeRole(tb.emulator, SOURCE, { sessionName: 'earlier-step' })
    tb.emulator.clearCalls()
    const r = await tb.run({ inputs: chained({ tags: 'chained' }), env: envOf(source) })
    expect(r.code, r.log).toBe(0)
    expect(r.log).toContain(
      `Role chaining: assumed ${TARGET} with the environment's credentials (arn:aws:sts::${ACCOUNT}:assumed-role/github-oidc/earlier-step)`,
    )
    expect(tb.emulator.callsFor('oidc')).toEqual([])
    const sts = tb.emulator.callsFor('sts')
    expect(sts.map((c) => c.operation).sort()).toEqual(['AssumeRole', 'GetCallerIdentity'])
    expect(sts.find((c) => c.operation === 'AssumeRole')?.input.ExternalId).toBe('acme-ci-7f3a')
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/ecr-push-chained/`
    for (const c of [...tb.emulator.callsFor('ecr'), ...tb.emulator.callsFor('registry')])
      expect(c.principalArn ?? session).toMatch(new RegExp(`^${session}`))
    expect(await tb.registry.tags('acme/widget')).toContain('chained')
  })

  it('an inline session policy that denies the push: the registry front refuses it, nothing is tagged', async () => {
    const source = await assumeRole(tb.emulator, SOURCE, { sessionName: 'earlier-step' })
    const policy = JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
          { Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' },
        ],
      },
      null,
      2,
    )
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: chained({ tags: 'session-denied', 'inline-session-policy': policy }),
      env: envOf(source),
    })
    expect(r.code).toBe(1)
    const put = tb.emulator.callsFor('registry', 'PutImage')
    expect(put.length).toBeGreaterThan(0)
    expect(put.every((c) => c.status === 403)).toBe(true)
    expect(put[0]?.errorMessage).toContain('with an explicit deny in a session policy')
    // The policy went to STS compacted (no white space between its tokens).
    expect(tb.emulator.callsFor('sts', 'AssumeRole')[0]?.input.Policy).toBe(
      JSON.stringify(JSON.parse(policy)),
    )
    expect(r.errors.join('\n')).toMatch(/ecr:PutImage/)
    expect(await tb.registry.tags('acme/widget')).not.toContain('session-denied')
  })

  it('a session policy that allows it: the push goes through, limited to what both allow', async () => {
    const source = await assumeRole(tb.emulator, SOURCE, { sessionName: 'earlier-step' })
    tb.emulator.addManagedPolicy(`arn:aws:iam::${ACCOUNT}:policy/acme-push`, [
      { action: 'ecr:*', resource: `arn:aws:ecr:*:${ACCOUNT}:repository/acme/*` },
      { action: ['ecr:GetAuthorizationToken', 'ecr:GetRegistryScanningConfiguration'], resource: '*' },
    ])
    const r = await tb.run({
      inputs: chained({
        tags: 'session-managed',
        'managed-session-policies': `arn:aws:iam::${ACCOUNT}:policy/acme-push`,
      }),
      env: envOf(source),
    })
    expect(r.code, r.log).toBe(0)
    expect(await tb.registry.tags('acme/widget')).toContain('session-managed')
  })

  it('role-duration-seconds above 3600: STS refuses the chained session; the error says what to set', async () => {
    const source = await assumeRole(tb.emulator, SOURCE, { sessionName: 'earlier-step' })
    const r = await tb.run({
      inputs: chained({ tags: 'too-long', 'role-duration-seconds': '7200' }),
      env: envOf(source),
    })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(
        /1 hour session limit for roles assumed by role chaining\..*Set 'role-duration-seconds' to 3600 or less \(now 7200\)\./,
      ),
    ])
    expect(await tb.registry.tags('acme/widget')).not.toContain('too-long')
  })

  it('a wrong external ID: AccessDenied explained with the trust policy the role needs', async () => {
    const source = await assumeRole(tb.emulator, SOURCE, { sessionName: 'earlier-step' })
    const r = await tb.run({
      inputs: chained({ tags: 'wrong-id', 'role-external-id': 'acme-ci-0000' }),
      env: envOf(source),
    })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([
      expect.stringContaining(
        `allows sts:AssumeRole for the principal {"AWS": "${SOURCE}"}, with the condition "StringEquals": {"sts:ExternalId": "acme-ci-0000"}`,
      ),
    ])
    expect(await tb.registry.tags('acme/widget')).not.toContain('wrong-id')
  })

  it('bad session inputs fail before any call', async () => {
    tb.emulator.clearCalls()
    const r = await tb.run({
      inputs: chained({
        tags: 'never',
        'inline-session-policy': '{"Version": "2012-10-17", "Statement": {"Effect": "Allow"}}',
        'managed-session-policies': 'arn:aws:iam::210987654321:policy/elsewhere',
        'role-external-id': 'x',
      }),
      env: envOf({ accessKeyId: 'AKIAUNUSED', secretAccessKey: 'unused', sessionToken: 'unused' }),
    })
    expect(r.code).toBe(1)
    expect(r.errors.map((e) => /^Invalid input '([a-z-]+)'/.exec(e)?.[1])).toEqual([
      'role-external-id',
      'inline-session-policy',
      'managed-session-policies',
    ])
    expect(tb.emulator.calls).toEqual([])
  })
})

describe('the scan wait renews a chained session', () => {
  it('the chained session expires during the wait: assumed again with the source credentials', async () => {
    setRegistryScanning(tb.emulator, {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
        },
      ],
    })
    const repo = tb.emulator.createRepository({ name: 'acme/chained-wait' })
    const crit = enhancedFinding({
      id: 'CVE-2024-0001',
      severity: 'CRITICAL',
      package: 'openssl',
      version: '3.0.1',
    })
    setScanScenario(repo, { pendingSeconds: 12, enhancedFindings: [crit] })
    const role = tb.emulator.state.roles.get(TARGET)
    if (!role) throw new Error('no role')
    role.sessionSeconds = 8
    try {
      const source = await assumeRole(tb.emulator, SOURCE, { sessionName: 'earlier-step' })
      tb.emulator.clearCalls()
      const r = await tb.run({
        inputs: chained({
          repository: 'acme/chained-wait',
          tags: 'wait',
          'wait-for-scan': 'true',
          'scan-timeout-seconds': '90',
          'scan-settle-seconds': '2',
        }),
        env: envOf(source),
      })
      expect(r.code, r.log).toBe(1)
      expect(r.outputs).toMatchObject({ gate: 'failed', 'findings-critical': '1' })
      expect(r.log).toContain('Renewed the role session')
      expect(r.log).not.toMatch(/ExpiredToken/)
      const assumes = tb.emulator.callsFor('sts', 'AssumeRole')
      expect(assumes.length).toBeGreaterThanOrEqual(2)
      for (const c of assumes)
        expect(c.principalArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/github-oidc/earlier-step`)
      expect(tb.emulator.callsFor('oidc')).toEqual([])
    } finally {
      delete role.sessionSeconds
      setRegistryScanning(tb.emulator, { scanType: 'BASIC', rules: [] })
    }
  })
})
