/**
 * Every file the action writes goes through here, and none is opened by following a link:
 * - files of its own (the report, the audit JSON) go into a private directory of the step, made
 *   fresh under RUNNER_TEMP (`ecr-supply-chain-files-<step>-XXXXXX`, private-dir.ts), and are created
 *   exclusively (O_CREAT|O_EXCL|O_NOFOLLOW): a shared RUNNER_TEMP with planted links cannot
 *   redirect them, and two steps of a job never share a name;
 * - a file whose name the user chose (`sarif-file`, default `ecr-scan.sarif`) is written to a new
 *   temporary file beside it (exclusive) and renamed over it: rename replaces a link that appeared
 *   meanwhile instead of writing through it, and never touches a directory. paths.ts has already
 *   refused a link, a directory or a place outside the workspace and RUNNER_TEMP.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { runnerTempDir } from './docker.js'
import { createPrivateDir } from './private-dir.js'

const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/**
 * Writes text given in chunks, 64 KiB at a time, into a file that must not exist yet: the SARIF
 * of 50,000 findings is never whole in memory, and short-lived buffers keep the peak RSS down
 * (npm run bench, 50k findings: 1 MiB buffers ~318 MiB, 256 KiB ~300 MiB, 64 KiB ~274 MiB).
 */
export async function writeNewFile(file: string, chunks: Iterable<string>): Promise<void> {
  const fh = await fs.open(file, EXCLUSIVE, 0o644)
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
}

/**
 * Writes `file` (a name the user chose) by a new file beside it and a rename. Refuses to replace a
 * link or anything but a regular file. Returns whether a file was there before (replaced).
 */
export async function replaceFile(file: string, chunks: Iterable<string>): Promise<{ replaced: boolean }> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeNewFile(tmp, chunks)
    const before = await fs.lstat(file).catch(() => undefined)
    if (before !== undefined && !before.isFile()) {
      throw new Error(
        `${file} is ${before.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: not replaced`,
      )
    }
    await fs.rename(tmp, file)
    return { replaced: before !== undefined }
  } catch (err) {
    await fs.rm(tmp, { force: true })
    throw err
  }
}

/** The step's private directory for its own files, made on first use (once per step). */
export type OutputDir = () => Promise<string>

/** Prefix of a step's output directory; the step's id (GITHUB_ACTION) follows, for people. */
export const OUTPUT_DIR_PREFIX = 'ecr-supply-chain-files-'

export function outputDir(env: NodeJS.ProcessEnv): OutputDir {
  let made: Promise<string> | undefined
  const step = (env.GITHUB_ACTION ?? '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'step'
  return () => {
    made ??= createPrivateDir(runnerTempDir(env), `${OUTPUT_DIR_PREFIX}${step}-`, { marker: false }).then(
      (d) => d.dir,
    )
    return made
  }
}
