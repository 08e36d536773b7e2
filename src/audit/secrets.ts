/**
 * Credentials left in an image's metadata: history commands, build args, env values, labels.
 * Pure: no I/O. The caller hands in `onFound`, which masks each value the moment it is found.
 *
 * Two kinds of rules:
 * - shape rules (AWS key IDs, AWS secret keys next to their name, private key blocks, GitHub
 *   tokens): a string in a credential's exact shape is reported even when it reads like an example
 *   (AWS's documented AKIAIOSFODNN7EXAMPLE is reported): a scanner cannot tell a pasted example from
 *   a real key, and either one in an image means credentials were handled in the build.
 * - assignment rules (`*_TOKEN=`, `*_SECRET=`, `*PASSWORD*=`, `*_KEY=`, URL user:password@): only
 *   values that are not placeholders, variable references, booleans, paths or short (< 8 chars).
 */
import { createHash } from 'node:crypto'

export type SecretRule =
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'private-key'
  | 'github-token'
  | 'url-password'
  | 'assignment'

export interface SecretHit {
  rule: SecretRule
  /** The credential in clear: never log or write it. */
  value: string
  /** Where it was found, e.g. `history #3 (RUN)`, `env NPM_TOKEN`. */
  where: string
  /** Name it was assigned to, for assignment rules. */
  name?: string
}

/** What the reports hold instead of the value. */
export interface RedactedSecret {
  rule: SecretRule
  /** e.g. `AKIA…(20 chars)`. */
  redacted: string
  /** First 8 hex of the value's sha256: lets a user match it with a known credential. */
  fingerprint: string
  name?: string
  where: string[]
}

const AWS_KEY_ID = /(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])/g
const AWS_SECRET =
  /aws[_.-]?secret[_.-]?access[_.-]?key["']?\s*(?:=|:|\s)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi
const PRIVATE_KEY =
  /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|$)/g
const GITHUB_TOKEN =
  /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s@/'"]+)@[^\s/'"]/gi
/** NAME=value, NAME: value, NAME value (flags like --password value are covered by NAME). */
const ASSIGNMENT =
  /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?:=|:[ \t]|[ \t](?=["']))[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s"';&|)<>]+)/g
/** --password value, --token=value. */
const FLAG =
  /(?<![A-Za-z0-9_-])--([A-Za-z][A-Za-z0-9-]*)(?:=|[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s"';&|)<>-][^\s"';&|)<>]*)/g

/** Does a variable / label / flag name announce a credential? */
export function isSecretName(name: string): boolean {
  const n = name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  if (/(^|_)(GPG|PGP|PUBLIC|PUB|SSH_HOST)_KEY$/.test(n) || /KEYRING|KEYSERVER|KEY_?ID$/.test(n)) return false
  if (/PASSWORD|PASSWD/.test(n)) return true
  if (n === 'SECRET_KEY_BASE') return true
  return /(^|_)(TOKEN|SECRET|KEY|APIKEY|ACCESSKEY|SECRETKEY)$/.test(n) && n !== 'KEY'
}

const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'change_me',
  'change-me',
  'changeit',
  'password',
  'passwd',
  'secret',
  'token',
  'example',
  'dummy',
  'test',
  'testing',
  'placeholder',
  'redacted',
  'fake',
  'sample',
  'default',
  'none',
  'null',
  'nil',
  'undefined',
  'unset',
  'notset',
  'empty',
  'todo',
  'tbd',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
])

function unquote(value: string): string {
  const v = value.trim()
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) return v.slice(1, -1)
  return v
}

/** Values that are clearly not a credential: references, placeholders, booleans, paths, short. */
export function isPlaceholder(raw: string): boolean {
  const v = unquote(raw)
  if (v.length < 8) return true
  if (/\$[{(A-Za-z_]/.test(v) || v.startsWith('$')) return true // $TOKEN, ${SECRET}, $(cat …)
  if (/^<[^>]*>$|^\{\{.*\}\}$|^%[^%]+%$|^\[[^\]]*\]$/.test(v)) return true // <your-token>, {{ x }}
  const lower = v.toLowerCase()
  if (PLACEHOLDER_WORDS.has(lower)) return true
  if (/^(?:your|my|some|insert|enter|replace)[-_ ]/.test(lower)) return true
  if (
    /x{3,}|\*{3,}|\.{3}|changeme|change[-_]me|placeholder|dummy|example|redacted|not[-_]?a[-_]?secret/.test(
      lower,
    )
  ) {
    return true
  }
  if (/^(.)\1*$/.test(v) || new Set(v).size < 4) return true // aaaaaaaa, 12121212
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(v)) return true // a path to a secret, not the secret
  if (/^https?:\/\/[^@\s]*$/.test(v)) return true // a URL without credentials
  if (/^\d+$/.test(v) && v.length < 12) return true // a port, a count
  return false
}

/** Shape values that are too regular to be real (a row of x's in the AWS secret key's place). */
function lowEntropy(v: string): boolean {
  return new Set(v).size < 6
}

/** Every credential in one piece of text. `onFound` runs for each, before anything else sees it. */
export function scanText(
  text: string,
  where: string,
  onFound: (hit: SecretHit) => void = () => {},
): SecretHit[] {
  const hits: SecretHit[] = []
  const taken: [number, number][] = []
  const add = (hit: SecretHit, start: number, end: number): void => {
    if (taken.some(([s, e]) => start < e && end > s)) return
    taken.push([start, end])
    onFound(hit)
    hits.push(hit)
  }
  for (const m of text.matchAll(PRIVATE_KEY)) {
    add({ rule: 'private-key', value: m[0].trimEnd(), where }, m.index, m.index + m[0].length)
  }
  for (const m of text.matchAll(AWS_KEY_ID)) {
    const v = m[1] as string
    if (!lowEntropy(v.slice(4)))
      add({ rule: 'aws-access-key-id', value: v, where }, m.index, m.index + m[0].length)
  }
  for (const m of text.matchAll(AWS_SECRET)) {
    const v = m[1] as string
    const start = m.index + m[0].length - v.length
    if (!lowEntropy(v)) add({ rule: 'aws-secret-access-key', value: v, where }, start, start + v.length)
  }
  for (const m of text.matchAll(GITHUB_TOKEN)) {
    const v = m[1] as string
    if (!lowEntropy(v.slice(v.indexOf('_') + 1))) {
      add({ rule: 'github-token', value: v, where }, m.index, m.index + v.length)
    }
  }
  for (const m of text.matchAll(URL_PASSWORD)) {
    const v = m[1] as string
    const start = m.index + m[0].indexOf(`:${v}@`) + 1
    if (!isPlaceholder(v)) add({ rule: 'url-password', value: v, where }, start, start + v.length)
  }
  for (const m of [...text.matchAll(ASSIGNMENT), ...text.matchAll(FLAG)]) {
    const name = m[1] as string
    const raw = m[2] as string
    if (!isSecretName(name) || isPlaceholder(raw)) continue
    const value = unquote(raw)
    const start = m.index + m[0].length - raw.length + (raw.length - value.length) / 2
    add({ rule: 'assignment', value, where, name }, Math.floor(start), Math.floor(start) + value.length)
  }
  return hits
}

/** A `NAME=value` pair taken apart already (env, label, build arg): the name is known. */
export function scanPair(
  name: string,
  value: string,
  where: string,
  onFound: (hit: SecretHit) => void = () => {},
): SecretHit[] {
  const hits = scanText(value, where, onFound)
  if (hits.length === 0 && isSecretName(name) && !isPlaceholder(value)) {
    const hit: SecretHit = { rule: 'assignment', value: unquote(value), where, name }
    onFound(hit)
    hits.push(hit)
  }
  return hits
}

/** The lines of a value to hand to `core.setSecret` (the runner masks line by line). */
export function maskParts(value: string): string[] {
  const lines = value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 4 && !/^-----(BEGIN|END) /.test(l))
  return [...new Set(value.includes('\n') ? lines : [value])]
}

export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8)
}

/** `AKIA…(20 chars)`: the first characters only where they are a public prefix. */
export function redact(hit: Pick<SecretHit, 'rule' | 'value'>): string {
  const n = hit.value.length
  switch (hit.rule) {
    case 'aws-access-key-id':
      return `${hit.value.slice(0, 4)}…(${n} chars)`
    case 'github-token':
      return `${hit.value.startsWith('github_pat_') ? 'github_pat_' : hit.value.slice(0, 4)}…(${n} chars)`
    case 'private-key': {
      const kind = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)/.exec(hit.value)?.[1] ?? 'PRIVATE KEY'
      return `-----BEGIN ${kind}-----…(${n} chars)`
    }
    default:
      return `…(${n} chars)`
  }
}

/** Distinct secrets (by value), each with every place it was seen. */
export function summarize(hits: readonly SecretHit[]): RedactedSecret[] {
  const byValue = new Map<string, RedactedSecret>()
  for (const hit of hits) {
    let s = byValue.get(hit.value)
    if (!s) {
      s = { rule: hit.rule, redacted: redact(hit), fingerprint: fingerprint(hit.value), where: [] }
      if (hit.name !== undefined) s.name = hit.name
      byValue.set(hit.value, s)
    }
    if (!s.where.includes(hit.where)) s.where.push(hit.where)
  }
  return [...byValue.values()]
}

/** Replaces every found value in a text with its redacted form (longest first). */
export function redactText(text: string, hits: readonly SecretHit[]): string {
  let out = text
  const sorted = [...new Map(hits.map((h) => [h.value, h])).values()].sort(
    (a, b) => b.value.length - a.value.length,
  )
  for (const hit of sorted) {
    if (hit.value === '') continue
    out = out.split(hit.value).join(`[secret ${redact(hit)} sha256:${fingerprint(hit.value)}]`)
    // A private key block may be shown line by line; redact its body lines too.
    for (const part of hit.value.includes('\n') ? maskParts(hit.value) : [])
      out = out.split(part).join('[redacted]')
  }
  return out
}
