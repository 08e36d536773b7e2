/**
 * The audit's verdict on one image, from facts gathered elsewhere. Pure: no I/O; `mask` is called for
 * each credential the moment it is found, before anything is logged or written.
 */
import {
  OCI_LABELS,
  formatBytes,
  isHarmlessEnv,
  isRootUser,
  instructionOf,
  layersOf,
  recoverDockerfile,
  splitEnv,
  type HistoryEntry,
  type Layer,
  type ManifestLayer,
  type RuntimeConfig,
} from './image.js'
import {
  maskParts,
  redactText,
  scanPair,
  scanText,
  summarize,
  type RedactedSecret,
  type SecretHit,
} from './secrets.js'

export interface ImageFacts {
  imageId: string
  digest: string
  imageRef: string
  config: RuntimeConfig
  /** Oldest first. */
  history: HistoryEntry[]
  diffIds: string[]
  os?: string
  architecture?: string
  created?: string
  /** The pushed manifest's layers (compressed sizes), when the registry answered. */
  manifest?: { mediaType: string; digest: string; layers: ManifestLayer[]; configSize: number }
  /** ECR's imageSizeInBytes, when the manifest could not be read. */
  registrySize?: number
  /** Problems met while gathering (shown as warnings). */
  notes: string[]
}

export interface EnvEntry {
  name: string
  /** Shown only when clearly harmless. */
  value?: string
  masked: boolean
}

export interface AuditResult {
  version: 1
  image: {
    digest: string
    imageRef: string
    imageId: string
    platform?: string
    created?: string
    manifestMediaType?: string
    /** Bytes as the registry stores the image: compressed layers + config. */
    size?: number
    layerCount: number
  }
  layers: Layer[]
  history: (HistoryEntry & { instruction: string; layer?: number })[]
  dockerfile: string
  config: {
    user: string
    runsAsRoot: boolean
    entrypoint: string[] | null
    cmd: string[] | null
    exposedPorts: string[]
    workingDir: string
    volumes: string[]
    labels: Record<string, string>
    env: EnvEntry[]
    ociLabels: Record<string, { present: boolean; value?: string }>
  }
  secrets: RedactedSecret[]
  warnings: string[]
}

export function analyze(facts: ImageFacts, mask: (value: string) => void = () => {}): AuditResult {
  // 1. Secrets first, so every text below is redacted before it goes anywhere.
  const found = findSecrets(facts, mask)
  const clean = (text: string): string => redactText(text, found.hits)

  // 2. What is in it.
  const layers = layersOf(facts.history, facts.manifest?.layers, facts.diffIds).map((l) =>
    l.instruction === undefined ? l : { ...l, instruction: clean(l.instruction) },
  )
  const history = historyOf(facts, layers, clean)
  const dockerfile = clean(recoverDockerfile(facts.history, layers))
  const config = configOf(facts.config, found, clean)

  // 3. Warnings, most serious first.
  const secrets = summarize(found.hits)
  const warnings = warningsOf(secrets, config, facts.config.User ?? '', clean)
  warnings.push(...facts.notes)

  return {
    version: 1,
    image: imageOf(facts, layers.length),
    layers,
    history,
    dockerfile,
    config,
    secrets,
    warnings,
  }
}

interface FoundSecrets {
  hits: SecretHit[]
  /** The env variables, and those that hold a credential. */
  env: [string, string][]
  envSecret: Set<string>
}

/** Every credential in history, env, labels, entrypoint and cmd; each is masked as it is found. */
function findSecrets(facts: ImageFacts, mask: (value: string) => void): FoundSecrets {
  const hits: SecretHit[] = []
  const onFound = (hit: SecretHit): void => {
    for (const part of maskParts(hit.value)) mask(part)
    hits.push(hit)
  }
  const cfg = facts.config
  facts.history.forEach((h, i) => {
    const { instruction, buildArgs } = instructionOf(h.createdBy)
    const verb = instruction.split(/\s/)[0] ?? ''
    scanText(h.createdBy, `history #${i + 1} (${verb})`, onFound)
    for (const [name, value] of buildArgs)
      scanPair(name, value, `build arg ${name} (history #${i + 1})`, onFound)
    if (h.comment) scanText(h.comment, `history #${i + 1} comment`, onFound)
  })
  const env = splitEnv(cfg.Env)
  const envSecret = new Set<string>()
  for (const [name, value] of env) {
    if (scanPair(name, value, `env ${name}`, onFound).length > 0) envSecret.add(name)
  }
  for (const [key, value] of Object.entries(cfg.Labels ?? {})) scanPair(key, value, `label ${key}`, onFound)
  if (cfg.Entrypoint) scanText(cfg.Entrypoint.join(' '), 'entrypoint', onFound)
  if (cfg.Cmd) scanText(cfg.Cmd.join(' '), 'cmd', onFound)
  return { hits, env, envSecret }
}

/** The history, redacted, each entry with the layer it made. */
function historyOf(facts: ImageFacts, layers: Layer[], clean: (t: string) => string): AuditResult['history'] {
  const layerOfHistory = new Map(
    layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l.index]])),
  )
  return facts.history.map((h, i) => {
    const entry: HistoryEntry & { instruction: string; layer?: number } = {
      ...h,
      createdBy: clean(h.createdBy),
      instruction: clean(instructionOf(h.createdBy).instruction),
    }
    if (h.comment !== undefined) entry.comment = clean(h.comment)
    const layer = layerOfHistory.get(i)
    if (layer !== undefined) entry.layer = layer
    return entry
  })
}

/** The runtime configuration, redacted; env values only where clearly harmless. */
function configOf(
  cfg: RuntimeConfig,
  found: FoundSecrets,
  clean: (t: string) => string,
): AuditResult['config'] {
  const user = cfg.User ?? ''
  const labels: Record<string, string> = {}
  for (const [k, v] of Object.entries(cfg.Labels ?? {})) labels[k] = clean(v)
  const ociLabels: AuditResult['config']['ociLabels'] = {}
  for (const name of OCI_LABELS) {
    const value = labels[name]
    ociLabels[name] = value !== undefined && value !== '' ? { present: true, value } : { present: false }
  }
  const env: EnvEntry[] = found.env.map(([name, value]) =>
    isHarmlessEnv(name) && !found.envSecret.has(name)
      ? { name, value: clean(value), masked: false }
      : { name, masked: true },
  )
  return {
    user: clean(user),
    runsAsRoot: isRootUser(user),
    entrypoint: cfg.Entrypoint ? cfg.Entrypoint.map(clean) : null,
    cmd: cfg.Cmd ? cfg.Cmd.map(clean) : null,
    exposedPorts: Object.keys(cfg.ExposedPorts ?? {}).sort(),
    workingDir: cfg.WorkingDir ?? '',
    volumes: Object.keys(cfg.Volumes ?? {}).sort(),
    labels,
    env,
    ociLabels,
  }
}

/** Credentials, root, missing OCI labels: most serious first. */
function warningsOf(
  secrets: RedactedSecret[],
  config: AuditResult['config'],
  user: string,
  clean: (t: string) => string,
): string[] {
  const warnings: string[] = []
  for (const s of secrets) {
    warnings.push(
      `Credential left in the image (${s.rule}${s.name ? ` ${s.name}` : ''}, ${s.redacted}, sha256:${s.fingerprint}) in ${s.where.join(', ')}`,
    )
  }
  if (config.runsAsRoot) {
    warnings.push(
      `The image runs as root (user '${user === '' ? '(not set)' : clean(user)}'): set a non-root USER in the Dockerfile.`,
    )
  }
  const missing = OCI_LABELS.filter((l) => !config.ociLabels[l]?.present)
  if (missing.length > 0) {
    warnings.push(
      `Missing OCI labels ${missing.join(', ')}: without them nobody can trace the image back to its source and commit.`,
    )
  }
  return warnings
}

/** The image as pushed: digest, platform, size as the registry stores it. */
function imageOf(facts: ImageFacts, layerCount: number): AuditResult['image'] {
  const size =
    facts.manifest !== undefined
      ? facts.manifest.layers.reduce((s, l) => s + l.size, facts.manifest.configSize)
      : facts.registrySize
  const image: AuditResult['image'] = {
    digest: facts.digest,
    imageRef: facts.imageRef,
    imageId: facts.imageId,
    layerCount,
  }
  if (facts.os || facts.architecture) image.platform = `${facts.os ?? '?'}/${facts.architecture ?? '?'}`
  if (facts.created) image.created = facts.created
  if (facts.manifest) image.manifestMediaType = facts.manifest.mediaType
  if (size !== undefined) image.size = size
  return image
}

/** The one-line failure (or warning) about secrets: says the image is already pushed and how to delete it. */
export function secretsMessage(
  result: AuditResult,
  where: { repository: string; region: string; registryId: string },
  failing: boolean,
): string {
  const n = result.secrets.length
  const kinds = [...new Set(result.secrets.map((s) => s.rule))].join(', ')
  return (
    `The audit found ${n} credential${n === 1 ? '' : 's'} (${kinds}) in the image's history, env or labels. ` +
    `The image is ALREADY PUSHED as ${result.image.imageRef}: anyone who can pull it can read them. ` +
    `Rotate the credential${n === 1 ? '' : 's'} now, delete the image ` +
    `(aws ecr batch-delete-image --repository-name ${where.repository} --image-ids imageDigest=${result.image.digest} ` +
    `--registry-id ${where.registryId} --region ${where.region}), and rebuild with build secrets ` +
    `(RUN --mount=type=secret) instead of ARG/ENV.` +
    (failing ? '' : ' (fail-on-secrets is false: not failing the step.)')
  )
}

export { formatBytes }
