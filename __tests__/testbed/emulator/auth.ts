/** Authentication of signed calls: SigV4 against the credentials the emulator issued or was given. */
import { AwsError } from './errors.ts'
import {
  expectedSignature,
  parseAmzDate,
  parseAuthorization,
  payloadMatches,
  signaturesEqual,
  type SignedRequest,
} from './sigv4.ts'
import type { CredentialRecord } from './types.ts'

type Failure = 'missing' | 'unknown' | 'signature' | 'expired'

const INVALID_TOKEN = 'The security token included in the request is invalid.'
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
const EXPIRED = 'The security token included in the request is expired'

/** The codes each protocol uses for the same authentication failure. */
type SignedService = 'ecr' | 'ecr-public' | 'sts' | 'inspector2'

const JSON_CODES: Record<Failure, [code: string, status: number]> = {
  missing: ['MissingAuthenticationTokenException', 400],
  unknown: ['UnrecognizedClientException', 400],
  signature: ['InvalidSignatureException', 400],
  expired: ['ExpiredTokenException', 400],
}

const CODES: Record<SignedService, Record<Failure, [code: string, status: number]>> = {
  ecr: JSON_CODES,
  'ecr-public': JSON_CODES,
  inspector2: {
    missing: ['MissingAuthenticationTokenException', 403],
    unknown: ['UnrecognizedClientException', 403],
    signature: ['InvalidSignatureException', 403],
    expired: ['ExpiredTokenException', 403],
  },
  sts: {
    missing: ['MissingAuthenticationToken', 403],
    unknown: ['InvalidClientTokenId', 403],
    signature: ['SignatureDoesNotMatch', 403],
    expired: ['ExpiredToken', 403],
  },
}

const MAX_SKEW_MS = 15 * 60 * 1000

export interface Authenticated {
  credential: CredentialRecord
  region: string
  accessKeyId: string
}

export function authenticate(
  service: SignedService,
  req: SignedRequest,
  credentials: ReadonlyMap<string, CredentialRecord>,
): Authenticated {
  const fail = (failure: Failure, message: string): AwsError => {
    const [code, status] = CODES[service][failure]
    return new AwsError(code, message, status)
  }
  const header = req.headers.authorization
  if (!header) {
    throw fail(
      'missing',
      service === 'sts' ? 'Request is missing Authentication Token' : 'Missing Authentication Token',
    )
  }
  const auth = parseAuthorization(header)
  if (!auth) {
    throw fail(
      'signature',
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header}`,
    )
  }
  if (auth.service !== service) {
    throw fail('signature', `Credential should be scoped to correct service: '${service}'. `)
  }
  const credential = credentials.get(auth.accessKeyId)
  if (!credential) throw fail('unknown', INVALID_TOKEN)
  const token = req.headers['x-amz-security-token']
  if ((credential.sessionToken ?? undefined) !== (typeof token === 'string' ? token : undefined)) {
    throw fail('unknown', INVALID_TOKEN)
  }
  const amzDateHeader = typeof req.headers['x-amz-date'] === 'string' ? req.headers['x-amz-date'] : ''
  const amzDate = parseAmzDate(amzDateHeader)
  if (!amzDate)
    throw fail(
      'signature',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    )
  const now = Date.now()
  if (Math.abs(now - amzDate.getTime()) > MAX_SKEW_MS) {
    const fmt = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '')
    const edge =
      amzDate.getTime() < now
        ? `earlier than ${fmt(now - MAX_SKEW_MS)}`
        : `later than ${fmt(now + MAX_SKEW_MS)}`
    throw fail('signature', `Signature expired: ${amzDateHeader} is now ${edge} (${fmt(now)} - 15 min.)`)
  }
  if (!amzDateHeader.startsWith(auth.date)) {
    throw fail(
      'signature',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDateHeader.slice(0, 8)}', from '${amzDateHeader}'.`,
    )
  }
  if (!payloadMatches(req))
    throw fail('signature', "The provided 'x-amz-content-sha256' header does not match what was computed.")
  if (!signaturesEqual(expectedSignature(req, auth, credential.secretAccessKey), auth.signature)) {
    throw fail('signature', BAD_SIGNATURE)
  }
  if (credential.expired || (credential.expiration && credential.expiration.getTime() <= now)) {
    throw fail('expired', EXPIRED)
  }
  return { credential, region: auth.region, accessKeyId: auth.accessKeyId }
}
