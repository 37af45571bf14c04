/**
 * The demo fork: a real git repository whose series applies exactly to upstream v1 with
 * real `patch -p1`, and drifts on v2 under real `quilt push -a` (the demo exists to need
 * patchq, so the drift is asserted, not assumed).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemo } from '../../src/demo/build.js';
import { git, patchq, quilt, tempDir, write } from '../helpers/tree.js';

const build = () => buildDemo(join(tempDir('patchq-demo-'), 'fork'));
const series = (root: string) => readFileSync(join(root, 'patches/series'), 'utf8').trim().split('\n');

describe('buildDemo', () => {
  const d = build();

  it('makes a git repo with v1 and v2 on upstream, main at upstream v2 plus the series', () => {
    const log = git(d.root, 'log', '--format=%H %s', 'upstream');
    expect(log).toContain(`${d.v1} upstream v1`);
    expect(log).toContain(`${d.v2} upstream v2`);
    expect(git(d.root, 'rev-parse', 'upstream').trim()).toBe(d.v2);
    expect(git(d.root, 'merge-base', '--is-ancestor', 'upstream', 'main')).toBe('');
    expect(git(d.root, 'status', '--porcelain')).toBe('');
    expect(series(d.root)).toContain('01-pooling.patch');
    expect(d.steps.length).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic: a second build has the same commits', () => {
    const again = build();
    expect([again.v1, again.v2]).toEqual([d.v1, d.v2]);
  });

  it('refuses a directory that is not empty', () => {
    const dir = tempDir('patchq-demo-');
    write(dir, 'x.txt', 'mine\n');
    expect(() => buildDemo(dir)).toThrow(/not empty/);
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).toBe('mine\n');
  });

  it('every patch applies to v1 exactly with real patch -p1 (no offset, no fuzz)', () => {
    const wt = join(tempDir('patchq-demo-wt-'), 'v1');
    git(d.root, 'worktree', 'add', '-q', '--detach', wt, d.v1);
    for (const p of series(d.root)) {
      const r = spawnSync('patch', ['-p1', '--no-backup-if-mismatch', '-i', join(d.root, 'patches', p)], { cwd: wt, encoding: 'utf8' });
      expect(r.status, `${p}: ${r.stdout}`).toBe(0);
      expect(r.stdout).not.toMatch(/offset|fuzz|FAILED|Reversed/i);
    }
    expect(git(wt, 'diff', '--stat')).toMatch(/database\/.*_db\.py/);
  });

  it('real quilt push -a on v2 shows drift (offset, fuzz or failure)', () => {
    const r = quilt(d.root, ['push', '-a']);
    expect(`${r.stdout}${r.stderr}`).toMatch(/offset|fuzz|FAILED|reversed/i);
    // The pooling patch misses the module upstream added in v2.
    expect(readFileSync(join(d.root, 'database/latency_db.py'), 'utf8')).toContain('NullPool');
  });
});

describe('patchq demo', () => {
  it('names the reapply it runs: --drop-merged, unless --keep-merged (then the run stops at the patch upstream took)', () => {
    const drop = patchq(tempDir('patchq-demo-cmd-'), ['demo', '--no-tui']);
    expect(drop.code).toBe(0);
    expect(drop.stdout).toContain('Now `patchq reapply --drop-merged` puts the series back on the new upstream');
    expect(drop.stdout).toMatch(/04-user-typo\.patch +dropped \(already upstream\)/);
    const keep = patchq(tempDir('patchq-demo-cmd-'), ['demo', '--no-tui', '--keep-merged']);
    expect(keep.code).toBe(1);
    expect(keep.stdout).toContain('Now `patchq reapply` puts the series back on the new upstream');
    expect(keep.stdout).toContain('Stopped at 04-user-typo.patch: upstream already has it.');
  });

  it('leaves nothing in TMPDIR: not after a run, not when the build fails (no git on PATH)', () => {
    const tmp = tempDir('patchq-demo-tmp-');
    const ok = patchq(tempDir('patchq-demo-cmd-'), ['demo', '--no-tui'], { TMPDIR: tmp });
    expect(ok.code).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    const failed = patchq(tempDir('patchq-demo-cmd-'), ['demo', '--no-tui'], { TMPDIR: tmp, PATH: tempDir('patchq-demo-nopath-') });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/git init .*failed: .*ENOENT/);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
