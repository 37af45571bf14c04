/**
 * The post-merge hook in a fork whose series is not in patches/ (QUILT_PATCHES, as
 * Debian keeps debian/patches): a pull must reapply it, not skip it without a word
 * because the hook looked for patches/series itself.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, git, patchq, read, tempDir, upstreamAndFork, write } from '../helpers/tree.js';

describe('the post-merge hook', () => {
  it('reapplies a series kept in QUILT_PATCHES=debian/patches after a pull', () => {
    const { up, d } = upstreamAndFork(
      { 'a.txt': 'one\ntwo\nthree\n' },
      { '.gitignore': '.pc\n', 'debian/patches/series': 'p.patch\n', 'debian/patches/p.patch': '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n' },
      'patchq-hookdir-',
    );
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    write(up, 'b.txt', 'new\n');
    git(up, 'add', '-A');
    git(up, 'commit', '-qm', 'v2');
    // patchq on PATH, as the hook calls it.
    const bin = tempDir('patchq-hookdir-bin-');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'patchq'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'patchq'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, QUILT_PATCHES: 'debian/patches', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' };
    const r = spawnSync('git', ['pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main'], { cwd: d, env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toContain('All 1 patch(es) are back');
    expect(read(d, 'a.txt')).toBe('one\nTWO\nthree\n');
  });
});
