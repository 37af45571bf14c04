/**
 * Hostile patches through the built binary: every way a patch (or the series) could
 * reach outside the tree is refused before any write, with `file:line:` in the message,
 * and the tree, .pc and the directory next to the tree are byte-for-byte unchanged.
 * ed scripts are refused and never run (a `!command` in one would create a marker).
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { patchq, tempDir, write } from '../helpers/tree.js';
import { applied, ok, snapshot } from './helpers.js';

let parent: string;
let d: string;
let outside: string;

/** A tree with one benign patch applied (so .pc exists), next to a directory it must not touch. */
beforeAll(() => {
  parent = tempDir('patchq-hostile-');
  d = join(parent, 'tree');
  outside = join(parent, 'outside');
  mkdirSync(d);
  write(outside, 'victim.txt', 'secret\n');
  write(d, 'a.txt', 'one\ntwo\nthree\n');
  symlinkSync(outside, join(d, 'out'));
  symlinkSync('a.txt', join(d, 'lnk'));
  write(d, 'patches/ok.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n');
  write(d, 'patches/series', 'ok.patch\nevil.patch\n');
  ok(d, ['push']);
});

/** Push `text` as the next patch: refused, message naming evil.patch:line, nothing changed. */
function refused(text: string, why: RegExp, opts: { seriesLine?: string; line?: number } = {}) {
  write(d, 'patches/evil.patch', text);
  write(d, 'patches/series', `ok.patch\n${opts.seriesLine ?? 'evil.patch'}\n`);
  const before = { tree: snapshot(d, { withPc: true }), out: snapshot(outside) };
  const r = patchq(d, ['push']);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`patches/evil\\.patch:${opts.line ?? '\\d+'}: `));
  expect(r.stderr).toMatch(why);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(snapshot(d, { withPc: true })).toEqual(before.tree);
  expect(snapshot(outside)).toEqual(before.out);
  expect(applied(d)).toEqual(['ok.patch']);
}

const create = (name: string) => `--- /dev/null\n+++ ${name}\n@@ -0,0 +1 @@\n+pwned\n`;
const modifyVictim = (name: string) => `--- ${name}\n+++ ${name}\n@@ -1 +1 @@\n-secret\n+pwned\n`;
const gitMove = (kind: 'rename' | 'copy', from: string, to: string) =>
  `diff --git a/${from} b/${to}\nsimilarity index 100%\n${kind} from ${from}\n${kind} to ${to}\n`;

describe('paths that leave the tree are refused before any write', () => {
  it('../ in the file names, plain and hidden in the middle', () => {
    refused(create('b/../evil.txt'), /refusing path '\.\.\/evil\.txt': it leads outside the tree/, { line: 1 });
    refused(modifyVictim('b/sub/../../outside/victim.txt'), /leads outside the tree/, { line: 1 });
    // A benign file first: the escape in the second file still stops the whole patch.
    refused(
      `--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n-one\n+ONE\n TWO\n three\n${create('b/../../evil.txt')}`,
      /leads outside the tree/,
      { line: 8 },
    );
  });

  it('absolute names (-p0 keeps the leading slash)', () => {
    refused(create(join(outside, 'new.txt')), /it is absolute/, { seriesLine: 'evil.patch -p0', line: 1 });
    refused(modifyVictim(join(outside, 'victim.txt')), /it is absolute/, { seriesLine: 'evil.patch -p0' });
    expect(existsSync(join(outside, 'new.txt'))).toBe(false);
  });

  it('C-quoted names that decode to an escape or a NUL', () => {
    refused(`--- /dev/null\n+++ "b/..\\057evil.txt"\n@@ -0,0 +1 @@\n+x\n`, /leads outside the tree/);
    refused(`--- /dev/null\n+++ "b/x\\000y"\n@@ -0,0 +1 @@\n+x\n`, /NUL byte/);
  });

  it('a symlinked directory leading out of the tree, to modify or to create', () => {
    refused(modifyVictim('b/out/victim.txt'), /out is a symlink that leads outside the tree/);
    refused(create('b/out/new.txt'), /out is a symlink that leads outside the tree/);
    expect(existsSync(join(outside, 'new.txt'))).toBe(false);
  });

  it('a symlink inside the tree is not patched through (it would become a regular file)', () => {
    refused('--- a/lnk\n+++ b/lnk\n@@ -1,3 +1,3 @@\n-one\n+ONE\n TWO\n three\n', /'lnk': it is a symlink/);
    refused('diff --git a/l2 b/l2\nnew file mode 120000\nindex 0000000..8d14cbf\n--- /dev/null\n+++ b/l2\n@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n', /mode 120000 is not supported \(a symlink\)/, { line: 1 });
  });

  it('rename and copy targets (and sources) outside the tree', () => {
    refused(gitMove('rename', 'a.txt', '../stolen.txt'), /refusing path '\.\.\/stolen\.txt'/);
    refused(gitMove('copy', 'a.txt', '/tmp/patchq-stolen.txt'), /it is absolute/);
    refused(gitMove('rename', '../outside/victim.txt', 'stolen.txt'), /leads outside the tree/);
    refused(gitMove('copy', 'out/victim.txt', 'stolen.txt'), /symlink that leads outside/);
    expect(existsSync('/tmp/patchq-stolen.txt')).toBe(false);
  });

  it("patchq's and git's own state", () => {
    refused(create('b/.pc/applied-patches'), /writes into \.pc\//);
    refused(create('b/.git/hooks/post-merge'), /writes into \.git\//);
  });
});

describe('import and fold refuse the same patches', () => {
  it('hostile names, symlinks out, ed scripts, -P names escaping patches/: refused, nothing written', () => {
    write(d, 'patches/series', 'ok.patch\n');
    const evil = join(parent, 'evil-in.patch');
    const check = (args: string[], why: RegExp, input?: string) => {
      const before = { tree: snapshot(d, { withPc: true }), out: snapshot(outside) };
      const r = patchq(d, args, {}, input);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(snapshot(d, { withPc: true })).toEqual(before.tree);
      expect(snapshot(outside)).toEqual(before.out);
    };
    const texts: Array<[string, RegExp]> = [
      [create('b/../evil.txt'), /:1: refusing path '\.\.\/evil\.txt': it leads outside the tree/],
      [modifyVictim('b/out/victim.txt'), /:1: refusing path 'out\/victim\.txt': out is a symlink that leads outside the tree/],
      [gitMove('rename', 'a.txt', '../stolen.txt'), /:1: refusing path '\.\.\/stolen\.txt'/],
      [`1a\n!touch ${join(parent, 'ran')}\n.\n`, /:1: ed-script diffs are not supported/],
    ];
    for (const [text, why] of texts) {
      write(parent, 'evil-in.patch', text);
      // import only stores the patch (it reads no tree file, so a symlink on the path is
      // push's business, tested above); names and ed scripts it refuses itself.
      if (!/symlink/.test(why.source)) check(['import', evil], new RegExp(`evil-in\\.patch${why.source}`));
      check(['fold'], new RegExp(`<stdin>${why.source}`), text);
    }
    write(parent, 'benign.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+1\n');
    check(['import', '-P', '../../outside/x.patch', join(parent, 'benign.patch')], /Patch name '\.\.\/\.\.\/outside\/x\.patch' invalid/);
    check(['import', '-P', join(outside, 'x.patch'), join(parent, 'benign.patch')], /invalid: it must be a relative path inside the patches directory/);
    expect(existsSync(join(parent, 'ran'))).toBe(false);
  });
});

describe('series entries that escape patches/', () => {
  it('../, absolute and a/../../ names are refused naming the series line', () => {
    write(outside, 'evil.patch', create('b/evil.txt'));
    for (const name of ['../../outside/evil.patch', join(outside, 'evil.patch'), 'sub/../../../outside/evil.patch']) {
      write(d, 'patches/series', `ok.patch\n# comment\n${name}\n`);
      const before = { tree: snapshot(d, { withPc: true }), out: snapshot(outside) };
      for (const cmd of [['push'], ['series'], ['pop']]) {
        const r = patchq(d, cmd);
        expect(r.code, `${cmd} ${name}`).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`patches/series:3: refusing patch '${name.replace(/[./]/g, '\\$&')}'`));
      }
      expect(snapshot(d, { withPc: true })).toEqual(before.tree);
      expect(snapshot(outside)).toEqual(before.out);
    }
    expect(existsSync(join(d, 'evil.txt'))).toBe(false);
  });
});

describe('a hard link into the tree', () => {
  it('is patched by replacing the tree entry: the file outside keeps its bytes', () => {
    write(outside, 'shared.txt', 'one\ntwo\n');
    linkSync(join(outside, 'shared.txt'), join(d, 'hl.txt'));
    write(d, 'patches/evil.patch', '--- a/hl.txt\n+++ b/hl.txt\n@@ -1,2 +1,2 @@\n-one\n+ONE\n two\n');
    write(d, 'patches/series', 'ok.patch\nevil.patch\n');
    ok(d, ['push']);
    expect(readFileSync(join(d, 'hl.txt'), 'latin1')).toBe('ONE\ntwo\n');
    expect(readFileSync(join(outside, 'shared.txt'), 'latin1')).toBe('one\ntwo\n');
    ok(d, ['pop']);
    expect(readFileSync(join(outside, 'shared.txt'), 'latin1')).toBe('one\ntwo\n');
    rmSync(join(d, 'hl.txt'));
    rmSync(join(outside, 'shared.txt'));
    write(d, 'patches/series', 'ok.patch\n');
  });
});

describe('a symlinked directory inside patches/', () => {
  it('a patch read through it applies, but refresh does not write out through it', () => {
    write(outside, 'linked/x.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n TWO\n-three\n+3\n');
    symlinkSync(join(outside, 'linked'), join(d, 'patches/linked'));
    write(d, 'patches/series', 'ok.patch\nlinked/x.patch\n');
    ok(d, ['push']);
    write(d, 'a.txt', 'one\nTWO\n3!\n');
    const before = { tree: snapshot(d, { withPc: true }), out: snapshot(outside) };
    const r = patchq(d, ['refresh']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing path 'linked\/x\.patch': linked is a symlink that leads outside the tree/);
    expect(snapshot(d, { withPc: true })).toEqual(before.tree);
    expect(snapshot(outside)).toEqual(before.out);
    write(d, 'a.txt', 'one\nTWO\n3\n');
    ok(d, ['pop']);
    rmSync(join(d, 'patches/linked'));
    write(d, 'patches/series', 'ok.patch\n');
  });
});

describe('ed scripts and anything that would run a command', () => {
  it('is refused, never executed', () => {
    const marker = join(parent, 'ran');
    const scripts = [
      `1a\npwned\n.\n!touch ${marker}\nw\n`, // ed with a shell escape (GNU patch CVE-2018-1000156)
      `Description\n\n3c\n!touch ${marker}\n.\nw\nq\n`,
      `diff -e a.txt b.txt\n2c\nx\n.\n`,
    ];
    for (const s of scripts) refused(s, /ed-script diffs are not supported \(they are never executed\)/);
    refused('2c2\n< two\n---\n> TWO\n', /normal diffs are not supported/, { line: 1 });
    expect(existsSync(marker)).toBe(false);
  });
});

describe('hunks that belong to no file', () => {
  it('are refused naming the hunk line, where they used to push as an empty patch and drop the change', () => {
    const hunk = '@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n';
    refused(hunk, /hunk without a file header before it/, { line: 1 });
    refused(`Subject: lost headers\n\n+++ b/a.txt\n${hunk}`, /hunk without a file header before it/, { line: 4 });
    refused(`Intro\n${hunk}--- a/a.txt\n+++ b/a.txt\n${hunk}`, /hunk without a file header before it/, { line: 2 });
    refused('diff --git a/a.txt b/a.txt\n', /'diff --git' header with no change under it/, { line: 1 });
  });
});
