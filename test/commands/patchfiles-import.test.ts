/**
 * patchq import through the built binary: plain diffs (real `diff -u`), real `git
 * format-patch` files and an mbox from `git format-patch --stdout`, quilt's series
 * placement and -p/-R recording, its refusals (nothing written), -f/-d header merging,
 * and interop: what patchq imports is pushed/popped by real quilt exactly as what
 * `quilt import` writes, and what quilt imports is read by patchq.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtOnce } from '../helpers/prepared.js';
import { CLI, git, numbered, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';

/** A real `diff -u` of `rel` before/after, with labels a/ b/ (or p0 names). */
function unified(dir: string, rel: string, before: string, after: string, p0 = false): string {
  const tmp = tempDir('patchq-diff-');
  write(tmp, 'old', before);
  write(tmp, 'new', after);
  const r = spawnSync('diff', ['-u', '--label', p0 ? `${rel}.orig` : `a/${rel}`, '--label', p0 ? rel : `b/${rel}`, 'old', 'new'], { cwd: tmp, encoding: 'latin1' });
  expect(r.status).toBe(1);
  void dir;
  return r.stdout;
}

/** A git repo with three commits on top of a base: the base commit is tagged `base`. Built once (10 git runs), each test gets a copy. */
const gitHistory = builtOnce((): string => {
  const g = tempDir('patchq-git-');
  git(g, 'init', '-q');
  write(g, 'app.txt', numbered(12));
  git(g, 'add', '.');
  git(g, 'commit', '-q', '-m', 'base');
  git(g, 'tag', 'base');
  write(g, 'app.txt', numbered(12).replace('l2\n', 'L2\n'));
  git(g, 'commit', '-q', '-a', '-m', 'Capitalise line two', '-m', 'Because shouting helps.');
  write(g, 'new/readme.md', 'hello\n');
  git(g, 'add', '.');
  git(g, 'commit', '-q', '-m', 'Add a readme (for the new dir)');
  write(g, 'app.txt', numbered(12).replace('l2\n', 'L2\n').replace('l11\n', 'L11\n'));
  git(g, 'commit', '-q', '-a', '-m', 'Capitalise l11: café');
  return g;
}, 'patchq-git-');

/** A quilt tree holding the base files of gitHistory(). */
function baseTree(): string {
  const d = tempDir();
  write(d, 'app.txt', numbered(12));
  return d;
}

/** chown -R */
function chownTree(p: string, uid: number, gid: number): void {
  chownSync(p, uid, gid);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), uid, gid);
}

const treeFiles = (d: string) => Object.fromEntries(Object.entries(snapshot(d)).filter(([k]) => k !== 'patches' && !k.startsWith('patches/')));

describe('import', () => {
  it('imports a plain diff -u after the top patch, byte for byte, and quilt pushes it', () => {
    const d = baseTree();
    write(d, 'patches/series', '01-a.patch\n02-b.patch\n');
    write(d, 'patches/01-a.patch', unified(d, 'app.txt', numbered(12), numbered(12).replace('l1\n', 'L1\n')));
    write(d, 'patches/02-b.patch', unified(d, 'app.txt', numbered(12).replace('l1\n', 'L1\n'), numbered(12).replace('l1\n', 'L1\n').replace('l12\n', 'L12\n')));
    expect(quilt(d, ['push']).code).toBe(0);
    const src = tempDir('patchq-src-');
    const fix = unified(d, 'app.txt', numbered(12).replace('l1\n', 'L1\n'), numbered(12).replace('l1\n', 'L1\n').replace('l6\n', 'L6\n'));
    write(src, 'fix.diff', fix);
    const r = patchq(d, ['import', join(src, 'fix.diff')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`Importing patch ${join(src, 'fix.diff')} (stored as fix.diff)\n`);
    expect(read(d, 'patches/series')).toBe('01-a.patch\nfix.diff\n02-b.patch\n');
    expect(read(d, 'patches/fix.diff')).toBe(fix);
    expect(quilt(d, ['push', '-a']).code).toBe(0);
    expect(read(d, 'app.txt')).toBe(numbered(12).replace('l1\n', 'L1\n').replace('l6\n', 'L6\n').replace('l12\n', 'L12\n'));
    expect(quilt(d, ['pop', '-a']).code).toBe(0);
    expect(read(d, 'app.txt')).toBe(numbered(12));
  });

  it('records -pN (not -p1) and -R in the series, keeps several files in order, and gives the same tree as quilt import', () => {
    const src = tempDir('patchq-src-');
    write(src, 'p0.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l3\n', 'L3\n'), true));
    write(src, 'rev.diff', unified(src, 'app.txt', numbered(12).replace('l9\n', 'L9\n'), numbered(12)));
    write(src, 'p1.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l1\n', 'X\n')));
    const ours = baseTree();
    const theirs = baseTree();
    for (const [d, run] of [[ours, patchq], [theirs, quilt]] as const) {
      expect(run(d, ['import', '-p0', join(src, 'p0.diff')]).code).toBe(0);
      expect(run(d, ['import', '-R', '-P', 'sub/rev.patch', join(src, 'rev.diff')]).code).toBe(0);
    }
    // Nothing applied: each goes in front of the series, as quilt puts it.
    expect(read(ours, 'patches/series')).toBe('sub/rev.patch -R\np0.diff -p0\n');
    expect(read(theirs, 'patches/series')).toBe(read(ours, 'patches/series'));
    expect(snapshot(ours)).toEqual(snapshot(theirs));
    for (const d of [ours, theirs]) expect(quilt(d, ['push', '-a']).code).toBe(0);
    expect(read(ours, 'app.txt')).toBe(numbered(12).replace('l3\n', 'L3\n').replace('l9\n', 'L9\n'));
    expect(snapshot(ours, { withPc: true })).toEqual(snapshot(theirs, { withPc: true }));
    for (const d of [ours, theirs]) expect(quilt(d, ['pop', '-a']).code).toBe(0);
    expect(snapshot(ours)).toEqual(snapshot(theirs));
    // Two files at once: inserted in order after the top (nothing applied: at the front).
    const many = baseTree();
    write(many, 'patches/series', 'last.patch\n');
    write(many, 'patches/last.patch', unified(many, 'app.txt', numbered(12), numbered(12).replace('l12\n', 'Z\n')));
    expect(patchq(many, ['import', '-p1', join(src, 'p1.diff'), join(src, 'rev.diff')]).code).toBe(0);
    expect(read(many, 'patches/series')).toBe('p1.diff\nrev.diff\nlast.patch\n');
  });

  it('imports a real diff -ruN of two trees (new, deleted and changed files); patchq pushes it, quilt pops it', () => {
    const w = tempDir('patchq-ruN-');
    write(w, 'a/sub/f.txt', 'x\ny\n');
    write(w, 'a/gone.txt', 'gone\n');
    write(w, 'b/sub/f.txt', 'x\nY\n');
    write(w, 'b/new.txt', 'new\n');
    const r = spawnSync('diff', ['-ruN', 'a', 'b'], { cwd: w, encoding: 'latin1' });
    expect(r.stdout).toMatch(/^diff -ruN a\/gone\.txt b\/gone\.txt$/m);
    write(w, 'r.diff', r.stdout);
    const d = tempDir();
    write(d, 'sub/f.txt', 'x\ny\n');
    write(d, 'gone.txt', 'gone\n');
    const before = snapshot(d);
    expect(patchq(d, ['import', join(w, 'r.diff')]).code).toBe(0);
    expect(patchq(d, ['push'])).toMatchObject({ code: 0, stdout: 'Applying patch r.diff\npatching file gone.txt\npatching file new.txt\npatching file sub/f.txt\n\nNow at patch r.diff\n' });
    expect(treeFiles(d)).toEqual({ 'new.txt': '644:new\n', sub: 'dir', 'sub/f.txt': '644:x\nY\n' });
    expect(quilt(d, ['pop']).code).toBe(0);
    expect(treeFiles(d)).toEqual(before);
  });

  it('reads what quilt import wrote (series, -p0) and pushes and pops it', () => {
    const src = tempDir('patchq-src-');
    write(src, 'p0.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l5\n', 'L5\n'), true));
    const d = baseTree();
    expect(quilt(d, ['import', '-p0', join(src, 'p0.diff')]).code).toBe(0);
    expect(patchq(d, ['series']).stdout).toBe('p0.diff\n');
    expect(patchq(d, ['push']).code).toBe(0);
    expect(read(d, 'app.txt')).toBe(numbered(12).replace('l5\n', 'L5\n'));
    expect(patchq(d, ['pop']).code).toBe(0);
    expect(read(d, 'app.txt')).toBe(numbered(12));
  });

  it('imports real git format-patch files as they are, and an mbox one patch per mail with git names', () => {
    const g = gitHistory();
    const out = tempDir('patchq-fp-');
    const names = git(g, 'format-patch', '-o', out, 'base').trim().split('\n').map((p) => p.slice(out.length + 1));
    expect(names).toEqual(['0001-Capitalise-line-two.patch', '0002-Add-a-readme-for-the-new-dir.patch', '0003-Capitalise-l11-caf.patch']);
    write(out, 'all.mbox', git(g, 'format-patch', '--stdout', 'base'));
    // Files one by one: stored byte-identical, under their own names.
    const files = baseTree();
    const r = patchq(files, ['import', ...names.map((n) => join(out, n))]);
    expect(r.code).toBe(0);
    for (const n of names) expect(read(files, `patches/${n}`)).toBe(read(out, n));
    // The mbox: split into the same files, byte for byte.
    const mbox = baseTree();
    const m = patchq(mbox, ['import', '--json', join(out, 'all.mbox')]);
    expect(m.code).toBe(0);
    const data = JSON.parse(m.stdout) as { imported: Array<{ name: string; mail: number; replaced: boolean; files: string[] }> };
    expect(data.imported.map((i) => [i.name, i.mail, i.replaced])).toEqual(names.map((n, i) => [n, i + 1, false]));
    expect(data.imported[1]!.files).toEqual(['new/readme.md']);
    expect(read(mbox, 'patches/series')).toBe(names.join('\n') + '\n');
    for (const n of names) expect(read(mbox, `patches/${n}`)).toBe(read(out, n));
    // The mail's From/Date/Subject are the description (decoded: RFC 2047 "café").
    const h = JSON.parse(patchq(mbox, ['header', '--dep3', '--json', names[2]!]).stdout) as { dep3: { fields: Record<string, string>; subject: string } };
    expect(h.dep3.subject).toBe('Capitalise l11: café');
    expect(h.dep3.fields.Author).toBe('T <t@example.com>');
    expect(h.dep3.fields.Date).toMatch(/^\w{3}, \d+ \w{3} \d{4} /);
    // patchq and quilt both push the imported series to the tip of the git history.
    expect(patchq(mbox, ['push', '-a']).code).toBe(0);
    expect(quilt(files, ['push', '-a']).code).toBe(0);
    for (const d of [mbox, files]) {
      expect(read(d, 'app.txt')).toBe(read(g, 'app.txt'));
      expect(read(d, 'new/readme.md')).toBe('hello\n');
    }
    expect(quilt(mbox, ['pop', '-a']).code).toBe(0);
    // quilt's pop (as patchq's) leaves the folder a new file was made in.
    expect(treeFiles(mbox)).toEqual({ 'app.txt': `644:${numbered(12)}`, new: 'dir' });
    // With a cover letter ([PATCH 0/3], no diff): skipped with a warning, the rest named as git did.
    write(out, 'cover.mbox', git(g, 'format-patch', '--cover-letter', '--stdout', 'base'));
    const cover = baseTree();
    const c = patchq(cover, ['import', join(out, 'cover.mbox')]);
    expect(c).toMatchObject({ code: 0, stderr: `Skipping the cover letter of ${join(out, 'cover.mbox')} (mail 1): it holds no diff\n` });
    expect(read(cover, 'patches/series')).toBe(names.join('\n') + '\n');
    // An .mbox holding one mail is named from the mail too (a .patch file keeps its name).
    write(out, 'one.mbox', git(g, 'format-patch', '--stdout', 'HEAD~1'));
    const one = baseTree();
    expect(patchq(one, ['import', join(out, 'one.mbox')]).stdout).toBe(`Importing patch ${join(out, 'one.mbox')} (mail 1) (stored as 0001-Capitalise-l11-caf.patch)\n`);
    expect(read(one, 'patches/0001-Capitalise-l11-caf.patch')).toBe(read(out, names[2]!).replace('[PATCH 3/3]', '[PATCH]'));
  });

  it('refuses a patch that does not parse, naming file and line, and writes nothing', () => {
    const g = gitHistory();
    const out = tempDir('patchq-fp-');
    // Break the second mail of an mbox: a hunk that claims more lines than it has.
    const mbox = git(g, 'format-patch', '--stdout', 'base');
    const lines = mbox.split('\n');
    const second = lines.findIndex((l, i) => i > 0 && l.startsWith('From ') && /2001$/.test(l));
    const hunk = lines.findIndex((l, i) => i > second && l.startsWith('@@ -0,0 +1 @@'));
    lines[hunk] = '@@ -0,0 +1,3 @@';
    write(out, 'broken.mbox', lines.join('\n'));
    const d = baseTree();
    write(d, 'patches/series', 'keep.patch\n');
    write(d, 'patches/keep.patch', unified(d, 'app.txt', numbered(12), numbered(12).replace('l7\n', 'L7\n')));
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['import', join(out, 'broken.mbox')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${join(out, 'broken.mbox')}:(\\d+): `));
    const at = Number(/:(\d+): /.exec(r.stderr)![1]);
    expect(at).toBeGreaterThan(hunk);
    expect(at).toBeLessThanOrEqual(hunk + 4);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // A -p level the paths do not have.
    write(out, 'short.diff', '--- app.txt\n+++ app.txt\n@@ -1 +1 @@\n-l1\n+L1\n');
    expect(patchq(d, ['import', '-p3', join(out, 'short.diff')])).toMatchObject({ code: 1, stderr: `${join(out, 'short.diff')}:1: cannot strip 3 leading component(s) from 'app.txt' (wrong -p?)\n` });
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // No diff at all is an empty patch, as quilt has it (not a parse error).
    write(out, 'empty.patch', '');
    expect(patchq(d, ['import', join(out, 'empty.patch')]).code).toBe(0);
    expect(read(d, 'patches/series')).toBe('empty.patch\nkeep.patch\n');
  });

  it("refuses names outside patches/, -P with several patches, an applied patch, and a listed one without -f", () => {
    const src = tempDir('patchq-src-');
    write(src, 'fix.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l4\n', 'L4\n')));
    write(src, 'other.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l8\n', 'L8\n')));
    const d = baseTree();
    expect(patchq(d, ['import', join(src, 'fix.diff')]).code).toBe(0);
    expect(patchq(d, ['push']).code).toBe(0);
    const before = snapshot(d, { withPc: true });
    const cases: Array<[string[], number, RegExp]> = [
      [['import', '-P', '../evil.patch', join(src, 'other.diff')], 1, /Patch name '\.\.\/evil\.patch' invalid/],
      [['import', '-P', '/tmp/evil.patch', join(src, 'other.diff')], 1, /invalid/],
      [['import', '-P', 'x.patch', join(src, 'fix.diff'), join(src, 'other.diff')], 1, /^Option `-P' can only be used when importing a single patch$/m],
      [['import', join(src, 'fix.diff')], 1, /^Patch fix\.diff is applied$/m],
      [['import', join(src, 'missing.diff')], 1, /^Patch .*missing\.diff does not exist$/m],
      [['import', '-d', 'x', join(src, 'other.diff')], 1, /-d takes o/],
    ];
    for (const [args, code, msg] of cases) {
      const r = patchq(d, args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(msg);
      expect(snapshot(d, { withPc: true })).toEqual(before);
    }
    expect(patchq(d, ['pop']).code).toBe(0);
    const popped = snapshot(d, { withPc: true });
    const r = patchq(d, ['import', '-P', 'fix.diff', join(src, 'other.diff')]);
    expect(r).toMatchObject({ code: 1, stderr: 'Patch fix.diff exists. Replace with -f.\n' });
    expect(snapshot(d, { withPc: true })).toEqual(popped);
  });

  it('refuses a FILE that is a folder or cannot be read in one line naming it, exit 1, nothing written', (ctx) => {
    const d = baseTree();
    write(d, 'patches/series', 'keep.patch\n');
    write(d, 'patches/keep.patch', unified(d, 'app.txt', numbered(12), numbered(12).replace('l7\n', 'L7\n')));
    const src = tempDir('patchq-src-');
    mkdirSync(join(src, 'dir.diff'));
    write(src, 'locked.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l4\n', 'L4\n')));
    chmodSync(join(src, 'locked.diff'), 0o000);
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['import', join(src, 'dir.diff')]);
    expect([r.code, r.stderr]).toEqual([1, `Patch ${join(src, 'dir.diff')} is not a file\n`]);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // Root reads anything: as root, the command runs as nobody, who owns the trees.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const home = tempDir('patchq-home-');
    if (user.uid !== undefined) for (const p of [d, src, home]) chownTree(p, user.uid, user.gid);
    const env = { ...process.env, QUILTRC: '-', LANG: 'C', HOME: home, PATCHQ_CONFIG_DIR: join(home, 'config'), PATCHQ_CACHE_DIR: join(home, 'cache') };
    const as = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: d, env, encoding: 'utf8', ...user });
    // nobody may not reach the built binary (a checkout in a private home): nothing to check.
    if (as(['--version']).status !== 0) return ctx.skip();
    const locked = as(['import', join(src, 'locked.diff')]);
    expect([locked.status, locked.stderr.trim().split('\n').length]).toEqual([1, 1]);
    expect(locked.stderr).toMatch(new RegExp(`^Patch ${join(src, 'locked.diff')} cannot be read \\(EACCES\\)\n$`));
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });

  it('/dev/null imports as an empty patch, as quilt\'s (a way to start one); other devices stay refused', () => {
    const [q, p] = [tempDir(), tempDir()];
    for (const d of [q, p]) write(d, 'a.txt', 'a\n');
    for (const args of [['import', '-P', 't.diff', '/dev/null'], ['import', '/dev/null'], ['import', '-P', 't.diff', '/dev/null'], ['import', '-f', '-P', 't.diff', '/dev/null'], ['series']]) {
      const [rq, rp] = [quilt(q, args), patchq(p, args)];
      expect([args.join(' '), rp.code, rp.stdout, rp.stderr]).toEqual([args.join(' '), rq.code, rq.stdout, rq.stderr]);
    }
    expect([read(p, 'patches/series'), read(p, 'patches/t.diff'), read(p, 'patches/null')]).toEqual(['null\nt.diff\n', '', '']);
    expect(snapshot(p)).toEqual(snapshot(q));
    // An empty patch pushes; a device that is not /dev/null is still no patch file.
    expect(patchq(p, ['push']).code).toBe(0);
    const before = snapshot(p, { withPc: true });
    const zero = patchq(p, ['import', '-P', 'z.diff', '/dev/zero']);
    expect([zero.code, zero.stderr]).toEqual([1, 'Patch /dev/zero is not a file\n']);
    expect(snapshot(p, { withPc: true })).toEqual(before);
  });

  it('-f replaces an unapplied patch; -d o|a|n picks the header as quilt does', () => {
    const src = tempDir('patchq-src-');
    const oldBody = unified(src, 'app.txt', numbered(12), numbered(12).replace('l4\n', 'L4\n'));
    const newBody = unified(src, 'app.txt', numbered(12), numbered(12).replace('l4\n', 'FOUR\n'));
    write(src, 'new.diff', 'New description\n\n' + newBody);
    const fresh = () => {
      const d = baseTree();
      write(d, 'patches/series', 'new.diff\n');
      write(d, 'patches/new.diff', 'Old description\n\n' + oldBody);
      return d;
    };
    const d = fresh();
    const before = snapshot(d, { withPc: true });
    const clash = patchq(d, ['import', '-f', join(src, 'new.diff')]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('Patch headers differ:');
    expect(clash.stderr).toContain('-Old description\n+New description');
    expect(clash.stderr).toContain('Please use -d {o|a|n} to specify which patch header(s) to keep.');
    expect(snapshot(d, { withPc: true })).toEqual(before);
    const want = { o: 'Old description\n\n' + newBody, a: 'Old description\n\n---\nNew description\n\n' + newBody, n: 'New description\n\n' + newBody };
    for (const k of ['o', 'a', 'n'] as const) {
      const t = fresh();
      const r = patchq(t, ['import', '-f', '-d', k, join(src, 'new.diff')]);
      expect(r).toMatchObject({ code: 0, stderr: 'Replacing patch new.diff with new version\n' });
      expect(read(t, 'patches/new.diff')).toBe(want[k]);
      expect(read(t, 'patches/series')).toBe('new.diff\n');
      // quilt agrees byte for byte
      const q = fresh();
      expect(quilt(q, ['import', '-f', '-d', k, join(src, 'new.diff')]).code).toBe(0);
      expect(read(q, 'patches/new.diff')).toBe(want[k]);
    }
    // Only one side has a header: that one wins without -d.
    const bare = fresh();
    write(bare, 'patches/new.diff', oldBody);
    expect(patchq(bare, ['import', '-f', join(src, 'new.diff')]).code).toBe(0);
    expect(read(bare, 'patches/new.diff')).toBe('New description\n\n' + newBody);
  });

  it('creates the series in a fresh tree and leaves nothing of a refused run behind', () => {
    const src = tempDir('patchq-src-');
    write(src, 'fix.diff', unified(src, 'app.txt', numbered(12), numbered(12).replace('l4\n', 'L4\n')));
    write(src, 'bad.diff', '--- a/app.txt\n+++ b/app.txt\n@@ -1,2 +1,2 @@\n-l1\n');
    const d = baseTree();
    const r = patchq(d, ['import', join(src, 'fix.diff'), join(src, 'bad.diff')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.diff:\d+: /);
    expect(existsSync(join(d, 'patches', 'fix.diff'))).toBe(false);
    expect(existsSync(join(d, 'patches', 'series'))).toBe(false);
    expect(patchq(d, ['import', join(src, 'fix.diff')]).code).toBe(0);
    expect(readdirSync(join(d, 'patches')).sort()).toEqual(['fix.diff', 'series']);
    // As quilt's import: no .pc (the lock's, made for the run, goes again); the first push makes it.
    expect(existsSync(join(d, '.pc'))).toBe(false);
    expect(quilt(d, ['push']).code).toBe(0);
    expect(readFileSync(join(d, '.pc', '.version'), 'utf8')).toBe('2\n');
  });
});
