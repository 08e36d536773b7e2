/**
 * What an image is made of, from its configuration and history: layers with the instruction that
 * made each, a recovered Dockerfile, the runtime configuration, supply-chain labels. Pure: no I/O.
 */

/** One history entry, oldest first (the image config's `history`, or `docker history` reversed). */
export interface HistoryEntry {
  created?: string
  createdBy: string
  comment?: string
  /** true: a metadata-only instruction (ENV, CMD, …) that made no layer. */
  emptyLayer: boolean
  /** Uncompressed size the engine reports, when known. */
  size?: number
}

/** The runtime configuration (image config `config`, or `docker image inspect` .Config). */
export interface RuntimeConfig {
  User?: string
  Env?: string[] | null
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  ExposedPorts?: Record<string, unknown> | null
  WorkingDir?: string
  Labels?: Record<string, string> | null
  Volumes?: Record<string, unknown> | null
  StopSignal?: string
}

export interface ManifestLayer {
  digest: string
  size: number
  mediaType?: string
}

export interface Layer {
  index: number
  /** Compressed size in the registry (undefined when the manifest could not be read). */
  size?: number
  digest?: string
  diffId?: string
  /** Index into the history of the entry that made this layer. */
  historyIndex?: number
  instruction?: string
  /** Marked as one of the biggest layers. */
  big: boolean
}

/** Splits `/bin/sh -c #(nop)  ENV A=b` and friends into a Dockerfile instruction. */
export function instructionOf(createdBy: string): { instruction: string; buildArgs: [string, string][] } {
  let text = createdBy.trim()
  text = text.replace(/\s+# buildkit$/, '')
  const buildArgs: [string, string][] = []
  let run = false
  if (/^RUN\s/.test(text)) {
    run = true
    text = text.slice(4).trim()
  }
  // Build args of a RUN: `|2 A=1 B=2 /bin/sh -c …`.
  const args = /^\|(\d+)\s+/.exec(text)
  if (args) {
    let rest = text.slice(args[0].length)
    for (let i = 0; i < Number(args[1]); i++) {
      const pair = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(rest)
      if (!pair) break
      buildArgs.push([pair[1] as string, pair[2] as string])
      rest = rest.slice(pair[0].length)
    }
    text = rest
    run = true
  }
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text)
  if (nop) return { instruction: text.slice(nop[0].length).trim(), buildArgs }
  const sh = /^\/bin\/sh -c\s+/.exec(text)
  if (sh) return { instruction: `RUN ${text.slice(sh[0].length).trim()}`, buildArgs }
  if (run) return { instruction: `RUN ${text}`, buildArgs }
  if (/^[A-Z]+(\s|$)/.test(text) && INSTRUCTIONS.has(text.split(/\s/)[0] as string)) {
    return { instruction: text, buildArgs }
  }
  return { instruction: text === '' ? '# (no command recorded)' : `RUN ${text}`, buildArgs }
}

const INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
])

const LAYER_MAKING = /^(RUN|COPY|ADD|WORKDIR)\b/

/**
 * Which history entries made a layer when only `docker history` is at hand (no `empty_layer`): sizes
 * above zero did; when that is fewer than the layer count, zero-sized RUN/COPY/ADD/WORKDIR entries are
 * taken too, oldest first.
 */
export function inferEmptyLayers(
  entries: readonly { createdBy: string; size: number }[],
  layerCount: number,
): boolean[] {
  const empty = entries.map((e) => e.size <= 0)
  let missing = layerCount - empty.filter((e) => !e).length
  for (const pass of [true, false]) {
    for (let i = 0; i < entries.length && missing > 0; i++) {
      const e = entries[i] as { createdBy: string }
      if (!empty[i]) continue
      if (pass && !LAYER_MAKING.test(instructionOf(e.createdBy).instruction)) continue
      empty[i] = false
      missing--
    }
  }
  return empty
}

/** Layers in order, each tied to the history entry that made it; the biggest marked. */
export function layersOf(
  history: readonly HistoryEntry[],
  manifestLayers: readonly ManifestLayer[] | undefined,
  diffIds: readonly string[],
): Layer[] {
  const count = manifestLayers?.length ?? diffIds.length
  const makers = history.flatMap((h, i) => (h.emptyLayer ? [] : [i]))
  // When the history has fewer layer entries than layers (squashed images), the last ones match.
  const offset = makers.length - count
  const layers: Layer[] = []
  for (let i = 0; i < count; i++) {
    const layer: Layer = { index: i + 1, big: false }
    const m = manifestLayers?.[i]
    if (m) {
      layer.size = m.size
      layer.digest = m.digest
    }
    const d = diffIds[i]
    if (d !== undefined) layer.diffId = d
    const h = makers[i + offset]
    if (h !== undefined) {
      layer.historyIndex = h
      layer.instruction = instructionOf(history[h]?.createdBy ?? '').instruction
    }
    layers.push(layer)
  }
  markBiggest(layers)
  return layers
}

/** The three biggest layers that hold at least a tenth of the image. */
function markBiggest(layers: Layer[]): void {
  const total = layers.reduce((s, l) => s + (l.size ?? 0), 0)
  if (total === 0) return
  const sorted = [...layers].filter((l) => (l.size ?? 0) > 0).sort((a, b) => (b.size ?? 0) - (a.size ?? 0))
  for (const l of sorted.slice(0, layers.length > 3 ? 3 : 1)) if ((l.size ?? 0) >= total / 10) l.big = true
}

/** A Dockerfile recovered from the history; every entry says which layer it made, if any. */
export function recoverDockerfile(history: readonly HistoryEntry[], layers: readonly Layer[]): string {
  const lines = ['# Recovered from the image history, oldest first. The FROM line is not recorded:']
  lines.push('# the first entries may come from the base image.')
  const byHistory = new Map(
    layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l]])),
  )
  history.forEach((h, i) => {
    const { instruction, buildArgs } = instructionOf(h.createdBy)
    const layer = byHistory.get(i)
    if (layer) {
      lines.push(`# layer ${layer.index}${layer.size !== undefined ? `, ${formatBytes(layer.size)}` : ''}`)
    } else {
      lines.push('# (empty layer: metadata only)')
    }
    for (const [name] of buildArgs) lines.push(`ARG ${name}`)
    lines.push(instruction)
  })
  return `${lines.join('\n')}\n`
}

/** Env names whose values are shown: clearly harmless configuration. */
export function isHarmlessEnv(name: string): boolean {
  return (
    /^(PATH|LANG|LANGUAGE|TZ|HOME|SHELL|TERM|HOSTNAME|DEBIAN_FRONTEND|NODE_ENV|RAILS_ENV|RACK_ENV|FLASK_ENV|APP_ENV|GOPATH|GOROOT|GOTOOLCHAIN|CGO_ENABLED|GOFLAGS|PYTHONUNBUFFERED|PYTHONDONTWRITEBYTECODE|PYTHONPATH|PIP_NO_CACHE_DIR|PIP_DISABLE_PIP_VERSION_CHECK|JAVA_OPTS|NVIDIA_VISIBLE_DEVICES|SSL_CERT_FILE|SSL_CERT_DIR)$/.test(
      name,
    ) ||
    /^LC_[A-Z]+$/.test(name) ||
    /_(VERSION|HOME|ROOT|DIR|SHA256|SHA512|CHECKSUM)$/.test(name)
  )
}

export function isRootUser(user: string | undefined): boolean {
  const u = (user ?? '').trim()
  const name = u.split(':')[0] ?? ''
  return name === '' || name === 'root' || name === '0'
}

export const OCI_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.created',
] as const

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = -1
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`
}

/** Splits `NAME=value` env entries. */
export function splitEnv(env: readonly string[] | null | undefined): [string, string][] {
  return (env ?? []).map((e) => {
    const i = e.indexOf('=')
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)]
  })
}
