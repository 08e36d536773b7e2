// Runs inside the page (summary-view.ts injects it): the DOM side of the summary checks. Plain
// browser JavaScript, kept out of the TypeScript program so the tests need no DOM typings.
/* global window, document, NodeFilter */

/** Facts about the elements under #summary matching `selector`. */
window.__summaryQuery = (selector) =>
  [...document.getElementById('summary').querySelectorAll(selector)].map((el) => {
    const rect = el.getBoundingClientRect()
    return {
      tag: el.tagName.toLowerCase(),
      text: el.innerText ?? '',
      content: el.textContent ?? '',
      // checkVisibility: display, visibility and content-visibility (a closed <details>) of the ancestors.
      visible: el.checkVisibility({ visibilityProperty: true }) && rect.width > 0 && rect.height > 0,
      attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
      html: el.outerHTML,
    }
  })

/** The static checks: one line per problem. */
window.__summaryProblems = (verdictFirst) => {
  const out = []
  const root = document.getElementById('summary')
  const first = root.firstElementChild
  if (verdictFirst) {
    if (!first || !/^H[1-4]$/.test(first.tagName)) {
      out.push(
        `verdict first: the summary starts with <${first ? first.tagName.toLowerCase() : 'nothing'}>, not a heading`,
      )
    } else if (!/^\s*(✅|❌|⚠️?|⏭️?)/u.test(first.innerText)) {
      out.push(`verdict first: the first heading is "${first.innerText.trim()}", not a verdict (✅ ❌ ⚠️ ⏭️)`)
    }
  }
  // Text a reader sees outside code: raw markdown or HTML there means it did not render.
  const texts = []
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest('code, pre')) texts.push(n.textContent ?? '')
  }
  const text = texts.join('')
  for (const el of root.querySelectorAll('p, li, td, th, h1, h2, h3, h4, h5, h6, summary, blockquote')) {
    if (el.closest('code, pre')) continue
    // Source lines (textContent keeps the newlines of a paragraph that innerText folds into spaces).
    for (const line of (el.textContent ?? '').split('\n')) {
      if (/^\s*\|.*\|\s*$/.test(line) || /^\s*\|?\s*:?-{3,}:?\s*\|/.test(line)) {
        out.push(`raw table row shown as text in <${el.tagName.toLowerCase()}>: ${line.trim().slice(0, 120)}`)
      }
    }
  }
  for (const tag of ['<details', '</details>', '<summary', '</summary>', '<br', '<table', '<sub>']) {
    if (text.includes(tag)) out.push(`HTML shown as text: ${tag}`)
  }
  for (const mark of ['**', '](http', '<!--']) {
    if (text.includes(mark)) out.push(`unrendered markdown shown as text: ${mark}`)
  }
  root.querySelectorAll('table').forEach((t, i) => {
    const head = t.querySelector('thead tr')
    const cells = head ? [...head.querySelectorAll('th')].map((c) => (c.textContent ?? '').trim()) : []
    if (!head || cells.every((c) => c === '')) {
      const prev = t.previousElementSibling
      const near = prev ? prev.innerText.trim().slice(0, 60) : ''
      out.push(`table ${i + 1}${near ? ` (after "${near}")` : ''} has an empty header row`)
    }
    if (t.querySelectorAll('tbody tr').length === 0) out.push(`table ${i + 1} has no rows`)
  })
  return out
}

/** Opens every <details> (for the expanded screenshot), or puts each back as it was. */
window.__summaryOpenAll = (open) => {
  for (const d of document.querySelectorAll('#summary details')) {
    if (open) {
      d.dataset.wasOpen = String(d.open)
      d.open = true
    } else {
      d.open = d.dataset.wasOpen === 'true'
      delete d.dataset.wasOpen
    }
  }
}
