/**
 * The shapes every job-summary section is built from, so that the sections read alike: a list of
 * facts instead of a key/value table (whose header row would be empty), tables with a real header
 * that fold under `<details>` once they are long, links only to plain http(s) URLs. Pure. Hostile
 * strings are made inert with the neutraliser (neutralise.ts) before they get here: these helpers
 * take markdown, and add only our own syntax around it.
 */

/** A table with more body rows than this is shown collapsed, under `<details>`. */
export const COLLAPSE_ROWS = 10

/**
 * A link target, or '' when `raw` is not a plain http(s) URL (no `javascript:`, no credentials in
 * it). Characters that could end the link destination, a table cell or the code around it are
 * percent-encoded.
 */
export function safeUrl(raw: string | undefined, max = 1000): string {
  let u: URL
  try {
    u = new URL(String(raw ?? '').trim())
  } catch {
    return ''
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username !== '' || u.password !== '') return ''
  const href = u.href.replace(
    /[()|[\]<>"'`\\\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )
  return href.length <= max ? href : ''
}

/** `[text](url)`, or the text alone when the URL is not safe. `text` is markdown already. */
export function link(text: string, url: string | undefined): string {
  const href = safeUrl(url)
  return href ? `[${text}](${href})` : text
}

/** HTML text (a `<summary>` holds HTML, not markdown). */
export function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Markdown under a collapsed `<details>`: `summary` is our own plain text (HTML-escaped here), the
 * body any markdown (blank lines around it, so GitHub renders it as markdown).
 */
export function details(summary: string, body: string[]): string[] {
  return [`<details><summary>${htmlText(summary)}</summary>`, '', ...body, '', '</details>']
}

export type Align = 'left' | 'right'

/** A markdown table: a header row of names (never empty), the delimiter row, the rows. */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: Align[],
): string[] {
  const delimiter = head.map((_, i) => (align?.[i] === 'right' ? '---:' : '---'))
  return [
    `| ${head.join(' | ')} |`,
    `|${delimiter.join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ]
}

/**
 * A table, collapsed under `<details>` titled `summary` when it has more than COLLAPSE_ROWS rows
 * (or always, with `collapse: true`). `summary` is our own plain text.
 */
export function foldedTable(
  summary: string,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { align?: Align[]; collapse?: boolean; note?: string } = {},
): string[] {
  const body = table(head, rows, opts.align)
  if (opts.note) body.push('', opts.note)
  return opts.collapse === true || rows.length > COLLAPSE_ROWS ? details(summary, body) : body
}

/** Key/value facts as a list (`- Label: value`): no table, so no empty header row. Markdown in. */
export function factList(facts: readonly (readonly [label: string, value: string])[]): string[] {
  return facts.map(([label, value]) => `- ${label}: ${value}`)
}

/** `n word` or `n words`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}
