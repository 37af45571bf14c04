/**
 * Symlinks in the quilt layout, patchq beside real quilt 0.66 on twin trees: patch files
 * that are links to patches kept elsewhere (quilt's symlink.test), a series file that is a
 * link, patches -> debian/patches, and a project reached through a symlinked folder. Same
 * messages, exit codes, files and links as quilt; where quilt would follow a link into
 * trouble (dangling, a loop, out of the tree) a one-line error and nothing changed.
 */
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyNamed } from '../helpers/prepared.js';
import { patchq, quilt, read, tempDir, write, type Run } from '../helpers/tree.js';

/** Every entry below `root` but patchq's own .pc/.patchq: a link as `-> text`, a file as `mode:bytes`. */
function listing(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const rel = relative(root, p);
      if (rel === join('.pc', '.patchq')) continue;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
      else if (st.isDirectory()) walk(p);
      else out[rel] = `${(st.mode & 0o777).toString(8)}:${readFileSync(p, 'latin1')}`;
    }
  };
  walk(root);
  return out;
}

const diff = (file: string, from: string, to: string) => `--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;

/**
 * A tree with two patches kept in kept/ and linked into patches/ (patches/p1.diff ->
 * ../kept/p1.diff), both pushed by quilt; twins of it in `proj` folders of two temp dirs
 * (copyNamed: links as links, times to the nanosecond).
 * quilt pushes once per file; each call gets two copies of what it made.
 */
let linkedMade: string | undefined;
function linkedTwins(): [string, string] {
  linkedMade ??= makeLinked();
  return [copyNamed(linkedMade), copyNamed(linkedMade)];
}

function makeLinked(): string {
  const made = tempDir();
  const d = join(made, 'proj');
  write(d, 'a.txt', 'one\n');
  write(d, 'b.txt', 'bee\n');
  write(d, 'kept/p1.diff', diff('a.txt', 'one', 'ONE'));
  write(d, 'kept/p2.diff', diff('b.txt', 'bee', 'BEE'));
  write(d, 'patches/series', 'p1.diff\np2.diff\n');
  for (const n of ['p1.diff', 'p2.diff']) symlinkSync(`../kept/${n}`, join(d, 'patches', n));
  expect(quilt(d, ['push', '-a']).code).toBe(0);
  return d;
}

/** Run `steps` in ours (patchq) and theirs (quilt): each step's code and output alike. */
function sideBySide(ours: string, theirs: string, steps: Array<{ args: string[]; input?: string; env?: NodeJS.ProcessEnv; cwd?: string }>): void {
  for (const s of steps) {
    const at = (d: string) => (s.cwd ? join(d, s.cwd) : d);
    const p: Run = patchq(at(ours), s.args, s.env, s.input);
    const q: Run = quilt(at(theirs), s.args, s.env, s.input);
    expect({ args: s.args, code: p.code, out: p.stdout, err: p.stderr }).toEqual({ args: s.args, code: q.code, out: q.stdout, err: q.stderr });
  }
}

describe('a patch file that is a symlink to a patch kept elsewhere (quilt symlink.test)', () => {
  it('refresh, header and import -f write through the link, as quilt: the target gets the new bytes, the link stays', () => {
    const [ours, theirs] = linkedTwins();
    for (const d of [ours, theirs]) {
      write(d, 'b.txt', 'bee changed\n');
      write(d, '../p2-new.diff', `New header\n${diff('b.txt', 'bee', 'BEE2')}`);
    }
    sideBySide(ours, theirs, [
      { args: ['refresh', '--no-timestamps'] },
      { args: ['header', '-a'], input: 'A note\n' },
      { args: ['header', '-r', '--backup', 'p1.diff'], input: 'Replaced\n' },
      { args: ['refresh', '--backup', '--no-timestamps'] },
      { args: ['pop'] },
      { args: ['import', '-f', '-d', 'a', '-P', 'p2.diff', '../p2-new.diff'] },
      { args: ['push'] },
    ]);
    expect(listing(ours)).toEqual(listing(theirs));
    const l = listing(ours);
    expect([l['patches/p1.diff'], l['patches/p2.diff']]).toEqual(['-> ../kept/p1.diff', '-> ../kept/p2.diff']);
    expect(l['kept/p1.diff']).toMatch(/^644:Replaced\n--- a\/a\.txt/);
    // --backup's PATCH~ is a plain file in both (quilt's cp -p of the link).
    expect(l['patches/p1.diff~']).toMatch(/^644:--- a\/a\.txt/);
    expect(l['kept/p2.diff']).toBe(`644:A note\n---\nNew header\n${diff('b.txt', 'bee', 'BEE2')}`);
  });

  it('a read-only target: the link is replaced by a plain file, the target left alone (quilt: "unless its target is read-only")', () => {
    const [ours] = linkedTwins();
    chmodSync(join(ours, 'kept/p2.diff'), 0o444);
    write(ours, 'b.txt', 'bee changed\n');
    expect(patchq(ours, ['refresh']).code).toBe(0);
    const l = listing(ours);
    expect(l['kept/p2.diff']).toBe(`444:${diff('b.txt', 'bee', 'BEE')}`);
    expect(l['patches/p2.diff']).toMatch(/^644:.*\n\+bee changed\n$/s);
  });

  it('a dangling link, a link loop, a link out of the tree: a one-line error naming it, nothing changed', () => {
    const [ours] = linkedTwins();
    const outside = tempDir();
    write(outside, 'p2.diff', diff('b.txt', 'bee', 'BEE'));
    write(ours, 'b.txt', 'bee changed\n');
    const cases: Array<[string, RegExp]> = [
      ['../kept/gone.diff', /^cannot write patches\/p2\.diff: it is a dangling symlink \(nothing was changed\)\n$/],
      ['p2.diff', /^cannot write patches\/p2\.diff: it is a symlink loop \(nothing was changed\)\n$/],
      [join(outside, 'p2.diff'), /^refusing to write patches\/p2\.diff: it is a symlink to \/.*\/p2\.diff, outside the tree \(nothing was changed\)\n$/],
    ];
    for (const [target, why] of cases) {
      const link = join(ours, 'patches/p2.diff');
      renameSync(link, join(ours, 'moved'));
      symlinkSync(target, link);
      for (const [args, input] of [[['refresh'], undefined], [['header', '-a'], 'x\n'], [['refresh', '--backup'], undefined]] as const) {
        const before = listing(ours);
        const r = patchq(ours, [...args], {}, input);
        expect({ target, args, code: r.code, out: r.stdout, err: r.stderr }).toEqual({ target, args, code: 1, out: '', err: expect.stringMatching(why) });
        expect(listing(ours)).toEqual(before);
      }
      expect(read(outside, 'p2.diff')).toBe(diff('b.txt', 'bee', 'BEE'));
      renameSync(join(ours, 'moved'), link);
    }
  });
});

describe('delete -r --backup and rename of a patch file that is a symlink', () => {
  it('move the link, as quilt\'s mv: PATCH~ (or the new name) is the link, the kept patch untouched', () => {
    const [ours, theirs] = linkedTwins();
    sideBySide(ours, theirs, [
      { args: ['pop'] },
      { args: ['delete', '-r', '--backup', 'p2.diff'] },
      { args: ['pop'] },
      { args: ['rename', '-P', 'p1.diff', 'p1-renamed.diff'] },
      { args: ['push'] },
      { args: ['series'] },
    ]);
    expect(listing(ours)).toEqual(listing(theirs));
    const l = listing(ours);
    expect([l['patches/p2.diff~'], l['patches/p1-renamed.diff'], l['patches/p1.diff'], l['patches/p2.diff']]).toEqual(['-> ../kept/p2.diff', '-> ../kept/p1.diff', undefined, undefined]);
    expect([l['kept/p1.diff'], l['kept/p2.diff']]).toEqual([`644:${diff('a.txt', 'one', 'ONE')}`, `644:${diff('b.txt', 'bee', 'BEE')}`]);
  });

  it('rename into another folder: a relative link would dangle there (quilt moves it, and the patch is then missing); patchq stores a plain file', () => {
    const [ours] = linkedTwins();
    expect(patchq(ours, ['pop', '-a']).code).toBe(0);
    expect(patchq(ours, ['rename', '-P', 'p1.diff', 'sub/p1.diff']).code).toBe(0);
    const l = listing(ours);
    expect([l['patches/sub/p1.diff'], l['patches/p1.diff'], l['kept/p1.diff']]).toEqual([`644:${diff('a.txt', 'one', 'ONE')}`, undefined, `644:${diff('a.txt', 'one', 'ONE')}`]);
    expect(patchq(ours, ['push', '-a']).code).toBe(0);
  });
});

describe('a series file that is a symlink', () => {
  it('rename, delete and new write through it, as quilt\'s `cat > series`: the link stays', () => {
    const [ours, theirs] = linkedTwins();
    for (const d of [ours, theirs]) {
      renameSync(join(d, 'patches/series'), join(d, 'kept/series'));
      symlinkSync('../kept/series', join(d, 'patches/series'));
    }
    sideBySide(ours, theirs, [
      { args: ['pop'] },
      { args: ['rename', 'p1-renamed.diff'] },
      { args: ['delete', 'p2.diff'] },
      { args: ['series'] },
    ]);
    expect(listing(ours)).toEqual(listing(theirs));
    expect(listing(ours)['patches/series']).toBe('-> ../kept/series');
    expect(read(ours, 'kept/series')).toBe('p1-renamed.diff\n');
    // new and fork (refresh -z) add to it through the link too (quilt's new leaves no .pc folder: not compared).
    expect(patchq(ours, ['new', 'p3.diff']).code).toBe(0);
    expect([listing(ours)['patches/series'], read(ours, 'kept/series')]).toEqual(['-> ../kept/series', 'p1-renamed.diff\np3.diff\n']);
  });
});

describe('a project reached through a symlinked folder (cwd is a link)', () => {
  it('the root is found by walking up the path as the shell names it ($PWD), and the diff labels name that folder, as quilt', () => {
    const [ours, theirs] = linkedTwins();
    const via: string[] = [];
    for (const d of [ours, theirs]) {
      // <tmp>/proj is the real folder; <tmp>/work/link -> ../proj is how the user reaches it.
      mkdirSync(join(d, '../work'));
      symlinkSync('../proj', join(d, '../work/link'));
      via.push(join(d, '../work/link'));
      write(d, 'b.txt', 'bee changed\n');
    }
    for (const args of [['refresh', '--no-timestamps'], ['diff', '--no-timestamps'], ['top']]) {
      const p = patchq(join(via[0]!, 'kept'), args, { PWD: join(via[0]!, 'kept') });
      const q = quilt(join(via[1]!, 'kept'), args, { PWD: join(via[1]!, 'kept') });
      expect({ args, code: p.code, out: p.stdout, err: p.stderr }).toEqual({ args, code: q.code, out: q.stdout, err: q.stderr });
    }
    expect(listing(ours)).toEqual(listing(theirs));
    expect(read(ours, 'kept/p2.diff')).toMatch(/^--- link\.orig\/b\.txt\n\+\+\+ link\/b\.txt\n/m);
    // A stale $PWD (another folder) is not the current directory: the real path is used.
    expect(patchq(join(ours, 'kept'), ['top'], { PWD: tempDir() }).stdout).toBe('p2.diff\n');
  });
});

describe('patches/ or .pc/ a symlink that leads nowhere', () => {
  it('dangling or a loop: a one-line error naming it, exit 1, nothing written (quilt half-writes its state and exits 0)', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['patches', 'debian/patches', /^patches is a dangling symlink \(nothing was changed\)\n$/],
      ['patches', 'patches', /^patches is a symlink loop \(nothing was changed\)\n$/],
      ['.pc', 'nowhere', /^\.pc is a dangling symlink \(nothing was changed\)\n$/],
      ['.pc', '.pc', /^\.pc is a symlink loop \(nothing was changed\)\n$/],
    ];
    for (const [name, target, why] of cases) {
      // A folder of its own around the tree: the import reads ../x.diff, beside it.
      const d = join(tempDir(), 'tree');
      write(d, 'a.txt', 'one\n');
      if (name === '.pc') mkdirSync(join(d, 'patches'));
      symlinkSync(target, join(d, name));
      const before = listing(d);
      for (const args of [['new', 'x.diff'], ['import', 'x.diff']]) {
        if (args[0] === 'import') write(d, '../x.diff', diff('a.txt', 'one', 'ONE'));
        const r = patchq(d, args[0] === 'import' ? ['import', '../x.diff'] : args);
        expect({ name, target, args, code: r.code, out: r.stdout, err: r.stderr }).toEqual({ name, target, args, code: 1, out: '', err: expect.stringMatching(why) });
        expect(listing(d)).toEqual(before);
      }
    }
  });
});

describe('a folder below patches/ that is a symlink to patches kept elsewhere in the tree', () => {
  it('refresh, header, rename and delete -r --backup write through it, as quilt (a link out of the tree stays refused: hostile.test)', () => {
    const d = join(tempDir(), 'proj');
    write(d, 'a.txt', 'one\n');
    write(d, 'kept/sub/a.diff', diff('a.txt', 'one', 'ONE'));
    mkdirSync(join(d, 'patches'));
    symlinkSync('../kept/sub', join(d, 'patches/sub'));
    write(d, 'patches/series', 'sub/a.diff\n');
    expect(quilt(d, ['push']).code).toBe(0);
    // Twins of what quilt pushed (one push, two copies).
    const made = [copyNamed(d), copyNamed(d)];
    const [ours, theirs] = made as [string, string];
    for (const t of made) write(t, 'a.txt', 'one changed\n');
    sideBySide(ours, theirs, [
      { args: ['refresh', '--no-timestamps'] },
      { args: ['header', '-a'], input: 'A note\n' },
      { args: ['pop'] },
      { args: ['rename', '-P', 'sub/a.diff', 'sub/b.diff'] },
      { args: ['delete', '-r', '--backup', 'sub/b.diff'] },
    ]);
    expect(listing(ours)).toEqual(listing(theirs));
    expect(listing(ours)['kept/sub/b.diff~']).toMatch(/^644:A note\n.*\+one changed\n$/s);
  });
});

describe('a write through a link is all-or-nothing', () => {
  it('killed at every step of refresh --backup and of delete -r --backup, the next command finds the old state or the new one, the link a link', () => {
    const [base] = linkedTwins();
    write(base, 'b.txt', 'bee changed\n');
    const oldKept = read(base, 'kept/p2.diff');
    for (const args of [['refresh', '--backup', '--no-timestamps'], ['delete', '-r', '--backup', 'p2.diff']]) {
      // delete starts from the tree popped once (pop -f: b.txt changed), copied for each run.
      const start = args[0] === 'delete' ? copyNamed(base) : base;
      if (args[0] === 'delete') expect(patchq(start, ['pop', '-f']).code).toBe(0);
      const ref = join(tempDir(), 'proj');
      cpSync(start, ref, { recursive: true, verbatimSymlinks: true });
      const steps = Number(/patchq-steps: (\d+)/.exec(patchq(ref, args, { PATCHQ_CRASH_AT: 'count' }).stderr)![1]);
      expect(steps).toBeGreaterThan(3);
      // Run whole, the command did its job: the new state the crashed runs may end in.
      if (args[0] === 'refresh') expect([listing(ref)['patches/p2.diff'], read(ref, 'kept/p2.diff')]).toEqual(['-> ../kept/p2.diff', expect.stringContaining('+bee changed\n')]);
      else expect([listing(ref)['patches/p2.diff~'], listing(ref)['patches/p2.diff']]).toEqual(['-> ../kept/p2.diff', undefined]);
      for (let n = 1; n <= steps; n++) {
        const d = join(tempDir(), 'proj');
        cpSync(start, d, { recursive: true, verbatimSymlinks: true });
        patchq(d, args, { PATCHQ_CRASH_AT: String(n) });
        expect(patchq(d, ['series']).code).toBe(0); // recovers
        const l = listing(d);
        expect(readdirSync(join(d, 'kept'))).toEqual(['p1.diff', 'p2.diff']);
        if (args[0] === 'refresh') {
          expect([n, l['patches/p2.diff']]).toEqual([n, '-> ../kept/p2.diff']);
          const now = read(d, 'kept/p2.diff');
          if (now !== oldKept) expect([n, now, l['patches/p2.diff~']]).toEqual([n, read(ref, 'kept/p2.diff'), `644:${oldKept}`]);
        } else {
          const moved = l['patches/p2.diff~'] !== undefined;
          expect([n, moved ? l['patches/p2.diff~'] : l['patches/p2.diff'], moved ? l['patches/p2.diff'] : l['patches/p2.diff~'], read(d, 'kept/p2.diff')]).toEqual([n, '-> ../kept/p2.diff', undefined, oldKept]);
          expect([n, read(d, 'patches/series')]).toEqual([n, moved ? 'p1.diff\n' : 'p1.diff\np2.diff\n']);
        }
      }
    }
  });
});
