/**
 * annotate: each line of a file with the applied patch that last put it there (quilt's
 * `annotate [-P PATCH] FILE`). The patches that touch the file are numbered 1, 2, ... in
 * series order; a line no patch wrote has no number.
 *   1<TAB>Bar          written by the first patch that touches the file
 *   <TAB>foo           upstream's line
 * Up to PATCH (default: the top): then the file as the next patch found it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { diffHunks } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import { splitLines } from '../../engine/lines.js';
import { displayName, type Tree } from '../layout.js';
import { loadState } from '../session.js';
import { backupDir, readBackup, readRecord } from '../state.js';
import { readTreeFile } from '../files.js';

export interface Annotated {
  /** The file's lines (without their line ends), each with its patch number or null. */
  lines: Array<{ patch: number | null; text: string }>;
  /** The patches numbered 1, 2, ...: those up to PATCH that touch the file. */
  patches: string[];
}

export function annotate(tree: Tree, file: string, opts: { patch?: string } = {}): Annotated {
  const { series, applied } = loadState(tree);
  // As quilt's annotate: without -P it annotates up to the top patch, and there is none.
  if (opts.patch === undefined && applied.length === 0) throw new PatchqError('E_STATE', series.length === 0 ? 'No patches in series' : 'No patches applied');
  const upTo = opts.patch ?? applied[applied.length - 1];
  if (upTo !== undefined && !applied.includes(upTo)) throw new PatchqError('E_STATE', `Patch ${displayName(tree, upTo)} is not applied`);
  const patches: string[] = [];
  const texts: string[] = [];
  const at = upTo === undefined ? -1 : applied.indexOf(upTo);
  const text = (p: string) => readBackup(tree, p, file, readRecord(tree, p)).text ?? '';
  for (const p of applied.slice(0, at + 1)) {
    if (!existsSync(join(backupDir(tree, p), file))) continue;
    patches.push(p);
    texts.push(text(p));
  }
  // The file as the last counted patch left it: the next patch's backup, or the tree's.
  const next = applied.slice(at + 1).find((p) => existsSync(join(backupDir(tree, p), file)));
  texts.push(next ? text(next) : (readTreeFile(tree, file) ?? ''));
  const marks: Array<number | null> = splitLines(texts[0]!).map(() => null);
  for (let n = 0; n < patches.length; n++) {
    // Last hunk first, so earlier positions stay where they are.
    for (const h of diffHunks(texts[n]!, texts[n + 1]!, 0).reverse()) {
      const start = h.oldCount > 0 ? h.oldStart - 1 : h.oldStart;
      marks.splice(start, h.oldCount, ...new Array<number>(h.newCount).fill(n + 1));
    }
  }
  const last = splitLines(texts[texts.length - 1]!);
  return { lines: last.map((l, i) => ({ patch: marks[i] ?? null, text: l.replace(/\r?\n$/, '') })), patches };
}
