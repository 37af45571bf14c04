/**
 * Stored settings reach the commands that use them, through the built binary: fuzz for
 * push, TUI-independent; diff style, prefix, timestamps and context for refresh; and the
 * precedence option > QUILT_* > stored > default holds on the real result.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { patchq, read, tempDir, write } from '../helpers/tree.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

/** A tree whose one patch needs fuzz 1: its first context line changed upstream. */
function fuzzyTree(): { root: string; env: NodeJS.ProcessEnv } {
  const root = tempDir();
  const env = { PATCHQ_CONFIG_DIR: join(root, '.config') };
  write(root, 'a.txt', lines(20).replace('line 7\n', 'line seven\n'));
  write(root, 'patches/series', 'p.patch\n');
  write(root, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n');
  return { root, env };
}

describe('settings reach the commands', () => {
  it('fuzz: stored 0 refuses the fuzzy hunk; QUILT_PATCH_OPTS and --fuzz override it', () => {
    const { root, env } = fuzzyTree();
    expect(patchq(root, ['config', 'set', 'fuzz', '0'], env).code).toBe(0);
    const refused = patchq(root, ['push'], env);
    expect(refused.code).toBe(1);
    expect(read(root, 'a.txt')).toContain('line 10\n');
    const viaEnv = patchq(root, ['push'], { ...env, QUILT_PATCH_OPTS: '-F1' });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toMatch(/with fuzz 1/);
    expect(patchq(root, ['pop', '-f'], env).code).toBe(0);
    expect(patchq(root, ['push', '--fuzz=1'], env).code).toBe(0);
  });

  it('refresh writes the stored diff style, prefix, timestamps and context', () => {
    const root = tempDir();
    const env = { PATCHQ_CONFIG_DIR: join(root, '.config') };
    write(root, 'a.txt', lines(20));
    expect(patchq(root, ['new', 'p.patch'], env).code).toBe(0);
    expect(patchq(root, ['add', 'a.txt'], env).code).toBe(0);
    write(root, 'a.txt', lines(20).replace('line 10\n', 'line ten\n'));
    for (const [k, v] of [['prefix', 'ab'], ['timestamps', 'false'], ['context', '1']]) expect(patchq(root, ['config', 'set', k!, v!], env).code).toBe(0);
    expect(patchq(root, ['refresh'], env).code).toBe(0);
    const quiltStyle = read(root, 'patches/p.patch');
    expect(quiltStyle).toContain('Index: b/a.txt\n');
    expect(quiltStyle).toContain('--- a/a.txt\n+++ b/a.txt\n@@ -9,3 +9,3 @@\n line 9\n-line 10\n+line ten\n line 11\n');
    expect(patchq(root, ['config', 'set', 'diffStyle', 'git'], env).code).toBe(0);
    expect(patchq(root, ['refresh'], env).code).toBe(0);
    expect(read(root, 'patches/p.patch')).toMatch(/^diff --git a\/a\.txt b\/a\.txt\n/m);
    // An option beats the stored value.
    expect(patchq(root, ['refresh', '-U', '3'], env).code).toBe(0);
    expect(read(root, 'patches/p.patch')).toContain('@@ -7,7 +7,7 @@');
  });
});
