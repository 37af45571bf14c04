/**
 * Spawn the built CLI (dist/: `npm test` builds it first; alone, run `npx tsc -p .` before
 * `npx vitest run test/cli`; building inside each test file raced other files reading dist/).
 * Env is clean: no QUILT_*, settings in a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'bin', 'cli.cjs');
export const temp = (): string => tempDir('patchq-cli-');

export function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  // QUILTRC=-: no Debian /etc/quilt.quiltrc (QUILT_PATCHES_PREFIX=yes there) in these runs.
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: cwd, LANG: 'C', PATCHQ_CONFIG_DIR: join(cwd, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache'), QUILTRC: '-' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
