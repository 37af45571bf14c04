/**
 * Read-only questions about the stack that the listing commands ask. Kept apart from
 * index.ts so that `patchq applied` and friends load no apply/diff code (startup time).
 */
import { join } from 'node:path';
import type { PatchReport } from '../engine/types.js';
import type { Tree } from './layout.js';
import { currentRecord, readApplied, readText } from './state.js';

export function topPatch(tree: Tree): string | null {
  const a = readApplied(tree);
  return a[a.length - 1] ?? null;
}

/** How the patch landed at its last push (null: exact, refreshed since, or unknown). */
export function landingOf(tree: Tree, name: string): PatchReport | null {
  return currentRecord(tree, name)?.landing ?? null;
}

/** Applied and landed other than exactly, not refreshed since. */
export function isDrifted(tree: Tree, name: string): boolean {
  return currentRecord(tree, name)?.drifted ?? false;
}

export function needsRefresh(tree: Tree, name: string): boolean {
  return readText(join(tree.pcDir, `${name}~refresh`)) !== null;
}
