/** Output helpers: markdown escaping, the JSON error shape, and how stdout/stderr are written. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PatchqError } from '../../src/engine/errors.js';
import { jsonError } from '../../src/output/json.js';
import { mdBlock, mdCode, mdTable } from '../../src/output/markdown.js';
import { CLI, temp } from './run.js';

describe('markdown', () => {
  it('escapes pipes and newlines in table cells', () => {
    expect(mdTable(['patch', 'hunks'], [['a|b.patch', 2], ['x\ny', 0]])).toBe('| patch | hunks |\n|---|---|\n| a\\|b.patch | 2 |\n| x y | 0 |');
  });
  it('fences outlast backticks inside', () => {
    expect(mdCode('a`b')).toBe('`` a`b ``');
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdBlock('x\n````\n', 'diff')).toBe('`````diff\nx\n````\n`````');
  });
});

describe('json errors', () => {
  it('carries code, message, file and line (null when unknown)', () => {
    const e = new PatchqError('E_PATCH_PARSE', 'bad hunk header', { file: 'patches/x.patch', line: 7 });
    expect(JSON.parse(jsonError(e))).toEqual({ error: { code: 'E_PATCH_PARSE', message: 'bad hunk header', file: 'patches/x.patch', line: 7 } });
    expect(JSON.parse(jsonError(new PatchqError('E_USAGE', 'no')))).toEqual({ error: { code: 'E_USAGE', message: 'no', file: null, line: null } });
  });
});

describe('stdout and stderr without a terminal (written directly, src/output/stdio.ts)', () => {
  /** A tree with `n` empty patches whose names are long: their listing is well over a pipe's 64 KiB. */
  function longSeries(n: number): string {
    const d = temp();
    const names = Array.from({ length: n }, (_, i) => `${String(i).padStart(4, '0')}-${'x'.repeat(200)}.patch`);
    mkdirSync(join(d, 'patches'));
    writeFileSync(join(d, 'patches/series'), names.join('\n') + '\n');
    for (const name of names) writeFileSync(join(d, 'patches', name), '');
    return d;
  }
  const sh = (cwd: string, script: string) => {
    const env = { PATH: process.env.PATH, HOME: cwd, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(cwd, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache'), P: `${process.execPath} ${CLI}` };
    return spawnSync('bash', ['-c', script], { cwd, env, encoding: 'utf8' });
  };

  it('a reader that goes away early (| head -1) is no error, and a push goes on to its end', () => {
    const d = longSeries(400);
    const listed = sh(d, '$P series | head -1; echo "rc=${PIPESTATUS[0]}"');
    expect(listed.stdout).toBe(`0000-${'x'.repeat(200)}.patch\nrc=0\n`);
    expect(listed.stderr).toBe('');
    const pushed = sh(d, '$P push -a | head -1; echo "rc=${PIPESTATUS[0]}"');
    expect(pushed.stdout).toMatch(/^Applying patch 0000-x+\.patch\nrc=0\n$/);
    expect(pushed.stderr).toBe('');
    expect(readFileSync(join(d, '.pc/applied-patches'), 'utf8').split('\n').filter(Boolean)).toHaveLength(400);
  });

  it('a file, /dev/null and a pipe all get the same bytes; stderr goes its own way', () => {
    const d = longSeries(3);
    const r = sh(d, '$P series > out.txt && $P series >> out.txt && $P series > /dev/null && $P series | cat > piped.txt && $P nope 2> err.txt; echo "rc=$?"');
    expect(r.stdout).toBe('rc=1\n');
    const list = readFileSync(join(d, 'patches/series'), 'utf8');
    expect(readFileSync(join(d, 'out.txt'), 'utf8')).toBe(list + list);
    expect(readFileSync(join(d, 'piped.txt'), 'utf8')).toBe(list);
    expect(readFileSync(join(d, 'err.txt'), 'utf8')).toBe("unknown command 'nope' (see 'patchq --help')\n");
  });

  it('output that cannot be written (a full device, a descriptor not open for writing) is one line on stderr and exit 1; the command runs to its end', (ctx) => {
    if (!existsSync('/dev/full')) return ctx.skip();
    const d = longSeries(3);
    const lost = (code: string) => `patchq: could not write to standard output (${code}): what this command printed is lost\n`;
    // /dev/full: a character device, written through Node's stream; ENOSPC.
    const full = sh(d, '$P series > /dev/full; echo "rc=$?"');
    expect(full.stdout).toBe('rc=1\n');
    expect(full.stderr).toBe(lost('ENOSPC'));
    // A file open for reading only: written directly; EBADF.
    writeFileSync(join(d, 'ro.txt'), 'kept\n');
    const ro = sh(d, '$P series --json 1< ro.txt; echo "rc=$?" >&2');
    expect(ro.stderr).toBe(`${lost('EBADF')}rc=1\n`);
    expect(readFileSync(join(d, 'ro.txt'), 'utf8')).toBe('kept\n');
    // A push whose report is lost still pushes all (as for a closed pipe), then says so.
    const pushed = sh(d, '$P push -a > /dev/full; echo "rc=$?"');
    expect(pushed.stdout).toBe('rc=1\n');
    expect(pushed.stderr).toBe(lost('ENOSPC'));
    expect(readFileSync(join(d, '.pc/applied-patches'), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    // A failing command keeps its own code and message.
    const none = sh(d, '$P push > /dev/full; echo "rc=$?"');
    expect(none.stdout).toBe('rc=2\n');
    expect(none.stderr).toMatch(/^File series fully applied, ends at patch 0002-x+\.patch\n$/);
  });
});
