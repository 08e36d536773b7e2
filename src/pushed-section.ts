/** The `Pushed` section of the job summary: what to deploy, where it went, as whom. Pure. */
import { factList, link } from './markdown.js'
import { mdCode, mdText } from './neutralise.js'
import type { PushResult } from './push.js'
import type { Identity } from './sts.js'

/** Tags listed by name; a push of more lists the first ones and says how many more. */
const MAX_TAGS = 20

export function pushedSection(
  p: PushResult,
  identity: Identity,
  { pushed, consoleUrl }: { pushed: boolean; consoleUrl: string | undefined },
): string {
  const tags = p.tags.slice(0, MAX_TAGS).map((t) => mdCode(t))
  if (p.tags.length > MAX_TAGS) tags.push(`and ${p.tags.length - MAX_TAGS} more`)
  const console = consoleUrl ? ` · ${link('ECR console', consoleUrl)}` : ''
  return [
    pushed ? '### Pushed' : '### Image in ECR (push: false: nothing pushed)',
    '',
    `Deploy ${mdCode(p.imageRef)}${console}`,
    '',
    ...factList([
      ['Tags', tags.join(', ') || '–'],
      ['Registry', `${mdCode(p.registry)} (account ${mdText(p.registryId)})`],
      [pushed ? 'Pushed as' : 'Read as', mdCode(identity.arn)],
    ]),
  ].join('\n')
}
