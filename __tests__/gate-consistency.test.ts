// Consistency rules of one read pass, as tables: repeated tokens and keys, severity counts read
// per page or per image, status changes mid-read, the page cap; and which children of an image
// index are gated. Pure.
import { describe, expect, it } from 'vitest'
import {
  MAX_PAGES_PER_PASS,
  addPage,
  finishPass,
  mayFollow,
  newPass,
  type PageFacts,
} from '../src/gate/consistency.ts'
import { platformImages } from '../src/gate/ecr-scan.ts'
import type { Finding } from '../src/gate/findings.ts'
import { normaliseSeverity } from '../src/severity.ts'

const f = (key: string, severity = 'HIGH'): Finding => ({
  key,
  id: key,
  source: 'enhanced',
  severity: normaliseSeverity(severity),
  rawSeverity: severity,
  status: 'ACTIVE',
  package: 'p',
  version: '1',
  fixedIn: '',
  packages: [{ name: 'p', version: '1', fixedIn: '' }],
  fixAvailable: 'NO',
  exploitAvailable: 'NO',
  title: key,
  description: '',
  url: '',
  imageDigest: 'sha256:a',
  platform: '',
})

const page = (
  findings: Finding[],
  severityCounts?: Record<string, number>,
  status = 'ACTIVE',
): PageFacts => ({
  status,
  findings,
  severityCounts,
  completedAt: 1000,
})

/** Pages in order, each with the token that leads to the next; returns the pass verdict. */
function pass(pages: PageFacts[], tokens: string[] = []) {
  const p = newPass()
  for (const [i, pg] of pages.entries()) {
    addPage(p, pg)
    const t = tokens[i]
    if (t !== undefined && !mayFollow(p, t)) break
  }
  return finishPass(p)
}

describe('read pass consistency', () => {
  it.each<[string, () => ReturnType<typeof pass>, boolean, RegExp?]>([
    ['one clean page', () => pass([page([f('a'), f('b')], { HIGH: 2 })]), true],
    [
      'per-image counts repeated on every page',
      () => pass([page([f('a')], { HIGH: 2 }), page([f('b')], { HIGH: 2 })], ['t1']),
      true,
    ],
    [
      'per-page counts',
      () => pass([page([f('a')], { HIGH: 1 }), page([f('b', 'LOW')], { LOW: 1 })], ['t1']),
      true,
    ],
    ['counts below the listing (ECR counting less)', () => pass([page([f('a'), f('b')], { HIGH: 1 })]), true],
    ['no counts at all', () => pass([page([f('a')])]), true],
    ['an empty pass', () => pass([page([], {})]), true],
    [
      'counts claim more than listed: a page is missing',
      () => pass([page([f('a')], { HIGH: 1, CRITICAL: 1 })]),
      false,
      /claims 1 CRITICAL but the pages listed 0/,
    ],
    [
      'UNTRIAGED counts are UNDEFINED, as the findings are',
      () => pass([page([f('a', 'UNTRIAGED')], { UNTRIAGED: 1 })]),
      true,
    ],
    [
      'a finding listed twice',
      () => pass([page([f('a')]), page([f('a')])], ['t1']),
      false,
      /1 finding was listed twice \(pages repeat\), e\.g\. a/,
    ],
    [
      'a token given twice',
      () => pass([page([f('a')]), page([f('b')]), page([f('c')])], ['t1', 't1']),
      false,
      /nextToken it had already given/,
    ],
    [
      'the status changes during the read',
      () => pass([page([f('a')]), page([f('b')], undefined, 'IN_PROGRESS')], ['t1']),
      false,
      /status changed from ACTIVE to IN_PROGRESS/,
    ],
    [
      'a new scan completes during the read',
      () => pass([page([f('a')]), { ...page([f('b')]), completedAt: 2000 }], ['t1']),
      false,
      /completion time changed/,
    ],
  ])('%s', (_n, run, consistent, problem) => {
    const v = run()
    expect(v.consistent).toBe(consistent)
    if (problem) expect(v.problems.join('\n')).toMatch(problem)
  })

  it(`stops at the page cap (${MAX_PAGES_PER_PASS} pages)`, () => {
    const p = newPass()
    let followed = 0
    for (let i = 0; i < MAX_PAGES_PER_PASS + 10; i++) {
      addPage(p, page([f(`k${i}`)]))
      if (!mayFollow(p, `t${i}`)) break
      followed += 1
    }
    expect(followed).toBe(MAX_PAGES_PER_PASS - 1)
    expect(finishPass(p)).toMatchObject({
      consistent: false,
      problems: [expect.stringContaining('page cap')],
    })
  })
})

describe('index children', () => {
  const OCI = 'application/vnd.oci.image.manifest.v1+json'
  const INDEX = 'application/vnd.oci.image.index.v1+json'
  const d = (c: string) => `sha256:${c.repeat(64)}`
  it.each<[string, object, { images: string[]; nested: string[] }]>([
    [
      'with platform',
      { mediaType: OCI, digest: d('a'), platform: { os: 'linux', architecture: 'amd64' } },
      { images: ['linux/amd64'], nested: [] },
    ],
    [
      'with variant',
      { mediaType: OCI, digest: d('a'), platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { images: ['linux/arm/v7'], nested: [] },
    ],
    [
      'without platform',
      { mediaType: OCI, digest: d('b') },
      { images: [`unknown@${d('b').slice(0, 19)}`], nested: [] },
    ],
    [
      'unknown/unknown without annotation',
      { digest: d('c'), platform: { os: 'unknown', architecture: 'unknown' } },
      { images: [`unknown@${d('c').slice(0, 19)}`], nested: [] },
    ],
    [
      'Docker attestation',
      {
        mediaType: OCI,
        digest: d('e'),
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
      { images: [], nested: [] },
    ],
    [
      'an artifact (artifactType)',
      { mediaType: OCI, digest: d('f'), artifactType: 'application/vnd.in-toto+json' },
      { images: [], nested: [] },
    ],
    [
      'a nested index',
      { mediaType: INDEX, digest: d('1'), platform: { os: 'linux', architecture: 'amd64' } },
      { images: [], nested: ['linux/amd64'] },
    ],
    ['no digest', { mediaType: OCI }, { images: [], nested: [] }],
  ])('%s', (_n, child, expected) => {
    const r = platformImages({ manifests: [child] })
    expect({ images: r.images.map((i) => i.platform), nested: r.nested.map((i) => i.platform) }).toEqual(
      expected,
    )
  })
})
