/**
 * Pre-images for the engine's 3-way step, read from git only when a hunk needs one (push
 * asks for files that failed, or landed fuzzy or at an offset).
 */
import type { FilePatch } from '../engine/types.js';
import { applyFilePatch } from '../engine/apply.js';
import { parsePatch } from '../engine/parse.js';
import { findGitDir, readBlob, readFileAt } from '../git/index.js';
import type { Tree } from './layout.js';
import { readPatch } from './patchfile.js';
import { readSeriesOf } from './state.js';

/**
 * Where the 3-way step finds a pre-image:
 *   1. the blob named by the file's `index` line, when git has it;
 *   2. the file at the patch's `Patchq-Base:` commit, with the patches BELOW it in the
 *      series applied exactly (as they were when it was refreshed): in a stack, patch 3's
 *      pre-image of settings_db.py is upstream's file plus what patches 1-2 did to it.
 *   3. for a patch that names no base (made by quilt, or by patchq before its first
 *      reapply), the same at `fallback`: reapply passes the commit before the pull
 *      (ORIG_HEAD), where such a patch was made.
 * Anything that does not apply exactly on the way means no base (the cascade then goes
 * on to fuzzy, which must be unique): a wrong base would be worse than none. (The engine
 * also uses a base only if every hunk fits it at its stated line.)
 */
export function makeBaseFor(
  tree: Tree,
  oldText: (name: string) => string | null = (n) => readPatch(tree, n),
  fallback: string | null = null,
): (patch: string, file: FilePatch) => Promise<string | null> {
  const repo = findGitDir(tree.root);
  const series = readSeriesOf(tree);
  const cache = new Map<string, string | null>();
  return async (patch, file) => {
    if (!repo) return null;
    if (file.index && !/^0+$/.test(file.index.oldId)) {
      const blob = await readBlob(repo, file.index.oldId);
      if (blob !== null) return blob;
    }
    const path = file.oldPath;
    const commit = /^Patchq-Base: ([0-9a-f]{7,40})$/m.exec(oldText(patch) ?? '')?.[1] ?? fallback;
    if (!commit || !path) return null;
    const key = `${patch}\0${path}`;
    if (!cache.has(key)) {
      let text = await readFileAt(repo, commit, path);
      for (const e of series.slice(0, series.findIndex((x) => x.name === patch))) {
        const t = oldText(e.name);
        if (t === null) continue;
        for (const f of parsePatch(t, { strip: e.strip, fileName: e.name }).files) {
          if ((f.newPath ?? f.oldPath) !== path) continue;
          const r = applyFilePatch(f, { text }, { fuzz: 0, fuzzy: false, merge: 'none', reverse: e.reverse });
          text = r.report.status === 'ok' && r.report.hunks.every((h) => h.status === 'exact') ? r.text : null;
          if (text === null) break;
        }
        if (text === null) break;
      }
      cache.set(key, text);
    }
    return cache.get(key)!;
  };
}
