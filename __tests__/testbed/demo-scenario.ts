// What the demo's registry holds besides the pushed image (scan findings, policies), and the
// inputs it runs with. Kept apart from demo.ts so each feature can set up its part.
import type { Testbed } from './testbed.ts'

export async function seedDemo(tb: Testbed): Promise<Record<string, string>> {
  return {
    'role-to-assume': tb.roleArn,
    'aws-region': tb.region,
    repository: tb.repository,
    tags: 'demo-1\nlatest',
    'wait-for-scan': 'false',
    audit: 'false',
  }
}
