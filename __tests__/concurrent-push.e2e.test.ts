// Point 5 of issue 9 end to end, through dist/ with the real docker engine and registry: a push is
// verified against what ECR then holds (BatchGetImage), so two pushes of one tag from different
// images never both report success with the same image: the loser fails plainly. And the local
// tags the action made are gone when it ends.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, removeImage } from './testbed/docker.ts'
import { operations as imageOperations } from './testbed/emulator/ecr/images.ts'
import { cleanup, type RunResult } from './testbed/runner.ts'
import { startTestbed, type Testbed } from './testbed/testbed.ts'

let tb: Testbed
beforeAll(async () => {
  tb = await startTestbed()
})
afterAll(async () => {
  await tb?.close()
  cleanup()
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function localId(ref: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { allowFailure: true })
  return r.code === 0 ? r.stdout.trim() : undefined
}

/** The config digest the real registry's manifest for `tag` names. */
async function registryConfig(tag: string): Promise<string | undefined> {
  const res = await fetch(`${tb.backend.url}/v2/${tb.repository}/manifests/${tag}`, {
    headers: {
      authorization: tb.backend.authorization,
      accept:
        'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
    },
  })
  if (!res.ok) return undefined
  return ((await res.json()) as { config?: { digest?: string } }).config?.digest
}

const localTags = (): string =>
  execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })

describe('verification after the push', () => {
  it('another job re-tags the same tag on this engine before our docker push: we fail plainly, naming it', async () => {
    const ours = await tb.image({ files: { 'app.txt': `ours ${Math.random()}\n` } })
    const theirs = await tb.image({ files: { 'app.txt': `theirs ${Math.random()}\n` } })
    const ref = `${tb.registry.host}/${tb.repository}:swapped`
    const oursId = await localId(ours)
    let swapped = false
    // Hold our login until our tag is set, then do what the other job does: re-tag it.
    const unhook = tb.emulator.onRegistryRequest(async (info) => {
      if (swapped || info.operation !== 'Ping') return
      swapped = true
      for (let i = 0; i < 100 && (await localId(ref)) !== oursId; i++) await sleep(50)
      await docker(['tag', theirs, ref])
    })
    let r: RunResult
    try {
      r = await tb.run({ inputs: { image: ours, tags: 'swapped' } })
    } finally {
      unhook()
    }
    expect(swapped).toBe(true)
    expect(r.code, r.log).toBe(1)
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^docker pushed ${ref.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} as sha256:[a-f0-9]{64}, whose image config is ${await localId(theirs)}, not the local image '${ours}' \\(${oursId}\\): another job on this Docker engine re-tagged`,
        ),
      ),
    ])
    expect(r.outputs['image-ref']).toBeUndefined()
    // The other job's tag is theirs: left as it is.
    expect(await localId(ref)).toBe(await localId(theirs))
    await removeImage(ref)
  })

  it('another push of the same tag lands between our push and our check: we fail plainly', async () => {
    const ours = await tb.image({ files: { 'app.txt': `ours2 ${Math.random()}\n` } })
    const theirs = await tb.image({ files: { 'app.txt': `theirs2 ${Math.random()}\n` } })
    const other = await tb.login()
    const theirRef = `${tb.registry.host}/${tb.repository}:raced`
    let raced = false
    // Before answering our BatchGetImage, the other push (elsewhere: its own docker login) lands.
    tb.emulator.registerOperation('BatchGetImage', {
      ...(imageOperations.BatchGetImage as NonNullable<typeof imageOperations.BatchGetImage>),
      handle: async (ctx, input) => {
        if (!raced) {
          raced = true
          await docker(['tag', theirs, theirRef])
          const p = await other.docker(['push', theirRef])
          if (p.code !== 0) throw new Error(`the other push failed: ${p.stderr}`)
          await removeImage(theirRef)
        }
        return (imageOperations.BatchGetImage as NonNullable<typeof imageOperations.BatchGetImage>).handle(
          ctx,
          input,
        )
      },
    })
    try {
      const r = await tb.run({ inputs: { image: ours, tags: 'raced' } })
      expect(raced).toBe(true)
      expect(r.code, r.log).toBe(1)
      expect(r.errors).toEqual([
        expect.stringMatching(
          /^ECR reports sha256:[a-f0-9]{64} for \S+:raced, but docker pushed sha256:[a-f0-9]{64}: another push of the same tag landed at the same time\./,
        ),
      ])
      expect(await registryConfig('raced')).toBe(await localId(theirs))
    } finally {
      tb.emulator.registerOperation(
        'BatchGetImage',
        imageOperations.BatchGetImage as NonNullable<typeof imageOperations.BatchGetImage>,
      )
    }
  })

  it('two jobs push one tag from different images at the same time: one wins, the loser fails plainly', async () => {
    const a = await tb.image({ files: { 'app.txt': `job a ${Math.random()}\n` } })
    const b = await tb.image({ files: { 'app.txt': `job b ${Math.random()}\n` } })
    const ids = { [a]: await localId(a), [b]: await localId(b) }
    // A barrier on the registry logins: once both jobs are logging in (and so tagging), wait a
    // moment for both tags, then let them go; the tag then names one image for both pushes.
    let held = 0
    let open: () => void = () => undefined
    const barrier = new Promise<void>((resolve) => (open = resolve))
    const unhook = tb.emulator.onRegistryRequest(async (info) => {
      if (info.operation !== 'Ping') return
      held++
      if (held === 2) setTimeout(open, 1_500)
      await barrier
    })
    let results: RunResult[]
    try {
      results = await Promise.all([a, b].map((image) => tb.run({ inputs: { image, tags: 'contested' } })))
    } finally {
      unhook()
      open()
    }
    const won = results.filter((r) => r.code === 0)
    const lost = results.filter((r) => r.code !== 0)
    expect(won, results.map((r) => r.log).join('\n----\n')).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]?.errors).toEqual([
      expect.stringMatching(
        /another job on this Docker engine re-tagged|another push of the same tag landed at the same time/,
      ),
    ])
    // The winner's reported image is its own, and what the tag holds.
    const winner = won[0] as RunResult
    const winnerImage = winner.env['INPUT_IMAGE'] as string
    expect(await registryConfig('contested')).toBe(ids[winnerImage])
    expect(await tb.registry.manifestDigest(tb.repository, 'contested')).toBe(winner.outputs['image-digest'])
    await removeImage(`${tb.registry.host}/${tb.repository}:contested`)
  })
})

describe('local tags', () => {
  it('made for the push, removed when it ends, on success and on failure; a tag that was there stays', async () => {
    const image = await tb.image({ files: { 'app.txt': `tags ${Math.random()}\n` } })
    const ok = await tb.run({ inputs: { image, tags: 'gone-1\ngone-2' } })
    expect(ok.code, ok.log).toBe(0)
    expect(localTags()).not.toMatch(/:gone-[12]\b/)
    // The user's own tag under the registry name (built as the ECR name) is theirs: it stays.
    const own = `${tb.registry.host}/${tb.repository}:own`
    await docker(['tag', image, own])
    const kept = await tb.run({ inputs: { image: own, tags: 'own' } })
    expect(kept.code, kept.log).toBe(0)
    expect(await localId(own)).toBe(await localId(image))
    await removeImage(own)
    // A failed push (denied) leaves none either.
    tb.emulator.inject({
      service: 'registry',
      operation: 'PutImage',
      fault: { kind: 'error', status: 500, code: 'INTERNAL' },
      times: Infinity,
    })
    try {
      const failed = await tb.run({ inputs: { image, tags: 'failed-push' } })
      expect(failed.code).toBe(1)
    } finally {
      tb.emulator.clearFaults()
    }
    expect(localTags()).not.toMatch(/:failed-push\b/)
  })
})
