// Point 2 of issue 9 end to end, through dist/: a workspace that commits symlinks named like our
// output files, a world-writable RUNNER_TEMP with planted links, an export through a symlinked
// directory, input files outside the workspace, two steps of one job. Every link target is
// checked untouched; a bad path is an error naming the input before any network call.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import { cleanup, runPost, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
let image: string
let base: string
let ws: string
let temp: string
let victim: string
const VICTIM_TEXT = 'victim: must stay as it is\n'
const SECRET = 'TOP-SECRET-FILE-CONTENT'

beforeAll(async () => {
  tb = await startTestbed()
  image = await tb.image({ files: { 'app.txt': 'files\n' } })
  setRegistryScanning(tb.emulator, {
    scanType: 'ENHANCED',
    rules: [
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }] },
    ],
  })
  const repo = tb.emulator.state.repositories.find((x) => x.name === tb.repository)
  if (repo === undefined) throw new Error('test bed repository missing')
  // A CRITICAL: the gate fails at once, and writes its SARIF and report.
  setScanScenario(repo, {
    enhancedFindings: [enhancedFinding({ id: 'CVE-2024-0001', severity: 'CRITICAL', score: 9.8 })],
  })
})

afterAll(async () => {
  await tb?.close()
  cleanup()
})

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-files-'))
  ws = path.join(base, 'workspace')
  temp = path.join(base, 'runner-temp')
  fs.mkdirSync(ws)
  fs.mkdirSync(temp)
  fs.mkdirSync(path.join(base, 'outside'))
  victim = path.join(base, 'outside', 'victim')
  fs.writeFileSync(victim, VICTIM_TEXT)
  fs.writeFileSync(path.join(base, 'outside', 'secret.yml'), `- ${SECRET}\n`)
})

const run = (inputs: Record<string, string>, env: Record<string, string> = {}): Promise<RunResult> =>
  tb.run({
    inputs: { image, 'scan-timeout-seconds': '90', 'scan-settle-seconds': '2', ...inputs },
    env: { GITHUB_WORKSPACE: ws, RUNNER_TEMP: temp, ...env },
  })

/** A refusal: exit 1, exactly these errors, no call to AWS at all, the victim untouched. */
function refusedBeforeAnyCall(r: RunResult, errors: RegExp[]): void {
  expect(r.code, r.log).toBe(1)
  expect(r.errors).toHaveLength(errors.length)
  errors.forEach((e, i) => expect(r.errors[i]).toMatch(e))
  expect(tb.emulator.calls).toEqual([])
  expect(fs.readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT)
}

describe('output files', () => {
  it('a committed symlink named ecr-scan.sarif (the default) is a bad sarif-file, before any call', async () => {
    fs.symlinkSync(victim, path.join(ws, 'ecr-scan.sarif'))
    tb.emulator.clearCalls()
    const r = await run({ 'wait-for-scan': 'true' })
    refusedBeforeAnyCall(r, [/^Invalid input 'sarif-file': 'ecr-scan\.sarif' is a symbolic link/])
  })

  it('a sarif-file that is a directory, or outside the workspace through a symlinked directory', async () => {
    fs.mkdirSync(path.join(ws, 'out.sarif'))
    fs.symlinkSync(path.join(base, 'outside'), path.join(ws, 'reports'))
    tb.emulator.clearCalls()
    let r = await run({ 'wait-for-scan': 'true', 'sarif-file': 'out.sarif' })
    refusedBeforeAnyCall(r, [/^Invalid input 'sarif-file': 'out\.sarif' is a directory/])
    r = await run({ 'wait-for-scan': 'true', 'sarif-file': 'reports/victim' })
    refusedBeforeAnyCall(r, [
      /^Invalid input 'sarif-file': 'reports\/victim' resolves to .*outside\/victim, which is outside/,
    ])
  })

  it('a world-writable RUNNER_TEMP with planted links: the report and audit files go elsewhere, links untouched', async () => {
    fs.chmodSync(temp, 0o777)
    const planted = [
      'ecr-scan-report.json',
      'ecr-audit.json',
      'ecr-supply-chain-files-ship-',
      'ecr-supply-chain-docker-',
    ]
    for (const name of planted) fs.symlinkSync(victim, path.join(temp, name))
    const r = await run({ 'wait-for-scan': 'true', audit: 'true' })
    expect(r.code, r.log).toBe(1)
    expect(r.outputs.gate).toBe('failed')
    for (const out of [r.outputs['report-file'], r.outputs['audit-file']]) {
      expect(out).toBeDefined()
      const file = out as string
      expect(path.dirname(path.dirname(file))).toBe(temp)
      expect(path.basename(path.dirname(file))).toMatch(/^ecr-supply-chain-files-ship-[A-Za-z0-9]{6}$/)
      expect(fs.lstatSync(file).isFile()).toBe(true)
      expect((fs.statSync(path.dirname(file)).mode & 0o777).toString(8)).toBe('700')
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT)
    for (const name of planted) expect(fs.readlinkSync(path.join(temp, name))).toBe(victim)
    // The SARIF in the workspace, as INTERFACE says.
    expect(r.outputs['sarif-file']).toBe(path.join(ws, 'ecr-scan.sarif'))
  })

  it('two steps of one job: their own report and audit files; the second replaces the shared SARIF and says so', async () => {
    const first = await run(
      { 'wait-for-scan': 'true', audit: 'true', tags: 'one' },
      { GITHUB_ACTION: 'first' },
    )
    const second = await run(
      { 'wait-for-scan': 'true', audit: 'true', tags: 'two' },
      { GITHUB_ACTION: 'second' },
    )
    for (const o of ['report-file', 'audit-file']) {
      expect(first.outputs[o]).not.toBe(second.outputs[o])
      expect(fs.existsSync(first.outputs[o] as string)).toBe(true)
      expect(fs.existsSync(second.outputs[o] as string)).toBe(true)
    }
    expect(first.warnings.join('\n')).not.toMatch(/already existed/)
    expect(second.warnings.join('\n')).toMatch(
      /sarif-file .*ecr-scan\.sarif already existed .*replaced\. Give each step/,
    )
  })
})

describe('export-filesystem', () => {
  it('through a symlinked directory, or a symlink itself: a bad input before any call, nothing written there', async () => {
    fs.symlinkSync(path.join(base, 'outside'), path.join(ws, 'linked'))
    fs.mkdirSync(path.join(base, 'outside', 'empty'))
    fs.symlinkSync(path.join(base, 'outside', 'empty'), path.join(ws, 'rootfs'))
    tb.emulator.clearCalls()
    let r = await run({ audit: 'true', 'export-filesystem': 'linked/rootfs' })
    refusedBeforeAnyCall(r, [/^Invalid input 'export-filesystem': 'linked\/rootfs' resolves to .*outside/])
    r = await run({ audit: 'true', 'export-filesystem': 'rootfs' })
    refusedBeforeAnyCall(r, [/^Invalid input 'export-filesystem': 'rootfs' is a symbolic link/])
    expect(fs.readdirSync(path.join(base, 'outside', 'empty'))).toEqual([])
    expect(fs.existsSync(path.join(base, 'outside', 'rootfs'))).toBe(false)
  })
})

describe('input files', () => {
  it('outside the workspace, or a link out of it: refused, and never read into the log', async () => {
    fs.symlinkSync(path.join(base, 'outside', 'secret.yml'), path.join(ws, 'ignore.yml'))
    tb.emulator.clearCalls()
    for (const inputs of [
      { 'wait-for-scan': 'true', 'ignore-file': path.join(base, 'outside', 'secret.yml') },
      { 'wait-for-scan': 'true', 'ignore-file': 'ignore.yml' },
      { 'lifecycle-policy': 'ignore.yml' },
    ]) {
      const r = await run(inputs)
      const name = Object.keys(inputs).at(-1) as string
      refusedBeforeAnyCall(r, [
        new RegExp(`^Invalid input '${name}': .* outside the workspace\\. Expected a file in the workspace`),
      ])
      expect(r.stdout + r.stderr + r.summary).not.toContain(SECRET)
    }
  })

  it('a hostile ignore file in the workspace: only a short, neutralised excerpt of it in the error', async () => {
    const line = `CVE-1 \u001b[31m::set-output_name=gate::passed${'A'.repeat(500)}`
    fs.writeFileSync(path.join(ws, 'ignore.txt'), `${line}\n`)
    const r = await run({ 'wait-for-scan': 'true', 'ignore-file': 'ignore.txt' })
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/unexpected '\\u001b\[31m::set-output_name=gate::passe…'/)
    expect(r.errors[0]).not.toContain('A'.repeat(100))
    expect(r.stdout).not.toContain('\u001b')
  })
})

describe('the post step acts only on state it can verify', () => {
  it('a forged private-config (outside RUNNER_TEMP, no marker, a link, a wrong id) is left alone, with a warning', async () => {
    const main = await run({})
    expect(main.code, main.log).toBe(0)
    const outsideDir = path.join(base, 'outside', 'keep')
    fs.mkdirSync(outsideDir)
    const unmarked = fs.mkdtempSync(path.join(temp, 'ecr-supply-chain-docker-'))
    const linkName = path.join(temp, 'ecr-supply-chain-docker-LINK01')
    fs.symlinkSync(outsideDir, linkName)
    const marked = fs.mkdtempSync(path.join(temp, 'ecr-supply-chain-docker-'))
    fs.writeFileSync(path.join(marked, '.ecr-supply-chain'), 'a'.repeat(32))
    for (const [dir, id] of [
      [outsideDir, 'a'.repeat(32)],
      [unmarked, 'a'.repeat(32)],
      [linkName, 'a'.repeat(32)],
      [marked, 'b'.repeat(32)],
    ] as const) {
      const post = await runPost(main, {
        env: { 'STATE_private-config': dir, 'STATE_private-config-id': id, RUNNER_TEMP: temp },
      })
      expect(post.code, post.log).toBe(0)
      expect(post.warnings.join('\n')).toMatch(
        /Saved state names .* as the private docker config, but it is .*: left alone/,
      )
      expect(fs.existsSync(dir)).toBe(true)
    }
    expect(fs.readlinkSync(linkName)).toBe(outsideDir)
  })

  it('a forged logout registry (an option, not a host) is ignored', async () => {
    const main = await run({})
    const post = await runPost(main, { env: { 'STATE_logout-registry': '--help' } })
    expect(post.code).toBe(0)
    expect(post.warnings.join('\n')).toMatch(/asks to log out of '--help'.*left alone/)
  })
})
