// The whole action process on 50,000 enhanced findings: dist/index.js run as the runner runs it
// (push, audit and the scan gate side by side) against the emulator and the real registry, the
// emulator answering 50 pages of 1,000 enhanced findings. Measured per run:
//   peak RSS     process.resourceUsage().maxRSS of the action's own process at exit (a preload
//                module writes it; docker's processes are not counted), target <= 300 MiB
//   after reads  from the last DescribeImageScanFindings page to the process's exit: verdict, SARIF,
//                summary, report and exit, target <= 5 s
// The gate fails fast (CRITICAL findings, scan-settle-seconds 0): one read pass, then the reports.
// Run alone: node __tests__/bench/step-bench.ts [runs]   (BENCH_FINDINGS=n for another count)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildImage, removeImage } from '../testbed/docker.ts'
import { enhancedFinding, setRegistryScanning, setScanScenario } from '../testbed/emulator/ecr/scan.ts'
import { pushPermissions, startEmulator } from '../testbed/emulator/index.ts'
import { startRegistry } from '../testbed/registry.ts'
import { cleanup, runAction } from '../testbed/runner.ts'

const COUNT = Number(process.env.BENCH_FINDINGS ?? 50_000)
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']

function findings(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < COUNT; i++) {
    out.push(
      enhancedFinding({
        id: `CVE-20${10 + (i % 15)}-${10000 + (i % 20000)}`,
        severity: SEVERITIES[i % SEVERITIES.length] as string,
        package: `p${i % 4000}`,
        version: `1.${i % 13}.0`,
        ...(i % 3 === 0 ? {} : { fixedIn: `${(i % 9) + 1}.${i % 7}.1` }),
        score: (i % 100) / 10,
        status: i % 50 === 0 ? 'SUPPRESSED' : 'ACTIVE',
        n: i,
      }),
    )
  }
  return out
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

/** Medians over `runs` whole-step runs: peak RSS (MiB), after-the-last-read (ms), whole step (ms). */
export async function benchGateStep(
  runs = 3,
): Promise<{ rssMiB: number; maxRssMiB: number; afterReadsMs: number; stepMs: number; findings: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'step-bench-'))
  const probe = path.join(dir, 'rss-probe.mjs')
  const rssFile = path.join(dir, 'rss')
  fs.writeFileSync(
    probe,
    `import fs from 'node:fs'\nprocess.on('exit', () => fs.writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\n`,
  )
  const image = await buildImage({ tag: 'ecr-sc-bench:gate', files: { 'hello.txt': 'bench\n' } })
  const registry = await startRegistry()
  const emulator = await startEmulator({ registry: { url: registry.url, password: registry.password } })
  const all = findings()
  const rss: number[] = []
  const after: number[] = []
  const step: number[] = []
  try {
    const roleArn = 'arn:aws:iam::123456789012:role/github-ecr-push'
    emulator.addRole({
      arn: roleArn,
      trust: { sub: 'repo:acme/widget:*' },
      permissions: pushPermissions('123456789012', 'acme/widget', { governance: true }),
    })
    const repo = emulator.createRepository({ name: 'acme/widget' })
    setRegistryScanning(emulator, {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }],
        },
      ],
    })
    setScanScenario(repo, { enhancedFindings: all })
    for (let i = 0; i < runs; i++) {
      emulator.clearCalls()
      fs.rmSync(rssFile, { force: true })
      const started = Date.now()
      const r = await runAction({
        inputs: {
          'role-to-assume': roleArn,
          'aws-region': 'us-east-1',
          image: image.tag,
          repository: 'acme/widget',
          tags: `bench-${i}`,
          'wait-for-scan': 'true',
          'scan-timeout-seconds': '300',
          'scan-settle-seconds': '0',
        },
        env: { ...emulator.env, NODE_OPTIONS: `--import=${probe}` },
        timeoutMs: 300_000,
      })
      const exitAt = started + r.durationMs
      if (r.outputs.gate !== 'failed' || r.outputs['findings-total'] === undefined)
        throw new Error(`bench run did not decide on the findings:\n${r.log.slice(-4000)}`)
      const reads = emulator.callsFor('ecr', 'DescribeImageScanFindings')
      const last = reads[reads.length - 1]
      if (!last) throw new Error('no DescribeImageScanFindings call')
      rss.push(Number(fs.readFileSync(rssFile, 'utf8')) / 1024)
      after.push(exitAt - last.at.getTime())
      step.push(r.durationMs)
      cleanup(r)
    }
  } finally {
    await emulator.close()
    await registry.stop()
    await removeImage(image.tag)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return {
    findings: COUNT,
    rssMiB: Math.round(median(rss)),
    maxRssMiB: Math.round(Math.max(...rss)),
    afterReadsMs: Math.round(median(after)),
    stepMs: Math.round(median(step)),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 3)
  const r = await benchGateStep(runs)
  console.log(
    `whole step, ${r.findings} enhanced findings (median of ${runs}): peak RSS ${r.rssMiB} MiB (worst ${r.maxRssMiB}), last read -> exit ${r.afterReadsMs} ms, step ${r.stepMs} ms`,
  )
}
