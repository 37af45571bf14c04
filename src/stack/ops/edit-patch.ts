/**
 * A person edits a compressed patch (.gz, .bz2, .xz...) through a plain copy: $EDITOR on the
 * patch file itself would get the compressed bytes. Used by the TUI's `e`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import type { Tree } from '../layout.js';
import { readPatch, writePatchOp } from '../patchfile.js';
import { withLock } from '../session.js';
import { applyTransaction } from '../transaction.js';

/**
 * The patch's text in a temp file named like the patch without its compression suffix
 * (so an editor knows it for a diff), `edit` run on it, and the text written back
 * compressed, atomically, when it changed. Returns whether it changed.
 */
export function editPatchCopy(tree: Tree, name: string, edit: (file: string) => void): boolean {
  const text = readPatch(tree, name);
  if (text === null) throw new PatchqError('E_NOT_FOUND', `Patch ${name} does not exist`);
  const dir = mkdtempSync(join(tmpdir(), 'patchq-edit-'));
  try {
    const file = join(dir, basename(name).replace(/\.(gz|bz2|xz|lzma|lz)$/, '').replace(/\.tgz$/, '.tar'));
    writeFileSync(file, Buffer.from(text, 'latin1'));
    edit(file);
    const after = readFileSync(file, 'latin1');
    if (after === text) return false;
    withLock(tree, () => applyTransaction(tree, [writePatchOp(tree, name, after)]));
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
