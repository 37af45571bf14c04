// Real code nobody here wrote: npm packages fetched with `npm pack` when the bench runs,
// cached in bench/.cache (git-ignored). Files are read as latin1 byte strings.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package version pairs (a -> c) both the drift and the reapply suites build cases from. */
export const PAIRS = [
  ['commander', '9.0.0', '9.5.0'],
  ['commander', '8.3.0', '9.0.0'],
  ['semver', '7.3.8', '7.6.3'],
  ['express', '4.17.3', '4.19.2'],
  ['lodash', '4.17.15', '4.17.21'],
  ['yargs-parser', '20.2.9', '21.1.1'],
  ['ajv', '8.11.0', '8.12.0'],
  ['minimatch', '5.1.0', '5.1.6'],
];

export const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache');

/** Unpack NAME@VERSION into the cache; returns the package dir. */
export function fetchPackage(spec) {
  const dir = join(CACHE, spec.replace(/[@/]/g, '_'));
  if (existsSync(join(dir, 'package'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir]);
  return join(dir, 'package');
}

/** Every .js/.ts/.json/.md file of a package dir: {relative path: text}. */
export function readPackage(dir) {
  const out = {};
  const walk = (d, prefix) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${e}/`);
      else if (/\.(js|mjs|cjs|ts|md)$/.test(e) && statSync(p).size < 2_000_000) out[prefix + e] = readFileSync(p, 'latin1');
    }
  };
  walk(dir, '');
  return out;
}

/** Small, deterministic RNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
