/** Client-side helpers for tests that talk to the emulator with the real AWS SDK. */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { Emulator } from './index.ts'

export interface SessionCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
}

/** GET the OIDC token as @actions/core does. */
export async function fetchIdToken(emulator: Emulator, audience = 'sts.amazonaws.com'): Promise<string> {
  const response = await fetch(
    `${emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`,
    {
      headers: { authorization: `Bearer ${emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    },
  )
  if (!response.ok) throw new Error(`token endpoint: HTTP ${response.status}`)
  const body = (await response.json()) as { value: string }
  return body.value
}

/** AssumeRoleWithWebIdentity with a fresh token; the session's credentials. */
export async function assumeRole(
  emulator: Emulator,
  roleArn: string,
  options: { sessionName?: string; durationSeconds?: number; token?: string } = {},
): Promise<SessionCredentials> {
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint: emulator.env.AWS_ENDPOINT_URL_STS,
    maxAttempts: 1,
  })
  const out = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: options.sessionName ?? 'test-session',
      WebIdentityToken: options.token ?? (await fetchIdToken(emulator)),
      ...(options.durationSeconds !== undefined ? { DurationSeconds: options.durationSeconds } : {}),
    }),
  )
  const c = out.Credentials
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error('AssumeRoleWithWebIdentity gave no credentials')
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }
}
