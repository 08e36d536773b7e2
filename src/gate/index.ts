/**
 * The scan gate: scan-mode discovery → wait for settled findings (per platform image) → policy →
 * outputs, job summary, annotations, SARIF and the report file. Decisions live in the pure modules
 * (mode, status, policy, sarif, reports); this file does the I/O at the edges.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import * as core from '../core.js'
import { InputError, errorMessage } from '../errors.js'
import { pickOutputs, type Outputs } from '../outputs.js'
import type { Sections } from '../report.js'
import type { ScanningConfiguration } from '../scanning.js'
import {
  stageResult,
  type Annotation,
  type PreflightContext,
  type AfterPush,
  type StageContext,
  type StageResult,
} from '../stage.js'
import { scanTargets, type PlatformImage, type ScanApi } from './ecr-scan.js'
import type { Finding } from './findings.js'
import { scanMode, type ScanMode } from './mode.js'
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
  annotations as blockingAnnotations,
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

/** What the gate needs from the push, by name. */
export interface GateDeps extends AfterPush {
  /** The run's scanning configuration (shared with governance). */
  scanning: ScanningConfiguration
}

/** The context and the dependencies of one gate run, handed to its parts. */
type GateRun = StageContext & GateDeps

/** Waits for the findings of the pushed digest, decides, reports. */
export async function runGate(
  context: StageContext,
  plan: GatePlan,
  deps: GateDeps,
  tuning: GateTuning = {},
): Promise<StageResult> {
  if (!plan.enabled) {
    core.info('Scan gate skipped (wait-for-scan: false)')
    return stageResult({ outputs: { gate: 'skipped', 'scan-status': 'SKIPPED' } })
  }
  const ctx: GateRun = { ...context, ...deps }
  const { inputs, pushed } = ctx
  const startedAt = ctx.clock()
  const api: ScanApi = {
    ecr: deps.ecr,
    registryId: pushed.registryId,
    repository: inputs.repository,
  }

  // 1. Scan mode, before any waiting.
  const mode = await discoverMode(ctx)
  if (mode.kind === 'not-covered') {
    return unavailable(ctx, plan, 'NONE', 'NOT_CONFIGURED', mode.message, [], startedAt)
  }
  logMode(mode)

  // 2. What to gate: the image, or each platform image of an index.
  const targets = await gateTargets(api, pushed.digest)

  // 3. Wait for settled findings, each platform side by side (the call budget is shared).
  const results = await waitAll(ctx, api, mode, targets, startedAt, tuning)
  const scanType = scanTypeOf(mode, results)
  const failed = results.find((r): r is Extract<WaitResult, { kind: 'failed' }> => r.kind === 'failed')
  if (failed) {
    return stageResult({
      outputs: { 'scan-type': scanType, gate: 'failed' },
      sections: { verdict: `### ❌ Scan gate failed\n\n${failed.message}` },
      failure: failed.message,
    })
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
  const facts = gateFacts(ctx, plan, startedAt, {
    scanType,
    scanStatus: [...new Set(results.map((r) => (r.kind === 'settled' ? r.status : '')))].join(','),
    platforms: platformScans(targets, results),
  })
  return decide(ctx, evaluate(findings, plan.policy, facts.today), facts)
}

function logMode(mode: ScanMode): void {
  if (mode.kind === 'unknown') core.warning(`${mode.why}; waiting for findings anyway.`)
  else if (mode.kind === 'basic')
    core.info(`Scanning: BASIC (${mode.scanOnPush ? 'scan on push' : 'manual: starting a scan'})`)
  else if (mode.kind === 'enhanced') core.info(`Scanning: ENHANCED (${mode.frequency})`)
}

/** The pushed digest, or each platform image when it is an image index. */
async function gateTargets(api: ScanApi, digest: string): Promise<PlatformImage[]> {
  let targets: PlatformImage[]
  try {
    targets = await scanTargets(api, digest)
  } catch (err) {
    core.warning(
      `Could not read the pushed manifest to find its platform images (${errorMessage(err)}); gating the pushed digest itself.`,
    )
    targets = [{ digest, platform: '' }]
  }
  if (targets.length > 1 || targets[0]?.platform) {
    core.info(
      `Image index: gating ${targets.length} platform image(s): ${targets.map((t) => t.platform).join(', ')}`,
    )
  }
  return targets
}

/** Waits for every target side by side; the call budget is shared between them. */
async function waitAll(
  ctx: GateRun,
  api: ScanApi,
  mode: ScanMode,
  targets: PlatformImage[],
  startedAt: number,
  tuning: GateTuning,
): Promise<WaitResult[]> {
  const { inputs } = ctx
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
  return Promise.all(targets.map((t) => waitForFindings(deps, t, cfg, { startScanNow })))
}

type ScanType = 'BASIC' | 'ENHANCED' | 'NONE'

function gateFacts(
  ctx: GateRun,
  plan: GatePlan,
  startedAt: number,
  scan: { scanType: ScanType; scanStatus: string; platforms: PlatformScan[] },
): GateFacts {
  return {
    imageRef: ctx.pushed.imageRef,
    digest: ctx.pushed.digest,
    ...scan,
    policy: plan.policy,
    today: new Date(ctx.clock()).toISOString().slice(0, 10),
    elapsedSeconds: Math.round((ctx.clock() - startedAt) / 1000),
  }
}

/** The gate's mode, from the run's one answer to how the repository is covered. */
async function discoverMode(ctx: GateRun): Promise<ScanMode> {
  const { coverage, problems } = await ctx.scanning.coverage()
  if (problems.length > 0) {
    const denied = problems.some((p) => p.denied)
    core.warning(
      `Could not read the scanning configuration (${problems.map((p) => p.message).join('; ')}).` +
        (denied
          ? ' Grant ecr:GetRegistryScanningConfiguration and ecr:BatchGetRepositoryScanningConfiguration to let the gate know the scan mode before waiting.'
          : ''),
    )
  }
  return scanMode(coverage, ctx.inputs.repository)
}

function scanTypeOf(mode: ScanMode, results: WaitResult[]): ScanType {
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

function reportPaths(ctx: GateRun): { sarif?: string; report: string } {
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
  ctx: GateRun,
  plan: GatePlan,
  scanType: ScanType,
  status: string,
  message: string,
  platforms: PlatformScan[],
  startedAt: number,
): Promise<StageResult> {
  const fail = ctx.inputs.onScanUnavailable === 'fail'
  const gate: GateState = fail ? 'failed' : 'unavailable'
  const outputs: Outputs = { 'scan-type': scanType, 'scan-status': status, gate }
  const facts = gateFacts(ctx, plan, startedAt, { scanType, scanStatus: status, platforms })
  // No SARIF: an empty one would tell code scanning "0 findings".
  const { report } = reportPaths(ctx)
  if (await writeFile(report, reportChunks(undefined, facts, gate, message))) outputs['report-file'] = report
  const line = unavailableLine(status, message, fail)
  const sections: Sections = {
    verdict: `### ${line.split(': ')[0]}\n\n${line.slice(line.indexOf(': ') + 2)}`,
    gate: [
      '### Scan gate',
      '',
      '| | |',
      '|---|---|',
      `| Verdict | ${fail ? '❌ failed' : '⚠️ unavailable'}: no trustworthy findings |`,
      `| Scan | ${scanType}, status ${status} (waited ${facts.elapsedSeconds} s) |`,
      `| Image | \`${ctx.pushed.imageRef}\` |`,
    ].join('\n'),
  }
  if (fail) return stageResult({ outputs, sections, failure: `Scan gate: ${status}: ${message}` })
  return stageResult({
    outputs,
    sections,
    annotations: [{ level: 'warning', message: `Scan gate unavailable (${status}): ${message}` }],
  })
}

async function decide(ctx: GateRun, verdict: Verdict, facts: GateFacts): Promise<StageResult> {
  const gate: GateState = verdict.failed ? 'failed' : 'passed'
  const outputs: Outputs = {
    'scan-type': facts.scanType,
    'scan-status': facts.scanStatus,
    ...pickOutputs(countOutputs(verdict)),
    gate,
  }
  const annotations = ignoreAnnotations(verdict, facts.imageRef)

  const paths = reportPaths(ctx)
  const [sarifOk, reportOk] = await Promise.all([
    paths.sarif
      ? writeFile(
          paths.sarif,
          sarifChunks(verdict, { imageRef: facts.imageRef, artifactUri: 'Dockerfile', toolVersion: '1.0.0' }),
        )
      : Promise.resolve(false),
    writeFile(paths.report, reportChunks(verdict, facts, gate, '')),
  ])
  if (sarifOk && paths.sarif) outputs['sarif-file'] = paths.sarif
  if (reportOk) outputs['report-file'] = paths.report

  const line = verdictLine(verdict, facts)
  core.info(line)
  for (const a of blockingAnnotations(verdict, facts.imageRef))
    annotations.push({ level: 'error', message: a, title: 'Vulnerability blocks the image' })
  return stageResult({
    outputs,
    sections: { verdict: `### ${line}`, gate: gateSection(verdict, facts) },
    annotations,
    ...(verdict.failed ? { failure: line.replace(/^❌ /, '') } : {}),
  })
}

/** Expired ignore entries warn (they no longer ignore anything); unused ones get a notice. */
function ignoreAnnotations(verdict: Verdict, imageRef: string): Annotation[] {
  return [
    ...verdict.expired.map((e): Annotation => ({
      level: 'warning',
      message: `Ignore entry '${e.id}' (${e.source}) expired on ${e.until ?? ''}: it no longer ignores anything. Fix the finding, or renew the entry with a new until= date.`,
    })),
    ...verdict.unused.map((e): Annotation => ({
      level: 'notice',
      message: `Ignore entry '${e.id}' (${e.source}) matched no finding of ${imageRef}: remove it if it is no longer needed.`,
    })),
  ]
}
