/**
 * Property tests (fast-check, modest runs): for random texts and edits,
 *  - applying diff(a, b) to a gives b, and the reverse gives a back;
 *  - a file shifted by unrelated lines above gets the hunks at the right offset;
 *  - without evidence the engine may refuse, but it never lands a hunk in the wrong place.
 * Small alphabets on purpose: repeated lines are where wrong-place bugs live.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, makeFileDiff, type DiffOptions } from '../../src/engine/index.js';
import { filePatch } from './apply-helpers.js';

const line = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'if x:', '    pass', ''), fc.constantFrom('\n', '\n', '\n', '\r\n'))
  .map(([t, eol]) => t + eol);

/** A text: lines, and maybe a last line without terminator. */
const text = fc.tuple(fc.array(line, { maxLength: 30 }), fc.option(fc.constantFrom('z', 'a', '  end'), { nil: undefined }))
  .map(([ls, last]) => ls.join('') + (last ?? ''));

/** b derived from a by a few edits, so the diffs have context. */
const edited = (a: string) =>
  fc.array(fc.tuple(fc.nat(), fc.constantFrom('ins', 'del', 'rep'), line), { minLength: 1, maxLength: 4 }).map((edits) => {
    const ls = a.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    for (const [at, kind, l] of edits) {
      const i = ls.length ? at % (ls.length + (kind === 'ins' ? 1 : 0)) : 0;
      if (kind === 'ins' || ls.length === 0) ls.splice(i, 0, l);
      else if (kind === 'del') ls.splice(i, 1);
      else ls[i] = l;
    }
    return ls.join('');
  });

const pair = text.chain((a) => edited(a).map((b) => [a, b] as const));
const opts = (style: 'git' | 'quilt', context = 3): DiffOptions => ({ oldPath: 'f.txt', newPath: 'f.txt', style, context });
const RUNS = { numRuns: 200 };

describe('apply(diff(a, b), a) === b', () => {
  it('git style (identity through the index line), forward and reverse', () => {
    fc.assert(
      fc.property(pair, fc.integer({ min: 0, max: 3 }), ([a, b], ctx) => {
        const fp = filePatch('f.txt', makeFileDiff(a, b, opts('git', ctx)));
        const fwd = applyFilePatch(fp, { text: a });
        expect(fwd.report.status).toBe('ok');
        expect(fwd.text).toBe(b);
        const rev = applyFilePatch(fp, { text: b }, { reverse: true });
        expect(rev.text).toBe(a);
      }),
      RUNS,
    );
  });

  it('quilt style with the base (no index line)', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const fp = filePatch('f.txt', makeFileDiff(a, b, opts('quilt')));
        const r = applyFilePatch(fp, { text: a, base: a });
        expect(r.text).toBe(b);
      }),
      RUNS,
    );
  });
});

describe('shifted files', () => {
  const prefix = fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 12 })
    .map((ns) => ns.map((n, i) => `upstream ${i}:${n}\n`).join(''));

  it('with the base: every hunk lands, at the right offset', () => {
    fc.assert(
      fc.property(pair, prefix, ([a, b], pre) => {
        // An empty a gives a context-free insertion at line 0: the patch itself says "top".
        fc.pre(a !== '' && a !== b);
        const fp = filePatch('f.txt', makeFileDiff(a, b, opts('quilt')));
        const r = applyFilePatch(fp, { text: pre + a, base: a }, { merge: 'none' });
        expect(r.report.status).toBe('ok');
        expect(r.text).toBe(pre + b);
        const shift = pre.split('\n').length - 1;
        for (const h of r.report.hunks) expect(h.offset).toBe(shift);
      }),
      RUNS,
    );
  });

  it('without evidence (exact only, then the full cascade): refuse or land right, never land wrong', () => {
    fc.assert(
      fc.property(pair, prefix, ([a, b], pre) => {
        fc.pre(a !== '');
        const fp = filePatch('f.txt', makeFileDiff(a, b, opts('quilt', 1)));
        for (const o of [{ fuzz: 0, fuzzy: false }, {}]) {
          const r = applyFilePatch(fp, { text: pre + a }, o);
          if (r.report.status === 'ok') expect(r.text).toBe(pre + b);
          else for (const h of r.report.hunks.filter((x) => x.status === 'failed')) expect(h.reason).not.toBe('');
        }
      }),
      RUNS,
    );
  });
});

/**
 * Upstream inserted lines of its own at a point clear of every hunk (not inside, not
 * touching). The right answer is known by construction: b with the same lines inserted
 * at the same point shifted by the hunks above it. (A 3-way merge is no oracle here: with
 * repeated lines its alignment is one of several right answers.)
 */
describe('upstream inserted a block between hunks', () => {
  const block = fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 5 }).map((ns) => ns.map((n, i) => `up ${i}:${n}\n`));

  function scenario(a: string, b: string, blk: string[], at: number, ctx: number) {
    const fp = filePatch('f.txt', makeFileDiff(a, b, opts('quilt', ctx)));
    const span = (h: { oldStart: number; oldCount: number }): number => (h.oldCount ? h.oldStart - 1 : h.oldStart);
    const ls = a.match(/[^\n]*\n/g) ?? [];
    const points = Array.from({ length: ls.length + 1 }, (_, i) => i)
      .filter((i) => !fp.hunks.some((h) => i >= span(h) && i <= span(h) + h.oldCount));
    if (points.length === 0) return null;
    const p = points[at % points.length]!;
    ls.splice(p, 0, ...blk);
    const shift = fp.hunks.filter((h) => span(h) + h.oldCount < p).reduce((n, h) => n + h.newCount - h.oldCount, 0);
    const out = b.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    out.splice(p + shift, 0, ...blk);
    return { fp, upstream: ls.join(''), expected: out.join('') };
  }

  it('no base: whatever lands is right (exact only, then the full cascade without GNU fuzz)', () => {
    fc.assert(
      fc.property(pair, block, fc.nat(), fc.integer({ min: 1, max: 3 }), ([a, b], blk, at, ctx) => {
        fc.pre(a.endsWith('\n') && a !== b);
        const sc = scenario(a, b, blk, at, ctx);
        fc.pre(sc !== null);
        for (const o of [{ fuzz: 0, fuzzy: false }, { fuzz: 0 }]) {
          const r = applyFilePatch(sc!.fp, { text: sc!.upstream }, o);
          if (r.report.status === 'ok') expect(r.text).toBe(sc!.expected);
        }
      }),
      RUNS,
    );
  });

  it('with the base: every hunk lands, right', () => {
    fc.assert(
      fc.property(pair, block, fc.nat(), ([a, b], blk, at) => {
        fc.pre(a.endsWith('\n') && a !== b);
        const sc = scenario(a, b, blk, at, 3);
        fc.pre(sc !== null);
        const r = applyFilePatch(sc!.fp, { text: sc!.upstream, base: a });
        expect(r.report.status).toBe('ok');
        expect(r.text).toBe(sc!.expected);
      }),
      RUNS,
    );
  });
});
