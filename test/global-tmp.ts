/**
 * vitest globalSetup: the suite's own TMPDIR, checked empty at the end.
 *
 * Every test makes its folders under os.tmpdir() and removes them when its file ends
 * (test/helpers/temp.ts); so do the tools the tests run (patchq, git, quilt) with theirs.
 * Pointing TMPDIR at a fresh folder for the run (the workers and every process they
 * start inherit it) makes that checkable: whatever is left in it at the end was left by
 * this run, and the run fails naming it. The folder is removed either way, so a failed
 * run does not leave the machine's /tmp fuller either.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Shared by the whole run on purpose (test/helpers/tree.ts): the settings and the V8 compile cache. */
const SHARED = new Set(['patchq-test-config', 'patchq-test-cache']);

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'patchq-suite-'));
  // As /tmp is: the tests that run commands as another user (nobody) reach their trees
  // through it, and mkdtemp's 0700 would stop them at the door.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir).filter((n) => !SHARED.has(n)).sort();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (left.length) {
      const shown = left.slice(0, 20).join(', ') + (left.length > 20 ? `, ... (${left.length - 20} more)` : '');
      // vitest only logs an error thrown here ("error during close") and exits 0: set the code.
      process.exitCode = 1;
      throw new Error(`the tests left ${left.length} entries in their TMPDIR: ${shown} (each test file removes what it makes: test/helpers/temp.ts)`);
    }
  };
}
