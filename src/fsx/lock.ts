/**
 * One patchq per tree: a lock file created with O_EXCL holding the owner's pid. A lock
 * whose owner is gone (a crash or kill -9) is stale and is taken over.
 *
 * Guarantee: at no moment do two live processes both hold the lock (acquireLock returned
 * to each, and neither has released it), whatever the interleaving, and after a kill -9 at
 * any point the next patchq takes the lock. It rests on three rules, each kept by every
 * line below:
 *
 *  1. Our files (the lock, and the breakers below) are made only by link(2) of a private
 *     file, which fails when the name exists: one process gets a name that is not there.
 *  2. A file whose owner is alive is removed by that owner only (as it lets it go).
 *  3. A file whose owner is gone is replaced by the holder of its breaker only
 *     (`<file>.break`, made by rule 1), and nothing ever removes one. The holder re-reads
 *     the file under the breaker and, finding the same owner it judged gone, renames the
 *     breaker (which holds its own pid) over it: one rename(2), so the name is never
 *     missing for a third process to create, and no breaker is left to remove after.
 *
 * By 2 and 3, a stale file cannot change while its breaker is held: the re-read stays true
 * until the rename. A breaker whose holder was killed inside the take-over is a file whose
 * owner is gone, and is taken over by the same rules under `<file>.break.break`, and so on
 * (each level exists only after a kill at the level below). Nothing is unlinked on the
 * strength of an earlier look. That is what let two in before: A and B both read a dead
 * breaker; A removed it and made its own; B, on its old look, removed A's fresh one and made
 * its own; both re-read the stale lock, A replaced it and went on, B removed A's lock and
 * made its own. test/hardening/lock-takeover.test.ts races four processes through a stale
 * lock and a stale breaker, each pausing at every point of the take-over
 * (PATCHQ_LOCK_PAUSE), and kills one at each point. The old code, given the same pauses,
 * let two to four in in every round (6 of 6); without them, in none of 15 (the window is a
 * few system calls wide), which is why the test pauses.
 *
 * A kill leaves the state before, a breaker naming a dead pid, or the lock naming one: each
 * taken over by the next patchq. Breakers are made only to take over a stale file, so a lock
 * nobody contends for costs one create (a private file written, linked, unlinked) and one
 * unlink.
 *
 * A pid is reused: after a reboot, or in a fresh container, the dead owner's pid may belong
 * to some other live process. So the lock also holds the owner's start time (Linux:
 * /proc/<pid>/stat, field 22), and a live pid that started at another time is stale too.
 * Where /proc is not there (macOS), or for a lock an older patchq wrote, the pid alone says.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { mkdirp } from './atomic.js';
import { dirname } from 'node:path';
import { PatchqError } from '../engine/errors.js';

/** Whether a process with this pid exists (one of another user's counts). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started (clock ticks since boot), or undefined where that cannot be read. */
function startOf(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** What a lock file says: its owner's pid (NaN when missing or garbled) and start time. */
interface Owner {
  pid: number;
  start?: string;
  /** The file's text, to tell whether it changed. */
  text: string | null;
}
function owner(path: string): Owner {
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { pid: Number.NaN, text };
  }
  const [pid, start] = text.trim().split(/\s+/);
  return { pid: Number.parseInt(pid ?? '', 10), ...(start ? { start } : {}), text };
}

/** What this process writes into a lock: "pid start" (just the pid where /proc is not there). */
let self: string | undefined;
function selfText(): string {
  if (self === undefined) {
    const start = startOf('self');
    self = start === undefined ? `${process.pid}\n` : `${process.pid} ${start}\n`;
  }
  return self;
}

/**
 * Create `path` holding our pid, or return false when it exists (or could not be made this
 * time: the caller looks again). The pid goes into a private file first and is hard-linked
 * into place, so a lock file is never seen empty. The folder may vanish under any attempt
 * (a patchq that made .pc for its lock alone removes it as it ends: stack/session.ts): it
 * is made again.
 */
function tryCreate(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, selfText());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirp(dirname(path));
    writeFileSync(tmp, selfText());
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The owner is another live process: its pid, and (when the lock says) its start time. */
function held(o: Owner): boolean {
  if (!Number.isInteger(o.pid) || o.pid <= 0 || o.pid === process.pid || !alive(o.pid)) return false;
  if (o.start === undefined) return true;
  const now = startOf(o.pid);
  return now === undefined || now === o.start;
}

/** What an attempt on a file came to: ours (true), a live owner's, or neither yet (null: retry). */
type Taken = true | Owner | null;

/** Breakers over breakers, each left by a kill inside the take-over: past this, a person looks. */
const MAX_LEVELS = 8;

/**
 * Make `path` ours: create it, or take it over when its owner is gone. A file that is not
 * there when looked at is never taken over: anyone may create it at any moment, without a
 * breaker (seen: two holders at once when six raced on a busy machine, when a missing lock
 * was "broken"); it is tried again instead.
 */
function take(path: string, level: number): Taken {
  if (tryCreate(path)) return true;
  const o = owner(path);
  if (o.text === null) return null;
  if (held(o)) return o;
  pause();
  return takeOver(path, o, level) ? true : null;
}

/**
 * Replace `path`, found with the dead owner `stale`, by a file of ours, holding its breaker
 * (rule 3 in the header). False when the breaker is another live process's, or `path`
 * changed meanwhile (then our breaker is removed: it is ours, rule 2).
 */
function takeOver(path: string, stale: Owner, level: number): boolean {
  if (level >= MAX_LEVELS) {
    throw new PatchqError('E_LOCKED', `cannot take over the stale lock: ${MAX_LEVELS} breakers left one over another by processes that ended (${path}); remove them by hand`);
  }
  const breaker = `${path}.break`;
  if (take(breaker, level + 1) !== true) return false;
  let replaced = false;
  try {
    const now = owner(path);
    if (now.text === stale.text && !held(now)) {
      pause();
      renameSync(breaker, path);
      replaced = true;
    }
  } finally {
    if (!replaced) rmSync(breaker, { force: true });
  }
  return replaced;
}

/**
 * Test hook (docs/reliability.md): PATCHQ_LOCK_PAUSE=ms sleeps at each point of a take-over
 * between judging a file stale and acting on it, after saying `patchq-lock-pause` on stderr,
 * so that tests meet processes inside the take-over, and kill them there.
 */
function pause(): void {
  const ms = Number(process.env.PATCHQ_LOCK_PAUSE);
  if (!(ms > 0)) return;
  writeSync(2, 'patchq-lock-pause\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Take the lock at `path`; returns the function that releases it. */
export function acquireLock(path: string): () => void {
  mkdirp(dirname(path));
  for (let attempt = 0; attempt < 5; attempt++) {
    const got = take(path, 0);
    if (got === true) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          rmSync(path, { force: true });
        } catch (e) {
          // The work under the lock is done: a lock left behind names this process, which
          // the next patchq finds ended and takes over (take). Said, not an error.
          process.stderr.write(`patchq: warning: could not remove the lock ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the next patchq takes it over\n`);
        }
      };
    }
    if (got !== null) {
      throw new PatchqError('E_LOCKED', `another patchq (pid ${got.pid}) is working on this tree; wait for it to finish (lock: ${path})`);
    }
  }
  throw new PatchqError('E_LOCKED', `another patchq is taking the lock ${path}; try again`);
}
