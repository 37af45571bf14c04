// Drift cases with a KNOWN RIGHT ANSWER, generated from real diffs (git's t4105 idea).
//
// For two real versions a and c of a file: take the minimal hunks of diff(a, c) (no
// context), split them with a seeded RNG into an "upstream" group U and a "fork" group F.
//   upstream = a + U          (what the fork pulls)
//   patch    = diff(a, a + F) (the fork's patch, made on a, git style with index lines)
//   truth    = a + U + F      (both groups at their original places)
// Hunks of U and F that touch or sit next to each other make the truth ill-defined, so
// such splits keep a gap of at least one unchanged line between U and F hunks.
import { splitLines } from '../../dist/engine/lines.js';
import { diffHunks, makeFileDiff } from '../../dist/engine/index.js';
import { rng } from './corpus.mjs';

/** Apply context-free hunks (from diffHunks(a, c, 0)) to a's lines. */
function applyGroup(aLines, hunks) {
  const out = [];
  let pos = 0; // 0-based index into aLines
  for (const h of hunks) {
    const start = h.oldCount === 0 ? h.oldStart : h.oldStart - 1;
    while (pos < start) out.push(aLines[pos++]);
    pos += h.oldCount;
    for (const l of h.lines) if (l.op === '+') out.push(l.text);
  }
  while (pos < aLines.length) out.push(aLines[pos++]);
  return out.join('');
}

const span = (h) => {
  const start = h.oldCount === 0 ? h.oldStart : h.oldStart - 1; // 0-based first old line touched
  return [start, start + h.oldCount]; // half-open
};

/** Cases for one file pair. `seeds` different splits; returns [{id, a, upstream, patch, truth}]. */
export function makeCases(id, a, c, seeds) {
  if (a === c) return [];
  const all = diffHunks(a, c, 0);
  if (all.length < 2 || all.length > 400) return [];
  const aLines = splitLines(a);
  const cases = [];
  for (const seed of seeds) {
    const r = rng(seed * 7919 + all.length);
    const inF = all.map(() => r() < 0.5);
    if (!inF.some(Boolean) || inF.every(Boolean)) continue;
    // Keep a gap between groups: adjacent hunks of different groups are not independent.
    let ok = true;
    for (let i = 1; i < all.length; i++) {
      if (inF[i] !== inF[i - 1] && span(all[i])[0] - span(all[i - 1])[1] < 1) ok = false;
    }
    if (!ok) continue;
    const F = all.filter((_, i) => inF[i]);
    const U = all.filter((_, i) => !inF[i]);
    const fork = applyGroup(aLines, F);
    const upstream = applyGroup(aLines, U);
    const truth = applyGroup(aLines, all);
    const patch = makeFileDiff(a, fork, { oldPath: 'file', newPath: 'file', style: 'git', context: 3 });
    if (patch === '' || upstream === a) continue;
    cases.push({ id: `${id}#${seed}`, a, upstream, patch, truth });
  }
  return cases;
}

/**
 * "Ambiguous duplicate pre-image" cases (the flask case of issue 2, built on real code):
 * the fork patch is ONE real hunk of diff(a, c); upstream copies a block of a around that
 * hunk's pre-image (context included) and inserts the copy j = 1..5 lines above the
 * block, plus the other real hunks of diff(a, c) that keep clear of it. The copy is
 * NEARER to the stated line than the original (which moved down by the copy's length),
 * so a nearest-first search patches the copy: wrong. The right answer is the original:
 *   truth = a + U + copy + F (F at the original place).
 */
export function makeAmbiguousCases(id, a, c, seeds) {
  if (a === c) return [];
  const all = diffHunks(a, c, 0);
  if (all.length < 1 || all.length > 400) return [];
  const aLines = splitLines(a);
  const cases = [];
  for (const seed of seeds) {
    const r = rng(seed * 104729 + all.length);
    const k = Math.floor(r() * all.length);
    const f = all[k];
    const [s, e] = span(f);
    const blockStart = Math.max(0, s - 3 - Math.floor(r() * 4));
    const blockEnd = Math.min(aLines.length, e + 3 + Math.floor(r() * 4));
    const j = 1 + Math.floor(r() * 5);
    const at = blockStart - j;
    if (at < 0) continue;
    const copy = { oldStart: at, oldCount: 0, lines: aLines.slice(blockStart, blockEnd).map((text) => ({ op: '+', text })) };
    // Other real hunks stay upstream when they keep clear of the copied block and its insertion point.
    const U = all.filter((h, i) => {
      if (i === k) return false;
      const [hs, he] = span(h);
      return he < at - 1 || hs > blockEnd + 1;
    });
    const F = [f];
    const fork = applyGroup(aLines, F);
    const ups = [...U, copy].sort((x, y) => span(x)[0] - span(y)[0]);
    const upstream = applyGroup(aLines, ups);
    const truth = applyGroup(aLines, [...ups, f].sort((x, y) => span(x)[0] - span(y)[0] || (x === copy ? -1 : 1)));
    const patch = makeFileDiff(a, fork, { oldPath: 'file', newPath: 'file', style: 'git', context: 3 });
    if (patch === '' || truth === upstream) continue;
    cases.push({ id: `${id}#dup${seed}`, a, upstream, patch, truth });
  }
  return cases;
}
