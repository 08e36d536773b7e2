import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // End-to-end tests start real services (docker, registry, emulator): give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel, but not so many that docker pushes starve each other.
    maxWorkers: 2,
    reporters: ['default'],
    // `npm test` (vitest run --coverage): coverage of src/ by the tests that import it. The
    // end-to-end tests run dist/ in a child process, which v8 coverage of the workers does not see.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text', 'text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
})
