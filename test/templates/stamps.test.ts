/**
 * A template patch last written WITH timestamps (`patchq refresh` under quilt's default
 * format, or quilt itself) is the same patch as its regeneration, which is made in memory
 * without them. reapply and regen must keep the file byte for byte (and its mtime) and say
 * it is unchanged; a real change is still regenerated. Otherwise every sync reports it
 * regenerated and rewrites it (churn in the fork's history, noise in the report).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sameExceptStamps } from '../../src/engine/index.js';
import { git, gitRepo, numbered, patchq, quilt, read, tempDir, write } from '../helpers/tree.js';

const TEMPLATE = 'name: rename-call\nversion: 1\nfiles:\n  include: ["src/*.txt"]\nrules:\n  - kind: literal\n    name: call\n    find: "oldcall("\n    replace: "newcall("\n';
const STAMPED = /^(---|\+\+\+) \S+\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4}$/m;

/** t.patch made from the template, then `patchq refresh`ed with quilt's default timestamps; committed, unapplied. */
function stampedFork(env: NodeJS.ProcessEnv): string {
  const d = gitRepo({ 'src/one.txt': numbered(20) + 'x = oldcall()\n' + numbered(20, 'm'), 'src/two.txt': numbered(10) + 'y = oldcall()\n' + numbered(10, 'm') }, { prefix: 'patchq-tplstamp-' });
  write(d, 'patches/templates/rename-call.yaml', TEMPLATE);
  write(d, '.gitignore', '.pc\n');
  expect(patchq(d, ['new', 't.patch', '--template', 'rename-call'], env).code).toBe(0);
  expect(read(d, 'patches/t.patch')).not.toMatch(STAMPED);
  const r = patchq(d, ['refresh'], env);
  expect([r.code, r.stdout]).toEqual([0, 'Refreshed patch t.patch\n']);
  expect(read(d, 'patches/t.patch')).toMatch(STAMPED);
  expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'the series');
  return d;
}

const mtime = (d: string): number => statSync(join(d, 'patches/t.patch')).mtimeMs;
const outcomes = (stdout: string): string[] => (JSON.parse(stdout) as { patches: Array<{ outcome: string }> }).patches.map((p) => p.outcome);

describe('a template patch written with timestamps', () => {
  it('reapply with nothing changed: unchanged (applied exactly), file bytes and mtime kept', () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-tplstamp-conf-') };
    const d = stampedFork(env);
    const [before, at] = [read(d, 'patches/t.patch'), mtime(d)];
    // An empty commit upstream: a sync with nothing for the rule to do differently.
    git(d, 'commit', '-q', '--allow-empty', '-m', 'v2: nothing for the rule');
    const j = patchq(d, ['reapply', '--json'], env);
    expect(j.code, j.stderr).toBe(0);
    expect(outcomes(j.stdout)).toEqual(['exact']);
    expect(read(d, 'patches/t.patch')).toBe(before);
    expect(mtime(d)).toBe(at);
    expect(git(d, 'status', '--porcelain', '--', 'patches')).toBe('');
    // The text report, on another run: nothing to review.
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    const r = patchq(d, ['reapply'], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('applied exactly');
    expect(r.stdout).not.toContain('regenerated');
    expect(read(d, 'patches/t.patch')).toBe(before);
    expect(mtime(d)).toBe(at);
    // regen says so too, and writes nothing.
    const g = patchq(d, ['regen', 't.patch', '--json'], env);
    expect(g.code, g.stderr).toBe(0);
    expect((JSON.parse(g.stdout) as { changed: boolean; patchDiff: string }).changed).toBe(false);
    expect(patchq(d, ['regen', 't.patch'], env).stdout).toMatch(/\nPatch t\.patch is unchanged \(template rename-call\)\n$/);
    expect(read(d, 'patches/t.patch')).toBe(before);
    expect(mtime(d)).toBe(at);
  });

  it('written by quilt 0.66 (its default format, with timestamps): reapply keeps it', () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-tplstamp-conf-') };
    const d = stampedFork(env);
    // quilt rewrites the patch (its Index: lines taken out first, so that it has something to write).
    expect(quilt(d, ['push', '-q']).code).toBe(0);
    write(d, 'patches/t.patch', read(d, 'patches/t.patch').replace(/^(Index:|====).*\n/gm, ''));
    const q = quilt(d, ['refresh']);
    expect([q.code, q.stdout]).toEqual([0, 'Refreshed patch t.patch\n']);
    expect(quilt(d, ['pop', '-aq']).code).toBe(0);
    const before = read(d, 'patches/t.patch');
    expect(before).toMatch(STAMPED);
    expect(before).toContain('Index: ');
    git(d, 'commit', '-qam', 'refreshed by quilt');
    const at = mtime(d);
    const j = patchq(d, ['reapply', '--json'], env);
    expect(j.code, j.stderr).toBe(0);
    expect(outcomes(j.stdout)).toEqual(['exact']);
    expect(read(d, 'patches/t.patch')).toBe(before);
    expect(mtime(d)).toBe(at);
  });

  it('reapply and regen with a real change: regenerated, as before (no timestamps)', () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-tplstamp-conf-') };
    const d = stampedFork(env);
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    git(d, 'commit', '-qam', 'v2: one more call');
    const j = patchq(d, ['reapply', '--json'], env);
    expect(j.code, j.stderr).toBe(0);
    expect(outcomes(j.stdout)).toEqual(['regenerated']);
    const text = read(d, 'patches/t.patch');
    expect(text).toContain('+z = newcall()\n');
    expect(text).not.toMatch(STAMPED);
    // regen on a stamped patch whose files changed below it.
    const r = patchq(d, ['refresh'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(read(d, 'patches/t.patch')).toMatch(STAMPED);
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    write(d, 'src/two.txt', read(d, 'src/two.txt').replace('m5\n', 'w = oldcall()\n'));
    const g = patchq(d, ['regen', 't.patch'], env);
    expect([g.code, g.stderr]).toEqual([0, '']);
    expect(g.stdout).toContain('Regenerated patch t.patch from template rename-call\n');
    expect(read(d, 'patches/t.patch')).toContain('+w = newcall()\n');
  });
});

describe('sameExceptStamps', () => {
  const body = (old: string, neu: string, extra = '') => `Patchq-Template: x\n\nIndex: d/f\n${'='.repeat(67)}\n--- ${old}\n+++ ${neu}\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n${extra}`;
  const ts = '\t2026-11-23 15:02:00.793108616 +0000';
  it('timestamps on the header lines only: the same', () => {
    expect(sameExceptStamps(body(`d.orig/f${ts}`, `d/f${ts}`), body('d.orig/f', 'd/f'))).toBe(true);
    expect(sameExceptStamps(body('d.orig/f\tMon Nov 23 15:02:00 2026', 'd/f'), body('d.orig/f', 'd/f'))).toBe(true);
    // diff -c's headers (refresh -c): *** and ---.
    const ctx = (s: string) => `*** d.orig/f${s}\n--- d/f${s}\n***************\n*** 1,2 ****\n  a\n! b\n--- 1,2 ----\n  a\n! c\n`;
    expect(sameExceptStamps(ctx(ts), ctx(''))).toBe(true);
    expect(sameExceptStamps(ctx(ts), ctx('').replace('! c', '! C'))).toBe(false);
  });
  it('anything else differing: not the same', () => {
    expect(sameExceptStamps(body(`d.orig/f${ts}`, `d/f${ts}`), body('d.orig/g', 'd/f'))).toBe(false);
    expect(sameExceptStamps(body(`d.orig/f${ts}`, `d/f${ts}`), body('d.orig/f', 'd/f', ' x\n'))).toBe(false);
    expect(sameExceptStamps(body(`d.orig/f${ts}`, `d/f${ts}`).replace('\n+c\n', '\n+C\n'), body('d.orig/f', 'd/f'))).toBe(false);
    expect(sameExceptStamps(body(`d.orig/f${ts}`, `d/f${ts}`).replace('Patchq-Template: x', 'Patchq-Template: y'), body('d.orig/f', 'd/f'))).toBe(false);
    expect(sameExceptStamps(body(`d.orig/f${ts}`, `d/f${ts}`).replace(/\n/g, '\r\n'), body('d.orig/f', 'd/f'))).toBe(false);
    // A hunk line that looks like a stamped header is content: "-- x\t<stamp>" removed.
    const hunk = (l: string) => `--- d.orig/f\n+++ d/f\n@@ -1,2 +1,1 @@\n a\n${l}\n`;
    expect(sameExceptStamps(hunk(`--- x${ts}`), hunk('--- x'))).toBe(false);
    // quilt's epoch stamp says the file is created: not the same as a change to an empty file.
    const made = (s: string) => `--- d.orig/f${s}\n+++ d/f${ts}\n@@ -0,0 +1,1 @@\n+a\n`;
    expect(sameExceptStamps(made('\t1970-01-01 00:00:00.000000000 +0000'), made(''))).toBe(false);
  });
});
