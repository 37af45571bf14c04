/**
 * Remove a directory tree: one readdir and one rmdir per folder, one unlink per file
 * (node's rmSync(recursive) also lstats every entry and tries each rmdir twice; a pop -a
 * removes a few hundred folders this way). Nothing there is nothing to do.
 */
import { readdirSync, rmdirSync, unlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

export function removeTree(path: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') return unlinkSync(path);
    throw e;
  }
  for (const entry of entries) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) removeTree(p);
    else unlinkSync(p);
  }
  rmdirSync(path);
}
