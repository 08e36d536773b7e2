// `npm run demo`: the bundled action, run as the GitHub runner runs it, against the embedded test
// bed — the AWS emulator (STS, ECR, the OIDC token endpoint) on 127.0.0.1, the real distribution
// registry and the real Docker engine. Prints the log, the outputs and the job summary.
import fs from 'node:fs'
import path from 'node:path'
import { ensureDocker } from './docker.ts'
import { REPO_ROOT, cleanup, runPost } from './runner.ts'
import { seedDemo } from './demo-scenario.ts'
import { startTestbed, type Testbed } from './testbed.ts'

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'index.js'))) {
    console.error('dist/index.js is missing: run `npm run bundle` first.')
    return 1
  }
  try {
    await ensureDocker()
  } catch (err) {
    console.error(`The demo needs a Docker engine.\n${(err as Error).message}`)
    return 1
  }
  let tb: Testbed
  try {
    tb = await startTestbed()
  } catch (err) {
    console.error(`The demo needs the CNCF distribution registry.\n${(err as Error).message}`)
    return 1
  }
  try {
    console.log(bold('Test bed'))
    console.log(`  AWS emulator  ${tb.emulator.url}  (STS, ECR, GitHub OIDC token endpoint)`)
    console.log(`  registry      ${tb.registry.host}  (the ECR front: tokens, IAM, one host per account)`)
    console.log(`    behind it   ${tb.backend.url}  (the CNCF distribution registry, docker-registry)`)
    console.log(`  role          ${tb.roleArn}`)
    const image = await tb.image({
      tag: 'widget:demo',
      files: { 'app/hello.txt': 'hello from the ecr-supply-chain demo\n' },
      env: { APP_VERSION: '1.0.0' },
      labels: { 'org.opencontainers.image.source': 'https://github.com/acme/widget' },
    })
    console.log(`  local image   ${image} (FROM scratch, built offline)\n`)
    const inputs = await seedDemo(tb)

    console.log(bold('uses: org/ecr-supply-chain@v1'))
    for (const [k, v] of Object.entries({ image, ...inputs }))
      console.log(`  ${k}: ${v.replace(/\n/g, '\\n')}`)
    const r = await tb.run({ inputs: { image, ...inputs } })
    console.log(`\n${bold('Log')} (as the runner shows it, secrets masked)`)
    console.log(r.log.trimEnd().replace(/^/gm, '  '))
    const post = await runPost(r)
    if (post.log.trim() !== '')
      console.log(`\n${bold('Post step')}\n${post.log.trimEnd().replace(/^/gm, '  ')}`)
    console.log(`\n${bold('Outputs')}`)
    for (const [k, v] of Object.entries(r.outputs))
      console.log(`  ${k} = ${v.length > 200 ? `${v.slice(0, 200)}…` : v}`)
    console.log(`\n${bold('Job summary')}\n${r.summary.trimEnd()}`)
    const aws = tb.emulator.calls
      .filter((c) => c.service === 'sts' || c.service === 'ecr')
      .map((c) => `${c.service}:${c.operation}`)
    console.log(`\n${bold('AWS calls')} (${aws.length}): ${aws.join(', ')}`)
    const registryCalls = tb.emulator.callsFor('registry').filter((c) => c.operation !== 'Ping')
    const counts = new Map<string, number>()
    for (const c of registryCalls)
      counts.set(`ecr:${c.operation}`, (counts.get(`ecr:${c.operation}`) ?? 0) + 1)
    console.log(
      `${bold('Registry requests')} (${registryCalls.length}, each authorised as): ${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    )
    console.log(`\n${bold('Exit code')} ${r.code} (${(r.durationMs / 1000).toFixed(1)} s)`)
    cleanup(r)
    return 0
  } finally {
    await tb.close()
  }
}

process.exitCode = await main()
