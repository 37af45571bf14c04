/**
 * Patch files as quilt keeps them: plain text, or compressed when the name in the series
 * ends in .gz (.tgz), .bz2, .xz, .lzma or .lz (quilt's cat_file and cat_to_new_file).
 * Every command reads a patch through readPatch (readPatchFile) and writes one through writePatchOp,
 * so a compressed patch is pushed, popped, refreshed and given a header like any other,
 * and stays compressed. gzip is built in (node:zlib); the others run their tool, as quilt
 * does, and a missing tool is an error naming the patch.
 */
import { accessSync, constants, lstatSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { assertParentsInside, resolveInside } from '../fsx/guard.js';
import type { Tree } from './layout.js';
import type { FileOp } from './transaction.js';
import { readBytes, readText } from './state.js';

// node:zlib and node:child_process are loaded for the first compressed patch only: loading
// them is ~2.5 ms each of every command's start.
type Zlib = typeof import('node:zlib');
type ChildProcess = typeof import('node:child_process');
let zlib: Zlib | undefined;
let child: ChildProcess | undefined;
export const loadZlib = (): Zlib => (zlib ??= createRequire(import.meta.url)('node:zlib') as Zlib);
const loadChild = (): ChildProcess => (child ??= createRequire(import.meta.url)('node:child_process') as ChildProcess);

const TOOLS: ReadonlyArray<readonly [string, string]> = [
  ['.bz2', 'bzip2'],
  ['.xz', 'xz'],
  ['.lzma', 'lzma'],
  ['.lz', 'lzip'],
];

/** The compressor a patch name asks for: 'gzip', a tool name, or null for plain text. */
export function compressionOf(name: string): string | null {
  if (name.endsWith('.gz') || name.endsWith('.tgz')) return 'gzip';
  return TOOLS.find(([ext]) => name.endsWith(ext))?.[1] ?? null;
}

/**
 * The patch text (a byte string) of the file at `path`, decompressed as its name asks;
 * null when there is no such file. `shown`: the name for errors (the patch as the user
 * knows it, e.g. patches/x.diff.gz).
 */
export function readPatchFile(path: string, shown: string = path): string | null {
  const how = compressionOf(path);
  if (how === null) return readText(path);
  const bytes = readBytes(path);
  if (bytes === null) return null;
  if (bytes.length === 0) return ''; // quilt: an empty patch file is an empty patch, compressed or not
  return (how === 'gzip' ? gunzip(bytes, shown) : runTool(how, ['-cd'], bytes, shown)).toString('latin1');
}

/** The bytes to store for `text` as the file `path`: compressed when its name asks for it. */
function encode(path: string, text: string, shown: string): string | Buffer {
  const how = compressionOf(path);
  if (how === null) return text;
  const bytes = Buffer.from(text, 'latin1');
  return how === 'gzip' ? loadZlib().gzipSync(bytes) : runTool(how, ['-c'], bytes, shown);
}

function gunzip(bytes: Buffer, shown: string): Buffer {
  try {
    return loadZlib().gunzipSync(bytes);
  } catch (e) {
    throw new PatchqError('E_PATCH_PARSE', `not valid gzip data (${(e as Error).message})`, { file: shown });
  }
}

function runTool(tool: string, args: string[], input: Buffer, shown: string): Buffer {
  const r = loadChild().spawnSync(tool, args, { input, maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PatchqError('E_IO', missing ? `${tool} is not installed; it is needed for this compressed patch` : `${tool} failed: ${r.error.message}`, { file: shown });
  }
  if (r.status !== 0) {
    const why = r.stderr.toString('utf8').trim().split('\n').pop()?.replace(/^[^:]*: (\(stdin\): )?/, '') || `exit ${r.status}`;
    throw new PatchqError('E_PATCH_PARSE', `${tool} could not ${args.includes('-cd') ? 'decompress' : 'compress'} it: ${why}`, { file: shown });
  }
  return r.stdout;
}

/** The text of the series' patch `name` (null: no such file); errors name it as patches/NAME. */
export function readPatch(tree: Tree, name: string): string | null {
  const path = join(tree.patchesDir, name);
  return readPatchFile(path, relative(tree.root, path));
}

/**
 * `--backup`'s PATCH~ (header, refresh): as quilt's mv, the old file itself, mode and time
 * kept (a copy op, which becomes a link as the same transaction replaces the patch). A
 * patch file that is a symlink (to a patch kept elsewhere) is backed up as a plain file of
 * its target's bytes, mode and time, as quilt's cp -p of it (delete -r moves the link
 * itself: delete.ts).
 */
export function patchBackupOp(path: string): FileOp {
  if (lstatSync(path, { throwIfNoEntry: false })?.isFile()) return { kind: 'copy', path: `${path}~`, from: path };
  const target = statSync(path, { throwIfNoEntry: false });
  return { kind: 'write', path: `${path}~`, data: readBytes(path) ?? Buffer.alloc(0), ...(target ? { mode: target.mode & 0o7777, mtime: target.mtimeMs } : {}) };
}

/** The op that writes `text` as the series' patch `name`, compressed as its name asks. */
export function writePatchOp(tree: Tree, name: string, text: string, mode?: number): FileOp {
  const path = join(tree.patchesDir, name);
  const to = writeTarget(tree, path);
  return { kind: 'write', path: to.path, data: encode(path, text, relative(tree.root, path)), ...((mode ?? to.mode) !== undefined ? { mode: mode ?? to.mode } : {}) };
}

/**
 * The op that writes `text` as the series file (through a link, as quilt's `cat > series`).
 * A series file with hard links (another name of the same file, a series kept elsewhere) is
 * written into its inode, as quilt's `cat >` writes it, so the other names keep seeing it;
 * with one name, the atomic rename.
 */
export function writeSeriesOp(tree: Tree, text: string): FileOp {
  const to = writeTarget(tree, tree.seriesPath, true);
  let st;
  try {
    st = lstatSync(to.path, { throwIfNoEntry: false });
  } catch {
    // A folder on the way that cannot be followed: the transaction's checks name it.
  }
  const linked = st?.isFile() && st.nlink > 1 ? ({ inPlace: true } as const) : {};
  return { kind: 'write', path: to.path, data: text, ...(to.mode !== undefined ? { mode: to.mode } : {}), ...linked };
}

/**
 * A patch name's folders (and, `final`, the file itself) stay inside patches/, or inside
 * the tree: patches/sub -> ../kept/sub keeps patches elsewhere in the tree (a link out of
 * both is refused, named as from patches/).
 */
export function assertPatchPathInside(tree: Tree, name: string, final: boolean): void {
  const check = final ? resolveInside : assertParentsInside;
  try {
    check(tree.patchesDir, name);
  } catch (e) {
    const abs = join(tree.patchesDir, name);
    if (!inside(tree.root, abs)) throw e;
    try {
      check(tree.root, relative(tree.root, abs));
    } catch {
      throw e;
    }
  }
}

const inside = (base: string, p: string): boolean => p === base || p.startsWith(base.endsWith(sep) ? base : base + sep);

/**
 * Where a rewrite of the patch file at `path` (or of the series file: `always`) goes, as
 * quilt's cat_to_new_file writes it: a symlink to a patch kept elsewhere is written
 * through (the op targets the link's target, so the transaction's temp file and rename
 * land there and the link stays a link), unless that target is read-only, where the link
 * is replaced by a plain file (quilt: "preserve it unless its target is read-only"). The
 * series file is always written through (quilt's `cat > series`). The target's mode is
 * kept, as quilt's write into the file keeps its inode's (a plain series file's too).
 * Where quilt would follow a link into trouble: a dangling link (quilt creates its
 * target), a link loop, a link to a folder, or one leading out of the tree (and out of
 * QUILT_PATCHES): a one-line error, nothing written.
 */
export function writeTarget(tree: Tree, path: string, always = false): { path: string; mode?: number } {
  const shown = relative(tree.root, path);
  let lst;
  try {
    lst = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    // A folder on the way that is a link loop (patches -> patches), a file where a folder
    // should be: the transaction's checks name it.
    return { path };
  }
  // The series file keeps its mode (quilt's `cat > series` writes into it: a 0600 or a
  // 0664 series stays so); a patch file is made anew, as quilt's rm and cat make it.
  if (!lst?.isSymbolicLink()) return always && lst?.isFile() ? { path, mode: lst.mode & 0o7777 } : { path };
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symlink loop' : code === 'ENOENT' || code === 'ENOTDIR' ? 'it is a dangling symlink' : `its link cannot be followed (${code ?? (e as Error).message})`;
    throw new PatchqError('E_IO', `cannot write ${shown}: ${why} (nothing was changed)`);
  }
  const st = statSync(real);
  if (!st.isFile()) throw new PatchqError('E_IO', `cannot write ${shown}: it is a symlink to something that is not a regular file (nothing was changed)`);
  if (!always && !writable(real, st.mode)) return { path };
  for (const base of [tree.root, tree.patchesDir]) {
    let realBase: string;
    try {
      realBase = realpathSync(base);
    } catch {
      continue;
    }
    if (inside(realBase, real)) return { path: join(base, relative(realBase, real)), mode: st.mode & 0o7777 };
  }
  throw new PatchqError('E_PATH_OUTSIDE', `refusing to write ${shown}: it is a symlink to ${real}, outside the tree (nothing was changed)`);
}

/**
 * quilt's `test -w` on a link's target. For root by the mode bits too: root's test -w
 * passes any file, so quilt 0.66 run as root writes through a read-only target; patchq
 * keeps the target as read-only as it was made (README).
 */
function writable(real: string, mode: number): boolean {
  try {
    accessSync(real, constants.W_OK);
  } catch {
    return false;
  }
  return process.getuid?.() !== 0 || (mode & 0o222) !== 0;
}
