/**
 * Is one read pass of a scan (every page of DescribeImageScanFindings, first to last) a complete,
 * consistent picture? Only such a pass may show the gate a finding set to decide on. Pure: the read
 * loop in ecr-scan.ts feeds each page in.
 *
 * A pass is inconsistent when:
 * - a `nextToken` comes back that the pass already followed (pagination cycles: without this check
 *   the read would never end);
 * - a finding key (findingArn; basic: name + package + version) is listed twice (pages repeat);
 * - a page's `findingSeverityCounts` claims more findings of a severity than the whole pass listed.
 *   ECR does not say whether those counts describe the page or the image; a claim above the pass's
 *   total is impossible under either reading, so the check holds whichever ECR means, and it catches
 *   a last page that is never linked;
 * - the scan status or completion time changes between pages (a new scan ran during the read);
 * - the read stopped early: the page cap or the gate's deadline.
 */
import { normaliseSeverity, SEVERITIES, type Severity } from '../severity.js'
import type { Finding } from './findings.js'

/** Most pages one pass may read (1,000 findings a page): 500,000 findings, far above any image. */
export const MAX_PAGES_PER_PASS = 500

/** Problems kept per pass (the first ones say enough). */
const MAX_PROBLEMS = 5

type Counts = Record<Severity, number>

export interface PassState {
  pages: number
  tokens: Set<string>
  keys: Set<string>
  /** Every listed finding by severity, whatever its status. */
  listed: Counts
  /** Per severity, the most any one page's findingSeverityCounts claimed. */
  claimed: Counts
  status: string
  completedAt: number | undefined
  /** Findings listed again under a key already seen, and the first such key. */
  repeats: number
  repeated?: string
  problems: string[]
}

export interface PageFacts {
  status: string
  completedAt?: number
  findings: readonly Finding[]
  severityCounts?: Record<string, number> | undefined
}

const zero = (): Counts => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 })

export function newPass(): PassState {
  return {
    pages: 0,
    tokens: new Set(),
    keys: new Set(),
    listed: zero(),
    claimed: zero(),
    status: '',
    completedAt: undefined,
    repeats: 0,
    problems: [],
  }
}

function problem(pass: PassState, text: string): void {
  if (pass.problems.length < MAX_PROBLEMS) pass.problems.push(text)
}

/** Records one page. */
export function addPage(pass: PassState, page: PageFacts): void {
  pass.pages += 1
  if (pass.pages === 1) {
    pass.status = page.status
    pass.completedAt = page.completedAt
  } else {
    if (page.status !== pass.status)
      problem(
        pass,
        `the scan status changed from ${pass.status} to ${page.status || '(none)'} during the read`,
      )
    if (page.completedAt !== pass.completedAt)
      problem(pass, `the scan's completion time changed during the read (a new scan ran)`)
  }
  for (const f of page.findings) {
    if (pass.keys.has(f.key)) {
      pass.repeats += 1
      pass.repeated ??= f.key
    } else pass.keys.add(f.key)
    pass.listed[f.severity] += 1
  }
  for (const [raw, n] of Object.entries(page.severityCounts ?? {})) {
    const s = normaliseSeverity(raw)
    if (Number.isFinite(n) && n > pass.claimed[s]) pass.claimed[s] = n
  }
}

/**
 * Whether the read may follow `token`: not when the pass already followed it (a cycle), nor past the
 * page cap. Records the problem and says false; true: follow it.
 */
export function mayFollow(pass: PassState, token: string): boolean {
  if (pass.tokens.has(token)) {
    problem(pass, `ECR answered a nextToken it had already given on an earlier page (pagination cycles)`)
    return false
  }
  if (pass.pages >= MAX_PAGES_PER_PASS) {
    problem(pass, `the read stopped at ${MAX_PAGES_PER_PASS} pages (the page cap) with more announced`)
    return false
  }
  pass.tokens.add(token)
  return true
}

/** The read stopped before the last page (deadline, error). */
export function stopped(pass: PassState, why: string): void {
  problem(pass, why)
}

export interface PassVerdict {
  consistent: boolean
  problems: string[]
  /** Findings listed in the pass. */
  listed: number
}

/** The pass as a whole: the checks that need every page (severity counts against the listing). */
export function finishPass(pass: PassState): PassVerdict {
  if (pass.repeats > 0)
    problem(
      pass,
      `${pass.repeats} finding${pass.repeats === 1 ? ' was' : 's were'} listed twice (pages repeat), e.g. ${pass.repeated ?? ''}`,
    )
  for (const s of SEVERITIES) {
    if (pass.claimed[s] > pass.listed[s])
      problem(
        pass,
        `findingSeverityCounts claims ${pass.claimed[s]} ${s} but the pages listed ${pass.listed[s]} (findings missing from the pages)`,
      )
  }
  return { consistent: pass.problems.length === 0, problems: pass.problems, listed: pass.keys.size }
}
