/**
 * Where did a file go? For a patch whose file is no longer in the tree: the files upstream
 * added between the commit the patch was made on and HEAD whose content is the old file's,
 * exactly or nearly, as git's rename detection judges it (here: the share of lines the two
 * have in common, at least half). Read-only, and only asked when a file is missing.
 */
import { filesAdded, objectsDir, readBlob, readFileAt, type Repo } from './index.js';
import { gitBlobId } from '../engine/git-hash.js';
import { blobHead } from './objects.js';

export interface RenameCandidate {
  path: string;
  /** Percent of lines shared (100: the same content). */
  similarity: number;
}

export interface RenameFinding {
  /** The path the patch names, gone from the tree. */
  path: string;
  /** The clear best candidate, or null (none, or no clear one: see candidates). */
  renamedTo: string | null;
  similarity: number | null;
  /** Every candidate at or above the threshold, best first (at most 5). */
  candidates: RenameCandidate[];
}

/** A rename needs at least this much shared (git's default, -M50%). */
export const MIN_SIMILARITY = 50;
/** A best candidate is clear when the next is this many points behind (or it alone is exact). */
const CLEAR_MARGIN = 10;

let lookups = 0;
/** How many times findRenames went to git in this process (a run with no missing file: none). */
export const renameLookups = (): number => lookups;
let wholeReads = 0;
/** How many added files findRenames read whole (to compare, or all of it to count its lines), in this process. */
export const renameBlobReads = (): number => wholeReads;

/** A text's lines as similarity counts them: split at '\n', no empty last one. */
function linesOf(t: string): string[] {
  const l = t.split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
}

/** Lines two texts share (as multisets), as a percent of the longer one's lines. */
export function similarity(a: string, b: string): number {
  if (a === b) return 100;
  const la = linesOf(a);
  const lb = linesOf(b);
  const longest = Math.max(la.length, lb.length);
  if (longest === 0) return 100;
  const count = new Map<string, number>();
  for (const l of la) count.set(l, (count.get(l) ?? 0) + 1);
  let shared = 0;
  for (const l of lb) {
    const n = count.get(l) ?? 0;
    if (n > 0) {
      shared++;
      count.set(l, n - 1);
    }
  }
  return Math.floor((shared * 100) / longest);
}

/**
 * For each of `paths` (missing now): its content at `base` (or, when the base lacks it, the
 * blob its patch's `index` line names, in `oldBlobs`), compared with each file at HEAD that
 * `base` does not have.
 */
export async function findRenames(repo: Repo, base: string, paths: string[], oldBlobs: Map<string, string> = new Map()): Promise<RenameFinding[]> {
  lookups++;
  // Without the tree the patch was made on there is no telling what upstream added: a file
  // that was there all along and only looks alike is no rename. No finding, no guess.
  const added = await filesAdded(repo, base, 'HEAD');
  if (!added) return [];
  const out: RenameFinding[] = [];
  for (const path of paths) {
    let old = await readFileAt(repo, base, path);
    const blob = oldBlobs.get(path);
    if (old === null && blob) old = await readBlob(repo, blob);
    if (old === null) continue; // nothing known of what it held: no finding, the report says "deleted or renamed"
    const found: RenameCandidate[] = [];
    const bound = boundsFor(old);
    for (const [p, oid] of added) {
      const text = await candidateText(repo, oid, bound);
      if (text === null || text.includes('\0')) continue;
      const s = similarity(old, text);
      if (s >= MIN_SIMILARITY) found.push({ path: p, similarity: s });
    }
    found.sort((x, y) => y.similarity - x.similarity || x.path.localeCompare(y.path));
    const [best, next] = found;
    const clear = best !== undefined && (next === undefined || best.similarity - next.similarity >= CLEAR_MARGIN);
    out.push({ path, renamedTo: clear ? best.path : null, similarity: clear ? best.similarity : null, candidates: found.slice(0, 5) });
  }
  return out;
}

interface Bounds {
  maxNewlines: number;
  minBytes: number;
  /** The old file's mean line length: how big a first piece to read of a file. */
  meanLine: number;
}

/**
 * What a file must have to share at least half of the old file's lines (similarity >= 50:
 * shared * 2 >= max(old lines, new lines), shared <= old lines):
 *   - at most twice the old file's lines: more than that many newlines rules it out;
 *   - at least half the old lines (rounded up) of it: so at least the bytes of that many
 *     of its shortest lines, each with its newline (the last may lack one).
 * Example: old "a\nbb\nccc\ndddd\n" (4 lines): a file of more than 8 newlines, or of fewer
 * than 1 + 2 + 1 = 4 bytes ("a\nbb"), cannot be 50% similar.
 */
function boundsFor(old: string): Bounds {
  const lens = linesOf(old).map((l) => l.length).sort((x, y) => x - y);
  const need = Math.ceil(lens.length / 2);
  const minBytes = need === 0 ? 0 : lens.slice(0, need).reduce((s, n) => s + n, 0) + need - 1;
  const meanLine = lens.length ? Math.ceil(lens.reduce((s, n) => s + n, 0) / lens.length) : 0;
  return { maxNewlines: 2 * lens.length, minBytes, meanLine };
}

/** Newlines in a latin1 text. */
function newlines(t: string): number {
  let n = 0;
  for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * An added file's content, or null when its header or its first lines show it cannot be
 * 50% similar (too small, too many lines, binary): most files a large pull adds are never
 * read whole. Whatever the object files do not tell (a delta, an alternate store) is read
 * whole, as before; content read from them is checked against the blob's id.
 */
async function candidateText(repo: Repo, oid: string, b: Bounds): Promise<string | null> {
  const head = blobHead(objectsDir(repo), oid);
  if (head && head.size < b.minBytes) return null;
  if (head?.prefix) {
    // A piece at a time, first about what twice the allowed lines of the old file's length
    // take: a file with too many lines shows it in its first ones.
    for (let n = Math.max(4096, 2 * (b.maxNewlines + 1) * (b.meanLine + 1)); ; n *= 4) {
      const part = head.prefix(n);
      if (part === null) break;
      const whole = part.length === head.size;
      if (whole) wholeReads++;
      if (newlines(part) > b.maxNewlines || part.includes('\0')) return null;
      if (!whole) continue;
      if (gitBlobId(part) === oid) return part;
      break; // not what git holds (this reader got it wrong): read it as before
    }
  }
  wholeReads++;
  return readBlob(repo, oid);
}
