// Golden files: expected output kept in __tests__/golden/<name>, compared byte for byte.
// `UPDATE_GOLDEN=1 npx vitest run <test file>` rewrites them; review the diff before committing.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

export const GOLDEN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden')

export function expectGolden(name: string, actual: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`golden: bad name ${name}`)
  const file = path.join(GOLDEN_DIR, name)
  if (process.env['UPDATE_GOLDEN'] === '1') {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true })
    fs.writeFileSync(file, actual)
    return
  }
  if (!fs.existsSync(file)) {
    throw new Error(
      `golden file ${path.relative(process.cwd(), file)} is missing: run with UPDATE_GOLDEN=1 to write it`,
    )
  }
  expect(actual, `differs from ${path.relative(process.cwd(), file)} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    fs.readFileSync(file, 'utf8'),
  )
}
