/**
 * Compressed patches (.gz, .bz2, .xz in the series), as quilt keeps them: push, pop,
 * refresh, header, import and rename read them decompressed and write them compressed
 * again, and the real quilt reads what patchq wrote (and the other way round). Before,
 * a .gz patch was read as its raw bytes: no diff found, "appears to be empty; applied",
 * and its change silently left out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { patchq, quilt, read, tempDir, write } from '../helpers/tree.js';
import { snapshot } from '../hardening/helpers.js';
import { editPatchCopy, openTree } from '../../src/stack/index.js';

const PATCH = 'Fix b\n\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n';
const TOOLS = { gz: 'gzip', bz2: 'bzip2', xz: 'xz' } as const;
type Ext = keyof typeof TOOLS;

const pack = (ext: Ext, text: string): Buffer => {
  if (ext === 'gz') return gzipSync(Buffer.from(text, 'latin1'));
  const r = spawnSync(TOOLS[ext], ['-c'], { input: Buffer.from(text, 'latin1') });
  return r.stdout;
};
const unpack = (ext: Ext, bytes: Buffer): string => {
  if (ext === 'gz') return gunzipSync(bytes).toString('latin1');
  return spawnSync(TOOLS[ext], ['-cd'], { input: bytes }).stdout.toString('latin1');
};
const MAGIC: Record<Ext, string> = { gz: '\x1f\x8b', bz2: 'BZh', xz: '\xfd7zXZ' };

function tree(ext: Ext): { d: string; name: string } {
  const d = tempDir('patchq-packed-');
  const name = `one.diff.${ext}`;
  write(d, 'f', 'a\nb\nc\n');
  write(d, `patches/${name}`, pack(ext, PATCH));
  write(d, 'patches/series', `${name}\n`);
  return { d, name };
}
const ok = (d: string, args: string[], input?: string) => {
  const r = patchq(d, args, {}, input);
  expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
  return r;
};
const stored = (d: string, name: string) => readFileSync(join(d, 'patches', name));

describe.each(['gz', 'bz2', 'xz'] as const)('a .%s patch', (ext) => {
  it('pushes, refreshes and takes a header, staying compressed; quilt pops and pushes what patchq wrote', () => {
    const { d, name } = tree(ext);
    expect(ok(d, ['push']).stdout).toContain('patching file f');
    expect(read(d, 'f')).toBe('a\nB\nc\n');
    write(d, 'f', 'a\nB\nc\nd\n');
    ok(d, ['refresh']);
    ok(d, ['header', '-r'], 'New description\n');
    const bytes = stored(d, name);
    expect(bytes.toString('latin1').startsWith(MAGIC[ext])).toBe(true);
    const text = unpack(ext, bytes);
    expect(text).toMatch(/^New description\n/);
    expect(text).toContain('+B\n c\n+d\n');
    expect(ok(d, ['header']).stdout).toBe('New description\n');
    ok(d, ['pop']);
    expect(read(d, 'f')).toBe('a\nb\nc\n');
    // quilt reads patchq's compressed patch: the same tree
    expect(quilt(d, ['push']).code).toBe(0);
    expect(read(d, 'f')).toBe('a\nB\nc\nd\n');
    expect(quilt(d, ['pop']).code).toBe(0);
    expect(read(d, 'f')).toBe('a\nb\nc\n');
  });

  it('is edited through a plain copy (the TUI\'s e): unchanged, its bytes stay; changed, it is written back compressed', () => {
    const { d, name } = tree(ext);
    const tr = openTree(d);
    const before = stored(d, name);
    let given = '';
    expect(editPatchCopy(tr, name, (file) => void (given = file))).toBe(false);
    expect(basename(given)).toBe('one.diff');
    expect(stored(d, name).equals(before)).toBe(true);
    expect(editPatchCopy(tr, name, (file) => writeFileSync(file, readFileSync(file, 'latin1').replace('Fix b', 'Fix b, edited'), 'latin1'))).toBe(true);
    expect(stored(d, name).toString('latin1').startsWith(MAGIC[ext])).toBe(true);
    expect(unpack(ext, stored(d, name))).toBe(PATCH.replace('Fix b', 'Fix b, edited'));
    expect(existsSync(given)).toBe(false); // the copy is gone
    expect(ok(d, ['push']).stdout).toContain('patching file f');
  });
});

describe('compressed patches and quilt', () => {
  it("a .gz patch quilt refreshed is pushed and popped by patchq, and patchq's refresh of it gives what quilt's gives", () => {
    const { d, name } = tree('gz');
    const twin = tempDir('patchq-packed-twin-');
    for (const t of [d, twin]) {
      write(t, 'f', 'a\nb\nc\n');
      write(t, `patches/${name}`, pack('gz', PATCH));
      write(t, 'patches/series', `${name}\n`);
    }
    expect(quilt(d, ['push']).code).toBe(0);
    write(d, 'f', 'a\nB\nc\ne\n');
    expect(quilt(d, ['refresh']).code).toBe(0);
    expect(quilt(d, ['pop']).code).toBe(0);
    ok(d, ['push']);
    expect(read(d, 'f')).toBe('a\nB\nc\ne\n');
    // the same edit refreshed by each tool: the same text inside the .gz
    ok(twin, ['push']);
    write(twin, 'f', 'a\nB\nc\ne\n');
    ok(twin, ['refresh']);
    // (quilt's Index lines name the tree's folder: the two temp folders differ)
    const body = (t: string) => unpack('gz', stored(t, name)).replaceAll(basename(t), 'TREE').replace(/\t\d{4}-.*$/gm, '');
    expect(body(twin)).toBe(body(d));
    expect(body(d)).toContain('+e\n');
  });
});

describe('import and rename', () => {
  it('import keeps a .gz patch compressed under its name, and import -f merges headers through the compression', () => {
    const d = tempDir('patchq-packed-import-');
    write(d, 'f', 'a\nb\nc\n');
    write(d, 't/fix.diff.gz', pack('gz', PATCH));
    ok(d, ['import', 't/fix.diff.gz']);
    expect(read(d, 'patches/series')).toBe('fix.diff.gz\n');
    expect(unpack('gz', stored(d, 'fix.diff.gz'))).toBe(PATCH);
    write(d, 't/fix.diff.gz', pack('gz', PATCH.replace('Fix b', 'Fix b, again')));
    ok(d, ['import', '-f', '-d', 'n', 't/fix.diff.gz']);
    expect(unpack('gz', stored(d, 'fix.diff.gz'))).toMatch(/^Fix b, again\n/);
    ok(d, ['push']);
    expect(read(d, 'f')).toBe('a\nB\nc\n');
  });

  it('rename to a name with another compression converts the file; to the same one moves its bytes', () => {
    const { d, name } = tree('gz');
    const before = stored(d, name);
    ok(d, ['rename', '-P', name, 'two.diff.gz']);
    expect(stored(d, 'two.diff.gz')).toEqual(before);
    ok(d, ['rename', '-P', 'two.diff.gz', 'two.diff.xz']);
    expect(unpack('xz', stored(d, 'two.diff.xz'))).toBe(PATCH);
    ok(d, ['rename', '-P', 'two.diff.xz', 'two.diff']);
    expect(read(d, 'patches/two.diff')).toBe(PATCH);
    expect(existsSync(join(d, 'patches', name))).toBe(false);
  });
});

describe('bytes that are not a patch', () => {
  const refused = (d: string, why: RegExp, env: NodeJS.ProcessEnv = {}) => {
    const before = snapshot(d);
    const r = patchq(d, ['push'], env);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshot(d)).toEqual(before);
    expect(existsSync(join(d, '.pc/applied-patches'))).toBe(false);
  };

  it('a broken .gz is an error naming it, nothing changed', () => {
    const { d, name } = tree('gz');
    write(d, `patches/${name}`, 'not gzip at all\n');
    refused(d, /^patches\/one\.diff\.gz: not valid gzip data/);
    write(d, `patches/${name}`, pack('gz', PATCH).subarray(0, 20)); // cut short
    refused(d, /^patches\/one\.diff\.gz: not valid gzip data/);
  });

  it('compressed data under a plain name, or a NUL byte, is refused instead of pushed as an empty patch', () => {
    const d = tempDir('patchq-packed-plain-');
    write(d, 'f', 'a\nb\nc\n');
    write(d, 'patches/series', 'x.patch\n');
    for (const ext of ['gz', 'bz2', 'xz'] as const) {
      write(d, 'patches/x.patch', pack(ext, PATCH));
      // (xz keeps a small input as it is inside its frame: the diff's lines are there)
      refused(d, new RegExp(`^patches/x\\.patch:1: ${TOOLS[ext]} data, not patch text: a compressed patch needs a name ending in \\.${ext}$`, 'm'));
    }
    write(d, 'patches/x.patch', 'Some text\nand \0 a NUL\n');
    refused(d, /^patches\/x\.patch:2: binary data, not patch text/);
  });

  it('a missing decompressor is an error naming the patch and the tool', () => {
    const { d } = tree('xz');
    refused(d, /^patches\/one\.diff\.xz: xz is not installed/, { PATH: tempDir('patchq-empty-path-') });
  });
});
