// Runs the test bed until killed, for a workflow's `uses: ./` self-test or a manual session:
// prints KEY=VALUE lines (the env the action needs), ending with TESTBED_READY=1.
import { startTestbed } from './testbed.ts'

const tb = await startTestbed()
const lines: Record<string, string> = {
  ...tb.env,
  AWS_REGION: tb.region,
  TESTBED_ROLE_ARN: tb.roleArn,
  TESTBED_REGISTRY_HOST: tb.registry.host,
  TESTBED_BACKEND_URL: tb.backend.url,
  TESTBED_REPOSITORY: tb.repository,
  TESTBED_READY: '1',
}
for (const [k, v] of Object.entries(lines)) process.stdout.write(`${k}=${v}\n`)

const stop = async (): Promise<void> => {
  await tb.close()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
setInterval(() => undefined, 1 << 30)
