/**
 * A patch made by quilt or by patchq before its first reapply names no base (no index
 * line, no Patchq-Base): its first reapply after a pull must still not land a hunk on a
 * copy of its context that upstream added, as GNU patch would. The pre-pull commit
 * (ORIG_HEAD, which git pull/merge leaves) is its pre-image when the patch fits it.
 */
import { describe, expect, it } from 'vitest';
import { git, patchq, read, upstreamAndFork, write } from '../helpers/tree.js';

const V1 = 'l1\nl2\nl3\nA\nB\nC\nD\nE\nF\nG\nl4\nl5\nl6\n';
const PATCH = `Index: fork/f.txt
===================================================================
--- fork.orig/f.txt
+++ fork/f.txt
@@ -4,7 +4,7 @@
 A
 B
 C
-D
+D-fork
 E
 F
 G
`;

/** upstream (v1), a fork clone with the quilt-made patch committed (popped), upstream moved to `v2`. */
function fork(v2: string): string {
  const { up, d } = upstreamAndFork({ 'f.txt': V1 }, { '.gitignore': '.pc\n', 'patches/series': 'p.patch\n', 'patches/p.patch': PATCH }, 'patchq-basefb-');
  write(up, 'f.txt', v2);
  git(up, 'commit', '-qam', 'v2');
  git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
  return d;
}

describe('reapply of a patch that names no base', () => {
  it('stops at a hunk whose own line upstream changed, instead of landing it on a copy of its old context upstream added above', () => {
    // Upstream changed D to D2 where the patch changes it, and added a copy of the old block above.
    const d = fork('l1\nA\nB\nC\nD\nE\nF\nG\nX\nl2\nl3\nA\nB\nC\nD2\nE\nF\nG\nl4\nl5\nl6\n');
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as { stoppedAt: string; patches: Array<{ name: string; outcome: string }> };
    expect(rep.stoppedAt).toBe('p.patch');
    // The copy above is left alone; the conflict is where the patch's line is.
    expect(read(d, 'f.txt').startsWith('l1\nA\nB\nC\nD\nE\nF\nG\nX\n')).toBe(true);
    expect(read(d, 'f.txt')).toContain('<<<<<<< ours\nD2\n=======\nD-fork\n>>>>>>> theirs\n');
    expect(patchq(d, ['reapply', '--abort']).code).toBe(0);
    expect(read(d, 'patches/p.patch')).toBe(PATCH);
  });

  it('lands a hunk at its own place when upstream added a copy of its context above it', () => {
    const d = fork('l1\nA\nB\nC\nD\nE\nF\nG\nX\nl2\nl3\nA\nB\nC\nD\nE\nF\nG\nl4\nl5\nl6\n');
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(0);
    expect(read(d, 'f.txt')).toBe('l1\nA\nB\nC\nD\nE\nF\nG\nX\nl2\nl3\nA\nB\nC\nD-fork\nE\nF\nG\nl4\nl5\nl6\n');
  });
});
