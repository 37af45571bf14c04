/**
 * Test helpers: temp trees, the BUILT binary (npm test builds dist/ first), real quilt
 * and git. Everything runs for real; nothing is mocked.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { tempDir, toolTmp } from './temp.js';

export { tempDir, toolTmp, withTempDir } from './temp.js';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'bin', 'cli.cjs');

/** Two fresh temp trees made alike by `setup`: one for the real quilt, one for patchq. */
export function twins(setup: (root: string) => void): [string, string] {
  const a = tempDir();
  const b = tempDir();
  setup(a);
  setup(b);
  return [a, b];
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const baseEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', NO_COLOR: '1', ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('QUILT_') && !(k in extra)) delete env[k];
  env.PATCHQ_CONFIG_DIR ??= join(tmpdir(), 'patchq-test-config');
  // V8's compile cache (src/compile-cache.ts): one for the suite, not in the user's home.
  env.PATCHQ_CACHE_DIR ??= join(tmpdir(), 'patchq-test-cache');
  return env;
};

export function patchq(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: baseEnv(env), encoding: 'utf8', input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function quilt(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Run {
  const r = spawnSync('quilt', ['--quiltrc=-', ...args], { cwd, env: baseEnv({ TMPDIR: toolTmp(), ...env }), encoding: 'utf8', input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh git repository (branch main) holding `files`, committed as `message`. */
export function gitRepo(files: Record<string, string | Buffer>, opts: { prefix?: string; message?: string } = {}): string {
  const d = tempDir(opts.prefix ?? 'patchq-repo-');
  git(d, 'init', '-q', '-b', 'main');
  for (const [rel, data] of Object.entries(files)) write(d, rel, data);
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', opts.message ?? 'v1');
  return d;
}

/**
 * A fork maintainer's set-up: an upstream repository holding `upstream` (gitRepo, 'v1'),
 * and `d`, a clone of it (its remote named `upstream` too, as sync pulls) with `fork`
 * written on top and, when it names files (the series, .gitignore...), committed as
 * 'series'. Upstream's next commits and the pull are the test's own.
 */
export function upstreamAndFork(upstream: Record<string, string | Buffer>, fork: Record<string, string | Buffer> = {}, prefix = 'patchq-fork-'): { up: string; d: string } {
  const up = gitRepo(upstream, { prefix: `${prefix}up-` });
  const d = tempDir(`${prefix}clone-`);
  git(d, 'clone', '-q', up, '.');
  git(d, 'remote', 'add', 'upstream', up);
  if (Object.keys(fork).length === 0) return { up, d };
  for (const [rel, data] of Object.entries(fork)) write(d, rel, data);
  git(d, 'add', '-A');
  git(d, 'commit', '-qm', 'series');
  return { up, d };
}

export function write(root: string, rel: string, data: string | Buffer, mode?: number): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  if (mode !== undefined) chmodSync(p, mode);
}

export const read = (root: string, rel: string): string => readFileSync(join(root, rel), 'latin1');

const SPARES = join('.pc', '.patchq', 'spare');

/**
 * A snapshot of a directory: path -> "mode:content" for files, "dir" for directories (so an
 * empty folder made, left or removed shows), "->target" for links.
 * Excludes .git and, unless asked, .pc.
 */
export function snapshot(root: string, opts: { withPc?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const rel = relative(root, p);
      // .pc/.patchq/spare: spare inodes (src/stack/spares.ts), never state; test/stack/spares.test.ts checks it.
      if (e === '.git' || (!opts.withPc && rel === '.pc') || rel === SPARES) continue;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[rel] = `->${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = 'dir';
        walk(p);
      } else out[rel] = `${(st.mode & 0o777).toString(8)}:${readFileSync(p, 'latin1')}`;
    }
  };
  walk(root);
  return out;
}

/** Lines 1..n as "l1\n".."ln\n". */
export const numbered = (n: number, prefix = 'l'): string => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}\n`).join('');
