/**
 * ECR lifecycle policies as code: parse and validate the policy file locally (every problem, each
 * naming the rule and the field), and the canonical form used to compare it with the repository's
 * current policy. Today's ECR: `storageClass`, `sinceImagePulled`, `sinceImageTransitioned`, and
 * `transition` to `archive` (ECR user guide, lifecycle policy properties and archiving). Pure: no I/O.
 */
import { excerpt } from '../neutralise.js'

export type TagStatus = 'tagged' | 'untagged' | 'any'
export type CountType =
  'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned'
export type StorageClass = 'standard' | 'archive'

export interface LifecycleRule {
  rulePriority: number
  description?: string
  selection: {
    tagStatus: TagStatus
    tagPrefixList?: string[]
    tagPatternList?: string[]
    /** Which images the rule looks at: `standard` (the default) or `archive`d ones. */
    storageClass?: StorageClass
    countType: CountType
    countUnit?: 'days'
    countNumber: number
  }
  /** `expire` deletes; `transition` moves to `targetStorageClass: archive`. */
  action: { type: 'expire' } | { type: 'transition'; targetStorageClass: 'archive' }
}

export interface LifecyclePolicy {
  rules: LifecycleRule[]
}

/** ECR's limits on lifecyclePolicyText (aws-model LifecyclePolicyText). */
export const POLICY_TEXT_MIN = 100
export const POLICY_TEXT_MAX = 30720
/** At most four `*` per tagPatternList entry (ECR user guide). */
const MAX_WILDCARDS = 4
/** Archived images stay at least this long before a rule may expire them (ECR user guide, archive). */
export const ARCHIVE_MIN_DAYS = 90
/** rulePriority range accepted here. */
export const PRIORITY_MIN = 1
export const PRIORITY_MAX = 999

const TOP_KEYS = ['rules']
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action']
const SELECTION_KEYS = [
  'tagStatus',
  'tagPrefixList',
  'tagPatternList',
  'storageClass',
  'countType',
  'countUnit',
  'countNumber',
]
const ACTION_KEYS = ['type', 'targetStorageClass']
const TAG_STATUSES: readonly TagStatus[] = ['tagged', 'untagged', 'any']
const COUNT_TYPES: readonly CountType[] = [
  'imageCountMoreThan',
  'sinceImagePushed',
  'sinceImagePulled',
  'sinceImageTransitioned',
]
/** The count types that count days (and need `"countUnit": "days"`). */
const DAY_COUNTS: readonly CountType[] = ['sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned']
/** Characters of an image tag (a prefix is a tag's start; a pattern adds `*`). */
const TAG_CHARS = /^[\w.-]+$/
const PATTERN_CHARS = /^[\w.*-]+$/

export type PolicyCheck =
  { ok: true; policy: LifecyclePolicy; text: string } | { ok: false; problems: string[] }

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const show = (v: unknown): string => {
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1

/** Reports a problem at a place in the file (`rule 2 (rulePriority 5), field 'selection'`). */
type At = (where: string, message: string) => void
/** Reports a problem in one field of the rule being checked. */
type Field = (path: string, message: string) => void

/** What the checks of single rules leave for the checks across rules. */
interface RulesSeen {
  /** rulePriority → the rules (1-based) that use it. */
  byPriority: Map<number, number[]>
  /** The rules with tagStatus "any". */
  anyRules: { index: number; priority: number | undefined }[]
}

/**
 * Parses and validates a lifecycle policy file. `label` names the file in messages. Each problem is
 * one line: `lifecycle-policy <file>: rule <n> (rulePriority <p>), field '<path>': <what> <expected>`.
 * On success `text` is what to send to ECR (the file as written when it fits ECR's limits).
 */
export function checkLifecyclePolicy(raw: string, label: string): PolicyCheck {
  const problems: string[] = []
  const at: At = (where, message) => {
    problems.push(`Invalid input 'lifecycle-policy' (${label}): ${where}: ${message}`)
  }
  const parsed = parsePolicy(raw, label, at)
  if (parsed.kind === 'invalid') return { ok: false, problems: parsed.problems ?? problems }

  const seen: RulesSeen = { byPriority: new Map(), anyRules: [] }
  parsed.rules.forEach((rule: unknown, i) => checkRule(rule, i, at, seen))
  checkAcrossRules(seen, at)
  if (problems.length > 0) return { ok: false, problems }

  const text = policyText(raw)
  if (text === undefined) {
    return {
      ok: false,
      problems: [
        `Invalid input 'lifecycle-policy' (${label}): the policy is ${raw.length} characters; ECR accepts at most ${POLICY_TEXT_MAX}. Remove rules or descriptions.`,
      ],
    }
  }
  return { ok: true, policy: parsed.doc as unknown as LifecyclePolicy, text }
}

/** The document and its rules, or why there is nothing to check rule by rule. */
function parsePolicy(
  raw: string,
  label: string,
  at: At,
):
  | { kind: 'parsed'; doc: Record<string, unknown>; rules: unknown[] }
  | { kind: 'invalid'; problems?: string[] } {
  let doc: unknown
  try {
    doc = JSON.parse(raw.replace(/^\uFEFF/, ''))
  } catch (err) {
    // JSON.parse quotes the text around the error: a bounded, neutralised excerpt only.
    const why = excerpt(err instanceof Error ? err.message : String(err), 120)
    return {
      kind: 'invalid',
      problems: [
        `Invalid input 'lifecycle-policy' (${label}): not valid JSON (${why}). Expected an ECR lifecycle policy: {"rules": [...]}.`,
      ],
    }
  }
  if (!isObject(doc)) {
    at('top level', `${show(doc)} is not an object. Expected {"rules": [...]}.`)
    return { kind: 'invalid' }
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.includes(key))
      at(`field ${excerpt(key, 40)}`, `unknown field. Expected only "rules" at the top level.`)
  }
  const rules = doc.rules
  if (!Array.isArray(rules) || rules.length === 0) {
    at(
      "field 'rules'",
      `${rules === undefined ? 'missing' : show(rules)}. Expected a non-empty list of rules.`,
    )
    return { kind: 'invalid' }
  }
  return { kind: 'parsed', doc, rules }
}

function checkRule(rule: unknown, i: number, at: At, seen: RulesSeen): void {
  const priority = isObject(rule) && isPositiveInt(rule.rulePriority) ? rule.rulePriority : undefined
  const name = `rule ${i + 1}${priority !== undefined ? ` (rulePriority ${priority})` : ''}`
  const field: Field = (path, message) => at(`${name}, field '${path}'`, message)
  if (!isObject(rule)) {
    at(name, `${show(rule)} is not an object. Expected {"rulePriority", "selection", "action"}.`)
    return
  }
  unknownKeys(rule, RULE_KEYS, '', `Expected only ${RULE_KEYS.join(', ')}.`, field)

  const p = rule.rulePriority
  if (checkPriority(p, field)) seen.byPriority.set(p, [...(seen.byPriority.get(p) ?? []), i + 1])

  if (rule.description !== undefined && typeof rule.description !== 'string') {
    field('description', `${show(rule.description)}. Expected a string.`)
  }

  const sel = rule.selection
  if (!isObject(sel)) {
    field(
      'selection',
      `${sel === undefined ? 'missing' : show(sel)}. Expected {"tagStatus", "countType", "countNumber", ...}.`,
    )
  } else {
    checkSelection(sel, field)
    if (sel.tagStatus === 'any') {
      seen.anyRules.push({ index: i + 1, priority: typeof p === 'number' ? p : undefined })
    }
  }
  checkAction(rule.action, sel, field)
}

function checkPriority(p: unknown, field: Field): p is number {
  const expected = `Expected a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`
  if (p === undefined) field('rulePriority', `missing. ${expected}`)
  else if (typeof p !== 'number' || !Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) {
    field('rulePriority', `${show(p)}. ${expected}`)
  } else return true
  return false
}

function unknownKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
  expected: string,
  field: Field,
): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) field(`${prefix}${excerpt(key, 40).slice(1, -1)}`, `unknown field. ${expected}`)
  }
}

function checkSelection(sel: Record<string, unknown>, field: Field): void {
  unknownKeys(sel, SELECTION_KEYS, 'selection.', `Expected only ${SELECTION_KEYS.join(', ')}.`, field)
  checkTagSelection(sel, field)
  checkCount(sel, field)
  checkStorageClass(sel, field)
}

/** storageClass: `archive` with (and only with) sinceImageTransitioned; otherwise `standard`. */
function checkStorageClass(sel: Record<string, unknown>, field: Field): void {
  const sc = sel.storageClass
  if (sc !== undefined && sc !== 'standard' && sc !== 'archive') {
    field('selection.storageClass', `${show(sc)}. Expected "standard" or "archive".`)
    return
  }
  if (sel.countType === 'sinceImageTransitioned' && sc !== 'archive') {
    field(
      'selection.storageClass',
      `${sc === undefined ? 'missing' : show(sc)}: countType "sinceImageTransitioned" counts days in archive and needs "storageClass": "archive".`,
    )
  } else if (
    sc === 'archive' &&
    typeof sel.countType === 'string' &&
    sel.countType !== 'sinceImageTransitioned'
  ) {
    field(
      'selection.storageClass',
      `"archive" goes only with countType "sinceImageTransitioned" (archived images are counted by days in archive); "${sel.countType}" selects "standard" images.`,
    )
  }
}

/** tagStatus, and the prefix or pattern list that goes with it. */
function checkTagSelection(sel: Record<string, unknown>, field: Field): void {
  const status = sel.tagStatus
  if (!TAG_STATUSES.includes(status as TagStatus)) {
    field(
      'selection.tagStatus',
      `${status === undefined ? 'missing' : show(status)}. Expected one of "tagged", "untagged", "any".`,
    )
  }
  const hasPrefix = sel.tagPrefixList !== undefined
  const hasPattern = sel.tagPatternList !== undefined
  if (status === 'tagged') {
    if (!hasPrefix && !hasPattern) {
      field(
        'selection.tagStatus',
        `"tagged" needs "tagPrefixList" or "tagPatternList" (which tags the rule selects), e.g. "tagPrefixList": ["release-"].`,
      )
    } else if (hasPrefix && hasPattern) {
      field(
        'selection.tagPatternList',
        `use either "tagPrefixList" or "tagPatternList" in one rule, not both.`,
      )
    }
  } else if ((status === 'untagged' || status === 'any') && (hasPrefix || hasPattern)) {
    const which = hasPrefix ? 'tagPrefixList' : 'tagPatternList'
    field(
      `selection.${which}`,
      `not allowed with tagStatus "${status}". Remove it, or use tagStatus "tagged".`,
    )
  }
  if (hasPrefix) checkTagList(sel.tagPrefixList, 'selection.tagPrefixList', false, field)
  if (hasPattern) checkTagList(sel.tagPatternList, 'selection.tagPatternList', true, field)
}

/** countType, countUnit and countNumber. */
function checkCount(sel: Record<string, unknown>, field: Field): void {
  const countType = sel.countType
  if (!COUNT_TYPES.includes(countType as CountType)) {
    field(
      'selection.countType',
      `${countType === undefined ? 'missing' : show(countType)}. Expected one of ${COUNT_TYPES.map((c) => `"${c}"`).join(', ')}.`,
    )
  }
  if (DAY_COUNTS.includes(countType as CountType)) {
    if (sel.countUnit === undefined) {
      field('selection.countUnit', `missing: countType "${String(countType)}" needs "countUnit": "days".`)
    } else if (sel.countUnit !== 'days') {
      field('selection.countUnit', `${show(sel.countUnit)}. Expected "days".`)
    }
  } else if (countType === 'imageCountMoreThan' && sel.countUnit !== undefined) {
    field(
      'selection.countUnit',
      `not allowed with countType "imageCountMoreThan" (it counts images, not days). Remove it.`,
    )
  }
  const n = sel.countNumber
  if (!isPositiveInt(n)) {
    field(
      'selection.countNumber',
      `${n === undefined ? 'missing' : show(n)}. Expected a whole number of at least 1 (${
        DAY_COUNTS.includes(countType as CountType) ? 'days' : 'images to keep'
      }).`,
    )
  }
}

const ACTION_EXPECTED = '{"type": "expire"} or {"type": "transition", "targetStorageClass": "archive"}'

function checkAction(action: unknown, sel: unknown, field: Field): void {
  if (!isObject(action)) {
    field('action', `${action === undefined ? 'missing' : show(action)}. Expected ${ACTION_EXPECTED}.`)
    return
  }
  unknownKeys(action, ACTION_KEYS, 'action.', 'Expected only "type" and "targetStorageClass".', field)
  const target = action.targetStorageClass
  if (action.type === 'expire') {
    if (target !== undefined)
      field('action.targetStorageClass', `not allowed with "type": "expire". Remove it.`)
    checkArchiveMinimum(sel, field)
  } else if (action.type === 'transition') {
    if (target !== 'archive') {
      field(
        'action.targetStorageClass',
        `${target === undefined ? 'missing' : show(target)}. Expected "archive" (the only storage class to transition to).`,
      )
    }
    if (isObject(sel) && sel.storageClass === 'archive') {
      field(
        'selection.storageClass',
        `"archive" with "type": "transition": archived images cannot be transitioned again. Select "standard" images.`,
      )
    }
  } else {
    field(
      'action.type',
      `${action.type === undefined ? 'missing' : show(action.type)}. Expected "expire" or "transition".`,
    )
  }
}

/** Archived images have a minimum storage duration: no rule may expire them sooner. */
function checkArchiveMinimum(sel: unknown, field: Field): void {
  if (!isObject(sel) || sel.storageClass !== 'archive' || sel.countType !== 'sinceImageTransitioned') return
  const n = sel.countNumber
  if (isPositiveInt(n) && n < ARCHIVE_MIN_DAYS) {
    field(
      'selection.countNumber',
      `${n}: archived images cannot be expired before ${ARCHIVE_MIN_DAYS} days in archive (ECR's minimum storage duration). Expected at least ${ARCHIVE_MIN_DAYS}.`,
    )
  }
}

/** One rule per rulePriority; at most one "any" rule, evaluated last. */
function checkAcrossRules({ byPriority, anyRules }: RulesSeen, at: At): void {
  for (const [priority, where] of byPriority) {
    if (where.length > 1) {
      at(
        `rules ${where.join(' and ')}, field 'rulePriority'`,
        `${priority} is used ${where.length} times. Expected each rule to have its own rulePriority.`,
      )
    }
  }
  if (anyRules.length > 1) {
    at(
      `rules ${anyRules.map((r) => r.index).join(' and ')}, field 'selection.tagStatus'`,
      `only one rule may have tagStatus "any".`,
    )
  }
  const anyRule = anyRules[0]
  if (anyRules.length === 1 && anyRule?.priority !== undefined) {
    const highest = Math.max(...byPriority.keys())
    if (anyRule.priority < highest) {
      at(
        `rule ${anyRule.index} (rulePriority ${anyRule.priority}), field 'rulePriority'`,
        `a rule with tagStatus "any" must have the highest rulePriority (it is evaluated last); ${highest} is higher. Give it a number above ${highest}.`,
      )
    }
  }
}

function checkTagList(
  list: unknown,
  path: string,
  pattern: boolean,
  field: (path: string, message: string) => void,
): void {
  const what = pattern
    ? 'tag patterns (letters, digits, _ . - and up to 4 *)'
    : 'tag prefixes (letters, digits, _ . -)'
  if (!Array.isArray(list) || list.length === 0) {
    field(path, `${show(list)}. Expected a non-empty list of ${what}.`)
    return
  }
  list.forEach((entry: unknown, j) => {
    const p = `${path}[${j}]`
    if (typeof entry !== 'string' || entry === '') field(p, `${show(entry)}. Expected one of the ${what}.`)
    else if (!(pattern ? PATTERN_CHARS : TAG_CHARS).test(entry)) field(p, `${show(entry)}. Expected ${what}.`)
    else if (pattern && (entry.match(/\*/g)?.length ?? 0) > MAX_WILDCARDS) {
      field(
        p,
        `${show(entry)} has more than ${MAX_WILDCARDS} wildcards (*); ECR allows at most ${MAX_WILDCARDS}.`,
      )
    }
  })
}

/** The text to send: the file as written, or compact JSON when that is too long; undefined: too long anyway. */
function policyText(raw: string): string | undefined {
  const trimmed = raw.replace(/^\uFEFF/, '').trim()
  if (trimmed.length <= POLICY_TEXT_MAX && trimmed.length >= POLICY_TEXT_MIN) return trimmed
  const compact = JSON.stringify(JSON.parse(trimmed))
  if (compact.length > POLICY_TEXT_MAX) return undefined
  // Shorter than ECR's minimum (cannot happen for a valid policy, but keep the send valid).
  return compact.length >= POLICY_TEXT_MIN ? compact : JSON.stringify(JSON.parse(trimmed), null, 2)
}

/** JSON with object keys sorted and no whitespace: two policies are the same when this is. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * The canonical form of a policy text, for comparison; undefined when the text is not JSON (a
 * policy ECR holds is always JSON, so this means "different").
 */
export function normalizePolicyText(text: string): string | undefined {
  try {
    return canonicalJson(JSON.parse(text))
  } catch {
    return undefined
  }
}

/** Whether the repository's current policy (undefined: none) already is the desired one. */
export function samePolicy(current: string | undefined, desired: string): boolean {
  if (current === undefined) return false
  const a = normalizePolicyText(current)
  return a !== undefined && a === normalizePolicyText(desired)
}

/** Rules in evaluation order (lowest rulePriority first). */
export function rulesInOrder(policy: LifecyclePolicy): LifecycleRule[] {
  return [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)
}

/** One line describing what a rule selects and does, for the summary. */
export function describeRule(rule: LifecycleRule): string {
  const s = rule.selection
  const archived = s.storageClass === 'archive' ? 'archived ' : ''
  const which =
    s.tagStatus === 'untagged'
      ? `untagged ${archived}images`
      : s.tagStatus === 'any'
        ? `all ${archived}images`
        : s.tagPrefixList
          ? `${archived}images tagged ${s.tagPrefixList.map((t) => `${t}*`).join(' + ')}`
          : `${archived}images tagged ${(s.tagPatternList ?? []).join(' + ')}`
  const days = `${s.countNumber} day${s.countNumber === 1 ? '' : 's'}`
  const when =
    s.countType === 'imageCountMoreThan'
      ? `beyond the newest ${s.countNumber}`
      : s.countType === 'sinceImagePulled'
        ? `not pulled for more than ${days}`
        : s.countType === 'sinceImageTransitioned'
          ? `archived more than ${days} ago`
          : `pushed more than ${days} ago`
  return `${rule.action.type === 'transition' ? 'archive' : 'expire'} ${which} ${when}`
}
