import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration and e2e tests each use their own Redis key prefix, so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
  },
});
