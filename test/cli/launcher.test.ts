/**
 * The binary as the `patchq` command runs it: dist/bin/cli.cjs executed itself, so that its
 * first lines (a POSIX sh launcher, rolldown.config.mjs) start Node on it with
 * NODE_EXTRA_CA_CERTS emptied, and src/main.ts gives the variable back to the programs
 * patchq runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
