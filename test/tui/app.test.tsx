/**
 * The app on REAL temp trees through ink-testing-library (keys via stdin.write) and a
 * sized renderer for 80/120 columns. State is checked afterwards with the stack API.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/tui/app.js';
import { colorEnabled, makeOps } from '../../src/tui/store.js';
import { appliedPatches, openTree, push } from '../../src/stack/index.js';
import { KEY, makeTree, renderAt, waitFor } from './fixture.js';
import { patchq, tempDir } from '../helpers/tree.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function start(root: string, opts: { color?: boolean } = {}) {
  const r = render(createElement(App, { ops: makeOps(root, {}), color: opts.color ?? false }));
  cleanups.push(() => r.unmount());
  return r;
}

describe('tui app on a real tree', () => {
  it('shows every patch with its state, size and base at 80 and 120 columns', async () => {
    const { root, names } = makeTree(5, { template: true });
    await push(openTree(root, {}), { target: { count: 2 } });
    for (const [w, h] of [[80, 24], [120, 40]] as const) {
      const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), w, h);
      cleanups.push(r.unmount);
      const f = await waitFor(r.lastFrame, (x) => x.includes('pool.patch'), 'the series');
      const rows = f.split('\n');
      expect(rows.every((l) => l.length <= w)).toBe(true);
      expect(f).toContain('6 patches, 2 applied, top: 002-change-f2.patch');
      const row = (n: string) => rows.find((l) => l.includes(n)) ?? '';
      expect(row(names[0]!)).toMatch(/applied\s+\+1 -1 1f\s+base 1a2b3c4/);
      expect(row(names[1]!)).toMatch(/top/);
      expect(row(names[2]!)).toMatch(/unapplied/);
      expect(row('pool.patch')).toContain('tpl:sqlalchemy-staticpool');
      expect(f).toContain('? help');
    }
  });

  it('p pushes up to the selected patch, o pops until it is the top', async () => {
    const { root, names } = makeTree(4);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes(names[3]!), 'series');
    r.stdin.write(KEY.down);
    r.stdin.write(KEY.down);
    await waitFor(r.lastFrame, (f) => f.split('\n').some((l) => l.includes(names[2]!)), 'moved');
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => f.includes('Pushed 3 patch(es); now at ' + names[2]), 'push report');
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 3));
    r.stdin.write(KEY.esc);
    await waitFor(r.lastFrame, (f) => f.includes('enter diff'), 'stack again');
    r.stdin.write('k');
    await waitFor(r.lastFrame, () => true, 'frame');
    r.stdin.write('o');
    await waitFor(r.lastFrame, (f) => f.includes('Popped 1 patch(es)'), 'pop report');
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 2));
  });

  it('keys arriving in one read ("jjp") each count, as when typed fast in a terminal', async () => {
    const { root, names } = makeTree(4);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes(names[3]!), 'series');
    r.stdin.write('jjp');
    await waitFor(r.lastFrame, (f) => f.includes('Pushed 3 patch(es)'), 'push report');
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 3));
  });

  it('a filter typed in one read with its enter ("/f3\\r" then "p") is kept, then pushed to', async () => {
    const { root, names } = makeTree(4);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes(names[3]!), 'series');
    // A fast typist (or a paste): the filter, a typo erased, enter, all in one read.
    r.stdin.write('/f3x\x7f\r');
    await waitFor(r.lastFrame, (f) => f.includes('filter: f3') && !f.includes('filter: f3_'), 'filter kept');
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => f.includes('Pushed 3 patch(es)'), 'push report');
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 3));
  });

  it('r refreshes the top patch from the working tree', async () => {
    const { root, names } = makeTree(2);
    await push(openTree(root, {}), {});
    writeFileSync(join(root, 'f1.txt'), readFileSync(join(root, 'f1.txt'), 'latin1').replace('l9\n', 'l9 edited\n'));
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('1 applied'), 'series');
    r.stdin.write('r');
    await waitFor(r.lastFrame, (f) => f.includes(`Refreshed patch ${names[0]}`), 'refresh message');
    expect(readFileSync(join(root, 'patches', names[0]!), 'latin1')).toContain('+l9 edited');
  });

  it('r writes the patch as `patchq refresh` would: settings and QUILT_REFRESH_ARGS (--backup)', async () => {
    const env = { QUILTRC: '-', QUILT_REFRESH_ARGS: '--backup', PATCHQ_CONFIG_DIR: join(tempDir('patchq-tui-cfg-'), 'c') };
    expect(patchq(tempDir(), ['config', 'set', 'diffStyle', 'git'], env).code).toBe(0);
    const trees = [makeTree(2), makeTree(2)];
    for (const { root } of trees) {
      await push(openTree(root, {}), {});
      writeFileSync(join(root, 'f1.txt'), readFileSync(join(root, 'f1.txt'), 'latin1').replace('l9\n', 'l9 edited\n'));
    }
    const [tui, cli] = trees as [ReturnType<typeof makeTree>, ReturnType<typeof makeTree>];
    const r = render(createElement(App, { ops: makeOps(tui.root, env), color: false }));
    cleanups.push(() => r.unmount());
    await waitFor(r.lastFrame, (f) => f.includes('1 applied'), 'series');
    r.stdin.write('r');
    await waitFor(r.lastFrame, (f) => f.includes(`Refreshed patch ${tui.names[0]}`), 'refresh message');
    expect(patchq(cli.root, ['refresh'], env).code).toBe(0);
    const file = (root: string, n: string) => readFileSync(join(root, 'patches', n), 'latin1');
    expect(file(tui.root, tui.names[0]!)).toMatch(/^diff --git a\/f1.txt b\/f1.txt$/m);
    expect(file(tui.root, tui.names[0]!)).toBe(file(cli.root, cli.names[0]!));
    expect(file(tui.root, `${tui.names[0]}~`)).toBe(file(cli.root, `${cli.names[0]}~`));
  });

  it('p pushes as `patchq push` would: QUILT_PUSH_ARGS (--leave-rejects) and the settings', async () => {
    const env = { QUILTRC: '-', QUILT_PUSH_ARGS: '--leave-rejects', PATCHQ_CONFIG_DIR: join(tempDir('patchq-tui-cfg-'), 'c') };
    const [tui, cli] = [makeTree(1, { broken: true }), makeTree(1, { broken: true })] as const;
    const r = render(createElement(App, { ops: makeOps(tui.root, env), color: false }));
    cleanups.push(() => r.unmount());
    await waitFor(r.lastFrame, (f) => f.includes('zz-broken'), 'series');
    r.stdin.write('jp');
    await waitFor(r.lastFrame, (f) => f.includes('does not apply'), 'conflict view');
    expect(patchq(cli.root, ['push', '-a'], env).code).toBe(1);
    expect(appliedPatches(openTree(tui.root, {}))).toEqual(appliedPatches(openTree(cli.root, {})));
    expect(existsSync(join(cli.root, 'broken.txt.rej'))).toBe(true);
    expect(readFileSync(join(tui.root, 'broken.txt.rej'), 'latin1')).toBe(readFileSync(join(cli.root, 'broken.txt.rej'), 'latin1'));
  });

  it('o pops as `patchq pop` would: QUILT_POP_ARGS (--refresh refreshes the patch first)', async () => {
    const env = { QUILTRC: '-', QUILT_POP_ARGS: '--refresh', QUILT_REFRESH_ARGS: '--no-timestamps', PATCHQ_CONFIG_DIR: join(tempDir('patchq-tui-cfg-'), 'c') };
    const trees = [makeTree(2), makeTree(2)];
    for (const { root } of trees) {
      await push(openTree(root, {}), { target: { count: 2 } });
      writeFileSync(join(root, 'f2.txt'), readFileSync(join(root, 'f2.txt'), 'latin1').replace('l9\n', 'l9 edited\n'));
    }
    const [tui, cli] = trees as [ReturnType<typeof makeTree>, ReturnType<typeof makeTree>];
    const r = render(createElement(App, { ops: makeOps(tui.root, env), color: false }));
    cleanups.push(() => r.unmount());
    await waitFor(r.lastFrame, (f) => f.includes('2 applied'), 'series');
    r.stdin.write('ko'); // the first patch selected (it opened on the top): pop until it is the top
    await waitFor(r.lastFrame, (f) => f.includes('Popped 1 patch(es)'), 'pop report');
    expect(patchq(cli.root, ['pop'], env).code).toBe(0);
    // quilt's labels name the tree's folder: the twins differ there only.
    const file = (root: string, n: string) => readFileSync(join(root, 'patches', n), 'latin1').replaceAll(basename(root), 'TREE');
    expect(file(tui.root, tui.names[1]!)).toContain('+l9 edited');
    expect(file(tui.root, tui.names[1]!)).toBe(file(cli.root, cli.names[1]!));
  });

  it('a series edited on disk while the app runs shows without a key, and then pushes as it is now', async () => {
    const { root, names } = makeTree(3);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('3 patches, 0 applied'), 'series');
    // Another window drops the middle patch and pushes the first one.
    writeFileSync(join(root, 'patches', 'series'), `${names[0]}\n${names[2]}\n`);
    expect(patchq(root, ['push'], { QUILTRC: '-' }).code).toBe(0);
    const f = await waitFor(r.lastFrame, (x) => x.includes(`2 patches, 1 applied, top: ${names[0]}`), 'the series as it is now');
    expect(f).not.toContain(names[1]);
    r.stdin.write('jp');
    await waitFor(r.lastFrame, (x) => x.includes(`Pushed 1 patch(es); now at ${names[2]}`), 'push');
    expect(appliedPatches(openTree(root, {}))).toEqual([names[0], names[2]]);
  });

  it('a series that cannot be read while the app runs is said on the status line; the app stays up', async () => {
    const { root, names } = makeTree(2);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('2 patches, 0 applied'), 'series');
    const series = join(root, 'patches', 'series');
    renameSync(series, `${series}.saved`);
    mkdirSync(series);
    await waitFor(r.lastFrame, (f) => f.includes('is a directory'), 'the error');
    rmdirSync(series);
    renameSync(`${series}.saved`, series);
    await waitFor(r.lastFrame, (f) => f.includes('2 patches, 0 applied') && !f.includes('is a directory'), 'the series again');
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => f.includes(`Pushed 1 patch(es); now at ${names[0]}`), 'push');
  });

  it('O (pop -a) asks first: n cancels, y pops everything', async () => {
    const { root } = makeTree(3);
    await push(openTree(root, {}), { target: { all: true } });
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('3 applied'), 'series');
    r.stdin.write('O');
    await waitFor(r.lastFrame, (f) => f.includes('Pop all patches? (y/n)'), 'confirm');
    r.stdin.write('n');
    await waitFor(r.lastFrame, (f) => f.includes('Cancelled'), 'cancel');
    expect(appliedPatches(openTree(root, {}))).toHaveLength(3);
    r.stdin.write('O');
    await waitFor(r.lastFrame, (f) => f.includes('(y/n)'), 'confirm again');
    r.stdin.write('y');
    await waitFor(r.lastFrame, (f) => f.includes('Popped 3 patch(es)'), 'popped');
    expect(appliedPatches(openTree(root, {}))).toEqual([]);
  });

  it('enter shows the header and diff with each hunk landing; / filters by name', async () => {
    const { root, names } = makeTree(3);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes(names[0]!), 'series');
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => f.includes('Pushed 1'), 'pushed');
    r.stdin.write(KEY.esc);
    await waitFor(r.lastFrame, (f) => f.includes('enter diff'), 'back');
    r.stdin.write(KEY.enter);
    const f = await waitFor(r.lastFrame, (x) => x.includes('@@ -4,3 +4,3 @@'), 'diff');
    expect(f).toContain('Subject: first change');
    expect(f).toContain('+L5 changed by 1');
    expect(f).toMatch(/@@ -4,3 \+4,3 @@.*\[exact\]/);
    r.stdin.write(KEY.esc);
    await waitFor(r.lastFrame, (x) => x.includes('enter diff'), 'back');
    r.stdin.write('/');
    for (const c of 'f3') r.stdin.write(c);
    r.stdin.write(KEY.enter);
    const g = await waitFor(r.lastFrame, (x) => x.includes('filter: f3') && !x.includes('filter: f3_'), 'filtered');
    const listed = g.split('\n').slice(1).join('\n');
    expect(listed).toContain(names[2]);
    expect(listed).not.toContain(names[0]);
    expect(listed).not.toContain(names[1]);
  });

  it('a failing push opens the conflict view with the refused hunk; s skips, nothing changes', async () => {
    const { root, names } = makeTree(1, { broken: true });
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('zz-broken'), 'series');
    r.stdin.write('j');
    await waitFor(r.lastFrame, () => true, 'moved');
    r.stdin.write('p');
    const f = await waitFor(r.lastFrame, (x) => x.includes('does not apply'), 'conflict');
    expect(f).toMatch(/broken\.txt hunk #1 \(stated line 4\)/);
    expect(f).toContain('refused:');
    expect(f).toContain('-l5');
    expect(f).toContain('s skip');
    r.stdin.write('s');
    // (The conflict view says FAILED too, of the hunk: wait for the stack's row.)
    const g = await waitFor(r.lastFrame, (x) => /zz-broken\.patch\s+FAILED/.test(x), 'stack with failed mark');
    expect(g).not.toContain('does not apply');
    // push is all-or-nothing per patch: the good one below stays applied, the broken one not.
    expect(appliedPatches(openTree(root, {}))).toEqual([names[0]]);
  });

  it('from the conflict view, P asks first and then forces the patch with rejects', async () => {
    const { root, names } = makeTree(1, { broken: true });
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('zz-broken'), 'series');
    r.stdin.write('jp');
    await waitFor(r.lastFrame, (x) => x.includes('does not apply'), 'conflict');
    r.stdin.write('P');
    await waitFor(r.lastFrame, (x) => x.includes('Force push with rejects? (y/n)'), 'confirm');
    r.stdin.write('y');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Needs attention'), 'report');
    expect(f).toContain('zz-broken.patch (rejects, needs refresh)');
    expect(appliedPatches(openTree(root, {}))).toEqual([names[0], 'zz-broken.patch']);
    expect(existsSync(join(root, 'broken.txt.rej'))).toBe(true);
  });

  it('? shows help from the key table; q quits', async () => {
    const { root } = makeTree(2);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('2 patches'), 'series');
    r.stdin.write('?');
    const f = await waitFor(r.lastFrame, (x) => x.includes('patchq: keys'), 'help');
    expect(f).toMatch(/p\s+Push up to and including the selected patch/);
    expect(f).toContain('(asks first)');
  });

  it('q while a push runs is taken: the push finishes whole, then the app quits; other keys wait', async () => {
    const { root, names } = makeTree(3);
    const real = makeOps(root, {});
    // The real push, held at its start until the test lets it go (a slow disk, a big series).
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const ops = { ...real, pushTo: async (...a: Parameters<typeof real.pushTo>) => (await gate, real.pushTo(...a)) };
    let quit = 0;
    const r = render(createElement(App, { ops, color: false, onQuit: () => void quit++ }));
    cleanups.push(() => r.unmount());
    await waitFor(r.lastFrame, (f) => f.includes(names[2]!), 'series');
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => /push \[[.#]+\] 1\/1/.test(f), 'the push running');
    r.stdin.write('q');
    await waitFor(r.lastFrame, (f) => f.includes('Quitting when the push is done'), 'quit noted');
    r.stdin.write('o'); // ignored while busy; the quit note stays
    await waitFor(r.lastFrame, () => true, 'frame');
    expect(r.lastFrame()).toContain('Quitting when the push is done');
    expect(quit).toBe(0);
    expect(appliedPatches(openTree(root, {}))).toEqual([]);
    release();
    await waitFor(() => String(quit), (x) => x === '1', 'quit after the push');
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 1));
  });

  it('G/End jump to the last patch and g/Home to the first; in the diff, to its end and its start', async () => {
    const { root, names } = makeTree(40);
    // A diff three pages long: 40 lines replaced.
    writeFileSync(join(root, 'f1.txt'), Array.from({ length: 40 }, (_, i) => `l${i + 1}\n`).join(''));
    const body = Array.from({ length: 40 }, (_, i) => `-l${i + 1}\n`).join('') + Array.from({ length: 40 }, (_, i) => `+L${i + 1}\n`).join('');
    writeFileSync(join(root, 'patches', names[0]!), `--- a/f1.txt\n+++ b/f1.txt\n@@ -1,40 +1,40 @@\n${body}`);
    const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), 80, 24);
    cleanups.push(r.unmount);
    const f = await waitFor(r.lastFrame, (x) => x.includes('40 patches'), 'series');
    expect(f).toContain('g/G');
    const selected = (x: string) => x.split('\n').find((l) => l.includes('›')) ?? '';
    expect(selected(f)).toContain(names[0]);
    r.stdin.write('G');
    await waitFor(r.lastFrame, (x) => selected(x).includes(names[39]!), 'G: the last patch');
    r.stdin.write('g');
    await waitFor(r.lastFrame, (x) => selected(x).includes(names[0]!), 'g: the first patch');
    r.stdin.write('\x1b[F'); // End
    await waitFor(r.lastFrame, (x) => selected(x).includes(names[39]!), 'End: the last patch');
    r.stdin.write('\x1b[H'); // Home
    await waitFor(r.lastFrame, (x) => selected(x).includes(names[0]!), 'Home: the first patch');
    const has = (x: string, line: string) => x.split('\n').some((l) => l.trim() === line);
    r.stdin.write(KEY.enter);
    await waitFor(r.lastFrame, (x) => has(x, '-l1') && !has(x, '+L40'), 'the diff, from its start');
    r.stdin.write('G');
    await waitFor(r.lastFrame, (x) => has(x, '+L40') && !has(x, '-l1'), 'G: the end of the diff');
    r.stdin.write('g');
    await waitFor(r.lastFrame, (x) => has(x, '-l1') && !has(x, '+L40'), 'g: the start of the diff');
    r.stdin.write('\x1b[F');
    await waitFor(r.lastFrame, (x) => has(x, '+L40'), 'End: the end of the diff');
    r.stdin.write('\x1b[H');
    await waitFor(r.lastFrame, (x) => has(x, '-l1'), 'Home: the start of the diff');
    r.stdin.write('?');
    const h = await waitFor(r.lastFrame, (x) => x.includes('patchq: keys'), 'help');
    expect(h).toMatch(/home, g\s+Jump to the first patch/);
    expect(h).toMatch(/end, G\s+Jump to the last patch/);
  });

  it('a diff of thousands of lines says where the screen is in it: lines A-B/N, page by page, to its end', async () => {
    const { root, names } = makeTree(2);
    const n = 3000;
    writeFileSync(join(root, 'f1.txt'), Array.from({ length: n }, (_, i) => `l${i + 1}\n`).join(''));
    const body = Array.from({ length: n }, (_, i) => `-l${i + 1}\n+L${i + 1}\n`).join('');
    writeFileSync(join(root, 'patches', names[0]!), `--- a/f1.txt\n+++ b/f1.txt\n@@ -1,${n} +1,${n} @@\n${body}`);
    const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), 80, 24);
    cleanups.push(r.unmount);
    const f = await waitFor(r.lastFrame, (x) => x.includes('2 patches'), 'series');
    expect(f.split('\n')[0]).not.toMatch(/lines \d/); // the stack: no page
    const total = 3 + 2 * n; // the two file lines, the @@ line, the hunk
    const title = (x: string) => x.split('\n')[0]!;
    r.stdin.write(KEY.enter);
    const d = await waitFor(r.lastFrame, (x) => title(x).includes(`lines 1-21/${total}`), 'the diff, its first page');
    expect(title(d)).toMatch(new RegExp(`^${names[0]!.replace(/\./g, '\\.')}  \\(unapplied\\) +lines 1-21/${total}$`));
    r.stdin.write(' ');
    await waitFor(r.lastFrame, (x) => title(x).includes(`lines 22-42/${total}`), 'a page down');
    r.stdin.write('G');
    const end = await waitFor(r.lastFrame, (x) => title(x).includes(`lines ${total - 20}-${total}/${total}`), 'its end');
    expect(end).toContain(`+L${n}`);
    expect(title(end).length).toBe(80);
  });

  it('keys typed while a push runs are not queued: the status line says so, the selection still moves, one push happens', async () => {
    const { root, names } = makeTree(3);
    const real = makeOps(root, {});
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    let pushes = 0;
    const ops = { ...real, pushTo: async (...a: Parameters<typeof real.pushTo>) => (pushes++, await gate, real.pushTo(...a)) };
    const r = render(createElement(App, { ops, color: false }));
    cleanups.push(() => r.unmount());
    await waitFor(r.lastFrame, (f) => f.includes(names[2]!), 'series');
    const selected = (x: string) => x.split('\n').find((l) => l.includes('›')) ?? '';
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => /push \[[.#]+\] 1\/1/.test(f), 'the push running');
    // A second p (a double press, a key held): dropped, and said.
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => f.includes('p was ignored: typed during the push (keys are not queued)'), 'p ignored, said');
    // Moving is taken: it changes nothing on disk.
    r.stdin.write('j');
    await waitFor(r.lastFrame, (f) => selected(f).includes(names[1]!), 'j moved while busy');
    r.stdin.write('o');
    await waitFor(r.lastFrame, (f) => f.includes('o was ignored: typed during the push'), 'o ignored, said');
    release();
    await waitFor(r.lastFrame, (f) => f.includes(`Pushed 1 patch(es); now at ${names[0]}`), 'the one push');
    expect(pushes).toBe(1);
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 1));
  });

  it('an operation with no patch under way yet says it is starting (the bar said "1/1" with no name)', async () => {
    const { root, names } = makeTree(3);
    await push(openTree(root, {}), { target: { count: 2 } });
    const real = makeOps(root, {});
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const ops = { ...real, popTo: async (...a: Parameters<typeof real.popTo>) => (await gate, real.popTo(...a)) };
    const r = render(createElement(App, { ops, color: false }));
    cleanups.push(() => r.unmount());
    await waitFor(r.lastFrame, (f) => f.includes(names[2]!), 'series');
    r.stdin.write('O');
    await waitFor(r.lastFrame, (f) => f.includes('Pop all patches? (y/n)'), 'confirm');
    r.stdin.write('y');
    const f = await waitFor(r.lastFrame, (x) => x.includes('pop: starting…'), 'starting');
    expect(f).not.toMatch(/1\/1/);
    release();
    await waitFor(r.lastFrame, (x) => x.includes('Popped 2 patch(es)'), 'popped');
  });

  it('help scrolls on a short terminal: the last key is two pages down (texts wrapped whole at 80)', async () => {
    const { root } = makeTree(2);
    const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), 80, 16);
    cleanups.push(r.unmount);
    await waitFor(r.lastFrame, (f) => f.includes('2 patches'), 'series');
    r.stdin.write('?');
    const f = await waitFor(r.lastFrame, (x) => x.includes('patchq: keys'), 'help');
    expect(f).not.toMatch(/q, ctrl-c\s+Quit/);
    r.stdin.write(' ');
    await waitFor(r.lastFrame, (x) => !x.includes('patchq: keys'), 'a page down');
    r.stdin.write(' ');
    const g = await waitFor(r.lastFrame, (x) => /q, ctrl-c\s+Quit/.test(x), 'last key');
    expect(g.split('\n').length).toBeLessThanOrEqual(16);
  });

  it('opens on the top patch (the last applied), scrolled so it shows; on the first when none is applied', async () => {
    const { root, names } = makeTree(60);
    const selected = (x: string) => x.split('\n').find((l) => l.includes('›')) ?? '';
    const none = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), 80, 24);
    cleanups.push(none.unmount);
    expect(selected(await waitFor(none.lastFrame, (x) => x.includes('60 patches'), 'series'))).toContain(names[0]);
    none.unmount();
    await push(openTree(root, {}), { target: { count: 45 } });
    const { firstFrame } = await import('../../src/tui/first-frame.js');
    const { loadRows } = await import('../../src/tui/store.js');
    // The plain first frame (before ink) and the live app agree: the same rows, the same cursor.
    const plain = firstFrame(loadRows(openTree(root, {})), 80, 24);
    const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), 80, 24);
    cleanups.push(r.unmount);
    const f = await waitFor(r.lastFrame, (x) => x.includes('45 applied'), 'series');
    expect(selected(f)).toMatch(new RegExp(`› ?> ${names[44]!.replace('.', '\\.')} +top`));
    expect(plain.find((l) => l.includes('›'))).toBe(selected(f).trimEnd());
    // The patches after the top show too (the next ones to push), and p pushes the next one only.
    expect(f).toContain(names[50]);
    expect(f).not.toContain(names[0]);
    r.stdin.write('jp');
    await waitFor(r.lastFrame, (x) => x.includes(`Pushed 1 patch(es); now at ${names[45]}`), 'push of the next');
  });

  it('virtualises 1,000 patches: only the visible rows render, scrolling follows the selection', async () => {
    const { root, names } = makeTree(1000);
    const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), 80, 24);
    cleanups.push(r.unmount);
    const f = await waitFor(r.lastFrame, (x) => x.includes('1000 patches'), 'series');
    expect(f.split('\n').length).toBeLessThanOrEqual(24);
    expect(f).not.toContain(names[30]!);
    for (let i = 0; i < 40; i++) r.stdin.write('j');
    const g = await waitFor(r.lastFrame, (x) => x.includes(names[40]!), 'scrolled');
    expect(g).not.toContain(names[0]!);
    r.resize(120, 40);
    const h = await waitFor(r.lastFrame, (x) => x.split('\n').length > 30, 'resized');
    expect(h).toContain(names[40]);
  });

  it('NO_COLOR: colour off gives no escape sequences, the cursor still shows as a mark', async () => {
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({})).toBe(true);
    const { root, names } = makeTree(2);
    await push(openTree(root, {}), {});
    const plain = start(root, { color: false });
    const f = await waitFor(plain.lastFrame, (x) => x.includes('2 patches'), 'plain');
    expect(f).not.toMatch(/\x1b\[/);
    expect(f).toContain(`›> ${names[0]}`);
  });
});
