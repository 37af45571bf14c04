/**
 * One patchq per tree: a lock file created with O_EXCL holding the owner's pid.
 * A lock whose pid is no longer alive is stale (a crash or kill -9) and is taken over.
 *
 * Taking over is where two processes can race: A and B both read the dead pid, A removes
 * the stale file and creates its own lock, then B removes A's fresh lock and creates
 * its own -> both write. So the takeover runs under a second O_EXCL file (`<lock>.break`)
 * and re-reads the lock inside it: B then finds A's live pid and backs off. A breaker
 * left by a process killed inside that tiny section is itself stale when its pid is dead.
 *
 * A pid is reused: after a reboot, or in a fresh container, the dead owner's pid may belong
 * to some other live process. So the lock also holds the owner's start time (Linux:
 * /proc/<pid>/stat, field 22), and a live pid that started at another time is stale too.
 * Where /proc is not there (macOS), or for a lock an older patchq wrote, the pid alone says.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Remove the lock at `path` if it is still the stale one (the same text), under the breaker.
 * Only a lock file that is there can be stale: a missing one may be made by anyone at any
 * moment, without the breaker, so "still missing" proves nothing by the time of the removal.
 */
function breakStale(path: string, stale: Owner): void {
  if (stale.text === null) return;
  const breaker = `${path}.break`;
  if (!tryCreate(breaker)) {
    const b = owner(breaker);
    // Unreadable yet (being written) or held by a live process: let the caller retry.
    if (Number.isNaN(b.pid) || held(b)) return;
    rmSync(breaker, { force: true });
    if (!tryCreate(breaker)) return;
  }
  try {
    if (owner(path).text === stale.text) rmSync(path, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}

/** Take the lock at `path`; returns the function that releases it. */
export function acquireLock(path: string): () => void {
  mkdirp(dirname(path));
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          rmSync(path, { force: true });
        } catch (e) {
          // The work under the lock is done: a lock left behind names this process, which
          // the next patchq finds ended and takes over (breakStale). Said, not an error.
          process.stderr.write(`patchq: warning: could not remove the lock ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the next patchq takes it over\n`);
        }
      };
    }
    const o = owner(path);
    // Gone since the attempt (its holder released it): try again. Never "break" a lock
    // that is not there: another patchq may create its own between that look and the
    // removal, which would take its lock away while it works (seen: two holders at once
    // when six raced on a busy machine).
    if (o.text === null) continue;
    if (held(o)) {
      throw new PatchqError('E_LOCKED', `another patchq (pid ${o.pid}) is working on this tree; wait for it to finish (lock: ${path})`);
    }
    breakStale(path, o);
  }
  throw new PatchqError('E_LOCKED', `another patchq is taking the lock ${path}; try again`);
}
