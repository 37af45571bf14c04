/**
 * fold, remove, revert and edit through the built binary: each changes the tree through
 * the transaction, refuses without touching the disk, and leaves a stack the real quilt
 * can refresh and pop back to the pristine tree.
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { numbered, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';

/** a.txt (l1..l20) and b.txt (x y z); patch 01 changes a.txt l2 and is refreshed. Made once, copied per test. */
let base = '';
let pristine: Record<string, string> = {};
beforeAll(() => {
  base = tempDir('patchq-wt-ops-');
  write(base, 'a.txt', numbered(20));
  write(base, 'b.txt', 'x\ny\nz\n');
  pristine = snapshot(base);
  expect(patchq(base, ['new', '01-a.patch']).code).toBe(0);
  expect(patchq(base, ['add', 'a.txt']).code).toBe(0);
  write(base, 'a.txt', numbered(20).replace('l2\n', 'L2\n'));
  expect(patchq(base, ['refresh']).code).toBe(0);
});

function tree(): { d: string; pristine: Record<string, string> } {
  const d = tempDir('patchq-wt-ops-');
  cpSync(base, d, { recursive: true, preserveTimestamps: true });
  return { d, pristine };
}

const FOLD = '--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+nn\n--- a/a.txt\n+++ b/a.txt\n@@ -11,3 +11,3 @@\n l10\n-l11\n+L11\n l12\n';

describe('fold', () => {
  it('applies stdin into the top patch, adding its files; refresh takes it in; quilt pops to pristine', () => {
    const { d, pristine } = tree();
    // The a.txt hunk states line 11 for context starting at l10 (line 10): offset -1.
    const r = patchq(d, ['fold'], {}, FOLD);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('patching file b.txt\npatching file new.txt\npatching file a.txt\nHunk #1 succeeded at 10 (offset -1 lines).\n');
    expect(read(d, 'b.txt')).toBe('x\nY\nz\n');
    expect(read(d, 'new.txt')).toBe('nn\n');
    expect(read(d, 'a.txt')).toContain('L2\nl3\n');
    expect(read(d, 'a.txt')).toContain('l10\nL11\nl12\n');
    expect(quilt(d, ['files']).stdout).toBe('a.txt\nb.txt\nnew.txt\n');
    // Not refreshed yet: both tools refuse to pop.
    expect(patchq(d, ['pop']).code).toBe(1);
    expect(patchq(d, ['refresh']).stdout).toBe('Refreshed patch 01-a.patch\n');
    const patch = read(d, 'patches/01-a.patch');
    expect(patch).toContain('+Y\n');
    expect(patch).toContain('+L11\n');
    expect(patch).toContain('+nn\n');
    expect(quilt(d, ['pop', '-a']).code).toBe(0);
    const after = snapshot(d);
    for (const [k, v] of Object.entries(pristine)) expect(after[k]).toBe(v);
    expect(Object.keys(after).filter((k) => k !== 'patches' && !k.startsWith('patches/')).sort()).toEqual(Object.keys(pristine).sort());
  });

  it('is all-or-nothing: a failing hunk writes nothing (no .rej), exit 1, one line on stderr', () => {
    const { d } = tree();
    const before = snapshot(d, { withPc: true });
    const bad = FOLD.replace('-y\n', '-w\n');
    const r = patchq(d, ['fold'], {}, bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Hunk #1 FAILED at 1');
    expect(r.stderr).toBe('Nothing folded into patch 01-a.patch: the patch does not apply (enforce with -f)\n');
    expect(snapshot(d, { withPc: true })).toEqual(before);
    // Fuzz 1 is needed here: refused under QUILT_PATCH_OPTS=-F0 and --fuzz=0, as quilt's patch would.
    const fuzzy = '--- a/b.txt\n+++ b/b.txt\n@@ -1,3 +1,3 @@\n q\n-y\n+Y\n z\n';
    expect(patchq(d, ['fold'], { QUILT_PATCH_OPTS: '-F0' }, fuzzy).code).toBe(1);
    expect(patchq(d, ['fold', '--fuzz=0'], {}, fuzzy).code).toBe(1);
    const garbage = patchq(d, ['fold'], {}, 'not a patch\n');
    expect(garbage).toMatchObject({ code: 1, stderr: '<stdin>: only garbage was found in the patch input\n' });
    const outside = patchq(d, ['fold'], {}, '--- a/../x\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n');
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^<stdin>:1: refusing path/);
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(patchq(d, ['fold'], {}, fuzzy).stdout).toBe('patching file b.txt\nHunk #1 succeeded at 1 with fuzz 1.\n');
  });

  it('-f writes what lands and .rej for the rest; -R and -p0 work; --json reports the landing', () => {
    const { d } = tree();
    const forced = patchq(d, ['fold', '-f'], {}, FOLD.replace('-y\n', '-w\n'));
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('1 out of 1 hunk FAILED -- saving rejects to file b.txt.rej');
    expect(read(d, 'b.txt.rej')).toContain('-w\n+Y\n');
    expect(read(d, 'new.txt')).toBe('nn\n');
    const rev = patchq(d, ['fold', '-R', '-q', '-p0', '--json'], {}, '--- new.txt\n+++ new.txt\n@@ -0,0 +1 @@\n+nn\n'.replace('--- new.txt', '--- /dev/null'));
    expect(rev.code).toBe(0);
    const j = JSON.parse(rev.stdout);
    expect(j).toMatchObject({ patch: '01-a.patch', added: [], forced: false, report: { ok: true } });
    expect(existsSync(join(d, 'new.txt'))).toBe(false);
  });

  it("-q prints only the count of failed hunks, as quilt's fold -q (patch -s): where the rejects went with -f, nothing more without", () => {
    const bad = FOLD.replace('-y\n', '-w\n');
    const [ours, theirs] = [tree().d, tree().d];
    const q = quilt(theirs, ['fold', '-q', '-f'], {}, bad);
    expect(q.stdout).toBe('1 out of 1 hunk FAILED -- saving rejects to file b.txt.rej\n');
    const p = patchq(ours, ['fold', '-q', '-f'], {}, bad);
    expect([p.code, p.stdout]).toEqual([q.code, q.stdout]);
    expect(snapshot(ours)).toEqual(snapshot(theirs));
    // Without -f nothing is written, so no .rej to name (quilt's fold leaves one): the count alone, as push -q says it.
    const { d } = tree();
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['fold', '-q'], {}, bad);
    expect([r.code, r.stdout]).toEqual([1, '1 out of 1 hunk FAILED\n']);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });

  it('fold and edit refuse with no patch applied, in quilt\'s words', () => {
    const d = tempDir('patchq-wt-ops-');
    write(d, 'patches/series', '');
    expect(patchq(d, ['fold'], {}, FOLD)).toMatchObject({ code: 1, stderr: 'No patches in series\n' });
    write(d, 'patches/series', 'x.patch\n');
    expect(patchq(d, ['fold'], {}, FOLD)).toMatchObject({ code: 1, stderr: 'No patches applied\n' });
    expect(patchq(d, ['edit', 'a.txt'], { EDITOR: 'touch' })).toMatchObject({ code: 1, stderr: 'No patches applied\n' });
    expect(existsSync(join(d, 'a.txt'))).toBe(false);
  });
});

describe('remove and revert', () => {
  it('remove restores the file, drops it from the patch, marks it for refresh, as quilt does', () => {
    const { d, pristine } = tree();
    patchq(d, ['add', 'b.txt']);
    write(d, 'b.txt', 'changed\n');
    const r = patchq(d, ['remove', 'b.txt', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ patch: '01-a.patch', removed: ['b.txt'] });
    expect(read(d, 'b.txt')).toBe('x\ny\nz\n');
    expect(quilt(d, ['files']).stdout).toBe('a.txt\n');
    expect(existsSync(join(d, '.pc/01-a.patch~refresh'))).toBe(true);
    expect(quilt(d, ['pop']).stderr).toBe('Patch 01-a.patch needs to be refreshed first.\n');
    expect(quilt(d, ['refresh']).code).toBe(0);
    expect(quilt(d, ['pop', '-a']).code).toBe(0);
    for (const [k, v] of Object.entries(pristine)) expect(read(d, k)).toBe(v.slice(v.indexOf(':') + 1));
  });

  it('remove and revert refuse files not in the patch or changed by a later patch, writing nothing', () => {
    const { d } = tree();
    patchq(d, ['new', '02-b.patch']);
    patchq(d, ['add', 'a.txt']);
    write(d, 'a.txt', 'later\n');
    const before = snapshot(d, { withPc: true });
    for (const cmd of ['remove', 'revert']) {
      expect(patchq(d, [cmd, 'b.txt'])).toMatchObject({ code: 1, stderr: 'File b.txt is not in patch 02-b.patch\n' });
      expect(patchq(d, [cmd, '-P', '01-a.patch', 'a.txt'])).toMatchObject({ code: 1, stderr: 'File a.txt modified by patch 02-b.patch\n' });
      // One bad file refuses the good one too.
      expect(patchq(d, [cmd, 'a.txt', 'b.txt']).code).toBe(1);
    }
    expect(patchq(d, ['revert', '-P', '09.patch', 'a.txt'])).toMatchObject({ code: 1, stderr: 'Patch 09.patch is not in series\n' });
    expect(patchq(d, ['remove']).code).toBe(1);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });

  it('revert undoes unrefreshed changes (files stay in the patch); the stack pops with quilt, unrefreshed', () => {
    const { d, pristine } = tree();
    patchq(d, ['add', 'new.txt', 'b.txt']);
    write(d, 'a.txt', 'scribble\n');
    write(d, 'new.txt', 'made later\n');
    const r = patchq(d, ['revert', 'a.txt', 'new.txt', 'b.txt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Changes to a.txt in patch 01-a.patch reverted\nChanges to new.txt in patch 01-a.patch reverted\nFile b.txt is unchanged\n');
    expect(read(d, 'a.txt')).toBe(numbered(20).replace('l2\n', 'L2\n'));
    expect(existsSync(join(d, 'new.txt'))).toBe(false);
    expect(patchq(d, ['revert', 'a.txt']).stdout).toBe('File a.txt is unchanged\n');
    expect(JSON.parse(patchq(d, ['revert', '--json', 'a.txt']).stdout)).toEqual({ patch: '01-a.patch', reverted: [], unchanged: ['a.txt'] });
    expect(quilt(d, ['files']).stdout).toBe('a.txt\nb.txt\nnew.txt\n');
    expect(quilt(d, ['pop', '-a']).code).toBe(0);
    for (const [k, v] of Object.entries(pristine)) expect(read(d, k)).toBe(v.slice(v.indexOf(':') + 1));
    expect(existsSync(join(d, 'new.txt'))).toBe(false);
  });
});

describe('edit', () => {
  it('adds the files and runs $EDITOR on them; VISUAL wins; a new file left uncreated leaves the patch', () => {
    const { d } = tree();
    const r = patchq(d, ['edit', 'b.txt'], { EDITOR: 'sed -i s/y/EDITED/' });
    expect(r).toMatchObject({ code: 0, stdout: 'File b.txt added to patch 01-a.patch\n' });
    expect(read(d, 'b.txt')).toBe('x\nEDITED\nz\n');
    expect(patchq(d, ['edit', 'a.txt'], { EDITOR: 'false', VISUAL: 'sed -i s/l5/V5/' }).code).toBe(0);
    expect(read(d, 'a.txt')).toContain('V5\n');
    const gone = patchq(d, ['edit', 'ghost.txt'], { EDITOR: 'true' });
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('File ghost.txt added to patch 01-a.patch\nFile ghost.txt removed from patch 01-a.patch\n');
    expect(patchq(d, ['files']).stdout).toBe('a.txt\nb.txt\n');
    expect(patchq(d, ['edit', 'b.txt'], { EDITOR: 'exit 3;' }).code).toBe(3);
    expect(patchq(d, ['refresh']).code).toBe(0);
    expect(read(d, 'patches/01-a.patch')).toContain('+EDITED\n');
  });

  it("a file add refuses (below patches/ or .pc/) stops edit before the editor, exit 1, as quilt's edit", () => {
    const editor = 'sh -c \'for f; do echo EDITED >> "$f"; done\' sh';
    for (const args of [['edit', 'patches/series'], ['edit', '.pc/applied-patches'], ['edit', 'b.txt', 'patches/01-a.patch']]) {
      const [ours, theirs] = [tree().d, tree().d];
      const p = patchq(ours, args, { EDITOR: editor });
      const q = quilt(theirs, args, { EDITOR: editor });
      expect({ args, code: p.code, out: p.stdout + p.stderr }).toEqual({ args, code: q.code, out: q.stdout + q.stderr });
      expect(p.code).toBe(1);
      // Nothing edited; a file add did take stays added, as quilt's add leaves it (patchq's own records aside).
      const visible = (d: string) => Object.fromEntries(Object.entries(snapshot(d, { withPc: true })).filter(([k]) => !k.startsWith('.pc/.patchq/')));
      expect(visible(ours)).toEqual(visible(theirs));
      expect(read(ours, 'b.txt')).toBe('x\ny\nz\n');
    }
  });
});
