/**
 * Upstream renamed the file a patch changes: the run stops with the hunks in a .rej. A
 * person who makes the change in the new file but does not add that file to the patch,
 * deletes the .rej and continues would get an empty patch reported 'resolved by hand' and
 * 'All patches are back', the fork's change in no patch at all. --continue refuses that,
 * saying what to do; --continue --drop-merged drops a patch a person resolved to nothing.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, patchq, read, snapshot, upstreamAndFork, write } from '../helpers/tree.js';

const V1 = 'DEBUG = False\nPORT = 8000\nWORKERS = 1\nLOG = "info"\n';
const PATCH = `Index: fork/settings.py
===================================================================
--- fork.orig/settings.py
+++ fork/settings.py
@@ -1,4 +1,4 @@
 DEBUG = False
 PORT = 8000
-WORKERS = 1
+WORKERS = 4
 LOG = "info"
`;

/** A fork whose patch changes settings.py, pulled after upstream renamed it to config.py; reapply stopped. */
function stopped(): string {
  const { up, d } = upstreamAndFork({ 'settings.py': V1 }, { '.gitignore': '.pc\n', 'patches/series': 'settings.patch\n', 'patches/settings.patch': PATCH }, 'patchq-renamed-');
  git(up, 'mv', 'settings.py', 'config.py');
  git(up, 'commit', '-qm', 'v2: settings.py is config.py');
  const r = patchq(d, ['sync']);
  expect(r.code).toBe(1);
  expect(existsSync(join(d, 'settings.py.rej'))).toBe(true);
  // The report says where the file went and where its hunks are, not 'best candidate line ?'.
  expect(r.stdout).toContain('settings.py: renamed upstream to config.py (100% similar); the patch still names settings.py; its 1 hunk(s) are in settings.py.rej');
  expect(r.stdout).not.toContain('line ?');
  return d;
}

describe('--continue over a patch resolved to nothing', () => {
  it('refuses, naming the patch and what to do, and changes nothing', () => {
    const d = stopped();
    write(d, 'config.py', read(d, 'config.py').replace('WORKERS = 1', 'WORKERS = 4'));
    rmSync(join(d, 'settings.py.rej'));
    const before = snapshot(d, { withPc: true });
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/settings\.patch holds no change any more: none of its files \(settings\.py\) differs .*patchq add/);
    // The series, the patch, the run's state in .pc and the work in config.py, as they were.
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(read(d, 'patches/settings.patch')).toBe(PATCH);
    // Doing as told: the new file goes into the patch (as upstream has it), the change is made
    // there, and the run finishes with the change in the patch.
    git(d, 'checkout', '--', 'config.py');
    expect(patchq(d, ['add', 'config.py']).code).toBe(0);
    write(d, 'config.py', read(d, 'config.py').replace('WORKERS = 1', 'WORKERS = 4'));
    const ok = patchq(d, ['reapply', '--continue']);
    expect(ok.code).toBe(0);
    expect(read(d, 'patches/settings.patch')).toContain('+WORKERS = 4');
    expect(read(d, 'patches/settings.patch')).toContain('config.py');
  });

  it('--continue --drop-merged drops it from the series, its file as it was', () => {
    const d = stopped();
    rmSync(join(d, 'settings.py.rej'));
    const c = patchq(d, ['reapply', '--continue', '--drop-merged', '--json']);
    expect(c.code).toBe(0);
    const rep = JSON.parse(c.stdout) as { patches: Array<{ name: string; outcome: string }> };
    expect(rep.patches).toEqual([expect.objectContaining({ name: 'settings.patch', outcome: 'dropped' })]);
    expect(read(d, 'patches/series')).toBe('');
    expect(read(d, 'patches/settings.patch')).toBe(PATCH);
    expect(patchq(d, ['applied']).stdout).toBe('');
    expect(existsSync(join(d, '.pc/.patchq/reapply.json'))).toBe(false);
  });
});
