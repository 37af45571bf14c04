/**
 * Where did a file go? For a patch whose file is no longer in the tree: the files upstream
 * added between the commit the patch was made on and HEAD whose content is the old file's,
 * exactly or nearly, as git's rename detection judges it (here: the share of lines the two
 * have in common, at least half). Read-only, and only asked when a file is missing.
 */
import { filesAdded, readBlob, readFileAt, type Repo } from './index.js';

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

/** Lines two texts share (as multisets), as a percent of the longer one's lines. */
export function similarity(a: string, b: string): number {
  if (a === b) return 100;
  const la = a.split('\n');
  const lb = b.split('\n');
  if (la.at(-1) === '') la.pop();
  if (lb.at(-1) === '') lb.pop();
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
    for (const [p, oid] of added) {
      const text = await readBlob(repo, oid);
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
