/**
 * How the built binary reports what goes wrong around it (docs/exit-codes.md): the file
 * system refusing (permissions, a read-only or full disk) is one clear line and exit 1,
 * not an "internal error" asking for a bug report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, tempDir, write } from '../helpers/tree.js';

/**
 * `args` with the mkdir of `path` failing with `errno` (strace injects it: root is refused
 * nothing). Node's recursive mkdir passes these errors on as they are, but for EROFS, which
 * it reports as ENOENT (fsx/atomic.ts's mkdirp then asks level by level).
 */
function refused(d: string, path: string, errno: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: d, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(d, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache') };
  const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-P', path, '-e', 'trace=mkdir,mkdirat', '-e', `inject=mkdir,mkdirat:error=${errno}`, process.execPath, CLI, ...args], { cwd: d, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the file system says no', () => {
  it('a tree this user may not write (EACCES, EPERM), a full disk (ENOSPC), a read-only one (EROFS, which Node\'s recursive mkdir calls ENOENT): one line naming the path, exit 1, E_IO under --json', (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    for (const [errno, words] of [['EACCES', 'permission denied'], ['EPERM', 'operation not permitted'], ['ENOSPC', 'no space left on device'], ['EROFS', 'read-only file system']] as const) {
      const d = tempDir();
      write(d, 'a.txt', 'one\n');
      write(d, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
      write(d, 'patches/series', 'p.patch\n');
      const pc = join(d, '.pc');
      for (const args of [['push'], ['new', 'q.patch']]) {
        const r = refused(d, pc, errno, args);
        if (/strace: /.test(r.stderr)) return ctx.skip();
        expect([errno, args[0], r.code, r.stderr]).toEqual([errno, args[0], 1, `cannot mkdir ${pc}: ${words} (${errno})\n`]);
        const j = refused(d, pc, errno, [...args, '--json']);
        expect([j.code, JSON.parse(j.stdout), j.stderr]).toEqual([1, { error: { code: 'E_IO', message: `cannot mkdir ${pc}: ${words} (${errno})`, file: null, line: null } }, '']);
      }
      expect(existsSync(pc)).toBe(false);
    }
  });
});
