/**
 * Twin trees, the same commands, real quilt and patchq: the lines people and scripts read
 * must be the same (quilt's own test transcripts, altered-series.test and applied.test, are
 * where these cases come from).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtOnce, copyTree } from '../helpers/prepared.js';
import { numbered, patchq, quilt, read, snapshot, tempDir, toolTmp, twins, write, type Run } from '../helpers/tree.js';

const out = (r: Run) => [r.code, (r.stdout + r.stderr).replace(/\n+$/, '')];

/** A command run in the quilt tree and the patchq tree must print the same and exit the same. */
const sameAsQuilt =
  (q: string, p: string, env: NodeJS.ProcessEnv = {}) =>
  (args: string[]): void =>
    expect(out(patchq(p, args, env)), args.join(' ')).toEqual(out(quilt(q, args, env)));

describe('quilt wording on twin trees', () => {
  it('a missing patch file is refused; empty ones push; -q has no blank lines; a reordered series still pops', () => {
    const [q, p] = twins((d) => write(d, 'patches/series', '01.patch\n02.patch\n03.patch\n'));
    const both = sameAsQuilt(q, p);
    both(['push', '-q', '2']);
    for (const d of [q, p]) for (const n of ['01', '02', '03']) write(d, `patches/${n}.patch`, '');
    both(['push', '-q', '2']);
    both(['series', '-v']);
    for (const d of [q, p]) write(d, 'patches/series', '03.patch\n01.patch\n02.patch\n');
    both(['series', '-v']);
    both(['pop']);
    both(['pop', '-a']);
    both(['series', '-v']);
  });

  it('named and counted targets at the ends of the series: applied X, unapplied LAST, push APPLIED, push 0, pop 0', () => {
    const [q, p] = twins((d) => {
      write(d, 'a.txt', 'one\n');
      write(d, 'patches/series', 'p1.diff\np2.diff\n');
      write(d, 'patches/p1.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
      write(d, 'patches/p2.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-two\n+three\n');
    });
    const both = sameAsQuilt(q, p);
    for (const args of [['applied', 'p1'], ['unapplied', 'p2'], ['unapplied', 'p1'], ['push', '0'], ['pop', '0'], ['push', '-qa'], ['push', 'p2'], ['push', 'p1'], ['push'], ['unapplied', 'p2'], ['applied', 'p1']]) both(args);
  });

  it("a patch file edited by hand after refresh does not pop cleanly (quilt's failpop.test); a header edit still pops", () => {
    const [q, p] = twins((d) => write(d, 'test.txt', 'This is test.txt.\n'));
    const both = sameAsQuilt(q, p);
    both(['new', 'test.diff']);
    both(['add', 'test.txt']);
    for (const d of [q, p]) write(d, 'test.txt', 'This is test.txt.\nLine two.\n');
    both(['refresh']);
    for (const d of [q, p]) write(d, 'patches/test.diff', read(d, 'patches/test.diff').replace(/ /g, '_'));
    both(['pop']);
    expect(read(p, 'test.txt')).toBe('This is test.txt.\nLine two.\n');
    both(['refresh']);
    for (const d of [q, p]) write(d, 'patches/test.diff', 'A description.\n\n' + read(d, 'patches/test.diff'));
    both(['pop']);
    expect(read(p, 'test.txt')).toBe('This is test.txt.\n');
  });

  it("add refuses files below patches/ and .pc/, goes on with the others and exits 1 (quilt's add-filename-check.test)", () => {
    const [q, p] = twins((d) => write(d, 'foo', 'foo\n'));
    const both = sameAsQuilt(q, p);
    both(['new', 'test.diff']);
    for (const args of [['add', 'foo'], ['add', 'patches/bar'], ['add', '.pc/baz'], ['add', 'patches/x', 'bar'], ['files']]) both(args);
  });

  it("a patch listed twice in series: the first pushes, the second is refused, pop works (quilt's duplicate-patch-in-series.test)", () => {
    const [q, p] = twins((d) => {
      write(d, 'file.txt', 'old line\n');
      write(d, 'patches/first.patch', '--- file.txt\n+++ file.txt\n@@ -1 +1 @@\n-old line\n+new line\n');
      write(d, 'patches/series', 'first.patch -p0\nfirst.patch -p0\n');
    });
    const both = sameAsQuilt(q, p);
    for (const args of [['push'], ['push'], ['series'], ['pop'], ['push', '-qa'], ['pop', '-q']]) both(args);
    expect(read(p, 'file.txt')).toBe('old line\n');
  });

  it("push -a --refresh and pop -a --refresh refresh every patch with the refresh settings (quilt's auto-refresh.test)", () => {
    const [q, p] = twins((d) => {
      write(d, 'a', 'a\n');
      write(d, 'b', 'b\n');
    });
    const env = { QUILT_REFRESH_ARGS: '--no-timestamps', QUILT_DIFF_ARGS: '--no-timestamps' };
    const both = sameAsQuilt(q, p, env);
    both(['new', 'a.patch']);
    both(['add', 'a']);
    for (const d of [q, p]) write(d, 'a', 'A\n');
    both(['new', 'b.patch']);
    both(['add', 'b']);
    for (const d of [q, p]) write(d, 'b', 'B\n');
    for (const args of [['pop', '-fa', '--refresh'], ['pop', '-a', '--refresh'], ['push', '-a', '--refresh'], ['push', '-fa', '--refresh'], ['pop', '-a', '--refresh']]) both(args);
    const patchOf = (d: string) => read(d, 'patches/b.patch').split(basename(d)).join('TREE');
    expect(patchOf(p)).toBe(patchOf(q));
  });

  it("what .pc remembers of the patches dir and series wins over QUILT_PATCHES/QUILT_SERIES (quilt's project-settings.test)", () => {
    const [q, p] = twins((d) => {
      write(d, '.pc/.version', '2\n');
      write(d, '.pc/.quilt_patches', 'quilt_patches\n');
      write(d, '.pc/.quilt_series', 'quilt_series\n');
      write(d, 'quilt_patches/quilt_series', 'create.patch\n');
      write(d, 'quilt_patches/create.patch', '--- a/file\n+++ b/file\n@@ -0,0 +1 @@\n+new line\n');
    });
    const env = { QUILT_PATCHES: 'my_patches', QUILT_SERIES: 'my_series' };
    for (const args of [['push'], ['series'], ['pop']]) sameAsQuilt(q, p, env)(args);
  });

  it("names shown from a subdirectory go up to the root and down the patches dir, as quilt's print_patch (remember-locations.test)", () => {
    const [q, p] = twins((d) => write(d, 'my/changes/.keep', ''));
    const env = { QUILT_PATCHES: 'my/changes', QUILT_SERIES: 'patchlist' };
    for (const args of [['new', 'mychange1'], ['new', 'mychange2']]) sameAsQuilt(q, p, env)(args);
    const sub = { QUILT_PATCHES_PREFIX: '1' };
    const inMy = (r: Run) => out(r);
    expect(inMy(patchq(join(p, 'my'), ['applied'], sub))).toEqual(inMy(quilt(join(q, 'my'), ['applied'], sub)));
    expect(out(patchq(join(p, 'my'), ['applied'], sub))[1]).toBe('../my/changes/mychange1\n../my/changes/mychange2');
  });

  it("push -qf says where it saved the rejects; push -q does not (quilt's conflicts.test)", () => {
    const [q, p] = twins((d) => {
      write(d, 'one.txt', '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n');
      write(d, 'patches/series', 'a.diff\n');
      write(d, 'patches/a.diff', '--- a/one.txt\n+++ b/one.txt\n@@ -1,3 +1,3 @@\n-1\n+one\n 2\n 3\n@@ -7,4 +7,4 @@\n 7\n 8\n-X\n+nine\n 10\n');
    });
    for (const args of [['push', '-q'], ['push', '-qf']]) sameAsQuilt(q, p)(args);
  });

  it("refreshing a reverse patch writes it forward and drops -R from series, comment kept (quilt's import.test)", () => {
    const [q, p] = twins((d) => {
      write(d, 'f', 'f\n');
      write(d, 'patches/patchR.diff', '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-g\n+f\n');
      write(d, 'patches/patchRp0.diff', '--- f\n+++ f\n@@ -1 +1 @@\n-g\n+f\n');
      write(d, 'patches/series', '# Test of -R import\npatchR.diff -R # This patch was originally -R -p1\n');
    });
    const both = sameAsQuilt(q, p);
    for (const args of [['push'], ['refresh'], ['pop'], ['push']]) both(args);
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
    expect(read(p, 'patches/series')).toBe('# Test of -R import\npatchR.diff # This patch was originally -R -p1\n');
    expect(read(p, 'f')).toBe('g\n');
    both(['pop']);
    for (const d of [q, p]) write(d, 'patches/series', 'patchRp0.diff -p0 -R\n');
    for (const args of [['push'], ['refresh'], ['pop']]) both(args);
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
  });

  it("edit from a subdirectory runs the editor at the top with the file named from there (quilt's edit.test)", () => {
    const [q, p] = twins((d) => {
      write(d, 'editor', '#! /bin/sh\necho Editing $1\nsed -e s:foo:bar: $1 > $1.new\nmv $1.new $1\n', 0o755);
      write(d, 'subdir/foo', 'foo\n');
      write(d, 'patches/.keep', '');
    });
    expect(out(patchq(p, ['new', 'patch']))).toEqual(out(quilt(q, ['new', 'patch'])));
    const [a, b] = [patchq(join(p, 'subdir'), ['edit', 'foo'], { EDITOR: join(p, 'editor') }), quilt(join(q, 'subdir'), ['edit', 'foo'], { EDITOR: join(q, 'editor') })];
    expect(out(a)).toEqual(out(b));
    expect(read(p, 'subdir/foo')).toBe('bar\n');
  });

  it("fold from a subdirectory reads the patch's names from there (quilt's fold.test)", () => {
    const [q, p] = twins((d) => {
      write(d, 'patches/series', 'patch1.diff\n');
      write(d, 'patches/patch1.diff', '--- q.orig/file1.txt\n+++ q/file1.txt\n@@ -0,0 +1 @@\n+This is file1.txt.\n');
    });
    const qfold = (cwd: string, input: string) => {
      const r = spawnSync('quilt', ['--quiltrc=-', 'fold', '-q'], { cwd, input, encoding: 'utf8', env: { ...process.env, QUILTRC: '-' } });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    expect(out(patchq(p, ['push', '-q']))).toEqual(out(quilt(q, ['push', '-q'])));
    const add3 = '--- q.orig/dir/file3.txt\n+++ q/dir/file3.txt\n@@ -0,0 +1 @@\n+This is file3.txt.\n';
    expect(out(patchq(p, ['fold', '-q'], {}, add3))).toEqual(out(qfold(q, add3)));
    const mod3 = '--- dir.orig/file3.txt\n+++ dir/file3.txt\n@@ -1 +1 @@\n-This is file3.txt.\n+This is file3.txt, now modified.\n';
    expect(out(patchq(join(p, 'dir'), ['fold', '-q'], {}, mod3))).toEqual(out(qfold(join(q, 'dir'), mod3)));
    expect(read(p, 'dir/file3.txt')).toBe('This is file3.txt, now modified.\n');
    expect(out(patchq(p, ['diff', '-p', 'ab', '--no-timestamps']))).toEqual(out(quilt(q, ['diff', '-p', 'ab', '--no-timestamps'])));
  });

  it('fold from a subdirectory names the files from there, as quilt (patch -d) prints them', () => {
    const [q, p] = twins((d) => {
      write(d, 'sub/s.txt', numbered(8));
      write(d, 'top.txt', 'top\n');
    });
    const both = sameAsQuilt(q, p);
    both(['new', 'x.patch']);
    const inSub = (d: string, args: string[], input: string, run: typeof patchq) => out(run(join(d, 'sub'), args, {}, input));
    const fix = '--- a/s.txt\n+++ b/s.txt\n@@ -2,3 +2,3 @@\n l2\n-l3\n+L3\n l4\n--- a/more.txt\n+++ b/more.txt\n@@ -0,0 +1 @@\n+more\n';
    expect(inSub(p, ['fold'], fix, patchq)).toEqual(inSub(q, ['fold'], fix, quilt));
    const bad = '--- a/s.txt\n+++ b/s.txt\n@@ -6,3 +6,3 @@\n l6\n-nope\n+L7\n l8\n';
    expect(inSub(p, ['fold', '-f'], bad, patchq)).toEqual(inSub(q, ['fold', '-f'], bad, quilt));
    for (const f of ['sub/s.txt', 'sub/more.txt', 'sub/s.txt.rej']) expect(read(p, f), f).toBe(read(q, f));
    both(['files']);
  });

  it('push -f of a patch whose change a file already has: the same words, tree, .pc and .rej as quilt', () => {
    const [q, p] = twins((d) => {
      write(d, 'r.txt', 'r1\nR2\nr3\n');
      write(d, 's.txt', 's1\ns2\ns3\n');
      write(d, 'patches/series', 'p.diff\n');
      write(d, 'patches/p.diff', '--- a/r.txt\n+++ b/r.txt\n@@ -1,3 +1,3 @@\n r1\n-r2\n+R2\n r3\n--- a/s.txt\n+++ b/s.txt\n@@ -1,3 +1,3 @@\n s1\n-s2\n+S2\n s3\n');
    });
    const state = (d: string) => Object.fromEntries(Object.entries(snapshot(d, { withPc: true })).filter(([k]) => !/^\.pc\/\.patchq(\/|$)|\/\.timestamp$/.test(k)));
    expect(out(patchq(p, ['push', '-f']))).toEqual(out(quilt(q, ['push', '-f'])));
    expect(read(p, 'r.txt.rej')).toBe(read(q, 'r.txt.rej'));
    expect(state(p)).toEqual(state(q));
  });

  it('fold -f: only the files it writes join the top patch; one it skips (not there, already changed) gets no backup, as in quilt', () => {
    // quilt's fold -f runs GNU patch without -f: its questions ("Assume -R? [n]", "Apply
    // anyway? [n]") take their defaults when there is no terminal (setsid: none here).
    const qfold = (cwd: string, input: string, ...args: string[]) => spawnSync('setsid', ['-w', 'quilt', '--quiltrc=-', 'fold', '-f', ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, QUILTRC: '-', TMPDIR: toolTmp() } }).status;
    // The tree and .pc as names and bytes, patchq's own .pc/.patchq aside; the top patch's
    // text and .timestamp aside too (quilt's refresh stamps the times, the folder name).
    const state = (d: string) => Object.fromEntries(Object.entries(snapshot(d, { withPc: true })).filter(([k]) => !/^\.pc\/\.patchq(\/|$)|^patches\/top\.patch$|\/\.timestamp$/.test(k)));
    const cases: Record<string, string> = {
      'a file not there': '--- a/gone.txt\n+++ b/gone.txt\n@@ -1,3 +1,3 @@\n g1\n-g2\n+G2\n g3\n',
      'a deletion of a file not there': '--- a/gone.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-g1\n-g2\n',
      'a change already made': '--- a/r.txt\n+++ b/r.txt\n@@ -1,3 +1,3 @@\n r1\n-r2\n+R2\n r3\n',
      'a file not there, with a change that lands': '--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n b1\n-b2\n+B2\n b3\n--- a/gone.txt\n+++ b/gone.txt\n@@ -1 +1 @@\n-g\n+G\n',
      'a hunk that fails on a file not in the patch': '--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n x1\n-x2\n+X2\n x3\n',
    };
    // The tree each case starts from, made once by quilt; each case folds into two copies of it.
    const top = builtOnce(() => {
      const d = tempDir();
      write(d, 'a.txt', 'a1\na2\na3\n');
      write(d, 'b.txt', 'b1\nb2\nb3\n');
      write(d, 'r.txt', 'r1\nR2\nr3\n');
      expect(quilt(d, ['new', 'top.patch']).code).toBe(0);
      expect(quilt(d, ['add', 'a.txt']).code).toBe(0);
      write(d, 'a.txt', 'a1\nA2\na3\n');
      expect(quilt(d, ['refresh']).code).toBe(0);
      return d;
    });
    for (const [what, input] of Object.entries(cases)) {
      const [q, p] = [top(), top()];
      const code = qfold(q, input);
      expect([what, patchq(p, ['fold', '-f'], {}, input).code]).toEqual([what, code]);
      expect(state(p), what).toEqual(state(q));
      expect(patchq(p, ['files']).stdout, what).toBe(quilt(q, ['files']).stdout);
    }
    // -R of a creation whose file is not there: skipped alike, no backup.
    const fresh = builtOnce(() => {
      const d = tempDir();
      write(d, 'a.txt', 'a\n');
      expect(quilt(d, ['new', 'top.patch']).code).toBe(0);
      return d;
    });
    const [q, p] = [fresh(), fresh()];
    const create = '--- /dev/null\n+++ b/brand.txt\n@@ -0,0 +1,2 @@\n+n1\n+n2\n';
    expect([qfold(q, create, '-R'), patchq(p, ['fold', '-f', '-R'], {}, create).code]).toEqual([0, 0]);
    expect(state(p)).toEqual(state(q));
    expect(existsSync(join(p, '.pc/top.patch/brand.txt'))).toBe(false);
  });

  it("refresh -z forks what changed since the last refresh into a new patch (quilt's refresh-z.test); popping goes back step by step", () => {
    const [q, p] = twins((d) => write(d, 'patches/.keep', ''));
    const env = { QUILT_REFRESH_ARGS: '--no-timestamps' };
    const both = sameAsQuilt(q, p, env);
    both(['new', 'test.diff']);
    both(['add', 'foo']);
    for (const d of [q, p]) write(d, 'foo', 'foo\n');
    both(['refresh']);
    both(['refresh', '-z']);
    for (const d of [q, p]) write(d, 'foo', 'foo\nbar\n');
    both(['refresh', '-z']);
    for (const d of [q, p]) write(d, 'foo', 'foo\nbar\nbaz\n');
    both(['refresh', '-zbaz.diff']);
    both(['refresh', '-zbaz.diff']);
    both(['series']);
    both(['applied']);
    const patchOf = (d: string, n: string) => read(d, `patches/${n}`).split(basename(d)).join('TREE');
    for (const n of ['test-2.diff', 'baz.diff']) expect(patchOf(p, n)).toBe(patchOf(q, n));
    for (const text of ['foo\nbar\n', 'foo\n']) {
      both(['pop']);
      expect(read(p, 'foo')).toBe(text);
    }
    both(['pop']);
    both(['push', '-a']);
    expect(read(p, 'foo')).toBe('foo\nbar\nbaz\n');
  });

  it("diff -c, diff -C1 and refresh -c write diff -c's format as quilt does; the patch pushes back (formats.test, comments.test)", () => {
    const [q, p] = twins((d) => write(d, 'test.txt', '1\n2\nold\n4\n5\n'));
    const env = { QUILT_DIFF_ARGS: '--no-timestamps', QUILT_REFRESH_ARGS: '--no-timestamps' };
    const tree = (d: string, r: Run) => [r.code, (r.stdout + r.stderr).split(basename(d)).join('TREE')];
    const both = (args: string[]) => expect(tree(p, patchq(p, args, env)), args.join(' ')).toEqual(tree(q, quilt(q, args, env)));
    both(['new', 'test.diff']);
    both(['add', 'test.txt']);
    for (const d of [q, p]) write(d, 'test.txt', '1\n2\nnew\n4\n5\n');
    for (const args of [['diff', '-c'], ['diff', '-C1'], ['refresh', '-c']]) both(args);
    const patchOf = (d: string) => read(d, 'patches/test.diff').split(basename(d)).join('TREE');
    expect(patchOf(p)).toBe(patchOf(q));
    expect(patchOf(p)).toContain('***************\n*** 1,5 ****\n');
    for (const args of [['pop'], ['push'], ['refresh']]) both(args);
    expect(patchOf(p)).toBe(patchOf(q));
  });

  it("annotate numbers each line with the patch that put it there, up to -P (quilt's annotate.test)", () => {
    const [q, p] = twins((d) => write(d, 'foo', 'foo\nbar\nbaz\n'));
    const both = sameAsQuilt(q, p);
    const step = (name: string, files: string[], edit: (d: string) => void) => {
      both(['new', name]);
      both(['add', ...files]);
      for (const d of [q, p]) edit(d);
      both(['refresh']);
    };
    step('patch', ['foo'], (d) => write(d, 'foo', 'foo\nBar\nBaz\n'));
    both(['annotate', 'foo']);
    step('patch2', ['foo'], (d) => write(d, 'foo', 'foo\nBar\nbaz\n'));
    both(['annotate', 'foo']);
    step('patch3', ['foo'], (d) => write(d, 'foo', 'foo\nbaz\n'));
    for (const args of [['annotate', 'foo'], ['annotate', '-P', 'patch3', 'foo'], ['annotate', '-P', 'patch2', 'foo'], ['annotate', '-P', 'patch', 'foo']]) both(args);
    for (const d of [q, p]) write(d, 'jkl', 'abc\ndef\n');
    step('patch4', ['jkl', 'wrz'], (d) => {
      rmSync(join(d, 'jkl'));
      write(d, 'wrz', 'one\ntwo\n');
    });
    for (const args of [['annotate', 'jkl'], ['annotate', 'wrz'], ['annotate', 'foo']]) both(args);
  });

  it('push -q and pop -q of a real patch print the same lines', () => {
    const [q, p] = twins((d) => {
      write(d, 'a.txt', 'one\n');
      write(d, 'patches/series', 'x.diff\n');
      write(d, 'patches/x.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
    });
    for (const args of [['push', '-q'], ['pop', '-q'], ['push'], ['pop']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
  });

  it('a hunk adding to an empty old side creates the missing file, as GNU patch does', () => {
    const [q, p] = twins((d) => {
      write(d, 'patches/series', 'c.diff\n');
      write(d, 'patches/c.diff', '--- a/new.txt\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n');
    });
    for (const args of [['push'], ['pop'], ['push']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    expect(read(p, 'new.txt')).toBe('one\ntwo\n');
    expect(read(p, 'new.txt')).toBe(read(q, 'new.txt'));
  });

  it('refresh -p0 of a deleted file writes what quilt writes and records -p0 in series', () => {
    const [q, p] = twins((d) => write(d, 'file', 'file\n'));
    const steps: string[][] = [['new', 'remove.diff'], ['add', 'file']];
    for (const args of steps) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) rmSync(join(d, 'file'));
    const noTs = { QUILT_NO_DIFF_TIMESTAMPS: '1' };
    expect(out(patchq(p, ['refresh', '-p0'], noTs))).toEqual(out(quilt(q, ['refresh', '-p0'], noTs)));
    expect(read(p, 'patches/series')).toBe('remove.diff -p0\n');
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
    expect(read(p, 'patches/remove.diff')).toBe(read(q, 'patches/remove.diff'));
    for (const args of [['pop', '-q'], ['push', '-q']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
  });

  it('a hunk that matches nowhere fails in GNU patch\'s words, with and without -f', () => {
    const [q, p] = twins((d) => {
      write(d, 'f', 'something else\n');
      write(d, 'patches/series', 'p.diff\n');
      write(d, 'patches/p.diff', '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-reject\n+new\n');
    });
    for (const args of [['push'], ['push', '-f']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    expect(read(p, 'f.rej')).toBe(read(q, 'f.rej'));
  });

  it('fork keeps the old patch file and goes on under the new name, as quilt fork', () => {
    const [q, p] = twins((d) => {
      write(d, 'f', 'a\n');
      write(d, 'patches/series', 'x.diff\n');
      write(d, 'patches/x.diff', '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n');
    });
    for (const args of [['push'], ['fork'], ['series'], ['fork', 'y.diff'], ['series'], ['applied'], ['pop']]) {
      expect(out(patchq(p, args)), args.join(' ')).toEqual(out(quilt(q, args)));
    }
    for (const n of ['x.diff', 'x-2.diff', 'y.diff']) expect(read(p, `patches/${n}`)).toBe(read(q, `patches/${n}`));
    expect(read(p, 'f')).toBe('a\n');
  });

  it('a file that is not there: GNU patch\'s words (the text leading up to it, "No file to patch"), -q or not, and nothing written for it', () => {
    const patch = [
      'Description line',
      '',
      'Index: q/bar',
      '===================================================================',
      '--- q.orig/bar',
      '+++ q/bar',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      'Index: q/foo',
      '===================================================================',
      '--- q.orig/foo',
      '+++ q/foo',
      '@@ -1 +1 @@',
      '-foo',
      '+bar',
      '',
    ].join('\n');
    for (const first of [false, true]) {
      const [q, p] = twins((d) => {
        write(d, 'patches/series', 'one.patch\n');
        // Missing as the first file of the patch (its description leads up to it) or the second.
        write(d, 'patches/one.patch', first ? patch.replace('Index: q/bar', 'Index: q/gone').replace(/q(\.orig)?\/bar/g, 'q$1/gone') : patch);
        write(d, 'bar', 'a\n');
      });
      for (const args of [['push'], ['push', '-q']]) {
        const r = patchq(p, args);
        expect(out(r), `${args.join(' ')} (missing ${first ? 'first' : 'second'})`).toEqual(out(quilt(q, args)));
        expect(r.stdout).toMatch(/No file to patch\.  Skipping patch\.\n1 out of 1 hunk ignored\n/);
      }
      expect(existsSync(join(p, 'foo.rej')) || existsSync(join(p, 'gone.rej'))).toBe(false);
      expect(read(p, 'bar')).toBe('a\n');
    }
    // Forced: the file that is not there is still skipped (no backup, nothing made); the
    // patch then pops as an empty one, as quilt's does.
    const [fq, fp] = twins((d) => {
      write(d, 'patches/series', 'one.patch\n');
      write(d, 'patches/one.patch', '--- a/foo\n+++ b/foo\n@@ -1 +1 @@\n-foo\n+bar\n');
    });
    quilt(fq, ['push', '-f']);
    expect(patchq(fp, ['push', '-f']).stdout).toMatch(/No file to patch\.  Skipping patch\.\n1 out of 1 hunk ignored\nApplied patch one\.patch \(forced; needs refresh\)\n$/);
    expect(existsSync(join(fp, '.pc/one.patch/foo'))).toBe(false);
    expect(existsSync(join(fp, 'foo')) || existsSync(join(fp, 'foo.rej'))).toBe(false);
    for (const args of [['pop'], ['pop', '-f']]) expect(out(patchq(fp, args)), args.join(' ')).toEqual(out(quilt(fq, args)));
    // fold runs GNU patch under quilt too: the same words; patchq then says why nothing was folded.
    // Pushed by patchq, then copied: the twin for quilt.
    const p = tempDir();
    write(p, 'a', 'a\n');
    write(p, 'patches/series', 'p.diff\n');
    write(p, 'patches/p.diff', '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+A\n');
    expect(patchq(p, ['push', '-q']).code).toBe(0);
    const q = copyTree(p);
    const input = '--- a/nothere\n+++ b/nothere\n@@ -1 +1 @@\n-x\n+y\n';
    const [qr, pr] = [quilt(q, ['fold'], {}, input), patchq(p, ['fold'], {}, input)];
    expect(pr.code).toBe(qr.code);
    expect(pr.stdout + pr.stderr).toBe(qr.stdout + qr.stderr + 'Nothing folded into patch p.diff: the patch does not apply (enforce with -f)\n');
  });

  it('fold with no input does nothing and exits 0, as quilt; a hunk that fails folds nothing and, unlike quilt, leaves no .rej', () => {
    // Pushed by quilt, then copied: the twin for patchq.
    const q = tempDir();
    write(q, 'f.txt', 'a\nb\nc\n');
    write(q, 'g.txt', 'x\ny\n');
    write(q, 'f.txt.rej', 'the user\'s own\n');
    write(q, 'patches/series', 'p.diff\n');
    write(q, 'patches/p.diff', '--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-a\n+A\n');
    expect(quilt(q, ['push', '-q']).code).toBe(0);
    const p = copyTree(q);
    const before = snapshot(p, { withPc: true });
    // `fold < /dev/null`: nothing read, nothing done, exit 0 (a blank line is garbage: 1).
    for (const [input, code] of [['', 0], ['\n', 1]] as const) {
      const [qr, pr] = [quilt(q, ['fold'], {}, input), patchq(p, ['fold'], {}, input)];
      expect([JSON.stringify(input), pr.code, pr.stdout]).toEqual([JSON.stringify(input), qr.code, qr.stdout]);
      expect(pr.code).toBe(code);
      expect(snapshot(p, { withPc: true })).toEqual(before);
    }
    expect(patchq(p, ['fold', '--json'], {}, '')).toMatchObject({ code: 0, stderr: '' });
    // g.txt would change, f.txt's hunk fails: quilt puts g.txt back but leaves f.txt.rej,
    // over the user's own; patchq changes nothing (all-or-nothing without -f).
    const input = '--- a/g.txt\n+++ b/g.txt\n@@ -1 +1 @@\n-x\n+X\n--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n A\n-zz\n+B\n c\n';
    const [qr, pr] = [quilt(q, ['fold'], {}, input), patchq(p, ['fold'], {}, input)];
    expect([qr.code, pr.code]).toEqual([1, 1]);
    expect(qr.stdout).toContain('1 out of 1 hunk FAILED -- saving rejects to file f.txt.rej');
    expect(read(q, 'f.txt.rej')).not.toBe("the user's own\n");
    expect(read(q, 'g.txt')).toBe('x\ny\n');
    expect(pr.stdout).toBe('patching file g.txt\npatching file f.txt\nHunk #1 FAILED at 1.\n1 out of 1 hunk FAILED -- rejects in file f.txt\n');
    expect(pr.stderr).toBe('Nothing folded into patch p.diff: the patch does not apply (enforce with -f)\n');
    expect(snapshot(p, { withPc: true })).toEqual(before);
  });

  it('patch names beyond ASCII are UTF-8 in series and applied-patches, both ways between quilt and patchq', () => {
    // quilt makes it, patchq lists, pops and pushes it.
    const [q, p] = twins((d) => write(d, 'f', 'a\n'));
    for (const args of [['new', 'ünï.patch'], ['add', 'f']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) write(d, 'f', 'b\n');
    expect(out(patchq(p, ['refresh']))).toEqual(out(quilt(q, ['refresh'])));
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
    expect(Buffer.from(read(p, 'patches/series'), 'latin1')).toEqual(Buffer.from('ünï.patch\n', 'utf8'));
    expect(read(p, '.pc/applied-patches')).toBe(read(q, '.pc/applied-patches'));
    for (const args of [['series'], ['applied'], ['top']]) expect(out(patchq(q, args)), args.join(' ')).toEqual(out(quilt(q, args)));
    expect(out(patchq(q, ['pop']))).toEqual(out(quilt(p, ['pop'])));
    expect([read(q, 'f'), read(p, 'f')]).toEqual(['a\n', 'a\n']);
    expect(out(patchq(q, ['push']))).toEqual(out(quilt(p, ['push'])));
    // A rename to another such name keeps the bytes of the rest of the line.
    write(p, 'patches/series', Buffer.from('# ü comment\nünï.patch -p1 # note\n', 'utf8'));
    expect(patchq(p, ['rename', 'ñew.patch']).code).toBe(0);
    expect(Buffer.from(read(p, 'patches/series'), 'latin1').toString('utf8')).toBe('# ü comment\nñew.patch -p1 # note\n');
    expect(out(quilt(p, ['pop']))).toEqual([0, 'Removing patch ñew.patch\nRestoring f\n\nNo patches applied']);
  });

  it('new takes a leading patches/ folder off the name, as quilt new does', () => {
    const [q, p] = twins((d) => write(d, 'f', 'a\n'));
    const both = sameAsQuilt(q, p);
    both(['new', 'patches/p.patch']);
    both(['new', 'patches/sub/q.patch']);
    both(['add', 'f']);
    for (const d of [q, p]) write(d, 'f', 'b\n');
    both(['refresh']);
    for (const f of ['patches/series', '.pc/applied-patches']) expect(read(p, f), f).toBe(read(q, f));
    expect(existsSync(join(p, 'patches/sub/q.patch'))).toBe(true);
    both(['pop', '-a']);
    // The folder is the one the tree uses (QUILT_PATCHES).
    const [q2, p2] = twins(() => {});
    const mine = sameAsQuilt(q2, p2, { QUILT_PATCHES: 'mine' });
    mine(['new', 'mine/x.patch']);
    mine(['series']);
    expect(read(p2, 'mine/series')).toBe(read(q2, 'mine/series'));
  });

  it('new -p takes 0 or 1 (or ab) as quilt new does; another level is refused, nothing written', () => {
    const [q, p] = twins((d) => write(d, 'f', 'a\n'));
    const both = sameAsQuilt(q, p);
    const before = snapshot(p, { withPc: true });
    // A -p2 patch could not be refreshed (no folder for the second level): quilt refuses it here.
    for (const level of ['2', '10', 'x', '1x']) both(['new', '-p', level, 'p.patch']);
    expect(snapshot(p, { withPc: true })).toEqual(before);
    both(['new', '-p', '0', 'p0.patch']);
    both(['new', '-p', '1', 'p1.patch']);
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
  });

  it('new -p ab writes -pab into the series as quilt new does; the first refresh, by either tool, writes a/ b/ labels and drops it', () => {
    const noTs = { QUILT_NO_DIFF_TIMESTAMPS: '1' };
    const [q, p] = twins((d) => write(d, 'f', 'a\n'));
    const both = sameAsQuilt(q, p, noTs);
    both(['new', '-p', 'ab', 'x.patch']);
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
    both(['add', 'f']);
    for (const d of [q, p]) write(d, 'f', 'b\n');
    both(['refresh']);
    for (const f of ['patches/series', 'patches/x.patch']) expect(read(p, f), f).toBe(read(q, f));
    expect(read(p, 'patches/x.patch')).toMatch(/^--- a\/f$/m);
    // The other tool's refresh after each one's new: the series ends as quilt's, and quilt pushes the patch back.
    for (const [make, fresh] of [[patchq, quilt], [quilt, patchq]] as const) {
      const d = tempDir();
      write(d, 'f', 'a\n');
      expect(make(d, ['new', '-p', 'ab', 'y.patch']).code).toBe(0);
      expect(make(d, ['add', 'f']).code).toBe(0);
      write(d, 'f', 'b\n');
      expect(fresh(d, ['refresh'], noTs).code).toBe(0);
      expect(read(d, 'patches/series')).toBe('y.patch\n');
      expect(read(d, 'patches/y.patch')).toBe(read(p, 'patches/x.patch'));
      expect(quilt(d, ['pop']).code).toBe(0);
      expect(quilt(d, ['push']).code).toBe(0);
      expect(read(d, 'f')).toBe('b\n');
    }
  });

  it('refresh -p 2 and up is refused as quilt refuses it, nothing written', () => {
    const [q, p] = twins((d) => write(d, 'f', 'a\n'));
    const both = sameAsQuilt(q, p);
    both(['new', 'p.patch']);
    both(['add', 'f']);
    for (const d of [q, p]) write(d, 'f', 'b\n');
    const before = snapshot(p, { withPc: true });
    both(['refresh', '-p', '3']);
    both(['refresh', '-p2']);
    expect(existsSync(join(p, 'patches/p.patch'))).toBe(false);
    expect(snapshot(p, { withPc: true })).toEqual(before);
    // pop --refresh reads refresh's options from QUILT_REFRESH_ARGS: the same refusal, before anything.
    const r = patchq(p, ['pop', '--refresh'], { QUILT_REFRESH_ARGS: '-p 2' });
    expect([r.code, r.stderr]).toEqual([1, 'Cannot refresh patches with -p2, please specify -p0, -p1, or -pab instead\n']);
    expect(snapshot(p, { withPc: true })).toEqual(before); // still applied, f as it was
  });

  it('refresh of a patch the series strips at -p2 (import -p2) is refused as quilt refuses it; refresh -p1 then writes a -p1 patch', () => {
    const [q, p] = twins((d) => {
      write(d, 'f', 'a\n');
      write(d, 'in.diff', '--- x/old/f\n+++ y/new/f\n@@ -1 +1 @@\n-a\n+b\n');
    });
    const both = sameAsQuilt(q, p, { QUILT_NO_DIFF_TIMESTAMPS: '1' });
    both(['import', '-p2', 'in.diff']);
    both(['push']);
    for (const d of [q, p]) write(d, 'f', 'c\n');
    const patch = read(p, 'patches/in.diff');
    both(['refresh']);
    // Nothing written: the patch still strips at -p2 and pops.
    expect(read(p, 'patches/in.diff')).toBe(patch);
    expect(read(p, 'patches/series')).toBe('in.diff -p2\n');
    both(['refresh', '-p1']);
    expect(read(p, 'patches/series')).toBe(read(q, 'patches/series'));
    const norm = (d: string) => read(d, 'patches/in.diff').split(basename(d)).join('TREE');
    expect(norm(p)).toBe(norm(q));
    both(['pop']);
    both(['push']);
    expect(read(p, 'f')).toBe('c\n');
  });

  it('refresh warns about added lines that end in whitespace, as quilt does', () => {
    const [q, p] = twins((d) => write(d, 'a', 'a\nb\nc\n'));
    for (const args of [['new', 'test.diff'], ['add', 'a']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) write(d, 'a', 'a \nb\nc \n');
    for (const args of [['refresh'], ['refresh', '-U0'], ['refresh', '-c'], ['refresh', '-C0']]) {
      const r = patchq(p, args);
      expect(r.stderr, args.join(' ')).toBe('Warning: trailing whitespace in lines 1,3 of a\n');
      expect(out(r)).toEqual(out(quilt(q, args)));
    }
  });

  it('refresh --strip-trailing-whitespace drops it from the working files and the patch, as quilt does', () => {
    const [q, p] = twins((d) => {
      write(d, 'a', 'a\nb\nc\n');
      write(d, 'z', 'z\n');
    });
    for (const args of [['new', 'test.diff'], ['add', 'a', 'z']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const format of [[], ['-c']]) {
      for (const d of [q, p]) {
        write(d, 'a', 'A \nb\nC\t \n');
        write(d, 'z', 'Z \n');
      }
      const args = ['refresh', '-p', 'ab', '--no-timestamps', ...format, '--strip-trailing-whitespace'];
      const r = patchq(p, args);
      expect(r.stderr, args.join(' ')).toBe('Removing trailing whitespace from lines 1,3 of a\nRemoving trailing whitespace from line 1 of z\n');
      expect(out(r)).toEqual(out(quilt(q, args)));
      expect(read(p, 'patches/test.diff')).toBe(read(q, 'patches/test.diff'));
      expect(read(p, 'patches/test.diff')).not.toMatch(/[ \t]\n/);
      for (const f of ['a', 'z']) expect(read(p, f)).toBe(read(q, f));
      expect(read(p, 'a')).toBe('A\nb\nC\n');
    }
    // The stack stays consistent: pop restores the originals, push gives the stripped files.
    expect(out(patchq(p, ['pop', '-q']))).toEqual(out(quilt(q, ['pop', '-q'])));
    expect(read(p, 'a')).toBe('a\nb\nc\n');
    patchq(p, ['push']);
    expect(read(p, 'a')).toBe('A\nb\nC\n');
  });

  it('refresh --strip-trailing-whitespace is refused for a file a later patch shadows, with nothing changed', () => {
    const p = tempDir();
    write(p, 'a', 'a\n');
    for (const args of [['new', '1.diff'], ['add', 'a']]) patchq(p, args);
    write(p, 'a', 'b \n');
    for (const args of [['new', '2.diff'], ['add', 'a']]) patchq(p, args);
    write(p, 'a', 'c\n');
    const before = snapshot(p, { withPc: true });
    const r = patchq(p, ['refresh', '-f', '--strip-trailing-whitespace', '1.diff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot use --strip-trailing-whitespace on a patch that has shadowed files \(a\); nothing was changed/);
    expect(read(p, '.pc/2.diff/a')).toBe('b \n');
    expect(snapshot(p, { withPc: true })).toEqual(before); // 1.diff not written, its backups as they were
    // With -z (a fork of the top patch) it is a usage error: exit 1, nothing written.
    write(p, 'a', 'd \n');
    const beforeZ = snapshot(p, { withPc: true });
    const z = patchq(p, ['refresh', '-z', '--strip-trailing-whitespace']);
    expect([z.code, z.stderr.trim()]).toEqual([1, 'refresh: --strip-trailing-whitespace cannot be used with -z']);
    expect(snapshot(p, { withPc: true })).toEqual(beforeZ);
  });

  it('pop --refresh refreshes each patch before removing it; -f with it is refused', () => {
    const [q, p] = twins((d) => {
      write(d, 'a', 'a\n');
      write(d, 'b', 'b\n');
    });
    const steps = [['new', 'a.patch'], ['add', 'a'], ['new', 'b.patch'], ['add', 'b']];
    for (const args of steps) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) {
      write(d, 'a', 'A\n');
      write(d, 'b', 'B\n');
    }
    for (const args of [['pop', '-fa', '--refresh'], ['pop', '-a', '--refresh'], ['push', '-a']]) {
      expect(out(patchq(p, args)), args.join(' ')).toEqual(out(quilt(q, args)));
    }
    // Same patch but for the tree's folder name in the labels, and the timestamps.
    const norm = (d: string) => read(d, 'patches/b.patch').replace(/\t.*$/gm, '').split(basename(d)).join('TREE');
    expect(norm(p)).toBe(norm(q));
  });

  it('refresh --sort writes files in name order, as quilt', () => {
    const [q, p] = twins((d) => {
      write(d, 'b', 'b\n');
      write(d, 'a', 'a\n');
    });
    for (const args of [['new', 's.diff'], ['add', 'b', 'a']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) for (const f of ['a', 'b']) write(d, f, `${f}${f}\n`);
    const noTs = { QUILT_NO_DIFF_TIMESTAMPS: '1' };
    const order = (d: string) => [...read(d, 'patches/s.diff').matchAll(/^Index: \S+\/(\S+)$/gm)].map((m) => m[1]);
    for (const args of [['refresh'], ['refresh', '--sort']]) {
      expect(out(patchq(p, args, noTs))).toEqual(out(quilt(q, args, noTs)));
      expect(order(p)).toEqual(order(q));
    }
    expect(order(p)).toEqual(['a', 'b']);
  });

  it('push -q of a failing patch prints only the count, as quilt (patch -s)', () => {
    const [q, p] = twins((d) => {
      write(d, 'f', 'something else\n');
      write(d, 'patches/series', 'p.diff\n');
      write(d, 'patches/p.diff', '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-reject\n+new\n');
    });
    expect(out(patchq(p, ['push', '-q']))).toEqual(out(quilt(q, ['push', '-q'])));
  });

  it('a lower patch refreshed with -f under a later one that shares a file still pops cleanly', () => {
    const [q, p] = twins((d) => write(d, 'f', 'one\n'));
    const steps = [['new', '1.diff'], ['add', 'f']];
    for (const args of steps) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) write(d, 'f', 'two\n');
    for (const args of [['refresh'], ['new', '2.diff'], ['add', 'f']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    for (const d of [q, p]) write(d, 'f', 'three\n');
    const noTs = { QUILT_NO_DIFF_TIMESTAMPS: '1' };
    for (const args of [['refresh'], ['refresh', '-f', '1.diff'], ['pop', '-a']]) {
      expect(out(patchq(p, args, noTs)), args.join(' ')).toEqual(out(quilt(q, args, noTs)));
    }
    expect(read(p, 'f')).toBe('one\n');
  });
});

describe("refresh with quilt's QUILT_DIFF_OPTS", () => {
  it('-p / --show-c-function: the function line in each @@ header, as quilt refresh writes it (Debian quiltrc sets it)', () => {
    const body = 'def foo():\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    e = 5\n    f = 6\n    g = 7\n    return a\n';
    for (const opts of ['-p', '--show-c-function']) {
      const [q, p] = twins((d) => write(d, 'f.py', body));
      const env = { QUILT_DIFF_OPTS: opts, QUILT_NO_DIFF_TIMESTAMPS: '1' };
      for (const [d, tool] of [[q, quilt], [p, patchq]] as const) {
        for (const args of [['new', 'x.patch'], ['add', 'f.py']]) expect(tool(d, args, env).code).toBe(0);
        write(d, 'f.py', body.replace('g = 7', 'g = 77'));
        expect(tool(d, ['refresh'], env).code).toBe(0);
      }
      const text = (d: string) => read(d, 'patches/x.patch').replaceAll(basename(d), 'DIR');
      expect(text(q)).toContain('@@ -5,5 +5,5 @@ def foo():\n');
      expect(text(p)).toBe(text(q));
    }
  });
});
