/**
 * The post-merge hook after a real `git pull` from a real upstream repository: in a fork
 * whose series is not in patches/ (QUILT_PATCHES, as Debian keeps debian/patches), a pull
 * must reapply it, not skip it without a word because the hook looked for patches/series
 * itself; and what a fork maintainer reads after the pull, whatever happened.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, git, gitRepo, patchq, read, tempDir, upstreamAndFork, write } from '../helpers/tree.js';

const AUTHOR = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' };

/** A PATH with patchq on it, as the hook calls it (the built binary). */
function withPatchq(): string {
  const bin = tempDir('patchq-hookdir-bin-');
  writeFileSync(join(bin, 'patchq'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'patchq'), 0o755);
  return `${bin}:${process.env.PATH}`;
}

/** A PATH with git alone on it: no patchq. */
function gitOnly(): string {
  const bin = tempDir('patchq-hookdir-nobin-');
  const where = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(where, join(bin, 'git'));
  return bin;
}

/** The real `git pull` of upstream's main; what git printed (hooks print on stderr). */
function pull(d: string, path: string, env: NodeJS.ProcessEnv = {}): { code: number; out: string } {
  const r = spawnSync('git', ['pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main'], { cwd: d, env: { ...process.env, ...AUTHOR, ...env, PATH: path }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

const upstreamCommits = (up: string, rel: string, text: string) => {
  write(up, rel, text);
  git(up, 'add', '-A');
  git(up, 'commit', '-qm', `upstream changes ${rel}`);
};

const P = '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n';

describe('the post-merge hook', () => {
  it('reapplies a series kept in QUILT_PATCHES=debian/patches after a pull', () => {
    const { up, d } = upstreamAndFork(
      { 'a.txt': 'one\ntwo\nthree\n' },
      { '.gitignore': '.pc\n', 'debian/patches/series': 'p.patch\n', 'debian/patches/p.patch': P },
      'patchq-hookdir-',
    );
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    upstreamCommits(up, 'b.txt', 'new\n');
    const r = pull(d, withPatchq(), { QUILT_PATCHES: 'debian/patches' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('All 1 patch(es) are back');
    expect(r.out).not.toContain('post-merge hook');
    expect(read(d, 'a.txt')).toBe('one\nTWO\nthree\n');
  });

  it('a patch that needs a person: the pull is merged and exits 0; the last two lines say so and what to do next', () => {
    const { up, d } = upstreamAndFork({ 'a.txt': 'one\ntwo\nthree\n' }, { '.gitignore': '.pc\n', 'patches/series': 'p.patch\n', 'patches/p.patch': P }, 'patchq-hookdir-');
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    upstreamCommits(up, 'a.txt', 'one\ntwo upstream\nthree\n');
    const path = withPatchq();
    const r = pull(d, path);
    expect(r.code).toBe(0);
    // The merge is made (two parents), the reapply stopped at p.patch and waits.
    expect(git(d, 'rev-parse', 'HEAD^2').trim()).toBe(git(up, 'rev-parse', 'HEAD').trim());
    expect(existsSync(join(d, '.pc/.patchq/reapply.json'))).toBe(true);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.at(-3)).toMatch(/^Stopped at p\.patch: /);
    expect(lines.slice(-2)).toEqual([
      'patchq post-merge hook: the merge is done, but the patch series is not all back on it (see above).',
      "  Fix what it names, then 'patchq reapply --continue'; or 'patchq reapply --abort' to undo the reapply (the merge stays).",
    ]);
    // What the lines say to do works: --abort undoes the reapply and keeps the merge.
    const merge = git(d, 'rev-parse', 'HEAD').trim();
    expect(patchq(d, ['reapply', '--abort']).code).toBe(0);
    expect(git(d, 'rev-parse', 'HEAD').trim()).toBe(merge);
    expect(existsSync(join(d, '.pc/.patchq/reapply.json'))).toBe(false);
  });

  /** A clone with patchq's hook and no series, its upstream one commit ahead. */
  function hookedCloneWithoutSeries(): { up: string; d: string } {
    const up = gitRepo({ 'a.txt': 'a\n' }, { prefix: 'patchq-hookdir-up-' });
    const d = tempDir('patchq-hookdir-clone-');
    git(d, 'clone', '-q', up, '.');
    git(d, 'remote', 'add', 'upstream', up);
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    upstreamCommits(up, 'b.txt', 'b\n');
    return { up, d };
  }

  it('a repository with no series: the pull says nothing of patchq', () => {
    const { d } = hookedCloneWithoutSeries();
    const r = pull(d, withPatchq());
    expect([r.code, r.out]).toEqual([0, '']);
    expect(read(d, 'b.txt')).toBe('b\n');
  });

  it('patchq not on PATH: one line where a series is, saying the series was not put back; none where none is', () => {
    const { up, d } = upstreamAndFork({ 'a.txt': 'one\ntwo\nthree\n' }, { '.gitignore': '.pc\n', 'patches/series': 'p.patch\n', 'patches/p.patch': P }, 'patchq-hookdir-');
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    upstreamCommits(up, 'b.txt', 'new\n');
    const r = pull(d, gitOnly());
    expect([r.code, r.out]).toEqual([0, "patchq post-merge hook: patchq is not on PATH, so the patch series was not put back on the merge: run 'patchq reapply'\n"]);
    expect(read(d, 'a.txt')).toBe('one\ntwo\nthree\n');
    const { d: c } = hookedCloneWithoutSeries();
    expect(pull(c, gitOnly())).toEqual({ code: 0, out: '' });
  });
});
