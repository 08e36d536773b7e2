/** ECR: DescribeRepositories (repositories live in emulator state, per account and region). */
import { operation, paginate, repositoryShape, type EcrOperation } from './context.ts'

interface DescribeRepositoriesInput {
  registryId?: string
  repositoryNames?: string[]
  nextToken?: string
  maxResults?: number
}

export const operations: Record<string, EcrOperation> = {
  DescribeRepositories: operation<DescribeRepositoriesInput>({
    handle(ctx, input) {
      if (input.repositoryNames) {
        const repos = [...new Set(input.repositoryNames)].map((name) => ctx.requireRepository(name))
        return { repositories: repos.map((r) => repositoryShape(ctx, r)) }
      }
      const all = ctx.state.repositories
        .filter((r) => r.account === ctx.account && r.region === ctx.region)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name))
      const { page, nextToken } = paginate(ctx, all, input)
      const out: Record<string, unknown> = { repositories: page.map((r) => repositoryShape(ctx, r)) }
      if (nextToken) out.nextToken = nextToken
      return out
    },
  }),
}
