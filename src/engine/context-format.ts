/**
 * A unified hunk written as a context diff hunk (`diff -c`, quilt's refresh -c / diff -C N):
 *   ***************
 *   *** 1,5 ****        old side, shown when the hunk removes a line
 *     1
 *   ! old               a line changed, "-" removed only, "+" added only
 *   --- 1,5 ----        new side, shown when the hunk adds a line
 *     1
 *   ! new
 * Ranges are "first,last", one number when they hold one line (or none: the line before).
 * The same lines as the unified hunk, so the parser reads it back to the same hunk.
 */
import type { Hunk, HunkLine } from './types.js';

function range(start: number, count: number): string {
  if (count === 0) return `${start}`;
  return count === 1 ? `${start}` : `${start},${start + count - 1}`;
}

/** Each line of the hunk with its context-diff mark: ' ' kept, '!' in a block that does both. */
function marks(lines: readonly HunkLine[]): string[] {
  const out: string[] = new Array(lines.length).fill('  ');
  for (let i = 0; i < lines.length; ) {
    if (lines[i]!.op === ' ') {
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]!.op !== ' ') j++;
    const both = lines.slice(i, j).some((l) => l.op === '-') && lines.slice(i, j).some((l) => l.op === '+');
    for (let k = i; k < j; k++) out[k] = both ? '! ' : `${lines[k]!.op} `;
    i = j;
  }
  return out;
}

const line = (mark: string, text: string): string => mark + text + (text.endsWith('\n') ? '' : '\n\\ No newline at end of file\n');

export function formatContextHunk(h: Hunk): string {
  const m = marks(h.lines);
  let t = `***************${h.section ? ` ${h.section}` : ''}\n*** ${range(h.oldStart, h.oldCount)} ****\n`;
  if (h.lines.some((l) => l.op === '-')) h.lines.forEach((l, i) => l.op !== '+' && (t += line(m[i]!, l.text)));
  t += `--- ${range(h.newStart, h.newCount)} ----\n`;
  if (h.lines.some((l) => l.op === '+')) h.lines.forEach((l, i) => l.op !== '-' && (t += line(m[i]!, l.text)));
  return t;
}
