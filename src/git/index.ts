/**
 * Git access for the 3-way step, over isomorphic-git.
 *
 * isomorphic-git loads a whole packfile on its first object read (~1 s and ~500 MB on a
 * 274 MB pack), so: the module is imported lazily, only when a hunk needs a base; one
 * `cache` object is shared by every call in the process; and nothing here writes
 * (never statusMatrix, which rewrites .git/index without a lock).
 */
import { existsSync, promises, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

async function expand(repo: Repo, oid: string): Promise<string | null> {
  if (!/^[0-9a-f]{4,40}$/.test(oid) || /^0+$/.test(oid)) return null;
  if (oid.length === 40) return oid;
  try {
    return await (await load()).expandOid({ fs, gitdir: objectsDir(repo), oid, cache });
  } catch {
    return null; // unknown or ambiguous
  }
}

/** A blob as a latin1 byte string; abbreviated ids are expanded. null when unknown. */
export async function readBlob(repo: Repo, oid: string): Promise<string | null> {
  const full = await expand(repo, oid);
  if (!full) return null;
  try {
    const { blob } = await (await load()).readBlob({ fs, gitdir: objectsDir(repo), oid: full, cache });
    return Buffer.from(blob).toString('latin1');
  } catch {
    return null;
  }
}

/** Commit id for a ref, a full id or an abbreviated one. */
export async function resolveCommit(repo: Repo, ref: string): Promise<string | null> {
  const g = await load();
  try {
    const oid = await g.resolveRef({ fs, gitdir: repo.gitdir, ref });
    return oid;
  } catch {
    return expand(repo, ref);
  }
}

export async function headCommit(repo: Repo): Promise<string | null> {
  return resolveCommit(repo, 'HEAD');
}

/** The blob of `path` at `commitish`, or null. */
export async function readFileAt(repo: Repo, commitish: string, path: string): Promise<string | null> {
  const oid = await resolveCommit(repo, commitish);
  if (!oid) return null;
  try {
    const { blob } = await (await load()).readBlob({ fs, gitdir: objectsDir(repo), oid, filepath: path, cache });
    return Buffer.from(blob).toString('latin1');
  } catch {
    return null;
  }
}

/**
 * The files (path -> blob id) at `to` that `from` does not have, read tree by tree and only
 * into the folders that differ (a folder with the same tree id on both sides is skipped).
 * null when either commit is unknown.
 */
export async function filesAdded(repo: Repo, from: string, to: string): Promise<Map<string, string> | null> {
  const [a, b] = [await resolveCommit(repo, from), await resolveCommit(repo, to)];
  if (!a || !b) return null;
  const g = await load();
  const gitdir = objectsDir(repo);
  const out = new Map<string, string>();
  const entries = async (oid: string | undefined) => (oid ? (await g.readTree({ fs, gitdir, oid, cache })).tree : []);
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
