/**
 * Usage errors through the built binary: what a command does not take is refused before
 * anything is done, with the command's usage line on stdout and exit 1, as quilt's usage()
 * prints it (docs/exit-codes.md); an option it does not know is said on stderr, and the
 * usage follows on stdout, as quilt's getopt and usage.
 */
import { describe, expect, it } from 'vitest';
import { builtOnce } from '../helpers/prepared.js';
import { patchq, quilt, snapshot, tempDir, write } from '../helpers/tree.js';
import { commands } from '../../src/commands/registry.js';
import { applied } from '../hardening/helpers.js';

/** Two patches, the first one applied (by the binary, once; each test gets a copy); git-free. */
const tree = builtOnce(() => {
  const d = tempDir();
  for (const n of [1, 2]) {
    write(d, `f${n}.txt`, 'one\n');
    write(d, `patches/p${n}.patch`, `--- a/f${n}.txt\n+++ b/f${n}.txt\n@@ -1 +1 @@\n-one\n+two\n`);
  }
  write(d, 'patches/series', 'p1.patch\np2.patch\n');
  expect(patchq(d, ['push']).code).toBe(0);
  return d;
});

const usageOf = (name: string) => `Usage: patchq ${name} ${commands.find((c) => c.name === name)!.usage}`.trimEnd() + '\n';

describe('usage errors', () => {
  it('more arguments than a command takes: its usage, exit 1, nothing done', () => {
    const d = tree();
    const before = snapshot(d, { withPc: true });
    const cases: Array<[string[], string]> = [
      [['push', 'p2', 'p1'], 'push'], [['push', '-a', 'p2'], 'push'], [['pop', 'p1', 'x'], 'pop'], [['pop', '-a', 'p1'], 'pop'],
      [['applied', 'p1', 'x'], 'applied'], [['unapplied', 'p1', 'x'], 'unapplied'], [['next', 'p1', 'x'], 'next'], [['previous', 'p2', 'x'], 'previous'],
      [['top', 'x'], 'top'], [['series', 'x'], 'series'], [['refresh', 'p1', 'x'], 'refresh'], [['regen', 'p1', 'x'], 'regen'],
      [['reapply', 'x'], 'reapply'], [['sync', 'x'], 'sync'], [['version', 'x'], 'version'], [['tui', 'x'], 'tui'], [['demo', 'x'], 'demo'],
      [['completion', 'bash', 'zsh'], 'completion'], [['hook', 'install', 'x'], 'hook'], [['template', 'list', 'x'], 'template'], [['template', 'show', 'a', 'b'], 'template'],
    ];
    for (const [args, name] of cases) {
      const r = patchq(d, args);
      expect([args, r.code, r.stdout, r.stderr]).toEqual([args, 1, usageOf(name), '']);
    }
    for (const [args, message] of [
      [['config', 'list', 'x'], 'Usage: patchq config list'], [['config', 'get', 'fuzz', 'x'], 'Usage: patchq config get KEY'],
      [['config', 'set', 'fuzz', '1', 'x'], 'Usage: patchq config set KEY VALUE'], [['config', 'unset', 'fuzz', 'x'], 'Usage: patchq config unset KEY'],
      [['config', 'path', 'x'], 'Usage: patchq config path'],
    ] as const) {
      const r = patchq(d, [...args]);
      expect([args, r.code, r.stdout, r.stderr]).toEqual([args, 1, `${message}\n`, '']);
    }
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // What they do take still works.
    expect(patchq(d, ['push', 'p2']).code).toBe(0);
    expect(patchq(d, ['applied', 'p1']).stdout).toBe('p1.patch\n');
    expect(patchq(d, ['template', 'x']).stderr).toBe("unknown template subcommand 'x' (list, show, run)\n");
  });

  it('push --merge with a style it does not know: refused, nothing pushed (quilt: its usage)', () => {
    const d = tree();
    const before = snapshot(d, { withPc: true });
    for (const args of [['push', '--merge=bogus'], ['push', '-mdiff']]) {
      const r = patchq(d, args);
      expect([args, r.code, r.stdout, r.stderr]).toEqual([args, 1, usageOf('push'), `push: --merge takes merge or diff3, got '${args[1]!.replace(/^(--merge=|-m)/, '')}'\n`]);
    }
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // Each style on a fresh copy of the tree (p1 applied).
    for (const m of ['--merge', '-m', '--merge=', '--merge=merge', '--merge=diff3']) {
      const t = tree();
      expect([m, patchq(t, ['push', m]).code]).toEqual([m, 0]);
      expect([m, applied(t)]).toEqual([m, ['p1.patch', 'p2.patch']]);
    }
  });

  it("new -p takes quilt's levels only (0, 1, ab): any other is quilt's refusal, exit 1, nothing written", () => {
    const d = tree();
    const before = snapshot(d, { withPc: true });
    for (const level of ['x', '3', '01', '-1']) {
      const r = patchq(d, ['new', '-p', level, 'n.patch']);
      expect([level, r.code, r.stdout, r.stderr]).toEqual([level, 1, '', `Cannot create patches with -p${level}, please specify -p0, p1, or -pab instead\n`]);
    }
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(patchq(d, ['new', '-p', '0', 'a.patch']).code).toBe(0);
    expect(patchq(d, ['new', '-p1', 'b.patch']).code).toBe(0);
    expect(patchq(d, ['new', '-pab', 'c.patch']).code).toBe(0);
    expect(patchq(d, ['new', '-p', '', 'e.patch']).code).toBe(0);
    // -pab stays in the series until the first refresh, as quilt's new writes it.
    expect(snapshot(d)['patches/series']).toMatch(/^\d+:p1\.patch\na\.patch -p0\nb\.patch\nc\.patch -pab\ne\.patch\np2\.patch\n$/);
  });

  it("refresh -u, as quilt's refresh takes it (a unified diff, the default): the same patch as without it", () => {
    const d = tree();
    write(d, 'f1.txt', 'three\n');
    expect(patchq(d, ['refresh', '--no-timestamps']).code).toBe(0);
    const plain = snapshot(d)['patches/p1.patch'];
    write(d, 'f1.txt', 'four\n');
    expect(patchq(d, ['refresh', '--no-timestamps']).code).toBe(0);
    write(d, 'f1.txt', 'three\n');
    const r = patchq(d, ['refresh', '-u', '--no-timestamps']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'Refreshed patch p1.patch\n', '']);
    expect(snapshot(d)['patches/p1.patch']).toBe(plain);
  });

  it('help NAME: a prefix finds the command as the command line does; an ambiguous one lists the candidates', () => {
    const d = tree();
    expect(patchq(d, ['help', 'pu']).stdout).toBe(patchq(d, ['push', '--help']).stdout);
    expect(patchq(d, ['help', 'p'])).toEqual({ code: 1, stdout: '', stderr: "help: 'p' is ambiguous: push, pop, previous, patches\n" });
    expect(patchq(d, ['p'])).toEqual({ code: 1, stdout: '', stderr: "'p' is ambiguous: push, pop, previous, patches\n" });
    expect(patchq(d, ['help', 'nope'])).toEqual({ code: 1, stdout: '', stderr: "help: unknown command 'nope'\n" });
  });

  it('where quilt prints a usage and its exit code: stdout, 1; an unknown option on stderr, then the usage; import of nothing is nothing, 0', () => {
    const [q, p] = [tempDir(), tempDir()];
    for (const d of [q, p]) write(d, 'patches/series', '');
    const shape = (tool: string, r: { code: number; stdout: string; stderr: string }) => [r.code, r.stdout.startsWith(`Usage: ${tool} `) ? 'usage' : r.stdout, r.stderr === '' ? '' : 'said'];
    for (const args of [['top', 'x'], ['new'], ['add'], ['pop', 'a', 'b'], ['header', 'a', 'b'], ['pop', '--frce'], ['snapshot', '-x'], ['fold', '-p'], ['import']]) {
      expect([args, ...shape('patchq', patchq(p, args))]).toEqual([args, ...shape('quilt', quilt(q, args))]);
    }
    // A value quilt's case refuses: its usage on stdout (quilt says nothing more; patchq says why, on stderr).
    for (const args of [['push', '--merge=x'], ['import', '-d', 'x', 'f'], ['series', '--color=x']]) {
      expect([args, ...shape('patchq', patchq(p, args)).slice(0, 2)]).toEqual([args, ...shape('quilt', quilt(q, args)).slice(0, 2)]);
    }
    expect(patchq(p, ['import'])).toEqual({ code: 0, stdout: '', stderr: '' });
    // --json: one document on stdout, the usage in it.
    const j = patchq(p, ['pop', '--frce', '--json']);
    expect([j.code, JSON.parse(j.stdout).error.code, j.stderr]).toEqual([1, 'E_USAGE', '']);
  });
});

describe('--help', () => {
  it("every option a command takes is in its usage line (grep's own options are '[options]', sync's are 'reapply options')", () => {
    const missing: string[] = [];
    for (const c of commands) {
      if (c.name === 'grep') continue;
      for (const o of c.options ?? []) {
        if (['json', 'help', 'color'].includes(o.name)) continue;
        if (c.name === 'sync' && o.name !== 'pull') continue;
        const shown = c.usage.includes(`--${o.name}`) || (o.short !== undefined && new RegExp(`(^|[[ |])-${o.short}\\b`).test(c.usage));
        if (!shown) missing.push(`${c.name} --${o.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
