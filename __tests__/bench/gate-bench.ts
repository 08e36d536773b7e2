// The scan gate's pure pipeline on 50,000 enhanced findings: normalise, fingerprint (settle
// comparison), verdict, SARIF, summary section, annotations and the report JSON. Target: <= 5 s and
// <= 300 MiB RSS. Run alone: node __tests__/bench/gate-bench.ts
import type { EnhancedImageScanFinding } from '@aws-sdk/client-ecr'
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Finding } from '../../src/gate/findings.ts'
import type { GateFacts } from '../../src/gate/reports.ts'

// src/ imports its siblings as `./x.js` (for tsc/ncc); under Node's type stripping those files are
// `./x.ts`. Map them, for src/ only, so the bench runs the sources without a build step.
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.includes('/src/')) {
      const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL)
      if (existsSync(fileURLToPath(ts))) return next(ts.href, context)
    }
    return next(specifier, context)
  },
})

const { fingerprint, fromEnhanced } = await import('../../src/gate/findings.ts')
const { evaluate } = await import('../../src/gate/policy.ts')
const { annotations, reportChunks } = await import('../../src/gate/reports.ts')
const { gateSection, verdictSection } = await import('../../src/gate/summary.ts')
const { sarifChunks } = await import('../../src/gate/sarif.ts')

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']

/** 50,000 findings in the SDK's shape (as DescribeImageScanFindings pages deserialise). */
export function generateFindings(count = 50_000, offset = 0): EnhancedImageScanFinding[] {
  const out: EnhancedImageScanFinding[] = []
  for (let i = offset; i < offset + count; i++) {
    const id = `CVE-20${10 + (i % 15)}-${10000 + (i % 20000)}`
    const fixed = i % 3 === 0 ? 'NotAvailable' : `${(i % 9) + 1}.${i % 7}.1`
    out.push({
      awsAccountId: '123456789012',
      findingArn: `arn:aws:inspector2:us-east-1:123456789012:finding/${i.toString(16).padStart(32, '0')}`,
      description: `${id}: a buffer overflow in package p${i % 4000} allows remote attackers to do things.`,
      severity: SEVERITIES[i % SEVERITIES.length],
      status: i % 50 === 0 ? 'SUPPRESSED' : 'ACTIVE',
      score: (i % 100) / 10,
      title: `${id} - p${i % 4000}`,
      type: 'PACKAGE_VULNERABILITY',
      fixAvailable: fixed === 'NotAvailable' ? 'NO' : 'YES',
      exploitAvailable: i % 11 === 0 ? 'YES' : 'NO',
      packageVulnerabilityDetails: {
        vulnerabilityId: id,
        source: 'NVD',
        sourceUrl: `https://nvd.nist.gov/vuln/detail/${id}`,
        referenceUrls: [`https://nvd.nist.gov/vuln/detail/${id}`],
        cvss: [
          {
            baseScore: (i % 100) / 10,
            scoringVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            source: 'NVD',
            version: '3.1',
          },
        ],
        vulnerablePackages: [
          { name: `p${i % 4000}`, version: `1.${i % 13}.0`, fixedInVersion: fixed, packageManager: 'OS' },
        ],
      },
    })
  }
  return out
}

const dir = mkdtempSync(path.join(tmpdir(), 'gate-bench-'))

/** Writes chunks to a file 64 KiB at a time, as the action does; returns the bytes written. */
function writeChunks(name: string, chunks: Iterable<string>): number {
  const fd = openSync(path.join(dir, name), 'w')
  let buf: string[] = []
  let size = 0
  let total = 0
  for (const c of chunks) {
    buf.push(c)
    size += c.length
    if (size >= 1 << 16) {
      total += writeSync(fd, buf.join(''))
      buf = []
      size = 0
    }
  }
  total += writeSync(fd, buf.join(''))
  closeSync(fd)
  return total
}

/** As readScan does: page by page (1000 a page), each page normalised and dropped. */
function pipeline(count: number): number {
  const image = { imageDigest: `sha256:${'a'.repeat(64)}`, platform: '' }
  const findings: Finding[] = []
  for (let page = 0; page < count; page += 1000) {
    for (const f of generateFindings(Math.min(1000, count - page), page))
      findings.push(fromEnhanced(f, image))
  }
  const fp1 = fingerprint(findings)
  const fp2 = fingerprint(findings)
  if (fp1 !== fp2) throw new Error('fingerprint not stable')
  const policy = {
    threshold: 'HIGH' as const,
    onlyFixable: false,
    ignore: [
      { id: 'CVE-2010-10000', reason: 'bench', source: 'ignore line 1' },
      { id: 'CVE-2011-10001', until: '2020-01-01', reason: 'expired', source: 'ignore line 2' },
    ],
  }
  const verdict = evaluate(findings, policy, '2025-06-15')
  const imageRef = `123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget@sha256:${'a'.repeat(64)}`
  const facts: GateFacts = {
    imageRef,
    digest: image.imageDigest,
    scanType: 'ENHANCED',
    scanStatus: 'ACTIVE',
    platforms: [{ digest: image.imageDigest, platform: '', status: 'ACTIVE', findings: findings.length }],
    policy,
    today: '2025-06-15',
    elapsedSeconds: 30,
    countsSettled: true,
    unsettled: [],
  }
  const sarif = writeChunks(
    'ecr-scan.sarif',
    sarifChunks(verdict, { imageRef, artifactUri: 'Dockerfile', toolVersion: 'bench' }),
  )
  // The gate's part of the job summary, as main writes it: GitHub takes at most 1 MiB a step.
  const summary = `${verdictSection(verdict, facts)}\n\n${gateSection(verdict, facts)}\n`
  summaryBytes = Buffer.byteLength(summary)
  const notes = annotations(verdict, imageRef)
  const report = writeChunks(
    'ecr-scan-report.json',
    reportChunks(verdict, facts, verdict.failed ? 'failed' : 'passed', ''),
  )
  return sarif + summary.length + notes.length + report
}

const RUNS = 5
/** GitHub's limit for one step's job summary. */
const SUMMARY_LIMIT = 1024 * 1024
let summaryBytes = 0

interface Once {
  ms: number
  rssMiB: number
  summaryBytes: number
}

/** One measured run in this process (peak RSS of the process, as the action's; the summary's size). */
function once(): Once {
  const t0 = performance.now()
  pipeline(50_000)
  const ms = performance.now() - t0
  rmSync(dir, { recursive: true, force: true })
  return { ms, rssMiB: process.resourceUsage().maxRSS / 1024, summaryBytes }
}

/**
 * Median time, median and worst peak RSS of 5 runs, each in a fresh Node process like one action run
 * (runs in one process would measure the garbage of the runs before).
 */
export async function benchGate(): Promise<{
  medianMs: number
  rssMiB: number
  maxRssMiB: number
  summaryKiB: number
}> {
  const { execFileSync } = await import('node:child_process')
  const runs: Once[] = []
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--once'], {
      encoding: 'utf8',
    })
    runs.push(JSON.parse(out.trim().split('\n').pop() as string) as Once)
  }
  const summary = Math.max(...runs.map((r) => r.summaryBytes))
  if (summary >= SUMMARY_LIMIT)
    throw new Error(`the gate's job summary of 50,000 findings is ${summary} bytes: over GitHub's 1 MiB`)
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  return {
    medianMs: Math.round(median(runs.map((r) => r.ms))),
    rssMiB: Math.round(median(runs.map((r) => r.rssMiB))),
    maxRssMiB: Math.round(Math.max(...runs.map((r) => r.rssMiB))),
    summaryKiB: Math.round(summary / 1024),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--once')) {
    console.log(JSON.stringify(once()))
  } else {
    const r = await benchGate()
    console.log(
      `gate: 50,000 findings -> verdict, SARIF, summary, report in ${r.medianMs} ms (median of ${RUNS} runs), peak RSS ${r.rssMiB} MiB median, ${r.maxRssMiB} MiB worst; summary ${r.summaryKiB} KiB (GitHub's limit: 1024 KiB)`,
    )
  }
}
