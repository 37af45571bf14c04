/**
 * What a person reads when reapply (or push -f --merge) stops at a hunk: each line names
 * where to look (the conflict markers' lines, or the .rej and the hunk's intended place)
 * and says each thing once.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemo } from '../../src/demo/build.js';
import { git, gitRepo, numbered, patchq, quilt, read, tempDir, write } from '../helpers/tree.js';

/** A fork of `files` with one git patch (fork.patch) made by `edit`, then upstream's commit `up`. */
function fork(files: Record<string, string>, edit: Record<string, string>, up: Record<string, string | null>): string {
  const d = gitRepo(files, { prefix: 'patchq-report-' });
  for (const [p, t] of Object.entries(edit)) write(d, p, t);
  write(d, 'patches/series', 'fork.patch\n');
  write(d, 'patches/fork.patch', 'The fork change.\n\n' + git(d, 'diff'));
  git(d, 'checkout', '--', '.');
  git(d, 'add', 'patches');
  git(d, 'commit', '-qm', 'series');
  for (const [p, t] of Object.entries(up)) {
    if (t === null) git(d, 'rm', '-q', p);
    else write(d, p, t);
  }
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'v2');
  return d;
}

/** 1-based lines of a text that start a conflict marker. */
const markerLines = (t: string, m: string) => t.split('\n').flatMap((l, i) => (l.startsWith(m) ? [i + 1] : []));

const v1 = numbered(30);
const forked = { 'a.txt': v1.replace('l10\n', 'FORK\n') };

describe('where a stopped hunk is', () => {
  it('names the lines of the conflict markers, not an upstream copy of the context', () => {
    // Upstream copies l7..l13 to the top and changes l10: the copy is where the context
    // matches best, the markers are written at l10.
    const copy = 'l7\nl8\nl9\nl10\nl11\nl12\nl13\n';
    const d = fork({ 'a.txt': v1 }, forked, { 'a.txt': copy + v1.replace('l10\n', 'UPSTREAM\n') });
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    const text = read(d, 'a.txt');
    const [from, to] = [markerLines(text, '<<<<<<< ')[0]!, markerLines(text, '>>>>>>> ')[0]!];
    expect([from, to]).toEqual([17, 21]);
    expect(r.stdout).toContain(`a.txt hunk 1: NOT MERGED at lines ${from}-${to} (conflict markers)`);
    // Why it is between markers: not only that its lines are not there, but that upstream changed them too.
    expect(r.stdout).toMatch(/a\.txt hunk 1: NOT MERGED .*; 3-way: upstream changed these lines too\n/);
    // The count says what the line says.
    expect(r.stdout).toContain('hunks: 1 not merged\n');
    expect(r.stdout).not.toMatch(/candidate/);
    expect(r.stdout).toContain("Stopped at fork.patch: resolve the conflict markers in a.txt. Then 'patchq reapply --continue'");
    expect(existsSync(join(d, 'a.txt.rej'))).toBe(false);
    expect(patchq(d, ['reapply', '--abort']).code).toBe(0);
    // push -f --merge says where, as GNU patch --merge does ("NOT MERGED at 17-21").
    const p = patchq(d, ['push', '-f', '--merge']);
    expect(p.stdout).toContain(`Hunk #1 NOT MERGED at ${from}-${to}.\n`);
  });

  it('push -f --merge says and writes what quilt push -f -m does: the markers, no .rej for the hunks they hold', () => {
    const up = 'new1\nnew2\nnew3\n' + v1.replace('l10\n', 'UPSTREAM\n');
    const q = fork({ 'a.txt': v1 }, forked, { 'a.txt': up });
    const quiltSays = quilt(q, ['push', '-f', '-m']);
    const d = fork({ 'a.txt': v1 }, forked, { 'a.txt': up });
    const ours = patchq(d, ['push', '-f', '--merge'], { QUILTRC: '-' });
    expect([ours.code, ours.stdout]).toEqual([quiltSays.code, quiltSays.stdout]);
    expect([existsSync(join(d, 'a.txt.rej')), existsSync(join(q, 'a.txt.rej'))]).toEqual([false, false]);
    expect(read(d, 'a.txt')).toBe(read(q, 'a.txt').replace(/^(<{7}|>{7})$/gm, (m) => `${m} ${m[0] === '<' ? 'ours' : 'theirs'}`));
  });

  it('push -f --merge names the markers as GNU patch --merge does', () => {
    const up = 'new1\nnew2\nnew3\n' + v1.replace('l10\n', 'UPSTREAM\n');
    const d = fork({ 'a.txt': v1 }, forked, { 'a.txt': up });
    const gnu = spawnSync('patch', ['--merge', '-p1', '-o', '-', '-i', 'patches/fork.patch'], { cwd: d, encoding: 'utf8' });
    const said = /Hunk #1 NOT MERGED at \d+-\d+\./.exec(gnu.stdout + gnu.stderr)?.[0];
    expect(said).toBe('Hunk #1 NOT MERGED at 13-17.');
    expect(patchq(d, ['push', '-f', '--merge']).stdout).toContain(`${said}\n`);
    const text = read(d, 'a.txt');
    expect([markerLines(text, '<<<<<<< ')[0], markerLines(text, '>>>>>>> ')[0]]).toEqual([13, 17]);
  });

  it('a hunk laid out as a .rej: its intended line and the .rej, and what to do with it', () => {
    // No index line: no base, so no merge; the hunk goes to a.txt.rej.
    const d = fork({ 'a.txt': v1 }, forked, { 'a.txt': v1.replace('l10\n', 'UPSTREAM\n') });
    write(d, 'patches/fork.patch', read(d, 'patches/fork.patch').replace(/^index .*\n/m, ''));
    git(d, 'commit', '-qam', 'no base');
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('a.txt hunk 1: FAILED at line 7 (rejects in a.txt.rej) - ');
    expect(r.stdout).toContain("Stopped at fork.patch: put the hunks of a.txt.rej into a.txt by hand (or drop them), then delete a.txt.rej. Then 'patchq reapply --continue'");
    // Resolved: the report no longer sends anyone to a .rej that is gone.
    write(d, 'a.txt', v1.replace('l10\n', 'UPSTREAM FORK\n'));
    spawnSync('rm', [`${d}/a.txt.rej`]);
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('a.txt hunk 1: did not apply; resolved by hand');
    expect(c.stdout).not.toContain('.rej');
    expect(c.stdout).toContain('1 was rewritten against the new upstream');
  });
});

describe('each thing said once', () => {
  it('a failed hunk\'s reason, a missing file', () => {
    const d = fork({ 'a.txt': v1, 'b.txt': v1 }, { ...forked, 'b.txt': v1.replace('l20\n', 'B\n') }, { 'a.txt': v1.replace('l10\n', 'UPSTREAM\n'), 'b.txt': null });
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const why = /hunk 1: .* - (.*)$/.exec(lines.find((l) => l.includes('a.txt hunk 1:'))!)![1]!;
    expect(r.stdout.split(why).length - 1).toBe(1);
    expect(lines.filter((l) => l.includes('b.txt')).map((l) => l.trim())).toEqual([
      'b.txt: not in the tree (deleted or renamed upstream); its 1 hunk(s) are in b.txt.rej',
      expect.stringContaining('put the hunks of b.txt.rej where they belong now by hand (or drop them), then delete b.txt.rej.'),
    ]);
  });
});

describe('reapply --check', () => {
  it("a template patch to be regenerated: its hunks' failures are the patch as it is, not what the run will leave", () => {
    const d = buildDemo(join(tempDir('patchq-report-'), 'fork')).root;
    const r = patchq(d, ['reapply', '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/01-pooling\.patch +would be regenerated\n.*\n +hunks: 7 exact, 1 offset, 2 failed \(the patch as it is; regenerating rewrites it\)\n/);
  });
});

/** A SQLite engine module the sqlalchemy-staticpool template rewrites. */
const dbModule = (n: string) =>
  `from sqlalchemy import create_engine\nfrom sqlalchemy.pool import NullPool\n\n${n}_engine = create_engine(\n    "sqlite:///${n}.db",\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False}\n)\n`;

describe('reapply --check, what it says it would do', () => {
  it("a template patch whose file upstream renamed: no .rej (the check writes none, and a regeneration makes none)", () => {
    const d = gitRepo({ 'database/a_db.py': dbModule('a'), 'database/b_db.py': dbModule('b') }, { prefix: 'patchq-report-' });
    expect(patchq(d, ['new', '01-pooling.patch', '--template', 'sqlalchemy-staticpool']).code).toBe(0);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    git(d, 'add', 'patches');
    git(d, 'commit', '-qm', 'series');
    git(d, 'mv', 'database/b_db.py', 'database/c_db.py');
    git(d, 'commit', '-qm', 'v2');
    const r = patchq(d, ['reapply', '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('database/b_db.py: not in the tree (deleted or renamed upstream); regenerating leaves it out: the patch covers the files its rule matches now\n');
    expect(r.stdout).not.toContain('.rej');
    expect(existsSync(join(d, 'database/b_db.py.rej'))).toBe(false);
    // The run does what the check said: regenerated, no .rej.
    const run = patchq(d, ['reapply']);
    expect([run.code, run.stdout]).toEqual([0, expect.stringContaining('now also covers database/c_db.py')]);
    expect(existsSync(join(d, 'database/b_db.py.rej'))).toBe(false);
  });

  it('a patch upstream already has: the run it names is one that drops it', () => {
    const d = buildDemo(join(tempDir('patchq-report-'), 'fork')).root;
    const r = patchq(d, ['reapply', '--check']);
    expect(r.stdout).toMatch(/04-user-typo\.patch +already upstream\n/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe("4 patch(es) would not apply exactly: run 'patchq reapply --drop-merged' to repair them (it drops the 1 upstream already has).");
    // As it says: the run goes through.
    expect(patchq(d, ['reapply', '--drop-merged']).code).toBe(0);
  });

  it('counts the patches it did not check apart from those that would not apply exactly', () => {
    const d = fork({ 'a.txt': v1, 'b.txt': v1 }, forked, { 'a.txt': v1.replace('l10\n', 'UPSTREAM\n') });
    write(d, 'patches/later.patch', '--- a/b.txt\n+++ b/b.txt\n@@ -4,3 +4,3 @@\n l4\n-l5\n+LATER\n l6\n');
    write(d, 'patches/series', 'fork.patch\nlater.patch\n');
    const r = patchq(d, ['reapply', '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/later\.patch +not reached\n/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe("1 patch(es) would not apply exactly, and 1 after fork.patch were not checked: run 'patchq reapply' to repair them.");
  });
});
