/**
 * The patch-file commands' pure parts against the real tools: file names against the
 * ones real `git format-patch` picks, strip_diffstat against real `quilt header
 * --strip-diffstat`, DEP-3 and mail headers; and the registry's --help for each command.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gitPatchName, mailHeaders, parseDep3, splitMailbox, stripPatchPrefix, decodeWords, formatMail } from '../../src/stack/mail.js';
import { splitPatchText, stripDiffstat } from '../../src/stack/ops/header.js';
import { git, numbered, patchq, quilt, read, tempDir, write } from '../helpers/tree.js';

const SUBJECTS = [
  'Fix: the b/line (really!) -- spaces   inside',
  '[topic] keep the bracket',
  'dots...and..more. trailing.',
  'ünïcödé only-ish',
  '___under_scores___ and -dashes-',
  'A very long subject line that goes on and on well past the sixty four byte limit git has',
  '   leading blanks',
];

describe('mail helpers against real git and quilt', () => {
  it('names patches as git format-patch does', () => {
    const g = tempDir('patchq-names-');
    git(g, 'init', '-q');
    write(g, 'f.txt', 'base\n');
    git(g, 'add', '.');
    git(g, 'commit', '-q', '-m', 'base');
    SUBJECTS.forEach((s, i) => {
      write(g, 'f.txt', `v${i}\n`);
      git(g, 'commit', '-q', '-a', '-m', s);
    });
    const out = tempDir('patchq-names-out-');
    const names = git(g, 'format-patch', '-o', out, 'HEAD~' + SUBJECTS.length).trim().split('\n').map((p) => p.slice(out.length + 1));
    // Subjects as git stores them (leading blanks trimmed), UTF-8 bytes as byte strings.
    const ours = SUBJECTS.map((s, i) => gitPatchName(i + 1, Buffer.from(s.trim(), 'utf8').toString('latin1')));
    expect(ours).toEqual(names);
    // And from the mails themselves: split the mbox, decode each Subject, name it.
    const mbox = git(g, 'format-patch', '--stdout', 'HEAD~' + SUBJECTS.length);
    const chunks = splitMailbox(Buffer.from(mbox, 'utf8').toString('latin1'));
    expect(chunks).toHaveLength(SUBJECTS.length);
    const fromMail = chunks.map((c, i) => gitPatchName(i + 1, stripPatchPrefix(mailHeaders(c.text)!.get('subject')!)));
    expect(fromMail).toEqual(names);
    for (const [i, c] of chunks.entries()) expect(c.text).toBe(read(out, names[i]!));
  });

  it('strips a diffstat as quilt header --strip-diffstat does', () => {
    const d = tempDir();
    write(d, 'a.txt', numbered(5));
    const header = 'Subject: x\n\nbody | with a bar\n---\n a.txt | 2 +-\n b.txt | 10 ++++++++++\n 2 files changed, 11 insertions(+), 1 deletion(-)\n # x | 1 +\nkept line\n\n';
    write(d, 'patches/series', 'p.patch\n');
    write(d, 'patches/p.patch', header + '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-l1\n+L1\n');
    const q = quilt(d, ['header', '--strip-diffstat', 'p.patch']);
    expect(q.code).toBe(0);
    expect(stripDiffstat(header)).toBe(q.stdout);
    expect(patchq(d, ['header', '--strip-diffstat', 'p.patch']).stdout).toBe(q.stdout);
    expect(patchq(d, ['header', 'p.patch']).stdout).toBe(quilt(d, ['header', 'p.patch']).stdout);
  });

  it('splits header and body where quilt does, keeping a format-patch "---" in the header', () => {
    const text = 'Subject: s\n\n---\n f | 1 +\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n';
    const { header, body } = splitPatchText(text);
    expect(header).toBe('Subject: s\n\n---\n f | 1 +\n\n');
    expect(header + body).toBe(text);
    expect(splitPatchText('only words\n')).toEqual({ header: 'only words\n', body: '' });
  });

  it('reads DEP-3 fields, free-form text and mail headers', () => {
    const dep3 = parseDep3('Description: Short\n Long one\n .\n Long two\nAuthor: A <a@x>\nBug-Debian: https://bugs.debian.org/1\nLast-Update: 2026-01-01\n---\nThis is ignored: yes\n');
    expect(dep3.fields).toEqual({ Description: 'Short\nLong one\n\nLong two', Author: 'A <a@x>', 'Bug-Debian': 'https://bugs.debian.org/1', 'Last-Update': '2026-01-01' });
    expect(dep3.subject).toBe('Short');
    expect(dep3.body).toBe('Long one\n\nLong two');
    const free = parseDep3('Fix the frobnicator\n\nIt was broken.\n\nOrigin: upstream, https://x/1\n');
    expect(free.subject).toBe('Fix the frobnicator');
    expect(free.body).toBe('It was broken.');
    expect(free.fields).toEqual({ Description: 'Fix the frobnicator\nIt was broken.', Origin: 'upstream, https://x/1' });
    const mail = parseDep3('From 0123456789012345678901234567890123456789 Mon Sep 17 00:00:00 2001\nFrom: =?UTF-8?q?Zo=C3=AB?= <z@x>\nDate: Fri, 2 Jan 2026 03:04:05 +0000\nSubject: [PATCH 2/3] Do it\n\nBecause.\n\nSigned-off-by: Z <z@x>\n---\n f | 1 +\n');
    expect(mail.fields).toEqual({ Author: 'Zo\xc3\xab <z@x>', Date: 'Fri, 2 Jan 2026 03:04:05 +0000', Description: 'Do it', 'Signed-off-by': 'Z <z@x>' });
    expect(mail.subject).toBe('Do it');
    expect(mail.body).toBe('Because.');
    // A "From:" line opening the body names the real author (git am reads it so).
    const fwd = parseDep3('From: Sender <s@x>\nSubject: [PATCH] Fwd\n\nFrom: Real Author <r@x>\n\nText.\n');
    expect(fwd.fields.Author).toBe('Real Author <r@x>');
    expect(fwd.subject).toBe('Fwd');
    expect(decodeWords('=?iso-8859-1?q?caf=E9?=')).toBe('caf\xc3\xa9');
    expect(decodeWords('=?UTF-8?b?Y2Fmw6k=?=')).toBe('caf\xc3\xa9');
  });

  it('writes a mail git mailinfo reads back (encoded subject and author)', () => {
    const m = formatMail({ id: '0'.repeat(40), author: 'Zo\xc3\xab <z@x.org>', date: 'Fri, 2 Jan 2026 03:04:05 +0000', subject: 'caf\xc3\xa9 time', body: 'Body.', diff: 'diff --git a/f b/f\n', prefix: '[PATCH]', signature: 'patchq' });
    const d = tempDir();
    const r = spawnSync('git', ['mailinfo', 'msg', 'patch'], { cwd: d, input: Buffer.from(m, 'latin1'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Author: Zoë\nEmail: z@x.org\nSubject: café time\nDate: Fri, 2 Jan 2026 03:04:05 +0000\n\n');
    expect(read(d, 'msg')).toBe('Body.\n');
    expect(read(d, 'patch')).toContain('\ndiff --git a/f b/f\n');
  });
});

describe('registry help', () => {
  it('gives every patch-file command a --help with its usage and options', () => {
    const d = tempDir();
    const want: Record<string, string[]> = {
      import: ['Usage: patchq import [-p N] [-R] [-P PATCH] [-f] [-d o|a|n] FILE...', '-d, --desc o|a|n'],
      delete: ['Usage: patchq delete [-r] [--backup] [PATCH | -n]', '-n, --next'],
      rename: ['Usage: patchq rename [-P PATCH] NEW_NAME', '-P, --patch PATCH'],
      header: ['Usage: patchq header [-a|-r|-e]', '--strip-trailing-whitespace'],
      export: ['Usage: patchq export [-o DIR] [--numbered] [PATCH...]', '-o, --output-directory DIR'],
    };
    for (const [cmd, parts] of Object.entries(want)) {
      const r = patchq(d, [cmd, '--help']);
      expect(r.code).toBe(0);
      for (const p of parts) expect(r.stdout).toContain(p);
    }
    const all = patchq(d, ['--help']).stdout;
    for (const cmd of Object.keys(want)) expect(all).toMatch(new RegExp(`^  ${cmd} +\\S`, 'm'));
  });
});
