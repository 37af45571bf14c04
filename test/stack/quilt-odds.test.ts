/**
 * The last small differences from quilt 0.66, each beside the real quilt: twin trees, the
 * same commands, the same output, exit codes and files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchq, quilt, read, snapshot, tempDir, twins, write, type Run } from '../helpers/tree.js';

const out = (r: Run) => [r.code, r.stdout, r.stderr];

describe('quilt 0.66 odds', () => {
  it("new leaves an empty .pc/NAME as quilt's; a pop after quilt's new and add checks the patch (edits are not lost)", () => {
    // Both twins made by quilt's new and add: made once, then copied.
    const q = tempDir();
    write(q, 'a', 'a\n');
    for (const args of [['new', 'p.diff'], ['add', 'a']]) expect(quilt(q, args).code, args.join(' ')).toBe(0);
    const p = tempCopy(q);
    for (const d of [q, p]) write(d, 'a', 'edited\n');
    // quilt's new made no .timestamp: quilt's pop looks, and refuses.
    expect(out(patchq(p, ['pop']))).toEqual(out(quilt(q, ['pop'])));
    expect(patchq(p, ['pop']).code).toBe(1);
    expect(read(p, 'a')).toBe('edited\n');
    // patchq's new leaves what quilt's leaves.
    const [q2, p2] = twins(() => {});
    expect(out(patchq(p2, ['new', 'n.diff']))).toEqual(out(quilt(q2, ['new', 'n.diff'])));
    expect(readdirSync(join(p2, '.pc/n.diff'))).toEqual(readdirSync(join(q2, '.pc/n.diff')));
    expect(readdirSync(join(p2, '.pc/n.diff'))).toEqual([]);
  });

  it("a patch with no file yet: rename moves its empty .pc folder, delete says it 'appears to be empty', as quilt", () => {
    const [q, p] = twins(() => {});
    for (const args of [['new', 'p1.diff'], ['new', 'p2.diff'], ['rename', 'p3.diff']]) expect([args, ...out(patchq(p, args))]).toEqual([args, ...out(quilt(q, args))]);
    expect(readdirSync(join(p, '.pc')).filter((f) => !f.startsWith('.')).sort()).toEqual(readdirSync(join(q, '.pc')).sort().filter((f) => !f.startsWith('.')));
    for (const args of [['delete', 'p3.diff'], ['delete']]) expect([args, ...out(patchq(p, args))]).toEqual([args, ...out(quilt(q, args))]);
  });

  it('next PATCH and previous PATCH: the named patch when unapplied, "currently applied" (exit 2), the applied one below', () => {
    const [q, p] = twins((d) => {
      write(d, 'patches/series', 'p1.diff\np2.diff\np3.diff\np4.diff\n');
      for (const n of [1, 2, 3, 4]) write(d, `patches/p${n}.diff`, `--- a/f${n}\n+++ b/f${n}\n@@ -0,0 +1 @@\n+x\n`);
    });
    const both = (args: string[]) => expect([args, ...out(patchq(p, args))]).toEqual([args, ...out(quilt(q, args))]);
    // Nothing applied (quilt's previous PATCH then says awk's complaint on stderr: the code and stdout only).
    for (const args of [['previous', 'p2.diff'], ['previous', 'p1']]) expect([args, ...out(patchq(p, args)).slice(0, 2)]).toEqual([args, ...out(quilt(q, args)).slice(0, 2)]);
    for (const args of [['next', 'p1'], ['next', 'p4.diff']]) both(args);
    for (const d of [p, q]) expect(quilt(d, ['push', '-q', '2']).code).toBe(0);
    for (const n of ['p1', 'p2.diff', 'p3', 'p4.diff', 'nope']) {
      both(['next', n]);
      both(['previous', n]);
    }
    both(['next']);
    both(['previous']);
  });

  it('header --backup keeps PATCH~ also when the header does not change (-e, -a, -r)', () => {
    const patch = 'The header.\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n';
    const [q, p] = twins((d) => {
      write(d, 'patches/series', 'p.diff\n');
      write(d, 'patches/p.diff', patch);
    });
    for (const [args, input] of [[['header', '-e', '--backup'], ''], [['header', '-a', '--backup'], ''], [['header', '-r', '--backup'], 'The header.\n']] as const) {
      for (const d of [q, p]) rmSync(join(d, 'patches/p.diff~'), { force: true });
      expect([args, ...out(patchq(p, [...args, 'p'], { EDITOR: 'true' }, input))]).toEqual([args, ...out(quilt(q, [...args, 'p'], { EDITOR: 'true' }, input))]);
      expect(readdirSync(join(p, 'patches'))).toEqual(readdirSync(join(q, 'patches')).sort());
      for (const d of [q, p]) expect([d, read(d, 'patches/p.diff~'), read(d, 'patches/p.diff')]).toEqual([d, patch, patch]);
    }
  });

  it("upgrade converts an older quilt's .pc as quilt's: names given their extension, .version written; a patch not in the series changes nothing", () => {
    // An old quilt's .pc: applied names without their extension, no .version.
    const old = (d: string, applied: string) => {
      write(d, 'a', 'a\n');
      write(d, 'patches/series', 'p1.patch\np3 -p0\n');
      write(d, '.pc/p1/a', 'a\n');
      write(d, '.pc/p1/.timestamp', '');
      utimesSync(join(d, '.pc/p1/.timestamp'), 1e9, 1e9);
      write(d, '.pc/p3/.timestamp', '');
      write(d, '.pc/applied-patches', applied);
    };
    const [q0, p0] = twins(() => {});
    expect(out(patchq(p0, ['upgrade']))).toEqual(out(quilt(q0, ['upgrade'])));
    expect(readdirSync(p0)).toEqual([]);
    const [q, p] = twins((d) => old(d, 'p1\np3\n'));
    // The names do not match the series: quilt's version check says what to do.
    expect(out(patchq(p, ['top']))).toEqual(out(quilt(q, ['top'])));
    expect(out(patchq(p, ['upgrade']))).toEqual(out(quilt(q, ['upgrade'])));
    const pc = (d: string) => Object.keys(snapshot(d, { withPc: true })).filter((f) => !f.startsWith('.pc/.patchq')).sort();
    expect(pc(p)).toEqual(pc(q));
    expect(read(p, '.pc/applied-patches')).toBe('p1.patch\np3\n');
    expect(statSync(join(p, '.pc/p1.patch/.timestamp')).mtimeMs).toBe(1e12);
    for (const args of [['applied'], ['upgrade']]) expect(out(patchq(p, args))).toEqual(out(quilt(q, args)));
    // An applied patch the series does not have: quilt's words; patchq changes nothing.
    const [q2, p2] = twins((d) => old(d, 'p1\nnope\n'));
    const before = snapshot(p2, { withPc: true });
    expect(out(patchq(p2, ['upgrade']))).toEqual(out(quilt(q2, ['upgrade'])));
    expect(snapshot(p2, { withPc: true })).toEqual(before);
    // Newer than patchq knows: refused, as quilt refuses it.
    for (const d of [q2, p2]) write(d, '.pc/.version', '3\n');
    expect(patchq(p2, ['upgrade']).code).toBe(quilt(q2, ['upgrade']).code);
    // quilt 0.66 finds only .patch (its grep has '\\.diff?' in a basic expression); patchq converts .diff too.
    const d = tempDir();
    old(d, 'p1\n');
    write(d, 'patches/series', 'p1.diff\n');
    expect(out(patchq(d, ['upgrade']))).toEqual([0, 'Converting meta-data to version 2\n', '']);
    expect(readdirSync(join(d, '.pc/p1.diff')).sort()).toEqual(['.timestamp', 'a']);
  });

  it("a series file with hard links keeps them, as quilt's `cat > series`: new, rename, delete, import, refresh -z write into it", () => {
    const [q, p] = twins((d) => {
      write(d, 'a', 'a\n');
      write(d, 'patches/series', 'p1.diff\n');
      write(d, 'patches/p1.diff', '--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+b\n');
      write(d, 'in.diff', '--- a/c\n+++ b/c\n@@ -0,0 +1 @@\n+c\n');
      linkSync(join(d, 'patches/series'), join(d, 'kept-series'));
    });
    const linked = (d: string) => statSync(join(d, 'patches/series')).ino === statSync(join(d, 'kept-series')).ino;
    for (const args of [['push'], ['new', 'p2.diff'], ['rename', 'p3.diff'], ['delete', 'p3.diff'], ['import', 'in.diff'], ['series']]) {
      expect([args, ...out(patchq(p, args))]).toEqual([args, ...out(quilt(q, args))]);
      expect([args, linked(p), read(p, 'kept-series')]).toEqual([args, linked(q), read(q, 'patches/series')]);
    }
    expect(linked(p)).toBe(true);
    write(p, 'a', 'z\n');
    expect(patchq(p, ['refresh', '-zp5.diff']).code).toBe(0);
    expect([linked(p), read(p, 'kept-series')]).toEqual([true, 'p1.diff\np5.diff\nin.diff\n']);
  });

  it('a series file with hard links is still written all or nothing: a kill at each step of new, a failure at each op', () => {
    const p = tempDir();
    write(p, 'patches/series', 'p1.diff\np5.diff\n');
    expect(patchq(p, ['new', 'p0.diff']).code).toBe(0);
    linkSync(join(p, 'patches/series'), join(p, 'kept-series'));
    const linked = (d: string) => statSync(join(d, 'patches/series')).ino === statSync(join(d, 'kept-series')).ino;
    // All or nothing still: killed at each step of a new, or failing at each of its ops,
    // the next command finds the series old or new, the link kept.
    const steps = Number(/patchq-steps: (\d+)/.exec(patchq(tempCopy(p), ['new', 'x.diff'], { PATCHQ_CRASH_AT: 'count' }).stderr)![1]);
    const old = read(p, 'patches/series');
    const whole = tempCopy(p);
    expect(patchq(whole, ['new', 'x.diff']).code).toBe(0);
    const neu = read(whole, 'patches/series');
    // (new's ops: the series, .pc/x.diff, applied-patches: failing the 2nd or 3rd rolls the series back.)
    const runs = [...Array.from({ length: steps }, (_, k) => ({ PATCHQ_CRASH_AT: String(k + 1) })), ...[1, 2, 3].map((k) => ({ PATCHQ_FAIL_APPLY_AT: String(k) }))];
    for (const env of runs) {
      {
        const d = tempCopy(p);
        patchq(d, ['new', 'x.diff'], env);
        const r = patchq(d, ['series']);
        expect([env, r.code, linked(d), read(d, 'kept-series')]).toEqual([env, 0, true, read(d, 'patches/series')]);
        expect([env, [old, neu].includes(read(d, 'patches/series'))]).toEqual([env, true]);
        expect([env, existsSync(join(d, '.pc/.patchq/tx'))]).toEqual([env, false]);
      }
    }
  });
});

describe("series options in GNU patch's other forms", () => {
  it('-Rp1 and --reverse reverse-apply as under quilt (same trees, same words); an option patchq cannot honour is one line naming the series line, nothing changed (quilt: patch fails)', () => {
    const setup = (opts: string[]) => (d: string) => {
      write(d, 'a.txt', 'one\nTWO\nthree\n');
      write(d, 'b.txt', 'x\nY\nz\n');
      // Written from the patched text back to the original: applied reversed, they make the change.
      write(d, 'patches/ra.diff', '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n');
      write(d, 'patches/rb.diff', '--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n');
      write(d, 'patches/series', `ra.diff ${opts[0]}\nrb.diff ${opts[1]}\n`);
    };
    const [q, p] = twins(setup(['-Rp1', '--reverse']));
    const out = (r: Run) => [r.code, r.stdout];
    expect(out(patchq(p, ['push', '-a']))).toEqual(out(quilt(q, ['push', '-a'])));
    expect(snapshot(p)).toEqual(snapshot(q));
    expect(read(p, 'a.txt')).toBe('one\ntwo\nthree\n');
    expect(read(p, 'b.txt')).toBe('x\ny\nz\n');
    expect(out(patchq(p, ['pop', '-a']))).toEqual(out(quilt(q, ['pop', '-a'])));
    expect(snapshot(p)).toEqual(snapshot(q));

    // Pushed by quilt, then copied: the twin for patchq.
    const q2 = tempDir();
    setup(['-R', '-Q'])(q2);
    expect(quilt(q2, ['push']).code).toBe(0);
    const p2 = tempCopy(q2);
    const before = snapshot(p2, { withPc: true });
    const r = patchq(p2, ['push']);
    expect(r.code).toBe(quilt(q2, ['push']).code);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("patches/series:2: option '-Q' of rb.diff is not one patchq can honour (it reads -pN, -R and GNU patch's options that change nothing here)\n");
    expect(snapshot(p2, { withPc: true })).toEqual(before);
  });
});

/** A copy of a tree (hard links inside it kept, as cp -a keeps them). */
function tempCopy(from: string): string {
  const d = tempDir();
  execFileSync('cp', ['-a', `${from}/.`, d]);
  return d;
}
