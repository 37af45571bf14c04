/**
 * A user with no home folder: HOME not set, and a uid with no entry in the password
 * database (a container run with --user 12345). Node's os.homedir() throws there, and
 * every command used to end in "internal error" (the compile cache and the settings asked
 * for the home folder as they started). Now each works on its defaults: no settings file
 * is read, no cache is kept, and `config set` / `config path` say why there is no file.
 * Run as root, through setpriv, with the built binary.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, read, snapshot, tempDir, write } from '../helpers/tree.js';

const UID = 54321;

function asNobodyWithoutHome(cwd: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C', QUILTRC: '-', NODE_EXTRA_CA_CERTS: '', ...extra };
  const r = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', process.execPath, CLI, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('no home folder', () => {
  it('push, diff, refresh, pop and config list work on the defaults; config set and config path say there is no settings file', (ctx) => {
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) return ctx.skip();
    // The uid must have no password entry, or Node finds a home folder through it.
    if (spawnSync('getent', ['passwd', String(UID)]).status === 0) return ctx.skip();
    const d = tempDir('patchq-no-home-');
    write(d, 'a.txt', 'one\ntwo\n');
    write(d, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n');
    write(d, 'patches/series', 'p.patch\n');
    for (const p of ['', 'a.txt', 'patches', 'patches/p.patch', 'patches/series']) chownSync(`${d}/${p}`, UID, UID);
    chmodSync(d, 0o755);
    const before = snapshot(d);
    const ok = (args: string[]) => {
      const r = asNobodyWithoutHome(d, args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
      return r.stdout;
    };
    expect(ok(['push'])).toBe('Applying patch p.patch\npatching file a.txt\n\nNow at patch p.patch\n');
    expect(read(d, 'a.txt')).toBe('one\nTWO\n');
    expect(ok(['diff'])).toContain('+TWO\n');
    expect(ok(['refresh'])).toBe('Refreshed patch p.patch\n');
    expect(ok(['config', 'list'])).toMatch(/^fuzz = 2 {2}\(default\)$/m);
    for (const args of [['config', 'set', 'fuzz', '1'], ['config', 'path']]) {
      const r = asNobodyWithoutHome(d, args);
      expect(r).toEqual({ code: 1, stdout: '', stderr: 'no settings file: there is no home folder (HOME is not set, and this user has no entry in the password database); set HOME or PATCHQ_CONFIG_DIR\n' });
    }
    expect(ok(['pop'])).toBe('Removing patch p.patch\nRestoring a.txt\n\nNo patches applied\n');
    // PATCHQ_CONFIG_DIR names a folder: config set writes there (conf loads without a home).
    const cfg = tempDir('patchq-no-home-cfg-');
    chownSync(cfg, UID, UID);
    for (const args of [['config', 'set', 'fuzz', '1'], ['config', 'get', 'fuzz']]) {
      const r = asNobodyWithoutHome(d, args, { PATCHQ_CONFIG_DIR: cfg });
      expect(r, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
    }
    expect(asNobodyWithoutHome(d, ['config', 'get', 'fuzz'], { PATCHQ_CONFIG_DIR: cfg }).stdout).toBe('1\n');
    expect(JSON.parse(read(cfg, 'config.json'))).toEqual({ fuzz: 1 });
    // Back as it was (the patch file as refresh wrote it), and no cache or settings folder
    // anywhere in the tree (.pc is quilt's state, left out of the snapshot).
    const after = snapshot(d);
    expect(after['patches/p.patch']).toMatch(/^644:Index: patchq-no-home-\w+\/a\.txt\n/);
    expect({ ...after, 'patches/p.patch': '' }).toEqual({ ...before, 'patches/p.patch': '' });
    for (const p of ['.cache', '.config', 'patches/.cache']) expect(existsSync(`${d}/${p}`), p).toBe(false);
  });
});
