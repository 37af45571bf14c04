/**
 * The files `grep` searches: quilt's
 *   find START... \( -path ./$QUILT_PATCHES/* -o -path ./$QUILT_PC/* \) -prune -o -type f
 * Regular files only; symbolic links are neither listed nor followed (find -P), a start
 * that is one included; in the order the directories hold them (find's order: the output
 * is quilt's line for line). Left out: everything below the patches folder and .pc, however
 * the path is spelled (quilt's -path test misses `patches/x` given without `./`).
 * Nothing here writes.
 */
import { lstatSync, opendirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Tree } from '../layout.js';

export interface SourceFiles {
  /** Paths as grep is to be given them: `./x` from the root, else START/x as typed. */
  files: string[];
  /** Folders that could not be read, as find names them, with the reason. */
  unreadable: Array<{ path: string; reason: string }>;
}

const below = (dir: string, p: string): boolean => p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/**
 * `starts`: the FILE arguments, relative to `cwd` (none: the whole tree, from its root). A
 * start that is not there is listed as it is, for grep to say so.
 */
export function sourceFiles(tree: Tree, starts: string[], cwd: string): SourceFiles {
  const res: SourceFiles = { files: [], unreadable: [] };
  const left = (abs: string) => below(tree.patchesDir, abs) || below(tree.pcDir, abs);
  const walk = (abs: string, shown: string) => {
    let dir;
    try {
      dir = opendirSync(abs);
    } catch (e) {
      res.unreadable.push({ path: shown, reason: (e as NodeJS.ErrnoException).code === 'EACCES' ? 'Permission denied' : (e as Error).message });
      return;
    }
    try {
      const prefix = shown.endsWith('/') ? shown : `${shown}/`;
      for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
        const child = join(abs, e.name);
        if (left(child)) continue;
        if (e.isDirectory()) walk(child, prefix + e.name);
        else if (e.isFile()) res.files.push(prefix + e.name);
      }
    } finally {
      dir.closeSync();
    }
  };
  if (starts.length === 0) {
    walk(tree.root, '.');
    return res;
  }
  for (const start of starts) {
    const abs = resolve(cwd, start);
    if (left(abs)) continue;
    let st;
    try {
      st = lstatSync(abs, { throwIfNoEntry: false });
    } catch {
      st = undefined; // a file where a folder of the path should be: not there either
    }
    if (!st) res.files.push(start);
    else if (st.isDirectory()) walk(abs, start);
    else if (st.isFile()) res.files.push(start);
  }
  return res;
}
