/**
 * The parse cache (src/stack/parse-cache.ts), through the built binary: a push keeps each
 * patch's parse in the cache folder, the next push of the same bytes reads it back (and a
 * push of other bytes never does), and a cache that is torn, foreign, unwritable or turned
 * off changes nothing but the time. (That a parse survives JSON unchanged is checked on
 * thousands of inputs in test/hardening/fuzz.test.ts.)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromEntry, toEntry } from '../../src/stack/parse-cache.js';
import type { ParsedPatch } from '../../src/engine/types.js';
import { patchq, read, snapshot, tempDir, write } from '../helpers/tree.js';

const A = 'one\ntwo\nthree\nfour\nfive\n';
const patchOf = (from: string, to: string) => `Change two.\n\n--- a/a.txt\n+++ b/a.txt\n@@ -1,5 +1,5 @@\n one\n-${from}\n+${to}\n three\n four\n five\n`;

function tree(patches: Record<string, string>): string {
  const d = tempDir('patchq-parse-cache-');
  write(d, 'a.txt', A);
  write(d, 'b.txt', 'b\n');
  for (const [name, text] of Object.entries(patches)) write(d, `patches/${name}`, text);
  write(d, 'patches/series', Object.keys(patches).join('\n') + '\n');
  return d;
}

/** The cache's entries (this build's folder): name -> text. */
function entries(cache: string): Record<string, string> {
  if (!existsSync(cache)) return {};
  const dirs = readdirSync(cache).filter((n) => n.startsWith('parsed-'));
  expect(dirs.length).toBeLessThanOrEqual(1);
  if (dirs.length === 0) return {};
  const dir = join(cache, dirs[0]!);
  return Object.fromEntries(readdirSync(dir).map((n) => [join(dir, n), readFileSync(join(dir, n), 'latin1')]));
}

describe('parse cache', () => {
  it('a push keeps each parse; the next push of the same bytes reads it (output and tree the same), an edited patch is parsed anew', () => {
    const cache = join(tempDir('patchq-pc-'), 'cache');
    const env = { PATCHQ_CACHE_DIR: cache };
    const d = tree({ 'p.patch': patchOf('two', 'TWO'), 'q.patch': '--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-b\n+B\n' });
    const first = patchq(d, ['push', '-a'], env);
    expect(first.code, first.stderr).toBe(0);
    const pushed = snapshot(d);
    const kept = entries(cache);
    expect(Object.keys(kept)).toHaveLength(2);
    for (const json of Object.values(kept)) expect(JSON.parse(json)).toMatchObject({ files: [{ kind: 'modify' }] });
    const stamps = Object.keys(kept).map((p) => statSync(p).mtimeMs);
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    // Read back, not written again.
    expect(patchq(d, ['push', '-a'], env)).toEqual(first);
    expect(snapshot(d)).toEqual(pushed);
    expect(Object.keys(entries(cache)).map((p) => statSync(p).mtimeMs)).toEqual(stamps);
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    // Other bytes, another entry: the edit is what lands.
    write(d, 'patches/p.patch', patchOf('two', 'Two, edited'));
    expect(patchq(d, ['push', 'p.patch'], env).code).toBe(0);
    expect(read(d, 'a.txt')).toBe(A.replace('two', 'Two, edited'));
    expect(Object.keys(entries(cache))).toHaveLength(3);
  });

  it('what push applies is the kept parse of those very bytes (an entry changed by hand is what lands: it is read, by its name)', () => {
    const cache = join(tempDir('patchq-pc-'), 'cache');
    const env = { PATCHQ_CACHE_DIR: cache };
    const d = tree({ 'p.patch': patchOf('two', 'TWO') });
    expect(patchq(d, ['push'], env).code).toBe(0);
    expect(patchq(d, ['pop'], env).code).toBe(0);
    const [path, json] = Object.entries(entries(cache))[0]!;
    expect(json).toContain('"TWO\\n"');
    writeFileSync(path, json.replace('"TWO\\n"', '"from the cache\\n"'), 'latin1');
    expect(patchq(d, ['push'], env).code).toBe(0);
    expect(read(d, 'a.txt')).toBe(A.replace('two', 'from the cache'));
  });

  it('a torn or foreign entry is parsed again and written over; the push is as without a cache', () => {
    const cache = join(tempDir('patchq-pc-'), 'cache');
    const env = { PATCHQ_CACHE_DIR: cache };
    const plain = tree({ 'p.patch': patchOf('two', 'TWO') });
    const want = patchq(plain, ['push'], { PATCHQ_NO_PARSE_CACHE: '1' });
    expect(want.code).toBe(0);
    const d = tree({ 'p.patch': patchOf('two', 'TWO') });
    expect(patchq(d, ['push'], env).code).toBe(0);
    expect(patchq(d, ['pop'], env).code).toBe(0);
    const [path, json] = Object.entries(entries(cache))[0]!;
    for (const bad of [json.slice(0, json.length >> 1), '{"files": 3}', 'null', '']) {
      writeFileSync(path, bad, 'latin1');
      expect(patchq(d, ['push'], env)).toEqual(want);
      expect(snapshot(d)).toEqual(snapshot(plain));
      expect(readFileSync(path, 'latin1'), bad).toBe(json);
      expect(patchq(d, ['pop'], env).code).toBe(0);
    }
  });

  it('writes nothing for a patch that does not parse, nor when turned off; an unwritable cache changes nothing but the time', () => {
    const cache = join(tempDir('patchq-pc-'), 'cache');
    const broken = tree({ 'p.patch': patchOf('two', 'TWO').replace('@@ -1,5 +1,5 @@', '@@ -1,9 +1,9 @@') });
    const r = patchq(broken, ['push'], { PATCHQ_CACHE_DIR: cache });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patches\/p\.patch:11: hunk is truncated/);
    expect(entries(cache)).toEqual({});
    const d = tree({ 'p.patch': patchOf('two', 'TWO') });
    expect(patchq(d, ['push'], { PATCHQ_CACHE_DIR: cache, PATCHQ_NO_PARSE_CACHE: '1' }).code).toBe(0);
    expect(entries(cache)).toEqual({});
    expect(patchq(d, ['pop'], { PATCHQ_CACHE_DIR: cache }).code).toBe(0);
    const blocker = join(tempDir('patchq-pc-'), 'a-file');
    writeFileSync(blocker, '');
    const pushed = patchq(d, ['push'], { PATCHQ_CACHE_DIR: blocker });
    expect(pushed).toMatchObject({ code: 0, stderr: '' });
    expect(read(d, 'a.txt')).toBe(A.replace('two', 'TWO'));
  });

  it("another build's folder is removed when this build's is made, once nobody wrote to it for a week", () => {
    const cache = join(tempDir('patchq-pc-'), 'cache');
    const old = 'parsed-0123456789abcdef';
    const recent = 'parsed-fedcba9876543210';
    for (const n of [old, recent, 'parsed-notours']) {
      mkdirSync(join(cache, n), { recursive: true });
      writeFileSync(join(cache, n, 'x'), '{}');
    }
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    for (const n of [old, 'parsed-notours']) utimesSync(join(cache, n), weekAgo, weekAgo);
    mkdirSync(join(cache, 'v8-other'), { recursive: true });
    const d = tree({ 'p.patch': patchOf('two', 'TWO') });
    expect(patchq(d, ['push'], { PATCHQ_CACHE_DIR: cache }).code).toBe(0);
    const left = readdirSync(cache).sort();
    expect(left.filter((n) => /^parsed-[0-9a-f]{16}$/.test(n) && n !== recent)).toHaveLength(1); // this build's
    expect(left).not.toContain(old);
    // Another build's, written to lately (two installs used in turn), and names not of the cache's form, stay.
    for (const n of [recent, 'parsed-notours', 'v8-other']) expect(left).toContain(n);
  });

  it('names past Latin-1 (日本.txt, and Į, whose low byte is "."): the kept parse names the same files', () => {
    const cache = join(tempDir('patchq-pc-'), 'cache');
    const env = { PATCHQ_CACHE_DIR: cache };
    // As git and quilt write them: the names' UTF-8 bytes.
    const utf8 = (s: string) => Buffer.from(s).toString('latin1');
    const text = ['日本.txt', 'Įgit/x.txt'].map((n) => `--- /dev/null\n+++ b/${utf8(n)}\n@@ -0,0 +1 @@\n+new\n`).join('');
    for (const round of ['parsed', 'read back']) {
      const d = tree({ 'p.patch': text });
      const r = patchq(d, ['push'], env);
      expect(r.code, `${round}: ${r.stderr}`).toBe(0);
      expect(readdirSync(d).sort(), round).toEqual(['.pc', 'a.txt', 'b.txt', 'patches', 'Įgit', '日本.txt'].sort());
      expect(read(d, '日本.txt')).toBe('new\n');
      expect(read(d, 'Įgit/x.txt')).toBe('new\n');
      expect(existsSync(join(d, '.git')), round).toBe(false);
    }
    const [json] = Object.values(entries(cache));
    expect(json).toMatch(/^[\x00-\xff]*$/);
    expect(json).toContain('\\u65e5\\u672c.txt');
  });

  it('a parse JSON cannot carry as it is is not kept: a number past what JSON writes, or past 32 MB of JSON', () => {
    const parse = (files: unknown[]): ParsedPatch => ({ header: '', crlfTransport: false, files }) as ParsedPatch;
    const small = parse([{ oldPath: 'a', newPath: 'a', similarity: 90, hunks: [] }]);
    expect(fromEntry(toEntry(small)!)).toStrictEqual(small);
    expect(toEntry(parse([{ oldPath: 'a', newPath: 'a', similarity: Infinity, hunks: [] }]))).toBeNull();
    // A control byte is six chars of JSON: 6 MB of zeros (a binary patch's data) is 36 MB.
    expect(toEntry(parse([{ oldPath: 'a', newPath: 'a', binary: { hasData: true, forward: { method: 'literal', size: 6e6, data: '\0'.repeat(6e6) } }, hunks: [] }]))).toBeNull();
  });
});
