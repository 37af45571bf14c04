/**
 * The binary as the `patchq` command runs it: dist/bin/cli.cjs executed itself, so that its
 * first lines (a POSIX sh launcher, rolldown.config.mjs) start Node on it with
 * NODE_EXTRA_CA_CERTS emptied, and src/main.ts gives the variable back to the programs
 * patchq runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, temp } from './run.js';

/** Run the file itself (no `node` in front), with exactly `env` (plus PATH). */
function exec(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(CLI, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(cwd, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache'), ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the patchq command (the launcher)', () => {
  it('runs the file as a program, arguments as given (spaces, quotes, $)', () => {
    const d = temp();
    const value = `vim -u "a b" '$HOME' \\x`;
    expect(exec(d, ['config', 'set', 'editor', value])).toMatchObject({ code: 0, stderr: '' });
    expect(exec(d, ['config', 'get', 'editor'])).toEqual({ code: 0, stdout: `${value}\n`, stderr: '' });
  });

  it("starts Node without reading NODE_EXTRA_CA_CERTS (node itself warns of a missing file; patchq's start does not get that far)", () => {
    const d = temp();
    const env = { NODE_EXTRA_CA_CERTS: join(d, 'no-such-bundle.pem') };
    const viaNode = spawnSync(process.execPath, [CLI, '--version'], { cwd: d, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    expect(viaNode.stderr).toContain('Ignoring extra certs');
    expect(exec(d, ['--version'], env)).toMatchObject({ code: 0, stdout: /^\d+\.\d+\.\d+\n$/, stderr: '' });
  });

  it('gives the programs patchq runs NODE_EXTRA_CA_CERTS as it was: set, set but empty, or not set', () => {
    const d = temp();
    mkdirSync(join(d, 'patches'));
    expect(exec(d, ['new', 'p.patch']).code).toBe(0);
    const seen = join(d, 'seen.txt');
    const editor = join(d, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\necho "\${NODE_EXTRA_CA_CERTS-<unset>}|\${PATCHQ_EXTRA_CA_CERTS-<unset>}" >> '${seen}'\n`);
    chmodSync(editor, 0o755);
    const cases: Array<[NodeJS.ProcessEnv, string]> = [
      [{ NODE_EXTRA_CA_CERTS: '/etc/some bundle.pem' }, '/etc/some bundle.pem|<unset>'],
      [{ NODE_EXTRA_CA_CERTS: '' }, '|<unset>'],
      [{}, '<unset>|<unset>'],
    ];
    for (const [env] of cases) expect(exec(d, ['header', '-e'], { EDITOR: editor, ...env })).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(seen, 'utf8')).toBe(cases.map(([, line]) => `${line}\n`).join(''));
  });
});

describe('an odd current directory', () => {
  it('deleted under the shell: commands that need the tree say so in one line (exit 1); --version, --help, config, completion still work', () => {
    const d = temp();
    const gone = join(d, 'gone');
    /** `args` run by node from a directory deleted first (no sh launcher: dash itself warns there). */
    const inGone = (args: string[], env: Record<string, string> = {}) => {
      mkdirSync(gone);
      const vars = Object.entries({ HOME: d, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(d, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache'), ...env }).map(([k, v]) => `${k}='${v}'`).join(' ');
      const r = spawnSync('sh', ['-c', `cd '${gone}' && rmdir '${gone}' && env ${vars} '${process.execPath}' '${CLI}' ${args.join(' ')}`], { cwd: d, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: d } });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    const message = 'the current directory does not exist any more (deleted?): cd to one that does\n';
    for (const args of [['top'], ['series'], ['push'], ['new', 'x.patch'], []]) expect([args, inGone(args)]).toEqual([args, { code: 1, stdout: '', stderr: message }]);
    // Relative PATCHQ_CONFIG_DIR and PATCHQ_CACHE_DIR are resolved against the cwd too.
    expect(inGone(['config', 'list'], { PATCHQ_CONFIG_DIR: 'rel-cfg', PATCHQ_CACHE_DIR: 'rel-cache' })).toEqual({ code: 1, stdout: '', stderr: message });
    for (const args of [['--version'], ['--help'], ['config', 'get', 'fuzz'], ['config', 'path'], ['completion', 'bash'], ['top', '--help']]) {
      const r = inGone(args);
      expect([args, r.code, r.stderr]).toEqual([args, 0, '']);
      expect(r.stdout).not.toBe('');
    }
  });
});

describe('what a command loads', () => {
  /** Run `args` through the launcher with a preload that lists, at exit, the Node built-ins and package files loaded. */
  function loaded(cwd: string, args: string[]): { code: number; builtins: string[]; files: string[] } {
    const out = join(cwd, `loaded-${args[0]}.json`);
    const hook = join(cwd, 'hook.cjs');
    writeFileSync(
      hook,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({` +
        `builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),` +
        `files: Object.keys(require.cache) })));\n`,
    );
    const r = exec(cwd, args, { NODE_OPTIONS: `--require ${hook}` });
    return { code: r.code, ...(JSON.parse(readFileSync(out, 'utf8')) as { builtins: string[]; files: string[] }) };
  }

  /** A tree with one plain patch, not applied. */
  function onePatchTree(): string {
    const d = temp();
    mkdirSync(join(d, 'patches'));
    writeFileSync(join(d, 'a.txt'), 'one\n');
    writeFileSync(join(d, 'patches', 'p.patch'), '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
    writeFileSync(join(d, 'patches', 'series'), 'p.patch\n');
    return d;
  }

  it('push, pop and applied of plain patches load no zlib (binary and compressed patches only), nor tty and net (a terminal check of the TUI took ~4 ms of every start), nor ink or react', () => {
    const d = onePatchTree();
    for (const cmd of ['push', 'applied', 'pop']) {
      const l = loaded(d, [cmd]);
      expect(l.code, cmd).toBe(0);
      expect(l.builtins, cmd).not.toContain('zlib');
      expect(l.builtins.filter((b) => b === 'tty' || b === 'net'), cmd).toEqual([]);
      expect(l.files.filter((f) => /node_modules\/(ink|react)\//.test(f)), cmd).toEqual([]);
    }
    expect(readFileSync(join(d, 'a.txt'), 'utf8')).toBe('one\n');
  });

  it('applied loads 4 files of the bundle: the entry, the chunk every command shares, the runtime and its own chunk (not the patch-file reader: series -v loads it); the entry requires no chunk before the compile cache is on', () => {
    // Each chunk file costs a start ~1 ms to resolve, read and compile (the build put
    // engine/errors, the registry and quilt-env in chunks of their own: 8 files).
    const d = onePatchTree();
    expect(exec(d, ['push']).code).toBe(0);
    const l = loaded(d, ['applied']);
    expect(l.code).toBe(0);
    const bundle = l.files.filter((f) => f.startsWith(dirname(CLI))).map((f) => f.slice(dirname(CLI).length + 1).replace(/-[\w-]{8}\.cjs$/, ''));
    expect(bundle.sort()).toEqual(['cli', 'cli.cjs', 'list', 'rolldown-runtime']);
    // Its own requires are Node's built-ins, with no interop copy of them (rolldown's
    // __toESM of a default import copied each module's ~100 members on every start).
    const entry = readFileSync(CLI, 'utf8');
    expect(entry.match(/require\("\.[^"]*"\)/g)).toEqual([expect.stringMatching(/^require\("\.\/cli-[\w-]{8}\.cjs"\)$/)]);
    expect(entry).toMatch(/Promise\.resolve\(\)\.then\(\(\) => require\("\.\/cli-[\w-]{8}\.cjs"\)\)/);
    expect(entry).not.toContain('__toESM');
  });
});
