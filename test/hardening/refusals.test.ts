/**
 * "A refused command changes nothing on disk", command by command, through the built
 * binary. Every case runs in each tree state it names: no patches/ at all, an empty
 * series, a series with nothing applied and no .pc, one patch of two applied by patchq,
 * and the same pushed by the real quilt 0.66. Before and after each run the whole folder
 * (the tree, the settings folder beside it, a file outside the tree) is snapshot exactly:
 * every path, its bytes and mode, each file's mtime, symlink targets, .pc and .git
 * included. Nothing may appear (not even an empty .pc, a lock, a temp file), vanish or
 * change; the one exception is the pool of spare inodes (never state) in a tree whose
 * .pc/.patchq was there, after a write that failed and was rolled back. The message is one
 * line on stderr (where quilt prints it after its report on stdout, push's and pop's, the
 * last line there; with --json one JSON error on stdout and nothing on stderr), never an
 * internal error, naming the file where a case says which; the exit code is the one the
 * case gives, and where quilt has the command, quilt's own in the same tree, run there once
 * the snapshot has shown patchq left it exactly as it was.
 * Directories' mtimes are not compared (a lock's .pc/.patchq made and removed again
 * touches its parent's).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, git, patchq, quilt, tempDir, write, type Run } from '../helpers/tree.js';
import { ok, snapshot } from './helpers.js';

type State = 'none' | 'empty' | 'fresh' | 'applied' | 'quilt';
const ALL: State[] = ['none', 'empty', 'fresh', 'applied', 'quilt'];
const SERIES: State[] = ['fresh', 'applied', 'quilt'];
const APPLIED: State[] = ['applied', 'quilt'];
const UNAPPLIED: State[] = ['none', 'empty', 'fresh'];
/** Usage errors are found before the tree is looked at: a tree without .pc, and one quilt made (no .pc/.patchq). */
const USAGE: State[] = ['fresh', 'quilt'];

interface Case {
  /** The patchq arguments. */
  args: string[];
  states: State[];
  /** The exit code, or one per state. */
  code: 1 | 2 | Partial<Record<State, 1 | 2>>;
  /** quilt's arguments for the same thing, when quilt has it: its exit code must be patchq's. */
  quilt?: string[];
  /** What stderr (or the JSON error's message) must hold: the file (and line) it names. */
  names?: RegExp;
  stdin?: string;
  /** Changes the tree before the snapshot (the case's own starting point). */
  setup?: (tree: string) => void;
  env?: NodeJS.ProcessEnv;
  /** A path in the tree made immutable (chattr +i; the run is skipped where that cannot be done): the write fails and is rolled back. */
  immutable?: string;
}

const P1 = '--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n';
const P2 = '--- a/g.txt\n+++ b/g.txt\n@@ -1,2 +1,2 @@\n x\n-y\n+Y\n';
const GOOD = '--- /dev/null\n+++ b/h.txt\n@@ -0,0 +1 @@\n+new\n';
const MALFORMED = '--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n';
const OUTSIDE = '--- /dev/null\n+++ b/../escaped.txt\n@@ -0,0 +1 @@\n+pwned\n';
const NOAPPLY = '--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n q\n-r\n+R\n s\n';
const MISSING = '--- a/nosuch.txt\n+++ b/nosuch.txt\n@@ -1 +1 @@\n-x\n+y\n';
const CRLF_PATCH = P1.replace(/\n/g, '\r\n');
const GARBAGE = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x40, 0x40, 0x20, 0x2d, 0x31, 0x00, 0x0a]);

/**
 * Make `name` (with `text`, or missing when null) the next patch: first in the series
 * when nothing is applied, right after p1.diff when p1.diff is (a push that gets past a
 * good patch first writes it, as quilt does: that is not a refusal).
 */
const inSeries = (name: string, text: string | Buffer | null) => {
  const setup = (t: string) => {
    if (text !== null) write(t, `patches/${name}`, text);
    const first = existsSync(join(t, '.pc/applied-patches'));
    write(t, 'patches/series', first ? `p1.diff\n${name}\np2.diff\n` : `${name}\np1.diff\np2.diff\n`);
  };
  return Object.defineProperty(setup, 'name', { value: `next patch: ${name}` });
};
const edited = (file: string, text: string) => Object.defineProperty((t: string) => write(t, file, text), 'name', { value: `${file} edited` });
/** A live process holding the tree's lock: this test's own pid. */
function locked(t: string) {
  write(t, '.pc/.patchq/lock', `${process.pid}\n`);
}

/** The tree made a git repository (all committed), as sync and hook need. */
function gitRepo(t: string) {
  git(t, 'init', '-q', '-b', 'main');
  git(t, 'add', '-A');
  git(t, 'commit', '-qm', 'v1');
}
/** A git repository with a post-merge hook of the user's own. */
function foreignHook(t: string) {
  gitRepo(t);
  write(t, '.git/hooks/post-merge', '#!/bin/sh\necho mine\n', 0o755);
}
/** A .pc without quilt's metadata files (an older quilt's; quilt 0.66 refuses it until 'quilt upgrade'). */
function noMetadata(t: string) {
  for (const f of ['.version', '.quilt_patches', '.quilt_series']) rmSync(join(t, '.pc', f));
}
/** A settings file that is not JSON (the settings folder is beside the tree). */
function brokenSettings(t: string) {
  write(join(t, '..'), 'cfg/config.json', '{broken');
}

const json = (c: Case): Case => ({ ...c, args: [...c.args, '--json'] });

const cases: Case[] = [
  // Usage errors (found before the tree is read) and the commands that need no tree.
  { args: ['bogus-command'], states: USAGE, code: 1 },
  { args: ['push', '--bogus'], states: USAGE, code: 1, quilt: ['push', '--bogus'] },
  { args: ['pop', '--bogus'], states: USAGE, code: 1, quilt: ['pop', '--bogus'] },
  { args: ['version', 'extra'], states: ['fresh'], code: 1 },
  { args: ['help', 'nosuch'], states: ['fresh'], code: 1 },
  { args: ['completion', 'tcsh'], states: ['fresh'], code: 1 },
  { args: ['completion', 'bash', 'zsh'], states: ['fresh'], code: 1 },
  { args: ['tui', 'extra'], states: ['fresh'], code: 1 },
  { args: ['demo', 'extra'], states: ['fresh'], code: 1 },
  { args: ['demo', '--dir', 'f.txt', '--no-tui'], states: ['fresh'], code: 1, names: /f\.txt is not a folder/ },
  { args: ['demo', '--dir', 'in', '--no-tui'], states: ['fresh'], code: 1, names: /in is not empty/ },
  { args: ['config', 'bogus'], states: ['fresh'], code: 1 },
  { args: ['config', 'set', 'fuzz', 'lots'], states: ['fresh'], code: 1 },
  { args: ['config', 'get', 'nosuch'], states: ['fresh'], code: 1 },
  { args: ['config', 'unset', 'fuzz'], states: ['fresh'], code: 2 },
  { args: ['hook'], states: ['fresh'], code: 1 },
  { args: ['hook', 'bogus'], states: ['fresh'], code: 1 },
  { args: ['hook', 'install'], states: ['fresh'], code: 1 },

  // new
  { args: ['new'], states: ALL, code: 1, quilt: ['new'] },
  { args: ['new', 'a.diff', 'b.diff'], states: USAGE, code: 1 },
  { args: ['new', 'p1.diff'], states: SERIES, code: 1, quilt: ['new', 'p1.diff'], names: /p1\.diff/ },
  { args: ['new', '../x.diff'], states: ALL, code: 1, names: /x\.diff/ },
  { args: ['new', '-p', '3', 'x.diff'], states: USAGE, code: 1, quilt: ['new', '-p', '3', 'x.diff'] },
  { args: ['new', '--template', 'nosuch', 'x.diff'], states: ALL, code: 1, names: /nosuch/ },
  json({ args: ['new', 'p1.diff'], states: SERIES, code: 1, names: /p1\.diff/ }),
  { args: ['new', 'series'], states: ALL, code: 1, names: /series/ },
  { args: ['new', 'p1.diff/x'], states: SERIES, code: 1, names: /p1\.diff/ },
  { args: ['new', 'x.diff'], states: APPLIED, code: 1, setup: locked, names: /lock/ },

  // add
  { args: ['add', 'f.txt'], states: UNAPPLIED, code: 1, quilt: ['add', 'f.txt'] },
  { args: ['add'], states: USAGE, code: 1, quilt: ['add'] },
  { args: ['add', 'f.txt'], states: APPLIED, code: 2, quilt: ['add', 'f.txt'], names: /f\.txt/ },
  { args: ['add', '../outside.txt'], states: APPLIED, code: 1, names: /outside\.txt/ },
  { args: ['add', '-P', 'p2.diff', 'g.txt'], states: APPLIED, code: 1, quilt: ['add', '-P', 'p2.diff', 'g.txt'], names: /p2\.diff/ },
  { args: ['add', '-P', 'nosuch', 'g.txt'], states: SERIES, code: 1, quilt: ['add', '-P', 'nosuch', 'g.txt'], names: /nosuch/ },
  { args: ['add', 'g.txt', 'crlf.txt', 'nonl.txt', 'bin.dat', 'ro.txt', 'in'], states: APPLIED, code: 1, names: /in: is a directory/ },
  { args: ['add', 'g.txt', '../outside.txt'], states: APPLIED, code: 1, names: /outside\.txt/ },
  { args: ['add', '.pc/x'], states: APPLIED, code: 1, names: /\.pc/ },
  { args: ['add', 'g.txt'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  json({ args: ['add', 'f.txt'], states: ['fresh'], code: 1 }),

  // refresh
  { args: ['refresh'], states: UNAPPLIED, code: 1, quilt: ['refresh'] },
  { args: ['refresh', 'nosuch'], states: SERIES, code: 1, quilt: ['refresh', 'nosuch'], names: /nosuch/ },
  { args: ['refresh', 'p2.diff'], states: APPLIED, code: 1, quilt: ['refresh', 'p2.diff'], names: /p2\.diff/ },
  { args: ['refresh', 'p1.diff', 'p2.diff'], states: APPLIED, code: 1 },
  { args: ['refresh', '-U', 'x'], states: APPLIED, code: 1 },
  { args: ['refresh'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  json({ args: ['refresh'], states: ['fresh'], code: 1 }),

  // push
  { args: ['push'], states: ['none'], code: 2, quilt: ['push'] },
  { args: ['push'], states: ['empty'], code: 2, quilt: ['push'] },
  { args: ['push', 'nosuch'], states: SERIES, code: 1, quilt: ['push', 'nosuch'], names: /nosuch/ },
  { args: ['push', 'p1.diff'], states: APPLIED, code: 2, quilt: ['push', 'p1.diff'], names: /p1\.diff/ },
  { args: ['push', '1', '2'], states: USAGE, code: 1 },
  { args: ['push', '--fuzz=x'], states: USAGE, code: 1 },
  { args: ['push', '--merge=bogus'], states: USAGE, code: 1 },
  { args: ['push', '-a'], states: ['fresh'], code: 1, quilt: ['push', '-a'], setup: edited('f.txt', 'other\n'), names: /p1\.diff/ },
  { args: ['push', '-a'], states: APPLIED, code: 1, quilt: ['push', '-a'], setup: edited('g.txt', 'other\n'), names: /p2\.diff/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('bad.diff', MALFORMED), names: /bad\.diff:5:/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('bad.diff', OUTSIDE), names: /bad\.diff:1:/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('bad.diff', NOAPPLY), names: /bad\.diff/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('bad.diff', MISSING), names: /bad\.diff/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('bad.diff', GARBAGE), names: /bad\.diff:1:/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('bad.diff', CRLF_PATCH.replace('-b\r\n', '-z\r\n')), names: /bad\.diff/ },
  { args: ['push', 'p2.diff'], states: SERIES, code: 1, setup: inSeries('bad.diff', MALFORMED), names: /bad\.diff:5:/ },
  { args: ['push', '-a'], states: SERIES, code: 1, setup: inSeries('missing.diff', null), names: /missing\.diff/ },
  { args: ['push'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  json({ args: ['push', 'nosuch'], states: SERIES, code: 1, names: /nosuch/ }),
  json({ args: ['push'], states: ['none'], code: 2 }),

  // pop
  { args: ['pop'], states: UNAPPLIED, code: 2, quilt: ['pop'] },
  { args: ['pop', '-a'], states: UNAPPLIED, code: 2, quilt: ['pop', '-a'] },
  { args: ['pop', 'nosuch'], states: SERIES, code: 1, quilt: ['pop', 'nosuch'], names: /nosuch/ },
  { args: ['pop', 'p2.diff'], states: APPLIED, code: 1, quilt: ['pop', 'p2.diff'], names: /p2\.diff/ },
  { args: ['pop', '1', '2'], states: USAGE, code: 1 },
  { args: ['pop'], states: APPLIED, code: 1, quilt: ['pop'], setup: edited('f.txt', 'a\nB\nc\nedited\n'), names: /p1\.diff/ },
  { args: ['pop'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  json({ args: ['pop'], states: UNAPPLIED, code: 2 }),
  json({ args: ['pop', 'nosuch'], states: SERIES, code: 1 }),

  // the list commands
  { args: ['applied', 'nosuch'], states: SERIES, code: 1, quilt: ['applied', 'nosuch'], names: /nosuch/ },
  { args: ['unapplied', 'nosuch'], states: SERIES, code: 1, quilt: ['unapplied', 'nosuch'], names: /nosuch/ },
  { args: ['next', 'nosuch'], states: SERIES, code: 1, quilt: ['next', 'nosuch'], names: /nosuch/ },
  { args: ['previous', 'nosuch'], states: SERIES, code: 1, quilt: ['previous', 'nosuch'], names: /nosuch/ },
  { args: ['top'], states: UNAPPLIED, code: 2, quilt: ['top'] },
  { args: ['top', 'extra'], states: USAGE, code: 1 },
  { args: ['series', 'extra'], states: USAGE, code: 1 },
  { args: ['applied', 'a', 'b'], states: USAGE, code: 1 },
  json({ args: ['applied', 'nosuch'], states: SERIES, code: 1 }),

  // import
  // (quilt 0.66's import with no FILE does nothing and exits 0, and so does patchq's: test/cli/usage.test.ts)
  { args: ['import', 'in/nosuch.diff'], states: ALL, code: 1, quilt: ['import', 'in/nosuch.diff'], names: /nosuch\.diff/ },
  { args: ['import', 'in/malformed.diff'], states: ALL, code: 1, names: /malformed\.diff:\d+/ },
  { args: ['import', 'in/outside.diff'], states: ALL, code: 1, names: /outside\.diff:\d+/ },
  { args: ['import', 'in/garbage.diff'], states: ALL, code: 1, names: /garbage\.diff/ },
  { args: ['import', '-P', '../x.diff', 'in/good.diff'], states: ALL, code: 1, names: /x\.diff/ },
  { args: ['import', '-P', 'p1.diff', 'in/good.diff'], states: SERIES, code: 1, quilt: ['import', '-P', 'p1.diff', 'in/good.diff'], names: /p1\.diff/ },
  { args: ['import', '-d', 'x', 'in/good.diff'], states: USAGE, code: 1 },
  { args: ['import', '-P', 'series', 'in/good.diff'], states: ALL, code: 1, names: /series/ },
  { args: ['import', '-P', 'p1.diff/x', 'in/good.diff'], states: SERIES, code: 1, names: /p1\.diff/ },
  { args: ['import', 'in'], states: ALL, code: 1, names: /in/ },
  { args: ['import', '-p', '9', 'in/good.diff'], states: ALL, code: 1, names: /good\.diff:1:/ },
  { args: ['import', 'in/good.diff'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  json({ args: ['import', 'in/malformed.diff'], states: ALL, code: 1, names: /malformed\.diff/ }),

  // delete, rename, fork
  { args: ['delete', 'nosuch'], states: SERIES, code: 1, quilt: ['delete', 'nosuch'], names: /nosuch/ },
  { args: ['delete'], states: UNAPPLIED, code: 1, quilt: ['delete'] },
  { args: ['delete', 'p1.diff', 'p2.diff'], states: USAGE, code: 1 },
  { args: ['delete', 'p2.diff'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  { args: ['rename'], states: USAGE, code: 1, quilt: ['rename'] },
  { args: ['rename', 'x.diff'], states: UNAPPLIED, code: 1, quilt: ['rename', 'x.diff'] },
  { args: ['rename', 'p2.diff'], states: APPLIED, code: 1, quilt: ['rename', 'p2.diff'], names: /p2\.diff/ },
  { args: ['rename', '-P', 'nosuch', 'x.diff'], states: SERIES, code: 1, quilt: ['rename', '-P', 'nosuch', 'x.diff'], names: /nosuch/ },
  { args: ['rename', '../x.diff'], states: APPLIED, code: 1, names: /x\.diff/ },
  { args: ['rename', 'x.diff'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  { args: ['fork'], states: UNAPPLIED, code: 1, quilt: ['fork'] },
  { args: ['fork', 'p2.diff'], states: APPLIED, code: 1, quilt: ['fork', 'p2.diff'], names: /p2\.diff/ },
  json({ args: ['delete', 'nosuch'], states: SERIES, code: 1 }),

  // header, export
  { args: ['header', 'nosuch'], states: SERIES, code: 1, quilt: ['header', 'nosuch'], names: /nosuch/ },
  { args: ['header'], states: UNAPPLIED, code: 1, quilt: ['header'] },
  { args: ['header', '-a', '-r'], states: APPLIED, code: 1, stdin: 'x\n' },
  { args: ['header', 'p1.diff', 'p2.diff'], states: USAGE, code: 1 },
  { args: ['header', '-r', 'nosuch'], states: SERIES, code: 1, stdin: 'text\n', names: /nosuch/ },
  { args: ['header', '-r'], states: APPLIED, code: 1, stdin: 'text\n', setup: locked, names: /lock/ },
  { args: ['export', 'nosuch'], states: SERIES, code: 1, names: /nosuch/ },
  { args: ['export', '-o', 'f.txt'], states: SERIES, code: 1, names: /f\.txt/ },
  { args: ['export', '-o'], states: USAGE, code: 1 },

  // diff, snapshot, grep, annotate, files, patches, graph
  { args: ['diff'], states: UNAPPLIED, code: 1, quilt: ['diff'] },
  { args: ['diff', '-P', 'nosuch'], states: SERIES, code: 1, quilt: ['diff', '-P', 'nosuch'], names: /nosuch/ },
  { args: ['diff', '--combine', 'nosuch'], states: APPLIED, code: 1, quilt: ['diff', '--combine', 'nosuch'], names: /nosuch/ },
  { args: ['diff', '-z', '--snapshot'], states: APPLIED, code: 1 },
  { args: ['diff', '-p', '7'], states: APPLIED, code: 1 },
  { args: ['snapshot', 'extra'], states: USAGE, code: 1 },
  { args: ['snapshot'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  { args: ['grep'], states: USAGE, code: 1 },
  { args: ['grep', 'a', 'nosuch.txt'], states: ALL, code: 1 },
  { args: ['annotate'], states: USAGE, code: 1, quilt: ['annotate'] },
  { args: ['annotate', 'f.txt'], states: UNAPPLIED, code: 1, quilt: ['annotate', 'f.txt'] },
  { args: ['annotate', '-P', 'nosuch', 'f.txt'], states: SERIES, code: 1, quilt: ['annotate', '-P', 'nosuch', 'f.txt'], names: /nosuch/ },
  { args: ['files', 'nosuch'], states: SERIES, code: 1, quilt: ['files', 'nosuch'], names: /nosuch/ },
  { args: ['files'], states: UNAPPLIED, code: 1, quilt: ['files'] },
  { args: ['files', '--combine', 'nosuch'], states: APPLIED, code: 1, names: /nosuch/ },
  { args: ['patches'], states: USAGE, code: 1, quilt: ['patches'] },
  { args: ['graph', 'nosuch'], states: SERIES, code: 1, quilt: ['graph', 'nosuch'], names: /nosuch/ },
  { args: ['graph'], states: UNAPPLIED, code: 1, quilt: ['graph'] },
  { args: ['graph', '--lines=x'], states: APPLIED, code: 1 },
  json({ args: ['files', 'nosuch'], states: SERIES, code: 1 }),

  // fold, edit, remove, revert
  { args: ['fold'], states: UNAPPLIED, code: 1, stdin: GOOD, quilt: ['fold'] },
  { args: ['fold'], states: APPLIED, code: 1, stdin: MALFORMED, names: /line \d+|:\d+/ },
  { args: ['fold'], states: APPLIED, code: 1, stdin: OUTSIDE, names: /escaped\.txt/ },
  { args: ['fold'], states: APPLIED, code: 1, stdin: NOAPPLY, quilt: ['fold'], names: /p1\.diff/ },
  { args: ['fold'], states: APPLIED, code: 1, stdin: GARBAGE.toString('latin1') },
  { args: ['fold'], states: APPLIED, code: 1, stdin: GOOD, setup: locked, names: /lock/ },
  { args: ['edit'], states: USAGE, code: 1, quilt: ['edit'] },
  { args: ['edit', 'f.txt'], states: UNAPPLIED, code: 1, quilt: ['edit', 'f.txt'], env: { EDITOR: 'true' } },
  { args: ['remove'], states: USAGE, code: 1, quilt: ['remove'] },
  { args: ['remove', 'f.txt'], states: UNAPPLIED, code: 1, quilt: ['remove', 'f.txt'] },
  { args: ['remove', 'g.txt'], states: APPLIED, code: 1, quilt: ['remove', 'g.txt'], names: /g\.txt/ },
  { args: ['remove', '-P', 'p2.diff', 'g.txt'], states: APPLIED, code: 1, quilt: ['remove', '-P', 'p2.diff', 'g.txt'], names: /p2\.diff/ },
  { args: ['remove', '../outside.txt'], states: APPLIED, code: 1, names: /outside\.txt/ },
  { args: ['remove', 'f.txt'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  { args: ['revert'], states: USAGE, code: 1, quilt: ['revert'] },
  { args: ['revert', 'f.txt'], states: UNAPPLIED, code: 1, quilt: ['revert', 'f.txt'] },
  { args: ['revert', 'g.txt'], states: APPLIED, code: 1, quilt: ['revert', 'g.txt'], names: /g\.txt/ },
  { args: ['revert', '../outside.txt'], states: APPLIED, code: 1, names: /outside\.txt/ },
  { args: ['revert', 'f.txt'], states: APPLIED, code: 1, setup: locked, names: /lock/ },

  // A .pc without metadata: a command that changes nothing does not write it either.
  { args: ['refresh', 'p2.diff'], states: APPLIED, code: 1, setup: noMetadata, names: /p2\.diff/ },
  { args: ['remove', 'g.txt'], states: APPLIED, code: 1, setup: noMetadata, names: /g\.txt/ },
  { args: ['add', 'f.txt'], states: APPLIED, code: 2, setup: noMetadata, names: /f\.txt/ },
  { args: ['push'], states: APPLIED, code: 1, setup: (t) => (noMetadata(t), write(t, 'g.txt', 'other\n')), names: /p2\.diff/ },
  { args: ['pop'], states: APPLIED, code: 1, setup: (t) => (noMetadata(t), write(t, 'f.txt', 'a\nB\nc\nedited\n')), names: /p1\.diff/ },

  // The file system saying no in the middle (what stops root): rolled back, and the .pc or
  // .pc/.patchq the command made for its lock (with the spare pool) goes again.
  { args: ['push'], states: ['fresh'], code: 1, immutable: 'f.txt', names: /f\.txt.*rolled back/ },
  { args: ['push'], states: APPLIED, code: 1, immutable: 'g.txt', names: /g\.txt.*rolled back/ },
  { args: ['pop'], states: APPLIED, code: 1, immutable: 'f.txt', names: /f\.txt.*rolled back/ },
  { args: ['refresh', '--no-timestamps'], states: APPLIED, code: 1, immutable: 'patches/p1.diff', setup: edited('f.txt', 'a\nB!\nc\n'), names: /p1\.diff.*rolled back/ },
  { args: ['rename', 'x.diff'], states: APPLIED, code: 1, immutable: 'patches/series', names: /series.*rolled back/ },
  { args: ['new', 'x.diff'], states: ['empty', ...SERIES], code: 1, immutable: 'patches', names: /patches.*rolled back/ },
  { args: ['import', 'in/good.diff'], states: ['empty', ...SERIES], code: 1, immutable: 'patches', names: /good\.diff.*rolled back/ },
  { args: ['add', 'g.txt'], states: APPLIED, code: 1, immutable: '.pc/p1.diff', names: /g\.txt.*rolled back/ },

  // templates, reapply, sync
  { args: ['template', 'show', 'nosuch'], states: SERIES, code: 1, names: /nosuch/ },
  { args: ['template', 'run', 'nosuch'], states: SERIES, code: 1, names: /nosuch/ },
  { args: ['template', 'bogus'], states: USAGE, code: 1 },
  { args: ['regen', 'nosuch'], states: SERIES, code: 1, names: /nosuch/ },
  { args: ['regen', 'p1.diff'], states: APPLIED, code: 1, names: /p1\.diff/ },
  { args: ['reapply', '--continue'], states: ALL, code: { none: 1, empty: 2, fresh: 2, applied: 2, quilt: 2 } },
  { args: ['reapply', '--abort'], states: ALL, code: { none: 1, empty: 2, fresh: 2, applied: 2, quilt: 2 } },
  { args: ['reapply', '--continue', '--abort'], states: USAGE, code: 1 },
  { args: ['reapply', '--conflicts=bogus'], states: USAGE, code: 1 },
  { args: ['reapply'], states: APPLIED, code: 1, setup: locked, names: /lock/ },
  { args: ['sync', '--pull'], states: USAGE, code: 1 },
  { args: ['sync'], states: SERIES, code: 1 },
  // With patches applied a failed pull gets them pushed again ("the tree is as it was with
  // N patch(es) applied again"): the same bytes, but new mtimes on their files and backups
  // (sync pops, pulls, pushes back; not a refusal). With none applied nothing is touched.
  { args: ['sync', '--pull', 'false'], states: ['fresh'], code: 1, setup: gitRepo, names: /pull failed/ },
  { args: ['hook', 'install'], states: ['fresh'], code: 1, setup: foreignHook, names: /post-merge/ },
  { args: ['hook', 'uninstall'], states: ['fresh'], code: 1, setup: foreignHook, names: /post-merge/ },
  { args: ['hook', 'uninstall'], states: ['fresh'], code: 2, setup: gitRepo, names: /post-merge/ },
  { args: ['config', 'set', 'fuzz', '1'], states: ['fresh'], code: 1, setup: brokenSettings, names: /config\.json/ },
  { args: ['push'], states: ['fresh'], code: 1, setup: brokenSettings, names: /config\.json/ },
  json({ args: ['reapply', '--continue'], states: SERIES, code: 2 }),
];

const templates = {} as Record<State, string>;

beforeAll(() => {
  const base = tempDir('patchq-refusals-');
  for (const state of ALL) {
    const t = join(base, state);
    write(t, 'f.txt', 'a\nb\nc\n');
    write(t, 'g.txt', 'x\ny\n');
    write(t, 'bin.dat', Buffer.from([0, 1, 2, 0xff, 0, 10]));
    write(t, 'crlf.txt', 'a\r\nb\r\n');
    write(t, 'nonl.txt', 'a\nb');
    write(t, 'ro.txt', 'read only\n', 0o444);
    write(t, 'in/good.diff', GOOD);
    write(t, 'in/malformed.diff', MALFORMED);
    write(t, 'in/outside.diff', OUTSIDE);
    write(t, 'in/garbage.diff', GARBAGE);
    if (state !== 'none') write(t, 'patches/series', '');
    if (SERIES.includes(state)) {
      write(t, 'patches/p1.diff', P1);
      write(t, 'patches/p2.diff', P2);
      write(t, 'patches/series', 'p1.diff\np2.diff\n');
    }
    if (state === 'applied') ok(t, ['push']);
    if (state === 'quilt') {
      const r = quilt(t, ['push']);
      if (r.code !== 0) throw new Error(`quilt push: ${r.stderr}`);
    }
    templates[state] = t;
  }
});

/** A fresh copy of the state's tree at <dir>/t, with the settings folder <dir>/cfg and <dir>/outside.txt beside it. */
function place(state: State, c: Case): { dir: string; tree: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('patchq-refusal-');
  const tree = join(dir, 't');
  cpSync(templates[state], tree, { recursive: true, preserveTimestamps: true });
  mkdirSync(join(dir, 'cfg'));
  writeFileSync(join(dir, 'outside.txt'), 'outside\n');
  c.setup?.(tree);
  return { dir, tree, env: { PATCHQ_CONFIG_DIR: join(dir, 'cfg'), EDITOR: 'true', ...c.env } };
}

const expected = (c: Case, s: State): number => (typeof c.code === 'number' ? c.code : c.code[s]!);

/**
 * The error's message: stderr's one line; where quilt prints it on stdout after its
 * report (a push that does not apply, a pop that does not remove cleanly), stdout's last
 * line and nothing on stderr; with --json, the JSON error's file, line and message.
 */
function message(c: Case, r: Run): string {
  if (!c.args.includes('--json')) {
    const lines = r.stderr.split('\n').filter(Boolean);
    if (lines.length === 0) return r.stdout.trimEnd().split('\n').pop() ?? '';
    expect(lines, r.stderr).toHaveLength(1);
    return lines[0]!;
  }
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout) as { error?: { message: string; code: string; file: string | null; line: number | null } };
  if (!doc.error) return r.stdout;
  expect(doc.error.code).toMatch(/^E_/);
  return [doc.error.file, doc.error.line, doc.error.message].filter((x) => x !== null).join(':');
}

const title = (c: Case, s: State) =>
  `${s}: patchq ${c.args.join(' ')}${c.stdin !== undefined ? ` < ${JSON.stringify(c.stdin.slice(0, 24))}` : ''}${c.setup ? ` (${c.setup.name || 'setup'})` : ''}${c.immutable ? ` (${c.immutable} immutable)` : ''}`;
const rows = cases.flatMap((c) => c.states.map((s) => [title(c, s), c, s] as const));

describe('a refused command changes nothing on disk', () => {
  it.for(rows)('%s', ([, c, s], ctx) => {
    const { dir, tree, env } = place(s, c);
    const attr = (flag: string) => spawnSync('chattr', [flag, join(tree, c.immutable!)]).status === 0;
    if (c.immutable && !attr('+i')) return ctx.skip(); // chattr needs ext2/3/4/xfs/btrfs and CAP_LINUX_IMMUTABLE
    // A write that fails after staging keeps the inodes it staged in the pool of spares
    // (never state, docs/reliability.md): where the pool was there before, it may differ.
    // Where the command made .pc/.patchq itself, the pool must go with it.
    const pool = c.immutable && s === 'applied' ? 't/.pc/.patchq/spare' : null;
    const take = () => Object.fromEntries(Object.entries(snapshot(dir, { exact: true })).filter(([k]) => pool === null || !k.startsWith(pool)));
    const before = take();
    const r = patchq(tree, c.args, env, c.stdin);
    if (c.immutable) attr('-i');
    const after = take();
    expect(after, `${r.code} ${r.stderr}${r.stdout}`).toEqual(before);
    expect(r.code, r.stderr + r.stdout).toBe(expected(c, s));
    const line = message(c, r);
    expect(line).not.toMatch(/internal error/);
    if (c.names) expect(line).toMatch(c.names);
    if (c.quilt) {
      // quilt in the same tree: the snapshot has just shown it exactly as it was before
      // patchq ran (every path, byte, mode and mtime; a pool of spares set aside only
      // after an immutable write, whose rows get a copy of their own).
      const q = pool === null ? { tree, env } : place(s, c);
      const rq = quilt(q.tree, c.quilt, q.env, c.stdin);
      expect(rq.code, `quilt ${c.quilt.join(' ')}: ${rq.stderr}${rq.stdout}`).toBe(r.code);
    }
  });
});

/**
 * The binary in the background (under strace with `strace`'s options, to inject a fault or
 * a delay); resolves at 'close', when its output is all read.
 */
function spawnPatchq(cwd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; strace?: string[]; input?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    const [cmd, ...pre] = opts.strace ? ['strace', '-f', '-qq', '-o', '/dev/null', ...opts.strace, process.execPath] : [process.execPath];
    const child = spawn(cmd!, [...pre, CLI, ...args], { cwd, env: { ...process.env, LANG: 'C', NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
  });
}

/** Waits (up to 10 s) until `path` is there. */
async function appears(path: string): Promise<void> {
  for (const t0 = Date.now(); !existsSync(path) && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 5));
}

describe('a .pc made for the lock alone goes again, and no other patchq is hurt by it', () => {
  it('refused pops beside a push in a tree without .pc: the push gets the lock or E_LOCKED, no other error, and a .pc left has its .version', async () => {
    for (let round = 0; round < 12; round++) {
      const { tree } = place('fresh', { args: [], states: [], code: 1 });
      const [pop1, push, pop2] = await Promise.all([spawnPatchq(tree, ['pop']), spawnPatchq(tree, ['push']), spawnPatchq(tree, ['pop', 'nosuch'])]);
      expect(push.code === 0 || /another patchq/.test(push.stderr), `round ${round} push: ${push.code} ${push.stderr}`).toBe(true);
      for (const r of [pop1, pop2]) expect([0, 1, 2], `round ${round} pop: ${r.stderr}`).toContain(r.code);
      expect(pop1.stderr + pop2.stderr).not.toMatch(/internal error|ENOENT/);
      // A .pc that is there is one quilt takes: with its .version (none left half made).
      const s = snapshot(tree, { exact: true });
      if ('.pc' in s) expect(Object.keys(s), `round ${round}`).toContain('.pc/.version');
      else expect(Object.keys(s).filter((k) => k.startsWith('.pc'))).toEqual([]);
    }
  });
});

describe('a refused command waiting for the lock while a push goes on', () => {
  it('takes back no metadata the push made part of its stack (strace holds the refusal before its lock)', async (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const { tree, env } = place('fresh', { args: [], states: [], code: 1 });
    const lock = join(tree, '.pc', '.patchq', 'lock');
    // 'fold' of garbage starts in a tree without .pc; its link(2) of the lock waits 1.5 s,
    // in which a push takes the lock, applies a patch and lets go; then the fold refuses
    // under its lock. Before the fix the fold had written .pc's metadata before its lock
    // and took it back as it ended, having written nothing: the push's stack was left
    // without .version, .quilt_patches and .quilt_series.
    const held = spawnPatchq(tree, ['fold'], { env, input: 'garbage\n', strace: ['-P', lock, '-e', 'trace=link,linkat', '-e', 'inject=link,linkat:delay_enter=1500000:when=1'] });
    await appears(join(tree, '.pc', '.patchq'));
    const push = patchq(tree, ['push'], env);
    expect([push.code, push.stderr]).toEqual([0, '']);
    const fold = await held;
    if (/strace: /.test(fold.stderr)) return ctx.skip();
    expect([fold.code, fold.stderr]).toEqual([1, expect.stringMatching(/garbage/)]);
    const s = snapshot(tree, { exact: true });
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['.pc/.version', '.pc/.quilt_patches', '.pc/.quilt_series', '.pc/applied-patches']));
    // quilt reads it as its own: the patch patchq pushed is applied.
    expect(quilt(tree, ['applied']).stdout).toBe(patchq(tree, ['applied'], env).stdout);
  });
});

describe('two refused commands starting together in a tree without .pc', () => {
  it('the one that gets the lock does not take the other\'s .pc for a user\'s: a .pc left has its metadata', async (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const { tree, env } = place('fresh', { args: [], states: [], code: 1 });
    const lock = join(tree, '.pc', '.patchq', 'lock');
    const traced = (inject: string, args: string[]): Promise<Run> => spawnPatchq(tree, args, { env, strace: ['-P', lock, '-e', `inject=${inject}:when=1`] });
    // The first pop makes .pc/.patchq for its lock and waits 1 s in its link(2) of it; the
    // second starts meanwhile, takes the lock, is refused (nothing applied), and holds the
    // lock 2 s more (its unlink of it waits), so the first finds it taken and gives up.
    // Before the fix the second took the first's .pc for a user's .pc without metadata and
    // took back the metadata it had written: .pc/.patchq was left with no .version.
    const first = traced('link,linkat:delay_enter=1000000', ['pop']);
    await appears(join(tree, '.pc', '.patchq'));
    const second = traced('unlink,unlinkat:delay_enter=2000000', ['pop']);
    const [a, b] = await Promise.all([first, second]);
    if (/strace: /.test(a.stderr + b.stderr)) return ctx.skip();
    expect([a.code, a.stderr]).toEqual([1, expect.stringMatching(/^another patchq \(pid \d+\) is working on this tree/)]);
    expect([b.code, b.stderr]).toEqual([2, 'No patch removed\n']);
    const pc = Object.keys(snapshot(tree, { exact: true })).filter((k) => k.startsWith('.pc'));
    if (pc.length > 0) expect(pc).toEqual(expect.arrayContaining(['.pc/.version', '.pc/.quilt_patches', '.pc/.quilt_series']));
    // quilt takes what is left.
    expect(quilt(tree, ['unapplied']).code).toBe(0);
  });
});

describe('a push that finds the lock taken, then gone with its folder', () => {
  it('makes the folder again and takes the lock (it was an internal error: ENOENT on lock.break.PID.tmp)', async (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const { tree, env } = place('fresh', { args: [], states: [], code: 1 });
    const lock = join(tree, '.pc', '.patchq', 'lock');
    // A refused pop holds the lock 1 s longer (its unlink of it waits); the push meets it
    // (EEXIST) and its read of the lock's owner waits 1.5 s, in which the pop lets go and
    // removes the .pc it made; the push then finds no owner and no folder.
    const pop = spawnPatchq(tree, ['pop'], { env, strace: ['-P', lock, '-e', 'trace=unlink,unlinkat', '-e', 'inject=unlink,unlinkat:delay_enter=1000000:when=1'] });
    await appears(lock);
    const push = await spawnPatchq(tree, ['push'], { env, strace: ['-P', lock, '-e', 'trace=openat', '-e', 'inject=openat:delay_enter=1500000:when=1'] });
    const popped = await pop;
    if (/strace: /.test(push.stderr + popped.stderr)) return ctx.skip();
    expect([popped.code, popped.stderr]).toEqual([2, 'No patch removed\n']);
    expect([push.code, push.stderr]).toEqual([0, '']);
    expect(patchq(tree, ['applied'], env).stdout).toBe('p1.diff\n');
  });
});

describe('taking back the lock’s .pc is tidying, never an error of its own', () => {
  it('an unlink of .pc/.version that fails (EIO, strace) leaves .pc as it is and the refusal as it was', (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const { tree, env } = place('fresh', { args: [], states: [], code: 1 });
    const version = join(tree, '.pc', '.version');
    const r = spawnSync(
      'strace',
      ['-f', '-qq', '-o', '/dev/null', '-P', version, '-e', 'trace=unlink,unlinkat', '-e', 'inject=unlink,unlinkat:error=EIO', process.execPath, CLI, 'pop'],
      { cwd: tree, encoding: 'utf8', env: { ...process.env, LANG: 'C', NO_COLOR: '1', ...env } },
    );
    if (/strace: /.test(r.stderr)) return ctx.skip();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe('No patch removed\n');
    // What could not be removed stays: .pc with its metadata, which quilt reads.
    expect(existsSync(version)).toBe(true);
  });
});
