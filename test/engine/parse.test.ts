/**
 * parsePatch on patches made by the real tools (git diff, git format-patch, diff -ruN,
 * quilt refresh) in temp dirs, plus the cases parse-diff is known to misread.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyBinaryPatch } from '../../src/engine/binary.js';
import { PatchqError } from '../../src/engine/errors.js';
import { parsePatch } from '../../src/engine/parse.js';
import { stripPath } from '../../src/engine/paths.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(): string {
  const d = mkdtempSync(join(tmpdir(), 'patchq-parse-'));
  dirs.push(d);
  git(d, 'init', '-q');
  git(d, 'config', 'user.email', 't@example.com');
  git(d, 'config', 'user.name', 'T');
  git(d, 'config', 'core.autocrlf', 'false');
  return d;
}
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'latin1' });
const write = (d: string, p: string, text: string | Buffer) => {
  mkdirSync(join(d, p, '..'), { recursive: true });
  writeFileSync(join(d, p), text);
};
function codeOf(f: () => unknown): { code: string; line?: number; file?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchqError) return { code: e.code, line: e.line, file: e.file };
    throw e;
  }
  throw new Error('expected a PatchqError');
}

describe('parsePatch on git output', () => {
  const d = repo();
  write(d, 'keep.txt', 'a\nb\nc\nd\ne\nf\ng\n');
  write(d, 'gone.txt', 'bye\n');
  write(d, 'moved.txt', 'one\ntwo\nthree\nfour\nfive\n');
  write(d, 'copied.txt', 'x1\nx2\nx3\nx4\nx5\nx6\n');
  write(d, 'exec.sh', 'echo hi\n');
  write(d, 'dir with space/b/file.txt', 'q\n');
  write(d, 't\u00e9st.txt', 'accent\n');
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'v1');
  write(d, 'keep.txt', 'a\nb\nC\nd\ne\nf\ng\n');
  rmSync(join(d, 'gone.txt'));
  git(d, 'mv', 'moved.txt', 'renamed.txt');
  write(d, 'copy-of.txt', 'x1\nx2\nx3\nx4\nx5\nx6\nx7\n');
  write(d, 'added.txt', 'new\nfile\n');
  chmodSync(join(d, 'exec.sh'), 0o755);
  write(d, 'dir with space/b/file.txt', 'Q\n');
  write(d, 't\u00e9st.txt', 'ACCENT\n');
  git(d, 'add', '-A');
  const text = git(d, 'diff', '--cached', '-C', '--find-copies-harder');
  const p = parsePatch(text, { fileName: 'g.patch' });
  const by = (path: string) => p.files.find((f) => (f.newPath ?? f.oldPath) === path)!;

  it('reads every kind git writes', () => {
    expect(by('keep.txt').kind).toBe('modify');
    expect(by('gone.txt').kind).toBe('delete');
    expect(by('gone.txt').newPath).toBeNull();
    expect(by('added.txt').kind).toBe('create');
    expect(by('added.txt').oldPath).toBeNull();
    expect(by('renamed.txt')).toMatchObject({ kind: 'rename', oldPath: 'moved.txt', similarity: 100 });
    expect(by('copy-of.txt')).toMatchObject({ kind: 'copy', oldPath: 'copied.txt' });
    expect(by('exec.sh')).toMatchObject({ oldMode: '100644', newMode: '100755', hunks: [] });
  });

  it('decodes quoted names and names with spaces and " b/"', () => {
    expect(by('t\u00e9st.txt').kind).toBe('modify');
    expect(by('dir with space/b/file.txt').hunks).toHaveLength(1);
  });

  it('keeps index ids and hunk lines', () => {
    const k = by('keep.txt');
    expect(k.index?.oldId).toMatch(/^[0-9a-f]{7,}$/);
    expect(k.hunks[0]!.lines.filter((l) => l.op !== ' ').map((l) => l.op + l.text)).toEqual(['-c\n', '+C\n']);
    expect(k.hunks[0]!.patchLine).toBeGreaterThan(k.patchLine);
  });

  it('applies GIT binary patches, literal and delta, byte for byte', () => {
    const b = repo();
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251));
    write(b, 'img.bin', bytes);
    git(b, 'add', '-A');
    git(b, 'commit', '-qm', 'bin');
    const changed = Buffer.from(bytes);
    changed[100] = 0;
    changed[2000] = 1;
    write(b, 'img.bin', changed);
    write(b, 'fresh.bin', Buffer.from([0, 1, 2, 255, 0, 10, 13]));
    git(b, 'add', '-A');
    const bp = parsePatch(git(b, 'diff', '--cached', '--binary'), { fileName: 'b.patch' });
    const img = bp.files.find((f) => f.newPath === 'img.bin')!;
    const fresh = bp.files.find((f) => f.newPath === 'fresh.bin')!;
    expect(img.binary?.hasData).toBe(true);
    expect(applyBinaryPatch(bytes.toString('latin1'), img.binary!)).toBe(changed.toString('latin1'));
    expect(applyBinaryPatch(null, fresh.binary!)).toBe(Buffer.from([0, 1, 2, 255, 0, 10, 13]).toString('latin1'));
    // Reverse hunk gives the old bytes back.
    expect(applyBinaryPatch(changed.toString('latin1'), img.binary!, {}, true)).toBe(bytes.toString('latin1'));
    // Without --binary git says only that they differ: refused with a clear error.
    const plain = parsePatch(git(b, 'diff', '--cached'), { fileName: 'b.patch' });
    const marker = plain.files.find((f) => f.newPath === 'img.bin')!;
    expect(marker.binary).toEqual({ hasData: false });
    expect(codeOf(() => applyBinaryPatch('x', marker.binary!)).code).toBe('E_PATCH_BINARY');
  });

  it('keeps the format-patch description as the header', () => {
    git(d, 'commit', '-qm', 'subject line\n\ndiff -u was used here, and --- too');
    const fp = git(d, 'format-patch', '-1', '--stdout', '-C');
    const parsed = parsePatch(fp);
    expect(parsed.header).toContain('Subject: [PATCH] subject line');
    expect(parsed.header).toContain('diff -u was used here');
    expect(parsed.files.length).toBe(p.files.length);
  });
});

describe('parsePatch on diff -ruN and quilt output', () => {
  it('flags diff -ruN creations and deletions by their epoch stamps', () => {
    const d = mkdtempSync(join(tmpdir(), 'patchq-parse-'));
    dirs.push(d);
    write(d, 'a/same.txt', '1\n2\n');
    write(d, 'a/old.txt', 'old\n');
    write(d, 'b/same.txt', '1\n3\n');
    write(d, 'b/new.txt', 'new\n');
    let text = '';
    try {
      execFileSync('diff', ['-ruN', 'a', 'b'], { cwd: d, encoding: 'latin1' });
    } catch (e) {
      text = (e as { stdout: string }).stdout;
    }
    const p = parsePatch(text);
    const kinds = Object.fromEntries(p.files.map((f) => [f.newPath ?? f.oldPath, f.kind]));
    expect(kinds).toEqual({ 'new.txt': 'create', 'old.txt': 'delete', 'same.txt': 'modify' });
  });

  it('reads quilt refresh output (Index lines, .orig labels, timestamps)', () => {
    const d = mkdtempSync(join(tmpdir(), 'patchq-quilt-'));
    dirs.push(d);
    const q = (...args: string[]) => execFileSync('quilt', ['--quiltrc=-', ...args], { cwd: d, encoding: 'latin1', env: { ...process.env, LANG: 'C' } });
    write(d, 'src/a.txt', 'x\ny\nz\n');
    q('new', 'one.patch');
    q('add', 'src/a.txt', 'src/b.txt');
    write(d, 'src/a.txt', 'x\nY\nz\n');
    write(d, 'src/b.txt', 'brand new\n');
    q('refresh');
    const text = readFileSync(join(d, 'patches/one.patch'), 'latin1');
    expect(text).toContain('Index: ');
    const p = parsePatch(text);
    expect(p.files.map((f) => [f.kind, f.oldPath, f.newPath])).toEqual([
      ['modify', 'src/a.txt', 'src/a.txt'],
      ['create', null, 'src/b.txt'],
    ]);
    expect(p.header).toBe('');
  });
});

describe('parsePatch on what parse-diff misreads', () => {
  const simple = (name: string) => `--- ${name}\n+++ ${name}\n@@ -1 +1 @@\n-a\n+b\n`;

  it('applies -p itself: -p0 keeps c/main.c, -p1 strips it', () => {
    expect(parsePatch(simple('c/main.c'), { strip: 0 }).files[0]!.newPath).toBe('c/main.c');
    expect(parsePatch(simple('c/main.c'), { strip: 1 }).files[0]!.newPath).toBe('main.c');
    expect(parsePatch(simple('c/main.c'), { exists: (p) => p === 'c/main.c' }).files[0]!.newPath).toBe('c/main.c');
    expect(stripPath('a//b/c', 1)).toBe('b/c');
  });

  it('turns "\\ No newline at end of file" into a missing terminator on the right side', () => {
    const p = parsePatch('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    const lines = p.files[0]!.hunks[0]!.lines;
    expect(lines).toEqual([
      { op: ' ', text: 'a\n' },
      { op: '-', text: 'b' },
      { op: '+', text: 'b\n' },
    ]);
  });

  it('gives the same hunks whether parse-diff is fed the hunks as written or rebuilt', () => {
    // Canonical markers: the adapter hands parse-diff a slice of the patch (its own `@@`
    // lines, sections, omitted counts). A translated or CRLF-terminated marker makes it
    // rebuild the body line by line instead; the hunks must not differ.
    const patch = (mark: string, end: string) =>
      'diff --git a/x b/x\n--- a/x\n+++ b/x\n' +
      '@@ -1 +1 @@ def f(a, b):\n-a\n+A\n' +
      '@@ -3,4 +3,4 @@\n c\n\n-d\n' + mark + '+D\n e\n' +
      '--- a/y\n+++ b/y\n@@ -1,2 +1,2 @@ class Y\n y\n-z\n' + mark + '+Z' + end;
    const asWritten = parsePatch(patch('\\ No newline at end of file\n', '\n\\ No newline at end of file'));
    for (const other of ['\\ Kein Zeilenumbruch am Dateiende.\n', '\\ No newline at end of file\r\n']) {
      expect(parsePatch(patch(other, '\n' + other)).files).toEqual(asWritten.files);
    }
    expect(asWritten.files[0]!.hunks.map((h) => [h.oldCount, h.newCount, h.section])).toEqual([[1, 1, 'def f(a, b):'], [4, 4, '']]);
    expect(asWritten.files[0]!.hunks[1]!.lines).toEqual([
      { op: ' ', text: 'c\n' }, { op: ' ', text: '\n' }, { op: '-', text: 'd' }, { op: '+', text: 'D\n' }, { op: ' ', text: 'e\n' },
    ]);
    expect(asWritten.files[1]!.hunks[0]!.lines.map((l) => l.text)).toEqual(['y\n', 'z', 'Z']);
    // The last line of the patch without a terminator (no marker) reads as one with it.
    expect(parsePatch(patch('', '')).files[1]!.hunks[0]!.lines.map((l) => l.text)).toEqual(['y\n', 'z\n', 'Z\n']);
  });

  it('keeps CRLF content byte-exact and detects a CRLF-converted patch file', () => {
    const lf = parsePatch('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\r\n+b\r\n');
    expect(lf.crlfTransport).toBe(false);
    expect(lf.files[0]!.hunks[0]!.lines.map((l) => l.text)).toEqual(['a\r\n', 'b\r\n']);
    const converted = (simple('a/x') + simple('a/y')).replace(/\n/g, '\r\n');
    const p = parsePatch(converted);
    expect(p.crlfTransport).toBe(true);
    expect(p.files.map((f) => f.newPath)).toEqual(['x', 'y']);
  });

  it('rejects truncated hunks and wrong counts, naming the file and line', () => {
    expect(codeOf(() => parsePatch('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n', { fileName: 't.patch' }))).toEqual({
      code: 'E_PATCH_COUNTS',
      line: 5,
      file: 't.patch',
    });
    expect(codeOf(() => parsePatch('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n')).code).toBe('E_PATCH_COUNTS');
    expect(codeOf(() => parsePatch('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\ngarbage\n')).line).toBe(5);
    expect(codeOf(() => parsePatch('--- a/x\n+++ b/x\n@@ nonsense @@\n')).code).toBe('E_PATCH_PARSE');
  });

  it('does not start the body at a description line that merely begins with "diff "', () => {
    const p = parsePatch('diff -u made this\nand more\n' + simple('a/x'));
    expect(p.header).toBe('diff -u made this\nand more\n');
    expect(p.files).toHaveLength(1);
  });

  it('refuses normal diffs and ed scripts instead of ignoring them', () => {
    expect(codeOf(() => parsePatch('2c2\n< a\n---\n> b\n')).code).toBe('E_PATCH_UNSUPPORTED');
    expect(codeOf(() => parsePatch('2c\nb\n.\nw\n')).code).toBe('E_PATCH_UNSUPPORTED');
    // A context-diff file header with no hunk is malformed, named by line.
    expect(codeOf(() => parsePatch('*** a/x\n--- b/x\n***************\n'))).toMatchObject({ code: 'E_PATCH_PARSE', line: 4 });
  });

  it('reads context diffs (diff -c, quilt refresh -c) as the same hunks diff -u writes', () => {
    const d = mkdtempSync(join(tmpdir(), 'patchq-ctx-'));
    dirs.push(d);
    const before = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`).join('');
    // A change, a pure insertion, a pure deletion, a last line without newline, a created and a deleted file.
    const after = before.replace('line 3\n', 'LINE 3\nline 3b\n').replace('line 15\n', 'line 15\nnew 15a\n').replace('line 24\n', '') + 'tail';
    write(d, 'a/f.txt', before);
    write(d, 'b/f.txt', after);
    write(d, 'a/gone.txt', 'bye\n');
    write(d, 'b/born.txt', 'hi\n');
    const diff = (flag: string) => {
      try {
        return execFileSync('diff', [flag, '-rN', 'a', 'b'], { cwd: d, encoding: 'latin1' });
      } catch (e) {
        return (e as { stdout: string }).stdout;
      }
    };
    const shape = (text: string) =>
      parsePatch(text).files.map((f) => ({ path: f.newPath ?? f.oldPath, kind: f.kind, hunks: f.hunks.map(({ oldStart, oldCount, newStart, newCount, lines }) => ({ oldStart, oldCount, newStart, newCount, lines })) }));
    const c = diff('-c');
    expect(c).toContain('***************');
    expect(shape(c)).toEqual(shape(diff('-u')));
    expect(shape(diff('-C1'))).toEqual(shape(diff('-U1')));
  });

  it('refuses paths that leave the tree', () => {
    for (const [name, strip] of [['a/../../etc/passwd', 1], ['/etc/passwd', 0], ['a/.git/hooks/post-merge', 1]] as const) {
      expect(codeOf(() => parsePatch(simple(name), { strip, fileName: 'evil.patch' }))).toMatchObject({ code: 'E_PATH_OUTSIDE', file: 'evil.patch', line: 1 });
    }
    // -p1 strips the leading "/" as GNU patch does: the file lands inside the tree.
    expect(parsePatch(simple('/etc/passwd'), { strip: 1 }).files[0]!.newPath).toBe('etc/passwd');
    expect(codeOf(() => parsePatch('diff --git a/x b/x\nrename from x\nrename to ../x\n')).code).toBe('E_PATH_OUTSIDE');
  });

  it('returns an empty file list for a description-only patch', () => {
    expect(parsePatch('just words\n')).toEqual({ header: 'just words\n', files: [], crlfTransport: false });
  });

  it('never throws anything but PatchqError on random bytes or mangled patches', () => {
    const base =
      simple('a/x') +
      'diff --git a/y b/y\nnew file mode 100644\n--- /dev/null\n+++ b/y\n@@ -0,0 +1,2 @@\n+1\n+2\n' +
      // and a context diff: changed, added and removed lines, a missing newline marker
      '*** z.orig\n--- z\n***************\n*** 1,3 ****\n  a\n! b\n- c\n--- 1,3 ----\n  a\n! B\n+ d\n\\ No newline at end of file\n';
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 20 })).map(([a, b, s]) => {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      return base.slice(0, lo) + s + base.slice(hi);
    });
    const bytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u).toString('latin1'));
    fc.assert(
      fc.property(fc.oneof(mangled, bytes), (text) => {
        try {
          parsePatch(text);
        } catch (e) {
          if (!(e instanceof PatchqError)) throw e;
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});

describe('hunk headers with numbers no file has', () => {
  it('a line number past 2^31 is a parse error naming the line (GNU: "line number ... is too large"), not an offset to try', () => {
    const text = '--- a/f1\n+++ b/f1\n@@ -99999999999999999999,2 +1,2 @@\n a\n-b\n+X\n';
    expect(() => parsePatch(text, { strip: 1, fileName: 'p.patch' })).toThrow(expect.objectContaining({ code: 'E_PATCH_PARSE', line: 3, message: 'line number 99999999999999999999 is too large in hunk header' }));
    expect(parsePatch(text.replace('99999999999999999999', '2147483647'), { strip: 1 }).files[0]!.hunks[0]!.oldStart).toBe(2147483647);
  });
});

describe('hunks that belong to no file', () => {
  const simple = (name: string) => `--- ${name}\n+++ ${name}\n@@ -1 +1 @@\n-a\n+b\n`;
  // Before, each of these parsed as a description-only patch: push said "appears to be
  // empty; applied" and the change was silently dropped (GNU patch applies the +++-only
  // one; git apply refuses all of them).
  it('a hunk with no ---/+++ lines, or only a +++ line, is a parse error at the hunk', () => {
    expect(codeOf(() => parsePatch('@@ -1 +1 @@\n-a\n+b\n', { fileName: 'p.patch' }))).toEqual({ code: 'E_PATCH_PARSE', line: 1, file: 'p.patch' });
    expect(codeOf(() => parsePatch('Subject: fix\n\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n'))).toMatchObject({ code: 'E_PATCH_PARSE', line: 4 });
    // a context-diff hunk without its *** / --- names
    expect(codeOf(() => parsePatch('***************\n*** 1 ****\n! a\n--- 1 ----\n! b\n'))).toMatchObject({ code: 'E_PATCH_PARSE', line: 1 });
  });

  it('a stray hunk in the description before a real diff is refused too, not dropped', () => {
    const text = 'Intro\n\n@@ -1 +1 @@\n-a\n+b\n' + simple('a/x');
    expect(codeOf(() => parsePatch(text))).toMatchObject({ code: 'E_PATCH_PARSE', line: 3 });
  });

  it('prose that mentions @@ or a hunk header without a body stays description', () => {
    const text = 'Fix the @@ marker parsing\n@@ -1 +1 @@ alone, quoted in the text\n\nmore words\n';
    expect(parsePatch(text).files).toEqual([]);
  });

  it("a 'diff --git' header with nothing under it is an error; one with only a mode change, a rename or an empty new file is not", () => {
    expect(codeOf(() => parsePatch('diff --git a/f b/f\n', { fileName: 'g.patch' }))).toEqual({ code: 'E_PATCH_PARSE', line: 1, file: 'g.patch' });
    expect(codeOf(() => parsePatch('diff --git a/f b/f\nindex 7898192..7898192 100644\ndiff --git a/x b/x\n' + simple('a/x')))).toMatchObject({ line: 1 });
    expect(parsePatch('diff --git a/f b/f\nold mode 100644\nnew mode 100755\n').files[0]!.newMode).toBe('100755');
    expect(parsePatch('diff --git a/f b/g\nsimilarity index 100%\nrename from f\nrename to g\n').files[0]!.kind).toBe('rename');
    expect(parsePatch('diff --git a/e b/e\nnew file mode 100644\nindex 0000000..e69de29\n').files[0]!.kind).toBe('create');
  });
});

describe('numbers past what a header can mean', () => {
  it('a context hunk line number past 2^31 is refused, as in a unified hunk (400 digits were Infinity)', () => {
    for (const [old, neu] of [['9'.repeat(400), '1'], ['1', '2147483648']]) {
      const text = `*** a/f\n--- b/f\n***************\n*** ${old} ****\n--- ${neu} ----\n`;
      expect(() => parsePatch(text, { fileName: 'c.patch' })).toThrow(/line number \d+ is too large in hunk header/);
    }
  });

  it("a similarity index past 100% is read as 0, as git apply reads it", () => {
    const text = `diff --git a/x b/y\nsimilarity index ${'9'.repeat(400)}%\nrename from x\nrename to y\n`;
    expect(parsePatch(text).files[0]).toMatchObject({ kind: 'rename', similarity: 0 });
    expect(parsePatch(text.replace(/index \d+%/, 'index 87%')).files[0]).toMatchObject({ similarity: 87 });
  });
});
