/**
 * Where upstream put the files of a stopped patch that are gone from the tree: asked of git
 * (read-only) between the commit the patch was made on (its `Patchq-Base:`, else the commit
 * before the pull) and HEAD. The run and --check both ask here, so both say the same.
 */
import type { FilePatch } from '../engine/types.js';
import { findGitDir } from '../git/index.js';
import { findRenames, type RenameFinding } from '../git/renames.js';

/**
 * `patchText`: the patch as it was before the run rewrote anything (its header names its
 * base); `preBase`: ORIG_HEAD as the run started; `gone`: the report's missing paths;
 * `files`: the parsed patch (an `index` line names a file's old blob when the base lacks it).
 */
export async function renamesOf(root: string, patchText: string, preBase: string | null, gone: string[], files: readonly FilePatch[]): Promise<RenameFinding[]> {
  if (gone.length === 0) return [];
  const repo = findGitDir(root);
  if (!repo) return [];
  const base = /^Patchq-Base: ([0-9a-f]{7,40})$/m.exec(patchText)?.[1] ?? preBase ?? null;
  if (!base) return []; // no commit the patch was made on: nothing tells a rename from a look-alike
  const blobs = new Map<string, string>();
  for (const f of files) {
    const p = f.newPath ?? f.oldPath;
    if (p && f.index && !/^0+$/.test(f.index.oldId)) blobs.set(p, f.index.oldId);
  }
  try {
    return await findRenames(repo, base, gone, blobs);
  } catch {
    return []; // a report without the hint is still right; a crash here would lose the stop
  }
}
