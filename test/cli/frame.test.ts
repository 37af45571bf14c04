/** The CLI frame through the built binary: help, prefixes, JSON errors, exit codes, colour, QUILT_<CMD>_ARGS. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/commands/registry.js';
import { run, temp } from './run.js';

/** A quilt tree with two patches, the first applied. */
function tree(): string {
  const d = temp();
  mkdirSync(join(d, 'patches'));
  writeFileSync(join(d, 'a.txt'), 'one\n');
  writeFileSync(join(d, 'patches', 'series'), 'first.patch\nsecond.patch\n');
  writeFileSync(join(d, 'patches', 'first.patch'), '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
  writeFileSync(join(d, 'patches', 'second.patch'), '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-two\n+three\n');
  expect(run(d, ['push']).code).toBe(0);
  return d;
}

describe('help', () => {
  it('lists every registry command under its group', () => {
    const r = run(temp(), ['--help']);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} +\\S`, 'm'));
    const order = ['Stack:', 'Inspection:', 'Reapply', 'Templates:', 'Settings'].map((h) => r.stdout.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.stdout.indexOf('  push ')).toBeLessThan(r.stdout.indexOf('Inspection:'));
  });

  it.each(commands.map((c) => c.name))('%s --help shows usage, every option and the exit codes', (name) => {
    const c = commands.find((x) => x.name === name)!;
    const r = run(temp(), [name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`Usage: patchq ${name}`)).toBe(true);
    for (const o of c.options) {
      // A short-only option (pop -R, grep -I: its name is its letter) shows no '--R' long form.
      if (o.short === o.name) expect([o.name, r.stdout]).toEqual([o.name, expect.stringMatching(new RegExp(`^  -${o.short} +\\S`, 'm'))]);
      else expect(r.stdout).toContain(`--${o.name}`);
      expect(r.stdout).not.toMatch(new RegExp(`--${o.short ?? '\\0'}\\b`));
    }
    expect(r.stdout).toContain('Exit codes:');
    expect(run(temp(), ['help', name]).stdout).toBe(r.stdout);
    expect(run(temp(), [name, '-h']).stdout).toBe(r.stdout);
  });

  it('shows value names of options', () => {
    expect(run(temp(), ['push', '--help']).stdout).toMatch(/--fuzz N/);
    expect(run(temp(), ['push', '--help']).stdout).toMatch(/--merge\[=merge\|diff3\]/);
  });

  it('help of an unknown command is a usage error', () => {
    const r = run(temp(), ['help', 'frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('dispatch and exit codes', () => {
  it('accepts unique prefixes, refuses ambiguous ones', () => {
    const d = tree();
    expect(run(d, ['app']).stdout).toBe('first.patch\n');
    expect(run(d, ['unap']).stdout).toBe('second.patch\n');
    const amb = run(d, ['p']);
    expect(amb.code).toBe(1);
    expect(amb.stderr).toMatch(/ambiguous: .*push.*pop/);
    expect(run(d, ['xyz']).code).toBe(1);
  });

  it('an unknown option is exit 1 (as quilt) with one line naming it', () => {
    const r = run(tree(), ['push', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("'--bogus'");
  });

  it('nothing to do is exit 2', () => {
    const d = tree();
    expect(run(d, ['push', '-a']).code).toBe(0);
    expect(run(d, ['push']).code).toBe(2);
  });

  it('--json prints exactly one document, errors included, same exit code', () => {
    const d = tree();
    const ok = run(d, ['applied', '--json']);
    expect(JSON.parse(ok.stdout)).toEqual(['first.patch']);
    const err = run(d, ['push', '--bogus', '--json']);
    expect(err.code).toBe(1);
    expect(JSON.parse(err.stdout).error.code).toBe('E_USAGE');
    const none = run(temp(), ['applied', '--json']);
    expect(none.code).not.toBe(0);
    expect(Object.keys(JSON.parse(none.stdout).error)).toEqual(['code', 'message', 'file', 'line']);
  });

  it('a broken settings file is a one-line error naming the file, no stack', () => {
    const d = temp();
    mkdirSync(join(d, '.cfg'));
    writeFileSync(join(d, '.cfg', 'config.json'), '{"fuzz": "lots"}');
    const r = run(d, ['config', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^\.cfg\/config\.json: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('with no arguments and no terminal prints the series, or the usage outside a tree', () => {
    expect(run(tree(), []).stdout).toBe('first.patch\nsecond.patch\n');
    const u = run(temp(), []);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('Usage: patchq');
  });
});

describe('QUILT_<CMD>_ARGS and colour', () => {
  it('prepends QUILT_PUSH_ARGS to push', () => {
    const d = tree();
    const r = run(d, ['push'], { QUILT_PUSH_ARGS: '--bogus-from-env' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--bogus-from-env');
    expect(run(d, ['push'], { QUILT_PUSH_ARGS: '--color=auto -q' }).code).toBe(0);
  });

  it('--json from QUILT_PUSH_ARGS makes the errors JSON too, as --json on the command line', () => {
    const d = tree();
    expect(run(d, ['push', '-a'], { QUILT_PUSH_ARGS: '--json' })).toMatchObject({ code: 0 });
    // Nothing left to push: exit 2, its error as one JSON document on stdout, nothing on stderr.
    const r = run(d, ['push'], { QUILT_PUSH_ARGS: '--json' });
    expect([r.code, r.stderr]).toEqual([2, '']);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'E_NOTHING', message: 'File series fully applied, ends at patch second.patch', file: null, line: null } });
    expect(JSON.parse(run(d, ['push'], { QUILT_PUSH_ARGS: '--json' }).stdout)).toEqual(JSON.parse(run(d, ['push', '--json']).stdout));
    // A usage error in the variable beside --json: JSON too.
    const u = run(d, ['pop'], { QUILT_POP_ARGS: '--json --bogus' });
    expect([u.code, u.stderr, JSON.parse(u.stdout).error.code]).toEqual([1, '', 'E_USAGE']);
  });

  it('does not prepend to commands quilt does not have', () => {
    expect(run(temp(), ['config', 'path'], { QUILT_CONFIG_ARGS: '--bogus' }).code).toBe(0);
  });

  it('--color takes always, auto or never', () => {
    const d = tree();
    expect(run(d, ['applied', '--color=never']).code).toBe(0);
    expect(run(d, ['applied', '--color']).code).toBe(0);
    const bad = run(d, ['applied', '--color=sometimes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--color');
  });
});
