/**
 * Upstream reindented the patched code (4 spaces to 2, Python): the hunk lands
 * whitespace-insensitively, and its added line must take the file's indentation as the
 * lines around it did, not keep the patch's 4 spaces (an IndentationError in the fork).
 */
import { describe, expect, it } from 'vitest';
import { git, patchq, read, upstreamAndFork, write } from '../helpers/tree.js';

const V1 = 'def f():\n    a = 1\n    b = 2\n    return a\n\ndef g():\n    a = 1\n    if a:\n        c = 3\n    d = 4\n    return a\n';

describe('reapply after upstream reindented the patched block', () => {
  it('gives the added lines the indentation the file gives the lines around them', () => {
    const { up, d } = upstreamAndFork({ 'f.py': V1 }, {}, 'patchq-reindent-');
    write(d, '.gitignore', '.pc\n');
    expect(patchq(d, ['new', 'p.patch']).code).toBe(0);
    expect(patchq(d, ['add', 'f.py']).code).toBe(0);
    write(d, 'f.py', V1.replace('        c = 3\n    d = 4\n', '        c = 30\n    d = 40\n'));
    expect(patchq(d, ['refresh']).code).toBe(0);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'series');
    // Upstream: 2-space indentation throughout.
    write(up, 'f.py', V1.replace(/^((?: {4})+)/gm, (m) => ' '.repeat(m.length / 2)));
    git(up, 'commit', '-qam', 'v2: 2-space indentation');
    const r = patchq(d, ['sync']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(read(d, 'f.py')).toBe('def f():\n  a = 1\n  b = 2\n  return a\n\ndef g():\n  a = 1\n  if a:\n    c = 30\n  d = 40\n  return a\n');
  });
});
