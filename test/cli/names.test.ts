/**
 * Naming patches as quilt's find_patch does: with or without the patches/ folder and the
 * .diff/.patch extension, from a subdirectory, an exact entry before an extended one,
 * two extended matches refused. And QUILT_PATCHES_PREFIX on "Now at patch".
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { builtOnce, copyTree } from '../helpers/prepared.js';
import { patchq, quilt, snapshot, tempDir, write } from '../helpers/tree.js';

const creates = (file: string) => `--- /dev/null\n+++ b/${file}\n@@ -0,0 +1 @@\n+${file}\n`;

function tree(): string {
  const root = tempDir();
  write(root, 'patches/series', 'one.diff\nsub/two.patch\nx.diff\nx.patch\ny\ny.diff\n');
  for (const n of ['one.diff', 'sub/two.patch', 'x.diff', 'x.patch', 'y', 'y.diff']) write(root, `patches/${n}`, creates(`${n}.txt`));
  write(root, 'src/keep.txt', 'k\n');
  return root;
}

/** tree() with one.diff pushed (by the binary, once; each test gets a copy). */
const pushedOne = builtOnce(() => {
  const root = tree();
  expect(patchq(root, ['push', 'one']).code).toBe(0);
  return root;
});

describe('patch names', () => {
  it('finds a patch without its extension or with the patches/ folder, as quilt does', () => {
    const root = tree();
    const r = patchq(root, ['push', 'one']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Now at patch one.diff');
    expect(patchq(root, ['push', 'patches/sub/two']).stdout).toContain('Now at patch sub/two.patch');
    expect(patchq(root, ['applied', 'one']).stdout.trim()).toBe('one.diff');
    expect(patchq(root, ['previous', 'sub/two']).stdout.trim()).toBe('one.diff');
    // From a subdirectory, the patches folder as seen from there.
    expect(patchq(join(root, 'src'), ['pop', '../patches/one.diff']).stdout).toContain('Now at patch one.diff');
    expect(patchq(root, ['refresh', 'one']).stdout).toMatch(/one\.diff/);
  });

  it('an exact entry wins; two entries found only by extension are refused and nothing moves', () => {
    const root = pushedOne();
    const before = snapshot(root, { withPc: true });
    const amb = patchq(root, ['push', 'x']);
    expect(amb.code).toBe(1);
    expect(amb.stderr).toContain('Patch x is ambiguous: x.diff, x.patch');
    expect(snapshot(root, { withPc: true })).toEqual(before);
    const missing = patchq(root, ['push', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Patch nope is not in series');
    expect(patchq(root, ['unapplied', 'y']).stdout.trim()).toBe('y.diff');
  });

  it('prints patches/ before names when QUILT_PATCHES_PREFIX is set', () => {
    const root = tree();
    const r = patchq(root, ['push', 'one'], { QUILT_PATCHES_PREFIX: 'yes' });
    expect(r.stdout).toContain('Now at patch patches/one.diff');
    // As quilt: the patch file as seen from where the command runs.
    expect(patchq(join(root, 'src'), ['top'], { QUILT_PATCHES_PREFIX: 'yes' }).stdout.trim()).toBe('../patches/one.diff');
    // An absolute QUILT_PATCHES (.pc/.quilt_patches keeps it) as quilt prints it at the
    // root, and from anywhere below it too.
    const other = tree();
    const abs = { QUILT_PATCHES_PREFIX: 'yes', QUILT_PATCHES: join(other, 'patches') };
    expect(patchq(other, ['push', 'one'], abs).stdout).toContain(`Now at patch ${join(other, 'patches', 'one.diff')}\n`);
    expect(patchq(join(other, 'src'), ['top'], { QUILT_PATCHES_PREFIX: 'yes' }).stdout).toBe(`${join(other, 'patches', 'one.diff')}\n`);
  });

  it('refuses names quilt refuses, with exit 1 and nothing written', () => {
    const root = tree();
    const before = snapshot(root, { withPc: true });
    for (const bad of ['a b', '#x', 'series']) {
      const r = patchq(root, ['new', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Patch name '${bad}' invalid`);
    }
    expect(snapshot(root, { withPc: true })).toEqual(before);
  });

  it('refuses a name too long for the file system (255 bytes a part, 247 for the last) with one line naming it, nothing written', () => {
    const root = pushedOne();
    write(root, 'in.diff', creates('in.txt'));
    const before = snapshot(root, { withPc: true });
    const long = `${'x'.repeat(300)}.patch`;
    // 124 two-byte letters: 254 bytes in UTF-8, too long with .pc/NAME~refresh; a folder part of 256.
    const names = [long, `${'ü'.repeat(124)}.patch`, `${'d'.repeat(256)}/a.patch`];
    for (const args of [['new', long], ['import', '-P', long, 'in.diff'], ['rename', long], ['new', names[1]!], ['new', names[2]!]]) {
      const name = args.find((a) => names.includes(a))!;
      const r = patchq(root, args);
      expect([args[0], r.code, r.stderr.trim().split('\n').length]).toEqual([args[0], 1, 1]);
      expect(r.stderr).toContain(`Patch name '${name}' invalid`);
      expect(r.stderr).toMatch(/\d+ bytes; the file system takes at most 255 per path component/);
      expect(r.stderr).not.toContain('ENAMETOOLONG');
    }
    expect(snapshot(root, { withPc: true })).toEqual(before);
    // 247 bytes fit: refresh writes .pc/.patchq/patch/NAME.json beside .pc/NAME/.
    const fits = `${'y'.repeat(241)}.patch`;
    expect(patchq(root, ['new', fits]).code).toBe(0);
    expect(patchq(root, ['refresh']).code).toBe(0);
  });

  it("refuses, for every command that names a patch, a name whose .pc/ folder would be quilt's or patchq's own state; nothing written", () => {
    const root = pushedOne();
    expect(patchq(root, ['snapshot']).code).toBe(0);
    write(root, 'in.diff', creates('in.txt'));
    const before = snapshot(root, { withPc: true });
    // .pc/NAME/ would be (or be inside) .pc/.patchq (the lock, the records: pop would take them
    // away), quilt's own files, the snapshot, or a patch's needs-refresh marker.
    const bad = ['.patchq', '.patchq/x.patch', '.version', '.quilt_patches', '.quilt_series', 'applied-patches', '.snap', '.snap/x.patch', 'x.patch~refresh', 'sub/one.diff~refresh'];
    for (const name of bad) {
      for (const args of [['new', name], ['import', '-P', name, 'in.diff'], ['rename', name], ['fork', name], ['refresh', `-z${name}`]]) {
        const r = patchq(root, args);
        expect([args.join(' '), r.code, r.stderr.trim().split('\n').length]).toEqual([args.join(' '), 1, 1]);
        expect(r.stderr).toContain(`Patch name '${name}' invalid`);
        expect(snapshot(root, { withPc: true })).toEqual(before);
      }
    }
    // The stack still works: pop and push.
    expect(patchq(root, ['pop']).code).toBe(0);
    expect(patchq(root, ['push']).code).toBe(0);
  });

  it('a name in a hand-written series too long with what .pc/ adds: push refuses it naming the series line, before pushing anything', () => {
    const root = tempDir();
    // 249 bytes: the patch file exists, but .pc/NAME~refresh (which pop and refresh look
    // for) cannot: pushed, it could not be popped (a raw ENAMETOOLONG, rolled back).
    const long = `${'x'.repeat(243)}.patch`;
    const fits = `${'y'.repeat(241)}.patch`; // 247 bytes
    write(root, 'patches/series', `one.diff\n${long}\n`);
    write(root, 'patches/one.diff', creates('one.txt'));
    write(root, `patches/${long}`, creates('long.txt'));
    const before = snapshot(root);
    const r = patchq(root, ['push', '-a']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`patches/series:2: Patch name '${long}' invalid: it is 249 bytes; the file system takes at most 255 per path component (NAME_MAX), and .pc/ adds '~refresh' to it: at most 247.\n`);
    expect(snapshot(root)).toEqual(before); // one.diff was not pushed either
    expect(patchq(root, ['applied']).code).toBe(1); // 'No patches applied', as quilt
    write(root, 'patches/series', `one.diff\n${fits}\n`);
    write(root, `patches/${fits}`, creates('long.txt'));
    expect(patchq(root, ['push', '-a']).code).toBe(0);
    expect(patchq(root, ['pop', '-a']).code).toBe(0);
  });
});

describe('nothing applied', () => {
  it("applied, previous, top, next, unapplied: quilt's messages and exit codes with nothing applied and with an empty series", () => {
    const setups: Array<[string, (d: string) => void]> = [
      ['never pushed', (d) => write(d, 'patches/series', 'one.diff\nx.diff\n')],
      ['all popped', (d) => {
        write(d, 'patches/series', 'one.diff\nx.diff\n');
        quilt(d, ['push', '-a']);
        quilt(d, ['pop', '-a']);
      }],
      ['empty series', (d) => write(d, 'patches/series', '')],
      ['one applied', (d) => {
        write(d, 'patches/series', 'one.diff\nx.diff\n');
        quilt(d, ['push']);
      }],
    ];
    for (const [what, setup] of setups) {
      // Set up once (quilt runs on q), then copied for patchq.
      const q = tempDir();
      for (const n of ['one.diff', 'x.diff']) write(q, `patches/${n}`, creates(`${n}.txt`));
      setup(q);
      const p = copyTree(q);
      for (const args of [['applied'], ['previous'], ['top'], ['next'], ['unapplied']]) {
        const [a, b] = [quilt(q, args), patchq(p, args)];
        expect([what, args, b.code, b.stdout, b.stderr]).toEqual([what, args, a.code, a.stdout, a.stderr]);
      }
    }
  });
});

describe('pop with nothing to pop', () => {
  it("pop 0, and pop PATCH where PATCH is not applied: quilt's message and exit code, nothing popped", () => {
    for (const pushed of [0, 1, 2]) {
      // Set up once (quilt pushes on q), then copied for patchq.
      const q = tempDir();
      write(q, 'patches/series', 'one.diff\nx.diff\n');
      for (const n of ['one.diff', 'x.diff']) write(q, `patches/${n}`, creates(`${n}.txt`));
      if (pushed) expect(quilt(q, ['push', String(pushed)]).code).toBe(0);
      const p = copyTree(q);
      for (const args of [['pop', '0'], ['pop', 'one.diff'], ['pop', 'x.diff'], ['pop', '-f', '0']]) {
        // (With nothing pushed yet, patchq's lock makes .pc/ and quilt's metadata in it.)
        const before = snapshot(p, { withPc: pushed > 0 });
        const [a, b] = [quilt(q, args), patchq(p, args)];
        expect([pushed, args, b.code, b.stdout, b.stderr]).toEqual([pushed, args, a.code, a.stdout, a.stderr]);
        if (b.code !== 0) expect(snapshot(p, { withPc: pushed > 0 })).toEqual(before);
      }
    }
  });
});

describe('no series file', () => {
  // quilt's exit codes there are a contract: debian/rules and dh_quilt_unpatch run
  // `quilt pop -a || test $? = 2` in packages without patches (QUILT.md 2.7).
  const cases = [['applied'], ['push'], ['push', '-a'], ['pop'], ['pop', '-a'], ['series'], ['series', '-v'], ['top'], ['next'], ['previous'], ['unapplied'], ['diff'], ['files'], ['refresh']];

  it("patches/ without a series file: quilt's messages and exit codes (push, top, next 2; pop 'No patch removed' 2; series nothing, 0), while new still starts one", () => {
    const [q, p] = [tempDir(), tempDir()];
    for (const d of [q, p]) write(d, 'patches/.keep', '');
    for (const args of cases) {
      const [a, b] = [quilt(q, args), patchq(p, args)];
      expect([args, b.code, b.stdout, b.stderr]).toEqual([args, a.code, a.stdout, a.stderr]);
    }
    expect(patchq(p, ['new', 'first.patch']).code).toBe(0);
    expect(patchq(p, ['series']).stdout.trim()).toBe('first.patch');
  });

  it("no tree at all: quilt's exit codes, patchq's words saying where it looked; bare patchq prints its usage", () => {
    const [q, p] = [tempDir(), tempDir()];
    const here = `No series here: no patches/ or .pc/ in ${p} or above (start one with 'patchq new NAME')\n`;
    for (const args of cases) {
      const [a, b] = [quilt(q, args), patchq(p, args)];
      expect([args, b.code, b.stdout]).toEqual([args, a.code, a.stdout]);
      const words = args[0] === 'pop' ? 'No patch removed\n' : args.join(' ') === 'series' ? '' : here;
      expect([args, b.stderr]).toEqual([args, words]);
    }
    expect(patchq(p, ['series', '--json'])).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    // Not a terminal: the series where there is one, else the usage (patches/ alone too).
    for (const withPatches of [false, true]) {
      if (withPatches) write(p, 'patches/.keep', '');
      const bare = patchq(p, []);
      expect([withPatches, bare.code, bare.stdout.split('\n')[0]]).toEqual([withPatches, 0, 'Usage: patchq <command> [options] [args]']);
    }
  });
});

describe('a patch named where the series is empty or missing', () => {
  // quilt's find_patch: an empty series says so before looking for the name (delete.test's
  // last step); with no series file the named push/pop/next end as errors (1), not as
  // 'nothing to do' (2) as they do without a name.
  const named = [['delete', 't'], ['push', 't'], ['pop', 't'], ['files', 't'], ['header', 't'], ['next', 't'], ['previous', 't'], ['applied', 't'], ['unapplied', 't'], ['rename', '-P', 't', 'x'], ['annotate', '-P', 't', 'f'], ['refresh', 't'], ['diff', '-P', 't'], ['remove', '-P', 't', 'f'], ['revert', '-P', 't', 'f'], ['add', '-P', 't', 'f'], ['graph', 't'], ['fork'], ['fork', 't']];

  for (const series of ['', null]) {
    it(`${series === null ? 'patches/ without a series file' : 'an empty series file'}: quilt's message and exit code, nothing changed`, () => {
      const [q, p] = [tempDir(), tempDir()];
      for (const d of [q, p]) {
        write(d, series === null ? 'patches/.keep' : 'patches/series', series ?? '');
        write(d, 'f', 'f\n');
      }
      const before = snapshot(p, { withPc: true });
      for (const args of named) {
        const [a, b] = [quilt(q, args), patchq(p, args)];
        expect([args, b.code, b.stdout, b.stderr]).toEqual([args, a.code, a.stdout, a.stderr]);
      }
      expect(snapshot(p, { withPc: true })).toEqual(before); // no .pc made either
    });
  }

  it("push or pop with -a and a patch or count is quilt's usage error (1) before the series is looked at", () => {
    for (const series of ['', null]) {
      const [q, p] = [tempDir(), tempDir()];
      for (const d of [q, p]) write(d, series === null ? 'patches/.keep' : 'patches/series', series ?? '');
      for (const args of [['push', '-a', 't'], ['pop', '-a', 't'], ['push', '-a', '2'], ['pop', '-a', '2']]) {
        const [a, b] = [quilt(q, args), patchq(p, args)];
        expect([series, args, a.code, b.code, a.stdout.startsWith(`Usage: quilt ${args[0]} `)]).toEqual([series, args, 1, 1, true]);
        expect([b.stdout, b.stderr]).toEqual([expect.stringMatching(new RegExp(`^Usage: patchq ${args[0]} `)), '']);
      }
    }
  });

  it("no tree at all: a named push, pop or next exits 1 as quilt's, in patchq's words", () => {
    const [q, p] = [tempDir(), tempDir()];
    const here = `No series here: no patches/ or .pc/ in ${p} or above (start one with 'patchq new NAME')\n`;
    for (const args of [['push', 't'], ['pop', 't'], ['next', 't']]) {
      const [a, b] = [quilt(q, args), patchq(p, args)];
      expect([args, a.code, b.code, b.stdout, b.stderr]).toEqual([args, 1, 1, a.stdout, here]);
    }
  });

  it("annotate with nothing applied: quilt's 'No patches applied' (three.test), 'No patches in series', exit 1", () => {
    for (const series of ['x.patch\n', '', null]) {
      const [q, p] = [tempDir(), tempDir()];
      for (const d of [q, p]) {
        write(d, series === null ? 'patches/.keep' : 'patches/series', series ?? '');
        write(d, 'patches/x.patch', creates('f'));
        write(d, 'g', 'g\n');
      }
      for (const args of [['annotate', 'g'], ['annotate', 'f']]) {
        const [a, b] = [quilt(q, args), patchq(p, args)];
        expect([series, args, b.code, b.stdout, b.stderr]).toEqual([series, args, a.code, a.stdout, a.stderr]);
      }
    }
    const p = tempDir();
    write(p, 'patches/series', 'x.patch\n');
    write(p, 'f', 'f\n');
    expect(patchq(p, ['annotate', 'f'])).toEqual({ code: 1, stdout: '', stderr: 'No patches applied\n' });
  });
});
