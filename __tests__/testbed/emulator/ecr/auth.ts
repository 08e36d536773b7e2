/**
 * ECR: GetAuthorizationToken. Each call mints a new registry password for the caller (see
 * `registry-tokens.ts`); `proxyEndpoint` is the registry front's host of the account.
 */
import { issueRegistryToken } from '../registry-tokens.ts'
import { operation, type EcrOperation } from './context.ts'

export const operations: Record<string, EcrOperation> = {
  GetAuthorizationToken: operation<{ registryIds?: string[] }>({
    resources: () => ['*'],
    handle(ctx, input) {
      const token = issueRegistryToken(ctx.state, ctx.principal, ctx.region, ctx.now)
      const authorizationToken = Buffer.from(`AWS:${token.password}`).toString('base64')
      // registryIds is deprecated: the token opens every registry the principal may use; ECR still
      // answers one entry per id, each with that registry's endpoint.
      const registries = input.registryIds ?? [ctx.principal.account]
      return {
        authorizationData: registries.map((account) => ({
          authorizationToken,
          expiresAt: token.expiresAt,
          proxyEndpoint: ctx.core.proxyEndpoint(account, ctx.region),
        })),
      }
    },
  }),
}
