/**
 * The bad-input audit's cases that refusals.test.ts, hostile.test.ts and odd-files.test.ts
 * did not hold, through the built binary (the audit's matrix and what it found: the
 * commit messages of this file). Each bad input is refused in one line naming the file,
 * exit 1, never an internal error, and the whole folder (the tree with .pc and .git, the
 * settings folder, a file beside the tree) is byte for byte as it was: contents, modes,
 * file mtimes. Permission cases run as nobody when the suite runs as root (root reads
 * anything). Valid input with odd bytes works byte for byte, as quilt's.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, git, patchq, tempDir, write } from '../helpers/tree.js';
import { ok, snapshot } from './helpers.js';

const P1 = '--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n';
const P2 = '--- a/g.txt\n+++ b/g.txt\n@@ -1,2 +1,2 @@\n x\n-y\n+Y\n';
const TEMPLATE = readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'sqlalchemy-staticpool.yaml'), 'latin1');

type Base = 'applied' | 'git';
interface Case {
  title: string;
  base: Base;
  args: string[];
  /** The case's own starting point: `t` the tree, `dir` the folder around it. */
  setup?: (t: string, dir: string) => void;
  /** What the one line on stderr must say (the file it names). */
  says: RegExp;
  /** Run as another user than root (permissions mean nothing to root). */
  unprivileged?: boolean;
}

const cases: Case[] = [
  // A template file that is a folder: was an internal error (EISDIR on read).
  ...[['template', 'show', 'x'], ['template', 'run', 'x'], ['new', 'z.diff', '--template', 'x']].map((args): Case => ({
    title: 'a template that is a folder',
    base: 'applied',
    args,
    setup: (t) => mkdirSync(join(t, 'patches/templates/x.yaml'), { recursive: true }),
    says: /patches\/templates\/x\.yaml: is a directory, where a file was expected$/,
  })),
  // A template name is a file name in the template folders: '../' took one from anywhere.
  ...[['template', 'show', '../../../evil'], ['template', 'run', '../../../evil'], ['new', 'z.diff', '--template', '../../../evil']].map((args): Case => ({
    title: 'a template name leading out of the template folders',
    base: 'applied',
    args,
    setup: (_t, dir) => write(dir, 'evil.yaml', TEMPLATE.replace('name: sqlalchemy-staticpool', 'name: evil')),
    says: /template name '\.\.\/\.\.\/\.\.\/evil' invalid/,
  })),
  // A file below a folder this user may not search: was taken for a new file ("added", exit 0).
  ...[['add', 'sec/a.txt'], ['edit', 'sec/a.txt']].map((args): Case => ({
    title: 'a file below a folder that cannot be searched',
    base: 'applied',
    args,
    setup: (t) => {
      write(t, 'sec/a.txt', 'a\n');
      chmodSync(join(t, 'sec'), 0);
    },
    says: /sec\/a\.txt: permission denied \(EACCES\)/,
    unprivileged: true,
  })),
  // A path through a regular file can never be a file: was "added" (a folder g.txt/ in .pc),
  // and edit left that folder behind with no message at all.
  ...[['add', 'g.txt/x'], ['edit', 'g.txt/x'], ['add', '-P', 'p1.diff', 'f.txt/deeper/x']].map((args): Case => ({
    title: 'a path through a regular file',
    base: 'applied',
    args,
    says: /refusing path '[fg]\.txt\/[a-z/]*x': [fg]\.txt is not a directory/,
  })),
  // A patch aimed at a folder, found in the middle of a run: the run used to stop with p1.diff
  // pushed and its journal written, and no report.
  ...[['reapply'], ['reapply', '--check']].map((args): Case => ({
    title: 'a patch aimed at a folder, second in the series',
    base: 'git',
    args,
    setup: (t) => {
      write(t, 'patches/p2.diff', '--- a/sub\n+++ b/sub\n@@ -1 +1 @@\n-x\n+y\n');
      git(t, 'commit', '-qam', 'p2 aims at sub');
    },
    says: /patches\/p2\.diff:1: refusing path 'sub': it is a directory, where a file was expected$/,
  })),
  // A patch name with a control character: a newline made the one-line error two (the name
  // was printed raw), and one that is not white space was taken, into a series line every
  // command then refused ("refusing patch 'a?b.diff': it contains a control character").
  ...[['new'], ['rename'], ['import', '-P']].flatMap((cmd) =>
    [
      ['a\nb.diff', /^Patch name 'a\\x0ab\.diff' invalid: cannot contain spaces\.$/],
      ['a\x01b.diff', /^Patch name 'a\\x01b\.diff' invalid: it contains a control character\.$/],
    ].map(([name, says]): Case => ({
      title: `a patch name with a control character (${JSON.stringify(name)})`,
      base: 'applied',
      args: [...cmd, name as string, ...(cmd[0] === 'import' ? ['../in.diff'] : [])],
      setup: (_t, dir) => write(dir, 'in.diff', P1),
      says: says as RegExp,
    })),
  ),
];

const bases = {} as Record<Base, string>;
beforeAll(() => {
  const root = tempDir('patchq-bad-input-');
  for (const base of ['applied', 'git'] as const) {
    const t = join(root, base, 't');
    write(t, 'f.txt', 'a\nb\nc\n');
    write(t, 'g.txt', 'x\ny\n');
    write(t, 'sub/x', 'x\n');
    write(t, 'patches/p1.diff', P1);
    write(t, 'patches/p2.diff', P2);
    write(t, 'patches/series', 'p1.diff\np2.diff\n');
    if (base === 'applied') ok(t, ['push']);
    else {
      git(t, 'init', '-q', '-b', 'main');
      git(t, 'add', '-A');
      git(t, 'commit', '-qm', 'v1');
    }
    bases[base] = join(root, base);
  }
});

function chownTree(p: string, id: number): void {
  chownSync(p, id, id);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), id);
}

describe('bad input: one line naming the file, exit 1, nothing changed', () => {
  it.for(cases.map((c) => [`${c.title}: patchq ${c.args.map((a) => (/[\x00-\x1f]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`, c] as const))('%s', ([, c], ctx) => {
    const dir = tempDir('patchq-bad-input-case-');
    cpSync(bases[c.base], dir, { recursive: true, preserveTimestamps: true });
    mkdirSync(join(dir, 'cfg'));
    write(dir, 'outside.txt', 'outside\n');
    const t = join(dir, 't');
    c.setup?.(t, dir);
    const env = { PATCHQ_CONFIG_DIR: join(dir, 'cfg'), EDITOR: 'true', HOME: dir };
    let run: () => { code: number; stdout: string; stderr: string };
    if (c.unprivileged && process.getuid?.() === 0) {
      const cache = tempDir('patchq-bad-input-cache-');
      for (const p of [dir, cache]) chownTree(p, 65534);
      const as = (args: string[]) => {
        const r = spawnSync(process.execPath, [CLI, ...args], { cwd: t, env: { PATH: process.env.PATH, LANG: 'C', NO_COLOR: '1', QUILTRC: '-', PATCHQ_CACHE_DIR: cache, ...env }, encoding: 'utf8', uid: 65534, gid: 65534 });
        return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      };
      // nobody may not reach the built binary (a checkout in a private home): nothing to check.
      if (as(['--version']).code !== 0) return ctx.skip();
      run = () => as(c.args);
    } else run = () => patchq(t, c.args, env);
    const before = snapshot(dir, { exact: true });
    const r = run();
    expect(snapshot(dir, { exact: true }), `${r.code} ${r.stderr}${r.stdout}`).toEqual(before);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).not.toMatch(/internal error/);
    expect(lines[0]).toMatch(c.says);
  });
});

describe('odd bytes in a valid patch header', () => {
  it("header prints the description's bytes as quilt's header does (a Latin-1 byte was printed as U+FFFD)", () => {
    const headers = ['Author: J\xfcrgen M\xfcller\n\nFix \xe9\xe8.\n', 'Desc\r\nwith CRLF\r\n\r\n', 'Author: J\xc3\xbcrgen (UTF-8)\n', 'no newline at the end'];
    for (const h of headers) {
      const [q, p] = [tempDir(), tempDir()];
      for (const d of [q, p]) {
        write(d, 'g.txt', 'x\ny\n');
        write(d, 'patches/p.diff', h.endsWith('\n') ? h + P2 : h);
        write(d, 'patches/series', 'p.diff\n');
      }
      const raw = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'latin1', env: { ...process.env, LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(cwd, '.cfg') } });
      const rq = raw('quilt', ['--quiltrc=-', 'header', 'p.diff'], q);
      const rp = raw(process.execPath, [CLI, 'header', 'p.diff'], p);
      expect([rp.status, rp.stderr, rp.stdout], JSON.stringify(h)).toEqual([rq.status, rq.stderr, rq.stdout]);
      expect(rp.stdout.startsWith(h.split('\n\n')[0]!.replace(/\r?\n$/, '')), JSON.stringify(rp.stdout)).toBe(true);
    }
  });
});

describe('a CRLF series (quilt refuses it; patchq reads it) stays CRLF', () => {
  it('new, import, fork and refresh -p0 write their lines with CRLF, and a final line without one gets CRLF (they wrote LF, a mixed file)', () => {
    const d = tempDir();
    write(d, 'f.txt', 'a\nb\nc\n');
    write(d, 'g.txt', 'x\ny\n');
    write(d, 'patches/p1.diff', P1);
    write(d, 'patches/p2.diff', P2);
    write(d, 'patches/series', 'p1.diff\r\n# a comment\r\np2.diff -R # applied reversed\r\n');
    ok(d, ['push']);
    const series = () => readFileSync(join(d, 'patches/series'), 'latin1');
    ok(d, ['new', 'n.diff']);
    expect(series()).toBe('p1.diff\r\nn.diff\r\n# a comment\r\np2.diff -R # applied reversed\r\n');
    write(d, 'in.diff', '--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-a\n+A\n');
    ok(d, ['import', 'in.diff']);
    expect(series()).toBe('p1.diff\r\nn.diff\r\nin.diff\r\n# a comment\r\np2.diff -R # applied reversed\r\n');
    ok(d, ['fork', 'n2.diff']);
    expect(series()).toBe('p1.diff\r\nn2.diff\r\nin.diff\r\n# a comment\r\np2.diff -R # applied reversed\r\n');
    // refresh -p0 of a reversed patch: its line gets -p0 and loses -R, its CR kept.
    ok(d, ['pop', '-a', '-f']);
    write(d, 'patches/series', 'p1.diff\r\np2.diff -R\r\n');
    write(d, 'g.txt', 'x\nY\n');
    ok(d, ['push', '-a']);
    expect(readFileSync(join(d, 'g.txt'), 'latin1')).toBe('x\ny\n');
    ok(d, ['refresh', '-p0']);
    expect(series()).toBe('p1.diff\r\np2.diff -p0\r\n');
    // No final newline: the line added after it ends with CRLF as the others.
    write(d, 'patches/series', 'p1.diff\r\np2.diff -p0');
    ok(d, ['new', 'last.diff']);
    expect(series()).toBe('p1.diff\r\np2.diff -p0\r\nlast.diff\r\n');
  });
});
