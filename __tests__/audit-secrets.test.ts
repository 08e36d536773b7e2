import { describe, expect, it } from 'vitest'
import { analyze, secretsMessage, type ImageFacts } from '../src/audit/analyze.ts'
import { inferEmptyLayers, instructionOf, isRootUser } from '../src/audit/image.ts'
import { fingerprint, isPlaceholder, redact, redactText, scanPair, scanText } from '../src/audit/secrets.ts'

// Fake credentials, assembled at run time so no token-shaped literal sits in the source.
const GHP = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'f6G7h8'
const GHS = 'ghs_' + 'Zz9Yy8Xx7W'.repeat(4)
const GHO = 'gho_' + 'Q1w2E3r4T5'.repeat(4)
const PAT = 'github_pat_' + '11ABCDEFG0'.repeat(2) + '_' + 'k9J8h7G6f5'.repeat(6)
const AKIA = 'AKIAIOSFODNN7EXAMPLE' // AWS's documented example key: reported on purpose (see docs/audit.md)
const ASIA = 'ASIA' + 'Q7RZ3KXW5M2N8P4T'
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'Q9z8Y7x6W5'
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA7kq3',
  'Zm9vYmFyYmF6cXV4',
  '-----END RSA PRIVATE KEY-----',
].join('\n')

describe('secret detection: positives', () => {
  it.each([
    [
      'aws key id in a RUN',
      `/bin/sh -c aws configure set aws_access_key_id ${AKIA}`,
      'aws-access-key-id',
      AKIA,
    ],
    ['ASIA session key id', `export AWS_ACCESS_KEY_ID=${ASIA}`, 'aws-access-key-id', ASIA],
    ['aws secret key by name', `aws_secret_access_key = ${AWS_SECRET}`, 'aws-secret-access-key', AWS_SECRET],
    [
      'AWS_SECRET_ACCESS_KEY env style',
      `AWS_SECRET_ACCESS_KEY="${AWS_SECRET}"`,
      'aws-secret-access-key',
      AWS_SECRET,
    ],
    ['private key block', `echo "${PEM}" > /root/.ssh/id_rsa`, 'private-key', PEM],
    ['ghp_ token', `git clone https://github.com/acme/x && echo ${GHP}`, 'github-token', GHP],
    ['ghs_ token', `GH_AUTH=${GHS}`, 'github-token', GHS],
    ['gho_ token', `curl -H "Authorization: token ${GHO}" api`, 'github-token', GHO],
    ['github_pat_', `echo ${PAT} | gh auth login --with-token`, 'github-token', PAT],
    [
      'NPM_TOKEN build arg',
      '|1 NPM_TOKEN=npm_R4nd0mV4lu3xyz /bin/sh -c npm ci',
      'assignment',
      'npm_R4nd0mV4lu3xyz',
    ],
    ['DB_PASSWORD env', 'ENV DB_PASSWORD=s3cr3t-Pa55w0rd', 'assignment', 's3cr3t-Pa55w0rd'],
    ['API_KEY quoted', `API_KEY='9f8e7d6c5b4a3210'`, 'assignment', '9f8e7d6c5b4a3210'],
    ['CLIENT_SECRET colon', 'CLIENT_SECRET: Zq8vT3mN1pL6', 'assignment', 'Zq8vT3mN1pL6'],
    ['--password flag', 'docker login -u bob --password Hunter2Hunter2 reg', 'assignment', 'Hunter2Hunter2'],
    [
      'URL credentials',
      'pip install --index-url https://bob:Tr0ub4dor3xyz@pypi.acme.io/simple x',
      'url-password',
      'Tr0ub4dor3xyz',
    ],
    [
      'SLACK_TOKEN export',
      'export SLACK_TOKEN=xoxb-1234-5678-abcdEFGH',
      'assignment',
      'xoxb-1234-5678-abcdEFGH',
    ],
    ['mysql root password', 'MYSQL_ROOT_PASSWORD=Qwerty!2345', 'assignment', 'Qwerty!2345'],
  ])('%s', (_label, text, rule, value) => {
    const hits = scanText(text, 'test')
    expect(hits.map((h) => [h.rule, h.value])).toContainEqual([rule, value])
  })
})

describe('secret detection: negatives', () => {
  it.each([
    ['variable reference', 'NPM_TOKEN=$NPM_TOKEN'],
    ['braced reference', 'GITHUB_TOKEN=${SECRET}'],
    ['command substitution', 'DB_PASSWORD="$(cat /run/secrets/db)"'],
    ['changeme', 'ADMIN_PASSWORD=changeme'],
    ['angle placeholder', 'API_TOKEN=<your-token>'],
    ['xxx', 'API_KEY=xxxxxxxxxxxx'],
    ['dummy', 'SESSION_SECRET=dummy-value-here'],
    ['example word', 'CLIENT_SECRET=example-secret-value'],
    ['empty', 'NPM_TOKEN='],
    ['boolean', 'USE_TOKEN=true'],
    ['short', 'PASSWORD=abc'],
    ['path to a secret', 'SSH_KEY=/run/secrets/ssh_key'],
    ['GPG_KEY fingerprint (python images)', 'GPG_KEY=E3FF2839C048B25C084DEBE9B26995E310250568'],
    ['name without a secret word', 'NODE_VERSION=20.11.1-bookworm'],
    ['token file path', 'TOKEN_FILE=/var/run/token'],
    ['no value in a flag', 'vault login --token $VAULT_TOKEN'],
    ['plain RUN', '/bin/sh -c apt-get update && apt-get install -y curl'],
    ['key id of 16 x', 'AKIAXXXXXXXXXXXXXXXX'],
    ['too-short ghp', 'ghp_abc123'],
    ['secret key of a row of x', 'aws_secret_access_key=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    ['url without password', 'curl https://example.com/install.sh'],
    ['template', 'DEPLOY_TOKEN={{ .Token }}'],
  ])('%s', (_label, text) => {
    expect(scanText(text, 'test')).toEqual([])
  })

  it.each([
    '$X',
    '${Y}',
    'changeme',
    '<token>',
    'xxx',
    'dummy',
    'example',
    '',
    'true',
    'false',
    'short',
    'your-api-key',
  ])('placeholder %j', (v) => expect(isPlaceholder(v)).toBe(true))
})

describe('pairs (env, labels, build args)', () => {
  it('an env value under a secret name is a secret even without a shape', () => {
    const hits = scanPair('STRIPE_KEY', 'rk_live_abcdef123456', 'env STRIPE_KEY')
    expect(hits).toEqual([
      { rule: 'assignment', value: 'rk_live_abcdef123456', where: 'env STRIPE_KEY', name: 'STRIPE_KEY' },
    ])
  })
  it('a label key is normalized: com.acme.api-token', () => {
    expect(scanPair('com.acme.api-token', 'Zk3m9PqR7sT2', 'label')).toHaveLength(1)
  })
  it('a harmless label is not', () => {
    expect(scanPair('org.opencontainers.image.source', 'https://github.com/acme/widget', 'label')).toEqual([])
  })
})

describe('redaction', () => {
  it('keeps only the public prefix and the length', () => {
    expect(redact({ rule: 'aws-access-key-id', value: AKIA })).toBe('AKIA…(20 chars)')
    expect(redact({ rule: 'github-token', value: GHP })).toBe(`ghp_…(${GHP.length} chars)`)
    expect(redact({ rule: 'assignment', value: 'hunter2hunter2' })).toBe('…(14 chars)')
    expect(fingerprint(AKIA)).toMatch(/^[0-9a-f]{8}$/)
  })
  it('redactText leaves no trace of the value, line by line for a key block', () => {
    const hits = scanText(`a ${AKIA} b\n${PEM}`, 'x')
    const out = redactText(`x ${AKIA} y ${PEM} z Zm9vYmFyYmF6cXV4`, hits)
    expect(out).not.toContain(AKIA)
    expect(out).not.toContain('MIIEpAIBAAKCAQEA7kq3')
    expect(out).not.toContain('Zm9vYmFyYmF6cXV4')
    expect(out).toContain('AKIA…(20 chars)')
  })
})

describe('history to Dockerfile', () => {
  it.each([
    ['/bin/sh -c #(nop)  ENV A=b', 'ENV A=b', []],
    ['/bin/sh -c #(nop) COPY dir:abc in / ', 'COPY dir:abc in /', []],
    ['/bin/sh -c apt-get update', 'RUN apt-get update', []],
    [
      '|2 A=1 B=two /bin/sh -c make',
      'RUN make',
      [
        ['A', '1'],
        ['B', 'two'],
      ],
    ],
    ['RUN |1 TOKEN=x /bin/sh -c npm ci # buildkit', 'RUN npm ci', [['TOKEN', 'x']]],
    ['COPY . /app # buildkit', 'COPY . /app', []],
    ['WORKDIR /app', 'WORKDIR /app', []],
    ['', '# (no command recorded)', []],
  ])('%j', (createdBy, instruction, args) => {
    expect(instructionOf(createdBy)).toEqual({ instruction, buildArgs: args })
  })

  it('infers which entries made layers when only docker history is known', () => {
    const entries = [
      { createdBy: '/bin/sh -c #(nop) COPY file:a in /', size: 10 },
      { createdBy: '/bin/sh -c #(nop)  ENV A=b', size: 0 },
      { createdBy: '/bin/sh -c true', size: 0 },
      { createdBy: '/bin/sh -c #(nop)  CMD ["x"]', size: 0 },
    ]
    expect(inferEmptyLayers(entries, 2)).toEqual([false, true, false, true])
    expect(inferEmptyLayers(entries, 1)).toEqual([false, true, true, true])
  })

  it.each([
    ['', true],
    ['root', true],
    ['0', true],
    ['0:0', true],
    ['root:wheel', true],
    ['1000', false],
    ['app:app', false],
    ['nobody', false],
  ])('user %j runs as root: %s', (user, root) => expect(isRootUser(user)).toBe(root))
})

describe('analyze', () => {
  const facts = (): ImageFacts => ({
    imageId: 'sha256:' + 'a'.repeat(64),
    digest: 'sha256:' + 'b'.repeat(64),
    imageRef: 'reg/acme/widget@sha256:' + 'b'.repeat(64),
    config: {
      User: '',
      Env: ['PATH=/usr/bin', `AWS_ACCESS_KEY_ID=${AKIA}`, 'APP_MODE=fast', 'NODE_VERSION=20'],
      Labels: { 'org.opencontainers.image.source': 'https://github.com/acme/widget' },
      Cmd: ['serve'],
      ExposedPorts: { '8080/tcp': {} },
      WorkingDir: '/app',
    },
    history: [
      { createdBy: '/bin/sh -c #(nop) COPY dir:abc in / ', emptyLayer: false },
      { createdBy: `/bin/sh -c #(nop)  ENV PATH=/usr/bin AWS_ACCESS_KEY_ID=${AKIA}`, emptyLayer: true },
      { createdBy: `|1 GH=${GHP} /bin/sh -c echo`, emptyLayer: false },
    ],
    diffIds: ['sha256:1', 'sha256:2'],
    manifest: {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: 'sha256:' + 'b'.repeat(64),
      layers: [
        { digest: 'sha256:l1', size: 950 },
        { digest: 'sha256:l2', size: 50 },
      ],
      configSize: 24,
    },
    notes: [],
  })

  it('masks each secret first, and writes none in clear', () => {
    const masked: string[] = []
    const r = analyze(facts(), (v) => masked.push(v))
    expect(masked).toEqual(expect.arrayContaining([AKIA, GHP]))
    expect(r.secrets).toHaveLength(2)
    const json = JSON.stringify(r)
    expect(json).not.toContain(AKIA)
    expect(json).not.toContain(GHP)
    expect(r.secrets.find((s) => s.rule === 'aws-access-key-id')).toMatchObject({
      redacted: 'AKIA…(20 chars)',
      fingerprint: fingerprint(AKIA),
      where: ['history #2 (ENV)', 'env AWS_ACCESS_KEY_ID'],
    })
  })

  it('reports layers, sizes, config, env values only when harmless, OCI labels', () => {
    const r = analyze(facts())
    expect(r.image.size).toBe(1024)
    expect(r.layers.map((l) => [l.index, l.size, l.instruction, l.big])).toEqual([
      [1, 950, 'COPY dir:abc in /', true],
      [2, 50, 'RUN echo', false],
    ])
    expect(r.config.env).toEqual([
      { name: 'PATH', value: '/usr/bin', masked: false },
      { name: 'AWS_ACCESS_KEY_ID', masked: true },
      { name: 'APP_MODE', masked: true },
      { name: 'NODE_VERSION', value: '20', masked: false },
    ])
    expect(r.config.runsAsRoot).toBe(true)
    expect(r.config.exposedPorts).toEqual(['8080/tcp'])
    expect(r.config.ociLabels['org.opencontainers.image.source']).toEqual({
      present: true,
      value: 'https://github.com/acme/widget',
    })
    expect(r.config.ociLabels['org.opencontainers.image.revision']).toEqual({ present: false })
    expect(r.warnings.some((w) => w.includes('runs as root'))).toBe(true)
    expect(r.warnings.some((w) => w.includes('org.opencontainers.image.revision'))).toBe(true)
    expect(r.dockerfile).toContain('# layer 1, 950 B\nCOPY dir:abc in /')
    expect(r.dockerfile).toContain(
      '# (empty layer: metadata only)\nENV PATH=/usr/bin AWS_ACCESS_KEY_ID=[secret AKIA…(20 chars)',
    )
    expect(r.dockerfile).toContain('ARG GH\nRUN echo')
  })

  it('the failure says the image is pushed, with its digest and the delete command', () => {
    const r = analyze(facts())
    const msg = secretsMessage(
      r,
      { repository: 'acme/widget', region: 'us-east-1', registryId: '123456789012' },
      true,
    )
    expect(msg).toContain('ALREADY PUSHED')
    expect(msg).toContain(
      `aws ecr batch-delete-image --repository-name acme/widget --image-ids imageDigest=sha256:${'b'.repeat(64)}`,
    )
    expect(msg).not.toContain('\n')
  })
})
