/**
 * `grep` through the built binary, against the real `quilt grep` on the same tree: the same
 * lines in the same order (find's), the same messages from grep, for grep's options as
 * quilt hands them on; and where patchq is deliberately not quilt (FILE relative to where it
 * runs, patches/ and .pc/ left out however they are spelled, exit 1 on a grep error).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stripDotSlash } from '../../src/commands/grep.js';
import { CLI, patchq, quilt, tempDir, write } from '../helpers/tree.js';

/**
 * A tree made with the real quilt: text in several folders, a hidden folder, a file with a
 * NUL byte, one in Latin-1, a symbolic link, a file named with a dash; a patch (so
 * patches/ and .pc/ hold the word too).
 */
function quiltTree(): string {
  const d = tempDir('patchq-grep-');
  write(d, 'a.txt', 'hello two\none\n');
  write(d, 'd/b.txt', 'two again\n-x marks\n');
  write(d, 'd/sub/c', 'two\nTWO\nthree\n');
  write(d, 'd/sub/deeper/e.c', 'int two = 2;\n');
  write(d, '.hidden/h', 'two hidden\n');
  write(d, 'bin.dat', Buffer.from('two\0binary\n'));
  write(d, 'latin.txt', 'caf\xe9 two\n');
  write(d, '-dash', 'two dashed\n');
  symlinkSync('a.txt', join(d, 'link.txt'));
  mkdirSync(join(d, 'patches'));
  const q = (...a: string[]) => expect(quilt(d, a).code, a.join(' ')).toBe(0);
  q('new', 'p.patch');
  q('add', 'a.txt');
  write(d, 'a.txt', 'hello two\none\ntwo three\n');
  q('refresh');
  return d;
}

let d = '';
beforeAll(() => {
  d = quiltTree();
});

/** patchq's and quilt's `grep ARGS` from `cwd`: same stdout, stderr and (unless told) exit code. */
function same(cwd: string, args: string[], opts: { codes?: [number, number]; env?: NodeJS.ProcessEnv } = {}) {
  const p = patchq(cwd, ['grep', ...args], opts.env);
  const q = quilt(cwd, ['grep', ...args], opts.env);
  expect({ stdout: p.stdout, stderr: p.stderr }, args.join(' ')).toEqual({ stdout: q.stdout, stderr: q.stderr });
  expect([p.code, q.code], args.join(' ')).toEqual(opts.codes ?? [0, 0]);
  return p;
}

describe('grep, against quilt grep', () => {
  it('searches every regular file of the tree but patches/ and .pc/, named from the root, as quilt', () => {
    const r = same(d, ['two']);
    const names = [...new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]))].sort();
    expect(names).toEqual(['-dash', '.hidden/h', 'a.txt', 'd/b.txt', 'd/sub/c', 'd/sub/deeper/e.c', 'latin.txt']);
    expect(r.stdout).toContain('a.txt:two three\n');
    expect(r.stderr).toBe('grep: ./bin.dat: binary file matches\n');
    expect(r.stdout).not.toMatch(/^(patches|\.pc|link\.txt)/m);
  });

  it("hands grep's options on as quilt does", () => {
    const sets = [
      ['-n', 'two'], ['-c', 'two'], ['-l', 'two'], ['-L', 'two'], ['-i', 'TWO', 'd'], ['-w', '-o', 'tw.'],
      ['-e', 'two', '-e', 'one'], ['-E', 'tw(o|ice)'], ['-F', '.'], ['-v', '-c', 'two'], ['-A', '1', 'hello'], ['-B1', 'three'],
      ['--context=1', 'one'], ['-m', '1', 'two'], ['--include=*.txt', 'two'], ['--exclude', '*.txt', 'two'], ['-Z', '-l', 'two'],
      ['-a', 'binary'], ['-I', 'two'], ['-b', 'again'], ['--ignore-case', '--line-number', 'two', 'd'], ['-x', 'two'],
      ['two', '-n'], ['--binary-files=text', 'binary'], ['-s', 'two'], ['--null', '-c', 'two'],
    ];
    for (const args of sets) same(d, args);
  });

  it("takes grep's -h after --, and a pattern that starts with a dash after a second --", () => {
    const h = same(d, ['--', '-h', 'two']);
    expect(h.stdout).toContain('\ntwo again\n');
    expect(h.stdout).not.toContain('d/b.txt');
    same(d, ['--', '-h', '-n', 'two', 'd']);
    same(d, ['--no-filename', 'two']);
    const x = same(d, ['--', '--', '-x']);
    expect(x.stdout).toBe('d/b.txt:-x marks\n');
    same(d, ['-e', '-x']);
  });

  it('from a subdirectory without FILE: the whole tree, named from the root (two.test)', () => {
    const r = same(join(d, 'd'), ['--', 'two']);
    expect(r.stdout).toContain('d/b.txt:two again\n');
    expect(r.stdout).toContain('a.txt:hello two\n');
  });

  it('with FILE: as typed, found as find finds them (a link is not followed, a folder is searched)', () => {
    same(d, ['two', 'a.txt', 'd/sub', 'link.txt']);
    same(d, ['two', './d/']);
    same(d, ['-c', 'two', '.']);
    // More names than one command line holds (~2.6 MB of them): grep is run on as many as fit
    // (quilt: xargs); the output is the same.
    const many = tempDir('patchq-grep-many-');
    mkdirSync(join(many, 'patches'));
    const long = 'x'.repeat(90);
    for (let i = 0; i < 12000; i++) write(many, `${long}-${i % 7}/${long}-${i}.txt`, `line ${i}\n`);
    // (Few lines out: the helper keeps 1 MiB of output.)
    const r = same(many, ['line 1[0-9][0-9]7$']);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(100);
  }, 120_000);

  it('is quilt grep where there is no tree: the folder it runs in', () => {
    const bare = tempDir('patchq-grep-bare-');
    write(bare, 'x/y.txt', 'two\n');
    const r = same(bare, ['two']);
    expect(r.stdout).toBe('x/y.txt:two\n');
  });

  it('runs in the POSIX locale as under quilt, and takes QUILT_GREP_ARGS first', () => {
    for (const env of [{ LANG: 'C.UTF-8' }, { LANG: 'C.UTF-8', LC_CTYPE: 'C.UTF-8' }]) same(d, ['two', 'latin.txt'], { env });
    const r = same(d, ['two', 'a.txt'], { env: { QUILT_GREP_ARGS: '-n' } });
    expect(r.stdout).toBe('a.txt:1:hello two\na.txt:3:two three\n');
  });

  it('exits 0 when nothing matches, as quilt', () => {
    expect(same(d, ['nothing-matches-this'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('grep, patchq only', () => {
  it('FILE is relative to where patchq runs (quilt reads it from the root)', () => {
    const r = patchq(join(d, 'd'), ['grep', 'two', 'b.txt', 'sub']);
    expect(r).toMatchObject({ code: 0, stdout: 'b.txt:two again\nsub/c:two\nsub/deeper/e.c:int two = 2;\n', stderr: '' });
  });

  it("hands --color=WHEN on as one word, and a FILE that starts with a dash as a file (quilt's getopt and find do neither)", () => {
    const c = patchq(d, ['grep', '--color=always', 'two', 'a.txt']);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('\x1b[01;31m\x1b[Ktwo\x1b[m');
    expect(patchq(d, ['grep', '--colour=never', 'two', 'a.txt']).stdout).toBe('a.txt:hello two\na.txt:two three\n');
    expect(quilt(d, ['grep', '--color=never', 'two', 'a.txt']).stderr).toBe('grep: two: No such file or directory\n');
    expect(patchq(d, ['grep', 'two', '--', '-dash'])).toMatchObject({ code: 0, stdout: '-dash:two dashed\n' });
    expect(quilt(d, ['grep', 'two', '--', '-dash']).stderr).toContain('unknown predicate');
  });

  it('leaves patches/ and .pc/ out however they are named', () => {
    for (const where of [['patches'], ['./patches'], ['patches/p.patch'], ['.pc'], ['.pc/p.patch/a.txt'], ['d/../patches']]) {
      expect(patchq(d, ['grep', 'two', ...where]), where.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
    // quilt's find -path test misses the first spelling.
    expect(quilt(d, ['grep', 'two', 'patches']).stdout).toContain('patches/p.patch');
  });

  it("exits 1 when grep reports an error (quilt: 0), with grep's message", () => {
    expect(patchq(d, ['grep', 'two', 'missing.txt'])).toMatchObject({ code: 1, stderr: 'grep: missing.txt: No such file or directory\n' });
    const bad = patchq(d, ['grep', '[']);
    expect(bad.code).toBe(1);
    const q = quilt(d, ['grep', '[']);
    expect(bad.stderr).toBe(q.stderr);
    expect(q.code).toBe(0);
  });

  it('-h is the help; no pattern and unknown options are usage errors (exit 1)', () => {
    const help = patchq(d, ['grep', '-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: patchq grep [options] PATTERN [FILE...]');
    expect(help.stdout).toContain('-e, --regexp PATTERN');
    expect(patchq(d, ['grep'])).toMatchObject({ code: 1, stderr: '', stdout: 'Usage: patchq grep [options] PATTERN [FILE...] (see patchq grep --help)\n' });
    expect(patchq(d, ['grep', '-y', 'two']).code).toBe(1);
    expect(patchq(d, ['grep', '--', '-5', 'two'])).toMatchObject({ code: 1, stderr: "grep: unknown option '-5' (see 'patchq grep --help')\n" });
    expect(patchq(d, ['grep', '--', '--', '-5']).code).toBe(0);
  });

  it('stops when its reader goes away, without an error', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" grep two | head -1; exit 0`], { cwd: d, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('grep: ./bin.dat: binary file matches\n'.repeat(r.stderr === '' ? 0 : 1));
  });

  it("takes off the `./` quilt's sed takes off, wherever grep's output is cut", () => {
    const text = Buffer.from('./a:./x\n./b.c-y\nz\n.\n./\n.x\n');
    const want = 'a:./x\nb.c-y\nz\n.\n\n.x\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const out: Buffer[] = [];
      let [part, held, start] = stripDotSlash(text.subarray(0, cut), true);
      out.push(part);
      [part, held, start] = stripDotSlash(Buffer.concat([held, text.subarray(cut)]), start);
      out.push(part, held);
      expect(Buffer.concat(out).toString(), `cut at ${cut}`).toBe(want);
      expect(start).toBe(true);
    }
  });
});
