// Point 8 of issue 9, for every new path: with RUNNER_DEBUG=1 no secret outside ::add-mask::, and
// no credential left in any file once a step is over. Used by the end-to-end tests of faults,
// cancellation and hostile input.
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import type { RunResult } from './testbed/runner.ts'

/** Every file under `dir` (links not followed). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : []
  })
}

/** The secrets the run masked (the ECR token, its password, the session keys, the OIDC token). */
export const secretsOf = (r: RunResult): string[] => r.masks.filter((m) => m.length >= 16)

/** No file under RUNNER_TEMP or HOME holds any of the run's secrets. */
export function expectNoCredentialFile(r: RunResult): void {
  for (const file of [...filesUnder(r.dirs.runnerTemp), ...filesUnder(r.dirs.home)]) {
    const text = fs.readFileSync(file, 'utf8')
    for (const s of secretsOf(r)) expect(text.includes(s), `${file} holds a secret`).toBe(false)
  }
}

/** Every secret masked before any other line shows it: outside ::add-mask:: lines, none is left. */
export function expectNoSecretOutsideMasks(r: RunResult): void {
  const outside = r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
  for (const s of secretsOf(r)) {
    expect(outside.includes(s), 'a secret in the log').toBe(false)
    expect(r.stderr.includes(s), 'a secret on stderr').toBe(false)
  }
}
