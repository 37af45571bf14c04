/**
 * Git access for the 3-way step, over isomorphic-git.
 *
 * isomorphic-git loads a whole packfile on its first object read (~1 s and ~500 MB on a
 * 274 MB pack), so: the module is imported lazily, only when a hunk needs a base; one
 * `cache` object is shared by every call in the process; and nothing here writes
 * (never statusMatrix, which rewrites .git/index without a lock).
 */
import { existsSync, promises, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** What isomorphic-git reads files through: node:fs's promises (a namespace import of node:fs costs every start a copy of its ~100 members in the CommonJS bundle). */
const fs = { get promises() { return promises; } };

export interface Repo {
  /** Work tree root. */
  dir: string;
  gitdir: string;
}

type Git = typeof import('isomorphic-git');
let git: Git | null = null;
const cache: Record<string, unknown> = {};

async function load(): Promise<Git> {
  // Through import-git.ts, itself imported when needed: see src/import-tui.ts.
  git ??= (await (await import('./import-git.js')).importGit()).default as unknown as Git;
  return git;
}

/** The repository holding `start`, following `.git` files (worktrees, submodules). */
export function findGitDir(start: string): Repo | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotgit = join(dir, '.git');
    if (existsSync(dotgit)) {
      if (statSync(dotgit).isDirectory()) return { dir, gitdir: dotgit };
      const m = /^gitdir: (.+)$/m.exec(readFileSync(dotgit, 'utf8'));
      if (m) return { dir, gitdir: resolve(dir, m[1]!.trim()) };
    }
    if (dirname(dir) === dir) return null;
  }
}

/** For a linked worktree, objects live in the common dir. */
export function objectsDir(repo: Repo): string {
  const common = join(repo.gitdir, 'commondir');
  return existsSync(common) ? resolve(repo.gitdir, readFileSync(common, 'utf8').trim()) : repo.gitdir;
}

/**
 * Where a blob or tree may be, as git dirs for isomorphic-git (which reads only its own
 * gitdir/objects): the repository's store, then each store objects/info/alternates names
 * (`git clone --shared` or `--reference`: the clone's history is in the other repository),
 * one path a line, relative to the objects dir, followed to the depth git follows (5).
 *   objectStores(clone) -> ["/w/clone/.git", "/w/upstream/.git"]
 */
export function objectStores(repo: Repo): string[] {
  const known = storesOf.get(repo.gitdir);
  if (known) return known;
  const out: string[] = [];
  const visit = (gitdir: string, depth: number): void => {
    if (out.includes(gitdir)) return;
    out.push(gitdir);
    if (depth === 5) return;
    let text: string;
    try {
      text = readFileSync(join(gitdir, 'objects', 'info', 'alternates'), 'utf8');
    } catch {
      return; // none
    }
    for (const line of text.split('\n')) {
      const path = line.trim();
      if (path === '' || path.startsWith('#') || path.startsWith('"')) continue; // a quoted path: not read
      const objects = resolve(gitdir, 'objects', path);
      if (basename(objects) === 'objects') visit(dirname(objects), depth + 1);
    }
  };
  visit(objectsDir(repo), 0);
  storesOf.set(repo.gitdir, out);
  return out;
}
/** Read once a process: a command reads many blobs. */
const storesOf = new Map<string, string[]>();

/** f's answer from the first store that has the object; null when none does. */
async function fromStores<T>(repo: Repo, f: (gitdir: string) => Promise<T>): Promise<T | null> {
  for (const gitdir of objectStores(repo)) {
    try {
      return await f(gitdir);
    } catch {
      // not in this store
    }
  }
  return null;
}

async function expand(repo: Repo, oid: string): Promise<string | null> {
  if (!/^[0-9a-f]{4,40}$/.test(oid) || /^0+$/.test(oid)) return null;
  if (oid.length === 40) return oid;
  const g = await load();
  const found = new Set<string>();
  for (const gitdir of objectStores(repo)) {
    try {
      found.add(await g.expandOid({ fs, gitdir, oid, cache }));
    } catch {
      // unknown here, or ambiguous (then null: no guessing)
    }
  }
  return found.size === 1 ? [...found][0]! : null;
}

/** A blob as a latin1 byte string; abbreviated ids are expanded. null when unknown. */
export async function readBlob(repo: Repo, oid: string): Promise<string | null> {
  const full = await expand(repo, oid);
  if (!full) return null;
  const g = await load();
  const blob = await fromStores(repo, async (gitdir) => (await g.readBlob({ fs, gitdir, oid: full, cache })).blob);
  return blob === null ? null : Buffer.from(blob).toString('latin1');
}

/**
 * Commit id for a ref, a full id or an abbreviated one. In a linked worktree HEAD and the
 * other all-capitals refs (ORIG_HEAD...) are the worktree's own, in its git dir; branches
 * and tags are in the common dir (isomorphic-git reads one dir: HEAD's branch was not found).
 */
export async function resolveCommit(repo: Repo, ref: string): Promise<string | null> {
  const g = await load();
  const common = objectsDir(repo);
  let name = ref;
  if (common !== repo.gitdir) {
    for (let depth = 0; depth < 5 && /^[A-Z][A-Z_]*$/.test(name); depth++) {
      let text: string;
      try {
        text = readFileSync(join(repo.gitdir, name), 'utf8');
      } catch {
        break; // not the worktree's: the common dir's, or none
      }
      const symbolic = /^ref: (\S+)/.exec(text);
      if (!symbolic) return /^[0-9a-f]{40}\b/.exec(text)?.[0] ?? null;
      name = symbolic[1]!;
    }
  }
  try {
    return await g.resolveRef({ fs, gitdir: common, ref: name });
  } catch {
    return expand(repo, ref);
  }
}

export async function headCommit(repo: Repo): Promise<string | null> {
  return resolveCommit(repo, 'HEAD');
}

type TreeEntries = Array<{ path: string; oid: string; type: string }>;
/** A tree's entries, from whichever store has it; each tree read once (a rename search reads a file's folders for each candidate). */
async function readTreeIn(repo: Repo, oid: string): Promise<TreeEntries | null> {
  const key = `${repo.gitdir}\0${oid}`;
  if (!trees.has(key)) {
    const g = await load();
    trees.set(key, await fromStores(repo, async (gitdir) => (await g.readTree({ fs, gitdir, oid, cache })).tree));
  }
  return trees.get(key)!;
}
const trees = new Map<string, TreeEntries | null>();

/** The blob of `path` at `commitish`, or null. Commit, trees and blob may each be in another store. */
export async function readFileAt(repo: Repo, commitish: string, path: string): Promise<string | null> {
  const oid = await resolveCommit(repo, commitish);
  if (!oid) return null;
  const g = await load();
  const commit = await fromStores(repo, async (gitdir) => (await g.readCommit({ fs, gitdir, oid, cache })).commit);
  if (!commit) return null;
  let at = commit.tree;
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const entry = (await readTreeIn(repo, at))?.find((e) => e.path === parts[i]);
    if (!entry || entry.type !== (i === parts.length - 1 ? 'blob' : 'tree')) return null;
    at = entry.oid;
  }
  return readBlob(repo, at);
}

/**
 * The files (path -> blob id) at `to` that `from` does not have, read tree by tree and only
 * into the folders that differ (a folder with the same tree id on both sides is skipped).
 * null when either commit is unknown.
 */
export async function filesAdded(repo: Repo, from: string, to: string): Promise<Map<string, string> | null> {
  const [a, b] = [await resolveCommit(repo, from), await resolveCommit(repo, to)];
  if (!a || !b) return null;
  const out = new Map<string, string>();
  const entries = async (oid: string | undefined) => {
    if (!oid) return [];
    const tree = await readTreeIn(repo, oid);
    if (!tree) throw new Error(`tree ${oid} not found`);
    return tree;
  };
  const walk = async (oldTree: string | undefined, newTree: string, prefix: string): Promise<void> => {
    const before = new Map((await entries(oldTree)).map((e) => [e.path, e]));
    for (const e of await entries(newTree)) {
      const o = before.get(e.path);
      if (o?.oid === e.oid) continue;
      if (e.type === 'tree') await walk(o?.type === 'tree' ? o.oid : undefined, e.oid, `${prefix}${e.path}/`);
      else if (e.type === 'blob' && !o) out.set(`${prefix}${e.path}`, e.oid);
    }
  };
  try {
    await walk(a, b, '');
  } catch {
    return null;
  }
  return out;
}
