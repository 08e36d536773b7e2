// A job summary (or a pull request comment) as a reviewer sees it: the markdown rendered as GitHub
// does (gfm.ts), loaded into headless Chromium (Debian's `chromium`, driven by playwright-core; no
// browser download) with GitHub's markdown stylesheet, screenshotted, and queried.
//
//   const view = await renderSummary(run.summary, { name: 'gate-failed' })
//   expect(await view.problems()).toEqual([])          // the generic checks below
//   expect((await view.query('h3'))[0]?.text).toMatch(/^❌/)
//
// Screenshots (collapsed as GitHub first shows it, and with every <details> open) and the HTML go to
// test-artifacts/summary/ (TEST_ARTIFACTS overrides), which CI uploads as an artifact.
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { renderGfm } from './gfm.ts'
import { REPO_ROOT } from './runner.ts'

export interface ElementInfo {
  tag: string
  /** innerText: what a reader sees (empty when hidden). */
  text: string
  /** textContent, hidden parts included. */
  content: string
  visible: boolean
  attrs: Record<string, string>
  html: string
}

export interface CheckOptions {
  /** The first element is a heading with the verdict (✅ ❌ ⚠️ ⏭️); default true. */
  verdictFirst?: boolean
}

export interface SummaryView {
  markdown: string
  /** The sanitised HTML fragment GitHub would show. */
  html: string
  /** PNG as first shown (details collapsed). */
  screenshot: string
  /** PNG with every <details> open. */
  screenshotExpanded: string
  page: Page
  query(selector: string): Promise<ElementInfo[]>
  /** The generic checks every summary must pass: [] when all hold, else one line per problem. */
  problems(opts?: CheckOptions): Promise<string[]>
  close(): Promise<void>
}

export interface RenderOptions {
  /** File name stem of the screenshots: letters, digits, - and _. */
  name: string
  /** Comment rendering (single newlines are line breaks). */
  breaks?: boolean
  /** Viewport width; GitHub's summary column is about 1012 px wide. */
  width?: number
}

export const ARTIFACTS = path.resolve(process.env['TEST_ARTIFACTS'] ?? path.join(REPO_ROOT, 'test-artifacts'))

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
]

/** Chromium: CHROMIUM_PATH, else the usual install paths. Never skipped: missing is an error. */
export function chromiumPath(): string {
  const env = process.env['CHROMIUM_PATH']
  if (env) {
    if (!fs.existsSync(env)) throw new Error(`CHROMIUM_PATH=${env} does not exist`)
    return env
  }
  const found = CANDIDATES.find((p) => fs.existsSync(p))
  if (!found) {
    throw new Error(
      'No Chromium for the summary rendering tests: apt-get install -y chromium (or set CHROMIUM_PATH)',
    )
  }
  return found
}

let browser: Promise<Browser> | undefined

function launch(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: chromiumPath(),
    // playwright gives every launch a fresh profile directory of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  })
  return browser
}

/** Closes the shared browser (call in afterAll). */
export async function closeBrowser(): Promise<void> {
  const b = browser
  browser = undefined
  if (b) await (await b).close()
}

const BROWSER_CHECKS = path.join(REPO_ROOT, '__tests__', 'testbed', 'summary-checks.browser.js')
const CSS = fs.readFileSync(
  path.join(REPO_ROOT, 'node_modules', 'github-markdown-css', 'github-markdown-light.css'),
  'utf8',
)

function htmlPage(fragment: string, title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>${CSS}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; max-width: 1012px; padding: 24px; }
</style></head><body><article class="markdown-body" id="summary">${fragment}</article></body></html>`
}

/** Renders `markdown` as GitHub would and opens it in Chromium. */
export async function renderSummary(markdown: string, opts: RenderOptions): Promise<SummaryView> {
  if (!/^[\w-]{1,80}$/.test(opts.name)) throw new Error(`renderSummary: bad name ${opts.name}`)
  const html = renderGfm(markdown, opts.breaks ? { breaks: true } : {})
  const dir = path.join(ARTIFACTS, 'summary')
  fs.mkdirSync(dir, { recursive: true })
  const doc = htmlPage(html, opts.name)
  fs.writeFileSync(path.join(dir, `${opts.name}.html`), doc)
  fs.writeFileSync(path.join(dir, `${opts.name}.md`), markdown)

  const b = await launch()
  const context = await b.newContext({
    viewport: { width: opts.width ?? 1060, height: 800 },
    javaScriptEnabled: true,
  })
  const page = await context.newPage()
  // Nothing leaves the machine: images and links to the internet are not fetched.
  await page.route('**/*', (route) => route.abort())
  await page.setContent(doc, { waitUntil: 'load' })
  await page.addScriptTag({ path: BROWSER_CHECKS })
  const article = page.locator('#summary')

  const screenshot = path.join(dir, `${opts.name}.png`)
  await article.screenshot({ path: screenshot })
  const screenshotExpanded = path.join(dir, `${opts.name}-expanded.png`)
  await page.evaluate('window.__summaryOpenAll(true)')
  await article.screenshot({ path: screenshotExpanded })
  await page.evaluate('window.__summaryOpenAll(false)')

  const query = (selector: string): Promise<ElementInfo[]> =>
    page.evaluate(`window.__summaryQuery(${JSON.stringify(selector)})`) as Promise<ElementInfo[]>

  return {
    markdown,
    html,
    screenshot,
    screenshotExpanded,
    page,
    query,
    problems: (o = {}) => genericProblems(page, o),
    close: () => context.close(),
  }
}

/** The checks that hold for any summary a reviewer reads. */
async function genericProblems(page: Page, opts: CheckOptions): Promise<string[]> {
  const problems = (await page.evaluate(`window.__summaryProblems(${opts.verdictFirst ?? true})`)) as string[]

  // <details>: collapsed at first, its content hidden; a click on <summary> shows it, another hides it.
  const details = page.locator('#summary details')
  for (let i = 0; i < (await details.count()); i++) {
    const d = details.nth(i)
    const summary = d.locator(':scope > summary')
    if ((await summary.count()) !== 1) {
      problems.push(`details ${i + 1} has no <summary> of its own`)
      continue
    }
    const label = ((await summary.innerText()) || '').trim().slice(0, 60)
    const body = d.locator(':scope > :not(summary)')
    const n = await body.count()
    if (n === 0) {
      problems.push(`details ${i + 1} ("${label}") is empty`)
      continue
    }
    if ((await d.getAttribute('open')) !== null) problems.push(`details ${i + 1} ("${label}") starts open`)
    const anyVisible = async (): Promise<boolean> => {
      for (let k = 0; k < n; k++) if (await body.nth(k).isVisible()) return true
      return false
    }
    if (await anyVisible()) problems.push(`details ${i + 1} ("${label}") shows its content while collapsed`)
    await summary.click()
    if (!(await anyVisible())) problems.push(`details ${i + 1} ("${label}") does not open on a click`)
    await summary.click()
    if (await anyVisible()) problems.push(`details ${i + 1} ("${label}") does not close again`)
  }
  return problems
}
