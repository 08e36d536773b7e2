/**
 * Hostile text made inert: every string that comes from an image, a registry answer, a user file or
 * a child process passes through here before it reaches a sink (a log line, a workflow command's
 * message or properties, the job summary, a file command, the pull request comment). Pure.
 *
 * What the runner interprets (actions/runner, read at the source):
 * - `Runner.Sdk/ProcessInvoker.cs` reads a step's stdout and stderr with `StreamReader.ReadLine()`,
 *   which ends a line at LF, CR or CRLF: a lone CR, invisible on a terminal, starts a new line for
 *   the runner, so `harmless\r::set-output …` is a command.
 * - `Runner.Common/ActionCommand.cs` `TryParseV2`: a line is a command when, after `TrimStart()`
 *   (any white space), it starts with `::`, another `::` follows, and the word before the first
 *   space is a registered command (case-insensitive: add-mask, debug, error, warning, notice, group,
 *   endgroup, set-output, save-state, set-env, add-path, add-matcher, remove-matcher, echo,
 *   stop-commands …). Properties are `,`-separated `k=v`; data is unescaped `%25 %0D %0A`,
 *   properties also `%3A %2C`.
 * - `TryParse`, tried when V2 fails: the legacy form `##[name k=v;k=v]data`, found ANYWHERE in the
 *   line (`IndexOf`), not only at its start.
 * - `Runner.Worker/ActionCommandManager.cs`: `::stop-commands::TOKEN` ignores every command until
 *   `::TOKEN::`, so a forged stop silences the action's own errors and annotations.
 * The log viewer also renders ANSI escapes (ESC), and bidirectional overrides make text read as
 * something else ("Trojan Source"); markdown in the summary renders links, images and HTML.
 *
 * So: control characters (C0 but tab and the line breaks a sink keeps, DEL, C1), bidirectional
 * and invisible formatting characters are escaped VISIBLY as `\uXXXX` text (never dropped, so a
 * reviewer sees that something was there); a line that could start a command has its first `:`
 * escaped (`\u003a:set-output`), and `##[` becomes `#\u0023[`. Our own text has none of these, so
 * it reads as written.
 */

/**
 * C0 controls but TAB/LF/CR (handled per sink), DEL, C1 controls (U+0085 NEL included), the
 * zero-width and directional marks, line and paragraph separators, bidirectional embeddings,
 * overrides and isolates, invisible operators and the byte order mark.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g

function hex(c: string): string {
  return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`
}

/** Every unsafe character (and TAB, CR, LF unless kept) as visible `\uXXXX` text. */
export function escapeControls(s: string, keep: { tab?: boolean; newline?: boolean } = {}): string {
  let out = s.replace(UNSAFE, hex)
  if (keep.newline) out = out.replace(/\r\n/g, '\n').replace(/\r/g, hex)
  else out = out.replace(/[\r\n]/g, hex)
  if (!keep.tab) out = out.replace(/\t/g, hex)
  return out
}

/** A line the runner could read as a command, made inert (the line has no line breaks left). */
function inertLine(line: string): string {
  return line.replace(/^(\s*):(?=:)/u, '$1\\u003a').replace(/##\[/g, '#\\u0023[')
}

/** One line for stdout: everything escaped, line breaks included; never a command. */
export function logLine(s: string): string {
  return inertLine(escapeControls(String(s), { tab: true }))
}

/**
 * Text for stdout, kept on its lines (LF and CRLF end a line; a lone CR is escaped): each line
 * neutralised on its own.
 */
export function logText(s: string): string {
  return escapeControls(String(s), { tab: true, newline: true }).split('\n').map(inertLine).join('\n')
}

/**
 * A workflow command's message (an annotation, a debug line): its line breaks stay (the command
 * escapes them as `%0A`, the runner shows them), everything else unsafe is escaped. Being the data
 * of a command, it cannot start one.
 */
export function commandData(s: string): string {
  return escapeControls(String(s), { tab: true, newline: true })
}

/** A workflow command's property (an annotation's title, a file name): one line. */
export function commandProperty(s: string): string {
  return escapeControls(String(s))
}

/** A file command's value (an output): line breaks kept (the heredoc carries them), nothing else. */
export function fileCommandValue(s: string): string {
  return escapeControls(s, { tab: true, newline: true })
}

/** The whole job summary, as a last line of defence: no raw control character reaches the file. */
export function summaryDocument(markdown: string): string {
  return escapeControls(markdown, { tab: true, newline: true })
}

// ---- markdown ----------------------------------------------------------------------------------

/**
 * Characters that start markdown inline syntax: emphasis, code, links and images, HTML, entities,
 * math, table cells, mentions and e-mail autolinks.
 */
const MD_INLINE = /[\\`*_~[\]<>|$&!@]/g
/** What GitHub links by itself (extended autolinks): `https://…`, `www.…`. */
const MD_AUTOLINK = /\b((?:https?|ftp)\\?)(:)(?=\/\/)|\b(www)(\.)/gi
/**
 * Block syntax a text could open when it starts a line: headings, quotes, lists, thematic breaks
 * and setext underlines (the marker followed by white space, another marker or nothing).
 */
const MD_LINE_START = /^(\s*)(?:(>|[#+=-](?=[\s#+=-]|$))|(\d+)([.)])(?=\s|$))/

/**
 * Plain text for anywhere inline in markdown: a table cell, a heading, a list item, a paragraph.
 * Line breaks become spaces (what markdown shows for a soft line break anyway), a lone CR and
 * control characters are escaped visibly, and every character that could start markdown or HTML
 * is backslash-escaped: it renders exactly as the text was.
 */
export function mdText(s: string): string {
  const flat = escapeControls(String(s), { tab: true, newline: true }).replace(/\n/g, ' ')
  return flat
    .replace(MD_INLINE, '\\$&')
    .replace(MD_AUTOLINK, (_m, scheme?: string, colon?: string, www?: string, dot?: string) =>
      scheme !== undefined ? `${scheme}\\${colon}` : `${www}\\${dot}`,
    )
    .replace(MD_LINE_START, (_m, space: string, mark?: string, digits?: string, end?: string) =>
      mark !== undefined ? `${space}\\${mark}` : `${space}${digits}\\${end}`,
    )
}

/**
 * Our own phrase that marks code with backticks around values that may be hostile (``MUTABLE
 * (except `release-*`)``): each backtick-delimited part becomes a code span, the rest text, all
 * neutralised. A hostile backtick can only shift what is shown as code, never escape it.
 */
export function mdMixed(s: string, opts: { table?: boolean } = {}): string {
  return String(s)
    .split('`')
    .map((part, i) => (i % 2 === 1 ? mdCode(part, opts) : mdText(part)))
    .join('')
}

/**
 * Text as an inline code span (GitHub renders nothing inside one: no markdown, HTML, mention or
 * emoji). The fence is one backtick longer than any run inside, padded when the text touches a
 * backtick or would lose an edge space. `table`: it sits in a table cell, where `|` splits the
 * cell even inside code, so pipes (and a backslash right before one) are escaped. '' gives `–`.
 */
export function mdCode(s: string, opts: { table?: boolean } = {}): string {
  let t = escapeControls(String(s), { newline: true }).replace(/\n/g, ' ')
  if (t === '') return '–'
  if (opts.table) t = t.replace(/\\(?=\|)/g, '\\\\').replace(/\|/g, '\\|')
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad =
    t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ') && t.trim() !== '')
  return pad ? `${fence} ${t} ${fence}` : `${fence}${t}${fence}`
}

/**
 * A fenced code block of text (a recovered Dockerfile): the fence is longer than any backtick run
 * in the text, so no line of it can close the block early; control characters are escaped.
 */
export function mdFence(text: string, info = ''): string {
  const body = escapeControls(String(text), { tab: true, newline: true }).trimEnd()
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}${info}\n${body}\n${fence}`
}

/**
 * A short excerpt of hostile text for an error message: at most `max` code points, one line,
 * neutralised, in single quotes so its edges show.
 */
export function excerpt(s: string, max = 80): string {
  const points = [...escapeControls(String(s))]
  const cut = points.length > max ? `${points.slice(0, max - 1).join('')}…` : points.join('')
  return `'${cut}'`
}
