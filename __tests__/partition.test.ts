// ARNs, registry hosts and console links per partition (src/partition.ts), and the places that use them.
import { describe, expect, it } from 'vitest'
import { ROLE_ARN } from '../src/inputs.ts'
import { PARTITION_DATA } from '../src/partition-data.ts'
import { parseInputs } from '../src/inputs.ts'
import {
  arn,
  closestRegion,
  consoleUrl,
  editDistance,
  isKnownRegion,
  knownRegions,
  partitionOf,
  partitionOfArn,
  registryHostOf,
  repositoryArn,
} from '../src/partition.ts'
import { parseEcrHost } from '../src/registry.ts'

describe('partitions', () => {
  it.each([
    ['us-east-1', 'aws', 'amazonaws.com'],
    ['eu-central-2', 'aws', 'amazonaws.com'],
    ['cn-north-1', 'aws-cn', 'amazonaws.com.cn'],
    ['cn-northwest-1', 'aws-cn', 'amazonaws.com.cn'],
    ['us-gov-west-1', 'aws-us-gov', 'amazonaws.com'],
    ['us-iso-east-1', 'aws-iso', 'c2s.ic.gov'],
    ['us-isob-east-1', 'aws-iso-b', 'sc2s.sgov.gov'],
    ['eusc-de-east-1', 'aws-eusc', 'amazonaws.eu'],
  ])('%s is in %s', (region, id, dnsSuffix) => {
    expect(partitionOf(region)).toMatchObject({ id, dnsSuffix })
    const host = registryHostOf('123456789012', region)
    expect(host).toBe(`123456789012.dkr.ecr.${region}.${dnsSuffix}`)
    expect(parseEcrHost(host)).toEqual({ account: '123456789012', region })
  })

  it('builds repository ARNs in the region’s partition', () => {
    expect(repositoryArn('us-east-1', '123456789012', 'acme/widget')).toBe(
      'arn:aws:ecr:us-east-1:123456789012:repository/acme/widget',
    )
    expect(repositoryArn('cn-north-1', '123456789012', 'acme/widget')).toBe(
      'arn:aws-cn:ecr:cn-north-1:123456789012:repository/acme/widget',
    )
    expect(repositoryArn('us-gov-east-1', '123456789012', 'acme/widget')).toBe(
      'arn:aws-us-gov:ecr:us-gov-east-1:123456789012:repository/acme/widget',
    )
    expect(arn({ partition: 'aws-cn', service: 'iam', region: '', account: '1', resource: 'role/r' })).toBe(
      'arn:aws-cn:iam::1:role/r',
    )
  })

  it('reads the partition of an ARN, and role-to-assume accepts every partition', () => {
    for (const p of ['aws', 'aws-cn', 'aws-us-gov']) {
      const role = `arn:${p}:iam::123456789012:role/github-ecr-push`
      expect(partitionOfArn(role)).toBe(p)
      expect(ROLE_ARN.test(role)).toBe(true)
    }
    expect(partitionOfArn('not-an-arn')).toBeUndefined()
  })

  it('links the repository and the image in the console of the partition', () => {
    const digest = `sha256:${'a'.repeat(64)}`
    expect(consoleUrl('us-east-1', '123456789012', 'acme/widget')).toBe(
      'https://us-east-1.console.aws.amazon.com/ecr/repositories/private/123456789012/acme/widget?region=us-east-1',
    )
    expect(consoleUrl('cn-north-1', '123456789012', 'acme/widget', digest)).toBe(
      `https://cn-north-1.console.amazonaws.cn/ecr/repositories/private/123456789012/acme/widget/_/image/${digest}/details?region=cn-north-1`,
    )
    expect(consoleUrl('us-gov-west-1', '123456789012', 'acme/widget')).toBe(
      'https://console.amazonaws-us-gov.com/ecr/repositories/private/123456789012/acme/widget?region=us-gov-west-1',
    )
    expect(consoleUrl('us-iso-east-1', '123456789012', 'acme/widget')).toBeUndefined()
  })
})

describe("regions, from the AWS SDK's bundled partition data", () => {
  it('partition-data.ts is what the SDK bundled with the action says (npm run partitions)', async () => {
    const { sdkPartitions } = await import('../scripts/partitions.ts')
    expect(PARTITION_DATA).toEqual(await sdkPartitions())
  })

  it.each(['us-east-1', 'eu-central-2', 'cn-northwest-1', 'us-gov-east-1', 'il-central-1', 'mx-central-1'])(
    '%s is known',
    (region) => expect(isKnownRegion(region)).toBe(true),
  )

  it.each(['us-esat-1', 'us-east-9', 'eu-west-7', 'aws-global', 'moon-base-1'])('%s is not', (region) =>
    expect(isKnownRegion(region)).toBe(false),
  )

  it.each([
    ['us-esat-1', 'us-east-1'],
    ['us-east-01', 'us-east-1'],
    ['euwest-1', 'eu-west-1'],
    ['eu-centrl-1', 'eu-central-1'],
    ['ap-southeast-12', 'ap-southeast-1'],
    ['cn-nrth-1', 'cn-north-1'],
    ['us-gov-wst-1', 'us-gov-west-1'],
  ])('%s: did you mean %s?', (typo, meant) => {
    expect(closestRegion(typo)).toBe(meant)
  })

  it('editDistance counts insertions, deletions, substitutions and a swap of neighbours', () => {
    expect(editDistance('us-east-1', 'us-east-1')).toBe(0)
    expect(editDistance('us-esat-1', 'us-east-1')).toBe(1)
    expect(editDistance('us-east-1', 'us-east-12')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(knownRegions().length).toBeGreaterThan(30)
  })

  it('an unknown region is a bad aws-region (or AWS_REGION) before any call, naming the closest one', () => {
    const base: Record<string, string> = { image: 'widget:ci', repository: 'acme/widget', tags: 't1' }
    const fail = (get: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] => {
      try {
        parseInputs((n) => get[n] ?? '', env)
        return []
      } catch (err) {
        return (err as { problems: string[] }).problems
      }
    }
    expect(fail({ ...base, 'aws-region': 'us-esat-1' })).toEqual([
      "Invalid input 'aws-region': 'us-esat-1' is not a region the AWS SDK knows. Expected a region code like us-east-1: did you mean us-east-1?",
    ])
    expect(fail(base, { AWS_REGION: 'eu-wset-1' })).toEqual([
      "Invalid input 'aws-region': 'eu-wset-1' is not a region the AWS SDK knows. Expected a region code like us-east-1: did you mean eu-west-1?",
    ])
  })
})
