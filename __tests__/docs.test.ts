// The README's input and output tables are action.yml's (scripts/docs.ts writes them; this test and
// `npm run docs:check` fail when they drift), and the generator itself.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, actionFields, inputTables, outputTable, renderReadme } from '../scripts/docs.ts'

const yml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')

describe('README tables', () => {
  it('are what action.yml says (run npm run docs when this fails)', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    expect(await renderReadme(readme, yml)).toBe(readme)
  })

  it('have a row for every input and output, kms-key and scan-coverage included', () => {
    const { inputs, outputs } = actionFields(yml)
    const tables = inputTables(inputs) + outputTable(outputs)
    for (const f of [...inputs, ...outputs]) expect(tables).toContain(`| \`${f.name}\` |`)
    expect(inputs.map((f) => f.name)).toContain('kms-key')
    expect(outputs.map((f) => f.name)).toContain('scan-coverage')
  })
})

describe('the generator', () => {
  const sample = `
inputs:
  # --- First ---
  a:
    description: >-
      Folded over
      two lines, with a | pipe and <angle> outside \`<code>\`.
    required: true
  b:
    description: Plain.
    default: x
  # --- Second ---
  c:
    description: Empty default.
    default: ''
outputs:
  o:
    description: Out.
`

  it('groups inputs by their section comments, with required, defaults and escaped cells', () => {
    const { inputs, outputs } = actionFields(sample)
    expect(inputs.map((f) => [f.name, f.section])).toEqual([
      ['a', 'First'],
      ['b', 'First'],
      ['c', 'Second'],
    ])
    expect(inputTables(inputs).split('\n')).toEqual([
      '### First',
      '',
      '| input | default | meaning |',
      '| --- | --- | --- |',
      '| `a` | required | Folded over two lines, with a \\| pipe and \\<angle> outside `<code>`. |',
      '| `b` | `x` | Plain. |',
      '',
      '### Second',
      '',
      '| input | default | meaning |',
      '| --- | --- | --- |',
      '| `c` | – | Empty default. |',
    ])
    expect(outputTable(outputs)).toBe('| output | meaning |\n| --- | --- |\n| `o` | Out. |')
  })

  it('refuses a README without its markers, and an entry without a description', async () => {
    await expect(renderReadme('# no markers\n', yml)).rejects.toThrow(/markers/)
    expect(() => actionFields('inputs:\n  a:\n    required: true\noutputs: {}\n')).toThrow(/no description/)
  })
})
