// npm run bundle: dist/ from src/ with ncc (main and post), then every chunk minified with terser.
//
// Why terser after ncc: ncc's --minify minifies only the entry file, not the chunks it splits off
// for lazy imports, and those chunks are where the weight is (the AWS SDK, @actions/github with
// octokit and undici). Minified, dist/ stays inside its 2.5 MB budget (issue 10) while the action
// keeps the design card's packages. Class and function names are kept: error names and stack traces
// stay readable, and nothing that reads a constructor's name can break.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { minify } from 'terser'

const root = path.resolve(import.meta.dirname, '..')
const dist = path.join(root, 'dist')
const ncc = path.join(root, 'node_modules', '.bin', 'ncc')

fs.rmSync(dist, { recursive: true, force: true })
const build = (entry: string, out: string, extra: string[] = []): void => {
  execFileSync(ncc, ['build', entry, '-o', out, '--target', 'es2022', ...extra], {
    cwd: root,
    stdio: 'inherit',
  })
}
build('src/index.ts', 'dist', ['--license', 'licenses.txt'])
build('src/post.ts', 'dist/post')

const files = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : e.name.endsWith('.js') ? [p] : []
  })

let before = 0
let after = 0
for (const file of files(dist)) {
  const code = fs.readFileSync(file, 'utf8')
  const out = await minify(code, {
    module: true,
    ecma: 2022,
    compress: { passes: 1 },
    mangle: true,
    keep_classnames: true,
    keep_fnames: true,
    format: { comments: false },
  })
  if (out.code === undefined) throw new Error(`terser produced nothing for ${file}`)
  fs.writeFileSync(file, `${out.code}\n`)
  before += code.length
  after += out.code.length + 1
}
const kb = (n: number): string => `${Math.round(n / 1024)} KiB`
console.log(`minified ${files(dist).length} files: ${kb(before)} -> ${kb(after)}`)
