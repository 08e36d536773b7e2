// One version: package.json's. src/version.ts exports it, and the SARIF the bundled action writes
// names it as its driver version (run through dist/ as the runner runs it, against the test bed).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VERSION } from '../src/version.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './testbed/emulator/ecr/scan.ts'
import type { RepositoryRecord } from './testbed/emulator/index.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }

describe('version', () => {
  it('src/version.ts is package.json version, a semantic version', () => {
    expect(VERSION).toBe(pkg.version)
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/)
  })
})

describe('SARIF driver version from the bundled action', () => {
  let tb: Testbed

  beforeAll(async () => {
    tb = await startTestbed()
  })

  afterAll(async () => {
    expect(tb?.emulator.internalErrors ?? []).toEqual([])
    await tb?.close()
  })

  it('equals package.json version', async () => {
    setRegistryScanning(tb.emulator, {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
        },
      ],
    })
    const repo = tb.emulator.state.repositories.find((r) => r.name === tb.repository) as RepositoryRecord
    setScanScenario(repo, {
      enhancedFindings: [
        enhancedFinding({
          id: 'CVE-2024-0101',
          severity: 'HIGH',
          package: 'zlib',
          version: '1.2.11',
          score: 7.5,
        }),
      ],
    })
    const r = await tb.run({
      inputs: {
        image: await tb.image(),
        'wait-for-scan': 'true',
        // A blocking finding fails fast (a pass would wait out the 60 s fill-in floor): the SARIF
        // is written either way.
        'scan-timeout-seconds': '120',
        'scan-settle-seconds': '2',
        'severity-threshold': 'HIGH',
        audit: 'false',
      },
    })
    expect(r.code, r.log).toBe(1)
    expect(r.outputs.gate).toBe('failed')
    const sarif = JSON.parse(fs.readFileSync(r.outputs['sarif-file'] as string, 'utf8'))
    expect(sarif.runs[0].tool.driver.name).toBe('ecr-supply-chain')
    expect(sarif.runs[0].tool.driver.version).toBe(pkg.version)
  })
})
