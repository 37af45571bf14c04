/**
 * sync with the series applied and a patch's files changed since its last refresh: pop
 * refuses, and sync says so in its own words (what it was doing, that nothing was pulled
 * or changed, what to do), not quilt's bare 'enforce with -f' that sync has no -f for.
 */
import { describe, expect, it } from 'vitest';
import { git, patchq, read, snapshot, upstreamAndFork, write } from '../helpers/tree.js';

describe('sync over unrefreshed work', () => {
  it('is refused before anything is popped or pulled, saying what to do', () => {
    const { up, d } = upstreamAndFork({ 'a.txt': 'one\ntwo\nthree\n' }, {}, 'patchq-syncwip-');
    expect(patchq(d, ['new', 'p.patch']).code).toBe(0);
    expect(patchq(d, ['add', 'a.txt']).code).toBe(0);
    write(d, 'a.txt', 'one\nTWO\nthree\n');
    expect(patchq(d, ['refresh']).code).toBe(0);
    write(d, 'a.txt', 'one\nTWO\nthree\nwork in progress\n');
    write(up, 'b.txt', 'new\n');
    git(up, 'add', '-A');
    git(up, 'commit', '-qm', 'v2');
    const head = git(d, 'rev-parse', 'HEAD');
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['sync']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sync starts by popping the 1 applied patch\(es\), and pop refused: .*p\.patch.*nothing was pulled or changed.*'patchq refresh'.*'patchq pop -a -f'/);
    expect(r.stderr).not.toContain('enforce with -f');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(git(d, 'rev-parse', 'HEAD')).toBe(head);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(read(d, 'a.txt')).toContain('work in progress');
  });
});
