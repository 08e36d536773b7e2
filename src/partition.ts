/**
 * AWS partitions: the one place that knows how ARNs, registry hosts and console links differ between
 * the commercial regions, China and GovCloud (and the isolated partitions ECR also runs in). Region
 * prefixes and DNS suffixes are those of the AWS SDK's partition data. Pure.
 */

export interface Partition {
  /** The ARN partition: `arn:<id>:…`. */
  id: string
  /** Suffix of the service hosts (`<account>.dkr.ecr.<region>.<dnsSuffix>`). */
  dnsSuffix: string
  /** Host of the AWS console, where there is a public one; `{region}` is replaced. */
  console?: string
}

const COMMERCIAL: Partition = {
  id: 'aws',
  dnsSuffix: 'amazonaws.com',
  console: '{region}.console.aws.amazon.com',
}

/** By region prefix, most specific first; anything else is the commercial partition. */
const PARTITIONS: readonly (readonly [prefix: string, partition: Partition])[] = [
  ['cn-', { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', console: '{region}.console.amazonaws.cn' }],
  ['us-gov-', { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com', console: 'console.amazonaws-us-gov.com' }],
  ['us-isob-', { id: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov' }],
  ['us-isof-', { id: 'aws-iso-f', dnsSuffix: 'csp.hci.ic.gov' }],
  ['us-iso-', { id: 'aws-iso', dnsSuffix: 'c2s.ic.gov' }],
  ['eu-isoe-', { id: 'aws-iso-e', dnsSuffix: 'cloud.adc-e.uk' }],
  ['eusc-', { id: 'aws-eusc', dnsSuffix: 'amazonaws.eu' }],
]

/** Every DNS suffix a registry host can end with (the dual-stack `on.aws` aside). */
export const DNS_SUFFIXES: readonly string[] = [
  ...new Set([COMMERCIAL.dnsSuffix, ...PARTITIONS.map(([, p]) => p.dnsSuffix)]),
]

/** The ARN partition pattern (`aws`, `aws-cn`, `aws-us-gov`, …), for regular expressions. */
export const ARN_PARTITION = 'aws(?:-[a-z]+)*'

export function partitionOf(region: string): Partition {
  return PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? COMMERCIAL
}

/** The partition an ARN names, or undefined when it is not an ARN. */
export function partitionOfArn(arnText: string): string | undefined {
  const m = new RegExp(`^arn:(${ARN_PARTITION}):`).exec(arnText)
  return m?.[1]
}

export interface ArnParts {
  /** The partition's ID; by default the region's. */
  partition?: string
  service: string
  /** '' for global services (IAM, STS). */
  region: string
  account: string
  resource: string
}

export function arn(parts: ArnParts): string {
  const partition = parts.partition ?? partitionOf(parts.region).id
  return `arn:${partition}:${parts.service}:${parts.region}:${parts.account}:${parts.resource}`
}

/** `arn:<partition>:ecr:<region>:<registry>:repository/<name>`. */
export function repositoryArn(region: string, registryId: string, repository: string): string {
  return arn({ service: 'ecr', region, account: registryId, resource: `repository/${repository}` })
}

/** The private registry host of an account in a region. */
export function registryHostOf(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.${partitionOf(region).dnsSuffix}`
}

/**
 * The repository (or, with a digest, the image) in the ECR console; undefined in a partition
 * without a public console.
 */
export function consoleUrl(
  region: string,
  registryId: string,
  repository: string,
  digest?: string,
): string | undefined {
  const host = partitionOf(region).console?.replace('{region}', region)
  if (host === undefined) return undefined
  const path = `ecr/repositories/private/${registryId}/${repository}`
  const image = digest === undefined ? '' : `/_/image/${digest}/details`
  return `https://${host}/${path}${image}?region=${region}`
}
