// src/core.ts speaks GitHub's runner protocol itself: workflow commands, environment files, the job
// summary, and the OIDC token request (through a proxy when the environment names one). The runner
// side is the test bed's parser (the same one the end-to-end tests read the action's output with).
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as core from '../src/core.ts'
import { parseKeyValueFile, parseWorkflowCommands } from './testbed/runner.ts'

const ENV_KEYS = [
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
]
let saved: Record<string, string | undefined>
let dir: string
let stdout: string
let restoreStdout: () => void

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]))
  for (const k of ENV_KEYS) delete process.env[k]
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-test-'))
  stdout = ''
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }) as typeof process.stdout.write
  restoreStdout = () => {
    process.stdout.write = write
  }
})

afterEach(() => {
  restoreStdout()
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('workflow commands', () => {
  it('escapes messages and properties so the runner reads back exactly what was meant', () => {
    core.error('50% done\nnext line\r', { title: 'a: b, c', file: 'Dockerfile', startLine: 3 })
    core.warning('plain')
    core.notice(new Error('boom'))
    core.setSecret('s3cr3t')
    core.setSecret('')
    core.debug('d')
    expect(parseWorkflowCommands(stdout)).toEqual([
      {
        command: 'error',
        props: { title: 'a: b, c', file: 'Dockerfile', line: '3' },
        // A lone CR would end the line for the runner: it comes back visibly escaped.
        message: '50% done\nnext line\\u000d',
      },
      { command: 'warning', props: {}, message: 'plain' },
      { command: 'notice', props: {}, message: 'Error: boom' },
      { command: 'add-mask', props: {}, message: 's3cr3t' },
      { command: 'debug', props: {}, message: 'd' },
    ])
  })

  it('groups, even when the work throws', async () => {
    await expect(
      core.group('G', () => {
        core.info('inside')
        return Promise.reject(new Error('x'))
      }),
    ).rejects.toThrow('x')
    expect(stdout.split(os.EOL)).toEqual(['::group::G', 'inside', '::endgroup::', ''])
  })
})

describe('environment files and the summary', () => {
  it('outputs and state go to their files as heredocs, multi-line values intact', async () => {
    process.env.GITHUB_OUTPUT = path.join(dir, 'output')
    process.env.GITHUB_STATE = path.join(dir, 'state')
    process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary')
    core.setOutput('findings', { HIGH: 1 })
    core.setOutput('multi', 'a\nb')
    core.saveState('private-config', '/tmp/x')
    await core.appendSummary('## one\n')
    await core.appendSummary('two\n')
    expect(parseKeyValueFile(fs.readFileSync(path.join(dir, 'output'), 'utf8'))).toEqual({
      findings: '{"HIGH":1}',
      multi: 'a\nb',
    })
    expect(parseKeyValueFile(fs.readFileSync(path.join(dir, 'state'), 'utf8'))).toEqual({
      'private-config': '/tmp/x',
    })
    expect(fs.readFileSync(path.join(dir, 'summary'), 'utf8')).toBe('## one\ntwo\n')
    expect(stdout).toBe('')
  })

  it('without the files: the old commands on stdout, and a summary error', async () => {
    core.setOutput('gate', 'passed')
    core.saveState('k', 'v')
    expect(parseWorkflowCommands(stdout)).toEqual([
      { command: 'set-output', props: { name: 'gate' }, message: 'passed' },
      { command: 'save-state', props: { name: 'k' }, message: 'v' },
    ])
    await expect(core.appendSummary('x')).rejects.toThrow(/GITHUB_STEP_SUMMARY is not set/)
  })
})

/** A token endpoint (and optionally a forward proxy in front of it) on 127.0.0.1. */
async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

describe('getIDToken', () => {
  const seen: { url: string; auth: string | undefined }[] = []
  const endpoint = (
    status = 200,
    body = '{"count":1,"value":"header.payload.sig"}',
  ): http.RequestListener => {
    return (req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization })
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    }
  }
  beforeEach(() => {
    seen.length = 0
  })

  it('asks with the request token and the audience, and masks the answer', async () => {
    const server = await listen(endpoint())
    try {
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${server.url}/token?api-version=2.0`
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'req-token'
      expect(await core.getIDToken('sts.amazonaws.com')).toBe('header.payload.sig')
      expect(seen).toEqual([
        { url: '/token?api-version=2.0&audience=sts.amazonaws.com', auth: 'Bearer req-token' },
      ])
      expect(parseWorkflowCommands(stdout)).toEqual([
        { command: 'add-mask', props: {}, message: 'header.payload.sig' },
      ])
    } finally {
      await server.close()
    }
  })

  it('goes through HTTP_PROXY when the environment names one', async () => {
    const server = await listen(endpoint())
    const proxied: string[] = []
    const proxy = await listen((req, res) => {
      proxied.push(req.url ?? '')
      const fwd = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      })
      req.pipe(fwd)
    })
    try {
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${server.url}/token?api-version=2.0`
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'req-token'
      process.env.HTTP_PROXY = proxy.url
      expect(await core.getIDToken('sts.amazonaws.com')).toBe('header.payload.sig')
      expect(proxied).toEqual([`${server.url}/token?api-version=2.0&audience=sts.amazonaws.com`])
    } finally {
      await proxy.close()
      await server.close()
    }
  })

  it('says what the endpoint answered when it refuses, and when it gives no token', async () => {
    for (const [status, body, message] of [
      [401, '{"message":"Bad credentials"}', /answered HTTP 401: \{"message":"Bad credentials"\}/],
      [200, '{"count":0}', /answered without a token/],
    ] as const) {
      const server = await listen(endpoint(status, body))
      try {
        process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${server.url}/token?api-version=2.0`
        process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'req-token'
        await expect(core.getIDToken('sts.amazonaws.com')).rejects.toThrow(message)
      } finally {
        await server.close()
      }
    }
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
    await expect(core.getIDToken('x')).rejects.toThrow(/ACTIONS_ID_TOKEN_REQUEST_URL/)
  })
})
