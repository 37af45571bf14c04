/** Completion scripts: valid shell, generated from the registry, patch names from `patchq series`. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, run, temp } from './run.js';

/** Complete `words` (the last one being completed) with the bash script, `patchq` on PATH. */
function complete(cwd: string, words: string[]): string[] {
  const bin = join(cwd, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'patchq'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'patchq'), 0o755);
  const script = run(cwd, ['completion', 'bash']).stdout;
  writeFileSync(join(cwd, 'c.bash'), script);
  const words_ = words.map((w) => `'${w}'`).join(' ');
  const prog = `source ./c.bash; COMP_WORDS=(${words_}); COMP_CWORD=${words.length - 1}; _patchq; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', prog], { cwd, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, PATCHQ_CONFIG_DIR: join(cwd, '.cfg') } });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('completion', () => {
  it('bash script passes bash -n', () => {
    const d = temp();
    writeFileSync(join(d, 'c.bash'), run(d, ['completion', 'bash']).stdout);
    expect(spawnSync('bash', ['-n', join(d, 'c.bash')]).status).toBe(0);
  });

  it('completes commands, options and patch names', () => {
    const d = temp();
    expect(complete(d, ['patchq', 'pu'])).toEqual(['push']);
    expect(complete(d, ['patchq', 'ref'])).toEqual(['refresh']);
    expect(complete(d, ['patchq', 're']).sort()).toEqual(['reapply', 'refresh', 'regen', 'remove', 'rename', 'revert']);
    expect(complete(d, ['patchq', 'push', '--fu'])).toEqual(['--fuzz']);
    mkdirSync(join(d, 'patches'));
    writeFileSync(join(d, 'patches', 'series'), 'pool.patch\nport.patch\nother.patch\n');
    expect(complete(d, ['patchq', 'push', 'po']).sort()).toEqual(['pool.patch', 'port.patch']);
  });

  it('zsh and fish scripts name every command; unknown shell is exit 2', () => {
    const d = temp();
    const zsh = run(d, ['completion', 'zsh']).stdout;
    const fish = run(d, ['completion', 'fish']).stdout;
    expect(zsh).toContain('#compdef patchq');
    for (const c of ['push', 'reapply', 'config']) {
      expect(zsh).toContain(`${c}) opts=`);
      expect(fish).toContain(`-a '${c}'`);
    }
    expect(run(d, ['completion', 'tcsh']).code).toBe(2);
  });
});
