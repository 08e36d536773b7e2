// Release readiness: the license, the changelog and what the release workflow decides from it
// (scripts/release.ts, also against a real git repository), and action.yml's Marketplace metadata.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { changelogSection, checkRelease, parseReleaseTag, planRelease } from '../scripts/release.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const read = (f: string): string => fs.readFileSync(path.join(ROOT, f), 'utf8')
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', `safe.directory=${cwd}`, '-C', cwd, ...args], { encoding: 'utf8' }).trim()

describe('LICENSE', () => {
  it('is the MIT license package.json names, held by the contributors', () => {
    const license = read('LICENSE')
    expect(JSON.parse(read('package.json')).license).toBe('MIT')
    expect(license).toMatch(/^MIT License\n/)
    expect(license).toContain('Permission is hereby granted, free of charge, to any person obtaining a copy')
    expect(license).toMatch(/^Copyright \(c\) \d{4}(?:-\d{4})? ecr-supply-chain contributors$/m)
  })

  it("is dated from the project's first commit", () => {
    const year = Number(/^Copyright \(c\) (\d{4})/m.exec(read('LICENSE'))?.[1])
    // Author dates, oldest first. A shallow clone only shows its newest commits: then the license
    // year can only be checked not to be later than the oldest one visible.
    const years = git(ROOT, 'log', '--format=%ad', '--date=format:%Y').split('\n').map(Number)
    const first = Math.min(...years)
    if (git(ROOT, 'rev-parse', '--is-shallow-repository') === 'true') expect(year).toBeLessThanOrEqual(first)
    else expect(year).toBe(first)
  })
})

describe('CHANGELOG.md', () => {
  const changelog = read('CHANGELOG.md')

  it('is in Keep a Changelog form: an Unreleased section, then versions with dates', () => {
    expect(changelog).toMatch(/^# Changelog\n/)
    expect(changelog).toContain('https://keepachangelog.com/en/1.1.0/')
    const headings = changelog.split('\n').filter((l) => l.startsWith('## '))
    expect(headings[0]).toBe('## [Unreleased]')
    for (const h of headings.slice(1)) expect(h).toMatch(/^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/)
    const kinds = changelog.split('\n').filter((l) => l.startsWith('### '))
    for (const k of kinds) expect(k).toMatch(/^### (Added|Changed|Deprecated|Removed|Fixed|Security)$/)
  })

  it('describes what exists under Unreleased', () => {
    const unreleased = changelogSection(changelog, 'Unreleased')
    for (const part of ['Push pipeline', 'Scan gate', 'Repository governance', 'Image audit', 'Test bed'])
      expect(unreleased).toContain(`**${part}.**`)
  })

  it('every released version has a section the release workflow can publish', () => {
    const versions = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\]/gm)].map((m) => m[1] as string)
    for (const v of versions) expect(changelogSection(changelog, v)).toMatch(/\S/)
  })
})

describe('release tags', () => {
  it.each([
    ['v1.2.3', { version: '1.2.3', major: 'v1' }],
    ['v0.1.0', { version: '0.1.0', major: 'v0' }],
    ['v10.0.12', { version: '10.0.12', major: 'v10' }],
  ])('%s', (tag, want) => {
    expect(parseReleaseTag(tag)).toMatchObject(want)
  })

  it.each(['1.2.3', 'v1.2', 'v1', 'v01.2.3', 'v1.2.3-rc.1', 'v1.2.3 ', 'release-1.2.3'])(
    '%j is refused',
    (tag) => {
      expect(() => parseReleaseTag(tag)).toThrow(/is not a release tag: expected vX\.Y\.Z/)
    },
  )
})

describe('release notes from the changelog', () => {
  const text = [
    '# Changelog',
    '',
    'Intro.',
    '',
    '## [Unreleased]',
    '',
    '### Added',
    '',
    '- next thing',
    '',
    '## [1.1.0] - 2026-03-01',
    '',
    '### Fixed',
    '',
    '- a fix',
    '  continued',
    '',
    '## [1.0.0] - 2026-01-02',
    '### Added',
    '- first',
    '',
    '## [0.9.0] - 2025-12-01',
    '',
    '### Added',
    '',
    '[1.1.0]: https://example.invalid/compare/v1.0.0...v1.1.0',
    '[1.0.0]: https://example.invalid/releases/v1.0.0',
  ].join('\n')

  it('is the section of that version, up to the next version', () => {
    expect(changelogSection(text, '1.1.0')).toBe('### Fixed\n\n- a fix\n  continued\n')
    expect(changelogSection(text, '1.0.0')).toBe('### Added\n- first\n')
  })

  it('a missing section says how to make one', () => {
    expect(() => changelogSection(text, '2.0.0')).toThrow(
      "CHANGELOG.md has no section for 2.0.0: rename '## [Unreleased]' to '## [2.0.0] - YYYY-MM-DD'",
    )
  })

  it('an empty section (headings only, link definitions) is refused', () => {
    expect(() => changelogSection(text, '0.9.0')).toThrow("CHANGELOG.md's section for 0.9.0 is empty")
  })

  it('also finds unbracketed and v-prefixed headings', () => {
    expect(changelogSection('## v2.0.0 – 2026-05-05\n- big\n', '2.0.0')).toBe('- big\n')
    expect(changelogSection('## 2.0.1\n- small\n## 2.0.0\n- big\n', '2.0.1')).toBe('- small\n')
  })

  it('the CLI prints an error for a version without a section and exits 1', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/release.ts'), 'notes', 'v999.0.0'], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('::error::CHANGELOG.md has no section for 999.0.0')
  })
})

describe('release plan: which tags move', () => {
  const tags = ['v1', 'v1.0.0', 'v1.1.0', 'v1.1.1', 'v2', 'v2.0.0', 'nightly', 'v2.0.0-rc.1']

  it.each([
    ['v2.1.0', { major: 'v2', moveMajor: true, latest: true }],
    ['v2.0.1', { major: 'v2', moveMajor: true, latest: true }],
    ['v1.2.0', { major: 'v1', moveMajor: true, latest: false }],
    ['v1.1.2', { major: 'v1', moveMajor: true, latest: false }],
    ['v1.0.1', { major: 'v1', moveMajor: false, latest: false }],
    ['v3.0.0', { major: 'v3', moveMajor: true, latest: true }],
  ])('%s', (tag, want) => {
    expect(planRelease(tag, [...tags, tag])).toMatchObject(want)
  })

  it('the first release moves (creates) its major and is the latest', () => {
    expect(planRelease('v0.1.0', ['v0.1.0'])).toEqual({
      version: '0.1.0',
      major: 'v0',
      moveMajor: true,
      latest: true,
    })
  })
})

describe('release check against a git repository', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
  })

  function repo(version: string, changelog: string): { dir: string; commit: (msg: string) => string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-release-'))
    dirs.push(dir)
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', version }))
    fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), changelog)
    git(dir, 'init', '-q', '-b', 'main')
    const commit = (msg: string): string => {
      git(dir, 'add', '-A')
      git(
        dir,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.invalid',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        msg,
      )
      return git(dir, 'rev-parse', 'HEAD')
    }
    return { dir, commit }
  }
  const CHANGES = '# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-02-02\n\n### Added\n\n- x\n'

  it('a tag of main with matching package.json and changelog: the plan', () => {
    const { dir, commit } = repo('1.4.0', CHANGES)
    const sha = commit('release 1.4.0')
    git(dir, 'update-ref', 'refs/remotes/origin/main', sha)
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'tag', '-a', 'v1.4.0', '-m', 'v1.4.0')
    git(dir, 'tag', 'v1.3.9')
    expect(checkRelease(dir, 'v1.4.0')).toEqual({
      version: '1.4.0',
      commit: sha, // the commit, not the annotated tag's object
      major: 'v1',
      moveMajor: true,
      latest: true,
    })
  })

  it('package.json with another version is refused, naming both', () => {
    const { dir, commit } = repo('1.3.0', CHANGES)
    git(dir, 'update-ref', 'refs/remotes/origin/main', commit('c'))
    git(dir, 'tag', 'v1.4.0')
    expect(() => checkRelease(dir, 'v1.4.0')).toThrow(
      'package.json says version 1.3.0, the tag is v1.4.0: set "version": "1.4.0"',
    )
  })

  it('a tag of a commit that is not on main is refused', () => {
    const { dir, commit } = repo('1.4.0', CHANGES)
    git(dir, 'update-ref', 'refs/remotes/origin/main', commit('on main'))
    git(dir, 'checkout', '-q', '-b', 'side')
    const side = commit('side branch')
    git(dir, 'tag', 'v1.4.0', side)
    expect(() => checkRelease(dir, 'v1.4.0')).toThrow(`v1.4.0 (${side}) is not on main`)
  })

  it('no changelog section for the version is refused', () => {
    const { dir, commit } = repo('1.5.0', CHANGES)
    git(dir, 'update-ref', 'refs/remotes/origin/main', commit('c'))
    git(dir, 'tag', 'v1.5.0')
    expect(() => checkRelease(dir, 'v1.5.0')).toThrow('CHANGELOG.md has no section for 1.5.0')
  })
})

describe('action.yml is ready for the Marketplace', () => {
  const meta = parse(read('action.yml')) as {
    name: string
    description: string
    author?: string
    branding: { icon: string; color: string }
    runs: { using: string }
  }
  const icons = new Set(
    fs
      .readFileSync(path.join(import.meta.dirname, 'fixtures/release/marketplace-icons.txt'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#')),
  )

  it('description at most 125 characters, one line', () => {
    expect(meta.description.length).toBeGreaterThan(20)
    expect(meta.description.length).toBeLessThanOrEqual(125)
    expect(meta.description).not.toContain('\n')
  })

  it('a name, and branding from the icons and colours GitHub supports', () => {
    expect(meta.name).toMatch(/^[A-Za-z][\w .-]{2,}$/)
    expect(icons.size).toBeGreaterThan(250)
    expect(icons.has(meta.branding.icon)).toBe(true)
    expect(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(
      meta.branding.color,
    )
    expect(meta.runs.using).toBe('node24')
  })
})
