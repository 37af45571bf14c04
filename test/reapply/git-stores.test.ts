/**
 * The 3-way base of a reapply (ORIG_HEAD, recorded bases, index lines) read from the two
 * repository shapes isomorphic-git does not read alone: a linked worktree (`git worktree
 * add`: HEAD and ORIG_HEAD are the worktree's, branches and objects the main repository's)
 * and a clone whose history is in another repository (`git clone --shared`, objects/info/
 * alternates). Before, both read no base: in the worktree HEAD did not resolve, in the
 * shared clone no blob of the old history was found.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGitDir, headCommit, readBlob, readFileAt, resolveCommit, filesAdded } from '../../src/git/index.js';
import { git, patchq, read, tempDir, upstreamAndFork, write } from '../helpers/tree.js';

const V1 = 'l1\nl2\nl3\nA\nB\nC\nD\nE\nF\nG\nl4\nl5\nl6\n';
// Upstream adds a copy of the patch's context above it: only the pre-pull commit (the base) tells the two apart.
const V2 = 'l1\nA\nB\nC\nD\nE\nF\nG\nX\nl2\nl3\nA\nB\nC\nD\nE\nF\nG\nl4\nl5\nl6\n';
const PATCH = '--- a/f.txt\n+++ b/f.txt\n@@ -4,7 +4,7 @@\n A\n B\n C\n-D\n+D-fork\n E\n F\n G\n';
const LANDED = 'l1\nA\nB\nC\nD\nE\nF\nG\nX\nl2\nl3\nA\nB\nC\nD-fork\nE\nF\nG\nl4\nl5\nl6\n';

// And changes the patch's own line: GNU patch (and patchq without the base) lands the hunk on the copy above.
const V2_CHANGED = V2.replace('C\nD\nE\nF\nG\nl4', 'C\nD2\nE\nF\nG\nl4');

function fork(v2 = V2): { up: string; d: string } {
  const r = upstreamAndFork({ 'f.txt': V1 }, { '.gitignore': '.pc\n', 'patches/series': 'p.patch\n', 'patches/p.patch': PATCH }, 'patchq-stores-');
  write(r.up, 'f.txt', v2);
  git(r.up, 'commit', '-qam', 'v2');
  return r;
}

describe('reapply in a linked worktree and in a shared clone', () => {
  it('a linked worktree: the pull there leaves ORIG_HEAD in its own git dir, and reapply lands the hunk at its own place', async () => {
    const { up, d } = fork();
    const wt = join(tempDir('patchq-stores-wt-'), 'wt');
    git(d, 'worktree', 'add', '-q', '-b', 'side', wt);
    git(wt, 'pull', '-q', '--no-rebase', '--no-edit', up, 'main');
    // The git layer: HEAD and ORIG_HEAD are the worktree's, branches the common dir's.
    const repo = findGitDir(wt)!;
    expect(await headCommit(repo)).toBe(git(wt, 'rev-parse', 'HEAD').trim());
    expect(await resolveCommit(repo, 'ORIG_HEAD')).toBe(git(wt, 'rev-parse', 'ORIG_HEAD').trim());
    expect(await resolveCommit(repo, 'main')).toBe(git(d, 'rev-parse', 'main').trim());
    expect(git(wt, 'rev-parse', 'HEAD')).not.toBe(git(d, 'rev-parse', 'HEAD'));
    expect(await readFileAt(repo, 'HEAD', 'f.txt')).toBe(V2);
    expect(await readFileAt(repo, 'ORIG_HEAD', 'f.txt')).toBe(V1);

    const r = patchq(wt, ['reapply']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(read(wt, 'f.txt')).toBe(LANDED);
    expect(read(d, 'f.txt')).toBe(V1); // the main worktree is not touched
  });

  it('a clone made with --shared: the base is read from the repository its alternates name, so a hunk whose line upstream changed stops instead of landing on the copy above', async () => {
    const { up, d } = fork(V2_CHANGED);
    const clone = join(tempDir('patchq-stores-shared-'), 'clone');
    git(d, 'clone', '-q', '--shared', d, clone);
    git(clone, 'pull', '-q', '--no-rebase', '--no-edit', up, 'main');
    const repo = findGitDir(clone)!;
    const oldBlob = git(clone, 'rev-parse', 'ORIG_HEAD:f.txt').trim();
    // The old history is only in the other repository.
    expect(read(clone, '.git/objects/info/alternates').trim()).toBe(join(d, '.git', 'objects'));
    expect(git(d, 'cat-file', '-t', oldBlob).trim()).toBe('blob');
    expect(() => read(clone, `.git/objects/${oldBlob.slice(0, 2)}/${oldBlob.slice(2)}`)).toThrow(/ENOENT/);
    expect(await readBlob(repo, oldBlob.slice(0, 9))).toBe(V1);
    expect(await readFileAt(repo, 'ORIG_HEAD', 'f.txt')).toBe(V1);
    // A commit of the clone's own whose tree names blobs of both stores.
    write(clone, 'new.txt', 'new\n');
    git(clone, 'add', 'new.txt');
    git(clone, 'commit', '-qm', 'local');
    expect(await readFileAt(repo, 'HEAD', 'patches/p.patch')).toBe(PATCH);
    expect([...(await filesAdded(repo, 'ORIG_HEAD', 'HEAD'))!.keys()]).toEqual(['new.txt']);
    git(clone, 'reset', '-q', '--hard', 'HEAD~1');
    git(clone, 'update-ref', 'ORIG_HEAD', git(d, 'rev-parse', 'HEAD').trim());

    // Before, no base was found here, and the hunk landed on the copy above, reported as "back".
    const r = patchq(clone, ['reapply', '--json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { stoppedAt: string }).stoppedAt).toBe('p.patch');
    expect(read(clone, 'f.txt').startsWith('l1\nA\nB\nC\nD\nE\nF\nG\nX\n')).toBe(true);
    expect(read(clone, 'f.txt')).toContain('<<<<<<< ours\nD2\n=======\nD-fork\n>>>>>>> theirs\n');
  });
});
