/**
 * The one transaction shape: staging, commit point, roll-forward recovery; and kill -9
 * at every op of a push and a pop, after which the next command leaves a consistent
 * stack and pop -a gives back the pristine tree byte for byte.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyTransaction, normalAbs, recoverTransaction, type FileOp } from '../../src/stack/transaction.js';
import { locateOrCreateTree } from '../../src/stack/layout.js';
import { writeFileAtomic } from '../../src/fsx/atomic.js';
import { numbered, patchq, read, snapshot as fullSnapshot, tempDir, write } from '../helpers/tree.js';

/** The work tree without the patches directory (the series itself does not move). */
const snapshot = (d: string, opts: { withPc?: boolean } = {}) =>
  Object.fromEntries(Object.entries(fullSnapshot(d, opts)).filter(([k]) => k !== 'patches' && !k.startsWith('patches/')));

describe('transaction', () => {
  it('writes every op, then removes its staging area', () => {
    const d = tempDir();
    const tree = locateOrCreateTree(d, {});
    write(d, 'old.txt', 'x');
    applyTransaction(tree, [
      { kind: 'write', path: join(d, 'dir/a.txt'), data: 'A\r\n', mode: 0o755 },
      { kind: 'delete', path: join(d, 'old.txt') },
    ]);
    expect(read(d, 'dir/a.txt')).toBe('A\r\n');
    expect(existsSync(join(d, 'old.txt'))).toBe(false);
    expect(existsSync(join(tree.sideDir, 'tx'))).toBe(false);
  });

  it('rolls a committed transaction forward and drops an uncommitted one', () => {
    const d = tempDir();
    const tree = locateOrCreateTree(d, {});
    const tx = join(tree.sideDir, 'tx');
    // Committed: manifest present, first op already done (its staged file is gone).
    mkdirSync(tx, { recursive: true });
    writeFileSync(join(tx, '1'), 'second');
    writeFileSync(join(tx, 'manifest.json'), JSON.stringify([
      { kind: 'write', path: 'a.txt', staged: '0', mode: 0o644 },
      { kind: 'write', path: 'b.txt', staged: '1', mode: 0o644 },
    ]));
    write(d, 'a.txt', 'first');
    expect(recoverTransaction(tree)).toBe(true);
    expect([read(d, 'a.txt'), read(d, 'b.txt')]).toEqual(['first', 'second']);
    // Uncommitted: staged data but no manifest -> nothing happens to the tree.
    mkdirSync(tx, { recursive: true });
    writeFileSync(join(tx, '0'), 'never');
    expect(recoverTransaction(tree)).toBe(true);
    expect(existsSync(tx)).toBe(false);
    expect(read(d, 'a.txt')).toBe('first');
  });

  it('a write that fails making its folders (a part too long) is rolled back with the folders it did make', () => {
    const d = tempDir();
    const tree = locateOrCreateTree(d, {});
    write(d, 'keep.txt', 'k');
    const before = fullSnapshot(d, { withPc: true });
    expect(() =>
      applyTransaction(tree, [
        { kind: 'write', path: join(d, 'ok.txt'), data: 'x' },
        { kind: 'write', path: join(d, 'a/b/' + 'z'.repeat(300) + '/f'), data: 'y' },
      ]),
    ).toThrow(/^cannot write a\/b\/z{300}\/f: name too long \(ENAMETOOLONG\) \(rolled back; nothing was changed\)$/);
    expect(existsSync(join(d, 'a'))).toBe(false);
    // No lock here: the staging area's .pc/.patchq and .pc were this transaction's to make.
    expect(existsSync(join(d, '.pc'))).toBe(false);
    expect(fullSnapshot(d, { withPc: true })).toEqual(before);
    // Staging failed, before the commit point: no .pc/.patchq either.
    process.env.PATCHQ_FAIL_WRITE_AT = '1';
    try {
      expect(() => applyTransaction(tree, [{ kind: 'write', path: join(d, 'ok.txt'), data: 'x' }])).toThrow(/\(nothing was changed\)$/);
    } finally {
      delete process.env.PATCHQ_FAIL_WRITE_AT;
    }
    expect(existsSync(join(d, '.pc'))).toBe(false);
    expect(fullSnapshot(d, { withPc: true })).toEqual(before);
  });

  it('an injected write failure before the commit point changes nothing', () => {
    const d = tempDir();
    write(d, 'a.txt', numbered(8));
    patchq(d, ['new', 'p.patch']);
    patchq(d, ['add', 'a.txt']);
    write(d, 'a.txt', numbered(8).replace('l2', 'L2'));
    patchq(d, ['refresh']);
    patchq(d, ['pop']);
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['push'], { PATCHQ_FAIL_WRITE_AT: '3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cannot write (\.pc\/p\.patch\/)?a\.txt: input\/output error \(EIO\) \(nothing was changed\)\n$/);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });
});

describe('normalAbs (where a transaction may write is checked on it)', () => {
  it('is path.normalize on every path of /, ., .. and names (every path of up to 6 parts)', () => {
    const parts = ['/', '.', '..', 'a', '.b', 'c..'];
    let n = 0;
    const walk = (p: string, depth: number) => {
      if (p !== '') {
        expect(normalAbs(p), JSON.stringify(p)).toBe(normalize(p));
        n++;
      }
      if (depth < 6) for (const x of parts) walk(p + x, depth + 1);
    };
    walk('', 0);
    expect(n).toBe(55986);
  });
});

describe('an rmtree and ops below it, mkdir', () => {
  /**
   * PATCHQ_FAIL_APPLY_AT counts ops over the whole process (a module counter): each run
   * here fails at the n-th op after those earlier runs reached.
   */
  let reached = 0;
  function failingAt(n: number, run: () => void): unknown {
    process.env.PATCHQ_FAIL_APPLY_AT = String(reached + n);
    try {
      run();
      return null;
    } catch (e) {
      return e;
    } finally {
      delete process.env.PATCHQ_FAIL_APPLY_AT;
    }
  }

  /** A tree with .pc/.patchq made (as the lock makes it) and an old folder to replace. */
  function oldSnap(): { d: string; tree: ReturnType<typeof locateOrCreateTree> } {
    const d = tempDir();
    const tree = locateOrCreateTree(d, {});
    mkdirSync(tree.sideDir, { recursive: true });
    write(d, '.pc/.snap/sub/a', 'old a');
    write(d, '.pc/.snap/b', 'old b');
    write(d, '.pc/.snap/gone/deep/c', 'old c');
    write(d, '.pc/.snap/f', 'a file that becomes a folder');
    return { d, tree };
  }
  const replace = (d: string): FileOp[] => [
    { kind: 'rmtree', path: join(d, '.pc/.snap') },
    { kind: 'write', path: join(d, '.pc/.snap/sub/a'), data: 'new a' },
    { kind: 'write', path: join(d, '.pc/.snap/new/x'), data: 'x' },
    { kind: 'write', path: join(d, '.pc/.snap/f/inside'), data: 'f is a folder now' },
    { kind: 'mkdir', path: join(d, '.pc/.snap/empty/too') },
    { kind: 'write', path: join(d, 'tree.txt'), data: 't' },
  ];

  it('a folder removed and filled again in one transaction: a failure at any op puts the old one back whole', () => {
    const ops = replace('/');
    for (let n = 1; n <= ops.length; n++) {
      const { d, tree } = oldSnap();
      const before = fullSnapshot(d, { withPc: true });
      const err = failingAt(n, () => applyTransaction(tree, replace(d)));
      reached += n;
      expect(String(err), `op ${n}`).toMatch(/: cannot (write|remove|make the folder) (\.pc\/\.snap|tree\.txt)\S*: input\/output error \(EIO\) \(rolled back; nothing was changed\)$/);
      expect(fullSnapshot(d, { withPc: true }), `op ${n}`).toEqual(before);
      expect(existsSync(join(d, '.pc/.snap/empty')), `op ${n}`).toBe(false);
    }
  });

  it('done, it holds only the new folder, the empty one made with its parent', () => {
    const { d, tree } = oldSnap();
    applyTransaction(tree, replace(d));
    expect(fullSnapshot(d, { withPc: true })).toEqual({
      '.pc': 'dir',
      '.pc/.patchq': 'dir',
      '.pc/.snap': 'dir',
      '.pc/.snap/sub': 'dir',
      '.pc/.snap/sub/a': '644:new a',
      '.pc/.snap/new': 'dir',
      '.pc/.snap/new/x': '644:x',
      '.pc/.snap/f': 'dir',
      '.pc/.snap/f/inside': '644:f is a folder now',
      '.pc/.snap/empty': 'dir',
      '.pc/.snap/empty/too': 'dir',
      'tree.txt': '644:t',
    });
    expect(existsSync(join(tree.sideDir, 'tx'))).toBe(false);
  });

  it('mkdir leaves a folder that is there as it is, and refuses a file in its place', () => {
    const d = tempDir();
    const tree = locateOrCreateTree(d, {});
    mkdirSync(tree.sideDir, { recursive: true });
    write(d, '.pc/.snap/keep', 'k');
    applyTransaction(tree, [{ kind: 'mkdir', path: join(d, '.pc/.snap') }]);
    expect(read(d, '.pc/.snap/keep')).toBe('k');
    write(d, '.pc/file', 'f');
    expect(() => applyTransaction(tree, [{ kind: 'mkdir', path: join(d, '.pc/file') }])).toThrow(/a file is there \(nothing was changed\)/);
    expect(read(d, '.pc/file')).toBe('f');
  });
});

describe('kill -9 at every step', () => {
  /** Three patches over three files, one creating a file. */
  function series(): { d: string; pristine: Record<string, string> } {
    const d = tempDir();
    write(d, 'a.txt', numbered(20));
    write(d, 'b.txt', numbered(20, 'b'));
    const pristine = snapshot(d);
    const edits: Array<[string, string[], () => void]> = [
      ['1.patch', ['a.txt'], () => write(d, 'a.txt', read(d, 'a.txt').replace('l3\n', 'L3\n'))],
      ['2.patch', ['b.txt', 'c.txt'], () => (write(d, 'b.txt', read(d, 'b.txt').replace('b9\n', 'B9\n')), write(d, 'c.txt', 'new\n'))],
      ['3.patch', ['a.txt', 'b.txt'], () => (write(d, 'a.txt', read(d, 'a.txt').replace('l15\n', 'L15\n')), write(d, 'b.txt', read(d, 'b.txt') + 'end\n'))],
    ];
    for (const [name, files, edit] of edits) {
      patchq(d, ['new', name]);
      patchq(d, ['add', ...files]);
      edit();
      expect(patchq(d, ['refresh']).code).toBe(0);
    }
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    expect(snapshot(d)).toEqual(pristine);
    return { d, pristine };
  }

  /** What .pc says is applied must be exactly what the tree holds. */
  function consistent(d: string, full: Record<string, string>[], pristine: Record<string, string>): void {
    const applied = existsSync(join(d, '.pc/applied-patches')) ? readFileSync(join(d, '.pc/applied-patches'), 'utf8').split('\n').filter(Boolean) : [];
    expect(snapshot(d)).toEqual(full[applied.length]);
    expect(patchq(d, ['pop', '-a']).code).toBeLessThanOrEqual(2);
    const after = snapshot(d);
    expect(after).toEqual(pristine);
  }

  /**
   * The series, and its work trees with 0..3 patches applied (pushed one by one, then all
   * popped). Made once through the binary; each test gets a copy of it (mtimes kept).
   */
  let made: { d: string; pristine: Record<string, string>; full: Record<string, string>[] } | null = null;
  function seriesWithRefs(): { d: string; pristine: Record<string, string>; full: Record<string, string>[] } {
    if (!made) {
      const { d, pristine } = series();
      const full: Record<string, string>[] = [];
      for (let n = 0; n <= 3; n++) {
        full.push(snapshot(d));
        if (n < 3) patchq(d, ['push']);
      }
      patchq(d, ['pop', '-a']);
      made = { d, pristine, full };
    }
    const d = tempDir();
    cpSync(made.d, d, { recursive: true, preserveTimestamps: true });
    return { d, pristine: made.pristine, full: made.full };
  }

  /** How many transaction steps a command runs (PATCHQ_CRASH_AT=count). */
  const stepsOf = (d: string, args: string[], env: NodeJS.ProcessEnv = {}): number => {
    const r = patchq(d, args, { ...env, PATCHQ_CRASH_AT: 'count' });
    return Number(/patchq-steps: (\d+)/.exec(r.stdout + r.stderr)![1]);
  };

  it('push -a and pop -a killed at steps spread over the whole run leave a stack the next command repairs', () => {
    const { d, pristine, full } = seriesWithRefs();
    let trials = 0;
    // Size each sweep with PATCHQ_CRASH_AT=count, then kill at ~20 steps spread over all of
    // them, first and last included (test/hardening/crash.test.ts adds seeded random kills).
    const pushSteps = stepsOf(d, ['push', '-a']);
    const popSteps = stepsOf(d, ['pop', '-a']);
    expect(pushSteps).toBeGreaterThan(20);
    for (const [op, steps] of [[['push', '-a'], pushSteps], [['pop', '-a'], popSteps]] as const) {
      const picks = [...new Set(Array.from({ length: 12 }, (_, i) => 1 + Math.round((i * (steps - 1)) / 11)))];
      for (const k of picks) {
        // consistent() below leaves the tree popped: what push -a starts from.
        if (op[0] === 'pop') expect(patchq(d, ['push', '-a']).code).toBe(0);
        patchq(d, [...op], { PATCHQ_CRASH_AT: String(k) });
        trials++;
        // The next command recovers first, then the stack must be exact.
        expect(patchq(d, ['applied']).code).toBeLessThanOrEqual(2);
        consistent(d, full, pristine);
      }
    }
    console.log(`crash trials: ${trials} (push -a: ${pushSteps} steps, pop -a: ${popSteps}), all consistent`);
    expect(trials).toBeGreaterThanOrEqual(20);
    // ~24 trials of 5 processes each: on a loaded 2-core runner that is over a minute.
  }, 240_000);

  it('a kill during the clean-up at the end finds the manifest already gone: the next command drops the rest, after a finished and after a rolled-back run', () => {
    const { d, pristine, full } = seriesWithRefs();
    const tx = join(d, '.pc/.patchq/tx');
    // Finished: every op done, killed right after the manifest went; the set-aside
    // originals are still in tx/undo.
    const k = stepsOf(d, ['push', '-a']);
    patchq(d, ['pop', '-a']);
    expect(patchq(d, ['push', '-a'], { PATCHQ_CRASH_AT: String(k) }).code).toBe(-1);
    expect([existsSync(tx), existsSync(join(tx, 'manifest.json')), existsSync(join(tx, 'undo'))]).toEqual([true, false, true]);
    expect(patchq(d, ['applied']).stdout).toBe('1.patch\n2.patch\n3.patch\n');
    expect(existsSync(tx)).toBe(false);
    consistent(d, full, pristine);
    // Rolled back (the 4th op fails), killed at the end of the roll-back.
    const env = { PATCHQ_FAIL_APPLY_AT: '4' };
    const r = stepsOf(d, ['push', '-a'], env);
    expect(patchq(d, ['push', '-a'], { ...env, PATCHQ_CRASH_AT: String(r) }).code).toBe(-1);
    expect([existsSync(tx), existsSync(join(tx, 'manifest.json'))]).toEqual([true, false]);
    expect(patchq(d, ['applied'])).toMatchObject({ code: 1, stdout: '' });
    expect(existsSync(tx)).toBe(false);
    expect(snapshot(d)).toEqual(pristine);
  }, 60_000);

  it('push --refresh writes the push before it refreshes: when that transaction fails, the run does not write it again', () => {
    const d = tempDir();
    write(d, 'a.txt', 'a1\na2\n');
    write(d, 'b.txt', 'b1\n');
    for (const [name, file, text] of [['p1.diff', 'a.txt', 'a1\nA2\n'], ['p2.diff', 'b.txt', 'B1\n']] as const) {
      patchq(d, ['new', name]);
      patchq(d, ['add', file]);
      write(d, file, text);
      expect(patchq(d, ['refresh']).code).toBe(0);
    }
    patchq(d, ['pop', '-a']);
    // The first op failing is in the push's own transaction: nothing applied, as it says.
    const r = patchq(d, ['push', '--refresh'], { PATCHQ_FAIL_APPLY_AT: '1' });
    expect(r.stderr).toMatch(/rolled back; nothing was changed/);
    expect(patchq(d, ['applied']).code).toBe(1); // 'No patches applied', as quilt
    expect(read(d, 'a.txt')).toBe('a1\na2\n');
  }, 120_000);

  it('a kill while the series file itself is set aside (import, new in a fresh tree): the next command, whatever it is, finishes the job first', () => {
    const patchFile = join(tempDir(), 'fix.patch');
    writeFileSync(patchFile, '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-x\n+y\n');
    const fresh = (withSeries: boolean): string => {
      const d = tempDir();
      write(d, 'a.txt', 'x\n');
      if (withSeries) {
        write(d, 'patches/series', 'old.diff\n');
        write(d, 'patches/old.diff', '');
      }
      return d;
    };
    for (const [args, withSeries, before, after] of [
      [['import', patchFile], true, 'old.diff\n', 'fix.patch\nold.diff\n'], // quilt's import: after the top applied patch
      [['new', 'p1.diff'], false, null, 'p1.diff\n'],
    ] as const) {
      const steps = stepsOf(fresh(withSeries), [...args]);
      expect(steps).toBeGreaterThan(2);
      for (let k = 1; k <= steps; k++) {
        const d = fresh(withSeries);
        expect(patchq(d, [...args], { PATCHQ_CRASH_AT: String(k) }).code, `${args[0]} step ${k}`).toBe(-1);
        // Any command recovers first: here series, which reads the series file.
        const next = patchq(d, ['series']);
        expect(existsSync(join(d, '.pc/.patchq/tx')), `${args[0]} step ${k}`).toBe(false);
        const series = existsSync(join(d, 'patches/series')) ? read(d, 'patches/series') : null;
        expect([before, after], `${args[0]} step ${k}: ${next.stderr}`).toContain(series);
        if (series !== null) expect(next.code, `${args[0]} step ${k}: ${next.stderr}`).toBe(0);
      }
    }
  }, 120_000);

  it('.pc after a kill at a step of push -a (each up to just past the commit point, then every third) is the one before the push or the one after it: nothing a transaction dropped at its commit point stays (its new .pc files are written at their place)', () => {
    const { d } = seriesWithRefs();
    // No pool of spare inodes (on a file system without a journal one stages the new files).
    const env = { PATCHQ_SPARES: '0' };
    // .pc as pushing n patches leaves it; a record holds the time of its push: its name counts.
    const pcOf = (dir: string) => Object.fromEntries(Object.entries(fullSnapshot(dir, { withPc: true })).filter(([k]) => k.startsWith('.pc')).map(([k, v]) => [k, k.startsWith('.pc/.patchq/patch/') ? 'record' : v]));
    const refs = [pcOf(d)];
    for (let n = 1; n <= 3; n++) {
      expect(patchq(d, ['push'], env).code).toBe(0);
      refs.push(pcOf(d));
    }
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    expect(pcOf(d)).toEqual(refs[0]);
    // Each patch's backups, .timestamp and record are new files of .pc.
    expect(Object.keys(refs[3]!).filter((k) => !(k in refs[0]!)).length).toBeGreaterThan(10);
    const steps = stepsOf(d, ['push', '-a'], env);
    expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
    const seen = new Set<number>();
    // Every step up to the commit point and just past it (where the new .pc files are made,
    // listed and let go), then every third one.
    let committed = 0;
    for (let k = 1; k <= steps; k++) {
      if (committed > 2 && k % 3 !== 0 && k !== steps) continue;
      expect(patchq(d, ['push', '-a'], { ...env, PATCHQ_CRASH_AT: String(k) }).code, `step ${k}`).toBe(-1);
      const next = patchq(d, ['applied'], env);
      expect(existsSync(join(d, '.pc/.patchq/tx')), `step ${k}`).toBe(false);
      const n = next.stdout.split('\n').filter(Boolean).length;
      seen.add(n);
      if (n > 0) committed++;
      expect(pcOf(d), `step ${k}: ${n} applied`).toEqual(refs[n]);
      if (n > 0) expect(patchq(d, ['pop', '-a'], env).code, `step ${k}`).toBe(0);
    }
    // Kills before the commit point and after it.
    expect([...seen].sort()).toEqual([0, 3]);
    // A write that fails before the commit point (disk full): the run takes back what it wrote.
    let failed = 0;
    for (const w of [1, 2, 3, 4, 6, 9, 13, 18, 24, 30]) {
      const r = patchq(d, ['push', '-a'], { ...env, PATCHQ_FAIL_WRITE_AT: String(w) });
      if (r.code === 0) {
        expect(patchq(d, ['pop', '-a'], env).code).toBe(0);
        continue;
      }
      failed++;
      expect(r.stderr, `write ${w}`).toMatch(/input\/output error \(EIO\) \(nothing was changed\)/);
      expect(pcOf(d), `write ${w}`).toEqual(refs[0]);
    }
    expect(failed).toBeGreaterThan(5);
    // An op that fails after it (EIO): the roll-back takes them away too.
    for (const a of [1, 3, 7, 12, 20, 30]) {
      const r = patchq(d, ['push', '-a'], { ...env, PATCHQ_FAIL_APPLY_AT: String(a) });
      if (r.code === 0) break;
      expect(r.stderr, `op ${a}`).toMatch(/rolled back; nothing was changed/);
      expect(pcOf(d), `op ${a}`).toEqual(refs[0]);
    }
  }, 120_000);

  it('a kill in the middle of a roll-back: the next command finishes the roll-back, it does not roll forward over what was undone', () => {
    const { d, pristine, full } = seriesWithRefs();
    const tx = join(d, '.pc/.patchq/tx');
    // push -a writes one transaction; its op 12 of ~20 fails, so ops 1-11 are undone.
    const env = { PATCHQ_FAIL_APPLY_AT: '12' };
    const counted = patchq(d, ['push', '-a'], { ...env, PATCHQ_CRASH_AT: 'count' });
    expect(counted.stderr).toMatch(/rolled back; nothing was changed/);
    const steps = Number(/patchq-steps: (\d+)/.exec(counted.stderr)![1]);
    expect(snapshot(d)).toEqual(pristine);
    // The roll-back's steps (one per op of the manifest, then the end) are the last ones.
    let midRollBack = 0;
    for (let k = Math.max(1, steps - 20); k <= steps; k++) {
      expect(patchq(d, ['push', '-a'], { ...env, PATCHQ_CRASH_AT: String(k) }).code, `step ${k}`).toBe(-1);
      const cut = existsSync(join(tx, 'rollback.json'));
      const next = patchq(d, ['applied']);
      expect(existsSync(tx), `step ${k}`).toBe(false);
      if (cut) {
        midRollBack++;
        expect([next.code, next.stdout], `step ${k}`).toEqual([1, '']); // 'No patches applied'
        expect(snapshot(d), `step ${k}`).toEqual(pristine);
      }
      consistent(d, full, pristine);
    }
    expect(midRollBack).toBeGreaterThanOrEqual(10);
  }, 120_000);
});

describe('writeFileAtomic', () => {
  it('gives the file its mode exactly, whatever the umask takes away (set-user-ID, group-writable)', () => {
    const d = tempDir();
    // The process's umask (022 here, 002 or 027 elsewhere) takes some of these bits away.
    for (const mode of [0o664, 0o666, 0o4755, 0o2775, 0o600, 0o644]) {
      const f = join(d, mode.toString(8));
      writeFileAtomic(f, 'x'.repeat(100), { mode, sync: false });
      expect((statSync(f).mode & 0o7777).toString(8)).toBe(mode.toString(8));
      expect(readFileSync(f, 'latin1')).toBe('x'.repeat(100));
    }
  });

  it('leaves no temp file when the rename into place fails (a folder there)', () => {
    const d = tempDir();
    mkdirSync(join(d, 'target'));
    write(d, 'target/inside', 'x');
    expect(() => writeFileAtomic(join(d, 'target'), 'new bytes')).toThrow(/EISDIR|EEXIST|ENOTEMPTY/);
    expect(readdirSync(d).sort()).toEqual(['target']);
    expect(readFileSync(join(d, 'target/inside'), 'utf8')).toBe('x');
    // And where it can: written, nothing else.
    writeFileAtomic(join(d, 'f'), 'bytes', { mode: 0o600 });
    expect(readdirSync(d).sort()).toEqual(['f', 'target']);
  });
});

describe('.pc metadata that is not a file', () => {
  it('a folder where .pc/.quilt_series or .quilt_patches goes is one line naming it, exit 1, nothing written', () => {
    for (const name of ['.quilt_series', '.quilt_patches']) {
      const d = tempDir();
      mkdirSync(join(d, '.pc', name), { recursive: true });
      const before = fullSnapshot(d, { withPc: true });
      const r = patchq(d, ['new', 'x.patch']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`.pc/${name}: is a directory, where a file was expected\n`);
      expect(fullSnapshot(d, { withPc: true })).toEqual(before);
    }
  });
});
