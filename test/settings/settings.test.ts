/** Settings: precedence option > QUILT_* env > conf store > defaults, validation, colour resolution. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, loadSettings, openStore, parseValue } from '../../src/settings/settings.js';
import { quiltArgs, settingsFromEnv } from '../../src/settings/quilt-env.js';
import { paint, resolveColor } from '../../src/output/color.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function cfg(content?: string): NodeJS.ProcessEnv {
  const d = mkdtempSync(join(tmpdir(), 'patchq-settings-'));
  dirs.push(d);
  if (content !== undefined) writeFileSync(join(d, 'config.json'), content);
  return { PATCHQ_CONFIG_DIR: d };
}

describe('loadSettings', () => {
  it('defaults when nothing is set', () => {
    const r = loadSettings(cfg());
    for (const [k, v] of Object.entries(DEFAULTS)) expect(r[k as keyof typeof DEFAULTS]).toEqual({ value: v, source: 'default' });
  });

  it('option beats env beats settings beats default', () => {
    const env = { ...cfg('{"fuzz": 1, "context": 5, "index": true}'), QUILT_PATCH_OPTS: '--fuzz=0', QUILT_NO_DIFF_INDEX: '1' };
    const r = loadSettings(env, { index: true });
    expect(r.fuzz).toEqual({ value: 0, source: 'env', from: 'QUILT_PATCH_OPTS' });
    expect(r.context).toEqual({ value: 5, source: 'settings' });
    expect(r.index).toEqual({ value: true, source: 'option' });
    expect(loadSettings(env).index).toEqual({ value: false, source: 'env', from: 'QUILT_NO_DIFF_INDEX' });
  });

  it('reads quilt variables the way quilt users write them', () => {
    expect(settingsFromEnv({ QUILT_PATCH_OPTS: '-E -F 1' }).fuzz?.value).toBe(1);
    expect(settingsFromEnv({ QUILT_PATCH_OPTS: '-F3' }).fuzz?.value).toBe(3);
    expect(settingsFromEnv({ QUILT_DIFF_OPTS: '--show-c-function -U 7' }).context?.value).toBe(7);
    expect(settingsFromEnv({ QUILT_PAGER: '', PAGER: 'more' }).pager).toEqual({ value: '', from: 'QUILT_PAGER' });
    expect(settingsFromEnv({ PAGER: 'more', EDITOR: 'nano' })).toMatchObject({ pager: { value: 'more' }, editor: { value: 'nano' } });
    expect(settingsFromEnv({ QUILT_NO_DIFF_TIMESTAMPS: '' }).timestamps).toBeUndefined();
  });

  it('QUILT_<CMD>_ARGS go before the command line, only for quilt command names', () => {
    expect(quiltArgs('refresh', ['x.patch'], { QUILT_REFRESH_ARGS: ' -p ab  --no-index ' })).toEqual(['-p', 'ab', '--no-index', 'x.patch']);
    expect(quiltArgs('reapply', ['--check'], { QUILT_REAPPLY_ARGS: '--json' })).toEqual(['--check']);
  });
});

describe('the store', () => {
  it('set writes validated JSON that loadSettings reads back', async () => {
    const env = cfg();
    (await openStore(env)).set('diffStyle', parseValue('diffStyle', 'git'));
    expect(JSON.parse(readFileSync(join(env.PATCHQ_CONFIG_DIR!, 'config.json'), 'utf8'))).toEqual({ diffStyle: 'git' });
    expect(loadSettings(env).diffStyle).toEqual({ value: 'git', source: 'settings' });
  });

  it('bad values are E_CONFIG errors naming the key', () => {
    expect(() => parseValue('merge', 'maybe')).toThrow(/merge: expected one of none, merge, diff3/);
    expect(() => parseValue('fuzz', '-1')).toThrow(/whole number/);
    expect(parseValue('timestamps', 'no')).toBe(false);
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['[1,2]', /JSON object/],
    ['{"fuzz": "2"}', /setting 'fuzz'/],
    ['{"colour": "always"}', /unknown setting 'colour'/],
  ])('a broken file %s is one E_CONFIG naming the file', (content, message) => {
    const env = cfg(content);
    let err: unknown;
    try {
      loadSettings(env);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'E_CONFIG', file: join(env.PATCHQ_CONFIG_DIR!, 'config.json') });
    expect((err as Error).message).toMatch(message);
  });

  it('a subdirectory that does not exist yet is created on set', async () => {
    const env = cfg();
    const sub = join(env.PATCHQ_CONFIG_DIR!, 'nested');
    mkdirSync(sub);
    (await openStore({ PATCHQ_CONFIG_DIR: sub })).set('fuzz', 0);
    expect(loadSettings({ PATCHQ_CONFIG_DIR: sub }).fuzz.value).toBe(0);
  });
});

describe('colour', () => {
  it('follows --color, then NO_COLOR, FORCE_COLOR, the setting, the TTY', () => {
    expect(resolveColor({ NO_COLOR: '1' }, true, 'always')).toBe(true);
    expect(resolveColor({}, true, 'never')).toBe(false);
    expect(resolveColor({}, false, '')).toBe(true);
    expect(resolveColor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(resolveColor({ NO_COLOR: '' }, true)).toBe(true);
    expect(resolveColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(resolveColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(resolveColor({}, false, undefined, 'always')).toBe(true);
    expect(resolveColor({}, true, undefined, 'never')).toBe(false);
    expect(resolveColor({}, false)).toBe(false);
    expect(resolveColor({ TERM: 'dumb' }, true)).toBe(false);
    expect(resolveColor({ TERM: 'dumb' }, true, 'auto')).toBe(false);
    expect(resolveColor({ TERM: 'dumb' }, true, 'always')).toBe(true);
    expect(() => resolveColor({}, true, 'sometimes')).toThrow(/--color/);
  });

  it('paint wraps by role only when colour is on', () => {
    expect(paint({ color: false }, 'hunk-fuzzy', 'x')).toBe('x');
    expect(paint({ color: true }, 'error', 'x')).toBe('\x1b[31mx\x1b[0m');
    expect(paint({ color: true }, 'hunk-exact', 'x')).not.toBe(paint({ color: true }, 'hunk-failed', 'x'));
  });
});
