// The typed output map of src/outputs.ts is action.yml's outputs: same names, same order, same
// descriptions; and writeOutputs is what reaches the runner's GITHUB_OUTPUT file.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { OUTPUTS, isOutputName, pickOutputs, writeOutputs } from '../src/outputs.ts'
import { Report, SECTION_ORDER } from '../src/report.ts'
import { publish, stageResult } from '../src/stage.ts'
import { REPO_ROOT } from './testbed/runner.ts'

const action = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
  outputs: Record<string, { description: string }>
}

describe('the output map', () => {
  it('names every output of action.yml, in its order, with its description', () => {
    const fromYml = Object.entries(action.outputs).map(([name, o]) => [name, o.description.trim()])
    expect(Object.entries(OUTPUTS)).toEqual(fromYml)
  })

  it('pickOutputs refuses a name that is not an output', () => {
    expect(pickOutputs({ gate: 'passed' })).toEqual({ gate: 'passed' })
    expect(() => pickOutputs({ 'no-such-output': 'x' })).toThrow(/not an output/)
    expect(isOutputName('constructor')).toBe(false)
  })
})

describe('writeOutputs and publish', () => {
  const saved = process.env.GITHUB_OUTPUT
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_OUTPUT
    else process.env.GITHUB_OUTPUT = saved
  })

  it('writes each output to GITHUB_OUTPUT, and a result’s sections into the report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outputs-test-'))
    const file = path.join(dir, 'output')
    fs.writeFileSync(file, '')
    process.env.GITHUB_OUTPUT = file
    try {
      writeOutputs({ gate: 'passed', 'findings-total': '0' })
      const text = fs.readFileSync(file, 'utf8')
      expect(text).toMatch(/^gate<<(\S+)\npassed\n\1\nfindings-total<<(\S+)\n0\n\2\n$/)

      const report = new Report()
      publish(stageResult({ sections: { audit: 'C', verdict: 'A', push: 'B' } }), report)
      expect(report.markdown()).toBe('A\n\nB\n\nC\n')
      expect(SECTION_ORDER).toEqual(['verdict', 'push', 'gate', 'governance', 'audit'])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
