/**
 * Spare inodes, kept in .pc/.patchq/spare/ from one transaction for the next.
 *
 * Why: on ext4 without a journal, making a file or folder costs a scan past every inode of
 * its block group freed in the last ~30 s (the kernel's `recently_deleted`), about 1 ms a
 * file after a few push/pop cycles against 0.02 ms on an idle disk (BENCHMARKS.md). A pop
 * frees every backup, record and folder of its patches, and the next push made them all
 * again: 1052 new inodes for a 99-patch push -a. So a transaction keeps what it would free,
 * and the next one writes its staged files into those and makes its folders from them.
 *
 * Only there: on ext4 with a journal and on tmpfs, keeping and reusing (a look at each
 * inode's links, renames) cost 3-4% more than freeing and making (A/B, 99 patches). So a pool
 * is started only on ext2/3/4 mounted without a journal (Linux); once there, it is used.
 * PATCHQ_SPARES=1 starts one anywhere, =0 uses none (tests, measurements).
 *
 * How, with few syscalls more than new files would cost: the pool folder itself becomes
 * the transaction's staging area (.pc/.patchq/tx, one rename), so a staged file is a spare
 * written over where it lies and the manifest names it as it names any staged file. It is
 * written from the start and cut to length after, so its blocks are kept rather than freed
 * and taken again (an O_TRUNC open cost as much as the write); given no data, it gets fresh
 * times as a new file would. Its name says its mode (`f644.12`), so the file that already
 * has the mode wanted is taken first and needs no chmod. At the end the
 * inodes the transaction no longer needs are renamed into the staging area under such names
 * (in place of being removed), and the area becomes the pool again (one rename).
 *
 * What is kept: regular files with one link (nobody else's name shares the inode: a
 * backup that is the tree's file again has two and is removed as before, so is anything
 * else), emptied folders, at most MAX of each. Files over 64 KiB are truncated as they go
 * in: the pool holds inodes, and of data no more than the popped patches' backups and the
 * files they wrote held.
 *
 * Crash safety is the transaction's (transaction.ts): the pool is taken before anything
 * is staged and given back after the manifest is gone, so a crash leaves a staging area
 * with no manifest, which the next command drops (the spares with it: they are only inodes
 * freed after all); a folder taken from the pool is one the manifest lists as made, empty,
 * and a roll-back removes it. Only what the pool's names say is taken from it; anything
 * else found there is removed first (a pool holding what cannot be removed is not used),
 * and a spare that is not what its name says (its type from
 * the listing; a file is checked to have one link as it is opened; a folder, to be empty)
 * is not used, nor a file its group or others could open and the staged file is not to
 * let them (who opened it then would read the bytes): the staged file is then a new one.
 * The pool is never state. Copies (rare: a copy op that cannot be a link) are staged as
 * new files: a copy would follow a link in the pool.
 *
 * Trade-off, kept: a reused inode keeps its owner, group and extended attributes (ACLs
 * too), where a new one gets the process's and its folder's defaults (a set-group-ID
 * folder's group, say). They came from this tree's own files and patchq's, and only ever on
 * a journal-less ext file system. A reader holding a popped file open sees what the next
 * push writes into its inode (docs/reliability.md).
 */
import { chmodSync, closeSync, constants, existsSync, fchmodSync, fstatSync, ftruncateSync, futimesSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, statfsSync, statSync, truncateSync, unlinkSync, writeSync, type Dirent } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { maybeFailWrite, mkdirp } from '../fsx/atomic.js';
import { removeTree } from '../fsx/remove.js';
import type { Tree } from './layout.js';

const MAX = 4096;
const BIG = 64 * 1024;
const NAME = /^([fd])([0-7]{3,4})\.(\d+)$/;

/**
 * Whether the folder is on ext2/3/4 mounted without a journal: statfs says ext, and ext4
 * says it has none (/sys/fs/ext4/<device>/journal_task), or, where it does not say, jbd2
 * lists no journal for its block device (/proc/fs/jbd2/<device>-<inode>). In doubt, no.
 */
function journalLess(dir: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    if (statfsSync(dir).type !== 0xef53) return false;
    const dev = statSync(dir, { bigint: true }).dev;
    const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
    const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
    const name = basename(readlinkSync(`/sys/dev/block/${major}:${minor}`));
    // ext4's word (Linux 5.16 on): "<none>", or its journal thread's id, the journal in the
    // file system or on a device of its own (which jbd2 lists under that device's name).
    try {
      return readFileSync(`/sys/fs/ext4/${name}/journal_task`, 'latin1').trim() === '<none>';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    let journals: string[] = [];
    try {
      journals = readdirSync('/proc/fs/jbd2');
    } catch (e) {
      // No jbd2 at all (ext2's own driver): no journal. No /proc: not known.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self')) return false;
    }
    // A journal on a device of its own may be this file system's: then no.
    return !journals.some((j) => j.startsWith(`${name}-`) || existsSync(`/sys/class/block/${j}`));
  } catch {
    return false;
  }
}

let umask: number | undefined;
const folderMode = (): number => 0o777 & ~(umask ??= process.umask());

/** Spares of one kind, by mode. */
class Kind {
  readonly byMode = new Map<number, string[]>();
  count = 0;
  add(mode: number, name: string): void {
    let list = this.byMode.get(mode);
    if (!list) this.byMode.set(mode, (list = []));
    list.push(name);
    this.count++;
  }
  /**
   * A spare of this mode if there is one, else of another mode `fits` allows; undefined
   * when none.
   */
  take(mode: number, fits: (m: number) => boolean = () => true): { name: string; mode: number } | undefined {
    if (this.count === 0) return undefined;
    let m = mode;
    let list = this.byMode.get(mode);
    if (!list?.length) {
      list = undefined;
      for (const [k, l] of this.byMode) {
        if (l.length && fits(k)) {
          [m, list] = [k, l];
          break;
        }
      }
      if (!list) return undefined;
    }
    this.count--;
    return { name: list.pop()!, mode: m };
  }
}

export class Spares {
  private readonly pool: string;
  private readonly tx: string;
  private readonly files = new Kind();
  private readonly dirs = new Kind();
  /** Names in the staging area that belong to the pool, and the next number to name one. */
  private readonly names = new Set<string>();
  private next = 0;
  /** Spares taken and not used (not what their names say, or in use elsewhere): close gives them. */
  private readonly refused: string[] = [];
  /** Folders' set-group-ID bit (0 or 0o2000), by path: a push makes many folders in few. */
  private readonly sgid = new Map<string, number>();
  /** A pool is kept: there was one, or one pays here (journalLess). */
  private keeping: boolean | undefined;
  /**
   * The folders above the staging area that making it made, deepest first (.pc/.patchq and
   * .pc, for a caller that takes no lock in a tree without them): a roll-back removes them.
   */
  private readonly made: string[] = [];

  /**
   * Make the staging area: the pool renamed, when there is one (then `tree.sideDir` exists),
   * else a new folder. The caller has checked there is no staging area.
   */
  constructor(tree: Tree) {
    this.pool = join(tree.sideDir, 'spare');
    this.tx = join(tree.sideDir, 'tx');
    const force = process.env.PATCHQ_SPARES;
    if (force === '0') this.keeping = false;
    let entries: Dirent[];
    try {
      if (force === '0') throw new Error('no pool');
      // A symlink in its place is no pool: the listing would follow it, and what it found
      // not the pool's would be removed from the folder it leads to. (close cannot rename
      // over it: it stays, and is never used.)
      if (!lstatSync(this.pool).isDirectory()) throw new Error('no pool');
      entries = readdirSync(this.pool, { withFileTypes: true });
      // What is not the pool's goes first, from the pool itself: one that cannot be removed
      // (immutable, not ours) leaves the pool unused, as it is, rather than in the staging
      // area, where the next command could not drop it either.
      entries = entries.filter((entry) => {
        const m = NAME.exec(entry.name);
        const n = m ? Number(m[3]) : Number.NaN;
        // A number near 2^53 is not the pool's: counting on from it, n + 1 === n (a loop).
        if (m && n < 2 ** 48 && (m[1] === 'f' ? entry.isFile() : entry.isDirectory())) return true;
        // Not the pool's: nothing to reuse. A link goes, never what it leads to.
        if (entry.isDirectory()) removeTree(join(this.pool, entry.name));
        else unlinkSync(join(this.pool, entry.name));
        return false;
      });
      renameSync(this.pool, this.tx);
      this.keeping = true;
    } catch {
      for (let d = dirname(this.tx); !existsSync(d) && d !== dirname(d); d = dirname(d)) this.made.push(d);
      mkdirp(this.tx);
      // A pool that is there and cannot be used is left alone; none yet: close decides.
      this.keeping = force === '1' ? true : force === '0' || existsSync(this.pool) ? false : undefined;
      return;
    }
    for (const entry of entries) {
      const m = NAME.exec(entry.name)!;
      const n = Number(m[3]);
      (m[1] === 'f' ? this.files : this.dirs).add(Number.parseInt(m[2]!, 8), entry.name);
      this.names.add(entry.name);
      if (n >= this.next) this.next = n + 1;
    }
  }

  /**
   * Stage `data` with `mode` in a spare: its name in the staging area, or undefined when
   * there is none (or it is not a file of its own: then it is left for close to remove) and
   * the caller stages a new file. Counts as a write for PATCHQ_FAIL_WRITE_AT.
   */
  write(data: string | Buffer, mode: number): string | undefined {
    // By its name, one no more open than the file (as checked below on the file itself).
    const s = this.files.take(mode, (m) => (m & 0o077 & ~mode) === 0);
    if (!s) return undefined;
    this.names.delete(s.name);
    this.refused.push(s.name); // until it is written
    maybeFailWrite();
    let fd: number;
    try {
      fd = openSync(join(this.tx, s.name), constants.O_WRONLY | constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      // Looked at before a byte is written: a link to it from elsewhere would get the bytes.
      const st = fstatSync(fd);
      if (!st.isFile() || st.nlink !== 1) return undefined;
      // Nor one its group or others may open and the new file would not let them: one who
      // opened it then keeps the fd, and would read these bytes (a mode 600 file's).
      if ((st.mode & 0o077 & ~mode) !== 0) return undefined;
      const len = data.length; // latin1: a char is a byte
      // As writeFileAtomic: a string goes to the kernel without a Buffer of our own.
      let done = typeof data === 'string' ? writeSync(fd, data, 0, 'latin1') : 0;
      const bytes = typeof data !== 'string' ? data : done < len ? Buffer.from(data, 'latin1') : null; // a short write: rare
      while (bytes && done < len) done += writeSync(fd, bytes, done, len - done, done);
      if (st.size > len) ftruncateSync(fd, len);
      else if (len === 0) futimesSync(fd, new Date(), new Date()); // as a new file's times
      // After the bytes: a write or a truncate by a process without CAP_FSETID (a user's)
      // clears the set-user-ID and set-group-ID bits, the name's or a chmod's before it.
      if (s.mode !== mode || (mode & 0o6000) !== 0) {
        try {
          fchmodSync(fd, mode);
        } catch {
          return undefined; // not ours to chmod (another user's, in a shared tree): a new file
        }
      }
    } finally {
      closeSync(fd);
    }
    this.refused.pop();
    return s.name;
  }

  /** A pool was there, and its spares stage this transaction's files and folders. */
  get pooled(): boolean {
    return this.keeping === true && (this.files.count > 0 || this.dirs.count > 0);
  }

  /** Put a spare empty folder at `dest` (planned missing), with mkdir's mode. False: none. */
  takeDir(dest: string): boolean {
    // mkdir's mode: the umask's, and set-group-ID in a set-group-ID folder (it is inherited).
    const parent = dirname(dest);
    let sgid = this.sgid.get(parent);
    if (sgid === undefined) {
      try {
        sgid = statSync(parent).mode & 0o2000;
      } catch {
        return false; // dest's folder is not there: mkdir says
      }
      this.sgid.set(parent, sgid);
    }
    const want = folderMode() | sgid;
    const s = this.dirs.take(want);
    if (!s) return false;
    this.names.delete(s.name);
    this.refused.push(s.name); // until it is in place
    const src = join(this.tx, s.name);
    try {
      // Empty, as its name says (the pool's are made so; one that is not would bring its
      // files into the stack, or, as the undo folder, entries a roll-back puts in the tree).
      // Left for close, which gives what is in it. A look costs less than the mkdir.
      if (readdirSync(src).length) return false;
      // The mode before the rename: a kill between the two leaves no folder of the tree
      // with the spare's mode (a redo finds the folder there and leaves it as it is).
      if (s.mode !== want) chmodSync(src, want);
      renameSync(src, dest);
    } catch {
      return false; // a folder is there after all: mkdir says
    }
    this.refused.pop();
    this.sgid.set(dest, sgid);
    return true;
  }

  /**
   * The transaction is over and its manifest gone: what the staging area holds besides the
   * pool (the set-aside originals, what was staged and not placed) is kept or removed, and
   * the area becomes the pool. `done`: every op ran and every staged file was placed, so
   * the undo folder and the spares refused are all there is besides the pool: the area is
   * not listed (with a pool of thousands, that listing was much of the cost of a reapply's
   * many small transactions). Anything else left there is the next listing's to remove: a
   * name of the pool's is never one a transaction stages under.
   */
  close(done = false): void {
    if (!done && this.made.length) {
      // Rolled back (or failed before its commit point) where there was no side folder: the
      // tree is left as it was, without the folders the staging area needed. Deepest first;
      // one something else put a file in meanwhile stays, and so do the ones above it.
      removeTree(this.tx);
      for (const d of this.made) {
        try {
          rmdirSync(d);
        } catch {
          break;
        }
      }
      return;
    }
    this.keeping ??= journalLess(this.tx);
    if (!this.keeping) return removeTree(this.tx);
    try {
      if (done) {
        for (const name of ['undo', ...this.refused]) {
          const p = join(this.tx, name);
          const st = lstatSync(p, { throwIfNoEntry: false });
          if (st) this.give(p, st);
        }
      } else {
        for (const entry of readdirSync(this.tx, { withFileTypes: true })) {
          if (!this.names.has(entry.name)) this.give(join(this.tx, entry.name), entry);
        }
      }
      renameSync(this.tx, this.pool);
    } catch {
      // Whatever stops it (a pool folder made meanwhile, a file in its place): as without one.
      removeTree(this.tx);
    }
  }

  /** `entry`: what the listing says it is (a folder, a file, or else). */
  private give(p: string, entry: Pick<Dirent, 'isDirectory' | 'isFile'>): void {
    if (entry.isDirectory()) {
      for (const e of readdirSync(p, { withFileTypes: true })) this.give(join(p, e.name), e);
      if (this.dirs.count >= MAX || !this.keep(p, 'd', this.dirs, lstatSync(p).mode & 0o7777)) rmdirSync(p);
      return;
    }
    if (entry.isFile() && this.files.count < MAX) {
      const st = lstatSync(p);
      if (st.isFile() && st.nlink === 1) {
        if (st.size > BIG) truncateSync(p);
        if (this.keep(p, 'f', this.files, st.mode & 0o7777)) return;
      }
    }
    unlinkSync(p);
  }

  private keep(p: string, kind: 'f' | 'd', spares: Kind, mode: number): boolean {
    let name = `${kind}${mode.toString(8)}.${this.next++}`;
    while (this.names.has(name)) name = `${kind}${mode.toString(8)}.${this.next++}`;
    try {
      renameSync(p, join(this.tx, name));
    } catch {
      return false;
    }
    this.names.add(name);
    spares.add(mode, name);
    return true;
  }
}
