/**
 * Naming a patch on the command line, as quilt's find_patch does: `patches/x.diff`,
 * `x.diff` and plain `x` all name the series entry `x.diff`. An entry spelled exactly as
 * given wins over one found by adding an extension (.patch, .diff, .dif, then .gz, .bz2,
 * .xz, .lzma, .lz); two entries found only by extension is an error, not a guess. An empty
 * series says so before any name is looked for ('No patches in series', or 'No series file
 * found' without one), as quilt's find_patch.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import type { Tree } from './layout.js';

const EXT = /^(|\.patch|\.diff?)(|\.gz|\.bz2|\.xz|\.lzma|\.lz)$/;

export function findPatch(tree: Tree, names: readonly string[], given: string, cwd?: string): string {
  let bare = given;
  // quilt strips "$SUBDIR_DOWN$QUILT_PATCHES/": the patches folder as seen from where you stand.
  const prefixes = [`${tree.patchesName}/`, `${relative(cwd ?? tree.root, tree.patchesDir)}/`];
  for (const p of prefixes) {
    if (p !== '/' && bare.startsWith(p)) {
      bare = bare.slice(p.length);
      break;
    }
  }
  if (names.length === 0) throw new PatchqError('E_STATE', existsSync(tree.seriesPath) ? 'No patches in series' : 'No series file found');
  if (names.includes(bare)) return bare;
  const found = names.filter((n) => n.startsWith(bare) && EXT.test(n.slice(bare.length)));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new PatchqError('E_USAGE', `Patch ${given} is ambiguous: ${found.join(', ')}`);
  throw new PatchqError('E_NOT_FOUND', `Patch ${given} is not in series`);
}
