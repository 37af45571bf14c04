/**
 * --continue after a person put a file back by hand while resolving a conflict
 * (`git checkout -- database/x.py`): the change a LOWER, already applied patch made to that
 * file went with it. Continuing refreshed the stopped patch over it (the lower change undone
 * inside it) or left the tree without it, and the report said every patch was back. It
 * refuses now, naming the file and the patch whose change is gone, and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { git, numbered, patchq, read, snapshot, upstreamAndFork, write } from '../helpers/tree.js';

const X = numbered(30);
const Y = numbered(30, 'y');

/** A quilt-format patch of `file` (-p1) changing line `at` (1-based) from `from` to `to`. */
function patchOf(file: string, text: string, at: number, to: string): string {
  const lines = text.split('\n').slice(0, -1);
  const lo = Math.max(1, at - 3);
  const hi = Math.min(lines.length, at + 3);
  const body = lines.slice(lo - 1, hi).map((l, i) => (lo + i === at ? `-${l}\n+${to}\n` : ` ${l}\n`)).join('');
  return `Index: fork/${file}\n${'='.repeat(67)}\n--- fork.orig/${file}\n+++ fork/${file}\n@@ -${lo},${hi - lo + 1} +${lo},${hi - lo + 1} @@\n${body}`;
}

/**
 * a.patch changes database/x.py line 5; b.patch changes line 20 of `bFile`. Upstream then
 * changes line 20 of `bFile` itself: the run puts a.patch back exactly and stops at b.patch
 * with merge markers in `bFile`.
 */
function stopped(bFile: string): string {
  const files = { 'database/x.py': X, 'database/y.py': Y };
  const bText = files[bFile as keyof typeof files];
  const { up, d } = upstreamAndFork(files, {
    '.gitignore': '.pc\n',
    'patches/series': 'a.patch\nb.patch\n',
    'patches/a.patch': patchOf('database/x.py', X, 5, 'FORK-A'),
    'patches/b.patch': patchOf(bFile, bText, 20, 'FORK-B'),
  }, 'patchq-contlow-');
  write(up, bFile, bText.replace(/^(l|y)20$/m, 'UPSTREAM'));
  git(up, 'commit', '-qam', 'v2');
  git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
  const r = patchq(d, ['reapply']);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('b.patch');
  expect(patchq(d, ['applied']).stdout).toBe('a.patch\nb.patch\n');
  expect(read(d, bFile)).toMatch(/^<{7} /m);
  return d;
}

describe('reapply --continue when a lower patch\'s change was put back by hand', () => {
  it('the stopped patch\'s own file, checked out and redone: refuses naming the file and the patch, nothing changed; continues once the change is back', () => {
    const d = stopped('database/x.py');
    // Start over from upstream's file, redo b.patch's change only: a.patch's line 5 is gone.
    git(d, 'checkout', '--', 'database/x.py');
    write(d, 'database/x.py', read(d, 'database/x.py').replace('UPSTREAM\n', 'FORK-B\n'));
    const before = snapshot(d, { withPc: true });
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/database\/x\.py no longer has the change of a\.patch/);
    expect(c.stderr).toContain('reapply --abort');
    expect(c.stderr.trim().split("\n")).toHaveLength(1);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // a.patch's change put back: the run goes on, and each patch holds its own change only.
    write(d, 'database/x.py', read(d, 'database/x.py').replace('l5\n', 'FORK-A\n'));
    const ok = patchq(d, ['reapply', '--continue']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(read(d, 'patches/b.patch')).not.toContain('FORK-A');
    expect(read(d, 'patches/b.patch')).toContain('+FORK-B');
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    expect(read(d, 'database/x.py')).toBe(X.replace('l20\n', 'UPSTREAM\n'));
  });

  it('a file only the lower patch changes, put back or edited: refuses, names it', () => {
    const d = stopped('database/y.py');
    write(d, 'database/y.py', read(d, 'database/y.py').replace(/<{7} [^]*?>{7} [^\n]*\n/, 'FORK-B\n'));
    git(d, 'checkout', '--', 'database/x.py');
    const before = snapshot(d, { withPc: true });
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/database\/x\.py no longer has the change of a\.patch/);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // Edited there by hand (not put back): named too, as not what the patches below left.
    write(d, 'database/x.py', X.replace('l5\n', 'FORK-A\n').replace('l9\n', 'HAND\n'));
    const e = patchq(d, ['reapply', '--continue']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/database\/x\.py is not as a\.patch left it/);
    expect(read(d, 'database/x.py')).toContain('HAND');
    write(d, 'database/x.py', X.replace('l5\n', 'FORK-A\n'));
    const ok = patchq(d, ['reapply', '--continue']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
  });

  it("a file put back, then added to the stopped patch: its original (.pc) lacks the lower change, refused", () => {
    const d = stopped('database/y.py');
    write(d, 'database/y.py', read(d, 'database/y.py').replace(/<{7} [^]*?>{7} [^\n]*\n/, 'FORK-B\n'));
    git(d, 'checkout', '--', 'database/x.py');
    expect(patchq(d, ['add', 'database/x.py']).code).toBe(0);
    write(d, 'database/x.py', read(d, 'database/x.py').replace('l25\n', 'ALSO-B\n'));
    const before = snapshot(d, { withPc: true });
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/b\.patch's original of database\/x\.py \(in \.pc, from 'patchq add'\?\) no longer has the change of a\.patch/);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });

  it('a conflict resolved properly continues as before', () => {
    const d = stopped('database/x.py');
    write(d, 'database/x.py', read(d, 'database/x.py').replace(/<{7} [^]*?>{7} [^\n]*\n/, 'FORK-B\n'));
    const ok = patchq(d, ['reapply', '--continue']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(read(d, 'database/x.py')).toBe(X.replace('l5\n', 'FORK-A\n').replace('l20\n', 'FORK-B\n'));
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
  });
});
