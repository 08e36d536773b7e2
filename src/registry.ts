/** Pure helpers about ECR registries, tokens and image references. No I/O. */
import { DNS_SUFFIXES } from './partition.js'

export interface DockerCredentials {
  username: string
  password: string
}

/** ECR's authorizationToken is base64("AWS:<password>"). */
export function decodeAuthToken(token: string): DockerCredentials {
  const text = Buffer.from(token, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon <= 0 || colon === text.length - 1) {
    throw new Error('ECR returned an authorization token that is not base64 of "user:password"')
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** The registry host forms ECR uses: every partition's DNS suffix, and dual-stack `on.aws`. */
const ECR_HOST = new RegExp(
  `^(\\d{12})\\.dkr[.-]ecr(?:-fips)?\\.([a-z0-9-]+)\\.(${[...DNS_SUFFIXES, 'on.aws'].map((s) => s.replace(/\./g, '\\.')).join('|')})$`,
)
const ECR_DUALSTACK_HOST = /^(\d{12})\.dkr-ecr\.([a-z0-9-]+)\.on\.aws$/

export interface EcrHost {
  account: string
  region: string
}

/** Account and region of an ECR registry host, or undefined for any other registry. */
export function parseEcrHost(host: string): EcrHost | undefined {
  const m = ECR_HOST.exec(host) ?? ECR_DUALSTACK_HOST.exec(host)
  if (!m?.[1] || !m[2]) return undefined
  return { account: m[1], region: m[2] }
}

/**
 * Registry host from GetAuthorizationToken's proxyEndpoint. One token opens every registry the
 * principal may use, so a cross-account push swaps the account in the host (an explicit port, part
 * of the URL's host, stays). A proxyEndpoint that is not an ECR host is used as it is.
 */
export function registryHost(proxyEndpoint: string, registryId?: string): string {
  let host: string
  try {
    host = new URL(proxyEndpoint).host
  } catch {
    host = proxyEndpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '')
  }
  if (host === '') throw new Error(`ECR returned an unusable proxyEndpoint '${proxyEndpoint}'`)
  const ecr = parseEcrHost(host.replace(/:\d+$/, ''))
  if (registryId && ecr && ecr.account !== registryId) {
    return registryId + host.slice(ecr.account.length)
  }
  return host
}

/** ECR's WILDCARD filters (scanning rules, tag-mutability exclusions): `*` matches any run of characters. */
export function wildcardMatches(filter: string, value: string): boolean {
  const re = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${re}$`).test(value)
}

/** Account ID out of an ARN (`arn:<partition>:sts::123456789012:assumed-role/…`). */
export function accountFromArn(arn: string): string | undefined {
  const parts = arn.split(':')
  const account = parts[4]
  return parts[0] === 'arn' && account && /^\d{12}$/.test(account) ? account : undefined
}

/** The digest `docker push` reports on its last line: `<tag>: digest: sha256:… size: N`. */
export function parsePushDigest(output: string): string | undefined {
  const matches = [...output.matchAll(/digest: (sha256:[a-f0-9]{64})/g)]
  return matches.at(-1)?.[1]
}

export interface ImageRefs {
  registry: string
  repositoryUri: string
  imageUri: string
  imageRef: string
}

export function imageRefs(registry: string, repository: string, tags: string[], digest: string): ImageRefs {
  const repositoryUri = `${registry}/${repository}`
  return {
    registry,
    repositoryUri,
    imageUri: `${repositoryUri}:${tags[0] ?? ''}`,
    imageRef: `${repositoryUri}@${digest}`,
  }
}

/** Claims of a JWT's payload, for error messages. The signature is not checked: STS does that. */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1]
  if (!payload) return {}
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
