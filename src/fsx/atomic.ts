/**
 * Atomic file writes: temp file in the same directory, fsync, rename over the target,
 * fsync the directory. A reader (or a crash) sees the old bytes or the new ones, never
 * half of each. Sync APIs on purpose: a CLI run does few writes and sync keeps ordering
 * obvious (the transaction relies on it).
 */
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;

// The process's umask, read once: a file created with a mode the umask leaves alone needs no chmod.
let umask: number | undefined;
const needsChmod = (mode: number): boolean => (mode & ~0o777) !== 0 || (mode & (umask ??= process.umask())) !== 0;

/** Test hook (documented in docs/reliability.md): fail the n-th write with EIO. */
export function maybeFailWrite(): void {
  const at = process.env.PATCHQ_FAIL_WRITE_AT;
  if (at === undefined) return;
  const n = Number(at) - 1;
  process.env.PATCHQ_FAIL_WRITE_AT = String(n);
  if (n === 0) {
    const e = new Error('EIO: injected write failure (PATCHQ_FAIL_WRITE_AT)') as NodeJS.ErrnoException;
    e.code = 'EIO';
    throw e;
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `mkdir -p` that says why it failed, and where: Node's recursive mkdir reports ENOENT
 * where a read-only file system refuses (EROFS: 'ENOENT ... mkdir /ro/.pc', read as a
 * bug), and names the folder asked for where one above it was refused ('.pc/.patchq'
 * where '.pc' may not be made). Then the missing folders are made one by one, and the
 * first that fails throws its own error.
 */
export function mkdirp(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const missing: string[] = [];
    for (let d = dir; !existsSync(d) && d !== dirname(d); d = dirname(d)) missing.push(d);
    if (missing.length === 0) throw e;
    for (const d of missing.reverse()) mkdirSync(d);
  }
}

/** Write `data` to `path` atomically, creating parent directories. `mode` as a number (0o644). */
export function writeFileAtomic(path: string, data: Buffer | string, opts: { mode?: number; sync?: boolean; direct?: boolean } = {}): void {
  maybeFailWrite();
  const dir = dirname(path);
  // direct: the caller's folder exists and nobody reads the file before the caller says so
  // (a transaction's staging area): no temp file, no rename.
  if (!opts.direct) mkdirp(dir);
  const tmp = opts.direct ? path : join(dir, `.${basename(path)}.patchq-${process.pid}-${++counter}.tmp`);
  // Exclusive: the mode below is only right for a file this call creates.
  const fd = openSync(tmp, 'wx', opts.mode ?? 0o644);
  try {
    // A string goes to the kernel without a Buffer of our own (node encodes it on the way:
    // a push -a writes megabytes of backups, and each Buffer was garbage to collect).
    let rest: Buffer | null = null;
    if (typeof data === 'string') {
      const n = writeSync(fd, data, null, 'latin1');
      if (n < data.length) rest = Buffer.from(data.slice(n), 'latin1'); // a short write: rare
    } else rest = data;
    let off = 0;
    while (rest && off < rest.length) off += writeSync(fd, rest, off, rest.length - off);
    // The file is new (a unique temp name, or a fresh staging file): openSync gave it the mode
    // less the umask. A chmod where the umask took bits away keeps the mode exact (after the
    // bytes: a write by a process without CAP_FSETID clears set-user-ID and set-group-ID; on
    // the descriptor: no second walk of the path).
    if (opts.mode !== undefined && needsChmod(opts.mode)) fchmodSync(fd, opts.mode);
    if (opts.sync !== false) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    if (tmp !== path) renameSync(tmp, path);
  } catch (e) {
    // A target that is a folder, a read-only folder...: no temp file of ours left beside it.
    if (tmp !== path) rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.sync !== false) fsyncDir(dir);
}
