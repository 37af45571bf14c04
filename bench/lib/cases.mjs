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
