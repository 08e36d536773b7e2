// ARNs, registry hosts and console links per partition (src/partition.ts), and the places that use them.
import { describe, expect, it } from 'vitest'
import { ROLE_ARN } from '../src/inputs.ts'
import {
  arn,
  consoleUrl,
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
