/**
 * Repository creation templates and create on push: which `CREATE_ON_PUSH` template ECR applies
 * to a missing repository, and its settings in words. Pure: no I/O.
 *
 * From the ECR user guide: a template's `prefix` covers the repositories under `<prefix>/`; `ROOT`
 * covers every repository no other template covers; the longest matching prefix wins.
 */
import { describeEncryption, describeMutability, type RepositorySettings } from './settings.js'

/** The parts of ECR's RepositoryCreationTemplate read here. */
export interface CreationTemplate {
  prefix?: string | undefined
  appliedFor?: string[] | undefined
  description?: string | undefined
  imageTagMutability?: string | undefined
  imageTagMutabilityExclusionFilters?: RepositorySettings['imageTagMutabilityExclusionFilters']
  encryptionConfiguration?: RepositorySettings['encryptionConfiguration']
  lifecyclePolicy?: string | undefined
  resourceTags?: { Key?: string | undefined; Value?: string | undefined }[] | undefined
}

const normal = (prefix: string): string => (prefix === 'ROOT' ? prefix : prefix.replace(/\/+$/, ''))

/** The prefixes a template would need to cover `name`, longest first, then ROOT. */
export function candidatePrefixes(name: string): string[] {
  const parts = name.split('/')
  const out: string[] = []
  for (let i = parts.length - 1; i >= 1; i--) out.push(parts.slice(0, i).join('/'))
  return [...out, 'ROOT']
}

/** The CREATE_ON_PUSH template ECR applies to a missing repository `name`, if any. */
export function coveringTemplate(
  templates: readonly CreationTemplate[],
  name: string,
): CreationTemplate | undefined {
  const onPush = templates.filter(
    (t) => t.prefix !== undefined && (t.appliedFor ?? []).includes('CREATE_ON_PUSH'),
  )
  let best: CreationTemplate | undefined
  for (const t of onPush) {
    const prefix = normal(t.prefix ?? '')
    if (prefix === 'ROOT' || !name.startsWith(`${prefix}/`)) continue
    if (!best || prefix.length > normal(best.prefix ?? '').length) best = t
  }
  return best ?? onPush.find((t) => normal(t.prefix ?? '') === 'ROOT')
}

/** The template's prefix as ECR shows it. */
export function templatePrefix(t: CreationTemplate): string {
  return normal(t.prefix ?? 'ROOT')
}

/** What a repository created from the template gets, as one line. */
export function describeTemplate(t: CreationTemplate): string {
  const settings: RepositorySettings = {
    imageTagMutability: t.imageTagMutability,
    imageTagMutabilityExclusionFilters: t.imageTagMutabilityExclusionFilters,
    encryptionConfiguration: t.encryptionConfiguration,
  }
  const tags = t.resourceTags?.length ?? 0
  return [
    `tag mutability ${describeMutability(settings)}`,
    `encryption ${describeEncryption(settings)}`,
    t.lifecyclePolicy ? 'the lifecycle policy of the template' : 'no lifecycle policy',
    `${tags} resource tag${tags === 1 ? '' : 's'}`,
    'scan-on-push off (the registry scanning rules decide)',
  ].join(', ')
}
