/** ECR: GetAuthorizationToken (the docker login password is the real registry's). */
import { operation, type EcrOperation } from './context.ts'

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000

export const operations: Record<string, EcrOperation> = {
  GetAuthorizationToken: operation<{ registryIds?: string[] }>({
    resources: () => ['*'],
    handle(ctx, input) {
      const token = Buffer.from(`AWS:${ctx.state.registryPassword}`).toString('base64')
      const expiresAt = new Date(ctx.now.getTime() + TOKEN_LIFETIME_MS)
      const registries = input.registryIds ?? [ctx.account]
      return {
        authorizationData: registries.map(() => ({
          authorizationToken: token,
          expiresAt,
          proxyEndpoint: ctx.state.proxyEndpoint,
        })),
      }
    },
  }),
}
