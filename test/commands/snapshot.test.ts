/**
 * `snapshot [-d]` and `diff --snapshot` through the built binary, against the real quilt on
 * the same tree: patchq keeps the snapshot where and as quilt keeps it (.pc/.snap), so a
 * snapshot taken by either is diffed by the other, with the same output byte for byte.
 */
import { cpSync, existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtOnce } from '../helpers/prepared.js';
import { numbered, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';

/** The snapshot folder: path -> "mode:bytes" for files, "dir" for folders. */
function snapOf(d: string): Record<string, string> | null {
  const root = join(d, '.pc/.snap');
  if (!existsSync(root)) return null;
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out[relative(root, p)] = 'dir';
        walk(p);
      } else out[relative(root, p)] = `${(st.mode & 0o777).toString(8)}:${read(dir, e)}`;
    }
  };
  walk(root);
  return out;
}

/**
 * Made with the real quilt: 01 changes a.txt and creates sub/new.txt; 02 changes a.txt
 * again, b.txt (executable) and deletes gone.txt; 02 also has never.txt, added and not made.
 */
function quiltTree(): string {
  const d = tempDir('patchq-snap-');
  write(d, 'a.txt', numbered(20));
  write(d, 'b.txt', 'b1\nb2\n', 0o755);
  write(d, 'gone.txt', 'bye\n');
  write(d, 'other.txt', 'untouched\n');
  const q = (...a: string[]) => expect(quilt(d, a).code, a.join(' ')).toBe(0);
  q('new', '01-a.patch');
  q('add', 'a.txt', 'sub/new.txt');
  write(d, 'a.txt', numbered(20).replace('l3\n', 'L3\n'));
  write(d, 'sub/new.txt', 'new\n');
  q('refresh');
  q('new', '02-b.patch');
  q('add', 'a.txt', 'b.txt', 'gone.txt', 'never.txt');
  write(d, 'a.txt', numbered(20).replace('l3\n', 'L3\n').replace('l17\n', 'L17\n'));
  write(d, 'b.txt', 'b1\nB2\n');
  q('remove', 'never.txt');
  q('add', 'never.txt');
  rmSync(join(d, 'gone.txt'));
  q('refresh');
  return d;
}

let shared = '';
beforeAll(() => {
  shared = quiltTree();
});
/** A copy of the quilt-made tree, mtimes kept (quilt is slow to start). */
const copy = (): string => {
  const d = tempDir('patchq-snap-copy-');
  cpSync(shared, d, { recursive: true, preserveTimestamps: true });
  return d;
};

/** A copy of the quilt-made tree with both patches popped by quilt (once). */
const poppedCopy = builtOnce(() => {
  const d = copy();
  expect(quilt(d, ['pop', '-a']).code).toBe(0);
  return d;
});

/** What happens after the snapshot: edits, a file deleted, a new patch with a new file, a pop. */
function work(d: string): void {
  write(d, 'a.txt', read(d, 'a.txt').replace('l10\n', 'L10\n'));
  rmSync(join(d, 'sub/new.txt'));
  expect(quilt(d, ['new', '03-c.patch']).code).toBe(0);
  expect(quilt(d, ['add', 'c.txt', 'b.txt']).code).toBe(0);
  write(d, 'c.txt', 'c\n');
  write(d, 'b.txt', 'b1\nB2\nb3\n');
  expect(quilt(d, ['refresh']).code).toBe(0);
}

const OPTION_SETS = [[], ['-P', '01-a.patch'], ['-P', '02-b.patch', '-R'], ['-p0'], ['-p', 'ab', '-U', '1'], ['--sort', '--no-index'], ['-c'], ['a.txt', 'c.txt'], ['-P', '01-a.patch', 'a.txt']];

/** patchq's and quilt's `diff --snapshot ARGS` on d: same code, stdout and stderr. */
function sameDiff(d: string, args: string[]) {
  const p = patchq(d, ['diff', '--snapshot', ...args]);
  const q = quilt(d, ['diff', '--snapshot', ...args]);
  expect({ code: p.code, stdout: p.stdout, stderr: p.stderr }, args.join(' ')).toEqual({ code: q.code, stdout: q.stdout, stderr: q.stderr });
  return p;
}

describe('snapshot, against quilt snapshot', () => {
  it('writes the .pc/.snap quilt writes: every file of the applied patches as it is now, an absent one as 0 bytes', () => {
    const ours = copy();
    const theirs = copy();
    const p = patchq(ours, ['snapshot']);
    expect(p).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(quilt(theirs, ['snapshot']).code).toBe(0);
    const snap = snapOf(ours);
    expect(snap).toEqual(snapOf(theirs));
    expect(snap).toMatchObject({ 'a.txt': `644:${read(ours, 'a.txt')}`, 'b.txt': '755:b1\nB2\n', 'gone.txt': '644:', 'never.txt': '644:', 'sub/new.txt': '644:new\n' });
    expect(snap).not.toHaveProperty('other.txt');
    // quilt's cp -p keeps the mtime, which diff --snapshot prints (patchq: to the microsecond).
    for (const f of ['a.txt', 'b.txt', 'sub/new.txt']) {
      const ns = (p: string) => statSync(p, { bigint: true }).mtimeNs / 1000n;
      expect(ns(join(ours, '.pc/.snap', f)), f).toBe(ns(join(ours, f)));
    }
    // Taken again, it replaces the last one whole (a file no applied patch has any more goes).
    write(ours, 'a.txt', 'changed\n');
    expect(quilt(ours, ['pop']).code).toBe(1); // a.txt changed: quilt refuses, nothing popped
    expect(quilt(ours, ['pop', '-f']).code).toBe(0);
    expect(patchq(ours, ['snapshot']).code).toBe(0);
    expect(quilt(theirs, ['pop', '-f']).code).toBe(0);
    expect(quilt(theirs, ['snapshot']).code).toBe(0);
    expect(snapOf(ours)).toEqual(snapOf(theirs));
    expect(Object.keys(snapOf(ours)!).sort()).toEqual(['a.txt', 'sub', 'sub/new.txt']);
  });

  it("diff --snapshot prints what quilt prints, on patchq's snapshot and on quilt's, for every option set", () => {
    for (const taker of ['patchq', 'quilt'] as const) {
      const d = copy();
      expect((taker === 'patchq' ? patchq : quilt)(d, ['snapshot']).code).toBe(0);
      const untouched = sameDiff(d, []);
      expect(untouched.stdout).toBe('');
      work(d);
      // Every option set on patchq's snapshot; on quilt's, enough to show it is read alike.
      for (const args of taker === 'patchq' ? OPTION_SETS : OPTION_SETS.slice(0, 3)) sameDiff(d, args);
      const all = sameDiff(d, []);
      // The snapshot's files first, in name order, then files added after it.
      expect([...all.stdout.matchAll(/^Index: \S+?\/(\S+)$/gm)].map((m) => m[1])).toEqual(['a.txt', 'b.txt', 'sub/new.txt', 'c.txt']);
      expect(sameDiff(d, ['-P', '01-a.patch']).stderr).toBe('Warning: more recent patches modify files in patch 01-a.patch\n');
      // Popped: what the popped patch did is a change since the snapshot too.
      expect(quilt(d, ['pop']).code).toBe(0);
      sameDiff(d, []);
      sameDiff(d, ['-R', '--no-timestamps']);
    }
  });

  it('an empty snapshot (nothing applied) is a folder with nothing in it: then the pushed patches are the changes', () => {
    for (const taker of ['patchq', 'quilt'] as const) {
      const d = poppedCopy();
      expect((taker === 'patchq' ? patchq : quilt)(d, ['snapshot']).code).toBe(0);
      expect(snapOf(d)).toEqual({});
      expect(patchq(d, ['push', '-a']).code).toBe(0);
      const r = sameDiff(d, []);
      expect(r.stdout).toContain('+L17');
    }
  });

  it('-d removes the snapshot (twice is fine); without one, diff --snapshot says so, as quilt', () => {
    const d = copy();
    expect(patchq(d, ['snapshot']).code).toBe(0);
    expect(patchq(d, ['snapshot', '-d'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(d, '.pc/.snap'))).toBe(false);
    expect(patchq(d, ['snapshot', '-d'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const r = sameDiff(d, []);
    expect(r).toMatchObject({ code: 1, stderr: 'No snapshot to diff against\n' });
    // quilt's -d removes patchq's snapshot, and the other way round.
    expect(patchq(d, ['snapshot']).code).toBe(0);
    expect(quilt(d, ['snapshot', '-d']).code).toBe(0);
    expect(existsSync(join(d, '.pc/.snap'))).toBe(false);
    expect(quilt(d, ['snapshot']).code).toBe(0);
    expect(patchq(d, ['snapshot', '-d']).code).toBe(0);
    expect(existsSync(join(d, '.pc/.snap'))).toBe(false);
  });

  it('refuses what quilt refuses, with its words, and writes nothing', () => {
    const d = copy();
    expect(patchq(d, ['snapshot']).code).toBe(0);
    const before = snapshot(d, { withPc: true });
    for (const args of [['-z'], ['--combine', '-'], ['-p', '2']]) sameDiff(d, args);
    expect(patchq(d, ['diff', '--snapshot', '-z']).stderr).toBe("Options `--combine', `--snapshot', and `-z' cannot be combined.\n");
    expect(patchq(d, ['diff', '-z', '--combine', '-']).stderr).toBe("Options `--combine', `--snapshot', and `-z' cannot be combined.\n");
    // Usage errors exit 1, as quilt's.
    expect(patchq(d, ['snapshot', 'extra'])).toMatchObject({ code: 1, stdout: 'Usage: patchq snapshot [-d]\n', stderr: '' });
    expect(patchq(d, ['snapshot', '-x']).code).toBe(1);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(quilt(d, ['pop', '-a']).code).toBe(0);
    expect(sameDiff(d, [])).toMatchObject({ code: 1, stderr: 'No patches applied\n' });
    const none = tempDir('patchq-snap-none-');
    expect(patchq(none, ['snapshot']).code).toBe(1);
    expect(readdirSync(none)).toEqual([]);
  });

  it('is taken from a subdirectory as at the root, and its --json lists the files', () => {
    const d = copy();
    const r = patchq(join(d, 'sub'), ['snapshot', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ files: ['a.txt', 'b.txt', 'gone.txt', 'never.txt', 'sub/new.txt'], absent: ['gone.txt', 'never.txt'] });
    expect(JSON.parse(patchq(d, ['snapshot', '-d', '--json']).stdout)).toEqual({ removed: true });
    expect(patchq(d, ['snapshot', '--help']).stdout).toContain('Usage: patchq snapshot [-d]');
    expect(patchq(d, ['diff', '--help']).stdout).toContain('--snapshot');
  });
});

describe('snapshot, killed at every step', () => {
  it('replacing a snapshot leaves the old one or the new one whole, after the next command', () => {
    const d0 = copy();
    expect(patchq(d0, ['snapshot']).code).toBe(0);
    const old = snapOf(d0);
    write(d0, 'a.txt', 'edited\n');
    write(d0, 'sub/new.txt', 'edited too\n');
    const fresh = () => {
      const d = tempDir('patchq-snap-kill-');
      cpSync(d0, d, { recursive: true, preserveTimestamps: true });
      return d;
    };
    const probe = fresh();
    const counted = patchq(probe, ['snapshot'], { PATCHQ_CRASH_AT: 'count' });
    const steps = Number(/patchq-steps: (\d+)/.exec(counted.stderr)![1]);
    const after = snapOf(probe);
    expect(after).not.toEqual(old);
    expect(steps).toBeGreaterThan(5);
    let sawOld = 0;
    let sawNew = 0;
    for (let k = 1; k <= steps; k++) {
      const d = fresh();
      expect(patchq(d, ['snapshot'], { PATCHQ_CRASH_AT: String(k) }).code, `step ${k}`).toBe(-1);
      // Any command finishes or drops the transaction first.
      expect(patchq(d, ['applied']).code, `step ${k}`).toBe(0);
      expect(existsSync(join(d, '.pc/.patchq/tx')), `step ${k}`).toBe(false);
      const now = snapOf(d);
      expect([old, after], `step ${k}`).toContainEqual(now);
      if (JSON.stringify(now) === JSON.stringify(old)) sawOld++;
      else sawNew++;
    }
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  }, 120_000);
});
