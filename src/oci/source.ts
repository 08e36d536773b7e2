/**
 * The `image` input's transports, named as skopeo names them: a bare reference or
 * `docker-daemon:REF` (the local Docker engine), `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`,
 * `docker-archive:FILE[:REF]`. Pure: no I/O (the files are read by layout.ts, after the input check).
 */
import * as path from 'node:path'

export type ArchiveKind = 'oci' | 'oci-archive' | 'docker-archive'

export type ImageSource = { kind: 'docker'; ref: string } | { kind: ArchiveKind; path: string; ref?: string }

const TRANSPORT = /^(docker-daemon|oci|oci-archive|docker-archive):(.*)$/s
/** A REF of an OCI layout: an `org.opencontainers.image.ref.name` (a tag or a full reference). */
const OCI_REF = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,254}$/

/**
 * `image` as a source, or the problem with it (a sentence naming what is expected). Relative paths
 * are in `workspace`. As in skopeo, a path ends at its first `:` (a path holding `:` cannot be named).
 */
export function parseImageSource(image: string, workspace: string): ImageSource | string {
  const m = TRANSPORT.exec(image)
  if (!m) return { kind: 'docker', ref: image }
  const transport = m[1] as 'docker-daemon' | ArchiveKind
  const rest = m[2] ?? ''
  if (transport === 'docker-daemon') {
    return rest === ''
      ? 'docker-daemon: needs a local image, e.g. docker-daemon:widget:ci'
      : { kind: 'docker', ref: rest }
  }
  const colon = rest.indexOf(':')
  const file = colon < 0 ? rest : rest.slice(0, colon)
  const ref = colon < 0 ? undefined : rest.slice(colon + 1)
  const what = transport === 'oci' ? 'DIR' : 'FILE'
  if (file === '' || file.includes('\0'))
    return `${transport}: needs a path, e.g. ${transport}:${what === 'DIR' ? 'build/oci' : 'image.tar'}[:REF]`
  if (ref !== undefined && !OCI_REF.test(ref)) {
    return `${transport}:${what}:REF needs REF to be an image name or tag (letters, digits and . _ - : @ / +), got '${ref}'`
  }
  const source: ImageSource = { kind: transport, path: path.resolve(workspace, file) }
  if (ref !== undefined) source.ref = ref
  return source
}

export function describeSource(s: ImageSource): string {
  if (s.kind === 'docker') return `the local image ${s.ref}`
  return `${s.kind}:${s.path}${s.ref !== undefined ? `:${s.ref}` : ''}`
}
