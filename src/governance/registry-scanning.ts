/**
 * Continuous scanning as code (`registry-scanning: continuous | on-push`): make sure the registry's
 * ENHANCED scanning (Amazon Inspector) covers the repository with that frequency.
 *
 * PutRegistryScanningConfiguration replaces the whole configuration, so the step reads it, adds its
 * one filter to the rule of that frequency (src/scanning.ts decides how, keeping every other rule
 * and filter as it was), writes it back, and reads it again after a moment: another job may have
 * written the configuration it read before this one wrote (a lost update, either way round). Its own
 * filter missing from what it reads back means this run lost: it merges again from what is there.
 * The other job does the same for its own filter, so both end covered. Nothing is written when the
 * repository is already covered; a BASIC registry is switched to ENHANCED only when allowed.
 *
 * Runs before the push (pipeline.ts): an image pushed before a scan-on-push rule covers its
 * repository is never scanned on push, and a switch from BASIC after the push would drop the basic
 * scan the push started.
 */
import type { ECRClient } from '@aws-sdk/client-ecr'
import * as core from '../core.js'
import { errorMessage, errorName } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { backoffDelay, type Sleep } from '../retry.js'
import {
  addScanningFilter,
  coveredWith,
  getRegistryConfig,
  putScanningCommand,
  type CoveringFrequency,
  type RegistryConfig,
} from '../scanning.js'
import { putRegistryScanning } from './aws.js'

/** What the inputs ask for. */
export interface RegistryScanningWant {
  mode: 'continuous' | 'on-push'
  frequency: CoveringFrequency
  filter: string
  repository: string
  allowSwitch: boolean
}

export type RegistryScanningOutcome =
  /** Already covered that often: nothing written. */
  | { kind: 'covered'; want: RegistryScanningWant; before: RegistryConfig }
  /** Written and read back with the filter in it (`attempts` writes; more than 1: lost updates). */
  | {
      kind: 'written'
      want: RegistryScanningWant
      before: RegistryConfig
      after: RegistryConfig
      attempts: number
    }
  /** BASIC, and switching is not allowed: `proposed` is what would have been written. */
  | { kind: 'needs-switch'; want: RegistryScanningWant; before: RegistryConfig; proposed: RegistryConfig }
  /** Could not be done: `message` says why and what to do. */
  | { kind: 'failed'; want: RegistryScanningWant; before?: RegistryConfig; message: string }

/** The registry's configuration as this run leaves it (what the gate and the summary go by). */
export function configurationAfter(outcome: RegistryScanningOutcome): RegistryConfig | undefined {
  return outcome.kind === 'written' ? outcome.after : outcome.before
}

export interface RegistryScanningDeps {
  ecr: ECRClient
  region: string
  /** Account of the credentials: the only registry whose scanning configuration they can change. */
  account: string
  /** Account that owns the registry pushed to. */
  registryId: string
  sleep: Sleep
  random?: () => number
}

export interface RegistryScanningTuning {
  /** Writes before giving up on lost updates. */
  attempts: number
  /** Wait between a write and the read that verifies it (a concurrent writer's window). */
  verifyDelayMs: number
}

export const REGISTRY_SCANNING_TUNING: RegistryScanningTuning = { attempts: 5, verifyDelayMs: 2000 }

export function registryScanningWant(inputs: Inputs): RegistryScanningWant | undefined {
  if (inputs.registryScanning === 'report') return undefined
  return {
    mode: inputs.registryScanning,
    frequency: inputs.registryScanning === 'continuous' ? 'CONTINUOUS_SCAN' : 'SCAN_ON_PUSH',
    filter: inputs.registryScanningFilter,
    repository: inputs.repository,
    allowSwitch: inputs.registryScanningSwitch,
  }
}

/** Reads, merges, writes, verifies; retries a lost update. Never throws for AWS errors. */
export async function ensureRegistryScanning(
  deps: RegistryScanningDeps,
  want: RegistryScanningWant,
  tuning: RegistryScanningTuning = REGISTRY_SCANNING_TUNING,
): Promise<RegistryScanningOutcome> {
  if (deps.registryId !== deps.account) {
    return {
      kind: 'failed',
      want,
      message:
        `registry-scanning: ${want.mode} changes the scanning configuration of the credentials' own registry (account ${deps.account}), ` +
        `but the push goes to registry ${deps.registryId}. Run the step with a role of account ${deps.registryId}, or set registry-scanning: report.`,
    }
  }
  const first = await read(deps, want)
  if ('failed' in first) return first.failed
  const before = first.config
  let current = before
  for (let attempt = 1; attempt <= tuning.attempts; attempt++) {
    if (attempt > 1) {
      // Merge from what is there now, never from an older read: that would drop others' filters.
      const fresh = await read(deps, want, before)
      if ('failed' in fresh) return fresh.failed
      current = fresh.config
    }
    const change = addScanningFilter(current, want.repository, want.frequency, want.filter)
    if (change.kind === 'covered') {
      return attempt === 1
        ? { kind: 'covered', want, before }
        : { kind: 'written', want, before, after: current, attempts: attempt - 1 }
    }
    if (change.kind === 'limit') {
      return {
        kind: 'failed',
        want,
        before,
        message: `Cannot add registry-scanning-filter '${want.filter}': ${change.problem}.`,
      }
    }
    if (change.switchesType && !want.allowSwitch) {
      return { kind: 'needs-switch', want, before, proposed: change.next }
    }
    const verified = await writeAndVerify(deps, want, change.next, before, tuning)
    if (verified.kind === 'failed') return verified.outcome
    if (verified.kind === 'done')
      return { kind: 'written', want, before, after: verified.after, attempts: attempt }
    core.info(
      `Registry scanning: filter '${want.filter}' is not in the configuration read back after the write: another job wrote it at the same time. Merging again (attempt ${attempt + 1} of ${tuning.attempts})`,
    )
    const jitter = deps.random ? { random: deps.random } : {}
    await deps.sleep(backoffDelay(attempt, { baseMs: 500, capMs: 4000, ...jitter }))
  }
  return {
    kind: 'failed',
    want,
    before,
    message:
      `registry-scanning: filter '${want.filter}' was written ${tuning.attempts} times and each time another writer replaced the configuration before it could be read back. ` +
      'Re-run the job; if it keeps happening, find what rewrites the registry scanning configuration (put-registry-scanning-configuration) so often.',
  }
}

async function read(
  deps: RegistryScanningDeps,
  want: RegistryScanningWant,
  before?: RegistryConfig,
): Promise<{ config: RegistryConfig } | { failed: RegistryScanningOutcome }> {
  const got = await getRegistryConfig(deps)
  if (got.ok) return { config: got.value }
  const grant = got.denied
    ? ` registry-scanning: ${want.mode} needs ecr:GetRegistryScanningConfiguration on "*" to keep the registry's other rules when it writes.`
    : ''
  return {
    failed: {
      kind: 'failed',
      want,
      ...(before ? { before } : {}),
      message: `Could not read the registry scanning configuration (${got.message}).${grant}`,
    },
  }
}

type Verified =
  | { kind: 'done'; after: RegistryConfig }
  | { kind: 'failed'; outcome: RegistryScanningOutcome }
  | { kind: 'lost' }

/** The write, then (after a moment) the read that checks the filter is still there. */
async function writeAndVerify(
  deps: RegistryScanningDeps,
  want: RegistryScanningWant,
  next: RegistryConfig,
  before: RegistryConfig,
  tuning: RegistryScanningTuning,
): Promise<Verified> {
  const failed = await write(deps, want, next, before)
  if (failed) return { kind: 'failed', outcome: failed }
  await deps.sleep(tuning.verifyDelayMs)
  const again = await read(deps, want, before)
  if ('failed' in again) return { kind: 'failed', outcome: again.failed }
  return coveredWith(again.config, want.repository, want.frequency)
    ? { kind: 'done', after: again.config }
    : { kind: 'lost' }
}

/** The write; an outcome only when it failed. */
async function write(
  deps: RegistryScanningDeps,
  want: RegistryScanningWant,
  next: RegistryConfig,
  before: RegistryConfig,
): Promise<RegistryScanningOutcome | undefined> {
  core.info(
    `Registry scanning: adding filter '${want.filter}' to the ${want.frequency} rule` +
      (before.scanType === 'ENHANCED'
        ? ''
        : ` and switching the registry from ${before.scanType} to ENHANCED`),
  )
  try {
    await putRegistryScanning(deps.ecr, next)
    return undefined
  } catch (err) {
    const name = errorName(err)
    const msg = errorMessage(err)
    const message =
      name === 'AccessDeniedException'
        ? `Could not change the registry scanning configuration: ${msg}. registry-scanning: ${want.mode} needs ecr:PutRegistryScanningConfiguration on "*", ` +
          'and for an ENHANCED configuration inspector2:Enable and inspector2:ListAccountPermissions (switching from BASIC also iam:CreateServiceLinkedRole for inspector2.amazonaws.com); or set registry-scanning: report.'
        : name === 'InvalidParameterException' || name === 'ValidationException'
          ? `ECR refused the registry scanning configuration: ${msg}. What was sent: ${putScanningCommand(next, deps.region)}`
          : `PutRegistryScanningConfiguration failed: ${name ? `${name}: ` : ''}${msg}`
    return { kind: 'failed', want, before, message }
  }
}
