// The bundle's budget (issue 10): dist/ (main + post) at most 2.5 MB, and the post step ships only
// what it needs (its own small file, no chunk shared with the main step).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from './testbed/runner.ts'

const DIST = path.join(REPO_ROOT, 'dist')

function bytes(dir: string): number {
  let total = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    total += e.isDirectory() ? bytes(p) : fs.statSync(p).size
  }
  return total
}

describe('dist/', () => {
  it('is at most 2.5 MB, main and post together', () => {
    expect(bytes(DIST)).toBeLessThanOrEqual(2_500_000)
  })

  it('the post step is one small file that loads no chunk', () => {
    const post = path.join(DIST, 'post')
    expect(fs.readdirSync(post).sort()).toEqual(['index.js', 'package.json'])
    expect(fs.statSync(path.join(post, 'index.js')).size).toBeLessThan(200_000)
  })
})
