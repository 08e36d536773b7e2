// Where the action may read and write (src/paths.ts): the pure rules as a table, the facts read
// from a real directory tree with links, and the writers of src/files.ts (nothing through a link).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replaceFile, writeNewFile } from '../src/files.ts'
import {
  checkPaths,
  isWithin,
  pathFacts,
  pathProblem,
  roots,
  type PathFacts,
  type PathKind,
} from '../src/paths.ts'
import { parseInputs } from '../src/inputs.ts'

const R = { workspace: '/w', runnerTemp: '/t' }
const facts = (p: string, over: Partial<PathFacts> = {}): PathFacts => ({
  path: p,
  real: p,
  type: 'missing',
  ...over,
})

describe('pathProblem', () => {
  it.each<[string, PathKind, PathFacts, RegExp | undefined]>([
    // output files
    ['a new file in the workspace', 'output-file', facts('/w/ecr-scan.sarif'), undefined],
    ['a regular file to replace', 'output-file', facts('/w/a.sarif', { type: 'file' }), undefined],
    ['a new file in RUNNER_TEMP', 'output-file', facts('/t/x/a.sarif'), undefined],
    ['a symlink', 'output-file', facts('/w/ecr-scan.sarif', { type: 'symlink' }), /is a symbolic link/],
    ['a directory', 'output-file', facts('/w/out', { type: 'directory' }), /'out' is a directory/],
    ['a FIFO', 'output-file', facts('/w/fifo', { type: 'other' }), /is a special file/],
    [
      'outside',
      'output-file',
      facts('/etc/passwd', { type: 'file' }),
      /'\/etc\/passwd' is outside the workspace and RUNNER_TEMP/,
    ],
    ['.. out of the workspace', 'output-file', facts('/x.sarif'), /outside the workspace/],
    [
      'through a symlinked directory',
      'output-file',
      facts('/w/linked/a.sarif', { real: '/etc/a.sarif' }),
      /resolves to \/etc\/a\.sarif, which is outside/,
    ],
    ['a prefix is not inside', 'output-file', facts('/w2/a.sarif'), /outside/],
    // output directories
    ['a new directory', 'output-dir', facts('/w/rootfs'), undefined],
    ['an empty directory', 'output-dir', facts('/w/rootfs', { type: 'directory', empty: true }), undefined],
    [
      'a non-empty directory',
      'output-dir',
      facts('/w/rootfs', { type: 'directory', empty: false }),
      /is not empty/,
    ],
    ['a symlinked directory', 'output-dir', facts('/w/rootfs', { type: 'symlink' }), /symbolic link/],
    ['a file', 'output-dir', facts('/w/rootfs', { type: 'file' }), /is a file, not a directory/],
    ['outside', 'output-dir', facts('/home/u/rootfs'), /outside the workspace and RUNNER_TEMP/],
    // input files
    ['a file in the workspace', 'input-file', facts('/w/.github/ignore.yml', { type: 'file' }), undefined],
    ['a missing file (its reader says so)', 'input-file', facts('/w/none.yml'), undefined],
    [
      'a link to a file inside',
      'input-file',
      facts('/w/l', { type: 'symlink', targetType: 'file', real: '/w/f' }),
      undefined,
    ],
    [
      'a link out of the workspace',
      'input-file',
      facts('/w/l', { type: 'symlink', targetType: 'file', real: '/etc/shadow' }),
      /resolves to \/etc\/shadow, which is outside the workspace\./,
    ],
    [
      'a file in RUNNER_TEMP',
      'input-file',
      facts('/t/ignore.yml', { type: 'file' }),
      /outside the workspace\./,
    ],
    ['a directory', 'input-file', facts('/w/.github', { type: 'directory' }), /is a directory, not a file/],
  ])('%s (%s)', (_name, kind, f, problem) => {
    const got = pathProblem('some-input', kind, f, R)
    if (problem === undefined) expect(got).toBeUndefined()
    else {
      expect(got).toMatch(problem)
      expect(got).toMatch(/^Invalid input 'some-input': .*\. Expected /)
    }
  })

  it.each([
    ['/w', '/w', true],
    ['/w', '/w/a', true],
    ['/w', '/w2', false],
    ['/w', '/', false],
    ['/w', '/w/../x', false],
    ['/w', '/w/..a', true],
  ])('isWithin(%s, %s) = %s', (root, p, inside) => {
    expect(isWithin(root, path.resolve(p))).toBe(inside)
  })
})

describe('on a real tree', () => {
  let base: string
  let ws: string
  let temp: string
  let outside: string
  const env = (): NodeJS.ProcessEnv => ({ GITHUB_WORKSPACE: ws, RUNNER_TEMP: temp })

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'paths-test-'))
    ws = path.join(base, 'ws')
    temp = path.join(base, 'temp')
    outside = path.join(base, 'outside')
    for (const d of [ws, temp, outside]) fs.mkdirSync(d)
    fs.writeFileSync(path.join(outside, 'secret'), 'TOP-SECRET\n')
    fs.symlinkSync(path.join(outside, 'secret'), path.join(ws, 'ecr-scan.sarif'))
    fs.symlinkSync(outside, path.join(ws, 'linked'))
    fs.symlinkSync(path.join(outside, 'secret'), path.join(ws, 'ignore.yml'))
    fs.writeFileSync(path.join(ws, 'good.yml'), '- CVE-1\n')
    fs.mkdirSync(path.join(ws, 'full'))
    fs.writeFileSync(path.join(ws, 'full', 'x'), '')
  })
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

  it('reads the facts: links not followed for outputs, followed for inputs', async () => {
    const r = await roots(env())
    expect(await pathFacts(path.join(ws, 'ecr-scan.sarif'), 'output-file')).toMatchObject({ type: 'symlink' })
    const through = await pathFacts(path.join(ws, 'linked', 'new', 'a.sarif'), 'output-file')
    expect(through).toMatchObject({
      type: 'missing',
      real: path.join(fs.realpathSync(outside), 'new', 'a.sarif'),
    })
    expect(pathProblem('sarif-file', 'output-file', through, r)).toMatch(
      /outside the workspace and RUNNER_TEMP/,
    )
    const input = await pathFacts(path.join(ws, 'ignore.yml'), 'input-file')
    expect(input).toMatchObject({
      type: 'symlink',
      targetType: 'file',
      real: fs.realpathSync(path.join(outside, 'secret')),
    })
  })

  it('checkPaths: every problem at once, naming each input; file contents never in the message', async () => {
    const inputs = parseInputs(
      (name) =>
        ({
          image: 'widget:ci',
          repository: 'acme/widget',
          tags: 't1',
          'aws-region': 'us-east-1',
          'ignore-file': 'ignore.yml',
          'sarif-file': 'ecr-scan.sarif',
          'export-filesystem': 'full',
          'lifecycle-policy': 'good.yml',
        })[name] ?? '',
      env(),
    )
    const err = (await checkPaths(inputs, env()).then(
      () => ({ problems: [] }),
      (e: unknown) => e,
    )) as { problems: string[] }
    expect(err.problems).toEqual([
      expect.stringMatching(
        /^Invalid input 'ignore-file': 'ignore.yml' resolves to .*outside\/secret, which is outside the workspace\./,
      ),
      expect.stringMatching(/^Invalid input 'sarif-file': 'ecr-scan.sarif' is a symbolic link/),
      expect.stringMatching(/^Invalid input 'export-filesystem': 'full' is not empty/),
    ])
    expect(JSON.stringify(err.problems)).not.toContain('TOP-SECRET')
  })

  it('writeNewFile never writes through a link or over a file', async () => {
    await expect(writeNewFile(path.join(ws, 'ecr-scan.sarif'), ['x'])).rejects.toThrow(/EEXIST|ELOOP/)
    await expect(writeNewFile(path.join(ws, 'good.yml'), ['x'])).rejects.toThrow(/EEXIST/)
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('TOP-SECRET\n')
    await writeNewFile(path.join(temp, 'new.json'), ['a', 'b'])
    expect(fs.readFileSync(path.join(temp, 'new.json'), 'utf8')).toBe('ab')
  })

  it('replaceFile replaces a regular file, refuses a link, leaves no temporary file', async () => {
    const file = path.join(ws, 'replace.sarif')
    expect(await replaceFile(file, ['one'])).toEqual({ replaced: false })
    expect(await replaceFile(file, ['two'])).toEqual({ replaced: true })
    expect(fs.readFileSync(file, 'utf8')).toBe('two')
    await expect(replaceFile(path.join(ws, 'ecr-scan.sarif'), ['x'])).rejects.toThrow(
      /symbolic link: not replaced/,
    )
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('TOP-SECRET\n')
    expect(fs.readdirSync(ws).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })
})
