/**
 * `e` and the editor: the command line it builds (a real program named as the editor records
 * what it was given), and where the app asks it to open (the line the person is on), on
 * REAL temp trees through the app.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { App, type EditRequest } from '../../src/tui/app.js';
import { makeOps } from '../../src/tui/store.js';
import { editorCommand, editorProgram, takesLine } from '../../src/tui/editor.js';
import { git, tempDir, upstreamAndFork, write } from '../helpers/tree.js';
import { KEY, lines, makeTree, waitFor } from './fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function start(root: string, onEdit: (req: EditRequest) => void) {
  const r = render(createElement(App, { ops: makeOps(root, {}), color: false, onEdit }));
  cleanups.push(() => r.unmount());
  return r;
}

/** The app on `root` once `patch` shows, its second row pushed and refused: on the conflict view. */
async function refusedPush(root: string, patch: string, onEdit: (req: EditRequest) => void) {
  const r = start(root, onEdit);
  await waitFor(r.lastFrame, (f) => f.includes(patch), 'series');
  r.stdin.write('jp');
  await waitFor(r.lastFrame, (x) => x.includes('does not apply'), 'conflict');
  return r;
}

/**
 * Scroll the page down a line at a time (the title says where: "lines K-...") until its
 * first line starts with `start`.
 */
async function scrollTo(r: { lastFrame: () => string | undefined; stdin: { write: (s: string) => void } }, start: string): Promise<void> {
  for (let k = 1; k < 200; k++) {
    if ((r.lastFrame() ?? '').split('\n')[1]!.startsWith(start)) return;
    r.stdin.write('j');
    await waitFor(r.lastFrame, (f) => f.split('\n')[0]!.includes(`lines ${k + 1}-`), `scrolled ${k}`);
  }
  throw new Error(`never at the top: ${start}`);
}

/** 1-based numbers of the lines of `file` that start with `prefix`. */
const linesStarting = (file: string, prefix: string): number[] =>
  readFileSync(file, 'latin1').split('\n').flatMap((l, i) => (l.startsWith(prefix) ? [i + 1] : []));

describe('the editor command', () => {
  it('+N before the file for vi, nano and emacs kin; the file alone for an editor not known to take it', () => {
    expect(editorProgram('"/opt/my vim/bin/nvim" -u NONE')).toBe('nvim');
    expect(editorProgram('emacsclient -t')).toBe('emacsclient');
    for (const e of ['vi', 'vim', '/usr/bin/nvim', 'nano', 'emacs -nw', 'emacsclient -t', 'vim.basic', 'joe', 'kak']) expect([e, takesLine(e)]).toEqual([e, true]);
    // By name alone (no PATH to look the name up on: `editor` is a link on Debian, below).
    for (const e of ['code -w', 'subl -w', 'gedit', 'editor', 'my-editor.sh', 'true', '']) expect([e, takesLine(e, {})]).toEqual([e, false]);
    expect(editorCommand('vim', ['/t/a b.py', "/t/it's.py"], 12)).toBe(`vim +12 '/t/a b.py' '/t/it'\\''s.py'`);
    expect(editorCommand('code -w', ['/t/a.py'], 12)).toBe(`code -w '/t/a.py'`);
    expect(editorCommand('vim', ['/t/a.py'])).toBe(`vim '/t/a.py'`);
  });

  it('run by the shell: an editor named vim gets "+N FILE...", one with another name the files only', () => {
    const dir = tempDir('patchq-editor-');
    // The same recording script under two names: argv one per line.
    const script = `#!/bin/sh\nprintf "%s\\n" "$@" > "${join(dir, 'argv')}"\n`;
    for (const n of ['vim', 'myedit']) writeFileSync(join(dir, n), script, { mode: 0o755 });
    const files = [join(dir, 'a file.txt'), join(dir, 'b.txt')];
    const argv = (editor: string, line?: number) => {
      expect(spawnSync(editorCommand(editor, files, line), { shell: true }).status).toBe(0);
      return readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n');
    };
    expect(argv(join(dir, 'vim'), 7)).toEqual(['+7', ...files]);
    expect(argv(`${join(dir, 'vim')} -n`, 7)).toEqual(['-n', '+7', ...files]);
    expect(argv(join(dir, 'myedit'), 7)).toEqual(files);
    expect(argv(join(dir, 'vim'))).toEqual(files);
  });

  it("a name that links to vim or nano (Debian's editor, through /etc/alternatives) takes +N; one that links to another editor does not", () => {
    const dir = tempDir('patchq-editor-');
    const bin = join(dir, 'bin');
    const alt = join(dir, 'alternatives');
    mkdirSync(bin);
    mkdirSync(alt);
    const script = `#!/bin/sh\nprintf "%s\\n" "$@" > "${join(dir, 'argv')}"\n`;
    for (const n of ['vim.basic', 'nano', 'gedit']) writeFileSync(join(dir, n), script, { mode: 0o755 });
    const files = [join(dir, 'a.txt')];
    const argv = (editor: string, env: NodeJS.ProcessEnv) => {
      expect(spawnSync(editorCommand(editor, files, 7, env), { shell: true, env }).status).toBe(0);
      return readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n');
    };
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    // editor -> alternatives/editor -> the program, as update-alternatives links them.
    const choose = (program: string) => {
      rmSync(join(alt, 'editor'), { force: true });
      symlinkSync(join(dir, program), join(alt, 'editor'));
    };
    symlinkSync(join(alt, 'editor'), join(bin, 'editor'));
    choose('vim.basic');
    expect(takesLine('editor', env)).toBe(true);
    expect(argv('editor', env)).toEqual(['+7', ...files]);
    choose('nano');
    expect(argv('editor', env)).toEqual(['+7', ...files]);
    expect(argv(join(bin, 'editor'), env)).toEqual(['+7', ...files]);
    choose('gedit');
    expect(takesLine('editor', env)).toBe(false);
    expect(argv('editor', env)).toEqual(files);
    // Not on PATH, or a link to nothing: the files only (the shell says what it says).
    expect(takesLine('editor', { PATH: alt + '-none' })).toBe(false);
    choose('vim.basic');
    rmSync(join(dir, 'vim.basic'));
    expect(takesLine('editor', { PATH: bin })).toBe(false);
  });
});

describe('e opens the editor at the line the person is on', () => {
  it('a refused push: at the @@ line of the refused hunk at the top of the view, in the patch', async () => {
    const { root } = makeTree(1);
    // A patch of two hunks, neither of which applies (their context is not in the file),
    // below a header of a few lines: the @@ lines are not at small, guessable numbers.
    writeFileSync(join(root, 'two.txt'), lines(30, 'x'));
    // Hunks longer than the screen, so the view scrolls.
    const ctx = (from: number) => Array.from({ length: 12 }, (_, i) => ` l${from + i}\n`).join('');
    const hunk = (at: number) => `@@ -${at},25 +${at},25 @@\n${ctx(at)}-l${at + 12}\n+changed ${at}\n${ctx(at + 13)}`;
    const text = `Subject: two refused hunks\n\nA longer description\nof the change.\n\nIndex: q/two.txt\n${'='.repeat(67)}\n--- q.orig/two.txt\n+++ q/two.txt\n${hunk(4)}${hunk(40)}`;
    writeFileSync(join(root, 'patches', 'two.patch'), text);
    writeFileSync(join(root, 'patches', 'series'), `001-change-f1.patch\ntwo.patch\n`);
    const at = linesStarting(join(root, 'patches', 'two.patch'), '@@');
    expect(at.length).toBe(2);
    const edits: EditRequest[] = [];
    const r = await refusedPush(root, 'two.patch', (e) => edits.push(e));
    expect(r.lastFrame()).toContain('does not apply: 2 rejected');
    r.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '1', 'editor asked');
    expect(edits[0]).toMatchObject({ path: join(root, 'patches', 'two.patch'), line: at[0] });
    // Scrolled down to the second hunk: there.
    const again = await refusedPush(root, 'two.patch', (e) => edits.push(e));
    expect(again.lastFrame()).toContain('does not apply: 2 rejected');
    await scrollTo(again, 'two.txt hunk #2');
    again.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '2', 'editor asked');
    expect(edits[1]).toMatchObject({ path: join(root, 'patches', 'two.patch'), line: at[1] });
  });

  it('a diff: at its top line; the stack: no line', async () => {
    const { root, names } = makeTree(2);
    // A header longer than the screen, so the diff scrolls.
    const file = join(root, 'patches', names[0]!);
    writeFileSync(file, Array.from({ length: 40 }, (_, i) => `Description line ${i + 1}\n`).join('') + '\n' + readFileSync(file, 'latin1'));
    const edits: EditRequest[] = [];
    const r = start(root, (e) => edits.push(e));
    await waitFor(r.lastFrame, (f) => f.includes(names[1]!), 'series');
    r.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '1', 'editor asked');
    expect(edits[0]!.line).toBeUndefined();
    const d = start(root, (e) => edits.push(e));
    await waitFor(d.lastFrame, (f) => f.includes(names[1]!), 'series');
    d.stdin.write(KEY.enter);
    await waitFor(d.lastFrame, (f) => f.includes('(unapplied)'), 'diff');
    d.stdin.write('jjjj');
    // The patch's 5th line is the first one shown.
    const fifth = readFileSync(join(root, 'patches', names[0]!), 'latin1').split('\n')[4]!;
    await waitFor(d.lastFrame, (f) => f.split('\n')[1]!.trimEnd() === fifth, 'scrolled 4');
    d.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '2', 'editor asked');
    expect(edits[1]).toMatchObject({ path: join(root, 'patches', names[0]!), line: 5 });
  });

  it("a diff opened while a refused push's conflict waits behind the help: e opens that patch with no line (the diff is another's)", async () => {
    const { root, names } = makeTree(1, { broken: true });
    const edits: EditRequest[] = [];
    const r = await refusedPush(root, 'zz-broken', (e) => edits.push(e));
    r.stdin.write('?');
    await waitFor(r.lastFrame, (x) => x.includes('patchq: keys'), 'help');
    r.stdin.write('hk');
    await waitFor(r.lastFrame, (x) => x.includes('enter diff') && (x.split('\n').find((l) => l.includes('›')) ?? '').includes(names[0]!), 'stack, on the first');
    r.stdin.write('\r');
    await waitFor(r.lastFrame, (x) => x.includes(`${names[0]}  (`), 'its diff');
    r.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '1', 'editor asked');
    expect(edits[0]!.path).toBe(join(root, 'patches', 'zz-broken.patch'));
    expect(edits[0]!.line).toBeUndefined();
  });

  it('a stopped reapply: the file of the hunk at the top goes first, at its conflict markers', async () => {
    const v1 = (tag: string) => Array.from({ length: 60 }, (_, i) => `${tag}_${i} = ${i}\n`).join('');
    // Line n (0-based: `tag_n`) changed, with 10 lines of context each side: longer than the screen.
    const ctx = (tag: string, from: number) => Array.from({ length: 10 }, (_, i) => ` ${tag}_${from + i} = ${from + i}\n`).join('');
    const hunk = (f: string, tag: string, n: number) =>
      `Index: fork/${f}\n${'='.repeat(67)}\n--- fork.orig/${f}\n+++ fork/${f}\n@@ -${n - 9},21 +${n - 9},21 @@\n${ctx(tag, n - 10)}-${tag}_${n} = ${n}\n+${tag}_${n} = 40\n${ctx(tag, n + 1)}`;
    const { up, d } = upstreamAndFork({ 'a.py': v1('a'), 'b.py': v1('b') }, { '.gitignore': '.pc\n', 'patches/series': 'two.patch\n', 'patches/two.patch': hunk('a.py', 'a', 15) + hunk('b.py', 'b', 40) }, 'patchq-tui-eline-');
    write(up, 'a.py', v1('a').replace('a_15 = 15', 'a_15 = 15  # upstream'));
    write(up, 'b.py', v1('b').replace('b_40 = 40', 'b_40 = 40  # upstream'));
    git(up, 'commit', '-qam', 'v2');
    git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
    const edits: EditRequest[] = [];
    const r = start(d, (e) => edits.push(e));
    await waitFor(r.lastFrame, (f) => f.includes('1 patches'), 'series');
    r.stdin.write('R');
    await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at two.patch'), 'conflict');
    const [aAt] = linesStarting(join(d, 'a.py'), '<<<<<<<');
    const [bAt] = linesStarting(join(d, 'b.py'), '<<<<<<<');
    expect(aAt).toBeGreaterThan(1);
    expect(bAt).toBeGreaterThan(1);
    r.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '1', 'editor asked');
    expect(edits[0]).toMatchObject({ path: join(d, 'a.py'), more: [join(d, 'b.py')], line: aAt, reopen: true });
    const again = start(d, (e) => edits.push(e));
    await waitFor(again.lastFrame, (x) => x.includes('(R)'), 'stack, the run waiting');
    again.stdin.write('R');
    await waitFor(again.lastFrame, (x) => x.includes('Reapply stopped at two.patch'), 'conflict');
    await scrollTo(again, 'b.py hunk #1');
    again.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '2', 'editor asked');
    expect(edits[1]).toMatchObject({ path: join(d, 'b.py'), more: [join(d, 'a.py')], line: bAt });
  }, 30_000);
});

describe('the FAILED mark across e', () => {
  it('e on a refused push hands the mark on; the app rendered again with it shows FAILED until the patch text changes', async () => {
    const { root } = makeTree(1, { broken: true });
    const edits: EditRequest[] = [];
    const r = await refusedPush(root, 'zz-broken', (e) => edits.push(e));
    r.stdin.write('e');
    await waitFor(() => String(edits.length), (x) => x === '1', 'editor asked');
    const failed = edits[0]!.failed!;
    expect(failed.name).toBe('zz-broken.patch');
    const again = (what: string) => {
      const a = render(createElement(App, { ops: makeOps(root, {}), color: false, initialSelected: 'zz-broken.patch', initialFailed: failed }));
      cleanups.push(() => a.unmount());
      return waitFor(a.lastFrame, (f) => f.includes('zz-broken'), what);
    };
    expect(await again('unchanged')).toMatch(/zz-broken\.patch\s+FAILED/);
    // The editor changed the patch: it has not been tried since, so no mark.
    const file = join(root, 'patches', 'zz-broken.patch');
    writeFileSync(file, readFileSync(file, 'latin1') + '# a note\n');
    expect(await again('changed')).toMatch(/zz-broken\.patch\s+unapplied/);
  });
});
