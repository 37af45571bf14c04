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
    // PATCHQ_SPARES=1: every test runs with the pool of spare inodes (src/stack/spares.ts),
    // which by default is kept only on ext file systems without a journal;
    // test/stack/spares.test.ts runs trees without it beside and checks where it is kept.
    env: { QUILTRC: '-', PATCHQ_SPARES: '1' },
  },
});
