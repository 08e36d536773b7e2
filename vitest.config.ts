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
  },
})
