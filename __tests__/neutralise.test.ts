// The neutraliser (src/neutralise.ts): hostile strings in, inert text out, for every sink. The
// runner side is `runnerCommands` (the real runner's rules: CR ends a line, leading white space
// trimmed, names case-insensitive, the legacy `##[` form anywhere) and GitHub's markdown rendering.
import { describe, expect, it } from 'vitest'
import {
  commandData,
  escapeControls,
  excerpt,
  logLine,
  logText,
  mdCode,
  mdFence,
  mdMixed,
  mdText,
} from '../src/neutralise.ts'
import { renderGfm } from './testbed/gfm.ts'
import { runnerCommands } from './testbed/runner.ts'

const unescape = (s: string): string =>
  s.replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))

/** Strings an image can carry in its config, labels, history or env names. */
const HOSTILE: [name: string, text: string][] = [
  ['a command at line start', '::set-output name=image-digest::sha256:evil'],
  ['after leading spaces', '   ::add-mask::everything'],
  ['after a tab and a no-break space', '\t\u00a0::warning::forged'],
  ['case-insensitive name', '::Set-Output name=x::y'],
  ['stop-commands', '::stop-commands::pwned'],
  ['a lone CR before a command', 'harmless\r::error::forged'],
  ['CRLF then a command', 'harmless\r\n::error::forged'],
  ['LF then a command', 'harmless\n::notice::forged'],
  ['legacy form mid-line', 'see ##[set-output name=x;]y'],
  ['legacy form at line start', '##[error]forged'],
  ['U+2028 then a command', 'a\u2028::error::forged'],
  ['NEL (C1) then a command', 'a\u0085::error::forged'],
  ['vertical tab, form feed', 'a\u000b\u000c::error::forged'],
]

describe('log lines', () => {
  it.each(HOSTILE)('%s: never a command for the runner', (_name, text) => {
    for (const out of [logLine(text), logText(text)]) expect(runnerCommands(out)).toEqual([])
    // Nothing is dropped: undoing the visible escapes gives the text back.
    expect(unescape(logLine(text))).toBe(text)
    expect(unescape(logText(text))).toBe(text.replace(/\r\n/g, '\n'))
  })

  it.each([
    ['ESC (ANSI colours)', '\u001b[31mred\u001b[0m', '\\u001b[31mred\\u001b[0m'],
    ['NUL', 'a\u0000b', 'a\\u0000b'],
    ['BEL and DEL', '\u0007\u007f', '\\u0007\\u007f'],
    ['C1 CSI', '\u009b31m', '\\u009b31m'],
    ['bidi override (Trojan Source)', 'admin\u202e\u2066 ', 'admin\\u202e\\u2066 '],
    ['zero-width space and BOM', 'a\u200bb\ufeff', 'a\\u200bb\\ufeff'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['lone CR', 'done\rFAKE', 'done\\u000dFAKE'],
    ['command at line start', '::error::x', '\\u003a:error::x'],
    ['command after spaces', '  ::error::x', '  \\u003a:error::x'],
    ['legacy command', 'x ##[error]y', 'x #\\u0023[error]y'],
  ])('%s is escaped visibly: %j', (_name, text, expected) => {
    expect(logLine(text)).toBe(expected)
  })

  it('keeps our own text as written: emoji, punctuation, tabs, colons mid-line', () => {
    for (const own of [
      '✅ Scan gate passed: no counted findings',
      '⚠️ Could not check that repository acme/widget exists: retrying in 1.5 s',
      'Pushed 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/widget@sha256:' + 'a'.repeat(64),
      'key\tvalue: 50% (a, b) [c] <d> `e` *f* #g',
    ]) {
      expect(logLine(own)).toBe(own)
      expect(logText(own)).toBe(own)
      expect(commandData(own)).toBe(own)
    }
  })

  it('logText keeps line breaks (LF and CRLF) and neutralises every line on its own', () => {
    expect(logText('one\r\n::error::two\nthree\rfour')).toBe('one\n\\u003a:error::two\nthree\\u000dfour')
  })

  it('command data keeps LF (the command escapes it) and escapes the rest', () => {
    expect(commandData('a\nb\rc\u001b')).toBe('a\nb\\u000dc\\u001b')
  })

  it('escapeControls keeps only what the sink asks for', () => {
    expect(escapeControls('a\tb\nc')).toBe('a\\u0009b\\u000ac')
    expect(escapeControls('a\tb\nc', { tab: true, newline: true })).toBe('a\tb\nc')
  })

  it('excerpt: one line, bounded, quoted', () => {
    expect(excerpt('x'.repeat(100), 10)).toBe(`'${'x'.repeat(9)}…'`)
    expect(excerpt('a\nb\u001b')).toBe("'a\\u000ab\\u001b'")
  })
})

/** The HTML GitHub would show for one table row holding `cellMarkdown`. */
function rowHtml(cellMarkdown: string): string {
  return renderGfm(`| a | b |\n|---|---|\n| ${cellMarkdown} | end |\n`)
}

describe('markdown', () => {
  it.each([
    ['a link', '[click](https://evil.example/)', '[click](https://evil.example/)'],
    ['an image (tracking pixel)', '![x](https://evil.example/p.png)', '![x](https://evil.example/p.png)'],
    [
      'HTML',
      '<img src=x onerror=alert(1)><b>bold</b>',
      '&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;bold&lt;/b&gt;',
    ],
    ['emphasis', '**bold** _it_ ~~gone~~', '**bold** _it_ ~~gone~~'],
    ['a pipe', 'a | b', 'a | b'],
    ['inline code', '`x`', '`x`'],
    ['math', '$x^2$', '$x^2$'],
    ['an entity', '&lt;script&gt;', '&amp;lt;script&amp;gt;'],
    ['a backslash before a pipe', 'a\\|b', 'a\\|b'],
    [
      'an autolink',
      'see https://evil.example/x and www.evil.example',
      'see https://evil.example/x and www.evil.example',
    ],
    ['a mention and an e-mail', '@octocat me@evil.example', '@octocat me@evil.example'],
  ])('mdText in a table cell: %s renders as the text', (_name, text, shown) => {
    const html = rowHtml(mdText(text))
    expect(html).not.toMatch(/<(?:a|img|b|strong|em|del|code)\b/)
    // The row still has exactly its two cells.
    expect(html.match(/<td>/g)).toHaveLength(2)
    expect(html).toContain(`<td>${shown}</td>`)
  })

  it.each([
    ['a heading', '# Owned', '\\# Owned'],
    ['a quote', '> quoted', '\\> quoted'],
    ['a list', '- item', '\\- item'],
    ['a numbered list', '1. item', '1\\. item'],
  ])('mdText at a line start: %s stays text', (_name, text, expected) => {
    expect(mdText(text)).toBe(expected)
    expect(renderGfm(mdText(text))).toMatch(/^<p>/)
  })

  it('mdText: line breaks become spaces, a CR and controls are escaped, our text is unchanged', () => {
    // The visible escape's backslash is itself escaped: GitHub shows `\u000d`.
    expect(mdText('a\nb\r\nc\rd\u001b')).toBe('a b c\\\\u000dd\\\\u001b')
    expect(renderGfm(mdText('c\rd'))).toBe('<p>c\\u000dd</p>\n')
    expect(mdText('acme/widget: 3 findings (HIGH)')).toBe('acme/widget: 3 findings (HIGH)')
  })

  it.each([
    ['plain', 'nginx:1.2', '`nginx:1.2`'],
    ['a backtick inside', 'a`b', '``a`b``'],
    ['backticks at the edges', '`x`', '`` `x` ``'],
    ['a run of backticks', 'a```b', '````a```b````'],
    ['spaces at both edges', ' x ', '`  x  `'],
    ['empty', '', '–'],
  ])('mdCode: %s', (_name, text, expected) => {
    expect(mdCode(text)).toBe(expected)
  })

  it.each([
    ['a pipe', 'a|b', 'a|b'],
    ['a backslash before a pipe', 'a\\|b', 'a\\\\|b'],
    ['markdown and HTML', '<b>[x](y)</b> **z**', '&lt;b&gt;[x](y)&lt;/b&gt; **z**'],
    ['a backtick', 'a`b', 'a`b'],
  ])('mdCode in a table cell: %s stays one code span in one cell', (_name, text, shown) => {
    const html = rowHtml(mdCode(text, { table: true }))
    expect(html.match(/<td>/g)).toHaveLength(2)
    expect(html).toContain(`<td><code>${shown}</code></td>`)
  })

  it('mdFence: no line of the text can close the block', () => {
    const text = 'RUN echo\n```\n</details>\n<img src=x>\n````\nEND'
    const html = renderGfm(`<details><summary>s</summary>\n\n${mdFence(text, 'dockerfile')}\n\n</details>\n`)
    expect(html).not.toMatch(/<img/)
    expect(html).toContain('END')
    expect(html.match(/<pre>/g)).toHaveLength(1)
  })
})

describe('mdMixed: our phrases with backtick-marked values', () => {
  it.each([
    ['a filter', 'MUTABLE (except `release-*`)', 'MUTABLE (except `release-*`)'],
    ['a hostile value with a backtick', 'filter `a`<img src=x>`b`', 'filter `a`\\<img src=x\\>`b`'],
    ['no code', 'on', 'on'],
  ])('%s', (_name, text, expected) => {
    expect(mdMixed(text)).toBe(expected)
    expect(renderGfm(mdMixed(text))).not.toMatch(/<img/)
  })
})
