// Issue 12's figures, measured side by side in one run (nothing asserted: shared, noisy machines):
//
//   OCI push        a 4-platform OCI layout (~50 MiB) pushed by dist/index.js (oci:, no docker) to a
//                   fresh registry behind the ECR front: wall time of the step; against `docker push`
//                   of a single-platform image of the same size (and `skopeo copy --all` of the same
//                   layout when Debian's skopeo is installed), same registry setup
//   control plane   step start → first blob byte reaching the registry, for the OCI push and for the
//                   official pair (configure-aws-credentials + amazon-ecr-login from shared/peers,
//                   then docker push), target ≤ 0.5×
//   registry audit  a 1 GiB single-layer OCI image: its push, then push: false with the audit and
//                   export-filesystem from the registry; peak RSS of the action's process (target
//                   ≤ 200 MiB)
// Run alone: node __tests__/bench/oci-bench.ts
import { execFile, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as tar from 'tar-stream'
import { buildOciLayout } from '../fixtures/oci/layout.ts'
import { buildImage, docker, removeImage } from '../testbed/docker.ts'
import { pushPermissions, type CallRecord } from '../testbed/emulator/index.ts'
import { REPO_ROOT, cleanup, runAction } from '../testbed/runner.ts'
import { startTestbed, type Testbed } from '../testbed/testbed.ts'

// Child processes run asynchronously: the registry front and the emulator live in this process.
const execFileAsync = promisify(execFile)
const PEERS = path.resolve(REPO_ROOT, '..', 'shared', 'peers')
const MiB = 1024 * 1024

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

function hasSkopeo(): boolean {
  return spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status === 0
}

/** When the first request carrying blob bytes reached the front (a PATCH, or a completing PUT with the blob). */
function firstBlobByte(calls: readonly CallRecord[]): number | undefined {
  const bytes = calls.filter(
    (c) => c.operation === 'UploadLayerPart' || c.operation === 'CompleteLayerUpload',
  )
  return bytes.length === 0 ? undefined : Math.min(...bytes.map((c) => c.at.getTime()))
}

/** The push itself, as the registry saw it: the first blob check to the answer of the last tag's PUT (≈ its start). */
function pushPhase(calls: readonly CallRecord[]): number {
  const first = calls.find((c) => c.operation === 'BatchCheckLayerAvailability')
  const puts = calls.filter((c) => c.operation === 'PutImage')
  const last = puts[puts.length - 1]
  return first && last ? last.at.getTime() - first.at.getTime() : NaN
}

async function freshBed(): Promise<Testbed> {
  return startTestbed({ permissions: pushPermissions('123456789012', 'acme/*', { governance: true }) })
}

/** A PATH without docker, for the OCI push. */
function emptyPath(dir: string): string {
  const p = path.join(dir, 'empty-path')
  fs.mkdirSync(p, { recursive: true })
  return p
}

/** OCI push vs docker push (vs skopeo): wall times, medians of `runs`, fresh registry each. */
export async function benchOciPush(runs = 3): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-bench-'))
  const layoutDir = path.join(dir, 'layout')
  await buildOciLayout(layoutDir, {
    seed: 'bench',
    architectures: ['amd64', 'arm64', 'ppc64le', 's390x'],
    bigLayerBytes: Math.round(12.5 * MiB),
    bigLayerEverywhere: true,
  })
  const bytes = fs
    .readdirSync(path.join(layoutDir, 'blobs', 'sha256'))
    .reduce((s, f) => s + fs.statSync(path.join(layoutDir, 'blobs', 'sha256', f)).size, 0)
  const image = await buildImage({ tag: 'ecr-sc-bench:docker-50m', files: { 'payload.bin': noiseOf(bytes) } })
  const oci: number[] = []
  const ociPhase: number[] = []
  const dockerMs: number[] = []
  const skopeo: number[] = []
  const noDocker = emptyPath(dir)
  try {
    for (let i = 0; i < runs; i++) {
      let tb = await freshBed()
      try {
        const r = await tb.run({
          inputs: { image: `oci:${layoutDir}`, tags: `run-${i}` },
          env: { PATH: noDocker },
        })
        if (r.code !== 0) throw new Error(`OCI push failed:\n${r.log}`)
        oci.push(r.durationMs)
        ociPhase.push(pushPhase(tb.emulator.callsFor('registry')))
        cleanup(r)
      } finally {
        await tb.close()
      }
      tb = await freshBed()
      try {
        const login = await tb.login()
        const ref = `${tb.registry.host}/acme/widget:run-${i}`
        await docker(['tag', image.tag, ref])
        const t0 = performance.now()
        const pushed = await login.docker(['push', ref])
        dockerMs.push(performance.now() - t0)
        if (pushed.code !== 0) throw new Error(`docker push failed: ${pushed.stderr}`)
        await docker(['image', 'rm', ref], { allowFailure: true })
        if (hasSkopeo()) {
          const { password } = await tb.registryToken()
          const t1 = performance.now()
          await execFileAsync(
            'skopeo',
            [
              'copy',
              '--all',
              '--dest-tls-verify=false',
              '--dest-creds',
              `AWS:${password}`,
              `oci:${layoutDir}:latest`,
              `docker://${tb.registry.host}/acme/widget:skopeo-${i}`,
            ],
            { maxBuffer: 1 << 20 },
          )
          skopeo.push(performance.now() - t1)
        }
      } finally {
        await tb.close()
      }
    }
  } finally {
    await removeImage(image.tag)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const out: Record<string, number | string> = {
    layoutMiB: bytes / MiB,
    ociPushStepMs: median(oci),
    ociPushPhaseMs: median(ociPhase),
    dockerPushMs: median(dockerMs),
    ociStepOverDocker: median(oci) / median(dockerMs),
    ociPhaseOverDocker: median(ociPhase) / median(dockerMs),
  }
  if (skopeo.length > 0) {
    out.skopeoCopyMs = median(skopeo)
    out.ociStepOverSkopeo = median(oci) / median(skopeo)
    out.ociPhaseOverSkopeo = median(ociPhase) / median(skopeo)
  } else out.skopeo = 'not installed'
  return out
}

/** `n` bytes of incompressible content (as the layout's big layers are). */
function noiseOf(n: number): Buffer {
  const out = Buffer.alloc(n)
  let block = createHash('sha256').update('docker bench').digest()
  for (let off = 0; off < n; off += block.length) {
    block.copy(out, off)
    block = createHash('sha256').update(block).digest()
  }
  return out
}

/** Step start → first blob byte: the OCI push vs configure-aws-credentials + amazon-ecr-login + docker push. */
export async function benchControlPlane(runs = 5): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-cp-bench-'))
  const layoutDir = path.join(dir, 'layout')
  await buildOciLayout(layoutDir, {
    seed: 'cp',
    architectures: ['amd64'],
    attestation: false,
    bigLayerBytes: 4 * MiB,
  })
  const image = await buildImage({ tag: 'ecr-sc-bench:cp', files: { 'payload.bin': noiseOf(4 * MiB) } })
  const ours: number[] = []
  const peers: number[] = []
  const noDocker = emptyPath(dir)
  try {
    for (let i = 0; i < runs; i++) {
      const tb = await freshBed()
      try {
        const t0 = Date.now()
        const r = await tb.run({
          inputs: { image: `oci:${layoutDir}`, tags: `cp-${i}` },
          env: { PATH: noDocker },
        })
        if (r.code !== 0) throw new Error(`OCI push failed:\n${r.log}`)
        ours.push((firstBlobByte(tb.emulator.callsFor('registry')) ?? NaN) - t0)
        cleanup(r)

        tb.emulator.clearCalls()
        const home = path.join(dir, `home-${i}`)
        fs.mkdirSync(home)
        const t1 = Date.now()
        const creds = await runAction({
          actionDir: path.join(PEERS, 'configure-aws-credentials'),
          inputs: { 'role-to-assume': tb.roleArn, 'aws-region': tb.region },
          env: tb.env,
          home,
        })
        const login = await runAction({
          actionDir: path.join(PEERS, 'amazon-ecr-login'),
          inputs: {},
          env: { ...tb.env, ...creds.exportedEnv },
          home,
        })
        if (creds.code !== 0 || login.code !== 0)
          throw new Error(`the official pair failed:\n${creds.log}\n${login.log}`)
        const ref = `${tb.registry.host}/acme/widget:peers-${i}`
        await docker(['tag', image.tag, ref])
        const pushed = await docker(['push', ref], {
          env: { DOCKER_CONFIG: path.join(home, '.docker') },
          allowFailure: true,
        })
        if (pushed.code !== 0) throw new Error(`docker push failed: ${pushed.stderr}`)
        peers.push((firstBlobByte(tb.emulator.callsFor('registry')) ?? NaN) - t1)
        await docker(['image', 'rm', ref], { allowFailure: true })
        cleanup(creds)
        cleanup(login)
      } finally {
        await tb.close()
      }
    }
  } finally {
    await removeImage(image.tag)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return {
    ociStartToFirstBlobMs: median(ours),
    peersStartToFirstBlobMs: median(peers),
    ratio: median(ours) / median(peers),
  }
}

/** A one-layer OCI layout of `sizeMiB` MiB written without holding it in memory. */
async function largeLayout(dir: string, sizeMiB: number): Promise<void> {
  const blobs = path.join(dir, 'blobs', 'sha256')
  fs.mkdirSync(blobs, { recursive: true })
  const files = Math.max(1, Math.floor(sizeMiB / 8))
  const pack = tar.pack()
  const tmp = path.join(dir, 'layer.tmp')
  const hash = createHash('sha256')
  const written = pipeline(
    pack as unknown as Readable,
    async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        hash.update(c)
        yield c
      }
    },
    createWriteStream(tmp),
  )
  const block = noiseOf(MiB)
  for (let i = 0; i < files; i++) {
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ name: `data/f${i}.bin`, size: 8 * MiB, mode: 0o644 }, (err) =>
        err ? reject(err) : resolve(),
      )
      Readable.from(
        (function* () {
          for (let k = 0; k < 8; k++) yield Buffer.concat([Buffer.from([i & 0xff, k]), block.subarray(2)])
        })(),
      ).pipe(sink as unknown as NodeJS.WritableStream)
    })
  }
  pack.finalize()
  await written
  const layerDigest = `sha256:${hash.digest('hex')}`
  fs.renameSync(tmp, path.join(blobs, layerDigest.slice(7)))
  const put = (doc: unknown): { digest: string; size: number } => {
    const b = Buffer.from(JSON.stringify(doc))
    const digest = `sha256:${createHash('sha256').update(b).digest('hex')}`
    fs.writeFileSync(path.join(blobs, digest.slice(7)), b)
    return { digest, size: b.length }
  }
  const config = put({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [layerDigest] },
    history: [{ created_by: 'COPY data/ /data/' }],
  })
  const layerSize = fs.statSync(path.join(blobs, layerDigest.slice(7))).size
  const manifest = put({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layerSize }],
  })
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
    }),
  )
}

/** A 1 GiB image: its OCI push, then the audit + export from the registry; peak RSS of each step. */
export async function benchRegistryAudit(sizeMiB = 1024): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-audit-bench-'))
  const probe = path.join(dir, 'rss-probe.mjs')
  const rssFile = path.join(dir, 'rss')
  fs.writeFileSync(
    probe,
    `import fs from 'node:fs'\nprocess.on('exit', () => fs.writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\n`,
  )
  const layoutDir = path.join(dir, 'layout')
  await largeLayout(layoutDir, sizeMiB)
  const tb = await startTestbed({
    permissions: [
      ...pushPermissions('123456789012', 'acme/*'),
      { action: 'ecr:GetDownloadUrlForLayer', resource: 'arn:aws:ecr:*:123456789012:repository/acme/*' },
    ],
  })
  const rss = (): number => Number(fs.readFileSync(rssFile, 'utf8')) / 1024
  try {
    const env = { PATH: emptyPath(dir), NODE_OPTIONS: `--import=${probe}` }
    const push = await tb.run({ inputs: { image: `oci:${layoutDir}`, tags: 'big' }, env, timeoutMs: 600_000 })
    if (push.code !== 0) throw new Error(`push failed:\n${push.log.slice(-3000)}`)
    const pushRss = rss()
    const audit = await tb.run({
      inputs: {
        image: '',
        push: 'false',
        tags: 'big',
        audit: 'true',
        'export-filesystem': 'rootfs',
      },
      env,
      timeoutMs: 600_000,
    })
    if (audit.code !== 0) throw new Error(`audit failed:\n${audit.log.slice(-3000)}`)
    const result = {
      sizeMiB,
      pushMs: push.durationMs,
      pushRssMiB: pushRss,
      auditExportMs: audit.durationMs,
      auditExportRssMiB: rss(),
    }
    cleanup(push)
    cleanup(audit)
    return result
  } finally {
    await tb.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, fn] of [
    ['OCI push vs docker push', () => benchOciPush()],
    ['control plane', () => benchControlPlane()],
    ['registry audit of 1 GiB', () => benchRegistryAudit()],
  ] as const) {
    console.log(name)
    for (const [k, v] of Object.entries(await fn()))
      console.log(`  ${k.padEnd(26)} ${typeof v === 'number' ? v.toFixed(1) : v}`)
  }
}
