import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitBlobId, makeFileDiff, type DiffOptions } from '../../src/engine/index.js';
import { git, gnuPatch, readLatin1, seq, tmp, writeTree } from './apply-helpers.js';

const gitOpts: DiffOptions = { oldPath: 'f.txt', newPath: 'f.txt', style: 'git' };

/** Apply a diff of a -> b to a copy of a with real `patch -p1` and with `git apply`; both must give b. */
function roundTrip(a: string | null, b: string | null, opts: DiffOptions = gitOpts): string {
  const diff = makeFileDiff(a, b, opts);
  for (const tool of ['patch', 'git'] as const) {
    const dir = tmp();
    if (a !== null) writeTree(dir, { [opts.oldPath]: a });
    if (tool === 'patch') {
      const r = gnuPatch(dir, diff);
      expect(r.code, r.out.join('\n')).toBe(0);
    } else {
      git(dir, ['init', '-q']);
      writeTree(dir, { 'the.patch': diff });
      git(dir, ['apply', '--whitespace=nowarn', 'the.patch']);
    }
    const p = join(dir, opts.newPath);
    if (b === null) expect(spawnSync('test', ['-e', p]).status).not.toBe(0);
    else expect(readLatin1(p)).toBe(b);
  }
  return diff;
}

describe('makeFileDiff is accepted by patch -p1 and git apply', () => {
  it('returns "" for equal texts', () => {
    expect(makeFileDiff('a\n', 'a\n', gitOpts)).toBe('');
  });

  it('modification, several hunks, merged when contexts overlap', () => {
    const a = seq(1, 40);
    const b = a.replace('3\n', 'three\n').replace('9\n', 'nine\n').replace('30\n', 'thirty\n');
    const d = roundTrip(a, b);
    expect(d.match(/^@@ /gm)).toHaveLength(2);
    expect(d).toContain('@@ -1,12 +1,12 @@\n 1\n 2\n-3\n+three\n');
    expect(d).toContain('@@ -27,7 +27,7 @@\n');
  });

  it('CRLF lines and a missing final newline, byte-exact', () => {
    roundTrip('one\r\ntwo\r\nthree\r\n', 'one\r\nTWO\r\nthree\r\n');
    const d = roundTrip('a\nb\nc', 'a\nb\nc\n');
    expect(d).toContain('-c\n\\ No newline at end of file\n+c\n');
    roundTrip('a\nb\n', 'a\nb\nc');
    roundTrip('x\r\ny', 'x\r\nY\r\n');
  });

  it('creation and deletion with /dev/null and 0,0 ranges', () => {
    const c = roundTrip(null, 'a\nb\n');
    expect(c).toContain('new file mode 100644\nindex 0000000..');
    expect(c).toContain('--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    const d = roundTrip('a\n', null);
    expect(d).toContain('deleted file mode 100644\n');
    expect(d).toContain('--- a/f.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n');
  });

  it('git style is byte-identical to real `git diff` for a simple change', () => {
    const dir = tmp();
    const a = seq(1, 20);
    const b = a.replace('10\n', 'ten\n');
    writeTree(dir, { 'f.txt': a });
    git(dir, ['init', '-q']);
    git(dir, ['add', 'f.txt']);
    writeTree(dir, { 'f.txt': b });
    const real = git(dir, ['-c', 'core.abbrev=7', 'diff', '--no-color', 'f.txt']);
    expect(makeFileDiff(a, b, gitOpts)).toBe(real);
    expect(gitBlobId(a)).toBe(git(dir, ['hash-object', '--stdin'], a).trim());
  });

  it('quilt style: Index line, labels, TAB timestamps, and diff -p function names like GNU diff', () => {
    const a = 'int main(void)\n{\n' + seq(1, 10) + '}\n';
    const b = a.replace('7\n', 'seven\n');
    const opts: DiffOptions = {
      oldPath: 'f.txt', newPath: 'f.txt', style: 'quilt', indexLine: true, showFunction: true,
      oldLabel: 'q1.orig/f.txt', newLabel: 'q1/f.txt', oldTime: '2026-11-23 15:02:00.793108616 +0000', newTime: '2026-11-23 15:02:00.912090869 +0000',
    };
    const d = roundTrip(a, b, opts);
    const dir = tmp();
    writeTree(dir, { a, b });
    const real = spawnSync('diff', ['-u', '-p', '--label', `q1.orig/f.txt\t${opts.oldTime}`, '--label', `q1/f.txt\t${opts.newTime}`, 'a', 'b'], { cwd: dir, encoding: 'latin1' }).stdout;
    expect(d).toBe(`Index: q1/f.txt\n${'='.repeat(67)}\n` + real);
    expect(d).toContain('@@ -6,7 +6,7 @@ int main(void)\n');
  });

  it('rename with a change: git apply moves the file', () => {
    const a = seq(1, 10);
    const b = a.replace('5\n', 'five\n');
    const d = makeFileDiff(a, b, { oldPath: 'old.txt', newPath: 'new.txt', style: 'git' });
    expect(d).toContain('similarity index 90%\nrename from old.txt\nrename to new.txt\nindex ');
    const dir = tmp();
    writeTree(dir, { 'old.txt': a, 'the.patch': d });
    git(dir, ['init', '-q']);
    git(dir, ['apply', 'the.patch']);
    expect(readLatin1(join(dir, 'new.txt'))).toBe(b);
    expect(spawnSync('test', ['-e', join(dir, 'old.txt')]).status).not.toBe(0);
  });

  it('mode change only: git header without hunks', () => {
    const d = makeFileDiff('a\n', 'a\n', { ...gitOpts, oldMode: '100644', newMode: '100755' });
    expect(d).toBe('diff --git a/f.txt b/f.txt\nold mode 100644\nnew mode 100755\n');
    void execFileSync;
  });
});
