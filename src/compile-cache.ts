/**
 * V8's compile cache for the CLI bundle. A command compiles its chunks (~300 KB of
 * JavaScript for push or pop) on every start: ~10 ms of a ~150 ms pop. With the cache,
 * V8 reads the compiled functions back instead. Node 22.1+ does this itself
 * (module.enableCompileCache); on Node 20 the bundle's CommonJS chunks are compiled here,
 * through Script with cachedData.
 *
 * Where: $PATCHQ_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/patchq, then
 * v8-<node version>-<arch>/<command>/<chunk file>. One set per command (`push`, `pop`...):
 * each keeps the functions that command ran, written once, after its first run. An entry
 * is named by its chunk's file name (which carries rolldown's content hash), size and
 * mtime, so a rebuilt or edited chunk is a new entry (stale ones are removed when a set is
 * written); V8 itself rejects data made by another V8 or under other flags, and that entry
 * is then written again.
 * Best effort: a cache that cannot be read or written costs only the time.
 * PATCHQ_NO_COMPILE_CACHE=1 turns it off.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheRoot } from './settings/paths.js';

/** An import() call (not "import()" in a comment). */
const DYNAMIC_IMPORT = /\bimport\((?!\))/;

type Compile = (this: { exports: unknown }, content: string, filename: string) => unknown;

/** The cache's root for this Node (null: turned off). */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.PATCHQ_NO_COMPILE_CACHE === '1') return null;
  const root = cacheRoot(env);
  return root === null ? null : join(root, `v8-${process.version}-${process.arch}`);
}

/**
 * Turn the cache on for the chunks in this module's folder (the bundle: dist/bin/), for
 * the command named by `command` (the first argument).
 */
export function startCompileCache(command: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const root = compileCacheDir(env);
  if (root === null) return;
  const builtin = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (builtin) {
    builtin(root);
    return;
  }
  const bundle = import.meta.dirname;
  const set = join(root, command && /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other');
  const unwritten: Array<[Script, string]> = [];
  const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = proto._compile;
  proto._compile = function (content, filename) {
    // The chunk with import() calls (src/**/import-*.ts) is Node's: a Script needs an
    // experimental option to import from.
    if (dirname(filename) !== bundle || !filename.endsWith('.cjs') || DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename);
    const file = join(set, entryName(filename));
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      // not cached yet
    }
    const script = new Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) unwritten.push([script, file]);
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  // After the command ran: the data then holds every function it compiled.
  process.once('exit', () => {
    if (unwritten.length > 0) writeSet(set, bundle, unwritten);
  });
}

/** A chunk's entry in a set: its name, size and mtime ("stack-Bp8v.cjs.253130.1764433561"). */
function entryName(chunk: string): string {
  const st = statSync(chunk, { throwIfNoEntry: false });
  return `${basename(chunk)}.${st?.size ?? 0}.${Math.trunc(st?.mtimeMs ?? 0)}`;
}

function writeSet(set: string, bundle: string, scripts: Array<[Script, string]>): void {
  try {
    mkdirSync(set, { recursive: true });
    for (const [script, file] of scripts) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, file);
    }
    // Entries of chunks an earlier build had, and a write a kill interrupted: gone.
    const chunks = new Set(readdirSync(bundle).map((f) => entryName(join(bundle, f))));
    for (const name of readdirSync(set)) if (!chunks.has(name)) rmSync(join(set, name), { force: true });
  } catch {
    // best effort (a read-only home, a full disk): the next run compiles again
  }
}
