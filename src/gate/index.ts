/**
 * The scan gate: scan-mode discovery → wait for settled findings (per platform image) → policy →
 * outputs, job summary, annotations, SARIF and the report file. Decisions live in the pure modules
 * (mode, status, policy, sarif, reports); this file does the I/O at the edges.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import * as core from '../core.js'
import { InputError, errorMessage } from '../errors.js'
import type { PreflightContext, StageContext, StageOutcome } from '../stage.js'
import { VERSION } from '../version.js'
import { digestOfVerdict, digestWithoutFindings } from '../github/digest.js'
import {
  getRegistryConfig,
  getRepositoryConfig,
  scanTargets,
  type PlatformImage,
  type ScanApi,
} from './ecr-scan.js'
import type { Finding } from './findings.js'
import { decideScanMode, type ScanMode } from './mode.js'
import {
  evaluate,
  isYamlList,
  parseIgnoreFile,
  parseIgnoreText,
  type IgnoreEntry,
  type Policy,
  type Verdict,
} from './policy.js'
import {
  annotations,
  countOutputs,
  gateSection,
  reportChunks,
  unavailableLine,
  verdictLine,
  type GateFacts,
  type GateState,
  type PlatformScan,
} from './reports.js'
import { sarifChunks } from './sarif.js'
import { defaultWaitConfig, type WaitConfig } from './status.js'
import { waitForFindings, type WaitResult } from './wait.js'

/** Parsed, validated gate configuration (ignore entries, …), built before any network call. */
export interface GatePlan {
  enabled: boolean
  policy: Policy
}

export const REPORT_FILE = 'ecr-scan-report.json'

export async function prepareGate(ctx: PreflightContext): Promise<GatePlan> {
  const { inputs } = ctx
  const problems: string[] = []
  const ignore: IgnoreEntry[] = []
  const fromText = parseIgnoreText(inputs.ignore)
  problems.push(...fromText.problems)
  ignore.push(...fromText.entries)
  if (inputs.ignoreFile !== undefined) {
    let text: string | undefined
    try {
      text = await fs.readFile(inputs.ignoreFile, 'utf8')
    } catch (err) {
      const code = (err as { code?: string }).code ?? errorMessage(err)
      problems.push(
        `Invalid input 'ignore-file': cannot read ${inputs.ignoreFile} (${code}). Expected a file in the workspace with entries 'ID [until=YYYY-MM-DD] [package=NAME] [# reason]', or a YAML list of {id, until, package, reason}.`,
      )
    }
    if (text !== undefined) {
      const yaml = isYamlList(text) ? (await import('yaml')).parse : undefined
      const fromFile = parseIgnoreFile(text, 'ignore-file', yaml)
      problems.push(...fromFile.problems)
      ignore.push(...fromFile.entries)
    }
  }
  if (problems.length > 0) throw new InputError(problems)
  return {
    enabled: inputs.waitForScan,
    policy: { threshold: inputs.severityThreshold, onlyFixable: inputs.onlyFixable, ignore },
  }
}

/** Test seam: wait-loop tuning (grace periods, backoff) and the jitter source. */
export interface GateTuning {
  wait?: Partial<Omit<WaitConfig, 'startedAt' | 'timeoutMs' | 'settleMs'>>
}

/** Waits for the findings of the pushed digest, decides, reports. */
export async function runGate(
  ctx: StageContext,
  plan: GatePlan,
  tuning: GateTuning = {},
): Promise<StageOutcome> {
  if (!plan.enabled) {
    core.setOutput('gate', 'skipped')
    core.setOutput('scan-status', 'SKIPPED')
    core.info('Scan gate skipped (wait-for-scan: false)')
    return { digest: digestWithoutFindings('skipped', plan.policy.threshold) }
  }
  const { inputs, pushed } = ctx
  const startedAt = ctx.clock()
  const api: ScanApi = {
    ecr: pushed.ecr,
    registryId: pushed.registryId,
    repository: inputs.repository,
    registryScanning: pushed.registryScanning,
  }

  // 1. Scan mode, before any waiting.
  const mode = await discoverMode(ctx, api)
  if (mode.kind === 'not-covered') {
    return unavailable(ctx, plan, 'NONE', 'NOT_CONFIGURED', mode.message, [], startedAt)
  }
  if (mode.kind === 'unknown') core.warning(`${mode.why}; waiting for findings anyway.`)
  else
    core.info(
      `Scanning: ${mode.kind === 'basic' ? `BASIC (${mode.scanOnPush ? 'scan on push' : 'manual: starting a scan'})` : `ENHANCED (${mode.frequency})`}`,
    )

  // 2. What to gate: the image, or each platform image of an index.
  let targets: PlatformImage[]
  try {
    targets = await scanTargets(api, pushed.digest)
  } catch (err) {
    core.warning(
      `Could not read the pushed manifest to find its platform images (${errorMessage(err)}); gating the pushed digest itself.`,
    )
    targets = [{ digest: pushed.digest, platform: '' }]
  }
  if (targets.length > 1 || targets[0]?.platform) {
    core.info(
      `Image index: gating ${targets.length} platform image(s): ${targets.map((t) => t.platform).join(', ')}`,
    )
  }

  // 3. Wait for settled findings, each platform side by side (the call budget is shared).
  const cfg: WaitConfig = {
    ...defaultWaitConfig(startedAt, inputs.scanTimeoutSeconds, inputs.scanSettleSeconds),
    startScanAfterGrace: mode.kind === 'unknown',
    ...tuning.wait,
  }
  cfg.msPerCall *= targets.length
  const deps = {
    api,
    clock: ctx.clock,
    sleep: ctx.sleep,
    log: core.info,
    warn: (l: string) => core.warning(l),
  }
  const startScanNow = mode.kind === 'basic' && !mode.scanOnPush
  const results = await Promise.all(targets.map((t) => waitForFindings(deps, t, cfg, { startScanNow })))
  const elapsed = Math.round((ctx.clock() - startedAt) / 1000)

  const scanType = scanTypeOf(mode, results)
  const failed = results.findIndex((r) => r.kind === 'failed')
  if (failed >= 0) {
    const r = results[failed] as { message: string }
    core.setOutput('scan-type', scanType)
    core.setOutput('gate', 'failed')
    ctx.report.add(0, `### ❌ Scan gate failed\n\n${r.message}`)
    return { failure: r.message, digest: digestWithoutFindings('failed', plan.policy.threshold, r.message) }
  }
  const bad = results.findIndex((r) => r.kind === 'unavailable')
  if (bad >= 0) {
    const r = results[bad] as { status: string; message: string }
    const t = targets[bad] as PlatformImage
    const msg = t.platform ? `${t.platform} (${t.digest}): ${r.message}` : r.message
    return unavailable(ctx, plan, scanType, r.status, msg, platformScans(targets, results), startedAt)
  }

  // 4. Decide on the settled findings of every platform.
  const findings: Finding[] = []
  for (const r of results) if (r.kind === 'settled') for (const f of r.findings) findings.push(f)
  const today = new Date(ctx.clock()).toISOString().slice(0, 10)
  const verdict = evaluate(findings, plan.policy, today)
  const statuses = [...new Set(results.map((r) => (r.kind === 'settled' ? r.status : '')))]
  const facts: GateFacts = {
    imageRef: pushed.imageRef,
    digest: pushed.digest,
    scanType,
    scanStatus: statuses.join(','),
    platforms: platformScans(targets, results),
    policy: plan.policy,
    today,
    elapsedSeconds: elapsed,
  }
  return decide(ctx, verdict, facts)
}

async function discoverMode(ctx: StageContext, api: ScanApi): Promise<ScanMode> {
  const { pushed, inputs } = ctx
  if (pushed.registryId !== pushed.identity.account) {
    return {
      kind: 'unknown',
      why: `The registry (${pushed.registryId}) belongs to another account, whose scanning configuration cannot be read from ${pushed.identity.account}`,
    }
  }
  const [registry, repo] = await Promise.all([getRegistryConfig(api), getRepositoryConfig(api)])
  const problems = [registry, repo].flatMap((r) => (r.ok ? [] : [r]))
  if (problems.length > 0) {
    const denied = problems.some((p) => p.denied)
    core.warning(
      `Could not read the scanning configuration (${problems.map((p) => p.message).join('; ')}).` +
        (denied
          ? ' Grant ecr:GetRegistryScanningConfiguration and ecr:BatchGetRepositoryScanningConfiguration to let the gate know the scan mode before waiting.'
          : ''),
    )
  }
  return decideScanMode(
    registry.ok ? registry.value : undefined,
    repo.ok ? repo.value : undefined,
    inputs.repository,
    inputs.region,
    pushed.repository?.imageScanningConfiguration?.scanOnPush,
  )
}

function scanTypeOf(mode: ScanMode, results: WaitResult[]): 'BASIC' | 'ENHANCED' | 'NONE' {
  if (mode.kind === 'basic') return 'BASIC'
  if (mode.kind === 'enhanced') return 'ENHANCED'
  if (mode.kind === 'not-covered') return 'NONE'
  const seen = results.flatMap((r) => (r.kind === 'settled' && r.scanType ? [r.scanType] : []))
  if (seen.includes('ENHANCED')) return 'ENHANCED'
  if (seen.includes('BASIC') || results.some((r) => r.kind === 'settled')) return 'BASIC'
  return 'NONE'
}

function platformScans(targets: PlatformImage[], results: WaitResult[]): PlatformScan[] {
  return targets.map((t, i) => {
    const r = results[i]
    return {
      digest: t.digest,
      platform: t.platform,
      status: r === undefined ? 'UNKNOWN' : r.kind === 'failed' ? 'ERROR' : r.status,
      findings: r?.kind === 'settled' ? r.findings.length : 0,
    }
  })
}

function reportPaths(ctx: StageContext): { sarif?: string; report: string } {
  const sarif = ctx.inputs.sarifFile
  const dir = sarif ? path.dirname(sarif) : ctx.env.RUNNER_TEMP || ctx.env.GITHUB_WORKSPACE || process.cwd()
  return sarif ? { sarif, report: path.join(dir, REPORT_FILE) } : { report: path.join(dir, REPORT_FILE) }
}

/**
 * Writes text given in chunks, 64 KiB at a time: the SARIF of 50,000 findings is never whole in
 * memory, and short-lived buffers keep the peak RSS down (npm run bench, 50k findings: 1 MiB
 * buffers ~318 MiB, 256 KiB ~300 MiB, 64 KiB ~274 MiB).
 */
async function writeFile(file: string, chunks: Iterable<string>): Promise<boolean> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true })
    const fh = await fs.open(file, 'w')
    try {
      let buf: string[] = []
      let size = 0
      for (const c of chunks) {
        buf.push(c)
        size += c.length
        if (size >= 1 << 16) {
          await fh.write(buf.join(''))
          buf = []
          size = 0
        }
      }
      if (buf.length > 0) await fh.write(buf.join(''))
    } finally {
      await fh.close()
    }
    return true
  } catch (err) {
    core.warning(`Could not write ${file}: ${errorMessage(err)}`)
    return false
  }
}

async function unavailable(
  ctx: StageContext,
  plan: GatePlan,
  scanType: 'BASIC' | 'ENHANCED' | 'NONE',
  status: string,
  message: string,
  platforms: PlatformScan[],
  startedAt: number,
): Promise<StageOutcome> {
  const fail = ctx.inputs.onScanUnavailable === 'fail'
  const gate: GateState = fail ? 'failed' : 'unavailable'
  core.setOutput('scan-type', scanType)
  core.setOutput('scan-status', status)
  core.setOutput('gate', gate)
  const facts: GateFacts = {
    imageRef: ctx.pushed.imageRef,
    digest: ctx.pushed.digest,
    scanType,
    scanStatus: status,
    platforms,
    policy: plan.policy,
    today: new Date(ctx.clock()).toISOString().slice(0, 10),
    elapsedSeconds: Math.round((ctx.clock() - startedAt) / 1000),
  }
  // No SARIF: an empty one would tell code scanning "0 findings".
  const { report } = reportPaths(ctx)
  if (await writeFile(report, reportChunks(undefined, facts, gate, message)))
    core.setOutput('report-file', report)
  const line = unavailableLine(status, message, fail)
  ctx.report.add(0, `### ${line.split(': ')[0]}\n\n${line.slice(line.indexOf(': ') + 2)}`)
  ctx.report.add(
    20,
    [
      '### Scan gate',
      '',
      '| | |',
      '|---|---|',
      `| Verdict | ${fail ? '❌ failed' : '⚠️ unavailable'}: no trustworthy findings |`,
      `| Scan | ${scanType}, status ${status} (waited ${facts.elapsedSeconds} s) |`,
      `| Image | \`${ctx.pushed.imageRef}\` |`,
    ].join('\n'),
  )
  const digest = digestWithoutFindings(gate, plan.policy.threshold, `${status}: ${message}`)
  if (fail) return { failure: `Scan gate: ${status}: ${message}`, digest }
  core.warning(`Scan gate unavailable (${status}): ${message}`)
  return { digest }
}

async function decide(ctx: StageContext, verdict: Verdict, facts: GateFacts): Promise<StageOutcome> {
  const gate: GateState = verdict.failed ? 'failed' : 'passed'
  core.setOutput('scan-type', facts.scanType)
  core.setOutput('scan-status', facts.scanStatus)
  for (const [k, v] of Object.entries(countOutputs(verdict))) core.setOutput(k, v)
  core.setOutput('gate', gate)

  for (const e of verdict.expired) {
    core.warning(
      `Ignore entry '${e.id}' (${e.source}) expired on ${e.until ?? ''}: it no longer ignores anything. Fix the finding, or renew the entry with a new until= date.`,
    )
  }
  for (const e of verdict.unused)
    core.notice(
      `Ignore entry '${e.id}' (${e.source}) matched no finding of ${facts.imageRef}: remove it if it is no longer needed.`,
    )

  const paths = reportPaths(ctx)
  const [sarifOk, reportOk] = await Promise.all([
    paths.sarif
      ? writeFile(
          paths.sarif,
          sarifChunks(verdict, { imageRef: facts.imageRef, artifactUri: 'Dockerfile', toolVersion: VERSION }),
        )
      : Promise.resolve(false),
    writeFile(paths.report, reportChunks(verdict, facts, gate, '')),
  ])
  if (sarifOk && paths.sarif) core.setOutput('sarif-file', paths.sarif)
  if (reportOk) core.setOutput('report-file', paths.report)

  const line = verdictLine(verdict, facts)
  core.info(line)
  ctx.report.add(0, `### ${line}`)
  ctx.report.add(20, gateSection(verdict, facts))
  for (const a of annotations(verdict, facts.imageRef))
    core.error(a, { title: 'Vulnerability blocks the image' })
  const digest = digestOfVerdict(verdict, facts.policy.threshold)
  return verdict.failed ? { failure: line.replace(/^❌ /, ''), digest } : { digest }
}
