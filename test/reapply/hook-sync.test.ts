/**
 * The post-merge hook and sync, through the built binary on real git repositories: where
 * the hook goes (linked worktrees, core.hooksPath), whose hook it is, and what sync says
 * and leaves when its pull does not go as planned.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtOnce } from '../helpers/prepared.js';
import { CLI, git, numbered, patchq, read, snapshot, tempDir, write, gitRepo } from '../helpers/tree.js';
import { snapshot as exactSnapshot } from '../hardening/helpers.js';

/** Every byte, mode and mtime of the fork, .git and .pc included, but git fetch's own FETCH_HEAD (a fetch writes it, even one that fails). */
const untouched = (d: string): Record<string, string> => {
  const all = exactSnapshot(d, { exact: true });
  delete all[join('.git', 'FETCH_HEAD')];
  return all;
};

const HOOK = readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'post-merge.hook'), 'utf8');

/** A repository holding a.txt (built once, each test gets a copy). */
const repo = builtOnce(() => gitRepo({ 'a.txt': 'a\n' }, { prefix: 'patchq-hook-' }), 'patchq-hook-');

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

  it('the hook an earlier patchq installed, as it was, is brought up to date by install and removed by uninstall', () => {
    // Their texts as they shipped (templates/post-merge.hook at deffbd5 and 84f3af2).
    const earlier = [
      "#!/bin/sh\n# installed by patchq hook install\n# After a merge or pull, put the fork's patch series back on the new upstream.\n# Reapply only when there is a series here, and never fail the merge itself.\nif [ -f patches/series ] && command -v patchq >/dev/null 2>&1; then\n  patchq reapply || echo \"patchq: the series needs a person: see the report above (patchq reapply --continue | --abort)\" >&2\nfi\nexit 0\n",
      "#!/bin/sh\n# installed by patchq hook install\n# After a merge or pull, put the fork's patch series back on the new upstream.\n# Reapply only when patchq finds a series here (patches/, QUILT_PATCHES, .pc/.quilt_patches),\n# and never fail the merge itself.\nif command -v patchq >/dev/null 2>&1 && patchq series >/dev/null 2>&1; then\n  patchq reapply || echo \"patchq: the series needs a person: see the report above (patchq reapply --continue | --abort)\" >&2\nfi\nexit 0\n",
    ];
    for (const old of earlier) {
      const d = repo();
      const path = join(d, '.git', 'hooks', 'post-merge');
      write(d, '.git/hooks/post-merge', old);
      expect(patchq(d, ['hook', 'install'])).toMatchObject({ code: 0, stdout: `Updated ${path} (the hook of an earlier patchq)\n` });
      expect(read(d, '.git/hooks/post-merge')).toBe(HOOK);
      write(d, '.git/hooks/post-merge', old);
      expect(patchq(d, ['hook', 'uninstall'])).toMatchObject({ code: 0, stdout: `Removed ${path}\n` });
      expect(existsSync(path)).toBe(false);
      // One line added to it makes it the user's.
      write(d, '.git/hooks/post-merge', `${old}echo mine\n`);
      expect(patchq(d, ['hook', 'install']).code).toBe(1);
    }
  });

  it("a hook someone else wrote, or patchq's with their lines added, is neither replaced nor removed", () => {
    const d = repo();
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    expect(patchq(d, ['hook', 'install']).code).toBe(0); // twice: ours, replaced by the same
    const edited = `${HOOK}npm install --silent\n`;
    write(d, '.git/hooks/post-merge', edited);
    const path = join(d, '.git', 'hooks', 'post-merge');
    expect(patchq(d, ['hook', 'uninstall'])).toMatchObject({ code: 1, stderr: `${path} is not patchq's (it has the patchq mark, but differs from the hook this patchq installs: edited since, or from another version); use --force to remove it\n` });
    expect(patchq(d, ['hook', 'install'])).toMatchObject({ code: 1, stderr: `${path} exists and is not patchq's (it has the patchq mark, but differs from the hook this patchq installs: edited since, or from another version); use --force to replace it\n` });
    expect(read(d, '.git/hooks/post-merge')).toBe(edited);
    write(d, '.git/hooks/post-merge', '#!/bin/sh\necho mine\n');
    expect(patchq(d, ['hook', 'uninstall']).code).toBe(1);
    expect(read(d, '.git/hooks/post-merge')).toBe('#!/bin/sh\necho mine\n');
    expect(patchq(d, ['hook', 'uninstall', '--force']).code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});

/**
 * upstream (a.txt, b.txt) and a clone of it, the fork, with remote `upstream` and the
 * series: p.patch changes a.txt line 10, q.patch b.txt line 5. Upstream v2 adds two lines
 * above a.txt's change (p.patch lands with an offset) and makes q.patch's change itself.
 */
function forkWithUpstream(): { up: string; fork: string } {
  const base = builtUpAndFork();
  return { up: join(base, 'up'), fork: join(base, 'fork') };
}
/** Built once (14 git runs), each test gets a copy of both (copyTree: the fork's remotes name the copy's up). */
const builtUpAndFork = builtOnce((): string => {
  const base = tempDir('patchq-sync-');
  const up = join(base, 'up');
  const fork = join(base, 'fork');
  git(base, 'init', '-q', '-b', 'main', 'up');
  write(up, 'a.txt', numbered(30));
  write(up, 'b.txt', numbered(30, 'b'));
  git(up, 'add', '-A');
  git(up, 'commit', '-qm', 'v1');
  git(base, 'clone', '-q', 'up', 'fork');
  git(fork, 'remote', 'add', 'upstream', up);
  write(fork, 'patches/series', 'p.patch\nq.patch\n');
  write(fork, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n l9\n-l10\n+FORK\n l11\n');
  write(fork, 'patches/q.patch', '--- a/b.txt\n+++ b/b.txt\n@@ -4,3 +4,3 @@\n b4\n-b5\n+B5 FIXED\n b6\n');
  git(fork, 'add', '-A');
  git(fork, 'commit', '-qm', 'the series');
  write(up, 'a.txt', 'new 1\nnew 2\n' + numbered(30));
  write(up, 'b.txt', numbered(30, 'b').replace('b5\n', 'B5 FIXED\n'));
  git(up, 'commit', '-qam', 'v2');
  return base;
}, 'patchq-sync-');

/** A `patchq` on PATH (the hook calls it by name) that runs the built binary. */
function patchqOnPath(): NodeJS.ProcessEnv {
  const bin = tempDir('patchq-bin-');
  write(bin, 'patchq', `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

/** sync refused with exactly this stderr, exit 1: nothing pulled (HEAD as it was), not a byte changed (.pc included). */
function syncRefused(fork: string, stderr: string): void {
  const head = git(fork, 'rev-parse', 'HEAD');
  const before = snapshot(fork, { withPc: true });
  const r = patchq(fork, ['sync']);
  expect([r.code, r.stderr]).toEqual([1, stderr]);
  expect(git(fork, 'rev-parse', 'HEAD')).toBe(head);
  expect(snapshot(fork, { withPc: true })).toEqual(before);
}

describe('sync', () => {
  it('with the post-merge hook installed: one reapply, with sync\'s options (the hook\'s run inside the pull stands aside)', () => {
    const { fork } = forkWithUpstream();
    const env = patchqOnPath();
    expect(patchq(fork, ['hook', 'install'], env).code).toBe(0);
    const r = patchq(fork, ['sync', '--drop-merged', '--markdown', 'report.md'], env);
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringContaining('post-merge hook:')]);
    // git runs hooks with their stdout on stderr.
    expect(r.stderr).toContain('patchq sync is pulling and reapplies once the pull is done: nothing to do here');
    expect(r.stdout).toMatch(/q\.patch +dropped \(already upstream\)/);
    expect(read(fork, 'report.md')).toMatch(/^## patchq reapply: all patches are back/);
    expect(read(fork, 'patches/series')).toBe('p.patch\n');
    expect(patchq(fork, ['applied']).stdout).toBe('p.patch\n');
    expect(existsSync(join(fork, '.pc/.patchq/reapply.json'))).toBe(false);
  });

  it('--json: stdout is the report alone (the pull talks on stderr)', () => {
    const { fork } = forkWithUpstream();
    const r = patchq(fork, ['sync', '--drop-merged', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, patches: [{ name: 'p.patch', outcome: 'refreshed' }, { name: 'q.patch', outcome: 'dropped' }] });
    expect(r.stderr).toMatch(/a\.txt \| 2 \+\+/);
  });

  it('a --markdown place that cannot be written, or a reapply run still open, is refused before the pull', () => {
    const { fork } = forkWithUpstream();
    expect(patchq(fork, ['push', '-a']).code).toBe(0);
    const head = git(fork, 'rev-parse', 'HEAD');
    const before = snapshot(fork, { withPc: true });
    expect(patchq(fork, ['sync', '--markdown', 'nowhere/r.md'])).toMatchObject({ code: 1, stderr: '--markdown nowhere/r.md: no folder nowhere to write it in\n' });
    expect(patchq(fork, ['sync', '--conflicts=bogus']).code).toBe(1);
    expect(git(fork, 'rev-parse', 'HEAD')).toBe(head);
    expect(snapshot(fork, { withPc: true })).toEqual(before);
    // A run stopped at a patch: sync says so, pulls nothing.
    expect(patchq(fork, ['pop', '-a']).code).toBe(0);
    write(fork, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n l9\n-NOT THERE\n+FORK\n l11\n');
    expect(patchq(fork, ['reapply']).code).toBe(1);
    syncRefused(fork, "a reapply run stopped at p.patch; finish it with 'patchq reapply --continue' or 'patchq reapply --abort' before syncing; nothing was changed\n");
  });

  it('a pull that stops at a merge conflict: the series is not pushed into it, and the message says so', () => {
    const { fork } = forkWithUpstream();
    // The fork changed b.txt line 5 in a commit of its own: upstream's v2 conflicts with it.
    write(fork, 'b.txt', numbered(30, 'b').replace('b5\n', 'FORK COMMIT\n'));
    git(fork, 'commit', '-qam', 'a fork commit');
    write(fork, 'patches/series', 'p.patch\n');
    git(fork, 'commit', '-qam', 'q.patch is no longer needed');
    expect(patchq(fork, ['push', '-a']).code).toBe(0);
    const r = patchq(fork, ['sync']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the pull failed \(exit 1\) and left the repository changed \(a merge is under way\); the series stays popped \(1 patch\(es\)\): finish the pull \(resolve, commit\) and run 'patchq reapply', or undo it \(for example 'git merge --abort'\) and run 'patchq push -a'\n$/,
    );
    expect(r.stderr).not.toContain('the tree is as it was');
    expect(patchq(fork, ['applied']).code).toBe(1); // 'No patches applied', as quilt
    expect(read(fork, 'a.txt')).toBe('new 1\nnew 2\n' + numbered(30));
    // Undo the merge: the patches go back on as the message says.
    git(fork, 'merge', '--abort');
    expect(patchq(fork, ['push', '-a']).code).toBe(0);
    expect(read(fork, 'a.txt')).toBe(numbered(30).replace('l10\n', 'FORK\n'));
  });

  it('what would stop its reapply (here a .rej left beside a file of the series) is refused before it pops or pulls', () => {
    const { fork } = forkWithUpstream();
    expect(patchq(fork, ['push', '-a']).code).toBe(0);
    write(fork, 'a.txt.rej', 'old notes\n');
    syncRefused(fork, 'patches/series:1: a.txt.rej is there from earlier work, and a patch that stops on a.txt writes its rejects there: move it away (or delete it) first\n');
  });

  it('upstream with nothing new and the series applied: nothing is popped or pushed again (mtimes kept), exit 0', () => {
    const { fork } = forkWithUpstream();
    expect(patchq(fork, ['sync', '--drop-merged']).code).toBe(0);
    const before = untouched(fork);
    const r = patchq(fork, ['sync', '--markdown', '../r.md']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Already up to date: upstream [0-9a-f]{12} is already in HEAD and the series is applied \(1 patch\(es\)\); nothing was popped, pulled or pushed\n$/);
    expect(untouched(fork)).toEqual(before);
    expect(read(fork, '../r.md')).toMatch(/^## patchq sync: already up to date\n/);
    expect(JSON.parse(patchq(fork, ['sync', '--json']).stdout)).toMatchObject({ upToDate: true, applied: ['p.patch'] });
    // A patch popped by hand: sync puts the series back (reapply; nothing to pull).
    expect(patchq(fork, ['pop']).code).toBe(0);
    const again = patchq(fork, ['sync']);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('Nothing to pull: ')]);
    expect(patchq(fork, ['applied']).stdout).toBe('p.patch\n');
  });

  it('upstream with nothing new and the series popped (a run aborted): no pull, so ORIG_HEAD stays the pre-image of a patch that names no base', () => {
    const { fork } = forkWithUpstream();
    // A quilt-made patch (no index line, no Patchq-Base) whose line upstream v3 changes too.
    write(fork, 'patches/series', 'p.patch\n');
    git(fork, 'commit', '-qam', 'p.patch only');
    const up = join(fork, '..', 'up');
    write(up, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM\n'));
    git(up, 'commit', '-qam', 'v3');
    const first = patchq(fork, ['sync']);
    expect(first.code).toBe(1);
    const marked = read(fork, 'a.txt');
    expect(marked).toContain('<<<<<<< ours\nUPSTREAM\n=======\nFORK\n>>>>>>> theirs\n');
    const origHead = git(fork, 'rev-parse', 'ORIG_HEAD');
    expect(patchq(fork, ['reapply', '--abort']).code).toBe(0);
    // Sync again: git has nothing to pull. A `git pull` would say "Already up to date" and
    // move ORIG_HEAD to HEAD, and the 3-way merge would lose its base (a .rej instead).
    const again = patchq(fork, ['sync']);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^Nothing to pull: upstream [0-9a-f]{12} is already in HEAD\n/);
    expect(again.stdout).not.toContain('Pulling: ');
    expect(git(fork, 'rev-parse', 'ORIG_HEAD')).toBe(origHead);
    expect(read(fork, 'a.txt')).toBe(marked);
    expect(existsSync(join(fork, 'a.txt.rej'))).toBe(false);
  });

  it('a fetch that fails (the usual pull) is refused before anything is popped: not a byte or mtime changed', () => {
    const { fork } = forkWithUpstream();
    expect(patchq(fork, ['push', '-a']).code).toBe(0);
    git(fork, 'remote', 'set-url', 'upstream', join(fork, '..', 'gone'));
    const before = untouched(fork);
    const r = patchq(fork, ['sync']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\ngit fetch upstream HEAD failed \(exit 128\); nothing was popped, pulled or changed\n$/);
    expect(untouched(fork)).toEqual(before);
  });

  it('a pull that fails and changes nothing: the series is pushed back', () => {
    const { fork } = forkWithUpstream();
    expect(patchq(fork, ['push', '-a']).code).toBe(0);
    const r = patchq(fork, ['sync', '--pull', 'git pull --no-edit upstream no-such-branch']);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/the pull failed \(exit 1\); the tree is as it was with 2 patch\(es\) applied again\n$/)]);
    expect(patchq(fork, ['applied']).stdout).toBe('p.patch\nq.patch\n');
  });
});

describe('templates/post-sync-reapply.sh', () => {
  const SCRIPT = join(import.meta.dirname, '..', '..', 'templates', 'post-sync-reapply.sh');
  const runScript = (cwd: string, args: string[] = []) => {
    const r = spawnSync('sh', [SCRIPT, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...patchqOnPath(), NO_COLOR: '1', LANG: 'C' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('tells a patch that needs a person (report written) from a sync that stopped before reapplying', () => {
    const { fork } = forkWithUpstream();
    // p.patch's line is gone upstream: the run stops there, with the report.
    write(fork, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n l9\n-NOT THERE\n+FORK\n l11\n');
    git(fork, 'commit', '-qam', 'p.patch made against something else');
    write(fork, 'patchq-report.md', 'an old report\n');
    const stop = runScript(fork);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toMatch(/patchq: a patch needs a person \(exit 1\): see patchq-report\.md/);
    expect(read(fork, 'patchq-report.md')).toMatch(/p\.patch/);
    // A pull that fails: no report, and the script does not point at the old one.
    const { fork: other } = forkWithUpstream();
    write(other, 'patchq-report.md', 'an old report\n');
    const fail = runScript(other, ['git pull --no-edit upstream no-such-branch']);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/the pull failed \(exit 1\)[^\n]*\npatchq: sync stopped before reapplying \(exit 1\): see the message above\n$/);
    expect(existsSync(join(other, 'patchq-report.md'))).toBe(false);
    // Every patch back (q.patch, which upstream made, taken out of the series first): exit 0, nothing said.
    const { fork: clean } = forkWithUpstream();
    write(clean, 'patches/series', 'p.patch\n');
    git(clean, 'commit', '-qam', 'q.patch is upstream now');
    const ok = runScript(clean);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toContain('patchq:');
    expect(read(clean, 'patchq-report.md')).toMatch(/^## patchq reapply: all patches are back/);
  });
});

