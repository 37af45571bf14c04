/**
 * `patchq diff` through the built binary, against the real quilt on the same tree: the
 * output must equal `quilt diff` (timestamps included: both read the same mtimes), and
 * `patch -p1` / `git apply` must accept it on the pristine tree.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, git, numbered, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';

/**
 * Made with the real quilt: 01 changes a.txt; 02 changes a.txt again, b.txt, creates
 * c.txt and deletes d.txt; then unrefreshed edits on top of 02.
 */
function quiltTree(): string {
  const d = tempDir('patchq-wt-diff-');
  write(d, 'a.txt', numbered(30));
  write(d, 'b.txt', 'x\ny\n');
  write(d, 'd.txt', 'doomed\n');
  const q = (...a: string[]) => expect(quilt(d, a).code).toBe(0);
  q('new', '01-a.patch');
  q('add', 'a.txt');
  write(d, 'a.txt', numbered(30).replace('l3\n', 'L3\n'));
  q('refresh');
  q('new', '02-b.patch');
  q('add', 'a.txt', 'b.txt', 'c.txt', 'd.txt');
  write(d, 'a.txt', numbered(30).replace('l3\n', 'L3\n').replace('l25\n', 'L25\n'));
  write(d, 'b.txt', 'x\ny\nz\n');
  write(d, 'c.txt', 'new\n');
  spawnSync('rm', [join(d, 'd.txt')]);
  q('refresh');
  write(d, 'b.txt', 'x\nY\nz\n');
  return d;
}

// Made once (quilt is slow to start); tests that change it work on a copy, mtimes kept.
let shared = '';
beforeAll(() => {
  shared = quiltTree();
});
const copy = (from = shared): string => {
  const d = tempDir('patchq-wt-copy-');
  cpSync(from, d, { recursive: true, preserveTimestamps: true });
  return d;
};

const same = (d: string, args: string[]) => {
  const p = patchq(d, ['diff', ...args]);
  const q = quilt(d, ['diff', ...args]);
  expect({ code: p.code, stdout: p.stdout, stderr: p.stderr }).toEqual({ code: q.code, stdout: q.stdout, stderr: q.stderr });
  return p;
};

const noStamps = (s: string) => s.replace(/^((?:---|\+\+\+) \S+)\t.*$/gm, '$1');

describe('diff, against quilt diff', () => {
  it('prints what quilt prints for the top patch, byte for byte with timestamps', () => {
    const d = shared;
    const r = same(d, []);
    expect(r.stdout).toContain('+Y');
    expect(r.stdout).toContain('--- /dev/null\t1970-01-01 00:00:00.000000000 +0000');
    expect(r.stdout).toContain('+++ /dev/null');
  });

  it('agrees on -P (shadowed, with the warning), -p0, -p ab, -U, -R, --combine, files, --sort, --no-index', () => {
    const d = shared;
    const p1 = same(d, ['-P', '01-a.patch']);
    expect(p1.stderr).toBe('Warning: more recent patches modify files in patch 01-a.patch\n');
    same(d, ['-p0', '-R']);
    same(d, ['-p', 'ab', '--no-timestamps', '--sort', '-U', '1']);
    same(d, ['--combine', '-', '--no-index']);
    same(d, ['--combine', '01-a.patch', 'b.txt', 'a.txt']);
  });

  it('-z shows only the changes since the last refresh, as quilt diff -z does', () => {
    const d = copy();
    const p = patchq(d, ['diff', '-z']);
    const q = quilt(d, ['diff', '-z']);
    expect(p.code).toBe(0);
    expect(noStamps(p.stdout)).toBe(noStamps(q.stdout));
    expect(p.stdout).toContain('-y\n+Y\n');
    expect(p.stdout).not.toContain('c.txt');
    write(d, 'b.txt', 'x\ny\nz\n');
    expect(patchq(d, ['diff', '-z']).stdout).toBe('');
  });

  it('is accepted by patch -p1 and git apply on the pristine tree (quilt and git styles)', () => {
    const d = shared;
    const plain = patchq(d, ['diff', '--combine', '-']).stdout;
    const gitStyle = patchq(d, ['diff', '--combine', '-', '--git']).stdout;
    expect(gitStyle).toContain('diff --git a/c.txt b/c.txt\nnew file mode 100644');
    const pristine = copy();
    expect(quilt(pristine, ['pop', '-af']).code).toBe(0);
    git(pristine, 'init', '-q');
    for (const text of [plain, gitStyle]) {
      const p = spawnSync('patch', ['-p1', '--dry-run'], { cwd: pristine, input: text, encoding: 'utf8' });
      expect(p.stderr).toBe('');
      expect(p.status).toBe(0);
      const g = spawnSync('git', ['apply', '--check', '-'], { cwd: pristine, input: text, encoding: 'utf8' });
      expect(g.stderr).toBe('');
      expect(g.status).toBe(0);
    }
    // Applied for real, the pristine tree becomes the patched one.
    expect(spawnSync('git', ['apply', '-'], { cwd: pristine, input: gitStyle }).status).toBe(0);
    const want = snapshot(d);
    const got = snapshot(pristine);
    for (const f of ['a.txt', 'b.txt', 'c.txt']) expect(got[f]).toBe(want[f]);
    expect(got['d.txt']).toBeUndefined();
  });

  it('-R leaves out a file added to the patch and never made, as quilt does (/dev/null against an empty backup)', () => {
    const d = copy();
    expect(quilt(d, ['add', 'never.txt']).code).toBe(0);
    for (const args of [['-R'], ['-R', '-p0'], ['-R', 'never.txt', 'b.txt'], []]) {
      const r = same(d, args);
      expect(r.stdout, args.join(' ')).not.toContain('never.txt');
    }
    expect(patchq(d, ['diff', '-R', '--git']).stdout).not.toContain('never.txt');
  });

  it("leaves out a file whose mode alone changed, as quilt's format has no place for it: diff, and refresh writes quilt's patch (faildiff.test as root)", () => {
    const d = tempDir('patchq-wt-mode-');
    write(d, 'a.sh', 'echo a\n');
    write(d, 'b.txt', 'b\n');
    expect(quilt(d, ['new', 'x.patch']).code).toBe(0);
    expect(quilt(d, ['add', 'a.sh', 'b.txt']).code).toBe(0);
    chmodSync(join(d, 'a.sh'), 0o755);
    write(d, 'b.txt', 'B\n');
    expect(same(d, []).stdout).not.toContain('a.sh');
    same(d, ['-p', 'ab', '--no-index']);
    const q = copy(d);
    const refresh = (cwd: string, run: typeof quilt) => run(cwd, ['refresh', '-p', 'ab', '--no-timestamps']);
    expect(refresh(d, patchq)).toEqual(refresh(q, quilt));
    expect(read(d, 'patches/x.patch')).toBe(read(q, 'patches/x.patch'));
    // The mode alone: nothing in the patch, as quilt says.
    for (const t of [d, q]) write(t, 'b.txt', 'b\n');
    expect(same(d, []).stdout).toBe('');
    const [p1, q1] = [refresh(d, patchq), refresh(q, quilt)];
    expect(p1).toEqual(q1);
    expect(p1.stdout).toBe('Nothing in patch x.patch\n');
    expect(read(d, 'patches/x.patch')).toBe(read(q, 'patches/x.patch'));
    // With --git the mode is kept.
    expect(patchq(d, ['diff', '--git']).stdout).toBe('diff --git a/a.sh b/a.sh\nold mode 100644\nnew mode 100755\n');
  });

  it('passes bytes that are not UTF-8 through unchanged', () => {
    const d = tempDir('patchq-wt-bytes-');
    write(d, 'l.txt', 'caf\xe9\r\nend');
    quilt(d, ['new', 'x.patch']);
    quilt(d, ['add', 'l.txt']);
    write(d, 'l.txt', 'CAF\xc9\r\nend');
    const raw = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: d, env: { ...process.env, LANG: 'C', NO_COLOR: '1' } }).stdout as Buffer;
    const p = raw(process.execPath, [CLI, 'diff', '--no-timestamps']);
    const q = raw('quilt', ['--quiltrc=-', 'diff', '--no-timestamps']);
    expect(p.includes(Buffer.from([0xc9, 0x0d, 0x0a]))).toBe(true);
    expect(p.equals(q)).toBe(true);
  });
});

describe('diff, patchq only', () => {
  it('colours with --color=always and not by default or under NO_COLOR', () => {
    const d = shared;
    const plain = patchq(d, ['diff']).stdout;
    expect(plain).not.toContain('\x1b[');
    const coloured = patchq(d, ['diff', '--color=always']).stdout;
    expect(coloured).toContain('\x1b[36m+Y\x1b[0m');
    expect(coloured).toContain('\x1b[35m-y\x1b[0m');
    expect(coloured).toMatch(/\x1b\[33m@@ -1,2 \+1,3 @@\x1b\[0m/);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
    expect(patchq(d, ['diff'], { FORCE_COLOR: '1' }).stdout).toBe(plain); // NO_COLOR (set by the helper) wins
  });

  it('--json gives the patch, the range and one entry per file', () => {
    const d = shared;
    const r = patchq(d, ['diff', '--json', '-P', '01-a.patch']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.patch).toBe('01-a.patch');
    expect(j.patches).toEqual(['01-a.patch']);
    expect(j.files).toHaveLength(1);
    expect(j.files[0]).toMatchObject({ file: 'a.txt', from: '01-a.patch', shadowedBy: '02-b.patch' });
    expect(j.files[0].diff).toContain('-l3\n+L3\n');
    expect(j.warnings).toEqual(['Warning: more recent patches modify files in patch 01-a.patch']);
  });

  it('refuses bad input with one line, quilt exit codes, and writes nothing', () => {
    const d = copy();
    const before = snapshot(d, { withPc: true });
    expect(patchq(d, ['diff', '-p', '2'])).toMatchObject({ code: 1, stderr: 'Cannot diff patches with -p2, please specify -p0, -p1, or -pab instead\n' });
    expect(patchq(d, ['diff', '-P', 'nope.patch'])).toMatchObject({ code: 1, stderr: 'Patch nope.patch is not in series\n' });
    expect(patchq(d, ['diff', '-z', '--combine', '-']).code).toBe(1);
    expect(patchq(d, ['diff', '../outside.txt']).code).toBe(1);
    expect(patchq(d, ['diff', '--bogus']).code).toBe(1);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    quilt(d, ['pop', '-af']);
    expect(patchq(d, ['diff'])).toMatchObject({ code: 1, stderr: 'No patches applied\n' });
    expect(read(d, 'a.txt')).toBe(numbered(30));
  });
});
