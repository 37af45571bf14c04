/**
 * Drift shapes found on the drift benchmark (bench/suites/drift.mjs: real diffs between
 * npm package versions, split into an upstream part and a fork part with a known right
 * answer). Each fixture is a minimal copy of the real shape, named after the case it
 * came from, and is checked against the truth and, where GNU patch lands it, against
 * real GNU patch's bytes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, makeFileDiff } from '../../src/engine/index.js';
import { filePatch, gnuPatch, readLatin1, tmp, writeTree } from './apply-helpers.js';

const diffOf = (a: string, b: string): string => makeFileDiff(a, b, { oldPath: 'f.js', newPath: 'f.js', style: 'git', context: 3 });

/** Real GNU patch -F2 on the target: its exit code and the resulting bytes. */
function gnu(target: string, diff: string): { code: number; text: string } {
  const dir = tmp();
  writeTree(dir, { 'f.js': target });
  const r = gnuPatch(dir, diff, ['-F2']);
  return { code: r.code, text: readLatin1(join(dir, 'f.js')) };
}

describe('GNU fuzz 2 where the trimmed needle is as long as the dropped context', () => {
  // lodash 4.17.15 -> 4.17.21 _baseSortedIndexBy.js (drift seed 2): upstream deleted the
  // two lines above `var low = 0,`; the fork rewrote the declaration below it. Fuzz 2
  // keeps 4 lines (1 context + 2 removed + 1 context) after dropping 2 + 2: the engine
  // used to skip that level because 4 === 2 + 2, and GNU patch landed the case alone.
  const a = [
    '/**\n',
    ' * @returns {number} Returns the index at which `value` should be inserted\n',
    ' */\n',
    'function baseSortedIndexBy(array, value, iteratee, retHighest) {\n',
    '  value = iteratee(value);\n',
    '\n',
    '  var low = 0,\n',
    '      high = array == null ? 0 : array.length,\n',
    '      valIsNaN = value !== value,\n',
    '      valIsNull = value === null,\n',
    '      valIsSymbol = isSymbol(value),\n',
    '      valIsUndefined = value === undefined;\n',
    '\n',
    '  while (low < high) {\n',
  ].join('');
  const fork = a.replace(
    '      high = array == null ? 0 : array.length,\n      valIsNaN = value !== value,\n',
    '      high = array == null ? 0 : array.length;\n  if (high === 0) {\n    return 0;\n  }\n\n  value = iteratee(value);\n  var valIsNaN = value !== value,\n',
  );
  const upstream = a.replace('  value = iteratee(value);\n\n', '');
  const truth = fork.replace('  value = iteratee(value);\n\n  var low', '  var low');

  it('lands with fuzz 2 at the only place, byte for byte like GNU patch', () => {
    const diff = diffOf(a, fork);
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz: 2, offset: -2 });
    expect(r.text).toBe(truth);
    expect(gnu(upstream, diff)).toEqual({ code: 0, text: truth });
  });

  it('still refuses the same trimmed needle when it occurs twice', () => {
    const diff = diffOf(a, fork);
    const twice = upstream + upstream.replace('baseSortedIndexBy', 'baseSortedIndexBy2');
    const r = applyFilePatch(filePatch('f.js', diff), { text: twice });
    expect(r.report.hunks[0]!.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toMatch(/^ambiguous/);
    expect(r.text).toBe(twice);
  });
});
