/**
 * PendingRun (src/stack/pending.ts): what a run of pushes or pops decided, written as one
 * transaction by flush(). A flush whose transaction fails and is rolled back forgets what
 * it held: a second flush (a run's clean-up after the error) writes nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateOrCreateTree } from '../../src/stack/layout.js';
import { PendingRun } from '../../src/stack/pending.js';
import { read, tempDir, write } from '../helpers/tree.js';

afterEach(() => {
  delete process.env.PATCHQ_FAIL_APPLY_AT;
});

describe('PendingRun.flush', () => {
  it('a failed flush is rolled back and forgotten, applied list included; the next flush writes nothing', () => {
    const d = tempDir();
    write(d, 'a.txt', 'a\n');
    write(d, 'patches/series', 'p.diff\n');
    const tree = locateOrCreateTree(d, {});
    const run = new PendingRun(tree, []);
    run.setText('a.txt', 'A\n', 0o644);
    run.add([{ kind: 'write', path: join(tree.pcDir, 'p.diff', '.timestamp'), data: '' }]);
    run.applied.push('p.diff');
    process.env.PATCHQ_FAIL_APPLY_AT = '1'; // the first op of this transaction fails (EIO)
    expect(() => run.flush()).toThrow(/EIO/);
    delete process.env.PATCHQ_FAIL_APPLY_AT;
    expect(run.applied).toEqual([]);
    expect(run.empty).toBe(true);
    run.flush();
    expect(read(d, 'a.txt')).toBe('a\n');
    expect(existsSync(join(tree.pcDir, 'p.diff'))).toBe(false);
    expect(existsSync(join(tree.pcDir, 'applied-patches'))).toBe(false);
    // And the run goes on from there: the same change, flushed now, is written.
    run.setText('a.txt', 'A\n', 0o644);
    run.applied.push('p.diff');
    run.flush();
    expect(read(d, 'a.txt')).toBe('A\n');
    expect(read(d, '.pc/applied-patches')).toBe('p.diff\n');
  });
});
