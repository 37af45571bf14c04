/**
 * Alignments of base -> text as maps: for each base line, the text line it is kept as, or
 * -1 when the text changed it. Where lines repeat, several shortest alignments exist and
 * each tells a different story of which line upstream changed (base "x _ _", text "x _":
 * the first blank or the second went). merge-touching.ts redoes its merge under several of
 * them and takes it only when they all give the same bytes.
 */
import { diffIndices } from 'node-diff3';
import { lineOps } from './diff.js';
import { script } from './edit-script.js';

export type KeptMap = Int32Array;

/** git's alignment (diff.ts + xdl_change_compact, as the merge uses it). */
export function gitMap(b: readonly string[], o: readonly string[]): KeptMap {
  const m = new Int32Array(b.length).fill(-1);
  let i = 0;
  let j = 0;
  for (const c of script(b, o)) {
    while (i < c.i1) m[i++] = j++;
    i += c.chg1;
    j += c.chg2;
  }
  while (i < b.length) m[i++] = j++;
  return m;
}

/** The same line diff on both files reversed: equal candidates are tied the other way. */
export function reversedMap(b: readonly string[], o: readonly string[]): KeptMap {
  const r = new Int32Array(b.length).fill(-1);
  let i = 0;
  let j = 0;
  for (const op of lineOps([...b].reverse(), [...o].reverse())) {
    if (op === ' ') r[i++] = j++;
    else if (op === '-') i++;
    else j++;
  }
  const m = new Int32Array(b.length).fill(-1);
  for (let k = 0; k < b.length; k++) {
    const x = r[b.length - 1 - k]!;
    m[k] = x < 0 ? -1 : o.length - 1 - x;
  }
  return m;
}

/** node-diff3's LCS alignment (quadratic: small files only). */
export function lcsMap(b: readonly string[], o: readonly string[]): KeptMap {
  const m = new Int32Array(b.length).fill(-1);
  let i = 0;
  let j = 0;
  for (const d of diffIndices(b as string[], o as string[])) {
    while (i < d.buffer1[0]) m[i++] = j++;
    i += d.buffer1[1];
    j += d.buffer2[1];
  }
  while (i < b.length) m[i++] = j++;
  return m;
}

/** Slide every run of changed lines as far up (or down) as equal lines let it. */
function slideFlags(lines: readonly string[], f: Uint8Array, up: boolean): void {
  const n = lines.length;
  if (up) {
    for (let k = 0; k < n; k++) {
      if (!f[k] || (k > 0 && f[k - 1])) continue;
      let start = k;
      let end = k;
      while (end < n && f[end]) end++;
      while (start > 0 && !f[start - 1] && lines[start - 1] === lines[end - 1]) {
        f[--start] = 1;
        f[--end] = 0;
      }
      k = end - 1;
    }
  } else {
    for (let k = n - 1; k >= 0; k--) {
      if (!f[k] || (k < n - 1 && f[k + 1])) continue;
      let end = k + 1;
      let start = k;
      while (start > 0 && f[start - 1]) start--;
      while (end < n && !f[end] && lines[start] === lines[end]) {
        f[start++] = 0;
        f[end++] = 1;
      }
      k = start;
    }
  }
}

/** In every run of equal lines, the changed ones moved to its top (or bottom). */
function packRuns(lines: readonly string[], f: Uint8Array, up: boolean): void {
  for (let k = 0; k < lines.length; ) {
    let end = k + 1;
    while (end < lines.length && lines[end] === lines[k]) end++;
    let n = 0;
    for (let i = k; i < end; i++) n += f[i]!;
    for (let i = k; i < end; i++) f[i] = (up ? i - k < n : end - i <= n) ? 1 : 0;
    k = end;
  }
}

/**
 * The same alignment told another way, as short, with the same kept lines in the same
 * order: each run of removed base lines and of added text lines slid to its top (or
 * bottom), or (`runs`) in every run of equal lines the changed ones moved to its top (or
 * bottom), which can split a run of changes:
 *   base "b b b a", text "b b a": git removes the third b; slid up, the first.
 *   base "a _ _ _ a b", text "a _ _ b": git removes "_ a" at 3-4; runs up, the first blank and the a.
 */
export function slidMap(m: KeptMap, b: readonly string[], o: readonly string[], up: boolean, runs = false): KeptMap {
  const fb = new Uint8Array(b.length);
  const fo = new Uint8Array(o.length).fill(1);
  for (let k = 0; k < b.length; k++) {
    if (m[k]! < 0) fb[k] = 1;
    else fo[m[k]!] = 0;
  }
  for (const [lines, f] of [[b, fb], [o, fo]] as const) {
    if (runs) packRuns(lines, f, up);
    else slideFlags(lines, f, up);
  }
  const out = new Int32Array(b.length).fill(-1);
  let j = 0;
  for (let k = 0; k < b.length; k++) {
    if (fb[k]) continue;
    while (fo[j]) j++;
    out[k] = j++;
  }
  return out;
}
