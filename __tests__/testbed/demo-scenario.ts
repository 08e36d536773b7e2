// What the demo's registry holds besides the pushed image, and the inputs it runs with: enhanced
// (Inspector) continuous scanning with findings that keep arriving after ECR says ACTIVE, one HIGH
// finding accepted with a dated ignore entry, a lifecycle policy from examples/, and the audit.
import path from 'node:path'
import { enhancedFinding, setRegistryScanning, setScanScenario } from './emulator/ecr/scan.ts'
import { REPO_ROOT } from './runner.ts'
import type { Testbed } from './testbed.ts'

export async function seedDemo(tb: Testbed): Promise<Record<string, string>> {
  setRegistryScanning(tb.emulator, {
    scanType: 'ENHANCED',
    rules: [
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'acme/*', filterType: 'WILDCARD' }] },
    ],
  })
  const repo = tb.emulator.state.repositories.find((r) => r.name === tb.repository)
  if (!repo) throw new Error('the test bed has no repository')
  const findings = [
    enhancedFinding({
      id: 'CVE-2024-6119',
      severity: 'HIGH',
      package: 'openssl',
      version: '3.0.13',
      fixedIn: '3.0.15',
      score: 7.5,
    }),
    enhancedFinding({
      id: 'CVE-2024-2511',
      severity: 'MEDIUM',
      package: 'openssl',
      version: '3.0.13',
      fixedIn: '3.0.14',
      score: 5.9,
    }),
    enhancedFinding({
      id: 'CVE-2023-50495',
      severity: 'MEDIUM',
      package: 'ncurses',
      version: '6.4',
      score: 6.5,
    }),
    enhancedFinding({
      id: 'CVE-2024-28085',
      severity: 'LOW',
      package: 'util-linux',
      version: '2.38.1',
      fixedIn: '2.40',
      score: 3.3,
    }),
    enhancedFinding({ id: 'CVE-2011-3374', severity: 'UNTRIAGED', package: 'apt', version: '2.6.1' }),
  ]
  // ScanNotFound for 2 s, PENDING 2 s, then ACTIVE with the findings arriving over the next 4 s.
  setScanScenario(repo, {
    notFoundSeconds: 2,
    pendingSeconds: 2,
    status: 'ACTIVE',
    enhancedFindings: findings,
    arrivals: [
      { afterSeconds: 0, count: 2 },
      { afterSeconds: 4, count: 5 },
    ],
  })
  const until = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10)
  return {
    'role-to-assume': tb.roleArn,
    'aws-region': tb.region,
    repository: tb.repository,
    tags: 'demo-1\nlatest',
    'wait-for-scan': 'true',
    'severity-threshold': 'HIGH',
    ignore: `CVE-2024-6119 until=${until} package=openssl # fixed by the base image bump in PR #42`,
    // Shorter than the default 20 s so the demo is quick; the findings still arrive late.
    'scan-settle-seconds': '6',
    'scan-timeout-seconds': '120',
    'lifecycle-policy': path.join(REPO_ROOT, 'examples', 'lifecycle', 'keep-releases.json'),
    audit: 'true',
  }
}
