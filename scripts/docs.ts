// The README's input and output tables, written from action.yml (name, default, description), so
// the two cannot drift. The inputs are grouped by action.yml's `# --- Section ---` comments.
//
//   npm run docs         rewrites the tables between the <!-- …:start/end --> markers in README.md
//   npm run docs:check   exits 1, saying what to run, when README.md is not what action.yml says
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface ActionField {
  name: string
  description: string
  /** As written; undefined when there is none. */
  default?: string
  required: boolean
  /** The `# --- Section ---` comment it comes under (inputs). */
  section?: string
}

function sectionOf(comment: string | null | undefined): string | undefined {
  const m = /---\s*([^-\n][^\n]*?)\s*-{3,}/.exec(comment ?? '')
  return m?.[1]
}

function fields(map: unknown, where: string): ActionField[] {
  if (!isMap(map)) throw new Error(`action.yml: '${where}' is not a map`)
  let section = sectionOf((map as YAMLMap).commentBefore)
  return map.items.map((pair) => {
    if (!isScalar(pair.key) || !isMap(pair.value)) throw new Error(`action.yml: odd entry under '${where}'`)
    section = sectionOf(pair.key.commentBefore) ?? section
    const name = String(pair.key.value)
    const value = pair.value.toJSON() as { description?: unknown; default?: unknown; required?: unknown }
    if (typeof value.description !== 'string' || value.description.trim() === '') {
      throw new Error(`action.yml: ${where}.${name} has no description`)
    }
    const field: ActionField = {
      name,
      description: value.description.trim(),
      required: value.required === true,
    }
    if (value.default !== undefined) field.default = String(value.default)
    if (section !== undefined) field.section = section
    return field
  })
}

export function actionFields(yml: string): { inputs: ActionField[]; outputs: ActionField[] } {
  const doc = parseDocument(yml)
  return { inputs: fields(doc.get('inputs'), 'inputs'), outputs: fields(doc.get('outputs'), 'outputs') }
}

/**
 * Text for a table cell: one line, pipes escaped; outside `code`, `<` too (GitHub would take
 * `<registry>` for an HTML tag and drop it).
 */
function cell(s: string): string {
  return s
    .replace(/\s*\n\s*/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '\\<') : part))
    .join('`')
    .replace(/\|/g, '\\|')
}

function defaultCell(f: ActionField): string {
  if (f.required) return 'required'
  if (f.default === undefined || f.default === '') return '–'
  return `\`${cell(f.default)}\``
}

export function inputTables(inputs: ActionField[]): string {
  const out: string[] = []
  let section: string | undefined
  for (const f of inputs) {
    if (f.section !== section || out.length === 0) {
      section = f.section
      if (out.length > 0) out.push('')
      if (section !== undefined) out.push(`### ${section}`, '')
      out.push('| input | default | meaning |', '| --- | --- | --- |')
    }
    out.push(`| \`${f.name}\` | ${defaultCell(f)} | ${cell(f.description)} |`)
  }
  return out.join('\n')
}

export function outputTable(outputs: ActionField[]): string {
  const rows = outputs.map((f) => `| \`${f.name}\` | ${cell(f.description)} |`)
  return ['| output | meaning |', '| --- | --- |', ...rows].join('\n')
}

/** Replaces what is between `<!-- name:start -->` and `<!-- name:end -->`. */
function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start (npm run docs writes this from action.yml) -->`
  const end = `<!-- ${name}:end -->`
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  if (i < 0 || j < i) throw new Error(`README.md: the markers '${start}' … '${end}' are missing`)
  return `${text.slice(0, i + start.length)}\n\n${body}\n\n${text.slice(j)}`
}

/** The README as action.yml says it should be (formatted as prettier formats it). */
export async function renderReadme(readme: string, yml: string): Promise<string> {
  const { inputs, outputs } = actionFields(yml)
  let text = replaceBlock(readme, 'inputs', inputTables(inputs))
  text = replaceBlock(text, 'outputs', outputTable(outputs))
  const options = (await prettier.resolveConfig(path.join(ROOT, 'README.md'))) ?? {}
  return prettier.format(text, { ...options, parser: 'markdown' })
}

async function main(): Promise<void> {
  const readmeFile = path.join(ROOT, 'README.md')
  const readme = fs.readFileSync(readmeFile, 'utf8')
  const want = await renderReadme(readme, fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))
  if (process.argv.includes('--check')) {
    if (want !== readme) {
      console.error(
        "README.md's input/output tables differ from action.yml: run 'npm run docs' and commit README.md.",
      )
      process.exitCode = 1
    } else console.log('README.md matches action.yml')
    return
  }
  if (want !== readme) fs.writeFileSync(readmeFile, want)
  console.log(
    want === readme ? 'README.md already matches action.yml' : 'README.md: tables written from action.yml',
  )
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
