/**
 * V8's compile cache for the CLI bundle (src/compile-cache.ts), through the built binary:
 * written after a command's first run, read by the next ones, rebuilt when V8 refuses it,
 * and never in the way: a cache that cannot be written costs only the time.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, temp } from './run.js';

const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

function tree(): string {
  const d = temp();
  mkdirSync(join(d, 'patches'));
  writeFileSync(join(d, 'patches/series'), 'a.patch\nb.patch\n');
  return d;
}

describe('compile cache', () => {
  it("is written after a command's first run, one set per command, and read back unchanged by the next runs", () => {
    const d = tree();
    const cache = join(temp(), 'cache');
    const env = { PATCHQ_CACHE_DIR: cache };
    const first = run(d, ['series'], env);
    expect(first).toMatchObject({ code: 0, stdout: 'a.patch\nb.patch\n' });
    const [v8] = readdirSync(cache);
    expect(v8).toBe(`v8-${process.version}-${process.arch}`);
    const set = join(cache, v8!, 'series');
    const names = entries(set);
    // The CLI's chunk and series's own, each named by chunk, size and mtime.
    expect(names.some((n) => /^cli-[\w-]+\.cjs\.\d+\.\d+$/.test(n))).toBe(true);
    expect(names.length).toBeGreaterThan(1);
    const stamps = names.map((n) => statSync(join(set, n)).mtimeMs);
    expect(run(d, ['series'], env)).toEqual(first);
    expect(entries(set)).toEqual(names);
    expect(names.map((n) => statSync(join(set, n)).mtimeMs)).toEqual(stamps); // accepted by V8: not written again
    // Another command, another set.
    expect(run(d, ['unapplied'], env).code).toBe(0);
    expect(entries(join(cache, v8!, 'unapplied')).length).toBeGreaterThan(0);
  });

  it('an entry V8 refuses (garbage) is compiled again and written anew; the output does not change', () => {
    const d = tree();
    const cache = join(temp(), 'cache');
    const env = { PATCHQ_CACHE_DIR: cache };
    const first = run(d, ['series', '-v'], env);
    const set = join(cache, `v8-${process.version}-${process.arch}`, 'series');
    const cli = entries(set).find((n) => n.startsWith('cli-'))!;
    writeFileSync(join(set, cli), 'not a code cache');
    expect(run(d, ['series', '-v'], env)).toEqual(first);
    expect(readFileSync(join(set, cli), 'latin1')).not.toBe('not a code cache');
  });

  it('a cache that cannot be written, or PATCHQ_NO_COMPILE_CACHE=1, changes nothing but the time', () => {
    const d = tree();
    const blocker = join(temp(), 'a-file');
    writeFileSync(blocker, '');
    const plain = run(d, ['series'], { PATCHQ_NO_COMPILE_CACHE: '1' });
    expect(plain).toMatchObject({ code: 0, stdout: 'a.patch\nb.patch\n', stderr: '' });
    expect(run(d, ['series'], { PATCHQ_CACHE_DIR: blocker })).toEqual(plain);
    const off = join(temp(), 'off');
    expect(run(d, ['series'], { PATCHQ_CACHE_DIR: off, PATCHQ_NO_COMPILE_CACHE: '1' })).toEqual(plain);
    expect(existsSync(off)).toBe(false);
  });

  it('a cached chunk still loads an ES-module-only package through the esm chunk (conf, for config set)', () => {
    const d = tree();
    const cache = join(temp(), 'cache');
    for (const value of ['1', '0']) {
      const r = run(d, ['config', 'set', 'fuzz', value], { PATCHQ_CACHE_DIR: cache });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(run(d, ['config', 'get', 'fuzz'], { PATCHQ_CACHE_DIR: cache }).stdout).toBe(`${value}\n`);
    }
  });
});
