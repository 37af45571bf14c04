import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn real git, quilt and the built binary; two cores, so keep forks modest.
    pool: 'forks',
    maxWorkers: 2,
    // Hermetic: no ~/.quiltrc or Debian's /etc/quilt.quiltrc in patchq runs the tests spawn
    // (test/settings/quiltrc.test.ts sets QUILTRC itself to test reading one).
    env: { QUILTRC: '-' },
  },
});
