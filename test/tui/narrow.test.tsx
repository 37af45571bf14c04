/**
 * What tells a person what happened and what to do next is wrapped, never cut at the
 * screen's edge: the status line, a report, the conflict view, the help. And every key
 * says something: a key that does nothing on a screen says where it works. Real trees
 * (the demo fork, temp quilt trees), rendered at the sizes a person uses (80 and 60 wide).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { App } from '../../src/tui/app.js';
import { makeOps } from '../../src/tui/store.js';
import { wrap } from '../../src/tui/present.js';
import { footerText } from '../../src/tui/keys.js';
import { buildDemo } from '../../src/demo/build.js';
import { appliedPatches, openTree, push } from '../../src/stack/index.js';
import { git, tempDir } from '../helpers/tree.js';
import { KEY, makeTree, renderAt, waitFor } from './fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function startAt(root: string, w: number, h: number) {
  const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false }), w, h);
  cleanups.push(r.unmount);
  return r;
}

/** The frame's lines, each at most `w` cells (the renderer pads nothing). */
const linesOf = (f: string) => f.split('\n');
/** The screen's words, the line breaks and indents of wrapping taken out. */
const flat = (f: string) => f.replace(/\s+/g, '');

describe('wrap', () => {
  it.each([
    ['short', 10, ['short']],
    ['  to do: delete a.rej, then c continue', 20, ['  to do: delete', '  a.rej, then c', '  continue']],
    // Aligned columns are kept; the detail goes on under itself.
    ['  01-x.patch    regenerated from its template', 30, ['  01-x.patch    regenerated', '  from its template']],
    // A path longer than the line is split after a '/'.
    ['  kept in .pc/.patchq/reapply/run-1/old/01-pooling.patch', 24, ['  kept in', '  .pc/.patchq/reapply/', '  run-1/old/', '  01-pooling.patch']],
    ['abcdefghijklmnopqrstuvwxyz', 10, ['abcdefghij', 'klmnopqrst', 'uvwxyz']],
    ['日本語日本語', 5, ['日本', '語日', '本語']],
  ])('wrap(%j, %i)', (text, width, out) => {
    const got = wrap(text, width);
    expect(got).toEqual(out);
  });
});

describe('nothing that says what to do is cut', () => {
  it('a refused pop says, whole at 80 columns, why and what to do in the TUI (r, then o)', async () => {
    const { root, names } = makeTree(3);
    await push(openTree(root, {}), { target: { count: 2 } });
    writeFileSync(join(root, 'f2.txt'), readFileSync(join(root, 'f2.txt'), 'utf8') + 'an edit not refreshed yet\n');
    const r = startAt(root, 80, 24);
    await waitFor(r.lastFrame, (f) => f.includes('3 patches, 2 applied'), 'series');
    r.stdin.write('ko'); // on the first patch (it opened on the top): pop until it is the top
    const f = await waitFor(r.lastFrame, (x) => x.includes('then o again'), 'the refusal');
    expect(flat(f)).toContain(flat(`Patch ${names[1]} does not remove cleanly (its files changed since its last refresh): r refreshes it (it is the top now), then o again`));
    expect(f).not.toContain('enforce with -f');
    expect(linesOf(f).every((l) => l.length <= 80)).toBe(true);
    expect(linesOf(f).length).toBeLessThanOrEqual(24);
    expect(f).toContain('q quit');
    // And it is so: r, then o pops it.
    r.stdin.write('r');
    await waitFor(r.lastFrame, (x) => x.includes(`Refreshed patch ${names[1]}`), 'refreshed');
    r.stdin.write('o');
    await waitFor(r.lastFrame, (x) => x.includes('Popped 1 patch(es)'), 'popped');
    expect(appliedPatches(openTree(root, {}))).toEqual(names.slice(0, 1));
  });

  it("the demo's reapply report at 60 columns: every line whole (the kept previous versions' paths too)", async () => {
    const root = buildDemo(join(tempDir('patchq-tui-narrow-'), 'fork')).root;
    const r = startAt(root, 60, 80);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches, 0 applied'), 'series');
    r.stdin.write('R');
    await waitFor(r.lastFrame, (f) => f.includes('Reapply stopped at 04-user-typo.patch'), 'stop');
    r.stdin.write('c');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Reapply: every patch is back'), 'report');
    expect(linesOf(f).every((l) => l.length <= 60)).toBe(true);
    expect(f).not.toContain('…');
    const kept = readFileSync(join(root, 'patches/series'), 'utf8').trim().split('\n');
    expect(kept).toEqual(['01-pooling.patch', '02-app-banner.patch', '03-settings-default.patch']);
    // Each rewritten patch's old version: said where it is, the path whole.
    for (const name of kept) expect(flat(f)).toMatch(new RegExp(`previousversionkeptin\\.pc/\\.patchq/reapply/[^/]+/old/${name.replace(/\./g, '\\.')}`));
    expect(flat(f)).toContain(flat('database/settings_db.py hunk 2: merged at line 38 - 3-way merge with the base'));
  }, 30_000);

  it('a stopped reapply at 60 columns: where the markers are, whole; the footer has c and a, not t', async () => {
    const root = buildDemo(join(tempDir('patchq-tui-narrow-'), 'fork')).root;
    const app = join(root, 'app.py');
    writeFileSync(app, readFileSync(app, 'utf8').replace('render_template("index.html", mode=mode)', 'render_template("home.html", mode=mode)'));
    git(root, 'commit', '-qam', 'upstream v3');
    const r = startAt(root, 60, 24);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches, 0 applied'), 'series');
    r.stdin.write('R');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at 02-app-banner.patch'), 'conflict');
    expect(linesOf(f).every((l) => l.length <= 60)).toBe(true);
    expect(flat(f)).toContain(flat('1 hunk(s) need a person (conflicts in app.py)'));
    expect(flat(f)).toMatch(/NOTMERGEDatlines\d+-\d+\(conflictmarkers\)/);
    expect(flat(f)).toContain(flat('s back to the stack (the run waits; R returns here)'));
    const footer = linesOf(f).at(-1)!;
    expect(footer).toContain('c continue');
    expect(footer).toContain('a abort');
    expect(footer).not.toContain('t regen');
  }, 30_000);

  it('the help at 80 columns: each key\'s text whole, "(asks first)" included', async () => {
    const { root } = makeTree(2);
    const r = startAt(root, 80, 60);
    await waitFor(r.lastFrame, (f) => f.includes('2 patches'), 'series');
    r.stdin.write('?');
    const f = await waitFor(r.lastFrame, (x) => x.includes('patchq: keys'), 'help');
    expect(f).not.toContain('…');
    expect(flat(f)).toContain(flat('Force-push the selected patch: apply what applies, write .rej files (asks first)'));
    expect(flat(f)).toContain(flat('Abort: pop what this push applied, or roll the reapply run back (asks first)'));
  });
});

describe('the title at 80 columns', () => {
  it('the filter being typed and a stopped run show, the long top name gives way', async () => {
    const rows = [{ name: '0400-change-number-400-of-the-long-series-of-changes.patch', state: 'top' as const, template: null, base: null, added: 1, removed: 1, files: 1 }];
    const { titleText } = await import('../../src/tui/present.js');
    const typing = titleText(rows, 'pool', true, null, 80);
    expect(typing.length).toBeLessThanOrEqual(80);
    expect(typing).toMatch(/^patchq  1 patches, 1 applied, top: 0400-change-number-400-.*…  filter: pool_$/);
    const stopped = titleText(rows, '', false, '0400-change-number-400-of-the-long-series-of-changes.patch', 80);
    expect(stopped).toMatch(/^patchq  1 patches, 1 applied, top: 0400-\S*…  reapply stopped at 0400-\S*… \(R\)$/);
    expect(stopped.length).toBeLessThanOrEqual(80);
    // Room enough: the name whole, as before.
    expect(titleText(rows, 'pool', true, null, 200)).toBe(`patchq  1 patches, 1 applied, top: ${rows[0]!.name}  filter: pool_`);
  });

  it('typing a filter on a series of long names: the filter shows in the title as it is typed', async () => {
    const { root } = makeTree(3);
    const long = Array.from({ length: 3 }, (_, i) => `${String(i + 1).padStart(4, '0')}-a-rather-long-patch-name-for-the-series-${i + 1}.patch`);
    const { readdirSync, renameSync } = await import('node:fs');
    const olds = readdirSync(join(root, 'patches')).filter((n) => n.endsWith('.patch')).sort();
    olds.forEach((n, i) => renameSync(join(root, 'patches', n), join(root, 'patches', long[i]!)));
    writeFileSync(join(root, 'patches/series'), long.join('\n') + '\n');
    await push(openTree(root, {}), { target: { count: 3 } });
    const r = startAt(root, 80, 24);
    await waitFor(r.lastFrame, (f) => f.includes('3 patches, 3 applied'), 'series');
    r.stdin.write('/ser');
    const f = await waitFor(r.lastFrame, (x) => linesOf(x)[0]!.endsWith('filter: ser_'), 'the filter in the title');
    expect(linesOf(f)[0]!.length).toBeLessThanOrEqual(80);
  });
});

describe('a tiny terminal', () => {
  it('40x5: the title, two rows, the status line and the footer, nothing pushed off the top', async () => {
    const { root, names } = makeTree(4);
    const r = startAt(root, 40, 5);
    const f = await waitFor(r.lastFrame, (x) => x.includes('4 patches'), 'series');
    const lines = linesOf(f);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines[0]).toMatch(/^patchq  4 patches/);
    expect(lines[1]).toContain(names[0]!.slice(0, 8));
    expect(lines.at(-1)).toContain('q quit');
    r.stdin.write('j');
    await waitFor(r.lastFrame, (x) => linesOf(x).some((l) => l.startsWith('›') && l.includes(names[1]!.slice(0, 8))), 'moved, still shown');
    const { firstFrame } = await import('../../src/tui/first-frame.js');
    const { loadRows } = await import('../../src/tui/store.js');
    expect(firstFrame(loadRows(openTree(root, {})), 40, 5).length).toBe(5);
  });
});

describe('a refused push lists the keys for it', () => {
  it('no c (nothing to continue); t only for a template patch', () => {
    const push = { kind: 'push' as const, name: 'p', hunks: [], pushed: [], mergedUpstream: false, reason: '', files: [] };
    expect(footerText('conflict', 200, push)).not.toContain('c continue');
    expect(footerText('conflict', 200, push)).not.toContain('t regen');
    expect(footerText('conflict', 200, { ...push, template: true })).toContain('t regen');
    expect(footerText('conflict', 200, { ...push, kind: 'reapply' })).toContain('c continue');
  });
});

describe('a key that does nothing here says so', () => {
  it('where it works (r in a diff, c on the stack), or that it is no key; esc on the stack', async () => {
    const { root, names } = makeTree(2);
    const r = startAt(root, 80, 24);
    await waitFor(r.lastFrame, (f) => f.includes('2 patches'), 'series');
    const status = (f: string) => linesOf(f).at(-2)!;
    r.stdin.write('x');
    await waitFor(r.lastFrame, (f) => status(f).startsWith('x is not a key: ? lists the keys'), 'x');
    r.stdin.write('c');
    await waitFor(r.lastFrame, (f) => status(f).startsWith('c works on the conflict view only'), 'c');
    r.stdin.write(KEY.esc);
    await waitFor(r.lastFrame, (f) => status(f).startsWith('esc: this is the stack already (q quits)'), 'esc');
    r.stdin.write(KEY.enter);
    await waitFor(r.lastFrame, (f) => f.includes(`${names[0]}  (unapplied)`), 'diff');
    r.stdin.write('r');
    await waitFor(r.lastFrame, (f) => status(f).startsWith('r works on the stack: esc goes back to it'), 'r in a diff');
    // A key that works clears it.
    r.stdin.write(KEY.esc);
    await waitFor(r.lastFrame, (f) => f.includes('enter diff') && status(f).trim() === '', 'stack, no message');
    // A filter that matches nothing: p says there is no patch to push.
    r.stdin.write('/zzz\r');
    await waitFor(r.lastFrame, (f) => f.includes('filter: zzz') && !f.includes('filter: zzz_'), 'filtered to nothing');
    r.stdin.write('p');
    await waitFor(r.lastFrame, (f) => f.includes('No patch selected'), 'p with no row');
    expect(appliedPatches(openTree(root, {}))).toEqual([]);
  });

  it('ctrl-c quits from the filter prompt and from a y/n prompt (it did nothing while filtering)', async () => {
    const { root } = makeTree(2);
    for (const prompt of ['/f1', 'O']) {
      let quit = 0;
      const r = renderAt(createElement(App, { ops: makeOps(root, {}), color: false, onQuit: () => void quit++ }), 80, 24);
      cleanups.push(r.unmount);
      await waitFor(r.lastFrame, (f) => f.includes('2 patches'), 'series');
      r.stdin.write(prompt);
      await waitFor(r.lastFrame, (f) => f.includes('filter: f1_') || f.includes('Pop all patches? (y/n)'), prompt);
      r.stdin.write('\x03');
      await waitFor(() => String(quit), (q) => q === '1', `ctrl-c quits (${prompt})`);
    }
  });
});
