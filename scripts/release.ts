/**
 * What the release workflow (.github/workflows/release.yml) decides, in one place it can be tested.
 *
 *   node scripts/release.ts check vX.Y.Z   validate the tag, print the plan as KEY=VALUE lines
 *   node scripts/release.ts notes vX.Y.Z   print the CHANGELOG.md section of X.Y.Z (the release notes)
 *
 * `check` fails unless: the tag is vX.Y.Z, package.json says X.Y.Z (the version src/version.ts and
 * the SARIF driver report), CHANGELOG.md has a non-empty section for X.Y.Z, and the tagged commit is
 * on origin/main. The plan says which major tag to move (vX), whether to move it (not when a higher
 * vX.* release exists: a fix to an older minor must not pull vX back) and whether the release is
 * the repository's latest (no higher version tag at all).
 *
 * Uses erasable TypeScript only, so Node 24 runs it as is.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export interface ReleaseTag {
  tag: string
  version: string
  major: string
  parts: [number, number, number]
}

const TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

export function parseReleaseTag(tag: string): ReleaseTag {
  const m = TAG.exec(tag)
  if (!m) throw new Error(`'${tag}' is not a release tag: expected vX.Y.Z (e.g. v1.2.3)`)
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number]
  return { tag, version: parts.join('.'), major: `v${parts[0]}`, parts }
}

const compare = (a: ReleaseTag, b: ReleaseTag): number =>
  a.parts[0] - b.parts[0] || a.parts[1] - b.parts[1] || a.parts[2] - b.parts[2]

/** Headings `## [1.2.3]`, `## [1.2.3] - 2026-01-31`, `## 1.2.3`, `## v1.2.3 – …`. */
const heading = (line: string): string | undefined => /^##\s+\[?v?([^\]\s]+)\]?(?:\s|$)/.exec(line)?.[1]

/** The body of CHANGELOG.md's section for `version`, without its heading and link definitions. */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.replace(/\r\n/g, '\n').split('\n')
  const start = lines.findIndex((l) => heading(l) === version)
  if (start < 0)
    throw new Error(
      `CHANGELOG.md has no section for ${version}: rename '## [Unreleased]' to '## [${version}] - YYYY-MM-DD' ` +
        `(and start a new empty Unreleased section) in the commit you tag.`,
    )
  let end = start + 1
  while (end < lines.length && !/^##?\s/.test(lines[end] as string)) end++
  const body = lines
    .slice(start + 1, end)
    .filter((l) => !/^\[[^\]]+\]:\s*\S+/.test(l))
    .join('\n')
    .trim()
  if (!/\S/.test(body.replace(/^#+.*$/gm, '')))
    throw new Error(`CHANGELOG.md's section for ${version} is empty: say what changed.`)
  return body + '\n'
}

export interface ReleasePlan {
  version: string
  major: string
  /** Move the major tag to this release: no higher release with the same major exists. */
  moveMajor: boolean
  /** Mark as the repository's latest release: no higher release exists at all. */
  latest: boolean
}

/** `tags`: every tag of the repository (others than vX.Y.Z are ignored). */
export function planRelease(tag: string, tags: readonly string[]): ReleasePlan {
  const t = parseReleaseTag(tag)
  const releases = tags.flatMap((x) => (TAG.test(x) ? [parseReleaseTag(x)] : []))
  const higher = releases.filter((r) => compare(r, t) > 0)
  return {
    version: t.version,
    major: t.major,
    moveMajor: !higher.some((r) => r.major === t.major),
    latest: higher.length === 0,
  }
}

const git = (root: string, ...args: string[]): string =>
  execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

export function checkRelease(root: string, tag: string): ReleasePlan & { commit: string } {
  const t = parseReleaseTag(tag)
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }
  if (pkg.version !== t.version)
    throw new Error(
      `package.json says version ${pkg.version ?? '(none)'}, the tag is ${tag}: set "version": "${t.version}" ` +
        `(npm version ${t.version} --no-git-tag-version), rebuild dist/, commit, and tag that commit.`,
    )
  changelogSection(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), t.version)
  const commit = git(root, 'rev-parse', `refs/tags/${tag}^{commit}`)
  try {
    git(root, 'merge-base', '--is-ancestor', commit, 'refs/remotes/origin/main')
  } catch {
    throw new Error(`${tag} (${commit}) is not on main: tag a commit of main.`)
  }
  const tags = git(root, 'tag', '--list').split('\n').filter(Boolean)
  return { ...planRelease(tag, tags), commit }
}

function main(argv: string[]): number {
  const [command, tag] = argv
  const root = path.resolve(import.meta.dirname, '..')
  try {
    if (command === 'check' && tag) {
      const plan = checkRelease(root, tag)
      console.log(`version=${plan.version}`)
      console.log(`commit=${plan.commit}`)
      console.log(`major=${plan.major}`)
      console.log(`move-major=${plan.moveMajor}`)
      console.log(`latest=${plan.latest}`)
      return 0
    }
    if (command === 'notes' && tag) {
      const { version } = parseReleaseTag(tag)
      process.stdout.write(
        changelogSection(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), version),
      )
      return 0
    }
    console.error('usage: node scripts/release.ts check|notes vX.Y.Z')
    return 2
  } catch (err) {
    console.error(`::error::${(err as Error).message}`)
    return 1
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2))
