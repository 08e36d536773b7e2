// The pushed image is ours (src/verify.ts): what ECR holds for each tag right after the push must
// be what docker pushed, and name the local image.
import { describe, expect, it } from 'vitest'
import { configDigest, indexChildren, verifyPushed, type TagManifest } from '../src/verify.ts'

const d = (c: string): string => `sha256:${c.repeat(64)}`
const LOCAL = d('a')
const OTHER = d('b')
const PUSHED = d('c')

const manifest = (config: string): string =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config, size: 1 },
    layers: [],
  })

const held = (digest: string, config: string): TagManifest => ({
  digest,
  manifest: manifest(config),
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
})

const facts = (tags: [string, TagManifest | undefined][], imageId = LOCAL) => ({
  repositoryUri: 'r.example/acme/widget',
  image: 'widget:ci',
  imageId,
  pushedDigest: PUSHED,
  tags: new Map(tags),
})

describe('verifyPushed', () => {
  it.each<[string, [string, TagManifest | undefined][], RegExp[]]>([
    [
      'every tag names our config',
      [
        ['t1', held(PUSHED, LOCAL)],
        ['t2', held(PUSHED, LOCAL)],
      ],
      [],
    ],
    [
      'a tag ECR does not have',
      [['t1', undefined]],
      [/^ECR holds no image for r\.example\/acme\/widget:t1 right after/],
    ],
    [
      'another push of the tag landed meanwhile',
      [['t1', held(OTHER, OTHER)]],
      [
        /^ECR reports sha256:b+ for r\.example\/acme\/widget:t1, but docker pushed sha256:c+: another push of the same tag/,
      ],
    ],
    [
      'docker pushed another image (the tag was re-tagged on a shared engine)',
      [['t1', held(PUSHED, OTHER)]],
      [
        /^docker pushed r\.example\/acme\/widget:t1 as sha256:c+, whose image config is sha256:b+, not the local image 'widget:ci' \(sha256:a+\): another job on this Docker engine re-tagged/,
      ],
    ],
    [
      'one tag of two',
      [
        ['ok', held(PUSHED, LOCAL)],
        ['moved', held(OTHER, OTHER)],
      ],
      [/:moved, but docker pushed/],
    ],
  ])('%s', (_name, tags, problems) => {
    const got = verifyPushed(facts(tags))
    expect(got).toHaveLength(problems.length)
    problems.forEach((p, i) => {
      expect(got[i]).toMatch(p)
      expect(got[i]).toMatch(/Do not deploy this tag; deploy nothing from this step, and re-run\.$/)
    })
  })

  it("the containerd image store: the local ID is the manifest's (or index's) own digest", () => {
    const index: TagManifest = {
      digest: PUSHED,
      manifest: JSON.stringify({ mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }),
      mediaType: 'application/vnd.oci.image.index.v1+json',
    }
    expect(verifyPushed(facts([['t1', index]], PUSHED))).toEqual([])
    expect(verifyPushed(facts([['t1', index]], LOCAL))[0]).toMatch(
      /whose image \('application\/vnd\.oci\.image\.index\.v1\+json'\) is not the local image/,
    )
  })

  it('an index pushed by a docker whose local ID is the config: one of its platform images must name it', () => {
    const index: TagManifest = {
      digest: PUSHED,
      manifest: JSON.stringify({
        manifests: [
          { digest: d('e'), platform: { os: 'linux', architecture: 'amd64' } },
          { digest: d('f'), platform: { os: 'unknown', architecture: 'unknown' } },
        ],
      }),
      mediaType: 'application/vnd.oci.image.index.v1+json',
    }
    expect(indexChildren(index.manifest)).toEqual([d('e')])
    const f = facts([['t1', index]])
    expect(verifyPushed({ ...f, indexConfigs: new Map([[PUSHED, [LOCAL]]]) })).toEqual([])
    expect(verifyPushed({ ...f, indexConfigs: new Map([[PUSHED, [OTHER]]]) })).toHaveLength(1)
  })

  it('configDigest reads an image manifest, and nothing else', () => {
    expect(configDigest(manifest(LOCAL))).toBe(LOCAL)
    expect(configDigest('{"manifests":[]}')).toBeUndefined()
    expect(configDigest('not json')).toBeUndefined()
  })
})
