/**
 * Directories of our own under RUNNER_TEMP (the private docker config, the report files): created
 * fresh with a random name (mkdtemp, mode 0700, so nothing planted in a shared RUNNER_TEMP can be
 * in the way), and marked with a file holding a random ID that only the step that created the
 * directory knows. The post step removes a directory only when it can verify all of that; saved
 * state that names anything else (a forged `save-state`, a planted link) is ignored.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

/** The marker file inside every directory of ours; it holds the directory's random ID. */
export const MARKER = '.ecr-supply-chain'

export interface PrivateDir {
  dir: string
  /** The random ID in the marker (saved in state for the post step). */
  id: string
}

/**
 * A new private directory `<parent>/<prefix>XXXXXX` (0700) with its marker (`marker: false`: a
 * directory the post step never removes, such as the report files' one, needs none).
 */
export async function createPrivateDir(
  parent: string,
  prefix: string,
  opts: { marker?: boolean } = {},
): Promise<PrivateDir> {
  await fs.mkdir(parent, { recursive: true })
  const dir = await fs.mkdtemp(path.join(parent, prefix))
  await fs.chmod(dir, 0o700)
  const id = randomBytes(16).toString('hex')
  if (opts.marker !== false) await writeExclusive(path.join(dir, MARKER), id)
  return { dir, id }
}

/** Creates `file` (0600) with `text`; fails if anything, a symlink included, is already there. */
export async function writeExclusive(file: string, text: string): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
  const fh = await fs.open(file, flags, 0o600)
  try {
    await fh.writeFile(text, 'utf8')
  } finally {
    await fh.close()
  }
}

export type Verdict = { ok: true } | { ok: false; gone: boolean; reason: string }

/**
 * Whether `dir` is a directory this action created: directly under `parent` with `prefix` and
 * mkdtemp's six characters, a real directory (not a link), owned by this user, mode 0700, holding
 * the marker with `id`. `gone`: there is nothing there (already removed).
 */
export async function verifyPrivateDir(
  dir: string,
  id: string,
  parent: string,
  prefix: string,
): Promise<Verdict> {
  const bad = (reason: string): Verdict => ({ ok: false, gone: false, reason })
  if (!path.isAbsolute(dir) || path.dirname(dir) !== path.resolve(parent))
    return bad(`not directly under ${parent}`)
  const name = path.basename(dir)
  if (!name.startsWith(prefix) || !/^[A-Za-z0-9]{6}$/.test(name.slice(prefix.length)))
    return bad(`not named ${prefix}XXXXXX`)
  const st = await fs.lstat(dir).catch((err: unknown) => err as NodeJS.ErrnoException)
  if (st instanceof Error)
    return st.code === 'ENOENT' ? { ok: false, gone: true, reason: 'gone' } : bad(st.message)
  if (!st.isDirectory()) return bad(st.isSymbolicLink() ? 'a symbolic link' : 'not a directory')
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return bad('owned by another user')
  if ((st.mode & 0o777) !== 0o700) return bad(`mode ${(st.mode & 0o777).toString(8)}, not 700`)
  const marker = await readMarker(path.join(dir, MARKER))
  if (marker === undefined || !/^[a-f0-9]{32}$/.test(id) || marker !== id)
    return bad('its marker does not match')
  return { ok: true }
}

async function readMarker(file: string): Promise<string | undefined> {
  try {
    const fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      return (await fh.readFile('utf8')).slice(0, 64)
    } finally {
      await fh.close()
    }
  } catch {
    return undefined
  }
}
