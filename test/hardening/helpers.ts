/**
 * Shared pieces of the hardening tests: a seeded PRNG (the seed is printed so a failure
 * can be replayed with PATCHQ_SEED), trees with a series, and the stack invariants.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { patchq, write } from '../helpers/tree.js';

const SPARES = join('.pc', '.patchq', 'spare');

/**
 * path -> "mode:bytes" for files, "->target" for symlinks (never followed), "dir" for
 * directories. Excludes .git, and .pc unless asked. `exact` takes everything (.git, .pc
 * with its spare pool, a lock, temp files), each directory's mode and each file's mtime
 * in nanoseconds: what "a refusal changes nothing on disk" compares.
 */
export function snapshot(root: string, opts: { withPc?: boolean; exact?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      const rel = relative(root, p);
      // .pc/.patchq/spare: spare inodes (src/stack/spares.ts), never state; test/stack/spares.test.ts checks it.
      if (!opts.exact && (e === '.git' || (!opts.withPc && rel === '.pc') || rel === SPARES)) continue;
      const st = lstatSync(p, { bigint: true });
      const mode = (Number(st.mode) & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `->${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = opts.exact ? `dir ${mode}` : 'dir';
        walk(p);
      } else out[rel] = `${mode}:${opts.exact ? `${st.mtimeNs}:` : ''}${readFileSync(p, 'latin1')}`;
    }
  };
  walk(root);
  return out;
}

/** mulberry32: small, fast, good enough to pick mutations; same seed, same run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!, chance: (p: number) => next() < p };
}

/** PATCHQ_SEED when given (to replay a failure), else a fresh one; printed either way. */
export function seedFor(name: string): number {
  const seed = process.env.PATCHQ_SEED ? Number(process.env.PATCHQ_SEED) : Math.floor(Math.random() * 2 ** 31);
  console.log(`[${name}] seed ${seed} (replay: PATCHQ_SEED=${seed})`);
  return seed;
}

/** Write patches/<name> and append it to the series. */
export function addPatch(d: string, name: string, text: string | Buffer, seriesLine = name): void {
  write(d, `patches/${name}`, text);
  const series = existsSync(join(d, 'patches/series')) ? readFileSync(join(d, 'patches/series'), 'latin1') : '';
  write(d, 'patches/series', series + seriesLine + '\n');
}

export const applied = (d: string): string[] =>
  existsSync(join(d, '.pc/applied-patches')) ? readFileSync(join(d, '.pc/applied-patches'), 'utf8').split('\n').filter(Boolean) : [];

/** The work tree without patches/ (and .pc unless asked): what the user edits. */
export function work(d: string, opts: { withPc?: boolean } = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot(d, opts)).filter(([k]) => !k.startsWith('patches/')));
}

/** Run the CLI and require success. */
export function ok(d: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = patchq(d, args, env);
  if (r.code !== 0) throw new Error(`patchq ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
}
