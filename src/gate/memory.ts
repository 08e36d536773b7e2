/**
 * Memory for large finding sets. Reading 50,000 enhanced findings (50 pages of 1,000, each parsed
 * by the AWS SDK into two object trees) makes V8 grow its young generation to its 128 MiB maximum:
 * most of the whole step's peak RSS (npm run bench, 50,000 findings: new space 128 MiB, old space
 * 61 MiB, peak RSS 300-340 MiB). Not letting it grow further from the second page of a read on
 * brings the whole step to ~245 MiB at the same speed (from the first page: ~195 MiB, but twice
 * the CPU while reading); images with one page of findings are not affected.
 *
 * `--semi-space-growth-factor` is read each time V8 considers growing the new space, so setting it
 * at run time (v8.setFlagsFromString, a public Node API) takes effect; it changes nothing else.
 */
import { setFlagsFromString } from 'node:v8'

/** From now on, V8 does not grow the young generation (idempotent). */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1')
}
