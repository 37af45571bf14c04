/**
 * Writing diff -c's format (refresh -c, diff -c / -C N): the same bytes as GNU `diff -c`
 * for the same hunks, read back by our parser into the same change, and taken by GNU patch.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, makeFileDiff, parsePatch } from '../../src/engine/index.js';
import { tmp } from './apply-helpers.js';

/** GNU diff -c -C n of two texts, with the given labels (no timestamps). */
function gnuDiffC(a: string, b: string, n = 3): string {
  const d = tmp();
  writeFileSync(join(d, 'a'), a, 'latin1');
  writeFileSync(join(d, 'b'), b, 'latin1');
  return spawnSync('diff', [`-C${n}`, '--label', 'x.orig', '--label', 'x', 'a', 'b'], { cwd: d, encoding: 'latin1' }).stdout;
}

const ours = (a: string | null, b: string | null, n = 3) =>
  makeFileDiff(a, b, { oldPath: 'x', newPath: 'x', style: 'quilt', oldLabel: 'x.orig', newLabel: 'x', context: n, format: 'context' });

const lines = (n: number, p = 'l') => Array.from({ length: n }, (_, i) => `${p}${i + 1}\n`).join('');

const CASES: Array<[string, string, string]> = [
  ['a change in the middle', '1\n2\nold\n4\n5\n', '1\n2\nnew\n4\n5\n'],
  ['insertion only', 'x\n', 'x\ny\n'],
  ['deletion only', lines(10), lines(10).replace('l5\n', '')],
  ['two hunks, mixed blocks', lines(40), lines(40).replace('l3\n', 'L3\nextra\n').replace('l30\n', '').replace('l33\n', 'L33\n')],
  ['no newline at the end, gained', 'x\ny', 'x\ny\n'],
  ['no newline at the end, both', 'a\nb\nc', 'a\nB\nc'],
  ['from empty', '', 'x\n'],
  ['to empty', 'x\ny\n', ''],
];

describe('context diffs (diff -c)', () => {
  it.each(CASES)('%s: the bytes GNU diff -c writes, read back to the same change', (_, a, b) => {
    for (const n of [3, 1]) {
      const text = ours(a, b, n);
      expect(text).toBe(gnuDiffC(a, b, n));
      const parsed = parsePatch(text, { strip: 0 });
      const res = applyPatch(parsed, () => ({ text: a }));
      expect(res.report.ok).toBe(true);
      expect(res.results[0]!.text).toBe(b);
    }
  });

  it('GNU patch applies what we write', () => {
    const [a, b] = [lines(40), lines(40).replace('l3\n', 'L3\nextra\n').replace('l30\n', '')];
    const d = tmp();
    writeFileSync(join(d, 'x'), a);
    const r = spawnSync('patch', ['-p0', '--dry-run', '-o', '-'], { cwd: d, input: ours(a, b), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('L3\nextra\n');
  });
});
