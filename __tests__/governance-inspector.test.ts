// Amazon Inspector's ECR re-scan duration in words, and when it lapses before a deploy lifetime
// (src/governance/inspector.ts).
import { describe, expect, it } from 'vitest'
import { DEPLOY_LIFETIME_DAYS, rescanDays, rescanPhrase, rescanWarning } from '../src/governance/inspector.ts'

describe('rescanDays', () => {
  it.each([
    ['DAYS_3', 3],
    ['DAYS_180', 180],
    ['LIFETIME', Infinity],
    ['SOMETIME', undefined],
    [undefined, undefined],
  ])('%s → %s', (d, n) => {
    expect(rescanDays(d)).toBe(n)
  })
})

describe('rescanWarning', () => {
  const warn = (rescanDuration: string, coverage: 'CONTINUOUS_SCAN' | 'SCAN_ON_PUSH' = 'CONTINUOUS_SCAN') =>
    rescanWarning({ rescanDuration }, coverage, 'acme/widget', 'eu-west-1')

  it.each(['DAYS_3', 'DAYS_7', 'DAYS_14', 'DAYS_30', 'DAYS_60'])('%s lapses before %s days: warned', (d) => {
    expect(warn(d)).toContain(`(ECR re-scan duration ${d})`)
    expect(warn(d)).toContain(`For deploys that live ${DEPLOY_LIFETIME_DAYS} days or more`)
    expect(warn(d)).toContain(
      'aws inspector2 update-configuration --ecr-configuration rescanDuration=DAYS_180 --region eu-west-1',
    )
  })
  it.each(['DAYS_90', 'DAYS_180', 'LIFETIME'])('%s: no warning', (d) => {
    expect(warn(d)).toBeUndefined()
  })
  it('scan on push is never re-scanned: no warning', () => {
    expect(warn('DAYS_3', 'SCAN_ON_PUSH')).toBeUndefined()
  })
  it('names the pull-date rule that may keep an image scanned', () => {
    expect(
      rescanWarning(
        {
          rescanDuration: 'DAYS_30',
          pullDateRescanDuration: 'DAYS_60',
          pullDateRescanMode: 'LAST_PULL_DATE',
        },
        'CONTINUOUS_SCAN',
        'acme/widget',
        'us-east-1',
      ),
    ).toMatch(
      /for only 30 days after their push \(ECR re-scan duration DAYS_30\) unless its last pull was within 60 days: an image deployed longer turns SCAN_ELIGIBILITY_EXPIRED/,
    )
  })
})

describe('rescanPhrase', () => {
  it.each([
    [{ rescanDuration: 'DAYS_14' }, '14 days after the push (DAYS_14)'],
    [
      { rescanDuration: 'DAYS_90', pullDateRescanDuration: 'DAYS_30', pullDateRescanMode: 'LAST_IN_USE_AT' },
      '90 days after the push, or 30 days after its last use on a cluster (DAYS_90 / DAYS_30)',
    ],
    [
      { rescanDuration: 'LIFETIME', status: 'PENDING' },
      "for the image's lifetime (LIFETIME) (change PENDING)",
    ],
  ])('%j', (setting, phrase) => {
    expect(rescanPhrase(setting)).toBe(phrase)
  })
})
