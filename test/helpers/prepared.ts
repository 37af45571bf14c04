/**
 * A tree made once per test file and copied for each test that starts from it, where
 * making it again would only start the same processes again (the binary, quilt, git) for
 * the same tree. Made on first use, so each test still runs alone (-t); removed with the
 * file's other folders (temp.ts). The copy is `cp -a`: mtimes to the nanosecond (patchq's
 * records and quilt's .timestamp files are compared by them) and hard links within the tree
 * kept; only inode numbers and the folder's name differ.
 */
import { execFileSync } from 'node:child_process';
import { tempDir } from './temp.js';

/** A copy of `from` in a fresh temp folder, as `cp -a` makes it. */
export function copyTree(from: string, prefix?: string): string {
  const d = tempDir(prefix);
  execFileSync('cp', ['-a', `${from}/.`, d]);
  return d;
}

/** `build` run once, on the first call; every call returns a fresh copy of what it made. */
export function prepared(build: () => string): () => string {
  let made: string | undefined;
  return () => copyTree((made ??= build()));
}
