/**
 * One patchq per tree: a lock file created with O_EXCL holding the owner's pid.
 * A lock whose pid is no longer alive is stale (a crash or kill -9) and is taken over.
 *
 * Taking over is where two processes can race: A and B both read the dead pid, A removes
 * the stale file and creates its own lock, then B removes A's fresh lock and creates
 * its own -> both write. So the takeover runs under a second O_EXCL file (`<lock>.break`)
 * and re-reads the lock inside it: B then finds A's live pid and backs off. A breaker
 * left by a process killed inside that tiny section is itself stale when its pid is dead.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PatchqError } from '../engine/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file; NaN when missing or garbled. */
function owner(path: string): number {
  try {
    return Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    return Number.NaN;
  }
}

/**
 * Create `path` holding our pid, or return false when it exists. The pid goes into a
 * private file first and is hard-linked into place, so a lock file is never seen empty.
 */
function tryCreate(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

const held = (pid: number) => Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid);

/** Remove the lock at `path` if it is still the stale one, under the breaker. */
function breakStale(path: string, stalePid: number): void {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker)) {
    const b = owner(breaker);
    // Unreadable yet (being written) or held by a live process: let the caller retry.
    if (Number.isNaN(b) || held(b)) return;
    rmSync(breaker, { force: true });
    if (!tryCreate(breaker)) return;
  }
  try {
    const now = owner(path);
    if (now === stalePid || (Number.isNaN(now) && Number.isNaN(stalePid))) rmSync(path, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}

/** Take the lock at `path`; returns the function that releases it. */
export function acquireLock(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    }
    const pid = owner(path);
    if (held(pid)) {
      throw new PatchqError('E_LOCKED', `another patchq (pid ${pid}) is working on this tree; wait for it to finish (lock: ${path})`);
    }
    breakStale(path, pid);
  }
  throw new PatchqError('E_LOCKED', `another patchq is taking the lock ${path}; try again`);
}
