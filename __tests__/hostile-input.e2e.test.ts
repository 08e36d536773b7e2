// Point 1 of issue 9 end to end, through dist/ with the real docker engine and registry: an image
// built by hand (a `docker load`ed tar) carries workflow commands, CRs, ANSI, bidi overrides and
// markdown in every field the audit and the summary show, and the registry's scan answers carry
// them too. Nothing of it may be interpreted: the runner's own command rules find only the action's
// commands, no raw control character reaches the log or the summary, and the summary renders it
// all as text.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isOutputName } from '../src/outputs.ts'
import { dockerArchive, type CraftedImage } from './fixtures/audit/craft.ts'
import { expectNoCredentialFile, expectNoSecretOutsideMasks } from './leaks.ts'
import { docker, removeImage } from './testbed/docker.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import { renderGfm } from './testbed/gfm.ts'
import { cleanup, runnerCommands, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

/** Everything an attacker would try in one string (no `=`, which an env name cannot hold). */
const H =
  'PWNED\r::set-output name:gate::passed\n  ::stop-commands::pwn\r\n::add-mask::e\u001b[31mred\u001b[0m' +
  ' ##[set-output name:x;]y \u0000\u0007\u009b \u202eevil\u2066 <img src="https://evil.example/p.png">' +
  ' **PWNED** [click](https://evil.example/) | extra cell | `code` $math$ @octocat'

const HOSTILE: CraftedImage = {
  layers: [
    {
      createdBy: `/bin/sh -c #(nop) COPY ${H} /`,
      entries: [
        { type: 'dir', name: 'app/' },
        { type: 'file', name: 'app/ok.txt', content: 'ok' },
        // Refused by the export (it climbs out): its hostile name lands in a warning and the summary.
        { type: 'symlink', name: 'app/x\u001b[31m::warning::forged\rPWNED **b** |', target: '../../../etc' },
      ],
    },
  ],
  emptyAfter: { 0: [`/bin/sh -c #(nop)  LABEL ${H}`] },
  config: {
    User: H,
    WorkingDir: `/app/${H}`,
    Env: [`PATH=/bin`, `EVIL${H.replace(/[=\s]/g, '_')}=1`, `MODE=${H}`],
    Entrypoint: [H],
    Cmd: [`--flag=${H}`],
    ExposedPorts: { [`8080/tcp${H}`]: {} },
    Volumes: { [`/data${H}`]: {} },
    Labels: { [`org.example.${H}`]: H, 'org.opencontainers.image.source': H },
  },
}

/** What the action itself may issue; anything else on a command line is forged. */
const OURS = new Set(['add-mask', 'debug', 'error', 'warning', 'notice', 'group', 'endgroup'])

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

let tb: Testbed
let r: RunResult
const tag = `ecr-sc-test/hostile:${process.pid}`

beforeAll(async () => {
  tb = await startTestbed()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-e2e-'))
  try {
    fs.writeFileSync(path.join(dir, 'image.tar'), await dockerArchive(HOSTILE, tag))
    await docker(['load', '-i', path.join(dir, 'image.tar')])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  setRegistryScanning(tb.emulator, {
    scanType: 'ENHANCED',
    rules: [
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }] },
    ],
  })
  const repo = tb.emulator.state.repositories.find((x) => x.name === tb.repository)
  if (repo === undefined) throw new Error('test bed repository missing')
  const finding = enhancedFinding({
    id: 'CVE-2024-0001',
    severity: 'CRITICAL',
    package: H,
    version: H,
    score: 9.8,
  })
  finding.title = H
  finding.description = H
  setScanScenario(repo, { enhancedFindings: [finding] })
  r = await tb.run({
    debug: true,
    inputs: {
      image: tag,
      audit: 'true',
      'fail-on-secrets': 'false',
      'export-filesystem': 'rootfs',
      'wait-for-scan': 'true',
      'scan-timeout-seconds': '90',
      'scan-settle-seconds': '2',
    },
  })
}, 240_000)

afterAll(async () => {
  await removeImage(tag)
  await tb?.close()
  cleanup()
})

describe('a hostile image and hostile registry answers', () => {
  it('the run itself goes as it should: pushed, audited, exported, gated (failed on the CRITICAL)', () => {
    expect(r.code, r.log).toBe(1)
    expect(r.outputs['image-digest']).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(r.outputs.gate).toBe('failed')
    expect(r.outputs['layer-count']).toBe('1')
    expect(fs.readFileSync(path.join(r.dirs.workspace, 'rootfs', 'app', 'ok.txt'), 'utf8')).toBe('ok')
  })

  it('the runner finds no command but our own, on stdout or stderr, by its own rules', () => {
    for (const out of [r.stdout, r.stderr]) {
      for (const c of runnerCommands(out)) {
        expect(c.form, c.line).toBe('v2')
        expect(OURS.has(c.command), c.line).toBe(true)
        // Written by us: at the very start of the line, the name and properties free of image text.
        expect(c.line.startsWith(`::${c.command}`), c.line).toBe(true)
        expect(c.line.slice(0, c.line.indexOf('::', 2)), c.line).not.toContain('PWNED')
      }
    }
    expect(r.masks.filter((m) => m.includes('PWNED') || m === 'e')).toEqual([])
    // The image text is in the log, visibly escaped, not dropped: the CR no longer ends the line,
    // a line that starts with :: after a real line break has its first colon escaped.
    expect(r.stdout).toContain('PWNED\\u000d::set-output')
    expect(r.stdout).toContain('\n\\u003a:add-mask::e')
    expect(r.stdout).toContain('\\u001b[31mred')
  })

  it('no raw control, ANSI or bidi character reaches the log, the annotations or the summary', () => {
    expect(r.stdout).not.toMatch(RAW_CONTROL)
    expect(r.stderr).not.toMatch(RAW_CONTROL)
    expect(r.summary).not.toMatch(RAW_CONTROL)
    for (const a of [...r.errors, ...r.warnings, ...r.notices]) expect(a).not.toMatch(RAW_CONTROL)
    expect(r.stdout).not.toContain('\r')
  })

  it('no forged output, state, env or path; the outputs hold no raw control character', () => {
    for (const [name, value] of Object.entries(r.outputs)) {
      expect(isOutputName(name), name).toBe(true)
      expect(value).not.toMatch(RAW_CONTROL)
    }
    expect(Object.keys(r.state).sort()).toEqual(['private-config', 'private-config-id'])
    expect(r.exportedEnv).toEqual({})
    expect(r.addedPath).toEqual([])
  })

  it('the summary renders the image text as text: no image, link, emphasis or extra table cell', () => {
    const html = renderGfm(r.summary)
    expect(html).not.toMatch(/<img/)
    expect(html).not.toContain('href="https://evil.example/')
    expect(html).not.toMatch(/<(strong|em)>PWNED/)
    // Every table row has as many cells as its header.
    for (const table of html.split('<table>').slice(1)) {
      const head = (table.split('</thead>')[0]?.match(/<th[ >]/g) ?? []).length
      const body = table.split('</thead>')[1]?.split('</table>')[0] ?? ''
      for (const row of body.split('<tr>').slice(1)) expect((row.match(/<td[ >]/g) ?? []).length).toBe(head)
    }
    expect(r.summary).toContain('PWNED')
  })

  it('RUNNER_DEBUG=1: no secret outside ::add-mask::, no credential file left', () => {
    expect(r.debug.length).toBeGreaterThan(0)
    expectNoSecretOutsideMasks(r)
    expectNoCredentialFile(r)
  })

  it('the audit file keeps the raw strings, as data', () => {
    const audit = JSON.parse(fs.readFileSync(r.outputs['audit-file'] as string, 'utf8')) as {
      config: { user: string }
    }
    expect(audit.config.user).toBe(H)
  })
})
