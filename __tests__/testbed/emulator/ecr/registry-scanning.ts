/**
 * ECR's registry scanning configuration: GetRegistryScanningConfiguration and
 * PutRegistryScanningConfiguration, with every write recorded.
 *
 * As ECR does it (API model `ecr/2015-09-21`, ECR user guide "enhanced scanning"):
 * - a Put replaces the whole configuration (scan type and every rule);
 * - at most 2 rules, at most 100 WILDCARD filters each, filters matching
 *   `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$` (model constraints, checked by the dispatcher);
 * - at most one rule per `scanFrequency`;
 * - an ENHANCED configuration is Amazon Inspector's: the caller also needs `inspector2:Enable` and
 *   `inspector2:ListAccountPermissions`, and to turn it on from BASIC `iam:CreateServiceLinkedRole`
 *   (Inspector's service-linked role), as the user guide's "IAM permissions required for enhanced
 *   scanning" lists them.
 *
 * State (in `emulator.state.ext.scan`, see `ecr/scan.ts`): `registry` (what Get answers, default BASIC
 * with no rules), `seed` (what was in effect before the first write), `writes` (every accepted Put:
 * when, by whom, what), and the scenario knob `readBarrier`: the next `count` Get calls each wait
 * until `count` of them are in flight (or `timeoutMs`, default 10 s), so that concurrent jobs really
 * read the same configuration before either writes.
 */
import { authorize } from '../iam.ts'
import { sleep } from '../util.ts'
import { invalidParameter, operation, type EcrContext, type EcrOperation } from './context.ts'
import { globalScan, type RegistryScanning } from './scan.ts'

/** One accepted PutRegistryScanningConfiguration. */
export interface RegistryScanningWrite {
  at: Date
  principalArn: string
  config: RegistryScanning
}

export interface ReadBarrier {
  count: number
  timeoutMs?: number
  /** Reads that have arrived so far (set by the emulator). */
  arrived?: number
}

const DEFAULT: RegistryScanning = { scanType: 'BASIC', rules: [] }

const copy = (c: RegistryScanning): RegistryScanning => JSON.parse(JSON.stringify(c)) as RegistryScanning

/** What Get answers now. */
export function currentRegistryScanning(ctx: { state: { ext: Record<string, unknown> } }): RegistryScanning {
  return globalScan(ctx).registry ?? DEFAULT
}

/** The configuration that was in effect at `at` (a push's time), from the write log. */
export function registryScanningAt(
  ctx: { state: { ext: Record<string, unknown> } },
  at: Date,
): RegistryScanning {
  const s = globalScan(ctx)
  const writes = s.writes ?? []
  let found: RegistryScanning | undefined
  for (const w of writes) if (w.at.getTime() <= at.getTime()) found = w.config
  return found ?? (writes.length > 0 ? (s.seed ?? DEFAULT) : currentRegistryScanning(ctx))
}

/** Every accepted write, oldest first (test helper). */
export function registryScanningWrites(emulator: {
  state: { ext: Record<string, unknown> }
}): RegistryScanningWrite[] {
  return globalScan(emulator).writes ?? []
}

/** Test helper: make the next `count` reads wait for each other. */
export function setReadBarrier(emulator: { state: { ext: Record<string, unknown> } }, count: number): void {
  globalScan(emulator).readBarrier = { count, arrived: 0 }
}

async function passBarrier(ctx: EcrContext): Promise<void> {
  const s = globalScan(ctx)
  const barrier = s.readBarrier
  if (!barrier || (barrier.arrived ?? 0) >= barrier.count) return
  barrier.arrived = (barrier.arrived ?? 0) + 1
  const until = Date.now() + (barrier.timeoutMs ?? 10_000)
  while ((barrier.arrived ?? 0) < barrier.count && Date.now() < until) await sleep(10)
  if ((barrier.arrived ?? 0) >= barrier.count && s.readBarrier === barrier) delete s.readBarrier
}

interface PutInput {
  scanType?: 'BASIC' | 'ENHANCED'
  rules?: RegistryScanning['rules']
}

function checkRules(input: PutInput): void {
  const seen = new Set<string>()
  for (const rule of input.rules ?? []) {
    if (seen.has(rule.scanFrequency)) {
      throw invalidParameter(
        `Invalid parameter at 'rules' failed to satisfy constraint: 'Only one rule per scan frequency is allowed; ${rule.scanFrequency} is used more than once'`,
      )
    }
    seen.add(rule.scanFrequency)
  }
}

/** Amazon Inspector's part of an ENHANCED write, checked on the caller as ECR does it. */
function authorizeInspector(ctx: EcrContext, from: RegistryScanning): void {
  authorize(ctx.principal, 'inspector2:Enable', '*')
  authorize(ctx.principal, 'inspector2:ListAccountPermissions', '*')
  if (from.scanType !== 'ENHANCED') {
    authorize(
      ctx.principal,
      'iam:CreateServiceLinkedRole',
      `arn:aws:iam::${ctx.account}:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2`,
    )
  }
}

export const operations: Record<string, EcrOperation> = {
  GetRegistryScanningConfiguration: operation<Record<string, never>>({
    async handle(ctx) {
      // Read on arrival; a barrier only holds the answer back.
      const registry = copy(currentRegistryScanning(ctx))
      await passBarrier(ctx)
      return {
        registryId: ctx.account,
        scanningConfiguration: { scanType: registry.scanType, rules: registry.rules },
      }
    },
  }),

  PutRegistryScanningConfiguration: operation<PutInput>({
    handle(ctx, input) {
      checkRules(input)
      const before = currentRegistryScanning(ctx)
      const config: RegistryScanning = {
        scanType: input.scanType ?? before.scanType,
        rules: (input.rules ?? []).map((r) => ({
          scanFrequency: r.scanFrequency,
          repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })),
        })),
      }
      if (config.scanType === 'ENHANCED') authorizeInspector(ctx, before)
      const s = globalScan(ctx)
      if ((s.writes ?? []).length === 0) s.seed = copy(before)
      ;(s.writes ??= []).push({ at: new Date(), principalArn: ctx.principal.arn, config: copy(config) })
      s.registry = config
      return { registryScanningConfiguration: copy(config) }
    },
  }),
}
