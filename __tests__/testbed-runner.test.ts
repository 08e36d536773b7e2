// The runner emulation, driven with a tiny fake dist: inputs and action.yml defaults in, outputs,
// state, env, summary and workflow commands out, state handed to the post step.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  actionInputs,
  cleanup,
  evaluateDefault,
  inputEnvName,
  parseActionInputs,
  parseActionRuns,
  parseKeyValueFile,
  parseWorkflowCommands,
  runAction,
  runPost,
} from './testbed/runner.ts'

const MAIN = String.raw`
const fs = require('node:fs')
const os = require('node:os')
const crypto = require('node:crypto')
const append = (file, text) => fs.appendFileSync(process.env[file], text)
const heredoc = (name, value) => {
  const d = 'ghadelimiter_' + crypto.randomUUID()
  return name + '<<' + d + os.EOL + value + os.EOL + d + os.EOL
}
const input = (name) => process.env['INPUT_' + name.replace(/ /g, '_').toUpperCase()] ?? ''
const secret = 's3cr3t-' + input('repository')
console.log('before mask ' + secret)
console.log('::add-mask::' + secret)
console.log('after mask ' + secret)
console.log('::debug::debugging %25 done')
console.log('::warning title=Heads up::careful%0Anext line')
console.log('::error file=src/a.ts,line=3,title=a%2Cb%3Ac::broken')
console.log('::notice::fyi')
console.log('::stop-commands::tok123')
console.log('::error::not a command while stopped')
console.log('::tok123::')
console.log('::group::G')
console.log('::endgroup::')
append('GITHUB_OUTPUT', 'image=' + input('image') + os.EOL)
append('GITHUB_OUTPUT', heredoc('multi', 'line one' + os.EOL + 'line=two'))
append('GITHUB_OUTPUT', 'tags=' + input('tags') + os.EOL)
append('GITHUB_OUTPUT', 'threshold=' + input('severity-threshold') + os.EOL)
append('GITHUB_OUTPUT', 'duration=' + input('role-duration-seconds') + os.EOL)
append('GITHUB_OUTPUT', 'region=' + input('aws-region') + '|' + (process.env.AWS_REGION ?? '') + os.EOL)
append('GITHUB_OUTPUT', 'aws-secret=' + (process.env.AWS_SECRET_ACCESS_KEY ?? 'none') + os.EOL)
append('GITHUB_OUTPUT', 'actions-token=' + (process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? 'none') + os.EOL)
append('GITHUB_OUTPUT', 'debug=' + (process.env.RUNNER_DEBUG ?? '0') + os.EOL)
append('GITHUB_OUTPUT', 'cwd=' + process.cwd() + os.EOL)
append('GITHUB_STATE', 'config-dir=' + process.env.RUNNER_TEMP + '/docker-x' + os.EOL)
append('GITHUB_STATE', heredoc('note', 'a' + os.EOL + 'b'))
append('GITHUB_ENV', 'EXPORTED=yes' + os.EOL)
append('GITHUB_STEP_SUMMARY', '## Summary' + os.EOL + '| a | b |' + os.EOL)
fs.mkdirSync(process.env.HOME + '/.docker', { recursive: true })
fs.writeFileSync(process.env.HOME + '/.docker/config.json', '{"auths":{}}')
console.error('to stderr')
process.exitCode = input('image') === 'fail:me' ? 1 : 0
`

const POST = String.raw`
const fs = require('node:fs')
const os = require('node:os')
console.log('post sees ' + (process.env.STATE_note ?? 'nothing').replace(/\n/g, '+'))
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'state-dir=' + (process.env.STATE_CONFIG_DIR ?? process.env['STATE_config-dir'] ?? '') + os.EOL)
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'image=' + (process.env.INPUT_IMAGE ?? '') + os.EOL)
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'exported=' + (process.env.EXPORTED ?? '') + os.EOL)
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'home=' + process.env.HOME + os.EOL)
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'outputs-file-is-new=' + (fs.readFileSync(process.env.GITHUB_OUTPUT, 'utf8').includes('multi<<') ? 'no' : 'yes') + os.EOL)
`

let dist: string

beforeAll(() => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-fake-dist-'))
  fs.mkdirSync(path.join(dist, 'post'))
  fs.writeFileSync(path.join(dist, 'index.js'), MAIN)
  fs.writeFileSync(path.join(dist, 'post', 'index.js'), POST)
})

afterAll(() => {
  cleanup()
  fs.rmSync(dist, { recursive: true, force: true })
})

describe('action.yml reader', () => {
  it('reads names, required and defaults of the real action.yml', () => {
    const inputs = actionInputs()
    const byName = new Map(inputs.map((i) => [i.name, i]))
    expect(byName.get('repository')).toEqual({ name: 'repository', required: true, default: undefined })
    // Not required since push: false needs none (issue 12); the action says when it is missing.
    expect(byName.get('image')).toEqual({ name: 'image', required: false, default: '' })
    expect(byName.get('push')?.default).toBe('true')
    expect(byName.get('tags')?.default).toBe('${{ github.sha }}')
    expect(byName.get('role-duration-seconds')?.default).toBe('3600')
    expect(byName.get('role-to-assume')?.default).toBe('')
    expect(byName.get('audience')?.default).toBe('sts.amazonaws.com')
    expect(byName.get('sarif-file')?.default).toBe('ecr-scan.sarif')
    expect(inputs.some((i) => i.name === 'registry' || i.name === 'description')).toBe(false)
  })

  it('handles quotes, comments and stops at the next top-level key', () => {
    const yml = [
      'name: x',
      'inputs:',
      '  # a comment',
      '  plain:',
      '    description: a: b',
      '    default: hello # trailing',
      '  single:',
      "    default: 'it''s'",
      '  double:',
      '    default: "a\\tb"',
      '  needed:',
      '    required: true',
      'outputs:',
      '  out:',
      '    description: not an input',
    ].join('\n')
    expect(parseActionInputs(yml)).toEqual([
      { name: 'plain', required: false, default: 'hello' },
      { name: 'single', required: false, default: "it's" },
      { name: 'double', required: false, default: 'a\tb' },
      { name: 'needed', required: true, default: undefined },
    ])
  })

  it('names the env like the runner and evaluates github.* defaults', () => {
    expect(inputEnvName('role-to-assume')).toBe('INPUT_ROLE-TO-ASSUME')
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT')
    expect(evaluateDefault('${{ github.sha }}', { GITHUB_SHA: 'abc' })).toBe('abc')
    expect(() => evaluateDefault('${{ secrets.X }}', {})).toThrow(/secrets\.X/)
  })
})

describe('file and workflow command parsers', () => {
  it('parses k=v and heredocs, CRLF included', () => {
    expect(parseKeyValueFile('a=1\r\nb<<EOF\r\nx\r\ny=z\r\nEOF\r\nc==2\n')).toEqual({
      a: '1',
      b: 'x\ny=z',
      c: '=2',
    })
    expect(() => parseKeyValueFile('b<<EOF\nnever closed\n')).toThrow(/not closed/)
  })

  it('parses commands with properties and escapes', () => {
    expect(parseWorkflowCommands('x\n::error file=a.ts,line=1::m%0An\n::add-mask::p\n')).toEqual([
      { command: 'error', props: { file: 'a.ts', line: '1' }, message: 'm\nn' },
      { command: 'add-mask', props: {}, message: 'p' },
    ])
  })
})

describe('runAction / runPost', () => {
  it('passes inputs with defaults and a clean env, and parses what the step wrote', async () => {
    process.env['AWS_SECRET_ACCESS_KEY'] = 'leaked-from-parent'
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'leaked-too'
    try {
      const r = await runAction({
        dist,
        inputs: { image: 'widget:ci', repository: 'acme/widget', 'severity-threshold': 'critical' },
        env: { AWS_REGION: 'eu-west-1' },
        debug: true,
      })
      expect(r.code, r.stderr).toBe(0)
      expect(r.env['GITHUB_SHA']).toMatch(/^[0-9a-f]{40}$/)
      expect(r.outputs).toMatchObject({
        image: 'widget:ci',
        multi: 'line one\nline=two',
        tags: r.env['GITHUB_SHA'],
        threshold: 'critical',
        duration: '3600',
        region: '|eu-west-1',
        'aws-secret': 'none',
        'actions-token': 'none',
        debug: '1',
        cwd: r.dirs.workspace,
      })
      expect(r.state).toEqual({ 'config-dir': `${r.dirs.runnerTemp}/docker-x`, note: 'a\nb' })
      expect(r.exportedEnv).toEqual({ EXPORTED: 'yes' })
      expect(r.summary).toBe('## Summary\n| a | b |\n')
      expect(r.masks).toEqual(['s3cr3t-acme/widget'])
      expect(r.warnings).toEqual(['careful\nnext line'])
      expect(r.errors).toEqual(['broken'])
      expect(r.notices).toEqual(['fyi'])
      expect(r.debug).toEqual(['debugging % done'])
      expect(r.commands.find((c) => c.command === 'error')?.props).toEqual({
        file: 'src/a.ts',
        line: '3',
        title: 'a,b:c',
      })
      expect(r.commands.map((c) => c.command)).toContain('group')
      expect(r.stderr).toContain('to stderr')
      // The log masks only what comes after ::add-mask::, exactly like the runner.
      expect(r.log).toContain('before mask s3cr3t-acme/widget')
      expect(r.log).toContain('after mask ***')
      expect(r.log).toContain('to stderr')
      expect(fs.readFileSync(path.join(r.dirs.home, '.docker', 'config.json'), 'utf8')).toBe('{"auths":{}}')
      expect(r.durationMs).toBeGreaterThan(0)

      const post = await runPost(r)
      expect(post.code, post.stderr).toBe(0)
      expect(post.stdout).toContain('post sees a+b')
      expect(post.outputs).toEqual({
        'state-dir': `${r.dirs.runnerTemp}/docker-x`,
        image: 'widget:ci',
        exported: 'yes',
        home: r.dirs.home,
        'outputs-file-is-new': 'yes',
      })
    } finally {
      delete process.env['AWS_SECRET_ACCESS_KEY']
      delete process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']
    }
  })

  it('reports a failing step and refuses undeclared inputs', async () => {
    const r = await runAction({ dist, inputs: { image: 'fail:me', repository: 'r', tags: 'a,b' } })
    expect(r.code).toBe(1)
    expect(r.outputs['tags']).toBe('a,b')
    await expect(
      runAction({ dist, inputs: { image: 'x', repository: 'r', 'no-such-input': '1' } }),
    ).rejects.toThrow(/no-such-input/)
  })

  it('kills a step that runs past timeoutMs', async () => {
    const slow = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-slow-dist-'))
    try {
      fs.writeFileSync(path.join(slow, 'index.js'), 'setTimeout(() => {}, 60_000)\n')
      const r = await runAction({ dist: slow, inputs: { image: 'x', repository: 'r' }, timeoutMs: 300 })
      expect(r.timedOut).toBe(true)
      expect(r.code).not.toBe(0)
    } finally {
      fs.rmSync(slow, { recursive: true, force: true })
    }
  })

  it('runs another action from its directory: action.yml inputs and runs.main / runs.post', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-other-action-'))
    try {
      fs.mkdirSync(path.join(dir, 'dist', 'cleanup'), { recursive: true })
      fs.writeFileSync(
        path.join(dir, 'action.yml'),
        "name: other\ninputs:\n  greeting:\n    default: 'hi'\nruns:\n  using: node24\n  main: 'dist/index.js'\n  post: dist/cleanup/index.js\n",
      )
      fs.writeFileSync(
        path.join(dir, 'dist', 'index.js'),
        "require('node:fs').appendFileSync(process.env.GITHUB_STATE, 'said=' + process.env.INPUT_GREETING + '\\n')\n",
      )
      fs.writeFileSync(
        path.join(dir, 'dist', 'cleanup', 'index.js'),
        "console.log('post saw ' + process.env.STATE_said)\n",
      )
      expect(parseActionRuns(fs.readFileSync(path.join(dir, 'action.yml'), 'utf8'))).toEqual({
        main: 'dist/index.js',
        post: 'dist/cleanup/index.js',
      })
      const r = await runAction({ actionDir: dir, inputs: {} })
      expect(r.code, r.log).toBe(0)
      expect(r.state).toEqual({ said: 'hi' })
      const post = await runPost(r)
      expect(post.log.trim()).toBe('post saw hi')
      expect(() => parseActionRuns('runs:\n  using: docker\n')).toThrow(/no runs.main/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
