/**
 * Trees a test file builds once and hands out as copies, where building them again would
 * only start the same processes again (git init, add, commit, clone; patchq new, refresh,
 * push; quilt) for the same tree. Built on first use, so each test still runs alone (-t);
 * removed with the file's other folders (temp.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tempDir } from './temp.js';

/**
 * Folders copied as `cp -a` copies them: every file with its bytes, mode and mtime to the
 * nanosecond (patchq's records and quilt's .timestamp files are compared by them), links as
 * links, hard links within a folder kept, .git and .pc included; only inode numbers and the
 * folder's name differ. A repository's remotes that name one of the folders copied (a
 * clone's origin, a fork's `upstream`) name its copy instead, in .git/config at the top of
 * a copy and in its subfolders' (base/fork/.git/config). Git sees a copy clean: its index
 * records other inodes and ctimes, so git compares those files' bytes again, which are the same.
 */
function copyAll(pairs: Array<[src: string, dst: string]>): void {
  for (const [src, dst] of pairs) {
    mkdirSync(dst, { recursive: true });
    execFileSync('cp', ['-a', `${src}/.`, dst]);
  }
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const named = new RegExp(`(${pairs.map(([src]) => escape(src)).join('|')})(?=[/"]|$)`, 'gm');
  const to = new Map(pairs);
  for (const [, dst] of pairs) {
    for (const sub of ['', ...readdirSync(dst)]) {
      const config = join(dst, sub, '.git', 'config');
      if (!existsSync(config)) continue;
      const text = readFileSync(config, 'utf8');
      const moved = text.replace(named, (src) => to.get(src)!);
      if (moved !== text) writeFileSync(config, moved);
    }
  }
}

/** A fresh copy of the folder `src` (see copyAll) in a new temp folder named `prefix`. */
export function copyTree(src: string, prefix?: string): string {
  const d = tempDir(prefix);
  copyAll([[src, d]]);
  return d;
}

/** A fresh copy of the folder `src` at <a new temp folder named `prefix`>/<src's own name> (a tree whose folder name matters: 'fork', 'proj'). */
export function copyNamed(src: string, prefix?: string): string {
  const d = join(tempDir(prefix), basename(src));
  copyAll([[src, d]]);
  return d;
}

/**
 * Fresh copies of several folders that name each other (an upstream and its clone), all in
 * one new temp folder named `prefix`, each under its own folder's name.
 */
export function copyTrees<T extends Record<string, string>>(srcs: T, prefix = 'patchq-copy-'): T {
  const base = tempDir(prefix);
  const out: Record<string, string> = {};
  for (const [k, src] of Object.entries(srcs)) out[k] = join(base, basename(src));
  copyAll(Object.keys(srcs).map((k) => [srcs[k]!, out[k]!]));
  return out as T;
}

/**
 * `build` run once, at the first call (so that a test run alone with -t builds it too),
 * then a fresh copy of the folder it built (copyTree; copyNamed with `named`) at every call:
 * each test its own tree, as when it built it itself.
 */
export function builtOnce(build: () => string, prefix?: string, opts: { named?: boolean } = {}): () => string {
  let src: string | undefined;
  return () => (opts.named ? copyNamed : copyTree)((src ??= build()), prefix);
}

/**
 * For each key: `build(key)` once, at its first call, then fresh copies (copyTrees) of the
 * folders it built at every call.
 */
export function builtOnceEach<K extends string, T extends Record<string, string>>(build: (key: K) => T, prefix?: string): (key: K) => T {
  const built = new Map<K, T>();
  return (key: K) => {
    let srcs = built.get(key);
    if (srcs === undefined) built.set(key, (srcs = build(key)));
    return copyTrees(srcs, prefix);
  };
}
