/**
 * A patch upstream took verbatim: reapply stops at it (or drops it with --drop-merged),
 * and its file in patches/ is the fork's patch as it was, not the empty refresh the run
 * made on the way to finding it merged (quilt's delete, too, keeps the file).
 */
import { describe, expect, it } from 'vitest';
import { git, patchq, read, upstreamAndFork, write } from '../helpers/tree.js';

const V1 = 'import os\n\ndef banner():\n    print("hello")\n    print("world")\n    return 0\n';
const PATCH = `Index: fork/app.py
===================================================================
--- fork.orig/app.py
+++ fork/app.py
@@ -1,6 +1,6 @@
 import os
 
 def banner():
-    print("hello")
+    print("hello, fork")
     print("world")
     return 0
`;

function fork(): string {
  const { up, d } = upstreamAndFork({ 'app.py': V1, 'other.py': 'x = 1\n' }, { '.gitignore': '.pc\n', 'patches/series': 'banner.patch\n', 'patches/banner.patch': PATCH }, 'patchq-merged-');
  // Upstream takes the fork's change as it is.
  write(up, 'app.py', V1.replace('"hello"', '"hello, fork"'));
  git(up, 'commit', '-qam', 'v2: take the fork banner');
  return d;
}

describe('a patch upstream took verbatim', () => {
  it('stops at it with its file as it was, and --continue --drop-merged keeps that file', () => {
    const d = fork();
    const r = patchq(d, ['sync']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Stopped at banner.patch: upstream already has it');
    expect(read(d, 'patches/banner.patch')).toBe(PATCH);
    const c = patchq(d, ['reapply', '--continue', '--drop-merged']);
    expect(c.code).toBe(0);
    expect(read(d, 'patches/series')).toBe('');
    expect(read(d, 'patches/banner.patch')).toBe(PATCH);
    expect(git(d, 'status', '--porcelain')).toBe(' M patches/series\n');
  });

  it('--drop-merged in one go keeps the file as it was too', () => {
    const d = fork();
    expect(patchq(d, ['sync', '--drop-merged']).code).toBe(0);
    expect(read(d, 'patches/banner.patch')).toBe(PATCH);
  });
});
