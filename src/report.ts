/**
 * The job summary, assembled from the sections the stages return, written once at the end of the
 * step (also when it fails) so a reviewer reads one page instead of the log.
 */
import { mdText } from './neutralise.js'

/** The summary's sections, in the order they appear: declared here and nowhere else. */
export const SECTION_ORDER = ['verdict', 'push', 'gate', 'governance', 'audit'] as const

export type SectionSlot = (typeof SECTION_ORDER)[number]

/** Markdown for some of the slots. */
export type Sections = Partial<Record<SectionSlot, string>>

export class Report {
  private readonly sections: { slot: SectionSlot; markdown: string }[] = []

  /** Adds a section to its slot; sections of one slot keep the order they were added in. */
  add(slot: SectionSlot, markdown: string): void {
    this.sections.push({ slot, markdown: markdown.trimEnd() })
  }

  /** Adds every section given. */
  addAll(sections: Sections): void {
    for (const slot of SECTION_ORDER) {
      const markdown = sections[slot]
      if (markdown !== undefined) this.add(slot, markdown)
    }
  }

  get empty(): boolean {
    return this.sections.length === 0
  }

  /** The whole summary, kept under GitHub's 1 MiB limit for one step's summary. */
  markdown(limitBytes = 1024 * 1024 - 4096): string {
    const rank = (s: SectionSlot): number => SECTION_ORDER.indexOf(s)
    const text = [...this.sections]
      .sort((a, b) => rank(a.slot) - rank(b.slot))
      .map((s) => s.markdown)
      .join('\n\n')
    if (Buffer.byteLength(text) <= limitBytes) return `${text}\n`
    const note = '\n\n> Summary truncated to fit GitHub’s 1 MiB limit; the report files hold everything.\n'
    let cut = text.slice(0, limitBytes - Buffer.byteLength(note))
    while (Buffer.byteLength(cut) > limitBytes - Buffer.byteLength(note)) cut = cut.slice(0, -1024)
    return cut.slice(0, cut.lastIndexOf('\n')) + note
  }
}

/**
 * Under the verdict: the other reasons the step fails (governance, the audit), so that a passed gate
 * never reads as a passed step. The messages may quote registry answers: neutralised.
 */
export function alsoFailed(failures: readonly string[]): string {
  return ['❌ **What else fails the step:**', '', ...failures.map((f) => `- ${mdText(f)}`)].join('\n')
}
