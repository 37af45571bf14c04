/**
 * reapply refreshes the patches that drifted: in the format the user's own `patchq refresh`
 * writes (settings, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS), not in a fixed one. Otherwise every
 * drifted patch of a fork that keeps git-style patches comes back rewritten whole in quilt's.
 */
import { describe, expect, it } from 'vitest';
import { makeOps } from '../../src/tui/store.js';
import { git, numbered, patchq, read, tempDir, upstreamAndFork, write } from '../helpers/tree.js';

/** A fork whose p.patch was refreshed by patchq with `env`; upstream then adds a line above it. */
function drifted(env: NodeJS.ProcessEnv): string {
  const { up, d } = upstreamAndFork({ 'a.txt': numbered(30) }, {}, 'patchq-refmt-');
  for (const args of [['new', 'p.patch'], ['add', 'a.txt']]) expect(patchq(d, args, env).code).toBe(0);
  write(d, 'a.txt', numbered(30).replace('l10\n', 'FORK\n'));
  expect(patchq(d, ['refresh'], env).code).toBe(0);
  expect(patchq(d, ['pop'], env).code).toBe(0);
  write(d, '.gitignore', '.pc\n');
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'series');
  write(up, 'a.txt', 'new\n' + numbered(30));
  git(up, 'commit', '-qam', 'v2');
  git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
  return d;
}

describe('reapply writes a drifted patch as refresh would', () => {
  it('with `patchq config set diffStyle git`: git headers still', () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-refmt-conf-') };
    expect(patchq(tempDir(), ['config', 'set', 'diffStyle', 'git'], env).code).toBe(0);
    const d = drifted(env);
    expect(read(d, 'patches/p.patch')).toMatch(/^diff --git a\/a\.txt b\/a\.txt\n/);
    const r = patchq(d, ['reapply'], env);
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('refreshed (landed with drift)')]);
    const text = read(d, 'patches/p.patch');
    expect(text).toMatch(/^Patchq-Base: [0-9a-f]{40}\n\ndiff --git a\/a\.txt b\/a\.txt\n/);
    expect(text).toContain('@@ -8,7 +8,7 @@\n');
    expect(text).not.toContain('Index:');
  });

  it("the TUI's R (its store's reapply) writes it as the command does", async () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-refmt-conf-'), QUILT_REFRESH_ARGS: '--no-timestamps' };
    expect(patchq(tempDir(), ['config', 'set', 'diffStyle', 'git'], env).code).toBe(0);
    const d = drifted(env);
    const report = await makeOps(d, { ...process.env, ...env }).reapply(() => {});
    expect(report.patches.map((p) => p.outcome)).toEqual(['refreshed']);
    const text = read(d, 'patches/p.patch');
    expect(text).toMatch(/^Patchq-Base: [0-9a-f]{40}\n\ndiff --git a\/a\.txt b\/a\.txt\n/);
    expect(text).not.toContain('Index:');
  });

  it('with QUILT_REFRESH_ARGS="--no-timestamps --no-index" (as a quiltrc sets them): none in the refreshed patch', () => {
    const env = { QUILT_REFRESH_ARGS: '--no-timestamps --no-index' };
    const d = drifted(env);
    const before = read(d, 'patches/p.patch');
    expect(before).toMatch(/^--- [^\t\n]+\n\+\+\+ [^\t\n]+\n@@ -7,7 \+7,7 @@\n/);
    expect(patchq(d, ['reapply'], env).code).toBe(0);
    // Only the line numbers (and the base line) change.
    expect(read(d, 'patches/p.patch')).toBe(`Patchq-Base: ${git(d, 'rev-parse', 'HEAD').trim()}\n\n` + before.replace('@@ -7,7 +7,7 @@', '@@ -8,7 +8,7 @@'));
  });
});
