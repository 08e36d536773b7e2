// Golden files: `expectGolden('name.md', text)` compares text with __tests__/fixtures/golden/name.md.
// UPDATE_GOLDEN=1 npx vitest run … writes the files instead (then review the diff and commit it).
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'

export const GOLDEN_DIR = path.join(import.meta.dirname, 'fixtures', 'golden')

export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, actual)
    return
  }
  if (!fs.existsSync(file)) {
    throw new Error(
      `No golden file ${path.relative(process.cwd(), file)}: run with UPDATE_GOLDEN=1 to write it`,
    )
  }
  expect(actual, `differs from ${name} (UPDATE_GOLDEN=1 rewrites it)`).toBe(fs.readFileSync(file, 'utf8'))
}
