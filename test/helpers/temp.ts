/**
 * Temp folders for the tests, each removed when its test file ends.
 *
 * A helper module's top-level afterAll registers on the file that imports it: vitest
 * evaluates the module while it collects that file (every file gets its own module
 * graph: pool 'forks', isolate on), so each test file removes exactly what it made.
 * Everything is made under os.tmpdir(), which honours TMPDIR; the suite's globalSetup
 * (test/global-tmp.ts) points TMPDIR at a folder of its own and fails the run if any
 * file left something behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';

const made: string[] = [];

// Imported first inside a running test (`await import()` in a test body), the afterAll
// below registers nowhere and the file's folders stay: say so instead.
if (expect.getState().currentTestName !== undefined) {
  throw new Error('test/helpers/temp.ts was first imported inside a test, where its afterAll cannot register: import it (or the helper that uses it) at the top of the test file');
}

/**
 * Remove `dir` and everything below it. Retries cover a child process (an editor shim,
 * a tmux pane, a git hook) still writing into it as the file ends: rm -r then meets
 * ENOTEMPTY. An error past the retries is thrown, so a leak is seen, not skipped.
 */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

afterAll(() => {
  const errors: string[] = [];
  for (const d of made.splice(0)) {
    try {
      removeDir(d);
    } catch (e) {
      errors.push(`${d}: ${(e as Error).message}`);
    }
  }
  if (errors.length) throw new Error(`temp folders not removed:\n${errors.join('\n')}`);
});

/** A fresh folder under os.tmpdir() named `prefix` + 6 random characters, removed after this file's tests. */
export function tempDir(prefix = 'patchq-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A folder for `fn` alone, removed as soon as it returns or throws. */
export function withTempDir<T>(prefix: string, fn: (dir: string) => T): T {
  const d = mkdtempSync(join(tmpdir(), prefix));
  try {
    return fn(d);
  } finally {
    removeDir(d);
  }
}

let scratch: string | undefined;

/**
 * A TMPDIR for the real tools a test runs, removed with the file's other folders. quilt
 * 0.66 leaves some of its own temp files behind: `quilt push` of a patch whose file is
 * missing returns before it removes the `quilt.XXXXXX` it made for `patch -r` (push,
 * apply_patch). Its runs get this folder as TMPDIR, so what it leaves goes with the file.
 */
export function toolTmp(): string {
  scratch ??= tempDir('patchq-tooltmp-');
  return scratch;
}
