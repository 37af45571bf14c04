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
import { CLI, patchq, snapshot, tempDir, write } from '../helpers/tree.js';

/**
 * `args` with the mkdir of `path` failing with `errno` (strace injects it: root is refused
 * nothing). Node's recursive mkdir passes these errors on as they are, but for EROFS, which
 * it reports as ENOENT (fsx/atomic.ts's mkdirp then asks level by level).
 */
function refused(d: string, path: string, errno: string, args: string[], calls = 'mkdir,mkdirat', cwd = d) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: d, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(d, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache') };
  const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-P', path, '-e', `trace=${calls}`, '-e', `inject=${calls}:error=${errno}`, process.execPath, CLI, ...args], { cwd, encoding: 'utf8', env });
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
        expect([errno, args[0], r.code, r.stderr]).toEqual([errno, args[0], 1, `cannot mkdir .pc: ${words} (${errno})\n`]);
        const j = refused(d, pc, errno, [...args, '--json']);
        expect([j.code, JSON.parse(j.stdout), j.stderr]).toEqual([1, { error: { code: 'E_IO', message: `cannot mkdir .pc: ${words} (${errno})`, file: null, line: null } }, '']);
      }
      expect(existsSync(pc)).toBe(false);
    }
  });

  it('a path below the current folder is named from it, one elsewhere in full (push from a subfolder: .pc is above it)', (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const d = tempDir();
    write(d, 'a.txt', 'one\n');
    write(d, 'sub/b.txt', 'b\n');
    write(d, 'patches/p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
    write(d, 'patches/series', 'p.patch\n');
    const pc = join(d, '.pc');
    const r = refused(d, pc, 'EACCES', ['push'], 'mkdir,mkdirat', join(d, 'sub'));
    if (/strace: /.test(r.stderr)) return ctx.skip();
    expect([r.code, r.stderr]).toEqual([1, `cannot mkdir ${pc}: permission denied (EACCES)\n`]);
    expect(existsSync(pc)).toBe(false);
  });

  it('an error pointing into a file names it as the system errors do: below the current folder from it, elsewhere in full', () => {
    const d = tempDir();
    write(d, 'patches/series', 'sub\n');
    write(d, 'patches/sub/x', 'a folder where a patch file should be\n');
    write(d, 'elsewhere/keep', '\n');
    const before = snapshot(d, { withPc: true });
    expect(patchq(d, ['push']).stderr).toBe('patches/sub: is a directory, where a file was expected\n');
    expect(patchq(join(d, 'patches'), ['push']).stderr).toBe('sub: is a directory, where a file was expected\n');
    expect(patchq(join(d, 'elsewhere'), ['push']).stderr).toBe(`${join(d, 'patches/sub')}: is a directory, where a file was expected\n`);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });

  it('a write of a stack operation refused in the middle: one line naming the file relative to the tree (not Node\'s raw text with absolute paths), rolled back, exit 1', (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const tree = () => {
      const d = tempDir();
      write(d, 'f.txt', 'a\nb\n');
      expect(patchq(d, ['new', 'test.diff']).code).toBe(0);
      expect(patchq(d, ['add', 'f.txt']).code).toBe(0);
      write(d, 'f.txt', 'a\nb\nc\n');
      expect(patchq(d, ['refresh']).code).toBe(0);
      write(d, 'f.txt', 'a\nb\nc\nd\n');
      return d;
    };
    // refresh --backup links the old patch to test.diff~ (a user who may not write patches/ gets EACCES).
    let d = tree();
    let before = snapshot(d, { withPc: true });
    let r = refused(d, join(d, 'patches/test.diff~'), 'EACCES', ['refresh', '--backup'], 'link,linkat');
    if (/strace: /.test(r.stderr)) return ctx.skip();
    expect([r.code, r.stderr]).toEqual([1, 'cannot write patches/test.diff~: permission denied (EACCES) (rolled back; nothing was changed)\n']);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    r = refused(d, join(d, 'patches/test.diff~'), 'EACCES', ['refresh', '--backup', '--json'], 'link,linkat');
    expect([r.code, JSON.parse(r.stdout).error]).toEqual([1, { code: 'E_IO', message: 'cannot write patches/test.diff~: permission denied (EACCES) (rolled back; nothing was changed)', file: null, line: null }]);
    // pop: the file put back is refused (an immutable file, a read-only mount).
    d = tree();
    before = snapshot(d, { withPc: true });
    r = refused(d, join(d, 'f.txt'), 'EROFS', ['pop', '-f'], 'rename,renameat,renameat2');
    expect([r.code, r.stderr]).toEqual([1, 'cannot write f.txt: read-only file system (EROFS) (rolled back; nothing was changed)\n']);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // A roll-back that cannot finish says both, in the same words, and where the rest waits.
    // (pop's op 3 fails; putting f.txt back needs the unlink strace refuses.)
    d = tree();
    write(d, 'g.txt', 'x\n');
    expect(patchq(d, ['add', 'g.txt']).code).toBe(0);
    expect(patchq(d, ['refresh']).code).toBe(0);
    const env = { ...process.env, PATCHQ_FAIL_APPLY_AT: '3' };
    const s = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-P', join(d, 'f.txt'), '-e', 'trace=unlink,unlinkat', '-e', 'inject=unlink,unlinkat:error=EIO', process.execPath, CLI, 'pop'], { cwd: d, encoding: 'utf8', env });
    expect([s.status, s.stderr]).toEqual([
      1,
      'an operation failed (cannot remove .pc/test.diff: input/output error (EIO)) and could not be undone (cannot put back f.txt: input/output error (EIO)); .pc/.patchq/tx holds what is needed: fix the cause and run patchq again\n',
    ]);
    expect(patchq(d, ['pop']).code).toBe(0);
  });
});
