/**
 * Patch texts that differ only in the timestamps of their file header lines. A template
 * patch is made in memory, without timestamps; the one on disk may carry them (written by
 * `patchq refresh` or quilt with timestamps on). Such a pair is the same patch: a
 * regeneration must not rewrite the file (churn in the fork's history) or report it changed.
 */
import { splitNameAndStamp } from './git-headers.js';
import { eolOf, splitLines, stripEol } from './lines.js';
import { parsePatch } from './parse.js';

/** A file header line without its stamp, as the parser reads it (splitNameAndStamp); null for any other line. */
function withoutStamp(line: string): string | null {
  const m = /^(---|\+\+\+|\*\*\*) (.*)$/.exec(stripEol(line));
  return m ? `${m[1]} ${splitNameAndStamp(m[2]!).name}` : null;
}

/**
 * True when `a` and `b` are byte for byte the same patch text except for timestamps on the
 * file header lines (`--- NAME\tSTAMP` / `+++ NAME\tSTAMP`, or a context diff's `*** ` and
 * `--- `), present in one and absent or different in the other. Every other line, line end
 * and the description must be equal; the headers are found by the parser (a removed line
 * `-- x` in a hunk is not one), and each file must read as the same kind of change both ways
 * (quilt's epoch stamp marks a created or deleted file). Unparseable text: false.
 */
export function sameExceptStamps(a: string, b: string): boolean {
  if (a === b) return true;
  const la = splitLines(a);
  const lb = splitLines(b);
  if (la.length !== lb.length) return false;
  let pa, pb;
  try {
    pa = parsePatch(a, { strip: 0 });
    pb = parsePatch(b, { strip: 0 });
  } catch {
    return false;
  }
  if (pa.files.length !== pb.files.length) return false;
  const heads = new Set<number>();
  for (let k = 0; k < pa.files.length; k++) {
    const [x, y] = [pa.files[k]!, pb.files[k]!];
    if (x.patchLine !== y.patchLine || x.kind !== y.kind || x.git !== y.git) return false;
    // git's headers carry no timestamps; for the others the file starts at its ---/*** line.
    if (!x.git) heads.add(x.patchLine - 1).add(x.patchLine);
  }
  for (let i = 0; i < la.length; i++) {
    const [x, y] = [la[i]!, lb[i]!];
    if (x === y) continue;
    if (!heads.has(i) || eolOf(x) !== eolOf(y)) return false;
    const nx = withoutStamp(x);
    if (nx === null || nx !== withoutStamp(y)) return false;
  }
  return true;
}
