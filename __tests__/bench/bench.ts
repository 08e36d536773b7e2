// npm run bench: the speed and memory figures the issues set targets for, as medians of repeated
// runs (machines are shared and noisy: nothing here is asserted, it is measured and printed).
//
//   cold start      node dist/index.js until it exits (input check fails before any work), vs bare node
//   first push byte spawn of dist/index.js → the first blob upload request reaching the registry
//   AWS calls       made before that first byte (target ≤ 3), and in the whole run
import { spawnSync } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { buildImage, removeImage } from '../testbed/docker.ts'
import { startEmulator, pushPermissions } from '../testbed/emulator/index.ts'
import { startRegistry } from '../testbed/registry.ts'
import { REPO_ROOT, cleanup, node24, runAction } from '../testbed/runner.ts'

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}

function timeSpawn(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now()
  spawnSync(node24(), args, { env, stdio: 'ignore' })
  return performance.now() - t0
}

function coldStart(runs: number): { bare: number; dist: number } {
  const env = { PATH: process.env.PATH ?? '' }
  const dist = path.join(REPO_ROOT, 'dist', 'index.js')
  const bare: number[] = []
  const ours: number[] = []
  for (let i = 0; i < 3; i++) timeSpawn([dist], env) // warm the page cache, as a runner's disk would be
  for (let i = 0; i < runs; i++) {
    bare.push(timeSpawn(['-e', '0'], env))
    ours.push(timeSpawn([dist], env))
  }
  return { bare: median(bare), dist: median(ours) }
}

/** A pass-through proxy in front of the registry that notes when the first upload request arrives. */
async function uploadWatcher(
  target: string,
): Promise<{ url: string; first: () => number | undefined; close: () => void }> {
  let first: number | undefined
  const upstream = new URL(target)
  const server = http.createServer((req, res) => {
    if (first === undefined && req.method !== 'GET' && /\/blobs\/uploads\//.test(req.url ?? ''))
      first = Date.now()
    const fwd = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    fwd.on('error', () => res.destroy())
    req.pipe(fwd)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}`, first: () => first, close: () => server.close() }
}

async function firstPushByte(runs: number): Promise<{ ms: number[]; before: number[]; total: number[] }> {
  const image = await buildImage({
    tag: 'ecr-sc-bench:push',
    files: { 'payload.bin': Buffer.alloc(4 << 20, 7) },
  })
  const out = { ms: [] as number[], before: [] as number[], total: [] as number[] }
  try {
    for (let i = 0; i < runs; i++) {
      const registry = await startRegistry()
      const watcher = await uploadWatcher(registry.url)
      const emulator = await startEmulator({ registry: { url: watcher.url, password: registry.password } })
      try {
        const roleArn = 'arn:aws:iam::123456789012:role/github-ecr-push'
        emulator.addRole({
          arn: roleArn,
          trust: { sub: 'repo:acme/widget:*' },
          permissions: pushPermissions('123456789012', 'acme/widget', { governance: true }),
        })
        emulator.createRepository({ name: 'acme/widget' })
        const started = Date.now()
        const r = await runAction({
          inputs: {
            'role-to-assume': roleArn,
            'aws-region': 'us-east-1',
            image: image.tag,
            repository: 'acme/widget',
            tags: `run-${i}`,
            'wait-for-scan': 'false',
            audit: 'false',
          },
          env: emulator.env,
        })
        if (r.code !== 0) throw new Error(`bench run failed:\n${r.log}`)
        const first = watcher.first()
        if (first === undefined) throw new Error('no upload reached the registry')
        out.ms.push(first - started)
        const aws = emulator.calls.filter((c) => c.service === 'sts' || c.service === 'ecr')
        out.before.push(aws.filter((c) => c.at.getTime() <= first).length)
        out.total.push(aws.length)
        cleanup(r)
      } finally {
        await emulator.close()
        watcher.close()
        await registry.stop()
      }
    }
  } finally {
    await removeImage(image.tag)
  }
  return out
}

const runs = arg('runs', 21)
const pushRuns = arg('push-runs', 5)
console.log(`ecr-supply-chain bench on Node ${spawnSync(node24(), ['--version']).stdout.toString().trim()}\n`)

const cs = coldStart(runs)
console.log(`cold start (median of ${runs})`)
console.log(`  bare node               ${fmt(cs.bare)}`)
console.log(
  `  node dist/index.js      ${fmt(cs.dist)}   (+${fmt(cs.dist - cs.bare)}, ${(cs.dist / cs.bare).toFixed(2)}× bare; target ≤ 130 ms where bare ≈ 40 ms)`,
)

const fp = await firstPushByte(pushRuns)
console.log(`\nfirst push byte (median of ${pushRuns}, 4 MiB image, fresh registry each run)`)
console.log(
  `  start → first upload    ${fmt(median(fp.ms))}   (runs: ${fp.ms.map((m) => m.toFixed(0)).join(', ')})`,
)
console.log(`  AWS calls before it     ${median(fp.before)}   (target ≤ 3)`)
console.log(`  AWS calls in the run    ${median(fp.total)}`)

for (const extra of ['./gate-bench.ts', './step-bench.ts', './audit-bench.ts', './oci-bench.ts']) {
  try {
    const mod = (await import(extra)) as Record<string, () => Promise<Record<string, number>>>
    for (const [name, fn] of Object.entries(mod)) {
      if (!name.startsWith('bench') || typeof fn !== 'function') continue
      console.log(`\n${name}`)
      for (const [k, v] of Object.entries(await fn()))
        console.log(`  ${k.padEnd(22)} ${typeof v === 'number' ? v.toFixed(1) : String(v)}`)
    }
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err
  }
}
