/** `patchq config` through the built binary, settings in a temp PATCHQ_CONFIG_DIR. */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, run, temp } from './run.js';

describe('patchq config', () => {
  it('set, get, list with sources, unset, path', () => {
    const d = temp();
    const file = join(d, '.cfg', 'config.json');
    expect(run(d, ['config', 'path']).stdout).toBe(file + '\n');
    expect(run(d, ['config', 'set', 'fuzz', '0']).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ fuzz: 0 });
    expect(run(d, ['config', 'get', 'fuzz']).stdout).toBe('0\n');
    const list = JSON.parse(run(d, ['config', 'list', '--json'], { QUILT_DIFF_OPTS: '-U 9' }).stdout) as { key: string; value: unknown; source: string; from?: string }[];
    expect(list.find((r) => r.key === 'fuzz')).toEqual({ key: 'fuzz', value: 0, source: 'settings' });
    expect(list.find((r) => r.key === 'context')).toEqual({ key: 'context', value: 9, source: 'env', from: 'QUILT_DIFF_OPTS' });
    expect(list.find((r) => r.key === 'merge')).toEqual({ key: 'merge', value: 'none', source: 'default' });
    expect(run(d, ['config', 'unset', 'fuzz']).code).toBe(0);
    expect(run(d, ['config', 'get', 'fuzz']).stdout).toBe('2\n');
    expect(run(d, ['config', 'unset', 'fuzz']).code).toBe(2);
  });

  it('list and get show the colour NO_COLOR and FORCE_COLOR decide, and name them', () => {
    const d = temp();
    expect(run(d, ['config', 'set', 'color', 'always']).code).toBe(0);
    const color = (env: NodeJS.ProcessEnv) => JSON.parse(run(d, ['config', 'get', 'color', '--json'], env).stdout) as unknown;
    expect(color({})).toEqual({ key: 'color', value: 'always', source: 'settings' });
    expect(color({ NO_COLOR: '1' })).toEqual({ key: 'color', value: 'never', source: 'env', from: 'NO_COLOR' });
    expect(color({ NO_COLOR: '1', FORCE_COLOR: '1' })).toEqual({ key: 'color', value: 'never', source: 'env', from: 'NO_COLOR' });
    expect(color({ FORCE_COLOR: '0' })).toEqual({ key: 'color', value: 'never', source: 'env', from: 'FORCE_COLOR' });
    expect(color({ FORCE_COLOR: '1' })).toEqual({ key: 'color', value: 'always', source: 'env', from: 'FORCE_COLOR' });
    expect(color({ NO_COLOR: '', FORCE_COLOR: '' })).toEqual({ key: 'color', value: 'always', source: 'settings' });
    expect(run(d, ['config', 'list'], { NO_COLOR: '1' }).stdout).toContain('color = never  (env NO_COLOR)\n');
  });

  it('the editor: VISUAL, else EDITOR, else the setting; list and get say which, and edit and header -e run that one', () => {
    const d = temp();
    expect(run(d, ['config', 'set', 'editor', 'from-settings']).code).toBe(0);
    const editor = (env: NodeJS.ProcessEnv) => JSON.parse(run(d, ['config', 'get', 'editor', '--json'], env).stdout) as unknown;
    expect(editor({})).toEqual({ key: 'editor', value: 'from-settings', source: 'settings' });
    expect(editor({ EDITOR: 'ed-e' })).toEqual({ key: 'editor', value: 'ed-e', source: 'env', from: 'EDITOR' });
    expect(editor({ EDITOR: 'ed-e', VISUAL: 'ed-v' })).toEqual({ key: 'editor', value: 'ed-v', source: 'env', from: 'VISUAL' });
    // The commands that open an editor run the one config get names.
    const script = (name: string) => {
      writeFileSync(join(d, name), `#!/bin/sh\necho ${name} >> '${join(d, 'ran')}'\n`, { mode: 0o755 });
      return join(d, name);
    };
    const env = { VISUAL: script('visual.sh'), EDITOR: script('editor.sh') };
    writeFileSync(join(d, 'a.txt'), 'a\n');
    expect(run(d, ['new', 'p.patch']).code).toBe(0);
    expect(run(d, ['edit', 'a.txt'], env).code).toBe(0);
    expect(run(d, ['header', '-e'], env).code).toBe(0);
    expect(readFileSync(join(d, 'ran'), 'utf8')).toBe('visual.sh\nvisual.sh\n');
  });

  it('the settings file is never relative to the current folder: an empty HOME or a relative XDG_CONFIG_HOME (invalid, says XDG) is not used', () => {
    const d = temp();
    const path = (env: NodeJS.ProcessEnv) => run(d, ['config', 'path'], { PATCHQ_CONFIG_DIR: '', ...env }).stdout.trim();
    expect(path({ XDG_CONFIG_HOME: join(d, 'xdg') })).toBe(join(d, 'xdg', 'patchq', 'config.json'));
    expect(path({ XDG_CONFIG_HOME: 'rel' })).toBe(join(d, '.config', 'patchq', 'config.json'));
    const home = path({ HOME: '' });
    expect(home.startsWith('/')).toBe(true);
    expect(home.endsWith('/.config/patchq/config.json')).toBe(true);
    // Nor is ~/.quiltrc read from the current folder when HOME is empty.
    mkdirSync(join(d, 'patches'));
    writeFileSync(join(d, 'patches', 'series'), 'p.patch\n');
    writeFileSync(join(d, '.quiltrc'), 'QUILT_PATCHES=elsewhere\n');
    expect(run(d, ['series'], { HOME: '', QUILTRC: '' }).stdout).toMatch(/p\.patch\n$/);
  });

  it('refuses bad keys and values without writing', () => {
    const d = temp();
    const bad = run(d, ['config', 'set', 'diffStyle', 'svn']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("invalid value 'svn' for diffStyle: expected one of quilt, git\n");
    expect(existsSync(join(d, '.cfg', 'config.json'))).toBe(false);
    // A whole number out of range says what range.
    expect(run(d, ['config', 'set', 'fuzz', '1001'])).toEqual({ code: 1, stdout: '', stderr: "invalid value '1001' for fuzz: expected a whole number from 0 to 1000\n" });
    expect(run(d, ['config', 'set', 'context', '1000']).code).toBe(0);
    expect(run(d, ['config', 'set', 'colour', 'never']).code).toBe(1);
    expect(run(d, ['config', 'frob']).code).toBe(1);
  });

  it('a settings file that is a directory: commands reading settings say so in one line naming it, nothing written', () => {
    const d = temp();
    const file = join(d, '.cfg', 'config.json');
    mkdirSync(file, { recursive: true });
    expect(run(d, ['new', 'a.patch']).code).toBe(0); // new reads no settings
    for (const args of [['config', 'list'], ['config', 'get', 'fuzz'], ['config', 'set', 'fuzz', '1'], ['config', 'unset', 'fuzz'], ['push'], ['refresh'], ['diff']]) {
      const r = run(d, args);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 1, `${relative(d, file)}: settings file is a directory, where a file was expected\n`]);
    }
    expect(run(d, ['applied']).stdout).toBe('a.patch\n');
    expect(readdirSync(file)).toEqual([]);
  });

  it('a settings folder that is a file (PATCHQ_CONFIG_DIR naming one): one line naming it, for reading and writing, nothing written', () => {
    const d = temp();
    const cfg = join(d, '.cfg');
    writeFileSync(cfg, 'not a folder\n');
    expect(run(d, ['new', 'a.patch']).code).toBe(0); // new reads no settings
    for (const args of [['config', 'list'], ['config', 'get', 'fuzz'], ['config', 'set', 'fuzz', '1'], ['push']]) {
      const r = run(d, args);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 1, `${relative(d, cfg)}: the settings folder is a file (or under one), where a folder was expected; check PATCHQ_CONFIG_DIR\n`]);
    }
    const under = run(d, ['config', 'get', 'fuzz'], { PATCHQ_CONFIG_DIR: join(cfg, 'sub') });
    expect([under.code, under.stderr]).toEqual([1, `${relative(d, join(cfg, 'sub'))}: the settings folder is a file (or under one), where a folder was expected; check PATCHQ_CONFIG_DIR\n`]);
    expect(readFileSync(cfg, 'utf8')).toBe('not a folder\n');
    // A folder that is not there yet is no error: set makes it.
    expect(run(d, ['config', 'get', 'fuzz'], { PATCHQ_CONFIG_DIR: join(d, 'fresh') }).stdout).toBe('2\n');
  });

  it('config path prints the file even when it is broken (the errors about it say to run it)', () => {
    const d = temp();
    const file = join(d, '.cfg', 'config.json');
    mkdirSync(join(d, '.cfg'));
    writeFileSync(file, '{not json');
    expect(run(d, ['config', 'list']).stderr).toContain("run 'patchq config path'");
    expect(run(d, ['config', 'path'])).toEqual({ code: 0, stdout: `${file}\n`, stderr: '' });
    rmSync(file);
    mkdirSync(file);
    expect(run(d, ['config', 'path'])).toEqual({ code: 0, stdout: `${file}\n`, stderr: '' });
  });

  it('an unreadable settings file is one line naming it', (ctx) => {
    const d = temp();
    const file = join(d, '.cfg', 'config.json');
    expect(run(d, ['new', 'a.patch']).code).toBe(0);
    mkdirSync(join(d, '.cfg'));
    writeFileSync(file, '{"fuzz": 1}', { mode: 0o000 });
    // Root reads anything (our CI runs as root): there the commands run as nobody, who owns the tree.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (user.uid !== undefined) for (const p of [d, join(d, '.cfg'), file, join(d, 'patches'), join(d, 'patches', 'series')]) chownSync(p, user.uid, user.gid);
    const env = { PATH: process.env.PATH, HOME: d, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(d, '.cfg'), PATCHQ_NO_COMPILE_CACHE: '1' };
    const as = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: d, env, encoding: 'utf8', ...user });
    // nobody may not reach the built binary (a checkout in a private home): nothing to check.
    if (as(['--version']).status !== 0) return ctx.skip();
    for (const args of [['config', 'get', 'fuzz'], ['config', 'set', 'fuzz', '0'], ['push']]) {
      const r = as(args);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 1, `${relative(d, file)}: cannot read settings file (EACCES)\n`]);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"fuzz": 1}');
  });
});
