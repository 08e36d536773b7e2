/**
 * The runner's side of an action, written to GitHub's documented protocol: workflow commands on
 * stdout (`::name key=value::message`), environment files for outputs and state (GITHUB_OUTPUT,
 * GITHUB_STATE, appended as `name<<delimiter` blocks), the job summary file (GITHUB_STEP_SUMMARY)
 * and the OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN).
 *
 * Why not @actions/core: its public entry point loads its OIDC client, @actions/http-client and
 * undici (0.93 MB of bundle) on every start, though only the token request needs HTTP. Measured
 * (cold start of dist/index.js, which exits at the input check; medians of 31): the public entry
 * point 98 ms, 2.7x bare node (over the 1.8x budget); loading it lazily cannot help, since the
 * first thing a failing run does is write an error annotation; this module 53 ms, 1.4x. It is
 * the small part of the protocol a run needs, and the bundle is 1 MB smaller.
 *
 * Every sink here neutralises what it writes (neutralise.ts): log lines, command messages and
 * properties, output values and the summary. No caller can forget it, and hostile text from an
 * image or a registry can never become a workflow command, an ANSI sequence or a spoofed line.
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { EOL } from 'node:os'
import { noAnswerText, proxyAgentOptions, RESPONSE_TIMEOUT_MS } from './network.js'
import {
  commandData,
  commandProperty,
  fileCommandValue,
  logLine,
  logText,
  summaryDocument,
} from './neutralise.js'

export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

/** A command's message: `%`, CR and LF escaped, as the runner unescapes them. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A command property's value: also `:` and `,`, which separate properties. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** Any value as the text a command carries: strings as they are, anything else as JSON. */
function commandValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * Writes `::name key=value,…::message` on a line of its own; message and properties neutralised
 * (`raw`: the message is written as given, for add-mask, whose value must match the log exactly).
 */
export function issueCommand(
  name: string,
  properties: Record<string, string | number>,
  message: string,
  raw = false,
): void {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(commandProperty(String(v)))}`)
    .join(',')
  const data = escapeData(raw ? message : commandData(message))
  process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${data}${EOL}`)
}

/** Appends `name<<delimiter` … `delimiter` to an environment file; the delimiter is random. */
function appendKeyValue(file: string, name: string, value: unknown): void {
  const text = fileCommandValue(commandValue(value))
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (name.includes(delimiter) || text.includes(delimiter)) {
    throw new Error(`Unexpected input: the name or value of '${name}' contains the delimiter ${delimiter}`)
  }
  appendFileSync(file, `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}${EOL}`, 'utf8')
}

/**
 * Masks a secret in every later log line. A secret holding characters the log sinks escape is
 * masked in its escaped form too, since that is what a log line would show.
 */
export function setSecret(secret: string): void {
  if (secret === '') return
  issueCommand('add-mask', {}, secret, true)
  const shown = logLine(secret)
  if (shown !== secret) issueCommand('add-mask', {}, shown, true)
}

export function setOutput(name: string, value: unknown): void {
  const file = process.env.GITHUB_OUTPUT
  if (file) return appendKeyValue(file, name, value)
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, fileCommandValue(commandValue(value)))
}

export function saveState(name: string, value: unknown): void {
  const file = process.env.GITHUB_STATE
  if (file) return appendKeyValue(file, name, value)
  issueCommand('save-state', { name }, commandValue(value))
}

/** What the main step saved, read in the post step. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? ''
}

export function isDebug(): boolean {
  return process.env.RUNNER_DEBUG === '1'
}

export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

/** A log line (or lines): neutralised, so nothing in it can start a command. */
export function info(message: string): void {
  process.stdout.write(logText(message) + EOL)
}

function annotate(
  level: 'error' | 'warning' | 'notice',
  message: string | Error,
  p: AnnotationProperties,
): void {
  const props: Record<string, string | number> = {}
  if (p.title !== undefined) props.title = p.title
  if (p.file !== undefined) props.file = p.file
  if (p.startLine !== undefined) props.line = p.startLine
  if (p.endLine !== undefined) props.endLine = p.endLine
  if (p.startColumn !== undefined) props.col = p.startColumn
  if (p.endColumn !== undefined) props.endColumn = p.endColumn
  issueCommand(level, props, message instanceof Error ? message.toString() : message)
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('error', message, properties)
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('warning', message, properties)
}

export function notice(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('notice', message, properties)
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, name)
  try {
    return await fn()
  } finally {
    issueCommand('endgroup', {}, '')
  }
}

/** Appends markdown to the job summary. */
export async function appendSummary(markdown: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (!file) throw new Error('GITHUB_STEP_SUMMARY is not set: this runner does not support job summaries')
  const { appendFile } = await import('node:fs/promises')
  await appendFile(file, summaryDocument(markdown), 'utf8')
}

/**
 * A GitHub OIDC token for `audience`, masked before it is returned. One request: the caller
 * retries (with a fresh token each time). Honours HTTPS_PROXY / NO_PROXY like the runner's own
 * tools (Node's agents read them with `proxyEnv`).
 */
export async function getIDToken(audience: string): Promise<string> {
  const url = process.env.ACTIONS_ID_TOKEN_REQUEST_URL
  const token = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!url || !token)
    throw new Error('ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set')
  const target = new URL(audience ? `${url}&audience=${encodeURIComponent(audience)}` : url)
  const { status, body } = await getJson(target, { authorization: `Bearer ${token}` })
  if (status !== 200) {
    throw new Error(`the token endpoint answered HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`)
  }
  let value: unknown
  try {
    value = (JSON.parse(body) as { value?: unknown }).value
  } catch {
    value = undefined
  }
  if (typeof value !== 'string' || value === '')
    throw new Error('the token endpoint answered without a token')
  setSecret(value)
  return value
}

/**
 * One GET with deadlines that fire (network.ts): no byte for RESPONSE_TIMEOUT_MS (connecting,
 * waiting, or mid-body), or the whole exchange over twice that, ends it with a TimeoutError that
 * names the endpoint (never the query: the host is enough to act on).
 */
async function getJson(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const http = url.protocol === 'http:' ? await import('node:http') : await import('node:https')
  const agent = new http.Agent({ ...proxyAgentOptions(), keepAlive: false })
  const endpoint = `${url.protocol}//${url.host}`
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'GET',
        agent,
        headers: { accept: 'application/json', 'user-agent': 'ecr-supply-chain', ...headers },
        timeout: RESPONSE_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    const timedOut = (): void => {
      const text = noAnswerText('the GitHub OIDC token endpoint', endpoint, { name: 'TimeoutError' })
      req.destroy(Object.assign(new Error(text), { name: 'TimeoutError', code: 'ETIMEDOUT' }))
    }
    const overall = setTimeout(timedOut, 2 * RESPONSE_TIMEOUT_MS)
    req.on('timeout', timedOut)
    req.on('error', reject)
    req.on('close', () => clearTimeout(overall))
    req.end()
  })
}
