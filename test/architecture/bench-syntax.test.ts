/**
 * `npm run bench` is not run by `npm test` (speed is measured there, never in a test), so a
 * syntax slip in a suite went unseen until the next bench run (an unescaped quote in the
 * stack suite's text). Every bench script must at least parse.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BENCH = join(import.meta.dirname, '..', '..', 'bench');
const scripts = ['.', 'lib', 'suites'].flatMap((d) => readdirSync(join(BENCH, d)).filter((f) => f.endsWith('.mjs')).map((f) => join(d, f)));

describe('bench scripts', () => {
  it('are there', () => expect(scripts.length).toBeGreaterThan(3));
  it.each(scripts)('%s parses (node --check)', (f) => {
    const r = spawnSync(process.execPath, ['--check', join(BENCH, f)], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});
