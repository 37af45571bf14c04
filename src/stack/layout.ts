/**
 * Where the stack lives, found as quilt finds it: walking up from cwd to the first
 * directory that has a patches dir or a .pc dir (QUILT_PC, QUILT_PATCHES), then what
 * .pc/.quilt_patches / .quilt_series remembered, else QUILT_PATCHES / QUILT_SERIES.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { workingDir } from '../settings/paths.js';
import { readBytes } from './state.js';

export interface Tree {
  root: string;
  /** Absolute patches directory. */
  patchesDir: string;
  /** Absolute series file. */
  seriesPath: string;
  /** Absolute .pc directory. */
  pcDir: string;
  /** patchq's side area inside .pc (quilt ignores it). */
  sideDir: string;
  /** Name of the patches dir as given (for .pc/.quilt_patches). */
  patchesName: string;
  seriesName: string;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
/** A metadata file's text (UTF-8, trimmed; '' when absent): state.ts's read names the file on any error. */
const readTrim = (p: string): string => readBytes(p)?.toString('utf8').trim() ?? '';

function treeAt(root: string, env: NodeJS.ProcessEnv): Tree {
  const pcName = env.QUILT_PC || '.pc';
  const pcDir = resolve(root, pcName);
  // quilt's patchfns: what .pc remembers (the project's settings) wins over the variables.
  const patchesName = readTrim(join(pcDir, '.quilt_patches')) || env.QUILT_PATCHES || 'patches';
  const seriesName = readTrim(join(pcDir, '.quilt_series')) || env.QUILT_SERIES || 'series';
  const patchesDir = resolve(root, patchesName);
  // quilt's lookup order: absolute QUILT_SERIES, .pc/series, ./series, patches/series.
  let seriesPath = join(patchesDir, seriesName);
  if (isAbsolute(seriesName)) seriesPath = seriesName;
  else if (existsSync(join(pcDir, seriesName))) seriesPath = join(pcDir, seriesName);
  else if (existsSync(join(root, seriesName)) && !isDir(join(root, seriesName))) seriesPath = join(root, seriesName);
  return { root, patchesDir, seriesPath, pcDir, sideDir: join(pcDir, '.patchq'), patchesName, seriesName };
}

/** The tree that holds cwd, or null. */
export function findRoot(cwd: string, env: NodeJS.ProcessEnv): string | null {
  const pcName = env.QUILT_PC || '.pc';
  const patchesName = env.QUILT_PATCHES || 'patches';
  if (isAbsolute(patchesName) && isDir(patchesName)) return resolve(cwd);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isDir(join(dir, pcName)) || isDir(join(dir, patchesName))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The stack holding cwd, its series file not checked yet (an interrupted transaction may
 * have it set aside: session.ts recovers first); throws E_NOT_FOUND when there is none.
 */
export function findTree(cwd: string, env: NodeJS.ProcessEnv = process.env): Tree {
  const root = findRoot(cwd, env);
  if (root === null) {
    throw new PatchqError('E_NOT_FOUND', `No series here: no ${env.QUILT_PATCHES || 'patches'}/ or ${env.QUILT_PC || '.pc'}/ in ${cwd} or above (start one with 'patchq new NAME')`, { data: { noSeries: true } });
  }
  return treeAt(root, env);
}

/**
 * quilt's words when patches/ exists but holds no series file (and nothing is applied).
 * This error and findTree's carry data.noSeries: some commands end there as quilt's do
 * (commands/common.ts).
 */
export function requireSeries(tree: Tree): Tree {
  if (!existsSync(tree.seriesPath) && !existsSync(join(tree.pcDir, 'applied-patches'))) {
    throw new PatchqError('E_STATE', 'No series file found', { data: { noSeries: true } });
  }
  return tree;
}

/** Open the stack holding cwd; throws E_NOT_FOUND when there is none. */
export function locateTree(cwd: string, env: NodeJS.ProcessEnv = process.env): Tree {
  return requireSeries(findTree(cwd, env));
}

/** The tree at cwd's stack, or a new one rooted at cwd (for `new` and `import`). */
export function locateOrCreateTree(cwd: string, env: NodeJS.ProcessEnv = process.env): Tree {
  const root = findRoot(cwd, env);
  return treeAt(root ?? resolve(cwd), env);
}

/**
 * A patch's name in messages: "x.patch", or with QUILT_PATCHES_PREFIX the patch file as
 * seen from where the command runs, as quilt prints it ("patches/x.patch" at the root,
 * "../patches/x.patch" one folder down; an absolute QUILT_PATCHES as it is).
 */
export function displayName(tree: Tree, name: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): string {
  return displayPrefix(tree, env, cwd) + name;
}

/** What displayName puts before every name ("" without QUILT_PATCHES_PREFIX): a listing of hundreds works it out once. */
export function displayPrefix(tree: Tree, env: NodeJS.ProcessEnv = process.env, cwd?: string): string {
  return env.QUILT_PATCHES_PREFIX ? patchesPrefix(tree, cwd ?? workingDir()) : '';
}

/** What displayName puts before each name, worked out once per tree and folder (`applied` lists hundreds). */
const prefixes = new WeakMap<Tree, Map<string, string>>();
function patchesPrefix(tree: Tree, cwd: string): string {
  let byCwd = prefixes.get(tree);
  if (!byCwd) prefixes.set(tree, (byCwd = new Map()));
  let prefix = byCwd.get(cwd);
  if (prefix === undefined) {
    // quilt's print_patch: one "../" per level below the root, then the patches dir as the
    // root names it ("../my/changes/x" from my/, not the shorter "changes/x").
    const down = relative(cwd, tree.root);
    const inside = down === '' || down.split(/[\\/]/).every((p) => p === '..');
    const fromRoot = relative(tree.root, tree.patchesDir);
    // An absolute QUILT_PATCHES is printed as given, as quilt prints it at the root (below
    // it quilt puts "../" before it, which makes it a wrong relative path: not copied).
    prefix = isAbsolute(tree.patchesName) ? `${tree.patchesDir}/`
      : !inside || fromRoot.startsWith('..') || isAbsolute(fromRoot) ? `${relative(cwd, tree.patchesDir) || '.'}/` : `${down ? `${down}/` : ''}${fromRoot || '.'}/`;
    byCwd.set(cwd, prefix);
  }
  return prefix;
}
