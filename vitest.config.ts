import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn real git, quilt and the built binary; two cores, so keep forks modest.
    pool: 'forks',
    maxWorkers: 2,
  },
});
