/**
 * The post-merge hook and sync, through the built binary on real git repositories: where
 * the hook goes (linked worktrees, core.hooksPath), whose hook it is, and what sync says
 * and leaves when its pull does not go as planned.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, patchq, read, tempDir, write } from '../helpers/tree.js';

const HOOK = readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'post-merge.hook'), 'utf8');

function repo(): string {
  const d = tempDir('patchq-hook-');
  git(d, 'init', '-q', '-b', 'main');
  write(d, 'a.txt', 'a\n');
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'v1');
  return d;
}

describe('hook install / uninstall', () => {
  it('in a linked worktree, goes where git runs hooks from (the common .git/hooks)', () => {
    const main = repo();
    const wt = join(tempDir('patchq-hook-'), 'wt');
    git(main, 'worktree', 'add', '-q', wt);
    const r = patchq(wt, ['hook', 'install']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Installed ${join(main, '.git', 'hooks', 'post-merge')}\n`);
    expect(read(main, '.git/hooks/post-merge')).toBe(HOOK);
    expect(git(wt, 'rev-parse', '--git-path', 'hooks/post-merge').trim()).toBe(join(main, '.git', 'hooks', 'post-merge'));
    expect(patchq(wt, ['hook', 'uninstall']).code).toBe(0);
    expect(existsSync(join(main, '.git', 'hooks', 'post-merge'))).toBe(false);
  });

  it('with core.hooksPath, goes into that folder (from a subfolder too)', () => {
    const d = repo();
    git(d, 'config', 'core.hooksPath', '.githooks');
    write(d, 'sub/x', 'x\n');
    expect(patchq(join(d, 'sub'), ['hook', 'install']).code).toBe(0);
    expect(read(d, '.githooks/post-merge')).toBe(HOOK);
    expect(existsSync(join(d, '.git', 'hooks', 'post-merge'))).toBe(false);
  });

  it("a hook someone else wrote, or patchq's with their lines added, is neither replaced nor removed", () => {
    const d = repo();
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    expect(patchq(d, ['hook', 'install']).code).toBe(0); // twice: ours, replaced by the same
    const edited = `${HOOK}npm install --silent\n`;
    write(d, '.git/hooks/post-merge', edited);
    const path = join(d, '.git', 'hooks', 'post-merge');
    expect(patchq(d, ['hook', 'uninstall'])).toMatchObject({ code: 1, stderr: `${path} is not patchq's (it was changed since patchq installed it); use --force to remove it\n` });
    expect(patchq(d, ['hook', 'install'])).toMatchObject({ code: 1, stderr: `${path} exists and is not patchq's (it was changed since patchq installed it); use --force to replace it\n` });
    expect(read(d, '.git/hooks/post-merge')).toBe(edited);
    write(d, '.git/hooks/post-merge', '#!/bin/sh\necho mine\n');
    expect(patchq(d, ['hook', 'uninstall']).code).toBe(1);
    expect(read(d, '.git/hooks/post-merge')).toBe('#!/bin/sh\necho mine\n');
    expect(patchq(d, ['hook', 'uninstall', '--force']).code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});
