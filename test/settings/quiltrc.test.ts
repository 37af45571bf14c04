/**
 * quiltrc: the plain assignments of the file quilt would read apply to patchq, through the
 * built binary; shell it cannot run is skipped; `-` reads none; a missing named file is an error.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseQuiltrc } from '../../src/settings/quiltrc.js';
import { patchq, read, tempDir, write } from '../helpers/tree.js';

describe('parseQuiltrc', () => {
  it('reads plain assignments and skips what needs a shell', () => {
    const rc = [
      '# Debian\'s file, as shipped',
      'QUILT_DIFF_OPTS="--show-c-function"',
      'QUILT_PUSH_ARGS="--color=auto"',
      'QUILT_REFRESH_ARGS="--no-timestamps --backup"',
      '[ -n "$LESS" -a -z "${QUILT_PAGER+x}" ] && QUILT_PAGER="less -FRX"',
      'QUILT_PATCHES_PREFIX=yes',
      "export QUILT_PATCHES='debian/patches'  # a comment",
      'QUILT_SERIES=$HOME/series',
      'A=1 B=2',
      'EDITOR=my\\ editor',
    ].join('\n');
    expect(parseQuiltrc(rc)).toEqual({
      QUILT_DIFF_OPTS: '--show-c-function',
      QUILT_PUSH_ARGS: '--color=auto',
      QUILT_REFRESH_ARGS: '--no-timestamps --backup',
      QUILT_PATCHES_PREFIX: 'yes',
      QUILT_PATCHES: 'debian/patches',
      EDITOR: 'my editor',
    });
  });
});

function tree(): string {
  const root = tempDir();
  write(root, 'a.txt', 'one\n');
  write(root, 'debian/patches/series', 'p.diff\n');
  write(root, 'debian/patches/p.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
  return root;
}

describe('quiltrc through the binary', () => {
  it('QUILTRC names the file; its variables apply (patches folder, prefix, refresh args)', () => {
    const root = tree();
    const rc = join(root, 'rc');
    write(root, 'rc', 'export QUILT_PATCHES=debian/patches\nQUILT_PATCHES_PREFIX=yes\nQUILT_REFRESH_ARGS="--no-timestamps --backup"\n');
    const r = patchq(root, ['push'], { QUILTRC: rc });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Now at patch debian/patches/p.diff');
    write(root, 'a.txt', 'three\n');
    expect(patchq(root, ['refresh'], { QUILTRC: rc }).code).toBe(0);
    // --backup from QUILT_REFRESH_ARGS kept the previous patch; --no-timestamps took effect.
    expect(read(root, 'debian/patches/p.diff~')).toContain('+two');
    expect(read(root, 'debian/patches/p.diff')).toMatch(/^\+\+\+ [^\t\n]*a\.txt\n/m);
    expect(read(root, 'debian/patches/p.diff')).toContain('+three');
  });

  it('--quiltrc before the command wins over QUILTRC; --quiltrc=- reads none', () => {
    const root = tree();
    write(root, 'rc', 'QUILT_PATCHES=debian/patches\n');
    write(root, 'other', 'QUILT_PATCHES=nowhere\n');
    expect(patchq(root, ['--quiltrc', join(root, 'rc'), 'series'], { QUILTRC: join(root, 'other') }).stdout.trim()).toBe('p.diff');
    const none = patchq(root, ['--quiltrc=-', 'series'], { QUILTRC: join(root, 'rc') });
    // No quiltrc, so no debian/patches: no series here, which quilt's series lists as nothing (exit 0).
    expect(none).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a named quiltrc that cannot be read is one clear error', () => {
    const root = tree();
    const r = patchq(root, ['series'], { QUILTRC: join(root, 'missing-rc') });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`cannot read quiltrc ${join(root, 'missing-rc')}`);
  });

  it('an option patchq does not know in QUILT_<CMD>_ARGS is a usage error naming the variable, also where push --refresh reads QUILT_REFRESH_ARGS', () => {
    const root = tree();
    write(root, 'rc', 'QUILT_PATCHES=debian/patches\nQUILT_REFRESH_ARGS="--no-timestamps --diffstat"\nQUILT_PUSH_ARGS="-q --bogus"\n');
    const env = { QUILTRC: join(root, 'rc') };
    const refresh = patchq(root, ['refresh'], env);
    expect([refresh.code, refresh.stderr]).toEqual([1, "QUILT_REFRESH_ARGS: refresh: unknown option '--diffstat' (see 'patchq refresh --help')\n"]);
    const push = patchq(root, ['push'], env);
    expect([push.code, push.stderr]).toEqual([1, "QUILT_PUSH_ARGS: push: unknown option '--bogus' (see 'patchq push --help')\n"]);
    const pushRefresh = patchq(root, ['push', '--refresh'], { ...env, QUILTRC: '-', QUILT_PATCHES: 'debian/patches', QUILT_REFRESH_ARGS: '--diffstat' });
    expect([pushRefresh.code, pushRefresh.stderr]).toEqual([1, "QUILT_REFRESH_ARGS: refresh: unknown option '--diffstat' (see 'patchq refresh --help')\n"]);
    // A mistake on the command line itself is said as before.
    expect(patchq(root, ['push', '--nope'], { QUILT_PATCHES: 'debian/patches', QUILT_PUSH_ARGS: '-q' }).stderr).toBe("push: unknown option '--nope' (see 'patchq push --help')\n");
    expect(read(root, 'a.txt')).toBe('one\n');
  });
});
