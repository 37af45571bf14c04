/**
 * The last small differences from quilt 0.66, each beside the real quilt: twin trees, the
 * same commands, the same output, exit codes and files.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchq, quilt, read, tempDir, write, type Run } from '../helpers/tree.js';

const out = (r: Run) => [r.code, r.stdout, r.stderr];

function twins(setup: (root: string) => void): [string, string] {
  const a = tempDir();
  const b = tempDir();
  setup(a);
  setup(b);
  return [a, b];
}

describe('quilt 0.66 odds', () => {
  it("new leaves an empty .pc/NAME as quilt's; a pop after quilt's new and add checks the patch (edits are not lost)", () => {
    const [q, p] = twins((d) => write(d, 'a', 'a\n'));
    for (const [args, tool] of [[['new', 'p.diff'], quilt], [['add', 'a'], quilt]] as const) {
      expect(out(tool(p, [...args]))).toEqual(out(quilt(q, [...args])));
    }
    for (const d of [q, p]) write(d, 'a', 'edited\n');
    // quilt's new made no .timestamp: quilt's pop looks, and refuses.
    expect(out(patchq(p, ['pop']))).toEqual(out(quilt(q, ['pop'])));
    expect(patchq(p, ['pop']).code).toBe(1);
    expect(read(p, 'a')).toBe('edited\n');
    // patchq's new leaves what quilt's leaves.
    const [q2, p2] = twins(() => {});
    expect(out(patchq(p2, ['new', 'n.diff']))).toEqual(out(quilt(q2, ['new', 'n.diff'])));
    expect(readdirSync(join(p2, '.pc/n.diff'))).toEqual(readdirSync(join(q2, '.pc/n.diff')));
    expect(readdirSync(join(p2, '.pc/n.diff'))).toEqual([]);
  });

  it('next PATCH and previous PATCH: the named patch when unapplied, "currently applied" (exit 2), the applied one below', () => {
    const [q, p] = twins((d) => {
      write(d, 'patches/series', 'p1.diff\np2.diff\np3.diff\np4.diff\n');
      for (const n of [1, 2, 3, 4]) write(d, `patches/p${n}.diff`, `--- a/f${n}\n+++ b/f${n}\n@@ -0,0 +1 @@\n+x\n`);
    });
    const both = (args: string[]) => expect([args, ...out(patchq(p, args))]).toEqual([args, ...out(quilt(q, args))]);
    // Nothing applied (quilt's previous PATCH then says awk's complaint on stderr: the code and stdout only).
    for (const args of [['previous', 'p2.diff'], ['previous', 'p1']]) expect([args, ...out(patchq(p, args)).slice(0, 2)]).toEqual([args, ...out(quilt(q, args)).slice(0, 2)]);
    for (const args of [['next', 'p1'], ['next', 'p4.diff']]) both(args);
    for (const d of [p, q]) expect(quilt(d, ['push', '-q', '2']).code).toBe(0);
    for (const n of ['p1', 'p2.diff', 'p3', 'p4.diff', 'nope']) {
      both(['next', n]);
      both(['previous', n]);
    }
    both(['next']);
    both(['previous']);
  });

  it('header --backup keeps PATCH~ also when the header does not change (-e, -a, -r)', () => {
    const patch = 'The header.\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n';
    const [q, p] = twins((d) => {
      write(d, 'patches/series', 'p.diff\n');
      write(d, 'patches/p.diff', patch);
    });
    for (const [args, input] of [[['header', '-e', '--backup'], ''], [['header', '-a', '--backup'], ''], [['header', '-r', '--backup'], 'The header.\n']] as const) {
      for (const d of [q, p]) rmSync(join(d, 'patches/p.diff~'), { force: true });
      expect([args, ...out(patchq(p, [...args, 'p'], { EDITOR: 'true' }, input))]).toEqual([args, ...out(quilt(q, [...args, 'p'], { EDITOR: 'true' }, input))]);
      expect(readdirSync(join(p, 'patches'))).toEqual(readdirSync(join(q, 'patches')).sort());
      for (const d of [q, p]) expect([d, read(d, 'patches/p.diff~'), read(d, 'patches/p.diff')]).toEqual([d, patch, patch]);
    }
  });
});
