/**
 * A lone exact copy at an offset is no proof: when git has the patch's pre-image (its
 * `index` line), push and reapply check an offset landing against it. Two functions end
 * in the same lines; the fork changed f1's copy; upstream moved f1 down (20 imports above
 * it) and edited one of its context lines, so the only exact copy left is f2's. GNU patch,
 * git apply and patchq before landed the change in f2 ("offset 30 lines"), and reapply
 * refreshed the patch there.
 */
import { describe, expect, it } from 'vitest';
import { git, gitRepo, patchq, read, write } from '../helpers/tree.js';

const body = (name: string, x = '0') => `def ${name}():\n    x = ${x}\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    e = 5\n    return a\n\n`;
const v1 = `# head\n\n${body('f1')}${body('f2')}`;
const imports = Array.from({ length: 20 }, (_, i) => `import mod${i + 1}\n`).join('');
const v2 = `# head\n\n${imports}\n${body('f1', '-1')}${body('f2')}`;

function fork(): string {
  const d = gitRepo({ 'm.py': v1 }, { prefix: 'patchq-base-' });
  write(d, 'm.py', v1.replace('    c = 3\n', '    c = 30\n'));
  write(d, 'patches/fix.patch', git(d, 'diff'));
  write(d, 'patches/series', 'fix.patch\n');
  write(d, 'm.py', v2);
  git(d, 'commit', '-qam', 'upstream v2');
  return d;
}
/** The line of m.py holding the fork's change, and the function it is in. */
const landedIn = (d: string) => {
  const lines = read(d, 'm.py').split('\n');
  const at = lines.indexOf('    c = 30');
  return lines.slice(0, at).reverse().find((l) => l.startsWith('def '));
};

describe('an offset landing is checked against the pre-image git has', () => {
  it('push merges the change into f1, where the base places it, not into the exact copy in f2', () => {
    const d = fork();
    const r = patchq(d, ['push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Hunk #1 merged at 25.');
    expect(landedIn(d)).toBe('def f1():');
    expect(read(d, 'm.py')).toBe(v2.replace('    x = -1\n    a = 1\n    b = 2\n    c = 3\n', '    x = -1\n    a = 1\n    b = 2\n    c = 30\n'));
  });

  it('reapply does the same, and the refreshed patch changes f1', () => {
    const d = fork();
    const r = patchq(d, ['reapply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/m\.py hunk 1: merged at line 25 \(offset \+21\) - 3-way merge with the base/);
    expect(landedIn(d)).toBe('def f1():');
    expect(read(d, 'patches/fix.patch')).toMatch(/^ {5}x = -1\n {5}a = 1\n {5}b = 2\n- {4}c = 3\n\+ {4}c = 30\n/m);
  });
});
