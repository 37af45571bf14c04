/**
 * The series file keeps its mode when patchq rewrites it, as quilt 0.66's `cat > series`
 * writes into the file it has: a 0600 (private) or 0664 (group-shared) series stays so.
 * patchq beside quilt on twin trees.
 */
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchq, quilt, tempDir, write } from '../helpers/tree.js';

const modeOf = (p: string): string => (statSync(p).mode & 0o7777).toString(8);

describe('a rewrite of the series file keeps its mode', () => {
  it('new, rename, import, refresh -z, delete: 0600 and 0664 as quilt keeps them', () => {
    const patch = join(tempDir(), 'in.diff');
    write(patch, '', '--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-b\n+B\n');
    for (const mode of [0o600, 0o664, 0o640]) {
      const trees = [tempDir(), tempDir()];
      for (const d of trees) {
        write(d, 'a.txt', 'a\n');
        write(d, 'b.txt', 'b\n');
        write(d, 'patches/series', '');
        chmodSync(join(d, 'patches/series'), mode);
      }
      const steps: string[][] = [['new', 'one.diff'], ['add', 'a.txt'], ['rename', 'two.diff'], ['import', patch], ['refresh', '-z', 'three.diff'], ['delete', '-r']];
      for (const args of steps) {
        const [q, p] = [quilt(trees[0]!, args), patchq(trees[1]!, args)];
        expect([args.join(' '), p.code], p.stderr).toEqual([args.join(' '), q.code]);
        expect([args.join(' '), modeOf(join(trees[1]!, 'patches/series'))]).toEqual([args.join(' '), modeOf(join(trees[0]!, 'patches/series'))]);
        expect(modeOf(join(trees[1]!, 'patches/series'))).toBe(mode.toString(8));
      }
    }
  });
});
