/**
 * reapply on series and trees as people leave them, through the built binary on real git
 * repositories: what it cannot finish is refused before it changes anything, with one line
 * naming the file and line; a -p0 entry works as push reads it; a stop is not continued
 * over hunks that are in no file; and work not yet refreshed is never called upstream's.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemo } from '../../src/demo/build.js';
import { builtOnceEach } from '../helpers/prepared.js';
import { CLI, git, numbered, patchq, read, snapshot, tempDir, write, gitRepo } from '../helpers/tree.js';

const P1 = '--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n l9\n-l10\n+FORK\n l11\n';
const P2 = '--- a/b.txt\n+++ b/b.txt\n@@ -19,3 +19,3 @@\n b19\n-b20\n+FORK2\n b21\n';

/**
 * v1 (a.txt, b.txt), the series p1 (a.txt) and p2 (b.txt), then v2: two lines added at the
 * top of a.txt. Built once for each series (7 git runs), each test gets a copy.
 */
const fork = (series = 'p1.patch\np2.patch\n'): string => builtFork(series).d;
const builtFork = builtOnceEach((series: string) => {
  const d = gitRepo({ 'a.txt': numbered(30), 'b.txt': numbered(30, 'b') }, { prefix: 'patchq-inputs-' });
  write(d, 'patches/series', series);
  write(d, 'patches/p1.patch', 'First.\n\n' + P1);
  write(d, 'patches/p2.patch', 'Second.\n\n' + P2);
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'series');
  write(d, 'a.txt', 'top 1\ntop 2\n' + numbered(30));
  git(d, 'commit', '-qam', 'v2');
  return { d };
}, 'patchq-inputs-');

/** Refused with exactly this stderr, exit 1, and not a byte changed (.pc included). */
function refused(d: string, stderr: string, args = ['reapply']): void {
  const before = snapshot(d, { withPc: true });
  const r = patchq(d, args);
  expect([r.code, r.stderr]).toEqual([1, stderr]);
  expect(snapshot(d, { withPc: true })).toEqual(before);
}

describe('refused before the run changes anything', () => {
  it('a patch listed in the series but missing on disk', () => {
    const d = fork();
    write(d, 'patches/series', 'p1.patch\np3.patch\np2.patch\n');
    refused(d, 'patches/series:2: patch p3.patch does not exist (patches/p3.patch)\n');
    // Also with patches applied from before the pull (they are not popped first).
    expect(patchq(d, ['push']).code).toBe(0);
    refused(d, 'patches/series:2: patch p3.patch does not exist (patches/p3.patch)\n');
  });

  it('a .rej left from earlier work beside a file of the series (a stop would overwrite it, --abort delete it)', () => {
    const d = fork();
    write(d, 'b.txt.rej', 'my notes from an old merge\n');
    refused(d, "patches/series:2: b.txt.rej is there from earlier work, and a patch that stops on b.txt writes its rejects there: move it away (or delete it) first\n");
    rmSync(join(d, 'b.txt.rej'));
    write(d, 'other.txt.rej', 'not beside a file of the series\n');
    expect(patchq(d, ['reapply']).code).toBe(0);
    expect(read(d, 'other.txt.rej')).toBe('not beside a file of the series\n');
  });

  it('a series option patchq cannot honour (GNU patch would have been given it); --check names it', () => {
    const d = fork('p1.patch\np2.patch -d sub\n');
    refused(d, "patches/series:2: option '-d' of p2.patch is not one patchq can honour (it reads -pN, -R and GNU patch's options that change nothing here)\n");
    const r = patchq(d, ['reapply', '--check']);
    expect(r.stdout).toContain("series option '-d' is not one patchq can honour");
  });

  it('a patch listed twice', () => {
    const d = fork('p1.patch\np2.patch\n\np1.patch\n');
    refused(d, 'patches/series:4: patch p1.patch is listed twice (also at line 1); reapply puts each patch back once: remove one of the lines\n');
  });

  it('a patch that is not a patch past its first lines', () => {
    const d = fork();
    write(d, 'patches/p2.patch', P2.replace('@@ -19,3 +19,3 @@', '@@ -19,3 +19,9 @@'));
    const r = patchq(d, ['reapply']);
    expect(r.stderr).toMatch(/^patches\/p2\.patch:\d+: hunk/);
    refused(d, r.stderr);
  });

  it('a template patch whose template is nowhere', () => {
    const d = fork();
    write(d, 'patches/p2.patch', 'Patchq-Template: no-such-template\nPatchq-Template-Params: \n\n' + P2);
    const r = patchq(d, ['reapply']);
    expect(r.stderr).toMatch(/^patches\/p2\.patch:1: no template named 'no-such-template' \(looked in /);
    refused(d, r.stderr);
  });
});

describe('a -p0 entry', () => {
  it('is read with its -p, stops at its conflict, and --continue waits until the .rej is dealt with', () => {
    const d = gitRepo({ 'a.txt': numbered(30) }, { prefix: 'patchq-inputs-' });
    write(d, 'patches/series', 'p.patch -p0\n');
    write(d, 'patches/p.patch', '--- a.txt\n+++ a.txt\n@@ -9,3 +9,3 @@\n l9\n-l10\n+FORK\n l11\n');
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'series');
    write(d, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM\n'));
    git(d, 'commit', '-qam', 'v2');
    const r = patchq(d, ['reapply']);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toMatch(/p\.patch +NEEDS A PERSON/);
    expect(read(d, 'a.txt.rej')).toContain('+FORK');
    // Continuing at once would refresh the patch without its hunk and delete the .rej.
    refused(d, 'a.txt.rej: the hunks that did not apply are still here: put them into a.txt by hand (or decide to drop them), delete this file, then continue\n', ['reapply', '--continue']);
    write(d, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM AND FORK\n'));
    rmSync(join(d, 'a.txt.rej'));
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code, c.stderr).toBe(0);
    expect(read(d, 'patches/p.patch')).toMatch(/^\+\+\+ a\.txt\t/m);
    expect(read(d, 'patches/p.patch')).toContain('+UPSTREAM AND FORK\n');
    expect(read(d, 'patches/series')).toBe('p.patch -p0\n');
  });

  it('with merge markers: --continue finds them in the -p0 patch\'s file', () => {
    const d = gitRepo({ 'a.txt': numbered(30) }, { prefix: 'patchq-inputs-' });
    const blob = git(d, 'rev-parse', 'HEAD:a.txt').trim();
    write(d, 'patches/series', 'p.patch -p0\n');
    write(d, 'patches/p.patch', `diff --git a.txt a.txt\nindex ${blob}..1111111 100644\n--- a.txt\n+++ a.txt\n@@ -9,3 +9,3 @@\n l9\n-l10\n+FORK\n l11\n`);
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'series');
    write(d, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM\n'));
    git(d, 'commit', '-qam', 'v2');
    expect(patchq(d, ['reapply']).code).toBe(1);
    expect(read(d, 'a.txt')).toMatch(/^<<<<<<< /m);
    // file:line of the first marker: where to look.
    refused(d, 'a.txt:10: conflict markers remain in a.txt; resolve them, then continue\n', ['reapply', '--continue']);
    // The hunk is between the markers: no .rej repeats it (GNU patch --merge writes none).
    expect(existsSync(join(d, 'a.txt.rej'))).toBe(false);
    write(d, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM AND FORK\n'));
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code, c.stderr).toBe(0);
    expect(existsSync(join(d, 'a.txt.rej'))).toBe(false);
    expect(read(d, 'patches/p.patch')).toContain('+UPSTREAM AND FORK\n');
  });
});

describe('patches still applied when reapply starts', () => {
  it('with unrefreshed work in a patch\'s file: refused, nothing changed, and the advice keeps the work', () => {
    const d = fork();
    git(d, 'reset', '-q', '--hard', 'HEAD~1'); // no pull at all
    expect(patchq(d, ['push', '-a']).code).toBe(0);
    write(d, 'b.txt', read(d, 'b.txt').replace('b25\n', 'MY UNSAVED WORK\n'));
    const r = patchq(d, ['reapply']);
    expect(r.stderr).not.toMatch(/upstream changed|git checkout/);
    refused(
      d,
      "reapply starts by popping the 2 applied patch(es), and pop refused: Patch p2.patch does not remove cleanly (refresh it or enforce with -f). Nothing was changed. If the changes in p2.patch's files are work to keep, 'patchq refresh' it (see them with 'patchq diff -z'); if they are not, 'patchq pop -a -f' drops them. Then run reapply again.\n",
    );
    expect(read(d, 'b.txt')).toContain('MY UNSAVED WORK\n');
    // Refreshed, the work is part of p2 and reapply goes on.
    expect(patchq(d, ['refresh']).code).toBe(0);
    expect(patchq(d, ['reapply']).code).toBe(0);
    expect(read(d, 'patches/p2.patch')).toContain('+MY UNSAVED WORK');
  });

  it('while another patchq holds the lock: its words, not a story about upstream', () => {
    const d = fork();
    expect(patchq(d, ['push', '-a']).code).toBe(0);
    // A live process of ours as the lock's owner (pid and start time, as a lock holds them).
    const stat = read('/proc', `${process.pid}/stat`);
    write(d, '.pc/.patchq/lock', `${process.pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}\n`);
    const r = patchq(d, ['reapply']);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/^another patchq \(pid \d+\) is working on this tree; wait for it to finish \(lock: .*\)\n$/)]);
    expect(patchq(d, ['applied']).stdout).toBe('p1.patch\np2.patch\n');
    // (spare: the pool of spare inodes the push left, src/stack/spares.ts; never state.)
    expect(readdirSync(join(d, '.pc/.patchq')).filter((n) => n !== 'spare').sort()).toEqual(['lock', 'patch']);
  });
});

describe('--check and the run agree', () => {
  it('on the demo fork, patch by patch: a 3-way landing that merges into what upstream has is "already upstream" for both', () => {
    const d = buildDemo(join(tempDir('patchq-inputs-'), 'fork')).root;
    const check = patchq(d, ['reapply', '--check', '--json']);
    const run = patchq(d, ['reapply', '--json']);
    const outcomes = (r: { stdout: string }) => (JSON.parse(r.stdout) as { patches: Array<{ outcome: string }> }).patches.map((p) => p.outcome);
    expect([check.code, run.code]).toEqual([1, 1]);
    expect(outcomes(run)).toEqual(['regenerated', 'refreshed', 'refreshed', 'merged-upstream']);
    expect(outcomes(check)).toEqual(['would-regenerate', 'would-refresh', 'would-refresh', 'merged-upstream']);
  });

  it('with the series applied: the applied patches are checked too (popped in memory), nothing written', () => {
    const d = fork();
    expect(patchq(d, ['push', '-a']).code).toBe(0); // p1 lands 2 lines down, not refreshed
    const before = snapshot(d, { withPc: true });
    const check = patchq(d, ['reapply', '--check', '--json']);
    const run = patchq(d, ['reapply', '--check']);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(check.code).toBe(1);
    expect((JSON.parse(check.stdout) as { patches: Array<{ name: string; outcome: string }> }).patches.map((p) => [p.name, p.outcome])).toEqual([
      ['p1.patch', 'would-refresh'],
      ['p2.patch', 'exact'],
    ]);
    expect(run.stdout).toMatch(/2 patch\(es\) checked/);
    // Refreshed, every patch is exact again.
    expect(patchq(d, ['refresh', 'p1.patch']).code).toBe(0);
    expect(patchq(d, ['reapply', '--check']).code).toBe(0);
  });
});

describe('another patchq while a run goes on', () => {
  it('is refused from the run\'s first step to its last (here: while a template\'s generator runs)', async () => {
    const d = fork();
    const marker = join(tempDir('patchq-inputs-'), 'started');
    write(d, 'patches/templates/slow.yaml', `name: slow\nversion: 1\nfiles:\n  include: ["b.txt"]\ngenerator:\n  command: [sh, -c, "touch ${marker}; sleep 2; sed -i s/^b5$/GEN/ b.txt"]\n`);
    write(d, 'patches/t.patch', 'Patchq-Template: slow\nPatchq-Template-Params: \n\n--- a/b.txt\n+++ b/b.txt\n@@ -4,3 +4,3 @@\n b4\n-b5\n+GEN\n b6\n');
    write(d, 'patches/series', 'p1.patch\nt.patch\np2.patch\n');
    const child = spawn(process.execPath, [CLI, 'reapply'], { cwd: d, env: { ...process.env, NO_COLOR: '1', PATCHQ_CONFIG_DIR: join(tempDir('patchq-inputs-'), 'config') } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const done = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    while (!existsSync(marker)) await new Promise((res) => setTimeout(res, 20));
    // p1.patch is pushed and refreshed; the run is regenerating t.patch.
    const pop = patchq(d, ['pop', '-a']);
    expect([pop.code, pop.stderr]).toEqual([1, expect.stringMatching(/^another patchq \(pid \d+\) is working on this tree/)]);
    expect(await done).toBe(0);
    expect(out).toMatch(/All 3 patch\(es\) are back/);
    expect(patchq(d, ['applied']).stdout).toBe('p1.patch\nt.patch\np2.patch\n');
  }, 20_000);
});

describe('the report of a run', () => {
  it('names the patches a stop left unreached, and after --continue --drop-merged says the patch was dropped (text and markdown)', () => {
    const d = fork('p1.patch\np2.patch\np3.patch\n');
    // p2's change is upstream's too: the run stops there; p3 (c.txt) is not reached.
    write(d, 'c.txt', numbered(10, 'c'));
    write(d, 'patches/p3.patch', '--- a/c.txt\n+++ b/c.txt\n@@ -1,2 +1,2 @@\n-c1\n+FORK3\n c2\n');
    write(d, 'b.txt', numbered(30, 'b').replace('b20\n', 'FORK2\n'));
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'v3: upstream takes p2');
    const r = patchq(d, ['reapply', '--json', '--markdown', 'r.md']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { patches: Array<{ name: string; outcome: string; reason?: string }> }).patches).toEqual([
      expect.objectContaining({ name: 'p1.patch', outcome: 'refreshed' }),
      expect.objectContaining({ name: 'p2.patch', outcome: 'merged-upstream' }),
      expect.objectContaining({ name: 'p3.patch', outcome: 'not-run', reason: 'not reached: the run stopped at p2.patch' }),
    ]);
    const md = read(d, 'r.md');
    expect(md).toContain('| `p3.patch` | not reached | - | not reached: the run stopped at p2.patch |');
    // The markdown (a CI summary, a PR body) ends with what to do, as the text does.
    expect(md).toContain("\nStopped at p2.patch: upstream already has it. Drop it with 'patchq reapply --continue --drop-merged'");
    // A patch upstream took is not reported hunk by hunk (its hunks did not land).
    expect(md).toMatch(/^\| `p2\.patch` \| already upstream \| - \|/m);
    const c = patchq(d, ['reapply', '--continue', '--drop-merged', '--markdown', 'r.md']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/p2\.patch +dropped \(already upstream\)\n +upstream already has this change; removed from the series\n/);
    expect(c.stdout).not.toContain('drop it with');
    expect(read(d, 'r.md')).toContain('| `p2.patch` | dropped (already upstream) | - | upstream already has this change; removed from the series |');
  });
});

describe('a run stopped at a patch upstream already has', () => {
  it("taken out with 'patchq delete', as the report offers: --continue goes on (it had no way on but --abort)", () => {
    const d = fork();
    write(d, 'b.txt', numbered(30, 'b').replace('b20\n', 'FORK2\n'));
    git(d, 'commit', '-qam', 'v3: upstream takes p2');
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    // The way out is said once, in the stop line, with the step after a delete.
    expect(r.stdout).toContain("Stopped at p2.patch: upstream already has it. Drop it with 'patchq reapply --continue --drop-merged' (or 'patchq delete p2.patch', then 'patchq reapply --continue'); or roll back with 'patchq reapply --abort'.\n");
    expect(r.stdout.match(/--drop-merged/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/p2\.patch +already upstream\n +upstream already has this change\n/);
    expect(patchq(d, ['delete', 'p2.patch']).code).toBe(0);
    const c = patchq(d, ['reapply', '--continue', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect((JSON.parse(c.stdout) as { patches: Array<{ name: string; outcome: string }> }).patches.map((p) => [p.name, p.outcome])).toEqual([
      ['p1.patch', 'refreshed'],
      ['p2.patch', 'dropped'],
    ]);
    expect(read(d, 'patches/series')).toBe('p1.patch\n');
  });
});

describe('upstream renamed a file a patch changes', () => {
  it('the run stops with the hunks in a .rej at the old name, and --continue waits for it (it refreshed them out of the patch)', () => {
    const d = fork();
    git(d, 'mv', 'b.txt', 'moved.txt');
    git(d, 'commit', '-qm', 'v3: b.txt is moved.txt now');
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/p2\.patch +NEEDS A PERSON/);
    expect(read(d, 'b.txt.rej')).toBe('--- b.txt\n+++ b.txt\n@@ -19,3 +19,3 @@\n b19\n-b20\n+FORK2\n b21\n');
    expect(patchq(d, ['reapply', '--continue'])).toMatchObject({ code: 1, stderr: 'b.txt.rej: the hunks that did not apply are still here: put them into b.txt by hand (or decide to drop them), delete this file, then continue\n' });
    // The person ports the change: p2 now changes moved.txt.
    expect(patchq(d, ['add', 'moved.txt']).code).toBe(0);
    write(d, 'moved.txt', read(d, 'moved.txt').replace('b20\n', 'FORK2\n'));
    rmSync(join(d, 'b.txt.rej'));
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code, c.stderr).toBe(0);
    expect(read(d, 'patches/p2.patch')).toMatch(/^\+\+\+ .*moved\.txt/m);
    expect(read(d, 'patches/p2.patch')).toContain('+FORK2\n');
    // --abort after such a stop removes the .rej it wrote.
    const e = fork();
    git(e, 'mv', 'b.txt', 'moved.txt');
    git(e, 'commit', '-qm', 'v3');
    expect(patchq(e, ['reapply']).code).toBe(1);
    expect(patchq(e, ['reapply', '--abort']).code).toBe(0);
    expect(existsSync(join(e, 'b.txt.rej'))).toBe(false);
  });
});
