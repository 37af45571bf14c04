import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn real git, quilt and the built binary, and wait on them (and on tmux, locks,
    // kill timers): on two cores, three forks keep both busy (measured 297 -> 276 s for the
    // whole suite; two used 1.7 cores).
    pool: 'forks',
    maxWorkers: 3,
    // Hermetic: no ~/.quiltrc or Debian's /etc/quilt.quiltrc in patchq runs the tests spawn
    // (test/settings/quiltrc.test.ts sets QUILTRC itself to test reading one).
    // PATCHQ_SPARES=1: every test runs with the pool of spare inodes (src/stack/spares.ts),
    // which by default is kept only on ext file systems without a journal;
    // test/stack/spares.test.ts runs trees without it beside and checks where it is kept.
    // NODE_EXTRA_CA_CERTS emptied: where the environment names a CA bundle, Node 20 reads
    // and parses it at every start (~40 ms), and the tests start Node thousands of times
    // (the binary through \`node\`, git hooks, shims). Nothing here opens a TLS connection;
    // the `patchq` command skips it the same way (its sh launcher, test/cli/launcher.test.ts).
    // (PATCHQ_SPARES=0 in the shell runs them without it: test.env would override the shell's.)
    env: { QUILTRC: '-', PATCHQ_SPARES: process.env.PATCHQ_SPARES ?? '1', NODE_EXTRA_CA_CERTS: '' },
    // A TMPDIR of the run's own, which must be empty at its end (test/global-tmp.ts).
    globalSetup: ['test/global-tmp.ts'],
  },
});
