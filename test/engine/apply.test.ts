import { describe, expect, it } from 'vitest';
import { applyFilePatch, applyPatch, formatFileReport, leadingText, makeFileDiff, missingFileLines, parsePatch } from '../../src/engine/index.js';
import type { FileResult } from '../../src/engine/types.js';
import { filePatch, git, gnuPatch, readLatin1, seq, tmp, writeTree } from './apply-helpers.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Patch `a -> b` as made by makeFileDiff, applied to `target` by patchq AND by GNU patch. */
function both(a: string, b: string, target: string, opts: { fuzz?: number } = {}) {
  const diff = makeFileDiff(a, b, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git' });
  const ours = applyFilePatch(filePatch('f.txt', diff), { text: target }, { fuzz: opts.fuzz, fuzzy: false, merge: 'none' });
  const dir = tmp();
  writeTree(dir, { 'f.txt': target });
  const gnu = gnuPatch(dir, diff, opts.fuzz !== undefined ? [`--fuzz=${opts.fuzz}`] : []);
  const rej = existsSync(join(dir, 'f.txt.rej')) ? readLatin1(join(dir, 'f.txt.rej')) : '';
  return { ours, gnu, gnuText: readLatin1(join(dir, 'f.txt')), rej };
}

const lines = (r: FileResult, rej?: string): string[] => formatFileReport(r.report, rej ? { rejectsFile: rej } : {});

describe('exact and offset', () => {
  it('lands at the stated line, status exact, same bytes as GNU patch', () => {
    const a = seq(1, 30);
    const b = a.replace('15\n', '15x\n');
    const { ours, gnu, gnuText } = both(a, b, a);
    expect(ours.text).toBe(b);
    expect(ours.text).toBe(gnuText);
    expect(ours.report.hunks[0]).toMatchObject({ status: 'exact', statedLine: 12, line: 12, newLine: 12, offset: 0, fuzz: 0 });
    expect(lines(ours)).toEqual(gnu.out);
  });

  it('finds a shifted hunk and words it like GNU patch (offset, output line numbers)', () => {
    const a = seq(1, 30);
    const b = a.replace('5\n', '5\nnew\n').replace('25\n', '25x\n');
    const { ours, gnu, gnuText } = both(a, b, seq(101, 105) + a);
    expect(ours.text).toBe(gnuText);
    expect(ours.report.hunks.map((h) => [h.status, h.offset, h.line, h.newLine])).toEqual([
      ['offset', 5, 8, 8],
      ['offset', 5, 27, 28],
    ]);
    expect(lines(ours)).toEqual(gnu.out);
    expect(gnu.out[1]).toBe('Hunk #1 succeeded at 8 (offset 5 lines).');
  });

  it('says "1 line" in the singular and handles negative offsets', () => {
    const a = seq(1, 30);
    const b = a.replace('20\n', '20x\n');
    const target = a.replace('3\n', '');
    const { ours, gnu } = both(a, b, target);
    expect(ours.report.hunks[0]).toMatchObject({ status: 'offset', offset: -1 });
    expect(lines(ours)).toEqual(gnu.out);
    expect(lines(ours)[1]).toBe('Hunk #1 succeeded at 16 (offset -1 lines).');
    const { ours: plus } = both(a, b, '0\n' + a);
    expect(lines(plus)[1]).toBe('Hunk #1 succeeded at 18 (offset 1 line).');
  });

  it('reports a failed hunk at GNU position (stated + running offset) and writes the reject', () => {
    const a = seq(1, 30);
    const b = a.replace('5\n', '5\nnew\n').replace('25\n', '25x\n');
    const target = a.replace('25\n', 'zz\n');
    const { ours, gnu, rej } = both(a, b, target);
    expect(ours.rejects).toBe(rej);
    expect(ours.report.status).toBe('failed');
    expect(ours.report.hunks[1]).toMatchObject({ status: 'failed', newLine: null, reason: 'no match' });
    expect(lines(ours, 'f.txt.rej')).toEqual(gnu.out);
    expect(ours.rejects).toContain('@@ -23,7 +24,7 @@\n 22\n 23\n 24\n-25\n+25x\n');
    // The hunk that landed is in the text, for `push -f`.
    expect(ours.text).toContain('5\nnew\n');
  });
});

describe('ambiguity is refused unless there is evidence', () => {
  const block = 'engine = create_engine(\n    url,\n    poolclass=NullPool,\n)\n';
  const newBlock = block.replace('NullPool', 'StaticPool');
  const file = (pad: number): string => 'def a():\n' + block + seq(1, pad) + 'def b():\n' + block;

  it('duplicate pre-image, no evidence: FAILED with both lines, file untouched, where GNU patches the nearer copy', () => {
    // The patch was made when only the SECOND copy existed (stated line 2); upstream then
    // added a first copy above it. GNU patch, nearest first, patches the new first copy.
    const old = 'def b():\n' + block;
    const diff = makeFileDiff(old, old.replace('NullPool', 'StaticPool'), { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context: 1 });
    const target = file(3);
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target });
    expect(r.report.hunks[0]).toMatchObject({ status: 'failed', reason: 'ambiguous: pre-image found at lines 3 and 11' });
    expect(r.text).toBe(target);
    expect(lines(r)[1]).toBe('Hunk #1 FAILED at 3 (ambiguous: pre-image found at lines 3 and 11).');
    const dir = tmp();
    writeTree(dir, { 'f.txt': target });
    gnuPatch(dir, diff);
    const wrong = 'def a():\n' + newBlock + seq(1, 3) + 'def b():\n' + block;
    expect(readLatin1(join(dir, 'f.txt'))).toBe(wrong);
    // git apply takes the nearer copy too.
    const g = tmp();
    writeTree(g, { 'f.txt': target, 'the.patch': diff });
    git(g, ['init', '-q']);
    git(g, ['apply', 'the.patch']);
    expect(readLatin1(join(g, 'f.txt'))).toBe(wrong);
  });

  it('a copy at the next hunk\'s offset and one at the top\'s offset: still ambiguous', () => {
    const old = 'def b():\n' + block + seq(1, 20) + 'tail = 1\n';
    const neu = old.replace('NullPool', 'StaticPool').replace('tail = 1', 'tail = 2');
    const diff = makeFileDiff(old, neu, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context: 1 });
    // Upstream put a copy of the block (and 5 lines) above: the tail moved by +10. The
    // copy at offset 0 fits "10 lines inserted below the hunk" just as well as the real
    // one at +10 fits "10 lines inserted above": GNU patch takes offset 0, we refuse.
    const target = 'def a():\n' + block + seq(50, 54) + old;
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target });
    expect(r.report.hunks.map((h) => [h.status, h.offset])).toEqual([['failed', 0], ['offset', 10]]);
    expect(r.report.hunks[0]!.reason).toBe('ambiguous: pre-image found at lines 3 and 13');
  });

  it('resolved by landed neighbours on both sides agreeing on the offset', () => {
    const old = 'start = 0\n' + seq(1, 5) + 'def b():\n' + block + seq(6, 15) + 'tail = 1\n';
    const neu = old.replace('start = 0', 'start = 1').replace('NullPool', 'StaticPool').replace('tail = 1', 'tail = 2');
    const diff = makeFileDiff(old, neu, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context: 1 });
    // Upstream: 5 lines on top, and right after the block a copy of it plus two lines.
    // The copy would need edits both above it and below it; the real block needs one.
    const up = (t: string): string => 'x\n'.repeat(5) + t.replace(/\)\n/, ')\n' + 'def c():\n' + block + 'extra\nextra\n');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: up(old) });
    expect(r.report.hunks.map((h) => [h.status, h.offset])).toEqual([['offset', 5], ['offset', 5], ['offset', 5 + 7]]);
    expect(r.text).toBe(up(neu.replace('StaticPool', 'NullPool')).replace('NullPool', 'StaticPool'));
  });

  it('resolved by the base: the stated line mapped through diff(base, text)', () => {
    const base = 'def b():\n' + block;
    const diff = makeFileDiff(base, base.replace('NullPool', 'StaticPool'), { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context: 1 });
    const target = 'def b():\n' + block + 'def a():\n' + block;
    expect(applyFilePatch(filePatch('f.txt', diff), { text: target }).report.status).toBe('failed');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target, base }, { merge: 'none' });
    expect(r.report.hunks[0]).toMatchObject({ status: 'exact', line: 3 });
    expect(r.text).toBe('def b():\n' + newBlock + 'def a():\n' + block);
    // A base that is not the patch's pre-image is no evidence.
    const stale = applyFilePatch(filePatch('f.txt', diff), { text: target, base: 'other\n' + base.replace('url', 'uri') }, { merge: 'none' });
    expect(stale.report.hunks[0]!.reason).toMatch(/^ambiguous/);
  });

  it('two identical hunks and two copies: the order of the hunks forces each place', () => {
    const old = 'def a():\n' + block + seq(1, 8) + 'def b():\n' + block;
    const neu = old.replace(/NullPool/g, 'StaticPool');
    const diff = makeFileDiff(old, neu, { oldPath: 'f.txt', newPath: 'f.txt', style: 'quilt', context: 1 });
    const target = '# header\n'.repeat(3) + old;
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target });
    expect(r.report.hunks.map((h) => [h.status, h.offset])).toEqual([['offset', 3], ['offset', 3]]);
    expect(r.text).toBe('# header\n'.repeat(3) + neu);
  });

  it('never lands a hunk before the end of the previous one (GNU last_frozen_line)', () => {
    const a = 'x\ny\nx\ny\n' + seq(1, 10) + 'x\ny\n';
    const fp = filePatch('f.txt', '@@ -5,1 +5,1 @@\n-1\n+one\n@@ -15,2 +15,2 @@\n x\n-y\n+Y\n');
    const r = applyFilePatch(fp, { text: a });
    expect(r.report.hunks[1]).toMatchObject({ status: 'exact', line: 15 });
    expect(r.text).toBe('x\ny\nx\ny\none\n' + seq(2, 10) + 'x\nY\n');
  });
});

describe('insertions without context (diff -U0)', () => {
  it('land by a neighbour or the base, and are refused without evidence', () => {
    const a = seq(1, 20);
    const fp = filePatch('f.txt', '@@ -10,0 +11 @@\n+inserted\n');
    expect(applyFilePatch(fp, { text: a }).report.status).toBe('failed');
    const shifted = 'x\ny\n' + a;
    const byBase = applyFilePatch(fp, { text: shifted, base: a });
    expect(byBase.text).toBe(shifted.replace('10\n', '10\ninserted\n'));
    expect(byBase.report.hunks[0]).toMatchObject({ status: 'offset', offset: 2 });
    // One landed neighbour is not enough (lines may have been inserted on its far side);
    // neighbours on both sides agreeing on +2 are.
    const two = filePatch('f.txt', '@@ -3 +3 @@\n-3\n+three\n@@ -10,0 +11 @@\n+inserted\n');
    expect(applyFilePatch(two, { text: shifted }).report.hunks[1]!.status).toBe('failed');
    const three = filePatch('f.txt', '@@ -3 +3 @@\n-3\n+three\n@@ -10,0 +11 @@\n+inserted\n@@ -15 +16 @@\n-15\n+fifteen\n');
    const byNeighbour = applyFilePatch(three, { text: shifted });
    expect(byNeighbour.text).toBe(shifted.replace('3\n', 'three\n').replace('10\n', '10\ninserted\n').replace('15\n', 'fifteen\n'));
    expect(applyFilePatch(filePatch('f.txt', '@@ -0,0 +1 @@\n+top\n'), { text: a }).text).toBe('top\n' + a);
  });
});

describe('identity shortcut', () => {
  it('a text whose blob id matches the index line takes every hunk at its stated line', () => {
    const a = 'k\nv\nk\nv\n';
    const fp = filePatch('f.txt', '@@ -3,2 +3,2 @@\n k\n-v\n+V\n', { index: { oldId: '0000000', newId: '1111111' } });
    expect(applyFilePatch(fp, { text: a }).report.hunks[0]!.status).toBe('failed');
    const r = applyFilePatch(fp, { text: a, base: a });
    expect(r.text).toBe('k\nv\nk\nV\n');
    expect(r.report.hunks[0]!.status).toBe('exact');
  });
});

describe('a file that is not there (GNU patch: "No file to patch")', () => {
  const text = ['Fix two files', '', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '-a', '\\ No newline at end of file', '+b', '\\ No newline at end of file', 'diff --git a/y b/y', '--- a/y', '+++ b/y', '@@ -1,2 +1,2 @@', ' k', '-c', '+C', ''].join('\n');
  const parsed = parsePatch(text, { strip: 1 });

  it('the text leading up to each file: the description before the first, the lines after the hunk before it otherwise; GNU does not count `\\ No newline` lines', () => {
    expect(leadingText(text, parsed.files, 0)).toEqual({ lines: ['Fix two files', '', '--- a/x', '+++ b/x'], inputLine: 5 });
    // The y hunk is on line 13; two `\ No newline` lines come before it.
    expect(leadingText(text, parsed.files, 1)).toEqual({ lines: ['diff --git a/y b/y', '--- a/y', '+++ b/y'], inputLine: 11 });
  });

  it('prints the skip as GNU does; -q (patch -s) starts at the text; no rejects', () => {
    const { results } = applyPatch(parsed, (f) => ({ text: f.oldPath === 'x' ? 'a' : null }));
    const y = results[1]!;
    expect([y.report.missing, y.rejects]).toEqual([true, '']);
    const lead = leadingText(text, parsed.files, 1);
    expect(missingFileLines(y.report, lead, false)).toEqual([
      "can't find file to patch at input line 11",
      'Perhaps you used the wrong -p or --strip option?',
      'The text leading up to this was:',
      '--------------------------',
      '|diff --git a/y b/y',
      '|--- a/y',
      '|+++ b/y',
      '--------------------------',
      'No file to patch.  Skipping patch.',
      '1 out of 1 hunk ignored',
    ]);
    expect(missingFileLines(y.report, lead, true)[0]).toBe('The text leading up to this was:');
  });
});
