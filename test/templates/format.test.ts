/**
 * A template patch regenerated (reapply, `patchq regen`, the TUI's t) or made (`new
 * --template`, `template run`) is written in the format the user's `patchq refresh` writes
 * (diffStyle, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS), not a fixed one: otherwise a fork that
 * keeps git-style patches gets its template patches back rewritten in quilt's format at
 * every upstream sync. Checked against what refresh itself writes for the same change.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeOps } from '../../src/tui/store.js';
import { git, numbered, patchq, read, tempDir, write, gitRepo } from '../helpers/tree.js';

const TEMPLATE = 'name: rename-call\nversion: 1\nfiles:\n  include: ["src/*.txt"]\nrules:\n  - kind: literal\n    name: call\n    find: "oldcall("\n    replace: "newcall("\n';

/** t.patch from the template (oldcall -> newcall in src/*.txt), made with `env`, committed unapplied. */
function fork(env: NodeJS.ProcessEnv): string {
  const d = gitRepo({ 'src/one.txt': numbered(20) + 'x = oldcall()\n' + numbered(20, 'm'), 'src/two.txt': numbered(10) + 'y = oldcall()\n' + numbered(10, 'm') }, { prefix: 'patchq-tplfmt-' });
  write(d, 'patches/templates/rename-call.yaml', TEMPLATE);
  write(d, '.gitignore', '.pc\n');
  expect(patchq(d, ['new', 't.patch', '--template', 'rename-call'], env).code).toBe(0);
  expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'the series');
  return d;
}

/** Upstream adds a call to one.txt: the template patch is regenerated. */
function newUpstream(d: string): void {
  write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
  git(d, 'commit', '-qam', 'v2: one more call');
}

/** `patchq refresh t.patch` on the tree as it is: it must find nothing to rewrite. */
function refreshAgrees(d: string, env: NodeJS.ProcessEnv): void {
  const before = read(d, 'patches/t.patch');
  const r = patchq(d, ['refresh', 't.patch'], env);
  expect([r.code, r.stdout, r.stderr]).toEqual([0, 'Patch t.patch is unchanged\n', '']);
  expect(read(d, 'patches/t.patch')).toBe(before);
}

const gitConfig = (): NodeJS.ProcessEnv => {
  const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-tplfmt-conf-') };
  expect(patchq(tempDir(), ['config', 'set', 'diffStyle', 'git'], env).code).toBe(0);
  return env;
};

describe('template patches in the format refresh writes', () => {
  it('default settings: quilt labels and Index: lines, no timestamps, as before', () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-tplfmt-conf-') };
    const d = fork(env);
    const dir = basename(d);
    const made = read(d, 'patches/t.patch');
    expect(made).toContain(`Index: ${dir}/src/one.txt\n${'='.repeat(67)}\n--- ${dir}.orig/src/one.txt\n+++ ${dir}/src/one.txt\n@@ -18,7 +18,7 @@\n`);
    newUpstream(d);
    const r = patchq(d, ['reapply', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { patches: Array<{ outcome: string }> }).patches.map((p) => p.outcome)).toEqual(['regenerated']);
    const text = read(d, 'patches/t.patch');
    expect(text).toContain(`Index: ${dir}/src/one.txt\n${'='.repeat(67)}\n--- ${dir}.orig/src/one.txt\n+++ ${dir}/src/one.txt\n@@ -18,7 +18,7 @@\n`);
    expect(text).not.toContain('\t');
    expect(text).not.toContain('diff --git');
  });

  it('diffStyle git: new --template, reapply and regen write git headers, byte for byte what refresh writes', () => {
    const env = gitConfig();
    const d = fork(env);
    expect(read(d, 'patches/t.patch')).toMatch(/^Patchq-Template: rename-call\n[^]*\n\ndiff --git a\/src\/one\.txt b\/src\/one\.txt\nindex [0-9a-f]+\.\.[0-9a-f]+ 100644\n--- a\/src\/one\.txt\n\+\+\+ b\/src\/one\.txt\n@@ /);
    newUpstream(d);
    const r = patchq(d, ['reapply'], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('regenerated');
    const text = read(d, 'patches/t.patch');
    expect(text).toMatch(/\ndiff --git a\/src\/one\.txt b\/src\/one\.txt\n/);
    expect(text).toContain('+z = newcall()\n');
    expect(text).not.toContain('Index:');
    refreshAgrees(d, env);
    // regen after upstream's next call: git headers again.
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    write(d, 'src/two.txt', read(d, 'src/two.txt').replace('m5\n', 'w = oldcall()\n'));
    const g = patchq(d, ['regen', 't.patch'], env);
    expect([g.code, g.stderr]).toEqual([0, '']);
    expect(read(d, 'patches/t.patch')).toContain('+w = newcall()\n');
    expect(read(d, 'patches/t.patch')).not.toContain('Index:');
    refreshAgrees(d, env);
  });

  it("the TUI's t (its store's regenerate) writes it as the command does", async () => {
    const env = gitConfig();
    const d = fork(env);
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    const r = await makeOps(d, { ...process.env, ...env }).regenerate('t.patch', () => {});
    expect(r.message).toBe('Regenerated patch t.patch from template rename-call');
    const text = read(d, 'patches/t.patch');
    expect(text).toContain('+z = newcall()\n');
    expect(text).toMatch(/\ndiff --git a\/src\/one\.txt b\/src\/one\.txt\n/);
    refreshAgrees(d, env);
  });

  it('QUILT_REFRESH_ARGS="-p ab --no-timestamps --no-index" and QUILT_DIFF_OPTS=--show-c-function: regen writes what refresh writes', () => {
    const env = { PATCHQ_CONFIG_DIR: tempDir('patchq-tplfmt-conf-'), QUILT_REFRESH_ARGS: '-p ab --no-timestamps --no-index', QUILT_DIFF_OPTS: '--show-c-function' };
    const d = fork(env);
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    const g = patchq(d, ['regen', 't.patch'], env);
    expect([g.code, g.stderr]).toEqual([0, '']);
    const text = read(d, 'patches/t.patch');
    // a/ b/ labels, no Index: line, the function line (diff -p: the last line above the hunk
    // that starts with a letter) after each @@.
    expect(text).toContain('--- a/src/one.txt\n+++ b/src/one.txt\n@@ -18,7 +18,7 @@ l17\n');
    expect(text).toContain('+z = newcall()\n');
    expect(text).not.toContain('Index:');
    refreshAgrees(d, env);
    // template run prints the patch as regen wrote it (on the tree below the patch).
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    const t = patchq(d, ['template', 'run', 'rename-call'], env);
    expect([t.code, t.stderr]).toEqual([0, '']);
    expect(text.endsWith(t.stdout)).toBe(true);
    expect(t.stdout).toMatch(/^--- a\/src\/one\.txt\n/);
  });
});
