/**
 * The job summary, assembled from sections each stage adds, written once at the end of the step
 * (also when it fails) so a reviewer reads one page instead of the log.
 */
export class Report {
  private readonly sections: { order: number; markdown: string }[] = []

  /** Adds a section; lower `order` comes first (verdict 0, push 10, gate 20, governance 30, audit 40). */
  add(order: number, markdown: string): void {
    this.sections.push({ order, markdown: markdown.trimEnd() })
  }

  get empty(): boolean {
    return this.sections.length === 0
  }

  /** The whole summary, kept under GitHub's 1 MiB limit for one step's summary. */
  markdown(limitBytes = 1024 * 1024 - 4096): string {
    const text = [...this.sections]
      .sort((a, b) => a.order - b.order)
      .map((s) => s.markdown)
      .join('\n\n')
    if (Buffer.byteLength(text) <= limitBytes) return `${text}\n`
    const note = '\n\n> Summary truncated to fit GitHub’s 1 MiB limit; the report files hold everything.\n'
    let cut = text.slice(0, limitBytes - Buffer.byteLength(note))
    while (Buffer.byteLength(cut) > limitBytes - Buffer.byteLength(note)) cut = cut.slice(0, -1024)
    return cut.slice(0, cut.lastIndexOf('\n')) + note
  }
}

/** Escapes text for a markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
