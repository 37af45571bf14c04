/**
 * Symlinks in the quilt layout, patchq beside real quilt 0.66 on twin trees: patch files
 * that are links to patches kept elsewhere (quilt's symlink.test), a series file that is a
 * link, patches -> debian/patches, and a project reached through a symlinked folder. Same
 * messages, exit codes, files and links as quilt; where quilt would follow a link into
 * trouble (dangling, a loop, out of the tree) a one-line error and nothing changed.
 */
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
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
 * ../kept/p1.diff), both pushed by quilt; twins of it in `proj` folders of two temp dirs.
 */
function linkedTwins(): [string, string] {
  const made = tempDir();
  const d = join(made, 'proj');
  write(d, 'a.txt', 'one\n');
  write(d, 'b.txt', 'bee\n');
  write(d, 'kept/p1.diff', diff('a.txt', 'one', 'ONE'));
  write(d, 'kept/p2.diff', diff('b.txt', 'bee', 'BEE'));
  write(d, 'patches/series', 'p1.diff\np2.diff\n');
  for (const n of ['p1.diff', 'p2.diff']) symlinkSync(`../kept/${n}`, join(d, 'patches', n));
  expect(quilt(d, ['push', '-a']).code).toBe(0);
  const twin = join(tempDir(), 'proj');
  cpSync(d, twin, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return [d, twin];
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
