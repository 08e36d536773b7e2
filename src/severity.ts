/**
 * Severities as an ordered type: ECR's six `FindingSeverity` values, highest first, and the
 * threshold that adds NONE. The one place that ranks, parses and normalises them; inputs, findings,
 * the policy and the reports import it. Pure.
 */

/** ECR's finding severities, highest first. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const
export type Severity = (typeof SEVERITIES)[number]
/** `severity-threshold`: a severity, or NONE (never fail). */
export type Threshold = Severity | 'NONE'
export const THRESHOLDS: readonly Threshold[] = [...SEVERITIES, 'NONE']

const SEVERITY_SET = new Set<string>(SEVERITIES)

/** A scanner's severity text as one of the six; anything else (UNTRIAGED, new values, '') is UNDEFINED. */
export function normaliseSeverity(raw: string | undefined): Severity {
  const up = (raw ?? '').trim().toUpperCase()
  return SEVERITY_SET.has(up) ? (up as Severity) : 'UNDEFINED'
}

/** Rank: CRITICAL 5 … UNDEFINED 0. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(s)
}

/** The severity of a rank (inverse of severityRank). */
export function severityOfRank(rank: number): Severity {
  return SEVERITIES[SEVERITIES.length - 1 - rank] as Severity
}

/** Does a counted finding at `s` fail the gate at `threshold`? */
export function atOrAbove(s: Severity, threshold: Threshold): boolean {
  return threshold !== 'NONE' && severityRank(s) >= severityRank(threshold)
}
