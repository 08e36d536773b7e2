/**
 * The image audit: what the pushed image is made of and what it leaks, read without running it.
 * I/O at the edges only: engine.ts reads, export.ts extracts; analyze.ts and summary.ts decide.
 */
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '../core.js'
import type { Docker } from '../docker.js'
import { InputError, errorMessage } from '../errors.js'
import { outputDir, writeNewFile, type OutputDir } from '../files.js'
import type { Outputs } from '../outputs.js'
import {
  stageResult,
  type Annotation,
  type AfterPush,
  type PreflightContext,
  type StageContext,
  type StageResult,
} from '../stage.js'
import { analyze, secretsMessage, type AuditResult, type ImageFacts } from './analyze.js'
import {
  historyFromConfig,
  readLocalImage,
  registryManifest,
  registrySize,
  saveImage,
  withSavedImage,
  type RegistryManifest,
} from './engine.js'
import type { ExportResult } from './export.js'
import type { RegistryClient } from '../oci/client.js'
import { formatBytes, type HistoryEntry } from './image.js'
import { auditMarkdown } from './summary.js'

export interface AuditPlan {
  enabled: boolean
  /** Absolute directory for the filesystem export. */
  exportDir?: string
}

export const AUDIT_FILE = 'ecr-audit.json'

/** The audit's plan. Where export-filesystem may be (not a link, empty, …) paths.ts has checked. */
export function prepareAudit(ctx: PreflightContext): Promise<AuditPlan> {
  const { inputs } = ctx
  const plan: AuditPlan = { enabled: inputs.audit }
  const dir = inputs.exportFilesystem
  if (dir === undefined) return Promise.resolve(plan)
  if (!inputs.audit) {
    return Promise.reject(
      new InputError([
        `Invalid input 'export-filesystem': '${dir}'. Expected it only with 'audit: true' (the export is part of the audit).`,
      ]),
    )
  }
  plan.exportDir = dir
  return Promise.resolve(plan)
}

/** What the audit needs from the push, by name. */
export interface AuditDeps extends Pick<AfterPush, 'pushed'> {
  /**
   * ECR, where the pushed manifest is read back (BatchGetImage). Undefined for ECR Public, which has
   * no such call: then `registrySize` is the size it reported.
   */
  ecr?: AfterPush['ecr']
  registrySize?: number
  /** The docker CLI of the engine that holds the pushed image (no login needed: it reads locally). */
  docker: Docker
  /** Set: the image is read from the registry instead (OCI sources, push: false; issue 12). */
  registry?: RegistryClient
}

interface Where {
  registryId: string
  repository: string
  region: string
}

/** Reads the pushed image (never runs it): layers, history, configuration, secrets. */
export async function runAudit(ctx: StageContext, plan: AuditPlan, deps: AuditDeps): Promise<StageResult> {
  if (!plan.enabled) return stageResult()
  const { inputs, env } = ctx
  const { pushed } = deps
  const where: Where = { registryId: pushed.registryId, repository: inputs.repository, region: inputs.region }
  const masked = new Set<string>()
  const mask = (v: string): void => {
    if (masked.has(v)) return
    masked.add(v)
    core.setSecret(v)
  }

  let facts: ImageFacts
  try {
    facts = await gatherFacts(deps, where)
  } catch (err) {
    return stageResult({
      failure:
        `The image audit could not read ${pushed.imageId}: ${errorMessage(err)}. ` +
        `The image IS pushed as ${pushed.imageRef}; set 'audit: false' to skip the audit.`,
    })
  }

  // Secrets are masked here, before any line of the audit is logged.
  let result = analyze(facts, mask)
  let exported: ExportResult | undefined
  let exportFailure: string | undefined
  if (plan.exportDir !== undefined) {
    try {
      const out = await exportFilesystem(deps, plan.exportDir, env)
      // The saved config has the exact empty_layer flags: a better layer-to-history match.
      if (out.history !== undefined && out.history.length > 0) {
        result = analyze({ ...facts, history: out.history }, mask)
      }
      exported = out.result
    } catch (err) {
      exportFailure = `Could not export the image's filesystem to ${plan.exportDir}: ${errorMessage(err)}`
    }
  }
  const auditFile = await writeAuditFile(ctx.outputDir ?? outputDir(env), result, exported)
  logResult(result, exported)
  return auditStageResult(result, exported, auditFile, {
    where,
    failOnSecrets: inputs.failOnSecrets,
    ...(exportFailure === undefined ? {} : { exportFailure }),
  })
}

/** The local image (config, history, layers) and what the registry holds of it. */
async function gatherFacts(deps: AuditDeps, where: Where): Promise<ImageFacts> {
  if (deps.registry) {
    const { registryFacts } = await import('./registry-source.js')
    return registryFacts(deps.registry, deps.pushed)
  }
  const { pushed, ecr } = deps
  const notes: string[] = []
  const local = await readLocalImage(deps.docker, pushed.imageId)
  const platform: { os?: string; architecture?: string; variant?: string } = {}
  if (local.os) platform.os = local.os
  if (local.architecture) platform.architecture = local.architecture
  if (local.variant) platform.variant = local.variant
  let manifest: RegistryManifest | undefined
  let size: number | undefined = deps.registrySize
  if (ecr === undefined) {
    notes.push(
      'ECR Public has no API to read the pushed manifest (no BatchGetImage): compressed layer sizes are unknown.',
    )
  } else {
    try {
      manifest = await registryManifest(ecr, where, pushed.digest, platform)
    } catch (err) {
      notes.push(
        `Could not read the pushed manifest (ecr:BatchGetImage): ${errorMessage(err)}; compressed layer sizes are unknown.`,
      )
      size = await registrySize(ecr, where, pushed.digest).catch(() => undefined)
    }
  }
  const facts: ImageFacts = {
    imageId: pushed.imageId,
    digest: pushed.digest,
    imageRef: pushed.imageRef,
    config: local.config,
    history: local.history,
    diffIds: local.diffIds,
    notes,
  }
  if (local.os) facts.os = local.os
  if (local.architecture) facts.architecture = local.architecture
  if (local.created) facts.created = local.created
  if (manifest) facts.manifest = manifest
  if (size !== undefined) facts.registrySize = size
  return facts
}

/** The image's merged filesystem into `dir` (from `docker save`), and the saved config's history. */
async function exportFilesystem(
  deps: AuditDeps,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ result: ExportResult; history: HistoryEntry[] | undefined }> {
  return core.group(`Exporting the image's filesystem to ${dir}`, async () => {
    if (deps.registry) {
      const { exportRegistryImage } = await import('./registry-source.js')
      return exportRegistryImage(deps.registry, deps.pushed, dir)
    }
    // The tar reader loads only when an export is asked for (cold start).
    const { exportSavedImage } = await import('./export.js')
    const saved = saveImage(deps.docker, deps.pushed.imageId)
    const tmp = env.RUNNER_TEMP || os.tmpdir()
    const out = await withSavedImage(saved, (stream) => exportSavedImage(stream, dir, tmp))
    for (const r of out.result.refused.slice(0, 50))
      core.warning(`Export refused layer ${r.layer} entry ${r.path}: ${r.reason}`)
    return { result: out.result, history: historyFromConfig(out.config) }
  })
}

/**
 * The audit JSON, a new file in the step's private directory (files.ts); undefined (with a
 * warning) when it cannot be written.
 */
async function writeAuditFile(
  dir: OutputDir,
  result: AuditResult,
  exported: ExportResult | undefined,
): Promise<string | undefined> {
  let file: string = AUDIT_FILE
  try {
    file = path.join(await dir(), AUDIT_FILE)
    await writeNewFile(file, [`${JSON.stringify(auditJson(result, exported), null, 2)}\n`])
    return file
  } catch (err) {
    core.warning(`Could not write the audit file ${file}: ${errorMessage(err)}`)
    return undefined
  }
}

function auditStageResult(
  result: AuditResult,
  exported: ExportResult | undefined,
  auditFile: string | undefined,
  opts: { where: Where; failOnSecrets: boolean; exportFailure?: string },
): StageResult {
  const outputs: Outputs = {}
  if (result.image.size !== undefined) outputs['image-size'] = String(result.image.size)
  outputs['layer-count'] = String(result.image.layerCount)
  outputs['secrets-found'] = String(result.secrets.length)
  if (auditFile) outputs['audit-file'] = auditFile

  const annotations = result.warnings.map((message): Annotation => ({ level: 'warning', message }))
  const failures: string[] = []
  if (result.secrets.length > 0) {
    const message = secretsMessage(result, opts.where, opts.failOnSecrets)
    if (opts.failOnSecrets) failures.push(message)
    else annotations.push({ level: 'warning', message })
  }
  if (opts.exportFailure) failures.push(opts.exportFailure)
  return stageResult({
    outputs,
    sections: { audit: auditMarkdown(result, exported, auditFile, opts.failOnSecrets) },
    annotations,
    ...(failures.length > 0 ? { failure: failures.join(' ') } : {}),
  })
}

function auditJson(result: AuditResult, exported: ExportResult | undefined): unknown {
  return exported ? { ...result, export: exported } : result
}

function logResult(r: AuditResult, exported: ExportResult | undefined): void {
  const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown size'
  core.info(
    `Audit: ${r.image.layerCount} layers, ${size}, user '${r.config.user || '(not set)'}', ${r.secrets.length} credential(s) found`,
  )
  if (exported) {
    core.info(
      `Exported ${exported.files} files, ${exported.dirs} directories, ${exported.symlinks} symlinks, ${exported.hardlinks} hard links ` +
        `(${formatBytes(exported.bytes)}) to ${exported.dir}; ${exported.refusedCount} entries refused.`,
    )
  }
}
