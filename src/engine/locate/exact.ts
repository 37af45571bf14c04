/**
 * Exact search of a hunk's old side, with a line-hash index so that the work is about
 * (occurrences of the rarest needle line) x (needle length), not file x needle.
 *   file keys:  ["a\n","b\n","a\n","b\n"], needle ["a\n","b\n"] -> [0, 2]
 * A 10,000-hunk patch on a 100k-line file therefore stays fast: each hunk anchors on
 * its least frequent line (usually unique code, not a blank line or a brace).
 *
 * Keys: lines are compared through a key function. `rawKey` is byte-exact;
 * `crlfKey` maps a trailing "\r\n" to "\n" so an LF patch matches a CRLF file
 * (a last line without terminator keeps no terminator, so it stays byte-exact).
 */
import type { Hunk } from '../types.js';
import type { Landing } from './fuzzy.js';

export type KeyFn = (line: string) => string;

export const rawKey: KeyFn = (l) => l;
export const crlfKey: KeyFn = (l) => (l.endsWith('\r\n') ? l.slice(0, -2) + '\n' : l);

export class LineIndex {
  readonly keys: readonly string[];
  /** Built on the first search: a patch that lands at its stated lines never needs it. */
  private where: Map<string, number[]> | null = null;

  constructor(lines: readonly string[], readonly key: KeyFn) {
    this.keys = key === rawKey ? (lines as string[]) : lines.map(key);
  }

  positions(k: string): readonly number[] {
    if (!this.where) {
      const where = new Map<string, number[]>();
      this.keys.forEach((key, i) => {
        const list = where.get(key);
        if (list) list.push(i);
        else where.set(key, [i]);
      });
      this.where = where;
    }
    return this.where.get(k) ?? [];
  }
}

/** First index in a sorted list that is >= v. */
function lowerBound(list: readonly number[], v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every start position p in [from, to - needle.length] where the needle (raw lines,
 * keyed with the index's key) occurs; ascending. An empty needle has no evidence and
 * returns [] (the caller places pure insertions by their stated line).
 */
export function findExact(index: LineIndex, needle: readonly string[], from = 0, to = index.keys.length): number[] {
  if (needle.length === 0) return [];
  const keys = needle.map(index.key);
  let anchor = 0;
  let best = Infinity;
  for (let k = 0; k < keys.length; k++) {
    const n = index.positions(keys[k]!).length;
    if (n < best) {
      best = n;
      anchor = k;
    }
    if (n === 0) return [];
  }
  const list = index.positions(keys[anchor]!);
  const out: number[] = [];
  for (let i = lowerBound(list, from + anchor); i < list.length; i++) {
    const p = list[i]! - anchor;
    if (p + keys.length > to) break;
    let ok = true;
    for (let k = 0; k < keys.length && ok; k++) ok = index.keys[p + k] === keys[k];
    if (ok) out.push(p);
  }
  return out;
}

/** Old-side texts (context and removed lines) of hunk.lines[first, last). */
export function oldSide(h: Hunk, first = 0, last = h.lines.length): string[] {
  return h.lines.slice(first, last).filter((l) => l.op !== '+').map((l) => l.text);
}

/** 0-based index where a hunk's old side starts ("@@ -5,0" inserts after line 5 = index 5). */
export const statedIndex = (h: Hunk): number => (h.oldCount > 0 ? h.oldStart - 1 : h.oldStart);

export const whole = (h: Hunk, pos: number): Landing => ({ pos, first: 0, last: h.lines.length, fuzz: 0, similarity: 1, kind: 'exact' });

/**
 * How many of the hunk's old-side lines differ, line for line, from the text at index q:
 * Infinity when more than `max` do or the old side does not fit in [from, to).
 */
export function differingAt(idx: LineIndex, h: Hunk, q: number, from: number, to: number, max: number): number {
  const old = oldSide(h);
  if (old.length === 0 || q < from || q + old.length > to) return Infinity;
  let differ = 0;
  for (let k = 0; k < old.length && differ <= max; k++) if (idx.keys[q + k] !== idx.key(old[k]!)) differ++;
  return differ <= max ? differ : Infinity;
}

/** Every hunk exactly at its stated line, or null (identity step, and `theirs` for merging). */
export function landAtStated(hunks: readonly Hunk[], idx: LineIndex): Landing[] | null {
  const out: Landing[] = [];
  let end = 0;
  for (const h of hunks) {
    const pos = statedIndex(h);
    const need = oldSide(h).map(idx.key);
    if (pos < end || pos + need.length > idx.keys.length) return null;
    if (need.some((k, i) => idx.keys[pos + i] !== k)) return null;
    out.push(whole(h, pos));
    end = pos + need.length;
  }
  return out;
}
