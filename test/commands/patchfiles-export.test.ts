/**
 * export through the built binary, checked with real `git am`: a series of quilt-style,
 * -p0, reversed, mail and DEP-3 patches (creations, deletions, a mode change) becomes
 * format-patch mails that `git am` applies in order on the base tree, giving the same
 * files as `patchq push -a`, with authors, dates and subjects from the patch headers.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, numbered, patchq, read, snapshot, tempDir, write, gitRepo } from '../helpers/tree.js';

let made: string | null = null;

/** A copy of one fork (built once per file). */
function fork(): string {
  made ??= buildFork();
  const d = tempDir('patchq-export-');
  cpSync(made, d, { recursive: true, preserveTimestamps: true });
  return d;
}

/** The base tree as a git repo (committed), with a patch series in patches/ (not committed). */
function buildFork(): string {
  const d = gitRepo({ 'app.txt': numbered(20), 'old.txt': 'to be removed\n', 'run.sh': '#!/bin/sh\necho hi\n' }, { prefix: 'patchq-export-', message: 'base' });
  write(d, '.git/info/exclude', 'patches/\n.pc/\nout/\n');
  // 1: made by patchq (quilt format, Index lines, timestamps), DEP-3 header.
  expect(patchq(d, ['new', '01-dep3.patch']).code).toBe(0);
  expect(patchq(d, ['add', 'app.txt', 'docs/new.md']).code).toBe(0);
  write(d, 'app.txt', read(d, 'app.txt').replace('l3\n', 'L3\n'));
  write(d, 'docs/new.md', '# new\n');
  expect(patchq(d, ['refresh']).code).toBe(0);
  const dep3 = 'Description: Loud line three\n Because three matters.\nAuthor: Zoë Dev <zoe@example.com>\nOrigin: vendor\nLast-Update: 2026-11-20\n\n';
  expect(patchq(d, ['header', '-r'], {}, dep3).code).toBe(0);
  // 2: a plain description, deletes a file, changes a mode.
  expect(patchq(d, ['new', '02-plain.patch']).code).toBe(0);
  expect(patchq(d, ['add', 'old.txt', 'run.sh']).code).toBe(0);
  spawnSync('rm', [join(d, 'old.txt')]);
  spawnSync('chmod', ['755', join(d, 'run.sh')]);
  expect(patchq(d, ['refresh', '--git']).code).toBe(0);
  expect(patchq(d, ['header', '-r'], {}, 'Remove old.txt and make run.sh executable\n\nThe old file was unused.\n').code).toBe(0);
  expect(patchq(d, ['pop', '-a']).code).toBe(0);
  // 3: a -p0 patch and 4: a reversed one, imported.
  const src = tempDir('patchq-src-');
  write(src, 'p0.diff', '--- app.txt.orig\n+++ app.txt\n@@ -9,3 +9,3 @@\n l9\n-l10\n+L10\n l11\n');
  write(src, 'rev.diff', 'Lower line 15 (stored reversed)\n\n--- a/app.txt\n+++ b/app.txt\n@@ -14,3 +14,3 @@\n l14\n-L15\n+l15\n l16\n');
  expect(patchq(d, ['push', '-a']).code).toBe(0);
  expect(patchq(d, ['import', '-p0', join(src, 'p0.diff')]).code).toBe(0);
  expect(patchq(d, ['import', '-R', join(src, 'rev.diff')]).code).toBe(0);
  // 5: a git format-patch mail, imported as it is.
  const g = tempDir('patchq-mail-');
  git(g, 'init', '-q');
  write(g, 'app.txt', numbered(20));
  git(g, 'add', '-A');
  git(g, 'commit', '-q', '-m', 'base');
  write(g, 'app.txt', numbered(20).replace('l19\n', 'L19\n'));
  spawnSync('git', ['commit', '-q', '-a', '-m', 'Loud line nineteen', '-m', 'Mail body.'], { cwd: g, env: { ...process.env, GIT_AUTHOR_NAME: 'Mail Author', GIT_AUTHOR_EMAIL: 'mail@example.com', GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_NAME: 'C', GIT_COMMITTER_EMAIL: 'c@example.com' } });
  const mail = git(g, 'format-patch', '-o', src, 'HEAD~1').trim();
  expect(patchq(d, ['push', '-a']).code).toBe(0);
  expect(patchq(d, ['import', mail]).code).toBe(0);
  expect(patchq(d, ['pop', '-a']).code).toBe(0);
  return d;
}

const files = (d: string) => Object.fromEntries(Object.entries(snapshot(d)).filter(([k]) => !/^(patches|out)(\/|$)/.test(k)));

describe('export', () => {
  it('writes format-patch mails that git am applies in order on the base tree, as push -a does', () => {
    const d = fork();
    const r = patchq(d, ['export', '-o', 'out', '--numbered', '--json'], { GIT_AUTHOR_NAME: 'Fallback Person', GIT_AUTHOR_EMAIL: 'fb@example.com' });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { exported: Array<{ patch: string; file: string; subject: string; author: string; date: string }>; skipped: string[] };
    expect(data.skipped).toEqual([]);
    expect(data.exported.map((e) => [e.patch, e.file.slice(d.length + 1)])).toEqual([
      ['01-dep3.patch', 'out/0001-Loud-line-three.patch'],
      ['02-plain.patch', 'out/0002-Remove-old.txt-and-make-run.sh-executable.patch'],
      // each import went right after the top patch (02), so rev.diff is before p0.diff
      ['rev.diff', 'out/0003-Lower-line-15-stored-reversed.patch'],
      ['p0.diff', 'out/0004-p0.patch'],
      ['0001-Loud-line-nineteen.patch', 'out/0005-Loud-line-nineteen.patch'],
    ]);
    expect(data.exported.map((e) => e.author)).toEqual(['Zoë Dev <zoe@example.com>', 'Fallback Person <fb@example.com>', 'Fallback Person <fb@example.com>', 'Fallback Person <fb@example.com>', 'Mail Author <mail@example.com>']);
    const first = read(d, 'out/0001-Loud-line-three.patch');
    expect(first).toMatch(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n/);
    expect(first).toContain('Date: Fri, 20 Nov 2026 00:00:00 +0000\nSubject: [PATCH 1/5] Loud line three\n');
    expect(first).toContain('diff --git a/app.txt b/app.txt\n');
    expect(first).toContain('diff --git a/docs/new.md b/docs/new.md\nnew file mode 100644\n--- /dev/null\n+++ b/docs/new.md\n');
    // git am on a fresh clone of the base makes one commit per patch.
    const am = tempDir('patchq-am-');
    git(am, 'clone', '-q', d, 'w');
    const w = join(am, 'w');
    const mails = readdirSync(join(d, 'out')).sort().map((f) => join(d, 'out', f));
    git(w, 'am', '-q', ...mails);
    const log = git(w, 'log', '--reverse', '--format=%an <%ae>|%aD|%s|%b', 'HEAD~5..HEAD').trim().split('\n').filter((l) => l.includes('|'));
    expect(log.map((l) => l.split('|')[2])).toEqual(['Loud line three', 'Remove old.txt and make run.sh executable', 'Lower line 15 (stored reversed)', 'p0', 'Loud line nineteen']);
    expect(log[0]).toMatch(/^Zoë Dev <zoe@example.com>\|Fri, 20 Nov 2026 00:00:00 \+0000\|/);
    expect(log[4]).toMatch(/^Mail Author <mail@example.com>\|Fri, 2 Jan 2026 03:04:05 \+0000\|/);
    expect(git(w, 'log', '-1', '--format=%B', 'HEAD~4')).toBe('Loud line three\n\nBecause three matters.\n\nOrigin: vendor\n\n');
    // The same files as patchq push -a (modes included).
    expect(patchq(d, ['push', '-a']).code).toBe(0);
    expect(files(w)).toEqual(files(d));
    expect(existsSync(join(w, 'old.txt'))).toBe(false);
    expect(files(w)['run.sh']).toMatch(/^755:/);
  });

  it('exports the named patches only, [PATCH] without --numbered, into the current directory by default', () => {
    const d = fork();
    const r = patchq(d, ['export', '02-plain', 'rev.diff']);
    expect(r).toMatchObject({ code: 0, stdout: '0001-Remove-old.txt-and-make-run.sh-executable.patch\n0002-Lower-line-15-stored-reversed.patch\n' });
    expect(read(d, '0002-Lower-line-15-stored-reversed.patch')).toContain('Subject: [PATCH] Lower line 15 (stored reversed)\n');
    // The reversed patch is exported the way it is applied: l15 -> L15.
    expect(read(d, '0002-Lower-line-15-stored-reversed.patch')).toContain('-l15\n+L15\n');
  });

  it('exports GIT binary patches (changed and new binary files) and renames that git am applies byte for byte', () => {
    const d = tempDir('patchq-bin-');
    git(d, 'init', '-q', '-b', 'main');
    // NUL bytes make git diff them as binary (GIT binary patch, literal and delta).
    const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : (i * 131 + seed * 17 + ((i * i) >> 3)) & 0xff)));
    write(d, 'img.bin', bytes(400, 1));
    write(d, 'keep.txt', numbered(10));
    git(d, 'add', '-A');
    git(d, 'commit', '-q', '-m', 'base');
    write(d, '.git/info/exclude', 'patches/\n.pc/\nout/\n');
    write(d, 'img.bin', Buffer.concat([bytes(400, 1), bytes(90, 2)]));
    write(d, 'new.bin', bytes(70, 3));
    git(d, 'mv', 'keep.txt', 'moved.txt');
    write(d, 'moved.txt', numbered(10).replace('l5\n', 'L5\n'));
    git(d, 'add', '-A');
    const src = tempDir('patchq-src-');
    write(src, 'bin.patch', 'Binary things\n\n' + git(d, 'diff', '--cached', '-M', '--binary'));
    expect(read(src, 'bin.patch')).toContain('rename from keep.txt\nrename to moved.txt\n');
    git(d, 'reset', '-q', '--hard');
    expect(patchq(d, ['import', join(src, 'bin.patch')]).code).toBe(0);
    expect(patchq(d, ['export', '-o', 'out']).stdout).toBe('out/0001-Binary-things.patch\n');
    expect(read(src, 'bin.patch').match(/^GIT binary patch$/gm)).toHaveLength(2);
    expect(read(src, 'bin.patch')).toMatch(/^delta \d+$/m);
    expect(read(d, 'out/0001-Binary-things.patch').match(/^GIT binary patch$/gm)).toHaveLength(2);
    const am = tempDir('patchq-am-');
    git(am, 'clone', '-q', d, 'w');
    git(join(am, 'w'), 'am', '-q', join(d, 'out/0001-Binary-things.patch'));
    expect(patchq(d, ['push']).code).toBe(0);
    expect(files(join(am, 'w'))).toEqual(files(d));
    expect(read(join(am, 'w'), 'new.bin')).toBe(bytes(70, 3).toString('latin1'));
    expect(existsSync(join(am, 'w', 'keep.txt'))).toBe(false);
    expect(read(join(am, 'w'), 'moved.txt')).toBe(numbered(10).replace('l5\n', 'L5\n'));
  });

  it('an output place it cannot write (a folder where a mail goes, a file above DIR) is one line naming it, nothing written', () => {
    const d = fork();
    mkdirSync(join(d, 'out/0002-Remove-old.txt-and-make-run.sh-executable.patch'), { recursive: true });
    write(d, 'afile', 'x\n');
    const before = snapshot(d, { withPc: true });
    for (const [args, path] of [[['export', '-o', 'out'], 'out/0002-Remove-old.txt-and-make-run.sh-executable.patch'], [['export', '-o', 'afile/sub'], 'afile']] as const) {
      const r = patchq(d, [...args]);
      expect([args.join(' '), r.code, r.stderr.trim().split('\n').length]).toEqual([args.join(' '), 1, 1]);
      expect(r.stderr).toContain(path);
      expect(r.stderr).not.toMatch(/internal error/);
      // Not the first mail either, nor a temp file.
      expect(snapshot(d, { withPc: true })).toEqual(before);
      expect(readdirSync(join(d, 'out'))).toEqual(['0002-Remove-old.txt-and-make-run.sh-executable.patch']);
    }
  });

  it('refuses an unknown patch and writes nothing', () => {
    const d = fork();
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['export', '-o', 'out', '01-dep3.patch', 'nope.patch']);
    expect(r).toMatchObject({ code: 1, stderr: 'Patch nope.patch is not in series\n' });
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });
});
