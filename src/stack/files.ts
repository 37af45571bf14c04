/** Reading tree files through the guard, and mode helpers shared by the ops. */
import { join } from 'node:path';
import { resolveInside } from '../fsx/guard.js';
import type { Tree } from './layout.js';
import { fileMode, readText } from './state.js';

export function readTreeFile(tree: Tree, rel: string, where: { file?: string; line?: number } = {}): string | null {
  return readText(resolveInside(tree.root, rel, where));
}

export const treePath = (tree: Tree, rel: string) => join(tree.root, rel);

/** "100755" -> 0o755; undefined when not given. */
export function parseMode(mode: string | undefined): number | undefined {
  if (!mode || !/^[0-7]+$/.test(mode)) return undefined;
  return parseInt(mode.slice(-4), 8) & 0o7777;
}

export const modeOf = (tree: Tree, rel: string): number | null => fileMode(join(tree.root, rel));
