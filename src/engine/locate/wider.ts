/**
 * A fuzz tie broken by the context the trim dropped: "wider context" evidence.
 *
 * At fuzz f the needle lost f context lines at each end and now occurs at several places.
 * Each copy is grown outward, line by line, over the dropped context lines, for as long
 * as the file still agrees exactly. A copy wins only when it is the ONLY one that keeps
 * any of the patch's dropped context, and it keeps ALL of it on one side (the story:
 * upstream edited next to one end of the hunk only; the other end is intact). If two
 * copies each keep some, both are partial stories and the hunk stays ambiguous; a copy
 * that keeps one line of a side is not enough in repetitive code:
 *   axios mergeConfig.js (drift bench): three helpers end in "    }", "  });", "", and
 *   one of the wrong ones shares the line above the dropped one: refused.
 *   express lib/router/route.js (drift bench): upstream deleted `var method = ...` just
 *   below the insertion; fuzz 2 leaves "  }", "" (twice in dispatch()); only one copy
 *   has `return done();` and `if (stack.length === 0) {` above it, as the patch says.
 *   minimatch.js (drift bench): fuzz 2 leaves "", "clearStateChar()"; one copy keeps
 *   "continue", "}" above it, the other (the right one) keeps "hasMagic = true" below:
 *   refused here (the neighbours' positions settle it in the cascade instead).
 * The cascade tries this only after every stronger kind of evidence (exact, neighbours'
 * windows, plain fuzz, whitespace, similar context) has had its turn.
 */
import type { Hunk } from '../types.js';
import type { LineIndex } from './exact.js';
import { oldSide } from './exact.js';

export interface WideLanding {
  pos: number;
  first: number;
  last: number;
  fuzz: number;
}

export function widerContext(
  idx: LineIndex,
  h: Hunk,
  cands: readonly number[],
  front: number,
  last: number,
  from: number,
  to: number,
): WideLanding | null {
  const len = oldSide(h, front, last).length;
  const same = (at: number, k: number): boolean => idx.keys[at] === idx.key(h.lines[k]!.text);
  const grown = cands.map((p) => {
    let up = 0;
    while (up < front && p - up - 1 >= from && same(p - up - 1, front - up - 1)) up++;
    let down = 0;
    const end = p + len;
    while (last + down < h.lines.length && end + down < to && same(end + down, last + down)) down++;
    const whole = up === front || last + down === h.lines.length;
    return { pos: p - up, first: front - up, last: last + down, kept: up + down, whole };
  });
  const keeping = grown.filter((g) => g.kept > 0);
  if (keeping.length !== 1 || !keeping[0]!.whole) return null;
  const g = keeping[0]!;
  return { pos: g.pos, first: g.first, last: g.last, fuzz: Math.max(g.first, h.lines.length - g.last) };
}
