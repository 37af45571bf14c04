import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatchqError } from '../../src/engine/errors.js';
import { NestingIndex, checkPatchName, insertEntry, isPlainName, nestedWith, parseSeries, patchOptions, removeEntry, renameEntry, setEntry } from '../../src/stack/series.js';

const text = '# leading comment line\np0.patch -p0\n\np1.patch    # trailing comment\nrev.patch -p1 -R\n\t  # indented comment\nsp.patch -p 2\n';

describe('series file', () => {
  it("parses quilt's syntax: comments, blank lines, -pN, -p N, -R, trailing comments", () => {
    const s = parseSeries(text);
    expect(s.map((e) => [e.name, e.strip, e.reverse, e.line])).toEqual([
      ['p0.patch', 0, false, 2],
      ['p1.patch', 1, false, 4],
      ['rev.patch', 1, true, 5],
      ['sp.patch', 2, false, 7],
    ]);
  });

  it('reads a plain-name line (its fast path) exactly as the full parse reads the same name indented', () => {
    // An indented line never takes the fast path: both parses must give one entry, the same.
    const full = (l: string) => parseSeries(` ${l}\n`, 'series').map((e) => ({ ...e, line: 1 }));
    const chars = fc.constantFrom(...'ab.-_/:#\\~+=,@!"$%&()*;<>?[]^`{|}019AZ \tü\x01\x7f\r');
    fc.assert(fc.property(fc.array(chars, { minLength: 1, maxLength: 12 }).map((a) => a.join('')), (l) => {
      if (!isPlainName(l)) return;
      expect(parseSeries(`${l}\n`, 'series')).toEqual(full(l));
    }), { numRuns: 3000 });
    // Each character class edge, both ways.
    for (const l of ['a', 'x.patch', 'sub/x.diff', 'a-b_c+d~e=f,g@h!i"j$k%l&m(n)o*p;q<r>s?t[u]v^w`x{y|z}', '.hidden']) expect([l, isPlainName(l)]).toEqual([l, true]);
    for (const l of ['', '-p1', '/abs', 'a#b', 'a\\b', 'c:x', 'a/../b', '..', 'a b', 'a\r', 'ü', 'a\x7f', '\tx']) expect([l, isPlainName(l)]).toEqual([l, false]);
    expect(() => parseSeries('x/../../y\n')).toThrow(/leads outside/);
  });

  it('treats an indented # line as a comment (quilt would make it a patch named #)', () => {
    expect(parseSeries(text).some((e) => e.name.startsWith('#'))).toBe(false);
  });

  it('rewrites only the lines it must', () => {
    const s = parseSeries(text);
    const inserted = insertEntry(text, s, 'p1.patch', 'new.patch');
    expect(inserted).toBe(text.replace('p1.patch    # trailing comment\n', 'p1.patch    # trailing comment\nnew.patch\n'));
    expect(renameEntry(text, s, 'rev.patch', 'fwd.patch')).toBe(text.replace('rev.patch -p1 -R', 'fwd.patch -p1 -R'));
    expect(removeEntry(text, s, 'p0.patch')).toBe(text.replace('p0.patch -p0\n', ''));
    expect(insertEntry('', [], null, 'first.patch')).toBe('first.patch\n');
  });

  it("reads the options as GNU patch does (quilt passes them to it), and marks one it cannot honour", () => {
    const read = (o: string) => {
      const r = patchOptions(o.split(' ').filter(Boolean));
      return [r.strip, r.reverse, r.unsupported ?? null];
    };
    expect(read('')).toEqual([1, false, null]);
    expect(read('-Rp0')).toEqual([0, true, null]);
    expect(read('-p 2 -R')).toEqual([2, true, null]);
    expect(read('--strip=3 --reverse')).toEqual([3, true, null]);
    expect(read('--strip 0')).toEqual([0, false, null]);
    expect(read('-lRp2 -F 3 -E --binary --fuzz=1')).toEqual([2, true, null]);
    // -F takes the next word: "3" is its value, not a stray word.
    expect(read('-F 3')).toEqual([1, false, null]);
    // Unknown, or one that would read or write other files, or not apply at all.
    for (const o of ['-Q', '-d sub', '-o out', '-i other.diff', '--dry-run', '-p1R', '-p', 'stray', '--reverse=yes', '-lQ']) expect(read(o)[2], o).toBe(o.split(' ')[0]);
    expect(parseSeries('a.diff -Q\nb.diff -Rp0\n').map((e) => [e.name, e.unsupported ?? null, e.strip, e.reverse])).toEqual([
      ['a.diff', '-Q', 1, false],
      ['b.diff', null, 0, true],
    ]);
  });

  it('setEntry takes strip and reverse out of any form, and keeps the other options and the comment', () => {
    const t = 'a.diff -Rlp0 -F 3 --strip=2 # why\nb.diff --reverse -E\nc.diff -p 0 -R\n';
    const s = parseSeries(t);
    expect(s.map((e) => [e.strip, e.reverse])).toEqual([[2, true], [1, true], [0, true]]);
    const out = ['a.diff', 'b.diff', 'c.diff'].reduce((acc, n) => setEntry(acc, parseSeries(acc), n, { reverse: false }), t);
    expect(out).toBe('a.diff -p2 -l -F 3 # why\nb.diff -E\nc.diff -p0\n');
    expect(parseSeries(out).map((e) => [e.strip, e.reverse])).toEqual([[2, false], [1, false], [0, false]]);
    expect(setEntry(t, s, 'b.diff', { strip: 0 })).toBe('a.diff -Rlp0 -F 3 --strip=2 # why\nb.diff -p0 -E -R\nc.diff -p 0 -R\n');
  });

  it('keeps a duplicate entry (push refuses it later, as quilt) and refuses bad names', () => {
    expect(parseSeries('a.patch\nb.patch\na.patch\n', 'series').map((e) => e.line)).toEqual([1, 2, 3]);
    for (const bad of ['has space', 'series', '../up.patch', '/abs.patch']) {
      expect(() => checkPatchName(bad)).toThrow(PatchqError);
    }
  });
});

describe('names where one is a folder of the other', () => {
  it('NestingIndex and nestedWith find the pair either way round, at any depth, and nothing else', () => {
    const idx = new NestingIndex();
    for (const n of ['a/b/c.diff', 'sub.diff', 'x/y.diff']) idx.add(n);
    expect(idx.clash('a')).toBe('a/b/c.diff');
    expect(idx.clash('a/b')).toBe('a/b/c.diff');
    expect(idx.clash('sub.diff/more')).toBe('sub.diff');
    expect(idx.clash('a/b/c.diff/d')).toBe('a/b/c.diff');
    for (const ok of ['a/bc', 'ab', 'a/b/c.diffx', 'sub', 'x/z.diff', 'y.diff']) expect(idx.clash(ok), ok).toBeUndefined();
    const names = ['a/b/c.diff', 'sub.diff', 'x/y.diff'];
    expect(nestedWith('a/b', names)).toBe('a/b/c.diff');
    expect(nestedWith('sub.diff/more', names)).toBe('sub.diff');
    expect(nestedWith('a/bc', names)).toBeUndefined();
  });
});
