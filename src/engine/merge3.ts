/**
 * Line-based 3-way merge (node-diff3) shaped like `git merge-file -p ours base theirs`.
 *   base "a\nb\nc\n", ours "A\nb\nc\n", theirs "a\nb\nC\n" -> clean "A\nb\nC\n"
 * Lines keep their terminators (types.ts contract), so CRLF and a missing final newline
 * go through byte for byte. Where both sides changed the same lines differently the
 * result carries git-style markers:
 *   <<<<<<< ours / [||||||| base (diff3 style)] / ======= / >>>>>>> theirs
 * A conflict side whose last line has no newline gets one before the next marker, as git
 * does, so the markers stay on their own lines.
 */
import { diff3Merge } from 'node-diff3';
import { splitLines } from './lines.js';

export interface Merge3Options {
  style?: 'merge' | 'diff3';
  labels?: { ours?: string; base?: string; theirs?: string };
}

export interface Merge3Result {
  clean: boolean;
  conflicts: number;
  text: string;
}

function side(lines: readonly string[], eol: string): string {
  const t = lines.join('');
  return t === '' || t.endsWith('\n') ? t : t + eol;
}

export function merge3(ours: string, base: string, theirs: string, opts: Merge3Options = {}): Merge3Result {
  const o = splitLines(ours);
  const regions = diff3Merge(o, splitLines(base), splitLines(theirs), { excludeFalseConflicts: true });
  const eol = o.some((l) => l.endsWith('\r\n')) ? '\r\n' : '\n';
  const lab = { ours: 'ours', base: 'base', theirs: 'theirs', ...opts.labels };
  let text = '';
  let conflicts = 0;
  for (const r of regions) {
    if (r.ok) {
      text += r.ok.join('');
      continue;
    }
    conflicts++;
    const c = r.conflict!;
    text += `<<<<<<< ${lab.ours}${eol}` + side(c.a, eol);
    if (opts.style === 'diff3') text += `||||||| ${lab.base}${eol}` + side(c.o, eol);
    text += `=======${eol}` + side(c.b, eol) + `>>>>>>> ${lab.theirs}${eol}`;
  }
  return { clean: conflicts === 0, conflicts, text };
}
