/**
 * Odd files through push/pop/refresh on the built binary: each round-trips byte for byte
 * (modes included) or is refused with one clear line. Then interop: real quilt pops what
 * patchq pushed, and patchq pops what quilt pushed.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchq, quilt, read, tempDir, write } from '../helpers/tree.js';
import { applied, ok, snapshot } from './helpers.js';

const bin = (n: number, k = 7) => Array.from({ length: n }, (_, i) => String.fromCharCode((i * k) % 256)).join('');
const MB_LINE = 'x'.repeat(1 << 20);

/** Each odd file: before (null = absent) and after (null = deleted), and an optional mode. */
const ODD: Array<{ path: string; before: string | null; after: string | null; mode?: number }> = [
  { path: 'bin.dat', before: bin(4000), after: bin(2000) + '\0\0\0' + bin(2000, 11) },
  { path: 'crlf.txt', before: 'one\r\ntwo\r\nthree\r\n', after: 'one\r\nTWO\r\nthree\r\n' },
  { path: 'mixed.txt', before: 'one\r\ntwo\nthree\rfour\n\r\n', after: 'one\r\nTWO\nthree\rfour\n\r\nfive' },
  { path: 'nonl.txt', before: 'a\nb\nc', after: 'a\nB\nc' },
  { path: 'gains-nl.txt', before: 'a\nb', after: 'a\nb\n' },
  { path: 'loses-nl.txt', before: 'a\nb\n', after: 'a\nb' },
  { path: 'empty-to-text.txt', before: '', after: 'now\n' },
  { path: 'text-to-empty.txt', before: 'was\n', after: '' },
  { path: 'created-empty.txt', before: null, after: '' },
  { path: 'created.txt', before: null, after: 'fresh\n' },
  { path: 'deleted.txt', before: 'bye\n', after: null },
  { path: 'latin1.txt', before: 'caf\xe9\nna\xefve\n\xff\xfe\x80\n', after: 'caf\xe9!\nna\xefve\n\xff\xfe\x80\n' },
  { path: 'long-line.txt', before: `head\n${MB_LINE}\ntail\n`, after: `HEAD\n${MB_LINE}\ntail\n` },
  { path: 'long-line-changed.txt', before: `${MB_LINE}\n`, after: `${MB_LINE}y\n` },
  { path: 'with space.txt', before: 'sp\n', after: 'SP\n' },
  { path: 'dir with space/quo"te.txt', before: 'q\n', after: 'Q\n' },
  { path: "it's.txt", before: 'a\n', after: 'b\n' },
  { path: 'exec.sh', before: '#!/bin/sh\necho hi\n', after: '#!/bin/sh\necho bye\n', mode: 0o755 },
];

/** A tree holding every odd file's `before`, plus a symlink that no patch touches. */
function oddTree(): string {
  const d = tempDir('patchq-odd-');
  for (const f of ODD) if (f.before !== null) write(d, f.path, f.before, f.mode);
  symlinkSync('crlf.txt', join(d, 'link'));
  mkdirSync(join(d, 'empty-dir'));
  return d;
}

describe('odd files round-trip through refresh, pop and push byte for byte', () => {
  it('binary, CRLF, mixed endings, no final newline, empty, 1 MB lines, non-UTF-8 bytes, spaces and quotes, exec bits', () => {
    const d = oddTree();
    const pristine = snapshot(d);
    ok(d, ['new', 'odd.patch']);
    ok(d, ['add', ...ODD.map((f) => f.path)]);
    for (const f of ODD) {
      if (f.after === null) rmSync(join(d, f.path));
      else write(d, f.path, f.after, f.mode);
    }
    const changed = snapshot(d);
    expect(ok(d, ['refresh', '--no-timestamps']).stdout).toMatch(/Refreshed patch odd\.patch/);
    const patchText = read(d, 'patches/odd.patch');
    expect(patchText.length).toBeGreaterThan(2 << 20); // the two 1 MB lines are in it, twice
    for (let round = 0; round < 2; round++) {
      ok(d, ['pop']);
      expect(snapshot(d)).toEqual(withPatches(pristine, d));
      expect(ok(d, ['push']).stdout).toMatch(/Now at patch odd\.patch/);
      expect(snapshot(d)).toEqual(withPatches(changed, d));
      // The patch regenerated from the pushed tree is the same bytes.
      expect(ok(d, ['refresh', '--no-timestamps']).stdout).toMatch(/Patch odd\.patch is unchanged/);
      expect(read(d, 'patches/odd.patch')).toBe(patchText);
    }
    ok(d, ['pop']);
    expect(snapshot(d)).toEqual(withPatches(pristine, d));
    expect(snapshot(d)['link']).toBe('->crlf.txt');
  });

  it('a mode change round-trips with refresh --git (quilt format cannot carry modes)', () => {
    const d = tempDir('patchq-odd-mode-');
    write(d, 'run.sh', 'echo\n', 0o644);
    write(d, 'keep.sh', 'echo\n', 0o755);
    ok(d, ['new', 'mode.patch']);
    ok(d, ['add', 'run.sh', 'keep.sh']);
    write(d, 'run.sh', 'echo hi\n', 0o755);
    write(d, 'keep.sh', 'echo hi\n', 0o700);
    const changed = snapshot(d);
    ok(d, ['refresh', '--git']);
    expect(read(d, 'patches/mode.patch')).toMatch(/old mode 100644\nnew mode 100755/);
    ok(d, ['pop']);
    expect(snapshot(d)['run.sh']).toBe('644:echo\n');
    expect(snapshot(d)['keep.sh']).toBe('755:echo\n');
    ok(d, ['push']);
    expect(snapshot(d)).toEqual(withPatches(changed, d));
  });
});

/** A snapshot taken before patches/ existed, plus the current patches/ entries. */
function withPatches(snap: Record<string, string>, d: string): Record<string, string> {
  const now = snapshot(d);
  return { ...snap, ...Object.fromEntries(Object.entries(now).filter(([k]) => k === 'patches' || k.startsWith('patches/'))) };
}

describe('odd files that are refused clearly', () => {
  it('a directory where a file is expected: one line naming it, exit 1, nothing changed', () => {
    const d = tempDir('patchq-odd-dir-');
    write(d, 'f2', 'a\n');
    mkdirSync(join(d, 'sub'));
    ok(d, ['new', 'p.patch']);
    const refused = (args: string[], path: string) => {
      const before = snapshot(d, { withPc: true });
      const r = patchq(d, args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([1, `${path}: is a directory, where a file was expected\n`]);
      expect(snapshot(d, { withPc: true }), args.join(' ')).toEqual(before);
    };
    refused(['add', 'sub'], 'sub');
    ok(d, ['add', 'f2']);
    write(d, 'f2', 'b\n');
    ok(d, ['refresh']);
    // A tracked file replaced by a folder while its patch is applied.
    rmSync(join(d, 'f2'));
    mkdirSync(join(d, 'f2'));
    for (const args of [['pop'], ['refresh'], ['diff'], ['revert', 'f2']]) refused(args, 'f2');
    rmSync(join(d, 'f2'), { recursive: true });
    write(d, 'f2', 'b\n');
    ok(d, ['pop']);
    // A tracked file replaced by a symlink: refresh refuses it as pop does (it read through it).
    ok(d, ['push']);
    rmSync(join(d, 'f2'));
    symlinkSync('sub', join(d, 'f2'));
    const patch = read(d, 'patches/p.patch');
    for (const args of [['refresh'], ['pop']]) {
      const r = patchq(d, args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([1, "refusing path 'f2': it is a symlink (patchq patches regular files only; a patch through it would replace the link)\n"]);
    }
    expect(read(d, 'patches/p.patch')).toBe(patch);
    rmSync(join(d, 'f2'));
    write(d, 'f2', 'b\n');
    ok(d, ['pop']);
    // A patch aimed at a folder.
    write(d, 'patches/p1.patch', '--- a/sub\n+++ b/sub\n@@ -1 +1 @@\n-x\n+y\n');
    write(d, 'patches/series', 'p1.patch\n');
    refused(['push'], 'sub');
  });

  it('names with a newline or a tab: add and push refuse them, nothing changes', () => {
    const d = tempDir('patchq-odd-names-');
    write(d, 'new\nline.txt', 'x\n');
    write(d, 'tab\there.txt', 'x\n');
    ok(d, ['new', 'n.patch']);
    const before = snapshot(d, { withPc: true });
    for (const name of ['new\nline.txt', 'tab\there.txt']) {
      const r = patchq(d, ['add', name]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/contains a control character/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1); // the name is shown escaped, not raw
    }
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // A git patch can name one (C-quoted): refused with the patch's line.
    write(d, 'patches/q.patch', 'diff --git "a/new\\nline.txt" "b/new\\nline.txt"\n--- "a/new\\nline.txt"\n+++ "b/new\\nline.txt"\n@@ -1 +1 @@\n-x\n+y\n');
    write(d, 'patches/series', 'n.patch\nq.patch\n');
    const r = patchq(d, ['push']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/patches\/q\.patch:1: refusing path 'new\\x0aline\.txt': it contains a control character/);
    expect(read(d, 'new\nline.txt')).toBe('x\n');
  });

  it('a NUL byte in .pc/applied-patches or the series (a corrupt file): one line naming file:line, exit 1, nothing changed', () => {
    const d = tempDir('patchq-odd-nul-');
    write(d, 'f', 'a\n');
    ok(d, ['new', 'a.patch']);
    ok(d, ['new', 'b.patch']);
    const refused = (file: string, text: string, line: number) => {
      write(d, file, text);
      const before = snapshot(d, { withPc: true });
      for (const args of [['applied'], ['push'], ['pop'], ['series']]) {
        const r = patchq(d, args);
        expect([r.code, r.stderr], `${file}: ${args.join(' ')}`).toEqual([1, `${file}:${line}: refusing patch 'b?.patch': it contains a NUL byte (is the file corrupt?)\n`]);
      }
      expect(snapshot(d, { withPc: true })).toEqual(before);
    };
    refused('.pc/applied-patches', 'a.patch\nb\0.patch\n', 2);
    write(d, '.pc/applied-patches', 'a.patch\n');
    refused('patches/series', 'a.patch\nb\0.patch\n', 2);
  });

  it('a symlink in the tree cannot be added to a patch; one beside the patched files survives', () => {
    const d = oddTree();
    ok(d, ['new', 'l.patch']);
    const r = patchq(d, ['add', 'link']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing path 'link': it is a symlink/);
    ok(d, ['add', 'crlf.txt']);
    write(d, 'crlf.txt', 'changed\r\n');
    ok(d, ['refresh']);
    ok(d, ['pop']);
    ok(d, ['push']);
    expect(snapshot(d)['link']).toBe('->crlf.txt');
    expect(read(d, 'link')).toBe('changed\r\n');
  });

  // A name is UTF-8 on disk and UTF-8 bytes in the patch (quilt and git write it so).
  it('non-ASCII names round-trip, and quilt reads the patch', () => {
    const d = tempDir('patchq-odd-utf8-');
    write(d, 'ünï.txt', 'u\n');
    ok(d, ['new', 'u.patch']);
    ok(d, ['add', 'ünï.txt']);
    write(d, 'ünï.txt', 'U\n');
    ok(d, ['refresh']);
    expect(read(d, 'patches/u.patch')).toContain(`+++ ${basename(d)}/${Buffer.from('ünï.txt').toString('latin1')}\t`);
    ok(d, ['pop']);
    expect(read(d, 'ünï.txt')).toBe('u\n');
    ok(d, ['push']);
    expect(read(d, 'ünï.txt')).toBe('U\n');
    ok(d, ['pop']);
    expect(quilt(d, ['push']).code).toBe(0);
    expect(read(d, 'ünï.txt')).toBe('U\n');
  });

  // Names past Latin-1: patchq's own files (the record, the transaction's manifest) are
  // JSON written a byte a char, which kept only each char's low byte: pop then found the
  // file "changed" and refused ("does not remove cleanly").
  it('names past Latin-1 (日本.txt): push, pop, push, pop, with the record naming the file as it is', () => {
    const d = tempDir('patchq-odd-cjk-');
    write(d, '日本.txt', 'a\n');
    ok(d, ['new', 'j.patch']);
    ok(d, ['add', '日本.txt']);
    write(d, '日本.txt', 'b\n');
    ok(d, ['refresh']);
    for (let k = 0; k < 2; k++) {
      ok(d, ['pop']);
      expect(read(d, '日本.txt')).toBe('a\n');
      ok(d, ['push']);
      expect(read(d, '日本.txt')).toBe('b\n');
    }
    expect(read(d, '.pc/.patchq/patch/j.patch.json')).toMatch(/^[\x00-\x7f]*$/);
    expect(quilt(d, ['pop']).code).toBe(0);
    expect(read(d, '日本.txt')).toBe('a\n');
  });
});

describe('interop with the real quilt', () => {
  /** The odd files quilt can handle: not the existing empty files (quilt's 0-byte backup means "absent"). */
  const QUILT_OK = ODD.filter((f) => f.before !== '' && f.after !== '' && f.path !== 'bin.dat');

  function quiltTree() {
    const d = tempDir('patchq-odd-quilt-');
    for (const f of QUILT_OK) if (f.before !== null) write(d, f.path, f.before, f.mode);
    const pristine = snapshot(d);
    ok(d, ['new', 'odd.patch']);
    ok(d, ['add', ...QUILT_OK.map((f) => f.path)]);
    for (const f of QUILT_OK) {
      if (f.after === null) rmSync(join(d, f.path));
      else write(d, f.path, f.after, f.mode);
    }
    const changed = snapshot(d);
    ok(d, ['refresh']);
    return { d, pristine, changed };
  }

  it('quilt pops what patchq pushed, and patchq pops what quilt pushed, byte for byte', () => {
    const { d, pristine, changed } = quiltTree();
    const strip = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'patches' && !k.startsWith('patches/')));
    ok(d, ['pop']);
    ok(d, ['push']);
    const q = quilt(d, ['pop', '-a']);
    expect(q.code, q.stderr + q.stdout).toBe(0);
    expect(strip(snapshot(d))).toEqual(strip(pristine));
    expect(applied(d)).toEqual([]);
    const qp = quilt(d, ['push', '-a']);
    expect(qp.code, qp.stderr + qp.stdout).toBe(0);
    expect(strip(snapshot(d))).toEqual(strip(changed));
    ok(d, ['pop', '-a']);
    expect(strip(snapshot(d))).toEqual(strip(pristine));
  });
});
