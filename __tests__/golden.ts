// Golden files for the report writers: expectGolden(name, text) compares `text` with
// __tests__/fixtures/golden/<name>; run with UPDATE_GOLDEN=1 to (re)write them, then review the diff.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'golden')

export function expectGolden(name: string, text: string): void {
  const file = path.join(DIR, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(DIR, { recursive: true })
    fs.writeFileSync(file, text)
    return
  }
  if (!fs.existsSync(file))
    throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run to write it`)
  expect(text, `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    fs.readFileSync(file, 'utf8'),
  )
}
