/**
 * `patchq new -p 0|ab NAME --template T` honours -p as plain `patchq new -p` and quilt's
 * `new -p` do: the series entry (`NAME -p0`, `NAME -pab`) and the labels written for it (as
 * refresh writes them for that entry). It used to write NAME (-p1) and quilt's labels
 * whatever -p said. Compared with real quilt 0.66's `new -p` for the series entry.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, numbered, patchq, quilt, read, tempDir, write } from '../helpers/tree.js';

const TEMPLATE = 'name: rename-call\nversion: 1\nfiles:\n  include: ["src/*.txt"]\nrules:\n  - kind: literal\n    name: call\n    find: "oldcall("\n    replace: "newcall("\n';
const FILES = { 'src/one.txt': numbered(20) + 'x = oldcall()\n' + numbered(20, 'm') };

function repo(): string {
  const d = gitRepo(FILES, { prefix: 'patchq-tpllevel-' });
  write(d, 'patches/templates/rename-call.yaml', TEMPLATE);
  return d;
}

/** What quilt's `new -p LEVEL` writes in the series. */
function quiltSeries(level: string): string {
  const q = tempDir('patchq-tpllevel-quilt-');
  write(q, 'src/one.txt', FILES['src/one.txt']);
  expect(quilt(q, ['new', '-p', level, 't.patch']).code).toBe(0);
  return read(q, 'patches/series');
}

describe('new --template honours -p', () => {
  const env = () => ({ PATCHQ_CONFIG_DIR: tempDir('patchq-tpllevel-conf-'), QUILT_NO_DIFF_TIMESTAMPS: '1' });

  it.each([
    ['0', 't.patch -p0\n', '--- src/one.txt.orig\n+++ src/one.txt\n'],
    ['ab', 't.patch -pab\n', '--- a/src/one.txt\n+++ b/src/one.txt\n'],
  ])('-p %s: the series entry quilt new -p writes, labels for it', (level, series, labels) => {
    const e = env();
    const d = repo();
    const r = patchq(d, ['new', '-p', level, 't.patch', '--template', 'rename-call'], e);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(read(d, 'patches/series')).toBe(series);
    expect(quiltSeries(level)).toBe(series);
    // The same as plain `patchq new -p` writes.
    const plain = repo();
    expect(patchq(plain, ['new', '-p', level, 't.patch'], e).code).toBe(0);
    expect(read(plain, 'patches/series')).toBe(series);
    const text = read(d, 'patches/t.patch');
    expect(text).toContain(labels);
    expect(text).toContain('+x = newcall()\n');
    expect(read(d, 'src/one.txt')).toContain('x = newcall()\n');
    // What refresh writes for that entry: nothing to change in the patch.
    const f = patchq(d, ['refresh'], e);
    expect([f.code, f.stdout]).toEqual([0, 'Patch t.patch is unchanged\n']);
    expect(read(d, 'patches/t.patch')).toBe(text);
    // quilt reads it back with that entry.
    expect(patchq(d, ['pop', '-a'], e).code).toBe(0);
    const q = quilt(d, ['push']);
    expect([q.code, q.stderr]).toEqual([0, '']);
    expect(read(d, 'src/one.txt')).toContain('x = newcall()\n');
  });

  it('-p 1 (or none): a plain entry and quilt labels, as before', () => {
    const e = env();
    const d = repo();
    expect(patchq(d, ['new', '-p', '1', 't.patch', '--template', 'rename-call'], e).code).toBe(0);
    expect(read(d, 'patches/series')).toBe('t.patch\n');
    expect(quiltSeries('1')).toBe('t.patch\n');
    expect(read(d, 'patches/t.patch')).toContain(`--- ${basename(d)}.orig/src/one.txt\n+++ ${basename(d)}/src/one.txt\n`);
  });

  it('-p 2: refused as plain new refuses it, nothing written', () => {
    const d = repo();
    const r = patchq(d, ['new', '-p', '2', 't.patch', '--template', 'rename-call'], env());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Cannot create patches with -p2');
    expect(git(d, 'status', '--porcelain', '--', 'patches/series', 'patches/t.patch', 'src')).toBe('');
  });

  it('-p ab: reapply regenerates it with the entry and its a/ b/ labels kept', () => {
    const e = env();
    const d = repo();
    write(d, '.gitignore', '.pc\n');
    expect(patchq(d, ['new', '-p', 'ab', 't.patch', '--template', 'rename-call'], e).code).toBe(0);
    expect(patchq(d, ['pop', '-a'], e).code).toBe(0);
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'the series');
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    git(d, 'commit', '-qam', 'v2');
    const r = patchq(d, ['reapply', '--json'], e);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { patches: Array<{ outcome: string }> }).patches.map((p) => p.outcome)).toEqual(['regenerated']);
    expect(read(d, 'patches/series')).toBe('t.patch -pab\n');
    const text = read(d, 'patches/t.patch');
    expect(text).toContain('+z = newcall()\n');
    expect(text).toContain('--- a/src/one.txt\n+++ b/src/one.txt\n');
  });
});
