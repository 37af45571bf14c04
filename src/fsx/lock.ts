/**
 * One patchq per tree: a lock file created with O_EXCL holding the owner's pid.
 * A lock whose pid is no longer alive is stale (a crash or kill -9) and is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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

/** Take the lock at `path`; returns the function that releases it. */
export function acquireLock(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new PatchqError('E_LOCKED', `another patchq (pid ${pid}) is working on this tree; wait for it to finish (lock: ${path})`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new PatchqError('E_LOCKED', `could not take the lock ${path}`);
}
