// A `docker` on the PATH that pushes multi-platform images, as docker with the containerd image
// store does (the test bed's engine, classic store, cannot hold an image index): every command goes
// to the real docker; after a successful `docker push HOST/REPO:TAG` it puts an OCI image index
// under TAG (the image just pushed as linux/amd64, plus the platform and attestation manifests the
// test put in the registry beforehand) and prints the index's digest the way docker prints a push
// digest. Everything else the action sees (ECR, the registry, the digest check) stays real.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { node24 } from './runner.ts'

export interface IndexChild {
  digest: string
  size: number
  mediaType: string
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
}

export interface IndexDocker {
  /** PATH for the step: the shim first. */
  path: string
  /** Env the shim reads (the children). */
  env: Record<string, string>
  close(): void
}

const SHIM = `
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
const args = process.argv.slice(2)
const r = spawnSync(process.env.ECR_SC_REAL_DOCKER, args, { stdio: ['inherit', 'pipe', 'inherit'], env: process.env })
let out = r.stdout.toString()
const pushed = [...out.matchAll(/(\\S+): digest: (sha256:[a-f0-9]{64}) size: (\\d+)/g)].at(-1)
if (args[0] === 'push' && r.status === 0 && pushed) {
  const ref = args[1]
  const slash = ref.indexOf('/')
  const colon = ref.lastIndexOf(':')
  const host = ref.slice(0, slash)
  const repo = ref.slice(slash + 1, colon)
  const tag = ref.slice(colon + 1)
  const children = JSON.parse(process.env.ECR_SC_INDEX_CHILDREN)
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: pushed[2],
        size: Number(pushed[3]),
        platform: { os: 'linux', architecture: 'amd64' },
      },
      ...children,
    ],
  })
  // The login the action just made (docker's config in DOCKER_CONFIG): the ECR token the front knows.
  const { readFileSync } = await import('node:fs')
  const cfg = JSON.parse(readFileSync(process.env.DOCKER_CONFIG + '/config.json', 'utf8'))
  const auth = cfg.auths?.[host]?.auth ?? cfg.auths?.['http://' + host]?.auth
  if (!auth) {
    process.stderr.write('index upload: no docker login for ' + host + '\\n')
    process.exit(1)
  }
  const res = await fetch('http://' + host + '/v2/' + repo + '/manifests/' + tag, {
    method: 'PUT',
    headers: { authorization: 'Basic ' + auth, 'content-type': 'application/vnd.oci.image.index.v1+json' },
    body: index,
  })
  if (!res.ok) {
    process.stderr.write('index upload failed: ' + res.status + ' ' + (await res.text()) + '\\n')
    process.exit(1)
  }
  const digest = 'sha256:' + createHash('sha256').update(index).digest('hex')
  out += tag + ': digest: ' + digest + ' size: ' + Buffer.byteLength(index) + '\\n'
}
process.stdout.write(out)
process.exit(r.status ?? 1)
`

/**
 * A docker shim that turns each push into a push of an image index with `children`. The index goes
 * through the ECR front with the token the action logged docker in with (read from DOCKER_CONFIG).
 */
export function indexPushingDocker(children: readonly IndexChild[]): IndexDocker {
  const real = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-sc-index-docker-'))
  const script = path.join(dir, 'index-push.mjs')
  fs.writeFileSync(script, SHIM)
  fs.writeFileSync(path.join(dir, 'docker'), `#!/bin/sh\nexec '${node24()}' '${script}' "$@"\n`, {
    mode: 0o755,
  })
  return {
    path: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
    env: {
      ECR_SC_REAL_DOCKER: real,
      ECR_SC_INDEX_CHILDREN: JSON.stringify(children),
    },
    close: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}
