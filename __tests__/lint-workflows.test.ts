// scripts/lint-workflows.ts: which README blocks are workflows, how they are wrapped and mapped back,
// actionlint's findings at the README's own lines, this action's inputs and outputs against
// action.yml, and the SHA-pin rule for the repository's workflows.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  actionlint,
  checkPins,
  checkThisAction,
  classify,
  lintRepository,
  markdownSnippets,
  readActionMeta,
  wrapSnippet,
  type Source,
} from '../scripts/lint-workflows.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const SHA = 'a'.repeat(40)

const README = [
  '# Demo', //                                    1
  '', //                                          2
  '```yaml', //                                   3
  'permissions:', //                              4
  '  contents: read', //                          5
  'steps:', //                                    6
  '  - id: ship', //                              7
  '    uses: org/ecr-supply-chain@v1', //         8
  '    with:', //                                 9
  '      image: widget:ci', //                    10
  '      repositry: acme/widget', //              11
  '  - run: echo "${{ steps.ship.outputs.image-ref }}"', // 12
  '```', //                                       13
  '', //                                          14
  '1. A list item with a step list:', //          15
  '   ```yml', //                                 16
  '   - uses: actions/checkout@v7', //            17
  '   - run: echo "${{ github.nope }}"', //       18
  '   ```', //                                    19
  '', //                                          20
  '```yaml', //                                   21
  '- id: CVE-2024-1', //                          22
  '  until: 2030-01-01', //                       23
  '```', //                                       24
  '', //                                          25
  '```sh', //                                     26
  'echo not yaml: [', //                          27
  '```', //                                       28
  '', //                                          29
  '```yaml', //                                   30
  'on: push', //                                  31
  'jobs:', //                                     32
  '  a:', //                                      33
  '    runs-on: ubuntu-latest', //                34
  '    steps:', //                                35
  '      - run: echo "${{ steps.ship.outputs.nothing }}"', // 36
  '```', //                                       37
  '', //                                          38
  '```yaml', //                                   39
  'key: [unclosed', //                            40
  '```', //                                       41
].join('\n')

const META = readActionMeta(
  'inputs:\n  image: {}\n  repository: {}\n  tags: {}\noutputs:\n  image-ref: {}\n  image-digest: {}\n',
)

describe('README blocks', () => {
  const { snippets, skipped, problems } = markdownSnippets(README, 'README.md')

  it('workflows, jobs and step lists are linted; other YAML is not; YAML that does not parse is a problem', () => {
    expect(snippets.map((s) => [s.line, s.kind, s.indent])).toEqual([
      [4, 'job', 0],
      [17, 'steps', 3],
      [31, 'workflow', 0],
    ])
    expect(skipped).toEqual([
      { file: 'README.md', line: 22, reason: expect.stringContaining('not all steps') },
    ])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ file: 'README.md', line: 40, kind: 'yaml' })
  })

  it.each([
    [{ on: 'push', jobs: {} }, 'workflow'],
    [{ steps: [] }, 'job'],
    [[{ uses: 'a/b@v1' }, { run: 'x' }], 'steps'],
    [[{ id: 'CVE-1' }], "a list whose items are not all steps (a mapping with 'uses' or 'run')"],
    [[], "a list whose items are not all steps (a mapping with 'uses' or 'run')"],
    [{ rules: [] }, "a mapping without 'jobs' or 'steps' (keys: rules)"],
    ['text', 'not a mapping or a list'],
  ])('classify %j', (value, kind) => {
    expect(classify(value)).toBe(kind)
  })

  it('a wrapped job or step list is a whole workflow; a workflow is linted as it is', () => {
    const [job, steps, workflow] = snippets.map(wrapSnippet) as [Source, Source, Source]
    expect(job.text).toMatch(
      /^name: README snippet\non: workflow_dispatch\njobs:\n {2}snippet:\n {4}runs-on: ubuntu-latest\n {4}permissions:\n/,
    )
    expect(steps.text).toContain('    steps:\n      - uses: actions/checkout@v7\n')
    expect(workflow).toMatchObject({ text: snippets[2]?.text, offset: 0 })
  })

  it("actionlint's findings point at the README's line and column", async () => {
    const steps = wrapSnippet(snippets[1] as (typeof snippets)[number])
    const found = await actionlint(steps)
    expect(found).toEqual([
      expect.objectContaining({ file: 'README.md', line: 18, column: 21, kind: 'expression' }),
    ])
    expect(found[0]?.message).toContain('property "nope" is not defined')
  })

  it('this action: an input action.yml lacks is reported at its line, with the likely name', () => {
    const job = wrapSnippet(snippets[0] as (typeof snippets)[number])
    expect(checkThisAction(job, META)).toEqual([
      {
        file: 'README.md',
        line: 11,
        column: 7,
        message:
          'input "repositry" is not defined in action.yml (uses: org/ecr-supply-chain@v1): did you mean "repository"?',
        kind: 'ecr-supply-chain',
      },
    ])
  })

  it("this action: outputs read from its step must be action.yml's; other steps' ids are not ours", () => {
    const wf = (run: string, uses = './'): Source => ({
      file: 'w.yml',
      text: `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - id: ship\n        uses: ${uses}\n      - run: ${run}\n`,
      offset: 0,
      line: 1,
      shift: 0,
    })
    expect(checkThisAction(wf('echo ${{ steps.ship.outputs.image-digest }}'), META)).toEqual([])
    expect(checkThisAction(wf('echo ${{ steps.ship.outputs.image-digests }}'), META)).toEqual([
      expect.objectContaining({
        line: 8,
        message:
          'output "image-digests" of step "ship" is not defined in action.yml: did you mean "image-digest"?',
      }),
    ])
    expect(checkThisAction(wf('echo ${{ steps.ship.outputs.whatever }}', 'actions/cache@v4'), META)).toEqual(
      [],
    )
  })
})

describe('pins in the repository workflows', () => {
  it.each([
    [`      - uses: actions/checkout@${SHA} # v7.0.1`, []],
    [`    uses: github/codeql-action/init@${SHA} # v4.36.2`, []],
    [`      - uses: './'`, []],
    [`      - uses: ./.github/actions/x`, []],
    [`        uses: ./.github/workflows/ci.yml`, []],
    [`      - uses: docker://alpine@sha256:${'b'.repeat(64)}`, []],
    ['      - uses: actions/checkout@v7', ['"actions/checkout@v7" is not pinned to a full commit SHA']],
    [`      - uses: actions/checkout@${SHA.slice(0, 12)} # v7`, ['is not pinned to a full commit SHA']],
    [`      - uses: actions/checkout@${SHA}`, ['has no version comment: add "# vX.Y.Z" after the SHA']],
    [`      - uses: actions/checkout@${SHA} # latest`, ['has no version comment']],
  ])('%s', (line, want) => {
    const found = checkPins('w.yml', `steps:\n${line}\n`)
    expect(found.map((p) => p.line)).toEqual(want.map(() => 2))
    want.forEach((w, i) => expect(found[i]?.message).toContain(w))
  })
})

describe('the repository', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
  })

  it("the README's snippets are found (the extraction is not silently linting nothing)", () => {
    const { snippets } = markdownSnippets(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), 'README.md')
    expect(snippets.length).toBeGreaterThanOrEqual(3)
    expect(snippets.some((s) => s.kind === 'job' && s.text.includes('ecr-supply-chain@'))).toBe(true)
  })

  it('lintRepository reports every kind of problem, in file and line order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-lint-'))
    dirs.push(dir)
    fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true })
    fs.writeFileSync(
      path.join(dir, 'action.yml'),
      'name: x\ninputs:\n  image: {}\noutputs:\n  image-ref: {}\n',
    )
    fs.writeFileSync(
      path.join(dir, '.github/workflows/ci.yml'),
      'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v7\n' +
        '      - uses: ./\n        with:\n          imag: x\n      - run: echo ${{ matrix.nope }}\n',
    )
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      '```yaml\n- uses: org/ecr-supply-chain@v1\n  with:\n    tag: x\n```\n',
    )
    fs.mkdirSync(path.join(dir, 'examples/workflows'), { recursive: true })
    fs.writeFileSync(
      path.join(dir, 'examples/workflows/recheck.yml'),
      'on:\n  schedule:\n    - cron: "1 2 * * *"\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n' +
        '      - uses: org/ecr-supply-chain@v1\n        with:\n          imgae: x\n      - run: echo ${{ matrix.nope }}\n',
    )
    const report = await lintRepository(dir)
    expect(report.workflows).toBe(1)
    expect(report.examples).toBe(1)
    expect(report.snippets).toHaveLength(1)
    // The example is linted like a workflow (actionlint, this action's inputs), without the pin rule.
    expect(report.problems.map((p) => [p.file, p.line, p.kind])).toEqual([
      ['.github/workflows/ci.yml', 6, 'pin'],
      ['.github/workflows/ci.yml', 9, 'ecr-supply-chain'],
      ['.github/workflows/ci.yml', 10, 'expression'],
      ['examples/workflows/recheck.yml', 10, 'ecr-supply-chain'],
      ['examples/workflows/recheck.yml', 11, 'expression'],
      ['README.md', 4, 'ecr-supply-chain'],
    ])
  })
})
