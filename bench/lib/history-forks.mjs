// Forks made from a real git history (issue 4's "real series across real upstream
// drift"), for the reapply suite. Source: the pallets/flask mirror that history.mjs uses
// (PATCHQ_BENCH_MIRROR, default /work/.mirror/pallets+flask/repo, brought by the `fetch`
// tool; never committed into the project), walked back from the same pinned commit.
//
// For a real commit k (not a merge) on flask's first-parent line, with parent p:
//   a        = the file at k~(DRIFT+1), DRIFT first-parent commits before p (the fork's base)
//   U        = diff(a, p): the real upstream drift of those commits
//   F        = diff(p, k): the real change of commit k, carried back onto a
//   truth    = the file at k (= a + U + F)
// F is carried back only when every change block of F sits on lines that U left alone
// (each block's lines are unchanged and consecutive in diff(a, p); an insertion's two
// neighbours are too, so U inserted nothing at that place). Then U and F are disjoint real
// changes and a + U + F is well defined; it is checked to equal the file at k. A file of
// k qualifies when it is modified by k (text, same path in a), carries back, and U is not
// empty (the file really drifted). Cases are taken in history order from the pinned
// commit back, each commit with at least one qualifying file, up to 6 files per case.
// Nothing here looks at how any tool does on a case.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { diffHunks, splitLines } from '../../dist/engine/index.js';
import { MIRROR, PINNED } from './history.mjs';

/** First-parent commits between the fork's base and its parent. */
export const DRIFT = 25;

const gitIn = (args) => execFileSync('git', [`--git-dir=${MIRROR}`, ...args], { maxBuffer: 1 << 28, encoding: 'latin1' });

export const span = (h) => {
  const s = h.oldCount === 0 ? h.oldStart : h.oldStart - 1;
  return [s, s + h.oldCount];
};

/** Apply context-free hunks in a's coordinates (sorted by place; an insertion before a change at the same line). */
export function applyUnits(aLines, hunks) {
  const sorted = [...hunks].sort((x, y) => span(x)[0] - span(y)[0] || x.oldCount - y.oldCount);
  const out = [];
  let pos = 0;
  for (const h of sorted) {
    const start = span(h)[0];
    while (pos < start) out.push(aLines[pos++]);
    pos += h.oldCount;
    for (const l of h.lines) if (l.op === '+') out.push(l.text);
  }
  while (pos < aLines.length) out.push(aLines[pos++]);
  return out.join('');
}

/** For each line of `newer`, its line in `older` when diff(older, newer) leaves it unchanged, else -1. */
function lineMap(older, newer) {
  const map = new Array(splitLines(newer).length).fill(-1);
  let o = 0;
  let n = 0;
  for (const h of diffHunks(older, newer, 0)) {
    const s = span(h)[0];
    while (o < s) map[n++] = o++;
    o += h.oldCount;
    n += h.newCount;
  }
  while (n < map.length) map[n++] = o++;
  return map;
}

/** F = diff(p, k) carried back onto a (units in a's coordinates), or null when a block touches U's lines. */
export function carryBack(a, p, k) {
  const map = lineMap(a, p);
  const aLen = splitLines(a).length;
  const out = [];
  for (const h of diffHunks(p, k, 0)) {
    const [s, e] = span(h);
    let x;
    if (e > s) {
      x = map[s];
      if (x < 0) return null;
      for (let i = s + 1; i < e; i++) if (map[i] !== map[i - 1] + 1) return null;
    } else {
      const before = s === 0 ? -1 : map[s - 1];
      const after = s === map.length ? aLen : map[s];
      if ((s > 0 && before < 0) || after < 0 || after !== before + 1) return null;
      x = after;
    }
    out.push({ ...h, oldStart: e > s ? x + 1 : x });
  }
  return out;
}

/** Lines of a between the closest upstream unit and fork unit (0: they touch). */
export const nearest = (U, F) => {
  let d = Infinity;
  for (const f of F) for (const u of U) {
    const [fs, fe] = span(f);
    const [us, ue] = span(u);
    d = Math.min(d, fe <= us ? us - fe : ue <= fs ? fs - ue : 0);
  }
  return d;
};

export const mirrorPresent = () => existsSync(MIRROR) && spawnSync('git', [`--git-dir=${MIRROR}`, 'cat-file', '-e', PINNED]).status === 0;

/** Up to `count` forks from flask's history; [] when the mirror is not there. */
export function historyCases(count, { maxFiles = 6, scan = 400 } = {}) {
  if (!mirrorPresent()) return [];
  const chain = gitIn(['rev-list', '--first-parent', '-n', String(scan + DRIFT + 2), PINNED]).trim().split('\n');
  const merges = new Set(gitIn(['rev-list', '--first-parent', '--merges', '-n', String(scan + DRIFT + 2), PINNED]).trim().split('\n'));
  const cases = [];
  for (let i = 0; i < scan && i + DRIFT + 1 < chain.length && cases.length < count; i++) {
    const k = chain[i];
    if (merges.has(k)) continue;
    const p = chain[i + 1];
    const base = chain[i + DRIFT + 1];
    const files = [];
    const changed = gitIn(['diff-tree', '-r', '--no-renames', '--numstat', p, k]).trim().split('\n').filter(Boolean);
    for (const row of changed) {
      if (files.length >= maxFiles) break;
      const [add, del, path] = row.split('\t');
      if (add === '-' || del === '-') continue; // binary
      const blob = (c) => (spawnSync('git', [`--git-dir=${MIRROR}`, 'cat-file', '-e', `${c}:${path}`]).status === 0 ? gitIn(['show', `${c}:${path}`]) : null);
      const [a, pp, kk] = [blob(base), blob(p), blob(k)];
      if (a === null || pp === null || kk === null || a === pp || pp === kk) continue;
      const F = carryBack(a, pp, kk);
      if (!F || F.length === 0) continue;
      const U = diffHunks(a, pp, 0);
      const aL = splitLines(a);
      if (applyUnits(aL, [...U, ...F]) !== kk || applyUnits(aL, U) !== pp) continue;
      files.push({ path, a, upstream: pp, fork: applyUnits(aL, F), truth: kk, near: nearest(U, F) });
    }
    if (files.length) {
      const subject = gitIn(['log', '-1', '--format=%s', k]).trim();
      cases.push({ id: `flask ${k.slice(0, 8)} (${subject.slice(0, 40)})`, group: 'history', files });
    }
  }
  return cases;
}
