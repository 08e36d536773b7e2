/**
 * ECR repository creation templates: DescribeRepositoryCreationTemplates, and create on push (the
 * registry front calls `createOnPush` when a push names a repository that does not exist).
 *
 * From the ECR user guide: a template's `prefix` covers the repositories under `<prefix>/`, `ROOT`
 * covers every repository no other template covers; a repository created from a template gets the
 * template's tag mutability (and exclusions), encryption, resource tags and lifecycle policy. The
 * principal that pushes needs `ecr:CreateRepository` on the repository; resource tags and KMS keys
 * are applied with the template's `customRoleArn`, so a template with tags must name one.
 * Templates are set up with `emulator.addCreationTemplate()`.
 */
import { AwsError } from '../errors.ts'
import { denial } from '../iam.ts'
import type { EmulatorCore } from '../state.ts'
import type { CreationTemplateRecord, Principal, RepositoryRecord } from '../types.ts'
import { operation, paginate, type EcrOperation } from './context.ts'

/** The template that covers `name` for `use`: the longest matching prefix, else ROOT. */
export function findCreationTemplate(
  core: EmulatorCore,
  account: string,
  region: string,
  name: string,
  use: CreationTemplateRecord['appliedFor'][number],
): CreationTemplateRecord | undefined {
  const candidates = core.state.creationTemplates.filter(
    (t) => t.account === account && t.region === region && t.appliedFor.includes(use),
  )
  let best: CreationTemplateRecord | undefined
  for (const t of candidates) {
    if (t.prefix === 'ROOT' || !name.startsWith(`${t.prefix}/`)) continue
    if (!best || t.prefix.length > best.prefix.length) best = t
  }
  return best ?? candidates.find((t) => t.prefix === 'ROOT')
}

export type CreateOnPush =
  { created: RepositoryRecord; template: CreationTemplateRecord } | { denied: string } | undefined

/**
 * Create a missing repository from the CREATE_ON_PUSH template that covers it, for `principal`.
 * undefined when no template covers it (the push then finds no repository).
 */
export function createOnPush(
  core: EmulatorCore,
  principal: Principal,
  account: string,
  region: string,
  name: string,
): CreateOnPush {
  const template = findCreationTemplate(core, account, region, name, 'CREATE_ON_PUSH')
  if (!template) return undefined
  const arn = `arn:aws:ecr:${region}:${account}:repository/${name}`
  const why = denial(principal, 'ecr:CreateRepository', arn)
  if (why !== undefined) return { denied: why }
  const existing = core.findRepository(account, region, name)
  if (existing) return { created: existing, template }
  const repo: RepositoryRecord = {
    account,
    region,
    name,
    createdAt: new Date(),
    imageTagMutability: template.imageTagMutability ?? 'MUTABLE',
    scanOnPush: false,
    encryption: template.encryptionConfiguration ?? { encryptionType: 'AES256' },
    tags: [...(template.resourceTags ?? [])],
    ext: { createdFromTemplate: template.prefix },
  }
  if (template.imageTagMutabilityExclusionFilters)
    repo.imageTagMutabilityExclusionFilters = template.imageTagMutabilityExclusionFilters
  if (template.lifecyclePolicy !== undefined) repo.ext.lifecyclePolicy = { text: template.lifecyclePolicy }
  if (template.repositoryPolicy !== undefined) repo.ext.repositoryPolicyText = template.repositoryPolicy
  core.state.repositories.push(repo)
  return { created: repo, template }
}

/** Checks a template the way CreateRepositoryCreationTemplate would; throws a plain Error. */
export function checkCreationTemplate(t: CreationTemplateRecord): void {
  if (
    t.prefix !== 'ROOT' &&
    !/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/.test(t.prefix)
  )
    throw new Error(`creation template: prefix ${JSON.stringify(t.prefix)} is neither ROOT nor a namespace`)
  if (t.appliedFor.length === 0) throw new Error('creation template: appliedFor is empty')
  const filters = t.imageTagMutabilityExclusionFilters
  const withExclusion =
    t.imageTagMutability === 'IMMUTABLE_WITH_EXCLUSION' || t.imageTagMutability === 'MUTABLE_WITH_EXCLUSION'
  if (withExclusion !== (filters !== undefined && filters.length > 0))
    throw new Error(
      'creation template: exclusion filters go with (and only with) a *_WITH_EXCLUSION mutability',
    )
  if ((t.resourceTags?.length ?? 0) > 0 && t.customRoleArn === undefined)
    throw new Error('creation template: resource tags need a customRoleArn')
}

/** The API shape of a template. */
function templateShape(t: CreationTemplateRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    prefix: t.prefix,
    appliedFor: t.appliedFor,
    imageTagMutability: t.imageTagMutability ?? 'MUTABLE',
    encryptionConfiguration: t.encryptionConfiguration ?? { encryptionType: 'AES256' },
    resourceTags: t.resourceTags ?? [],
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  }
  if (t.description !== undefined) out.description = t.description
  if (t.imageTagMutabilityExclusionFilters)
    out.imageTagMutabilityExclusionFilters = t.imageTagMutabilityExclusionFilters
  if (t.lifecyclePolicy !== undefined) out.lifecyclePolicy = t.lifecyclePolicy
  if (t.repositoryPolicy !== undefined) out.repositoryPolicy = t.repositoryPolicy
  if (t.customRoleArn !== undefined) out.customRoleArn = t.customRoleArn
  return out
}

interface DescribeTemplatesInput {
  prefixes?: string[]
  nextToken?: string
  maxResults?: number
}

export const operations: Record<string, EcrOperation> = {
  DescribeRepositoryCreationTemplates: operation<DescribeTemplatesInput>({
    handle(ctx, input) {
      const strip = (p: string): string => (p === 'ROOT' ? p : p.replace(/\/+$/, ''))
      const wanted = input.prefixes?.map(strip)
      if (wanted && wanted.length > 100)
        throw new AwsError('InvalidParameterException', 'Invalid parameter: at most 100 prefixes')
      const all = ctx.state.creationTemplates
        .filter((t) => t.account === ctx.account && t.region === ctx.region)
        .filter((t) => wanted === undefined || wanted.includes(t.prefix))
        .sort((a, b) => a.prefix.localeCompare(b.prefix))
      const { page, nextToken } = paginate(ctx, all, input)
      const out: Record<string, unknown> = {
        registryId: ctx.account,
        repositoryCreationTemplates: page.map(templateShape),
      }
      if (nextToken) out.nextToken = nextToken
      return out
    },
  }),
}
