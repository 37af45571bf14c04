/** Completion scripts: valid shell, generated from the registry, patch names from `patchq series`. */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
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

  it('commands that take files complete files, those that take patches patch names, fold (stdin) neither', () => {
    const d = temp();
    mkdirSync(join(d, 'patches'));
    mkdirSync(join(d, 'src'));
    writeFileSync(join(d, 'patches', 'series'), 'pool.patch\n');
    writeFileSync(join(d, 'app.py'), '');
    writeFileSync(join(d, 'src', 'main.c'), '');
    for (const cmd of ['add', 'edit', 'remove', 'revert', 'annotate', 'patches', 'diff', 'import']) {
      expect([cmd, complete(d, ['patchq', cmd, 'ap'])]).toEqual([cmd, ['app.py']]);
      expect([cmd, complete(d, ['patchq', cmd, 'src/'])]).toEqual([cmd, ['src/main.c']]);
    }
    for (const cmd of ['push', 'pop', 'refresh', 'header', 'files', 'graph', 'export', 'delete']) expect([cmd, complete(d, ['patchq', cmd, 'po'])]).toEqual([cmd, ['pool.patch']]);
    expect(complete(d, ['patchq', 'fold', ''])).toEqual([]);
  });

  it.skipIf(spawnSync('fish', ['--version']).status !== 0)('fish completes commands, options, patch names, and files where a command takes files', () => {
    const d = temp();
    const bin = join(d, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'patchq'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    writeFileSync(join(d, 'c.fish'), run(d, ['completion', 'fish']).stdout);
    mkdirSync(join(d, 'patches'));
    writeFileSync(join(d, 'patches', 'series'), 'pool.patch\nport.patch\n');
    writeFileSync(join(d, 'app.py'), '');
    const fish = (line: string): string[] => {
      const r = spawnSync('fish', ['--no-config', '-c', `source c.fish; complete -C '${line}'`], { cwd: d, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, HOME: d, QUILTRC: '-', PATCHQ_CONFIG_DIR: join(d, '.cfg') } });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!);
    };
    expect(fish('patchq pu')).toEqual(['push']);
    expect(fish('patchq push --fu')).toEqual(['--fuzz']);
    expect(fish('patchq push po').sort()).toEqual(['pool.patch', 'port.patch']);
    for (const cmd of ['add', 'edit', 'remove', 'revert', 'annotate', 'patches', 'diff', 'import']) expect([cmd, fish(`patchq ${cmd} ap`)]).toEqual([cmd, ['app.py']]);
  });

  it.skipIf(spawnSync('zsh', ['--version']).status !== 0)('zsh: the script installed as its help says (a file _patchq in $fpath) completes on the first TAB', async () => {
    const d = temp();
    const bin = join(d, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'patchq'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    mkdirSync(join(d, 'fpath'));
    writeFileSync(join(d, 'fpath', '_patchq'), run(d, ['completion', 'zsh']).stdout);
    mkdirSync(join(d, 'patches'));
    writeFileSync(join(d, 'patches', 'series'), 'pool.patch\n');
    writeFileSync(join(d, 'zshrc'), `PS1='%% '\nfpath=(${join(d, 'fpath')} $fpath)\nautoload -U compinit; compinit -u -D\npath=(${bin} $path)\nexport QUILTRC=- PATCHQ_CONFIG_DIR=${join(d, '.cfg')}\n`);
    const session = `patchq-zsh-${process.pid}-${Date.now()}`;
    // A pane's processes get the tmux server's environment, not this one's: hand them the
    // run's TMPDIR (test/global-tmp.ts) so what they leave is seen too.
    const tmux = (...args: string[]) => spawnSync('tmux', args[0] === 'new-session' ? ['new-session', '-e', `TMPDIR=${tmpdir()}`, ...args.slice(1)] : args, { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', session).stdout;
    const until = async (pred: (s: string) => boolean, what: string) => {
      for (const end = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 50))) {
        const s = screen();
        if (pred(s)) return s;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      }
    };
    try {
      expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '10', '-c', d, `env ZDOTDIR=${d} HOME=${d} zsh -f`).status).toBe(0);
      tmux('send-keys', '-t', session, `source ${join(d, 'zshrc')}; clear`, 'Enter');
      await until((s) => /^% ?$/m.test(s), 'prompt');
      tmux('send-keys', '-t', session, 'patchq pu', 'Tab');
      await until((s) => s.includes('% patchq push'), 'the first TAB to complete push');
      tmux('send-keys', '-t', session, 'po', 'Tab');
      await until((s) => s.includes('% patchq push pool.patch'), 'a patch name');
    } finally {
      tmux('kill-session', '-t', session);
    }
  });

  it('zsh and fish scripts name every command; unknown shell is a usage error (exit 1)', () => {
    const d = temp();
    const zsh = run(d, ['completion', 'zsh']).stdout;
    const fish = run(d, ['completion', 'fish']).stdout;
    expect(zsh).toContain('#compdef patchq');
    for (const c of ['push', 'reapply', 'config']) {
      expect(zsh).toContain(`${c}) opts=`);
      expect(fish).toContain(`-a '${c}'`);
    }
    expect(run(d, ['completion', 'tcsh']).code).toBe(1);
  });
});
