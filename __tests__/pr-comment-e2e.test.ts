// pr-comment end to end: the bundled action (dist/) run as the runner runs it on a pull_request
// event, pushing to the real registry, the AWS emulator answering the scan, and the loopback GitHub
// REST emulator taking the comment through the real @actions/github client (GITHUB_API_URL).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pushPermissions, type RepositoryRecord } from './testbed/emulator/index.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import { fakeToken, startGithubApi, type GithubApi } from './testbed/github-api.ts'
import { closeBrowser, renderSummary } from './testbed/summary-view.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let gh: GithubApi
let repo: RepositoryRecord
let nextPr = 40

const CRIT = enhancedFinding({
  id: 'CVE-2024-0001',
  severity: 'CRITICAL',
  package: 'openssl',
  version: '3.0.1',
  fixedIn: '3.0.9',
  score: 9.8,
})
const HIGH = enhancedFinding({
  id: 'CVE-2024-0002',
  severity: 'HIGH',
  package: 'zlib',
  version: '1.2.11',
  score: 7.5,
})
const MED = enhancedFinding({
  id: 'CVE-2024-0004',
  severity: 'MEDIUM',
  package: 'bash',
  version: '5.1',
  fixedIn: '5.2',
})

/** A pull_request event as GitHub writes it, with the text a stranger controls made hostile. */
function prEvent(number: number, sha: string): { name: string; payload: unknown } {
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        title: 'Fix <img src=x onerror=alert(1)> @octocat `rm -rf /`',
        body: '::set-output name=gate::passed',
        head: { sha, ref: 'feature/x', repo: { full_name: 'mallory/widget' } },
        base: { ref: 'main', repo: { full_name: 'acme/widget' } },
      },
      repository: { full_name: 'acme/widget', name: 'widget', owner: { login: 'acme' } },
    },
  }
}

function newPr(): number {
  const n = nextPr++
  gh.addRepository('acme', `widget`, [n])
  return n
}

const sha = (): string => randomBytes(20).toString('hex')

beforeAll(async () => {
  ;[tb, gh] = await Promise.all([
    startTestbed({
      permissions: pushPermissions('123456789012', 'acme/widget', { scanDiscovery: true, governance: true }),
    }),
    startGithubApi(),
  ])
  repo = tb.emulator.state.repositories.find((r) => r.name === tb.repository) as RepositoryRecord
  setRegistryScanning(tb.emulator, {
    scanType: 'ENHANCED',
    rules: [
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }] },
    ],
  })
})

afterAll(async () => {
  expect(tb?.emulator.internalErrors ?? []).toEqual([])
  expect(gh?.internalErrors ?? []).toEqual([])
  await closeBrowser()
  await Promise.all([tb?.close(), gh?.close()])
})

describe('pr-comment end to end', () => {
  it('two runs on the same pull request leave exactly one comment, updated in place', async () => {
    const pr = newPr()
    const token = fakeToken()
    gh.addToken(token)
    const gateInputs = {
      'wait-for-scan': 'true',
      'scan-timeout-seconds': '120',
      'scan-settle-seconds': '2',
      'pr-comment': 'true',
    }

    setScanScenario(repo, { enhancedFindings: [CRIT, HIGH, MED] })
    const sha1 = sha()
    const first = await tb.run({
      inputs: { image: await tb.image(), ...gateInputs },
      env: gh.env,
      event: prEvent(pr, sha1),
      githubToken: token,
    })
    expect(first.code, first.log).toBe(1)
    expect(first.outputs.gate).toBe('failed')
    expect(first.log).toMatch(
      /Pull request comment created: https:\/\/github\.com\/acme\/widget\/pull\/\d+#issuecomment-\d+/,
    )
    let comments = gh.comments('acme', 'widget', pr)
    expect(comments).toHaveLength(1)
    const id = comments[0]?.id
    const body1 = comments[0]?.body ?? ''
    expect(body1).toMatch(
      /^<!-- ecr-supply-chain:acme\/widget:[0-9a-f]{12} -->\n### ❌ Scan gate failed: 2 blocking findings at or above HIGH/,
    )
    expect(body1).toContain(
      '[`CVE-2024-0001`](https://nvd.nist.gov/vuln/detail/CVE-2024-0001) | CRITICAL | `openssl` | `3.0.1` | `3.0.9` |',
    )
    expect(body1).toContain('`CVE-2024-0002`')
    expect(body1).not.toContain('CVE-2024-0004') // MEDIUM does not block at HIGH
    expect(body1).toContain(first.outputs['image-ref'])
    expect(body1).toContain(`commit ${sha1.slice(0, 12)}`)
    expect(body1).toContain(`https://github.com/acme/widget/actions/runs/${first.env.GITHUB_RUN_ID}`)
    // The token: masked the moment it was read, never in the log.
    expect(first.masks).toContain(token)
    expect(first.log).not.toContain(token)

    // Reviewers read it rendered: the verdict first, the findings a real table.
    const view = await renderSummary(body1, { name: 'pr-comment-failed', breaks: true })
    try {
      expect(await view.problems()).toEqual([])
      const rows = await view.query('table tbody tr')
      expect(rows.map((r) => r.text.split('\t')[0])).toContain('CVE-2024-0001')
    } finally {
      await view.close()
    }

    // The next push: CVE-2024-0001 fixed. The same comment now says so.
    setScanScenario(repo, { enhancedFindings: [HIGH, MED] })
    const sha2 = sha()
    const second = await tb.run({
      inputs: { image: await tb.image(), ...gateInputs },
      env: gh.env,
      event: prEvent(pr, sha2),
      githubToken: token,
    })
    expect(second.code, second.log).toBe(1)
    expect(second.log).toContain('Pull request comment updated')
    comments = gh.comments('acme', 'widget', pr)
    expect(comments).toHaveLength(1)
    expect(comments[0]?.id).toBe(id)
    const body2 = comments[0]?.body ?? ''
    expect(body2.split('\n')[0]).toBe(body1.split('\n')[0]) // the same marker
    expect(body2).toContain('### ❌ Scan gate failed: 1 blocking finding at or above HIGH')
    expect(body2).not.toContain('CVE-2024-0001')
    expect(body2).toContain(`commit ${sha2.slice(0, 12)}`)
    const writes = gh.log
      .filter((r) => r.method !== 'GET' && r.token === token)
      .map((r) => `${r.method} ${r.status}`)
    expect(writes).toEqual(['POST 201', 'PATCH 200'])
  })

  it('a token without pull-requests: write: one warning, and the step still succeeds', async () => {
    const pr = newPr()
    const readOnly = fakeToken()
    gh.addToken(readOnly, { write: false })
    const r = await tb.run({
      inputs: { image: await tb.image(), 'pr-comment': 'true' },
      env: gh.env,
      event: prEvent(pr, sha()),
      githubToken: readOnly,
    })
    expect(r.code, r.log).toBe(0)
    expect(r.outputs.gate).toBe('skipped')
    expect(r.errors).toEqual([])
    const warning = r.warnings.find((w) => w.startsWith('Could not write the pull request comment'))
    expect(warning).toContain('403 (Resource not accessible by integration)')
    expect(warning).toContain('permissions: pull-requests: write')
    expect(gh.comments('acme', 'widget', pr)).toHaveLength(0)
  })

  it('an unreachable GitHub API: one warning, and the step still succeeds', async () => {
    // A loopback port that was free a moment ago: nothing answers there.
    const probe = http.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const r = await tb.run({
      inputs: { image: await tb.image(), 'pr-comment': 'true' },
      env: { GITHUB_API_URL: `http://127.0.0.1:${port}` },
      event: prEvent(newPr(), sha()),
    })
    expect(r.code, r.log).toBe(0)
    expect(r.warnings.some((w) => /^Could not write the pull request comment .*no answer/.test(w))).toBe(true)
  })

  it('not a pull request event: a debug line, and not one call to GitHub', async () => {
    const before = gh.log.length
    const r = await tb.run({
      inputs: { image: await tb.image(), 'pr-comment': 'true' },
      env: gh.env,
      debug: true,
    })
    expect(r.code, r.log).toBe(0)
    expect(r.debug).toContain('pr-comment: the event is push, not a pull request: no comment')
    expect(r.warnings.filter((w) => /pull request/i.test(w))).toEqual([])
    expect(gh.log.length).toBe(before)
  })

  it('pr-comment off (the default): not one call to GitHub on a pull request', async () => {
    const before = gh.log.length
    const r = await tb.run({
      inputs: { image: await tb.image() },
      env: gh.env,
      event: prEvent(newPr(), sha()),
    })
    expect(r.code, r.log).toBe(0)
    expect(gh.log.length).toBe(before)
  })
})
