import { describe, expect, it } from 'vitest'
import {
  accountFromArn,
  decodeAuthToken,
  imageRefs,
  jwtClaims,
  parseEcrHost,
  parsePushDigest,
  registryHost,
} from '../src/registry.ts'

describe('decodeAuthToken', () => {
  it('splits base64 "AWS:<password>" at the first colon', () => {
    const token = Buffer.from('AWS:pa:ss=word').toString('base64')
    expect(decodeAuthToken(token)).toEqual({ username: 'AWS', password: 'pa:ss=word' })
  })
  it.each(['', Buffer.from('nocolon').toString('base64'), Buffer.from('AWS:').toString('base64')])(
    'rejects %j',
    (token) => {
      expect(() => decodeAuthToken(token)).toThrow(/not base64/)
    },
  )
})

describe('registryHost', () => {
  it.each([
    [
      'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
      undefined,
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    ],
    [
      'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
      '123456789012',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    ],
    [
      'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
      '210987654321',
      '210987654321.dkr.ecr.us-east-1.amazonaws.com',
    ],
    [
      'https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      '210987654321',
      '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn',
    ],
    [
      'https://123456789012.dkr-ecr.eu-west-1.on.aws',
      '210987654321',
      '210987654321.dkr-ecr.eu-west-1.on.aws',
    ],
    [
      'https://123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu',
      undefined,
      '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu',
    ],
    [
      'https://123456789012.dkr.ecr-fips.us-east-1.amazonaws.com',
      '210987654321',
      '210987654321.dkr.ecr-fips.us-east-1.amazonaws.com',
    ],
    [
      'http://123456789012.dkr.ecr.us-east-1.amazonaws.com:5000',
      '210987654321',
      '210987654321.dkr.ecr.us-east-1.amazonaws.com:5000',
    ],
    [
      'https://123456789012.dkr.ecr.us-east-1.amazonaws.com:443',
      undefined,
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    ],
    ['http://127.0.0.1:5000', '210987654321', '127.0.0.1:5000'],
    ['127.0.0.1:5000', undefined, '127.0.0.1:5000'],
  ])('%s with registry %s -> %s', (endpoint, registryId, host) => {
    expect(registryHost(endpoint, registryId)).toBe(host)
  })
})

describe('parseEcrHost', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', { account: '123456789012', region: 'us-east-1' }],
    ['123456789012.dkr-ecr.ap-south-1.on.aws', { account: '123456789012', region: 'ap-south-1' }],
    ['ghcr.io', undefined],
    ['12345.dkr.ecr.us-east-1.amazonaws.com', undefined],
  ])('%s', (host, expected) => {
    expect(parseEcrHost(host)).toEqual(expected)
  })
})

describe('accountFromArn', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/r/s', '123456789012'],
    ['arn:aws:iam::123456789012:user/u', '123456789012'],
    ['arn:aws:iam::aws:policy/x', undefined],
    ['nonsense', undefined],
  ])('%s -> %s', (arn, account) => {
    expect(accountFromArn(arn)).toBe(account)
  })
})

describe('parsePushDigest', () => {
  const d = 'sha256:' + 'c'.repeat(64)
  it('takes the digest of the last line docker prints', () => {
    const out = `The push refers to repository [x/y]\n5f70bf18a086: Pushed\nabc: digest: ${d} size: 528\n`
    expect(parsePushDigest(out)).toBe(d)
  })
  it('is undefined without one', () => {
    expect(parsePushDigest('error')).toBeUndefined()
  })
})

describe('imageRefs', () => {
  it('builds the URIs the outputs promise', () => {
    expect(imageRefs('r.example', 'acme/widget', ['t1', 'latest'], 'sha256:abc')).toEqual({
      registry: 'r.example',
      repositoryUri: 'r.example/acme/widget',
      imageUri: 'r.example/acme/widget:t1',
      imageRef: 'r.example/acme/widget@sha256:abc',
    })
  })
})

describe('jwtClaims', () => {
  it('reads the payload without checking the signature', () => {
    const payload = Buffer.from(
      JSON.stringify({ sub: 'repo:a/b:ref:refs/heads/main', aud: 'sts.amazonaws.com' }),
    ).toString('base64url')
    expect(jwtClaims(`h.${payload}.s`)).toMatchObject({ sub: 'repo:a/b:ref:refs/heads/main' })
  })
  it.each(['', 'a', 'a.!!!.c'])('is empty for %j', (jwt) => {
    expect(jwtClaims(jwt)).toEqual({})
  })
})
