/** Reading tree files through the guard, and mode helpers shared by the ops. */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { resolveInsideStat } from '../fsx/guard.js';
import type { Tree } from './layout.js';
import { fileMode, readText } from './state.js';

export function readTreeFile(tree: Tree, rel: string, where: { file?: string; line?: number } = {}): string | null {
  return readTreeEntry(tree, rel, where)?.text ?? null;
}

/** A tree file's text (latin1) and mode, through the guard; null when absent. */
export function readTreeEntry(tree: Tree, rel: string, where: { file?: string; line?: number } = {}): { text: string; mode: number } | null {
  const { full, st } = resolveInsideStat(tree.root, rel, where);
  if (!st) return null;
  // Not a regular file (a directory, a fifo): read as before, so the error is the usual one.
  if (!st.isFile()) {
    const text = readText(full);
    return text === null ? null : { text, mode: st.mode & 0o7777 };
  }
  return { text: readFileSync(full, 'latin1'), mode: st.mode & 0o7777 };
}

export const treePath = (tree: Tree, rel: string) => join(tree.root, rel);

/** "100755" -> 0o755; undefined when not given. */
export function parseMode(mode: string | undefined): number | undefined {
  if (!mode || !/^[0-7]+$/.test(mode)) return undefined;
  return parseInt(mode.slice(-4), 8) & 0o7777;
}

export const modeOf = (tree: Tree, rel: string): number | null => fileMode(join(tree.root, rel));
