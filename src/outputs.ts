/**
 * Every output of the action, in action.yml's order with action.yml's descriptions (a unit test
 * holds the two together), and the one place that writes them. Stages return `Outputs`; main
 * writes them with `writeOutputs`. Nothing else calls setOutput.
 */
import * as core from './core.js'

export const OUTPUTS = {
  registry:
    'Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com` (ECR Public: the registry URI, `public.ecr.aws/<alias>`).',
  'repository-uri': '`<registry>/<repository>`.',
  'image-uri': '`<registry>/<repository>:<first tag>`.',
  'image-digest': 'Digest of what was pushed, as ECR reports it (`sha256:...`).',
  'image-ref': 'Digest-pinned reference `<registry>/<repository>@sha256:...`: deploy this.',
  tags: 'Tags pushed, comma-separated.',
  'aws-account-id': 'Account of the identity used.',
  'token-expires-at': 'Expiry of the ECR login token (ISO 8601).',
  'scan-type': '`BASIC`, `ENHANCED` or `NONE`.',
  'scan-status': "ECR's scan status for the digest, or `TIMEOUT`, `NOT_CONFIGURED`, `SKIPPED`.",
  'findings-critical': 'Counted `CRITICAL` findings (after `ignore` and `only-fixable`).',
  'findings-high': 'Counted `HIGH` findings.',
  'findings-medium': 'Counted `MEDIUM` findings.',
  'findings-low': 'Counted `LOW` findings.',
  'findings-informational': 'Counted `INFORMATIONAL` findings.',
  'findings-undefined': 'Counted `UNDEFINED` findings (including unknown severities such as `UNTRIAGED`).',
  'findings-total': 'Sum of the counted findings.',
  'findings-ignored': 'Findings suppressed by ignore entries.',
  findings: 'The counts as JSON, for `fromJSON`.',
  'highest-severity': 'Highest counted severity, or `NONE`.',
  gate: '`passed`, `failed`, `unavailable` or `skipped`.',
  'scan-coverage':
    "How the registry's scanning covers the repository: `CONTINUOUS_SCAN`, `SCAN_ON_PUSH` (enhanced), `BASIC_SCAN_ON_PUSH`, `BASIC_MANUAL`, `NONE`, or `UNKNOWN` (configuration not readable).",
  'sarif-file': 'Path of the SARIF file written, if any.',
  'report-file': 'Path of the full findings JSON written, if any.',
  'image-size': 'Bytes of the pushed image (compressed layers + config).',
  'layer-count': 'Number of layers.',
  'audit-file':
    'Path of the audit JSON: layers, history, recovered Dockerfile, configuration, audit findings.',
  'secrets-found': 'Credentials found by the audit.',
} as const satisfies Record<string, string>

export type OutputName = keyof typeof OUTPUTS

/** Some of the outputs, as the strings the runner stores. */
export type Outputs = Partial<Record<OutputName, string>>

export function isOutputName(name: string): name is OutputName {
  return Object.hasOwn(OUTPUTS, name)
}

/** Outputs out of a plain record whose keys must all be output names (a bug otherwise). */
export function pickOutputs(record: Readonly<Record<string, string>>): Outputs {
  const out: Outputs = {}
  for (const [name, value] of Object.entries(record)) {
    if (!isOutputName(name)) throw new Error(`internal error: '${name}' is not an output of this action`)
    out[name] = value
  }
  return out
}

const written = new Set<string>()

/** Writes the outputs, in the order given. */
export function writeOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue
    core.setOutput(name, value)
    written.add(name)
  }
}

/**
 * The outputs INTERFACE says are always set, for a run that ended before it could know them (bad
 * input, sign-in or push failed): `scan-coverage` is `UNKNOWN` (the configuration was not read).
 */
export function writeAlwaysSetOutputs(): void {
  if (!written.has('scan-coverage')) writeOutputs({ 'scan-coverage': 'UNKNOWN' })
}
