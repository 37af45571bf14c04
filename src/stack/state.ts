/**
 * quilt's .pc state (QUILT.md 2.1-2.2) plus patchq's side area .pc/.patchq/:
 *   .pc/.version "2", .pc/.quilt_patches, .pc/.quilt_series, .pc/applied-patches,
 *   .pc/<patch>/<file>    original of every file the patch touches (0 bytes = did not exist)
 *   .pc/<patch>/.timestamp
 *   .pc/<patch>~refresh   quilt's "forced; needs refresh" marker
 *   .pc/.patchq/patch/<patch>.json   patchq's record: how it landed, which 0-byte backups
 *                         are real empty files (quilt would delete them on pop), and the
 *                         git blob id of every file right after push/refresh (cheap pop
 *                         check; the id the engine's identity check computes anyway)
 * All writes are returned as FileOps for the one transaction; nothing here writes.
 */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { createHash, gitBlobId } from '../engine/git-hash.js';
import type { PatchReport } from '../engine/types.js';
import type { Tree } from './layout.js';
import { checkListedName, isPlainName, nameFromBytes, nameToBytes, parseSeries, type SeriesEntry } from './series.js';
import type { FileOp } from './transaction.js';
import { fileJson } from './json.js';

export interface PatchRecord {
  /**
   * 'git': the ids below are git blob ids (contentId). A record without it comes from an
   * older patchq, whose sha1s nothing compares any more: readRecord keeps what it says of
   * empty files and landing, and drops the rest (pop then checks as it does for quilt).
   */
  ids?: 'git';
  /** How the patch landed at its last push (null after a refresh: it is exact now). */
  landing: PatchReport | null;
  /** Files whose 0-byte backup stands for an existing empty file. */
  emptyFiles: string[];
  /** contentId of each file right after the last push/refresh; null = file absent. */
  hashes: Record<string, string | null>;
  /** The patch landed other than exactly and was not refreshed since. */
  drifted: boolean;
  /**
   * contentId of the patch file as pushed or refreshed: when the file says something else now
   * (edited by hand), the hashes above no longer prove pop is safe (quilt's failpop.test).
   */
  patchHash?: string;
  /**
   * size:mtime of the patch file when it was pushed (then push records no patchHash),
   * unless it had changed in the last 2 s (then the hash alone tells): the same size and
   * mtime at pop mean the same file, unread; others mean edited (pop checks the quilt way).
   */
  patchStamp?: string;
  /**
   * contentId of each backup (the file before the patch; null = absent), and the mtime (ms)
   * push gave .pc/<patch>/.timestamp. While .timestamp still has it (a quilt pop and push
   * in between makes a new one), pop -a checks the patch below against these instead of
   * reading the backups it restores.
   */
  before?: Record<string, string | null>;
  stamp?: number;
}

/** "size:mtimeMs": a patch file's stamp in the record. */
export const stampOf = (st: Stats): string => `${st.size}:${st.mtimeMs}`;

/** The stamp of a file, or null when it is missing. */
export function fileStamp(path: string): string | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? stampOf(st) : null;
}

/**
 * A file's bytes (latin1), null when it is not there. A directory where a file should be
 * (a tracked file replaced by a folder, a series path that is a folder), or one that cannot
 * be read (no permission), is a clear error naming it, not an internal one.
 */
export function readText(p: string): string | null {
  return read(p, 'latin1') as string | null;
}
/** readText's bytes, as a Buffer (a compressed patch file). */
export function readBytes(p: string): Buffer | null {
  return read(p) as Buffer | null;
}
function read(p: string, encoding?: 'latin1'): string | Buffer | null {
  if (!existsSync(p)) return null;
  try {
    return readFileSync(p, encoding);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Gone since existsSync: absent (another patchq took back a .pc it made for its lock alone).
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new PatchqError('E_IO', 'is a directory, where a file was expected', { file: p });
    // No read permission (EACCES), an I/O error...: one line naming the file, not an internal error.
    throw new PatchqError('E_IO', `cannot be read (${code ?? (e as Error).message})`, { file: p });
  }
}
export const sha1 = (data: string | null): string | null => (data === null ? null : createHash('sha1').update(data, 'latin1').digest('hex'));
/** What a record keeps of a text: its git blob id (null: absent). */
export const contentId = (data: string | null): string | null => (data === null ? null : gitBlobId(data));
/** A record for a patch that has none yet (new, add, fold...). */
export const emptyRecord = (): PatchRecord => ({ ids: 'git', landing: null, emptyFiles: [], hashes: {}, drifted: false });

export function readSeriesOf(tree: Tree): SeriesEntry[] {
  const text = readText(tree.seriesPath);
  return text === null ? [] : parseSeries(text, tree.seriesPath);
}

/** .pc/applied-patches, one name a line; a line no series could hold (a NUL byte, "../x") is an error naming it. */
export function readApplied(tree: Tree): string[] {
  const file = join(tree.pcDir, 'applied-patches');
  const text = readText(file);
  if (text === null) return [];
  const names: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (isPlainName(l)) {
      names.push(l);
      continue;
    }
    const name = nameFromBytes(l.trim());
    if (name === '') continue;
    checkListedName(name, file, i + 1);
    names.push(name);
  }
  return names;
}

/** quilt's consistency rule: the applied patches are the first entries of the series. */
export function checkConsistency(tree: Tree, series: SeriesEntry[], applied: string[]): void {
  const version = readText(join(tree.pcDir, '.version'));
  if (version !== null && Number(version.trim()) > 2) {
    throw new PatchqError('E_STATE', `The quilt meta-data in this tree has version ${version.trim()}, but this version of patchq can only handle meta-data formats up to and including version 2. Please pop all the patches using the version of quilt used to push them before downgrading.`);
  }
  applied.forEach((name, i) => {
    if (series[i]?.name !== name) {
      // A .pc an older quilt made (no .version, or one below 2) kept names without their
      // extension: quilt's version check says what converts it, before its consistency check.
      // (One whose names match is read as it is, and gets its .version with the next write.)
      if (version === null || version.trim() !== '2') throw new PatchqError('E_STATE', "The working tree was created by an older version of quilt. Please run 'quilt upgrade'.");
      throw new PatchqError('E_STATE', "The series file no longer matches the applied patches. Please run 'quilt pop -a'.", { data: { applied: name } });
    }
  });
}

/** FileOps that create .pc's metadata when missing. */
export function metadataOps(tree: Tree): FileOp[] {
  const ops: FileOp[] = [];
  const want: Array<[string, string]> = [
    ['.version', '2\n'],
    ['.quilt_patches', `${tree.patchesName}\n`],
    ['.quilt_series', `${tree.seriesName}\n`],
  ];
  for (const [name, text] of want) {
    if (!existsSync(join(tree.pcDir, name))) ops.push({ kind: 'write', path: join(tree.pcDir, name), data: text });
  }
  return ops;
}

/** .pc/applied-patches as `applied` has it; none at all when nothing is applied, as quilt leaves it. */
export const appliedOp = (tree: Tree, applied: string[]): FileOp =>
  applied.length === 0
    ? { kind: 'delete', path: join(tree.pcDir, 'applied-patches') }
    : { kind: 'write', path: join(tree.pcDir, 'applied-patches'), data: applied.map((n) => nameToBytes(n) + '\n').join('') };

const recordPath = (tree: Tree, name: string) => join(tree.sideDir, 'patch', `${name}.json`);

export function readRecord(tree: Tree, name: string): PatchRecord | null {
  const text = readText(recordPath(tree, name));
  if (text === null) return null;
  let rec: PatchRecord;
  try {
    rec = JSON.parse(text) as PatchRecord;
  } catch {
    return null; // a record is an optimisation; without it we fall back to quilt's checks
  }
  if (rec.ids === 'git') return rec;
  // An older patchq's sha1s: not comparable. No hashes and a stamp no .timestamp has, so
  // the record is never current (pop checks the quilt way) until a push or refresh.
  return { ids: 'git', landing: rec.landing ?? null, emptyFiles: rec.emptyFiles ?? [], hashes: {}, drifted: rec.drifted ?? false, stamp: -1 };
}

/**
 * The record of an applied patch, while it is of this push: .timestamp still has the mtime
 * patchq's push gave it (a record without a stamp, from a refresh or an older patchq, is
 * taken as it is). After quilt popped and pushed the patch again, or touched .timestamp as
 * its refresh does, null: the record describes another push.
 */
export function currentRecord(tree: Tree, name: string): PatchRecord | null {
  const rec = readRecord(tree, name);
  return rec && isCurrent(tree, name, rec) ? rec : null;
}

export function isCurrent(tree: Tree, name: string, rec: PatchRecord): boolean {
  if (rec.stamp === undefined) return true;
  if (rec.stamp < 0) return false; // an older patchq's record (readRecord)
  const st = statSync(join(backupDir(tree, name), '.timestamp'), { throwIfNoEntry: false });
  return st !== undefined && Math.abs(st.mtimeMs - rec.stamp) < 1; // to the ms: utimes rounds
}

export const recordOp = (tree: Tree, name: string, rec: PatchRecord): FileOp => ({
  kind: 'write',
  path: recordPath(tree, name),
  data: fileJson(rec),
});
export const dropRecordOp = (tree: Tree, name: string): FileOp => ({ kind: 'delete', path: recordPath(tree, name) });

export const backupDir = (tree: Tree, name: string) => join(tree.pcDir, name);
export const refreshMarker = (tree: Tree, name: string) => join(tree.pcDir, `${name}~refresh`);

/** Files backed up for an applied patch, relative paths, sorted. */
export function backedUpFiles(tree: Tree, name: string): string[] {
  const dir = backupDir(tree, name);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (prefix === '' && entry.name === '.timestamp') continue;
      if (entry.isDirectory()) walk(join(d, entry.name), `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

export interface Backup {
  /** null = the file did not exist before the patch. */
  text: string | null;
  mode: number;
}

export function readBackup(tree: Tree, name: string, file: string, rec: PatchRecord | null): Backup {
  const p = join(backupDir(tree, name), file);
  const text = readFileSync(p, 'latin1');
  const mode = statSync(p).mode & 0o7777;
  if (text === '' && !(rec?.emptyFiles ?? []).includes(file)) return { text: null, mode };
  return { text, mode };
}

export function fileMode(path: string): number | null {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return null;
  }
}
