/**
 * End to end through the real parser: makeFileDiff -> parsePatch -> applyFilePatch, and
 * patches written by real `git diff` / `diff -u` applied by patchq and by GNU patch.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, applyPatch, formatFileReport, makeFileDiff, parsePatch } from '../../src/engine/index.js';
import { git, gnuPatch, readLatin1, seq, tmp, writeTree } from './apply-helpers.js';

const line = fc.tuple(fc.constantFrom('a', 'b', 'c', 'x = 1', '    y', ''), fc.constantFrom('\n', '\n', '\r\n')).map(([t, e]) => t + e);
const text = fc.tuple(fc.array(line, { maxLength: 25 }), fc.option(fc.constantFrom('z', 'tail'), { nil: undefined }))
  .map(([ls, last]) => ls.join('') + (last ?? ''));
const maybe = fc.option(text, { nil: null, freq: 6 });

describe('makeFileDiff -> parsePatch -> applyFilePatch', () => {
  it('round-trips random texts, including creation, deletion, CRLF and no final newline', () => {
    fc.assert(
      fc.property(maybe, maybe, fc.constantFrom('git' as const, 'quilt' as const), (a, b, style) => {
        fc.pre(a !== b && !(a === null && b === '') && !(a === '' && b === null));
        const diff = makeFileDiff(a, b, {
          oldPath: 'd/f.txt', newPath: 'd/f.txt', style, indexLine: true,
          ...(style === 'quilt' ? { oldLabel: 'q.orig/d/f.txt', newLabel: 'q/d/f.txt', oldTime: '2026-01-01 00:00:00.000000000 +0000' } : {}),
        });
        const patch = parsePatch(diff, { fileName: 'x.patch', strip: 1 });
        expect(patch.files).toHaveLength(1);
        const f = patch.files[0]!;
        const r = applyFilePatch(f, { text: a, base: a });
        expect(r.report.status).toBe('ok');
        expect(r.text).toBe(b);
        expect(applyFilePatch(f, { text: b, base: b }, { reverse: true }).text).toBe(a);
      }),
      { numRuns: 200 },
    );
  });
});

describe('patches written by real tools', () => {
  it('a `git diff` of several files applies like GNU patch, and a failing file fails the whole report', () => {
    const dir = tmp();
    const files = { 'database/users.py': 'from x import NullPool\n' + seq(1, 12) + 'poolclass=NullPool\n' + seq(13, 20), 'README': 'hello\n' };
    writeTree(dir, files);
    git(dir, ['init', '-q']);
    git(dir, ['add', '.']);
    writeTree(dir, { 'database/users.py': files['database/users.py'].replace('poolclass=NullPool', 'poolclass=StaticPool'), 'README': 'hello world\n', 'new.txt': 'n\n' });
    git(dir, ['add', '-N', 'new.txt']);
    const diff = git(dir, ['diff', '--no-color']);
    const patch = parsePatch(diff, { fileName: 'pool.patch' });
    expect(patch.files.map((f) => f.kind)).toEqual(['modify', 'modify', 'create']);

    const upstream: Record<string, string | null> = {
      README: 'hello\n',
      'database/users.py': '# reformatted upstream\n' + files['database/users.py'],
      'new.txt': null,
    };
    const { results, report } = applyPatch(patch, (f) => ({ text: upstream[f.oldPath ?? f.newPath!] ?? null }));
    expect(report.ok).toBe(true);
    expect(results[1]!.report.hunks[0]).toMatchObject({ status: 'offset', offset: 1 });
    const work = tmp();
    writeTree(work, { README: 'hello\n', 'database/users.py': upstream['database/users.py']! });
    const gnu = gnuPatch(work, diff);
    expect(results.flatMap((r) => formatFileReport(r.report))).toEqual(gnu.out);
    expect(results[1]!.text).toBe(readLatin1(join(work, 'database/users.py')));

    const broken = applyPatch(patch, (f) => ({ text: f.newPath === 'README' ? 'bye\n' : upstream[f.oldPath ?? f.newPath!] ?? null }));
    expect(broken.report.ok).toBe(false);
    expect(broken.report.files.map((f) => f.status)).toEqual(['failed', 'ok', 'ok']);
  });

  it('a file named twice in one patch is patched in sequence', () => {
    const a = seq(1, 10);
    const mid = a.replace('2\n', 'two\n');
    const end = mid.replace('9\n', 'nine\n');
    const o = { oldPath: 'f.txt', newPath: 'f.txt', style: 'git' as const, context: 1 };
    const patch = parsePatch(makeFileDiff(a, mid, o) + makeFileDiff(mid, end, o));
    expect(patch.files).toHaveLength(2);
    const { results, report } = applyPatch(patch, () => ({ text: a }));
    expect(report.ok).toBe(true);
    expect(results[1]!.text).toBe(end);
  });

  it('a `diff -u` with no final newline and CRLF applies byte-exact', () => {
    const dir = tmp();
    writeTree(dir, { a: 'one\r\ntwo\r\nthree', b: 'one\r\nTWO\r\nthree\r\nfour' });
    const diff = spawnSync('diff', ['-u', '--label', 'a/f', '--label', 'b/f', 'a', 'b'], { cwd: dir, encoding: 'latin1' }).stdout;
    const f = parsePatch(diff).files[0]!;
    expect(applyFilePatch(f, { text: 'one\r\ntwo\r\nthree' }).text).toBe('one\r\nTWO\r\nthree\r\nfour');
  });
});

describe('a patch turned CRLF on the way (every line, as a Windows mail client saves it)', () => {
  it('lands LF lines in a file that is LF, as GNU patch strips the CRs: no line ending mixed in', () => {
    const dir = tmp();
    writeTree(dir, { a: seq(1, 6), b: seq(1, 6).replace('3\n', 'three\n') + '7\n' });
    const diff = spawnSync('diff', ['-u', '--label', 'a/f', '--label', 'b/f', 'a', 'b'], { cwd: dir, encoding: 'latin1' }).stdout;
    const sent = diff.replace(/\n/g, '\r\n');
    const patch = parsePatch(sent);
    expect(patch.crlfTransport).toBe(true);
    for (const [before, name] of [[seq(1, 6), 'f'], ['0\n' + seq(1, 6), 'g']] as const) {
      const work = tmp();
      writeTree(work, { [name]: before });
      const gnu = gnuPatch(work, sent.replace(/ [ab]\/f\r/g, (m) => m.replace('f', name)));
      expect(gnu.code).toBe(0);
      const { results, report } = applyPatch(patch, () => ({ text: before }));
      expect(report.ok).toBe(true);
      expect(results[0]!.text).toBe(readLatin1(join(work, name)));
      expect(results[0]!.text).not.toContain('\r');
    }
    // A file CRLF throughout takes the CRLF lines as they are (GNU refuses: "different line endings").
    const crlf = seq(1, 6).replace(/\n/g, '\r\n');
    expect(applyPatch(patch, () => ({ text: crlf })).results[0]!.text).toBe((seq(1, 6).replace('3\n', 'three\n') + '7\n').replace(/\n/g, '\r\n'));
  });
});

describe('quilt interop', () => {
  it('a patch written by real `quilt refresh` applies, and patchq diff of the same change is accepted by `quilt push`', () => {
    const dir = tmp();
    const orig = 'import os\r\n' + seq(1, 15) + 'poolclass=NullPool\n' + seq(16, 30) + 'end';
    writeTree(dir, { 'db.py': orig });
    const q = (...args: string[]): string => {
      const r = spawnSync('quilt', ['--quiltrc=-', ...args], { cwd: dir, encoding: 'latin1', env: { ...process.env, LANG: 'C' } });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    q('new', 'pool.patch');
    q('add', 'db.py');
    const changed = orig.replace('NullPool', 'StaticPool').replace(/end$/, 'end\n');
    writeTree(dir, { 'db.py': changed });
    q('refresh');
    const written = readLatin1(join(dir, 'patches/pool.patch'));
    const f = parsePatch(written, { fileName: 'pool.patch' }).files[0]!;
    expect(applyFilePatch(f, { text: '# upstream\n' + orig }).text).toBe('# upstream\n' + changed);

    // Our quilt-style diff of the same change, swapped in for quilt's own: `quilt push` takes it.
    q('pop');
    const base = readLatin1(join(dir, 'db.py'));
    expect(base).toBe(orig);
    const ours = makeFileDiff(orig, changed, {
      oldPath: 'db.py', newPath: 'db.py', style: 'quilt', indexLine: true, oldLabel: 'q.orig/db.py', newLabel: 'q/db.py',
    });
    writeTree(dir, { 'patches/pool.patch': ours });
    expect(q('push')).toContain('patching file db.py');
    expect(readLatin1(join(dir, 'db.py'))).toBe(changed);
  });
});
