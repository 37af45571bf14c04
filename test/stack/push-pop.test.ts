/**
 * push / pop / refresh through the built binary on real trees: all-or-nothing,
 * byte-exact round trips, quilt's messages and exit codes, and interop with real quilt.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTree, pop as stackPop, push as stackPush } from '../../src/stack/index.js';
import { builtOnce } from '../helpers/prepared.js';
import { numbered, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';

/**
 * A tree with one file and one refreshed patch changing l4 -> L4 (and a new file): made once
 * through the binary, each test gets a copy.
 */
const oneMakePatch = builtOnce(() => {
  const d = tempDir();
  write(d, 'a.txt', numbered(10));
  expect(patchq(d, ['new', '01-a.patch']).code).toBe(0);
  expect(patchq(d, ['add', 'a.txt', 'created.txt']).code).toBe(0);
  write(d, 'a.txt', numbered(10).replace('l4\n', 'L4\n'));
  write(d, 'created.txt', 'fresh\n');
  const r = patchq(d, ['refresh']);
  expect(r.stdout).toBe('Refreshed patch 01-a.patch\n');
  return d;
});

/** The same tree with the patch popped (by the binary, once). */
const onePopped = builtOnce(() => {
  const d = oneMakePatch();
  expect(patchq(d, ['pop']).code).toBe(0);
  return d;
});

describe('push and pop', () => {
  it('round-trips a patch and prints quilt wording', async () => {
    const d = oneMakePatch();
    const pop = patchq(d, ['pop']);
    expect(pop.code).toBe(0);
    expect(pop.stdout).toBe('Removing patch 01-a.patch\nRestoring a.txt\nRemoving created.txt\n\nNo patches applied\n');
    expect(read(d, 'a.txt')).toBe(numbered(10));
    expect(existsSync(join(d, 'created.txt'))).toBe(false);
    const push = patchq(d, ['push']);
    expect(push.stdout).toBe('Applying patch 01-a.patch\npatching file a.txt\npatching file created.txt\n\nNow at patch 01-a.patch\n');
    expect(read(d, 'a.txt')).toContain('L4\n');
    expect(patchq(d, ['push'])).toMatchObject({ code: 2, stderr: 'File series fully applied, ends at patch 01-a.patch\n' });
    await stackPop(openTree(d), { quiet: true }); // (popped above through the binary: here only the start of the next check)
    expect(existsSync(join(d, '.pc/applied-patches'))).toBe(false);
    expect(patchq(d, ['pop'])).toMatchObject({ code: 2, stderr: 'No patch removed\n' });
  });

  it('lands a drifted patch at an offset, reports it, and marks it drifted until refreshed', () => {
    const d = onePopped();
    write(d, 'a.txt', 'x1\nx2\nx3\n' + numbered(10));
    const push = patchq(d, ['push']);
    expect(push.stdout).toContain('Hunk #1 succeeded at 4 (offset 3 lines).');
    expect(patchq(d, ['series', '-v']).stdout).toBe('= 01-a.patch  (drifted)\n');
    expect(patchq(d, ['refresh']).stdout).toBe('Refreshed patch 01-a.patch\n');
    expect(patchq(d, ['series', '-v']).stdout).toBe('= 01-a.patch\n');
    expect(read(d, 'patches/01-a.patch')).toContain('@@ -4,7 +4,7 @@');
  });

  it('push --refresh refreshes what drifted right after it lands', () => {
    const d = onePopped();
    write(d, 'a.txt', 'x1\n' + numbered(10));
    const r = patchq(d, ['push', '--refresh']);
    expect(r.stdout).toContain('Refreshed patch 01-a.patch');
    expect(read(d, 'patches/01-a.patch')).toContain('@@ -2,7 +2,7 @@');
  });

  it('leaves every file as it was when a patch does not apply', () => {
    const d = onePopped();
    write(d, 'a.txt', numbered(10).replace('l4\n', 'changed by upstream\n').replace(/l[3-6]\n/g, 'z\n'));
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['push']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Hunk #1 FAILED');
    expect(r.stdout).toContain('Patch 01-a.patch does not apply (enforce with -f)');
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(readdirSync(d).filter((f) => /\.(orig|rej)$/.test(f))).toEqual([]);
  });

  it('push -f writes what applies, .rej beside it, and pop refuses until refresh', () => {
    const d = onePopped();
    write(d, 'a.txt', numbered(10).replace(/l[3-6]\n/g, 'z\n'));
    const r = patchq(d, ['push', '-f']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Applied patch 01-a.patch (forced; needs refresh)');
    expect(existsSync(join(d, 'a.txt.rej'))).toBe(true);
    expect(read(d, 'created.txt')).toBe('fresh\n');
    expect(existsSync(join(d, '.pc/01-a.patch~refresh'))).toBe(true);
    expect(patchq(d, ['pop'])).toMatchObject({ code: 1, stderr: 'Patch 01-a.patch needs to be refreshed first.\n' });
    expect(patchq(d, ['pop', '-f']).code).toBe(0);
    expect(read(d, 'a.txt')).toBe(numbered(10).replace(/l[3-6]\n/g, 'z\n'));
  });

  it('refuses to pop a patch whose files changed since the last refresh, unless -f', () => {
    const d = oneMakePatch();
    write(d, 'a.txt', read(d, 'a.txt') + 'unrefreshed edit\n');
    expect(patchq(d, ['pop'])).toMatchObject({ code: 1, stderr: 'Patch 01-a.patch does not remove cleanly (refresh it or enforce with -f)\n' });
    expect(patchq(d, ['pop', '-f']).code).toBe(0);
    expect(read(d, 'a.txt')).toBe(numbered(10));
  });

  it('keeps a real empty file on pop (quilt deletes it) and round-trips CRLF, no-newline and modes', () => {
    const d = tempDir();
    write(d, 'empty.txt', '');
    write(d, 'crlf.txt', 'one\r\ntwo\r\nthree\r\n');
    write(d, 'nonl.txt', 'a\nb');
    write(d, 'run.sh', 'echo hi\n', 0o755);
    const pristine = snapshot(d);
    patchq(d, ['new', 'odd.patch']);
    patchq(d, ['add', 'empty.txt', 'crlf.txt', 'nonl.txt', 'run.sh']);
    write(d, 'empty.txt', 'now has text\n');
    write(d, 'crlf.txt', 'one\r\nTWO\r\nthree\r\n');
    write(d, 'nonl.txt', 'a\nB');
    chmodSync(join(d, 'run.sh'), 0o700);
    write(d, 'run.sh', 'echo bye\n');
    // git-style headers carry the mode change (quilt's format has no place for it).
    expect(patchq(d, ['refresh', '--git']).code).toBe(0);
    const patched = snapshot(d);
    expect(patchq(d, ['pop']).code).toBe(0);
    const { patches: _d, ['patches/odd.patch']: _p, ['patches/series']: _s, ...tree } = snapshot(d);
    expect(tree).toEqual(pristine);
    expect(patchq(d, ['push']).code).toBe(0);
    expect(snapshot(d)).toEqual(patched);
    expect(statSync(join(d, 'run.sh')).mode & 0o777).toBe(0o700);
  });

  it('answers the listing commands as quilt does', () => {
    const d = oneMakePatch();
    patchq(d, ['new', '02-b.patch']);
    write(d, 'patches/series', read(d, 'patches/series') + '03-c.patch\n');
    write(d, 'patches/03-c.patch', '');
    expect(patchq(d, ['applied']).stdout).toBe('01-a.patch\n02-b.patch\n');
    expect(patchq(d, ['unapplied']).stdout).toBe('03-c.patch\n');
    expect(patchq(d, ['top']).stdout).toBe('02-b.patch\n');
    expect(patchq(d, ['next']).stdout).toBe('03-c.patch\n');
    expect(patchq(d, ['previous']).stdout).toBe('01-a.patch\n');
    expect(patchq(d, ['series', '-v']).stdout).toBe('+ 01-a.patch\n= 02-b.patch\n  03-c.patch\n');
    expect(JSON.parse(patchq(d, ['applied', '--json']).stdout)).toEqual(['01-a.patch', '02-b.patch']);
    expect(patchq(d, ['new', '02-b.patch'])).toMatchObject({ code: 1, stderr: 'Patch 02-b.patch exists already\n' });
    expect(patchq(d, ['add', 'a.txt', '-P', '01-a.patch'])).toMatchObject({ code: 2 });
    expect(patchq(d, ['push', 'nosuch.patch'])).toMatchObject({ code: 1, stderr: 'Patch nosuch.patch is not in series\n' });
  });

  it('finds the tree from a subdirectory and refuses a second writer', () => {
    const d = oneMakePatch();
    write(d, 'sub/dir/x.txt', 'x\n');
    expect(patchq(join(d, 'sub/dir'), ['top']).stdout).toBe('01-a.patch\n');
    writeFileSync(join(d, '.pc/.patchq/lock'), `${process.pid}\n`);
    const r = patchq(d, ['pop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another patchq \(pid \d+\) is working on this tree/);
    expect(read(d, 'a.txt')).toContain('L4');
    // The lock holds the owner's start time too (Linux): the same live pid, started when
    // the lock says, still holds it; started at another time (a reused pid after a reboot
    // or in a new container), the lock is stale and taken over.
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    writeFileSync(join(d, '.pc/.patchq/lock'), `${process.pid} ${start}\n`);
    expect(patchq(d, ['pop']).stderr).toMatch(/another patchq \(pid \d+\) is working on this tree/);
    writeFileSync(join(d, '.pc/.patchq/lock'), `${process.pid} ${Number(start) + 1}\n`);
    expect(patchq(d, ['pop'])).toMatchObject({ code: 0 });
    expect(read(d, 'a.txt')).not.toContain('L4');
    expect(existsSync(join(d, '.pc/.patchq/lock'))).toBe(false);
  });
});

/**
 * Three patches on one file and a new one, written with diff -u between real states, so
 * each patch's context is what the one before it left.
 */
function threeOnOneFile(): { d: string; states: string[] } {
  const d = tempDir();
  const states = [numbered(20)];
  states.push(states[0]!.replace('l3\n', 'L3\n'));
  states.push(states[1]!.replace('l10\n', 'L10\nadded\n'));
  states.push(states[2]!.replace('L3\n', 'L3 again\n'));
  write(d, 'a.txt', states[0]!);
  const names = ['1.patch', '2.patch', '3.patch'];
  for (const [i, n] of names.entries()) {
    write(d, `x/${i}`, states[i]!);
    write(d, `y/${i}`, states[i + 1]!);
    const diff = spawnSync('diff', ['-u', `x/${i}`, `y/${i}`], { cwd: d, encoding: 'utf8' }).stdout.replace(/^--- .*\n\+\+\+ .*\n/, '--- a/a.txt\n+++ b/a.txt\n');
    write(d, `patches/${n}`, diff);
  }
  rmSync(join(d, 'x'), { recursive: true });
  rmSync(join(d, 'y'), { recursive: true });
  write(d, 'patches/series', names.join('\n') + '\n');
  return { d, states };
}

/** pop -a pops 3.patch and 2.patch, then refuses 1.patch, whose a.txt is now `edited`. */
function popAllStopsAtFirst(d: string, edited: string): void {
  const r = patchq(d, ['pop', '-a']);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('Patch 1.patch does not remove cleanly (refresh it or enforce with -f)\n');
  expect(read(d, '.pc/applied-patches')).toBe('1.patch\n');
  expect(read(d, 'a.txt')).toBe(edited);
}

/** Push `n` patches or all, in-process: a start for a test of what comes after (push itself is tested through the binary above). */
async function pushed(d: string, n?: number): Promise<void> {
  const applied = () => (existsSync(join(d, '.pc/applied-patches')) ? read(d, '.pc/applied-patches').split('\n').filter(Boolean) : []);
  const before = applied().length;
  await stackPush(openTree(d), { target: n === undefined ? { all: true } : { count: n }, quiet: true });
  expect(applied()).toHaveLength(n === undefined ? 3 : before + n);
}

describe('a run of pushes or pops is one transaction', () => {
  it("push -a: each patch sees the one before it, each .pc backup holds what that one left, and quilt pops it back", () => {
    const { d, states } = threeOnOneFile();
    const original = statSync(join(d, 'a.txt')).ino;
    const r = patchq(d, ['push', '-a']);
    expect(r.code, r.stderr).toBe(0);
    expect(read(d, 'a.txt')).toBe(states[3]);
    // The first backup is the original file itself (a hard link, no copy), alone now: the
    // tree file is a new one, so an edit in place of it cannot reach the backup.
    expect(statSync(join(d, '.pc/1.patch/a.txt'))).toMatchObject({ ino: original, nlink: 1 });
    expect(statSync(join(d, 'a.txt')).ino).not.toBe(original);
    expect(read(d, '.pc/1.patch/a.txt')).toBe(states[0]);
    expect(read(d, '.pc/2.patch/a.txt')).toBe(states[1]);
    expect(read(d, '.pc/3.patch/a.txt')).toBe(states[2]);
    expect(read(d, '.pc/applied-patches')).toBe('1.patch\n2.patch\n3.patch\n');
    expect(existsSync(join(d, '.pc/.patchq/tx'))).toBe(false);
    // quilt pops one at a time from the same .pc: every step is a state of the file.
    for (let i = 2; i >= 0; i--) {
      expect(quilt(d, ['pop']).code).toBe(0);
      expect(read(d, 'a.txt')).toBe(states[i]);
    }
  });

  it('push -a stops at a patch that fails or cannot be read: the ones before it are applied, it is not', () => {
    const { d, states } = threeOnOneFile();
    write(d, 'patches/3.patch', read(d, 'patches/3.patch').replace('-L3\n', '-not there\n'));
    const r = patchq(d, ['push', '-a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Patch 3.patch does not apply (enforce with -f)');
    expect(read(d, '.pc/applied-patches')).toBe('1.patch\n2.patch\n');
    expect(read(d, 'a.txt')).toBe(states[2]);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    write(d, 'patches/2.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -9,4 +9,5 @@\n l9\n');
    const bad = patchq(d, ['push', '-a']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/patches\/2\.patch/);
    expect(read(d, '.pc/applied-patches')).toBe('1.patch\n');
    expect(read(d, 'a.txt')).toBe(states[1]);
  });

  it('pop -a restores each file once, from the lowest backup, as its own file with a fresh mtime', async () => {
    const { d, states } = threeOnOneFile();
    await pushed(d);
    const before = Date.now();
    const pushedIno = statSync(join(d, '.pc/1.patch/a.txt')).ino;
    const r = patchq(d, ['pop', '-a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Removing patch 3.patch\nRestoring a.txt\n\nRemoving patch 2.patch\nRestoring a.txt\n\nRemoving patch 1.patch\nRestoring a.txt\n\nNo patches applied\n');
    expect(read(d, 'a.txt')).toBe(states[0]);
    const st = statSync(join(d, 'a.txt'));
    // The backup itself, moved by a hard link (no copy), and nothing else shares it now.
    expect(st.ino).toBe(pushedIno);
    expect(st.nlink).toBe(1);
    expect(st.mtimeMs).toBeGreaterThanOrEqual(before - 1000);
    expect(readdirSync(join(d, '.pc')).filter((e) => e.endsWith('.patch'))).toEqual([]);
  });

  it("a hard link the user made goes with the original file, as in quilt: into .pc on push, back on pop", () => {
    const { d, states } = threeOnOneFile();
    linkSync(join(d, 'a.txt'), join(d, 'twin.txt'));
    const ino = statSync(join(d, 'twin.txt')).ino;
    expect(patchq(d, ['push', '-a']).code).toBe(0);
    // The patched file is a file of its own; the backup is the original, still the twin.
    expect(statSync(join(d, 'a.txt')).nlink).toBe(1);
    expect(statSync(join(d, '.pc/1.patch/a.txt'))).toMatchObject({ ino, nlink: 2 });
    expect(read(d, 'twin.txt')).toBe(states[0]);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    expect(statSync(join(d, 'a.txt'))).toMatchObject({ ino, nlink: 2 });
    expect(read(d, 'a.txt')).toBe(states[0]);
  });

  it('pop -a stops at a patch that does not remove cleanly: the ones above it are popped', async () => {
    const { d, states } = threeOnOneFile();
    await pushed(d, 1);
    // An edit to 1.patch's file, not refreshed; the patches above go on top of it, so the
    // edit lives on in 2.patch's backup, where pop -a finds it on its way down.
    write(d, 'a.txt', states[1]!.replace('l20\n', 'edited\n'));
    await pushed(d);
    popAllStopsAtFirst(d, states[1]!.replace('l20\n', 'edited\n'));
  });

  it('pop tells a patch file edited since push by its size and mtime (no hash when the file was old), and checks such a patch the quilt way', () => {
    const d = tempDir();
    write(d, 'a.txt', 'one\ntwo\n');
    write(d, 'patches/p.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n');
    write(d, 'patches/series', 'p.diff\n');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(d, 'patches/p.diff'), hourAgo, hourAgo);
    expect(patchq(d, ['push']).code).toBe(0);
    const rec = JSON.parse(read(d, '.pc/.patchq/patch/p.diff.json')) as { patchStamp?: string; patchHash?: string };
    expect(rec.patchStamp).toMatch(/^\d+:/);
    expect(rec.patchHash).toBeUndefined();
    // Touched, same text: the stamp differs, the quilt-way check agrees, pop goes on.
    utimesSync(join(d, 'patches/p.diff'), new Date(), new Date());
    expect(patchq(d, ['pop']).code).toBe(0);
    expect(read(d, 'a.txt')).toBe('one\ntwo\n');
    utimesSync(join(d, 'patches/p.diff'), hourAgo, hourAgo);
    expect(patchq(d, ['push']).code).toBe(0);
    // Edited by hand: the tree is no longer what the patch makes, so pop refuses.
    write(d, 'patches/p.diff', read(d, 'patches/p.diff').replace('+TWO', '+Two'));
    const r = patchq(d, ['pop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Patch p.diff does not remove cleanly (refresh it or enforce with -f)\n');
    expect(read(d, 'a.txt')).toBe('one\nTWO\n');
  });

  it("records keep git's blob ids (the ones the engine checks index lines with); an older patchq's record (sha1s) is checked the quilt way, its empty files still kept", () => {
    const d = tempDir();
    write(d, 'a.txt', 'one\ntwo\n');
    write(d, 'e.txt', '');
    write(d, 'patches/p.diff', [
      '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n',
      '--- a/e.txt\n+++ b/e.txt\n@@ -0,0 +1 @@\n+now\n',
    ].join(''));
    write(d, 'patches/series', 'p.diff\n');
    expect(patchq(d, ['push']).code).toBe(0);
    const recPath = join(d, '.pc/.patchq/patch/p.diff.json');
    const rec = JSON.parse(read(d, '.pc/.patchq/patch/p.diff.json')) as Record<string, unknown> & { hashes: Record<string, string>; before: Record<string, string> };
    const hashObject = (rel: string) => spawnSync('git', ['hash-object', rel], { cwd: d, encoding: 'utf8' }).stdout.trim();
    expect(rec.ids).toBe('git');
    expect(rec.hashes['a.txt']).toBe(hashObject('a.txt'));
    expect(rec.before['a.txt']).toBe(hashObject('.pc/p.diff/a.txt'));
    expect(rec.emptyFiles).toEqual(['e.txt']);
    // The record as an older patchq wrote it: plain sha1s of the same texts, no `ids`.
    const plain = (text: string) => createHash('sha1').update(text, 'latin1').digest('hex');
    const { ids: _ids, ...old } = rec;
    writeFileSync(recPath, JSON.stringify({ ...old, hashes: { 'a.txt': plain('one\nTWO\n'), 'e.txt': plain('now\n') }, before: { 'a.txt': plain('one\ntwo\n'), 'e.txt': plain('') } }));
    // Compared as blob ids they would all differ and pop would refuse; quilt's rule passes.
    const r = patchq(d, ['pop']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(read(d, 'a.txt')).toBe('one\ntwo\n');
    expect(read(d, 'e.txt')).toBe('');
  });

  it("pop -a reads a backup again when its .timestamp is not the one patchq's push made (quilt popped and pushed it since)", async () => {
    const { d, states } = threeOnOneFile();
    await pushed(d);
    // quilt pops 3 and 2, 1.patch's file is edited and not refreshed, quilt pushes 2 and 3
    // over it: their backups hold the edit; patchq's records of 2 and 3 are of the old push.
    expect(quilt(d, ['pop', '2']).code).toBe(0);
    write(d, 'a.txt', states[1]!.replace('l20\n', 'edited\n'));
    expect(quilt(d, ['push', '-a']).code).toBe(0);
    popAllStopsAtFirst(d, states[1]!.replace('l20\n', 'edited\n'));
  });
});

describe('interop with the real quilt', () => {
  it("patchq pops a patch quilt popped and pushed again over an edited file: patchq's record of the old push is not taken for this one", () => {
    const d = tempDir();
    write(d, 'a.txt', numbered(10));
    write(d, 'patches/p.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n l1\n-l2\n+L2\n l3\n');
    write(d, 'patches/series', 'p.diff\n');
    expect(patchq(d, ['push']).code).toBe(0);
    expect(quilt(d, ['pop']).code).toBe(0);
    write(d, 'a.txt', numbered(10).replace('l9\n', 'nine\n')); // upstream moved on meanwhile
    expect(quilt(d, ['push']).code).toBe(0);
    const r = patchq(d, ['pop']);
    expect(r.code, r.stderr).toBe(0);
    expect(read(d, 'a.txt')).toBe(numbered(10).replace('l9\n', 'nine\n'));
    // And an edit after quilt's push is still caught, by quilt's own rule.
    expect(quilt(d, ['push']).code).toBe(0);
    write(d, 'a.txt', read(d, 'a.txt').replace('l5\n', 'five\n'));
    expect(patchq(d, ['pop']).code).toBe(1);
  });

  it('a stack pushed by patchq is popped by quilt to the pristine tree', () => {
    const d = onePopped();
    const pristine = snapshot(d);
    expect(patchq(d, ['push', '-a']).code).toBe(0);
    const q = quilt(d, ['pop', '-a']);
    expect(q.code).toBe(0);
    expect(snapshot(d)).toEqual(pristine);
  });

  it('a stack pushed by quilt is popped and refreshed by patchq', () => {
    const d = onePopped();
    const pristine = snapshot(d);
    expect(quilt(d, ['push', '-a']).code).toBe(0);
    write(d, 'a.txt', read(d, 'a.txt').replace('l9\n', 'L9\n'));
    expect(patchq(d, ['refresh']).stdout).toBe('Refreshed patch 01-a.patch\n');
    expect(read(d, 'patches/01-a.patch')).toContain('+L9');
    expect(patchq(d, ['pop']).code).toBe(0);
    const { ['patches/01-a.patch']: _p, ...tree } = snapshot(d);
    const { ['patches/01-a.patch']: _q, ...pristineTree } = pristine;
    expect(tree).toEqual(pristineTree);
  });

  it("keeps hard links as quilt does (quilt's nolink.test): add gives the tree its own copy, pop brings the link back", () => {
    const links = (d: string) => ['foo', '.pc/test.diff/foo', '.pc/test2.diff/foo'].map((f) => (existsSync(join(d, f)) ? statSync(join(d, f)).nlink : 0));
    const [p, q] = [tempDir(), tempDir()];
    const steps: Array<[string[], ((d: string) => void) | null]> = [
      [['new', 'test.diff'], null],
      [['add', 'foo'], null],
      [['refresh'], (d) => write(d, 'foo', 'foo changed\n')],
      [['new', 'test2.diff'], null],
      [['add', 'foo'], null],
      [['refresh'], (d) => write(d, 'foo', 'foo changed again\n')],
      [['pop', '-q'], null],
      [['pop', '-q'], null],
      [['push', '-q'], null],
    ];
    for (const d of [p, q]) {
      write(d, 'foo', 'foo\n');
      linkSync(join(d, 'foo'), join(d, 'foo2'));
    }
    for (const [args, before] of steps) {
      if (before) for (const d of [p, q]) before(d);
      const mtime = statSync(join(p, 'foo')).mtimeMs;
      const [a, b] = [patchq(p, args), quilt(q, args)];
      // add copies the file for the tree with its mtime (make sees nothing new).
      if (args[0] === 'add') expect(Math.abs(statSync(join(p, 'foo')).mtimeMs - mtime)).toBeLessThan(1);
      expect(a.code, `${args.join(' ')}: ${a.stderr}`).toBe(b.code);
      expect(links(p), args.join(' ')).toEqual(links(q));
      expect(read(p, 'foo2')).toBe(read(q, 'foo2'));
    }
  });

  it("refresh writes what quilt's refresh writes (timestamps aside)", () => {
    const mk = () => {
      const d = tempDir();
      write(d, 'src/a.c', numbered(30));
      write(d, 'gone.txt', 'bye\n');
      return d;
    };
    const [p, q] = [mk(), mk()];
    const edit = (d: string) => {
      write(d, 'src/a.c', numbered(30).replace('l5\n', 'L5\n').replace('l25\n', 'L25\nextra\n'));
      write(d, 'new file.txt', 'n\n');
    };
    patchq(p, ['new', 'x.patch']);
    patchq(p, ['add', 'src/a.c', 'new file.txt', 'gone.txt']);
    quilt(q, ['new', 'x.patch']);
    quilt(q, ['add', 'src/a.c', 'new file.txt', 'gone.txt']);
    edit(p);
    edit(q);
    for (const d of [p, q]) {
      // quilt cannot remove a file itself; both see the same deletion.
      write(d, 'gone.txt', '');
      expect(readdirSync(d)).toContain('gone.txt');
    }
    patchq(p, ['refresh']);
    quilt(q, ['refresh']);
    const norm = (t: string, d: string) =>
      t.replace(/\t\d{4}-\d\d-\d\d [\d:.]+ [+-]\d{4}/g, '\tSTAMP').split(d.split('/').pop()!).join('DIR');
    expect(norm(read(p, 'patches/x.patch'), p)).toBe(norm(read(q, 'patches/x.patch'), q));
  });
});

describe('patch names where one is a folder of the other (sub, sub/x.diff)', () => {
  it('new, import, rename, fork and refresh -z refuse them; push refuses such a pair from a hand-written series; nothing is lost', async () => {
    const d = tempDir();
    write(d, 'f.txt', 'orig\n');
    expect(patchq(d, ['new', 'sub/x.diff']).code).toBe(0);
    patchq(d, ['add', 'f.txt']);
    write(d, 'f.txt', 'changed\n');
    expect(patchq(d, ['refresh']).code).toBe(0);
    const refused = /Patch name '[^']+' invalid: patch sub\/x\.diff is in the series, and one name would be a folder of the other in \.pc\//;
    const ext = join(tempDir(), 'sub');
    writeFileSync(ext, '--- a/g.txt\n+++ b/g.txt\n@@ -0,0 +1 @@\n+g\n');
    for (const args of [['new', 'sub'], ['import', ext], ['refresh', '--fork=sub'], ['new', 'sub/x.diff/y']]) {
      const r = patchq(d, args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([1, expect.stringMatching(refused)]);
    }
    // fork renames the top patch: into its own folder is a usage error already.
    expect(patchq(d, ['fork', 'sub'])).toMatchObject({ code: 1, stderr: "Patch name 'sub' invalid: a patch cannot be renamed into its own path\n" });
    expect(read(d, 'patches/series')).toBe('sub/x.diff\n');
    // rename of another patch to the folder name
    expect(patchq(d, ['new', 'other.diff']).code).toBe(0);
    expect(patchq(d, ['rename', 'sub']).stderr).toMatch(refused);
    // A series written by hand with both: push refuses the second, the first's originals stay.
    await stackPop(openTree(d), { target: { all: true }, quiet: true });
    write(d, 'patches/series', 'sub/x.diff\nsub\n'); // (patches/sub is x.diff's folder)
    const p = patchq(d, ['push', '-a']);
    expect([p.code, p.stderr]).toEqual([1, 'Patch sub cannot be applied with patch sub/x.diff: one name is a folder of the other in .pc/; rename one of them\n']);
    expect(patchq(d, ['applied']).code).toBe(1); // 'No patches applied', as quilt
    expect(read(d, 'f.txt')).toBe('orig\n');
    expect(patchq(d, ['push']).code).toBe(0);
    expect(patchq(d, ['pop']).code).toBe(0);
    expect(read(d, 'f.txt')).toBe('orig\n');
  });
});

describe('a pop whose report cannot be written', () => {
  // The lines are written as the run goes (a screen, stdout); one that throws (EIO on a
  // terminal gone away) stops the run there, and what is written is whole patches only.
  it('a throw from a line partway through a patch leaves that patch applied, its files as they were', async () => {
    const d = tempDir();
    write(d, 'a.txt', 'one\n');
    write(d, 'b.txt', 'bee\n');
    write(d, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-bee\n+wasp\n');
    write(d, 'patches/q.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-two\n+three\n');
    write(d, 'patches/series', 'p.patch\nq.patch\n');
    // The tree for each applied list: a stack that says what the tree has.
    const tree = { 'p.patch\nq.patch\n': ['three\n', 'wasp\n'], 'p.patch\n': ['two\n', 'wasp\n'] } as Record<string, string[]>;
    await stackPush(openTree(d), { target: { all: true } });
    // q.patch's "Restoring a.txt" (its only file), p.patch's "Restoring a.txt" (its first), p.patch's "Restoring b.txt".
    for (const [bad, nth, left] of [['Restoring a.txt', 1, 'p.patch\nq.patch\n'], ['Restoring a.txt', 2, 'p.patch\n'], ['Restoring b.txt', 1, 'p.patch\n']] as const) {
      let seen = 0;
      const line = (l: string) => {
        if (l === bad && ++seen === nth) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      };
      await expect(stackPop(openTree(d), { target: { all: true } }, { line })).rejects.toThrow('EIO');
      expect(read(d, '.pc/applied-patches'), `${bad} #${nth}`).toBe(left);
      expect([read(d, 'a.txt'), read(d, 'b.txt')], `${bad} #${nth}`).toEqual(tree[left]);
      expect(patchq(d, ['pop', '-a']).code).toBe(0);
      expect([read(d, 'a.txt'), read(d, 'b.txt')]).toEqual(['one\n', 'bee\n']);
      // Both pushed again for the next case (in-process: only a start for it).
      await stackPush(openTree(d), { target: { all: true } });
      expect(read(d, '.pc/applied-patches')).toBe('p.patch\nq.patch\n');
    }
  });
});

describe('.pc as quilt leaves it', () => {
  it('push then pop -a leaves the .pc files quilt leaves (no applied-patches when nothing is applied)', () => {
    const make = () => {
      const d = tempDir();
      write(d, 'a.txt', 'one\n');
      write(d, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
      write(d, 'patches/series', 'p.patch\n');
      return d;
    };
    const pcFiles = (d: string) => Object.keys(snapshot(d, { withPc: true })).filter((k) => k.startsWith('.pc/') && k !== '.pc/.patchq' && !k.startsWith('.pc/.patchq/')).sort();
    const [byQuilt, byPatchq] = [make(), make()];
    for (const args of [['push'], ['pop', '-a']]) {
      expect(quilt(byQuilt, args).code).toBe(0);
      expect(patchq(byPatchq, args).code).toBe(0);
      expect(pcFiles(byPatchq), args.join(' ')).toEqual(pcFiles(byQuilt));
    }
    expect(existsSync(join(byPatchq, '.pc/applied-patches'))).toBe(false);
    // And either tool goes on from there.
    expect(quilt(byPatchq, ['push']).code).toBe(0);
    expect(patchq(byPatchq, ['pop']).code).toBe(0);
    expect(read(byPatchq, 'a.txt')).toBe('one\n');
  });
});
