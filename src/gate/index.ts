/**
 * The scan gate: scan-mode discovery → wait for settled findings (per platform image) → policy →
 * outputs, job summary, annotations, SARIF and the report file. Decisions live in the pure modules
 * (mode, status, policy, sarif, reports); this file does the I/O at the edges.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import * as core from '../core.js'
import { InputError, errorMessage } from '../errors.js'
import { outputDir, replaceFile, writeNewFile } from '../files.js'
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
import { callSignal, scanTargets, type PlatformImage, type ScanApi } from './ecr-scan.js'
import type { Finding } from './findings.js'
import { scanMode, type ScanMode } from './mode.js'
import {
  blockingIn,
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
  reportChunks,
  verdictLine,
  type GateFacts,
  type GateState,
  type PlatformScan,
} from './reports.js'
import { sarifChunks } from './sarif.js'
import { gateSection, skippedVerdict, unavailableSections, verdictSection } from './summary.js'
import { consoleUrl } from '../partition.js'
import { defaultWaitConfig, type WaitConfig } from './status.js'
import { waitForGate, type GateWaitResult, type PlatformResult } from './wait.js'
import { VERSION } from '../version.js'
import { digestOfVerdict, digestWithoutFindings } from '../github/digest.js'

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
  await checkDockerfile(ctx)
  return {
    enabled: inputs.waitForScan,
    policy: { threshold: inputs.severityThreshold, onlyFixable: inputs.onlyFixable, ignore },
  }
}

/**
 * SARIF results point at the `dockerfile` input; when there is no such file in the workspace, code
 * scanning cannot place them in the repository: said before any network call.
 */
async function checkDockerfile({ inputs, env }: PreflightContext): Promise<void> {
  if (!inputs.waitForScan || inputs.sarifFile === undefined) return
  const file = path.resolve(env.GITHUB_WORKSPACE || process.cwd(), inputs.dockerfile)
  const stat = await fs.stat(file).catch(() => undefined)
  if (stat?.isFile()) return
  core.warning(
    `dockerfile '${inputs.dockerfile}' is not a file in the workspace (${file}): code scanning will show the SARIF's alerts without a file location. ` +
      "Set 'dockerfile' to the path of the image's Dockerfile in the repository, and check the repository out (actions/checkout) before this step.",
    { title: 'SARIF without a file location' },
  )
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
    const { pushed } = deps
    const url = imageConsoleUrl({ inputs: context.inputs, pushed })
    return stageResult({
      outputs: { gate: 'skipped', 'scan-status': 'SKIPPED' },
      sections: { verdict: skippedVerdict(pushed.imageRef, url) },
      digest: digestWithoutFindings('skipped', plan.policy.threshold),
    })
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

  // 2. What to gate: the image, or each platform image of an index. No guessing: a manifest that
  //    cannot be read could be an index whose platforms would go unread.
  let targets: PlatformImage[]
  try {
    const budget = { deadline: startedAt + inputs.scanTimeoutSeconds * 1000, clock: ctx.clock }
    targets = await scanTargets(api, pushed.digest, callSignal(budget))
  } catch (err) {
    const msg = `Could not find the platform images of the pushed digest (${errorMessage(err)}). The gate does not guess which images to read; grant ecr:BatchGetImage on the repository.`
    return unavailable(ctx, plan, scanTypeOf(mode, []), 'ERROR', msg, [], startedAt, false)
  }
  if (targets.length > 1 || targets[0]?.platform) {
    core.info(
      `Image index: gating ${targets.length} platform image(s): ${targets.map((t) => t.platform).join(', ')}`,
    )
  }

  // 3. Wait until the gate can decide: fail fast on a blocking finding, pass late (wait.ts).
  const today = new Date(ctx.clock()).toISOString().slice(0, 10)
  const wait = { mode, api, targets, tuning, startedAt, today }
  const { decision, platforms } = await waitForVerdict(ctx, plan, wait)
  const scanType = scanTypeOf(mode, platforms)
  if (decision.kind === 'no-verdict') {
    const { status, message, relaxable } = decision
    return unavailable(ctx, plan, scanType, status, message, platformScans(platforms), startedAt, relaxable)
  }

  // 4. Decide on the last consistent read of every platform.
  return concludeGate(ctx, plan, { decision, platforms, scanType, startedAt, today })
}

function logMode(mode: ScanMode): void {
  if (mode.kind === 'unknown') core.warning(`${mode.why}; waiting for findings anyway.`)
  else if (mode.kind === 'basic')
    core.info(`Scanning: BASIC (${mode.scanOnPush ? 'scan on push' : 'manual: starting a scan'})`)
  else if (mode.kind === 'enhanced') core.info(`Scanning: ENHANCED (${mode.frequency})`)
}

interface WaitPlan {
  mode: ScanMode
  api: ScanApi
  targets: PlatformImage[]
  tuning: GateTuning
  /** The gate's start: the budget covers discovery too. */
  startedAt: number
  today: string
}

async function waitForVerdict(ctx: GateRun, plan: GatePlan, w: WaitPlan): Promise<GateWaitResult> {
  const { inputs } = ctx
  const { mode, targets, today } = w
  const cfg: WaitConfig = {
    ...defaultWaitConfig(w.startedAt, inputs.scanTimeoutSeconds, inputs.scanSettleSeconds),
    startScanAfterGrace: mode.kind === 'unknown',
    ...w.tuning.wait,
  }
  cfg.msPerCall *= targets.length
  const deps = {
    api: w.api,
    clock: ctx.clock,
    sleep: ctx.sleep,
    log: core.info,
    warn: (l: string) => core.warning(l),
    blocking: (f: readonly Finding[]) => blockingIn(f, plan.policy, today),
  }
  return waitForGate(deps, targets, cfg, {
    startScanNow: mode.kind === 'basic' && !mode.scanOnPush,
    onUnavailable: inputs.onScanUnavailable,
  })
}

interface Concluded {
  decision: Exclude<GateWaitResult['decision'], { kind: 'no-verdict' }>
  platforms: PlatformResult[]
  scanType: ScanType
  startedAt: number
  today: string
}

/** The verdict on the findings read; a blocking finding seen on the way stays a failure. */
async function concludeGate(ctx: GateRun, plan: GatePlan, c: Concluded): Promise<StageResult> {
  const { decision, platforms } = c
  const findings: Finding[] = []
  for (const p of platforms) for (const f of p.findings) findings.push(f)
  const verdict = evaluate(findings, plan.policy, c.today)
  if (decision.kind === 'blocking') verdict.failed = true
  const facts = gateFacts(ctx, plan, c.startedAt, {
    scanType: c.scanType,
    scanStatus: [...new Set(platforms.map((p) => p.state.last))].join(','),
    platforms: platformScans(platforms),
    countsSettled: decision.kind === 'passed' || decision.countsSettled,
    unsettled: decision.kind === 'blocking' ? decision.unsettled : [],
  })
  const seen = platforms.find((p) => p.state.blocking)
  if (seen?.state.blockingText)
    facts.blockingSeen = `${seen.state.blockingText}${seen.target.platform ? ` (${seen.target.platform})` : ''}`
  return decide(ctx, verdict, facts)
}

type ScanType = 'BASIC' | 'ENHANCED' | 'NONE'

/** The pushed image in the ECR console of the region's partition (none in a partition without one). */
function imageConsoleUrl(ctx: Pick<GateRun, 'inputs' | 'pushed'>): string | undefined {
  return consoleUrl(ctx.inputs.region, ctx.pushed.registryId, ctx.inputs.repository, ctx.pushed.digest)
}

function gateFacts(
  ctx: GateRun,
  plan: GatePlan,
  startedAt: number,
  scan: Pick<GateFacts, 'scanType' | 'scanStatus' | 'platforms' | 'countsSettled' | 'unsettled'>,
): GateFacts {
  return {
    imageRef: ctx.pushed.imageRef,
    digest: ctx.pushed.digest,
    ...scan,
    policy: plan.policy,
    today: new Date(ctx.clock()).toISOString().slice(0, 10),
    elapsedSeconds: Math.round((ctx.clock() - startedAt) / 1000),
    ...optional('consoleUrl', imageConsoleUrl(ctx)),
  }
}

/** `{ [key]: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>)
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

function scanTypeOf(mode: ScanMode, platforms: readonly PlatformResult[]): ScanType {
  if (mode.kind === 'basic') return 'BASIC'
  if (mode.kind === 'enhanced') return 'ENHANCED'
  if (mode.kind === 'not-covered') return 'NONE'
  const seen = platforms.flatMap((p) => (p.scanType ? [p.scanType] : []))
  if (seen.includes('ENHANCED')) return 'ENHANCED'
  if (seen.includes('BASIC') || platforms.some((p) => p.read)) return 'BASIC'
  return 'NONE'
}

function platformScans(platforms: readonly PlatformResult[]): PlatformScan[] {
  return platforms.map((p) => ({
    digest: p.target.digest,
    platform: p.target.platform,
    status: p.end?.status ?? p.state.last,
    findings: p.findings.length,
  }))
}

/**
 * The report file, in the step's private directory (files.ts): a new file, never through a link,
 * never another step's. Its path, or undefined (with a warning) when it cannot be written.
 */
async function writeReport(ctx: GateRun, chunks: Iterable<string>): Promise<string | undefined> {
  let file: string = REPORT_FILE
  try {
    file = path.join(await (ctx.outputDir ?? outputDir(ctx.env))(), REPORT_FILE)
    await writeNewFile(file, chunks)
    return file
  } catch (err) {
    core.warning(`Could not write the report file ${file}: ${errorMessage(err)}`)
    return undefined
  }
}

/**
 * The SARIF at the path the user chose (sarif-file; paths.ts checked it). A file already there is
 * replaced, and said so: two steps with the same sarif-file (the default) must not clobber each
 * other silently.
 */
async function writeSarif(file: string, chunks: Iterable<string>): Promise<boolean> {
  try {
    const { replaced } = await replaceFile(file, chunks)
    if (replaced) {
      core.warning(
        `sarif-file ${file} already existed (another step of this job, or an earlier run, wrote it): replaced. ` +
          'Give each step that pushes an image its own sarif-file.',
      )
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
  relaxable = true,
): Promise<StageResult> {
  // Only the conditions INTERFACE names are relaxed by on-scan-unavailable: warn.
  const fail = ctx.inputs.onScanUnavailable === 'fail' || !relaxable
  const gate: GateState = fail ? 'failed' : 'unavailable'
  const outputs: Outputs = { 'scan-type': scanType, 'scan-status': status, gate }
  const facts = gateFacts(ctx, plan, startedAt, {
    scanType,
    scanStatus: status,
    platforms,
    countsSettled: false,
    unsettled: [],
  })
  // No SARIF: an empty one would tell code scanning "0 findings".
  const report = await writeReport(ctx, reportChunks(undefined, facts, gate, message))
  if (report !== undefined) outputs['report-file'] = report
  const sections: Sections = unavailableSections({
    imageRef: facts.imageRef,
    ...optional('consoleUrl', facts.consoleUrl),
    scanType,
    status,
    message,
    elapsedSeconds: facts.elapsedSeconds,
    platforms,
    failed: fail,
  })
  const digest = digestWithoutFindings(gate, plan.policy.threshold, `${status}: ${message}`)
  if (fail) return stageResult({ outputs, sections, failure: `Scan gate: ${status}: ${message}`, digest })
  return stageResult({
    outputs,
    sections,
    digest,
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

  const sarif = ctx.inputs.sarifFile
  const [sarifOk, report] = await Promise.all([
    sarif
      ? writeSarif(
          sarif,
          sarifChunks(verdict, {
            imageRef: facts.imageRef,
            artifactUri: ctx.inputs.dockerfile,
            toolVersion: VERSION,
            ignore: facts.policy.ignore,
          }),
        )
      : Promise.resolve(false),
    writeReport(ctx, reportChunks(verdict, facts, gate, '')),
  ])
  if (sarifOk && sarif) outputs['sarif-file'] = sarif
  if (report !== undefined) outputs['report-file'] = report

  const line = verdictLine(verdict, facts)
  core.info(line)
  for (const a of blockingAnnotations(verdict, facts.imageRef))
    annotations.push({ level: 'error', message: a, title: 'Vulnerability blocks the image' })
  return stageResult({
    outputs,
    sections: { verdict: verdictSection(verdict, facts), gate: gateSection(verdict, facts) },
    annotations,
    digest: digestOfVerdict(verdict, facts.policy.threshold),
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
