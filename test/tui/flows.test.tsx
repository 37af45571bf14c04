/**
 * R (reapply), g (regen), progress and the reapply conflict view, on REAL trees: the demo
 * builder's git fork (upstream v1 -> v2 with drift, a template patch, a patch upstream
 * took), driven through ink-testing-library; the tree is checked afterwards with the stack
 * API and the patch files themselves.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { App, type EditRequest } from '../../src/tui/app.js';
import { makeOps } from '../../src/tui/store.js';
import { buildDemo } from '../../src/demo/build.js';
import { appliedPatches, openTree, readSeries } from '../../src/stack/index.js';
import { git, patchq, tempDir, upstreamAndFork, write } from '../helpers/tree.js';
import { makeTree, waitFor } from './fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function start(root: string, onEdit?: (req: EditRequest) => void) {
  const r = render(createElement(App, { ops: makeOps(root, {}), color: false, ...(onEdit ? { onEdit } : {}) }));
  cleanups.push(() => r.unmount());
  return r;
}

const demo = () => buildDemo(join(tempDir('patchq-tui-demo-'), 'fork')).root;
const series = (root: string) => readSeries(openTree(root, {})).map((e) => e.name);
const applied = (root: string) => appliedPatches(openTree(root, {}));
const patchFile = (root: string, name: string) => readFileSync(join(root, 'patches', name), 'latin1');

/** Upstream rewrites the very line 02-app-banner changes: a real conflict for reapply. */
function conflictingUpstream(root: string): void {
  const app = join(root, 'app.py');
  const text = readFileSync(app, 'utf8');
  expect(text).toContain('return render_template("index.html", mode=mode)');
  writeFileSync(app, text.replace('return render_template("index.html", mode=mode)', 'return render_template("home.html", mode=mode)'));
  git(root, 'commit', '-qam', 'upstream v3: home.html');
}

describe('tui flows on the demo fork', () => {
  it('R reapplies with progress, stops at the patch upstream took, c drops it and finishes', async () => {
    const root = demo();
    const before = patchFile(root, '01-pooling.patch');
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches, 0 applied'), 'series');
    r.stdin.write('R');
    const stop = await waitFor(r.lastFrame, (f) => f.includes('Reapply stopped at 04-user-typo.patch'), 'stop');
    expect(stop).toContain('upstream already has it');
    expect(stop).toContain('c drop it from the series and continue');
    // The bar showed each patch while the run worked on it.
    const bars = r.frames.filter((f) => /reapply \[[#.]+\] \d+\/4 /.test(f));
    for (const n of ['01-pooling.patch', '02-app-banner.patch', '03-settings-default.patch']) expect(bars.some((f) => f.includes(n))).toBe(true);
    expect(applied(root)).toEqual(['01-pooling.patch', '02-app-banner.patch', '03-settings-default.patch']);
    r.stdin.write('c');
    const done = await waitFor(r.lastFrame, (f) => f.includes('Reapply: every patch is back'), 'report');
    // Needs a person first: the rewritten patches to review, before reapply's own lines.
    const lines = done.split('\n');
    const att = lines.findIndex((l) => l.startsWith('Needs attention'));
    expect(att).toBeGreaterThan(0);
    expect(lines[att + 1]).toMatch(/0[123]-.*\.patch \((regenerated|refreshed): review it\)/);
    expect(lines.findIndex((l) => l.startsWith('patchq reapply'))).toBeGreaterThan(att);
    // The rest of reapply's report is a page down.
    r.stdin.write(' ');
    await waitFor(r.lastFrame, (f) => f.includes('All 3 patch(es) are back'), 'report end');
    expect(series(root)).toEqual(['01-pooling.patch', '02-app-banner.patch', '03-settings-default.patch']);
    expect(patchFile(root, '01-pooling.patch')).not.toBe(before);
    expect(patchFile(root, '01-pooling.patch')).toContain('latency_db.py');
  }, 30_000);

  it('R: the stack shows each patch as it lands, while the run goes on (not only when it ends)', async () => {
    const root = demo();
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches, 0 applied'), 'series');
    r.stdin.write('R');
    await waitFor(r.lastFrame, (f) => f.includes('Reapply stopped at 04-user-typo.patch'), 'stop');
    // The frames painted while the bar was on a patch: the ones before it are applied by then.
    const during = (name: string) => r.frames.filter((f) => new RegExp(`reapply \\[[#.]+\\] \\d+/4 ${name.replace(/\./g, '\\.')}`).test(f));
    const rowOf = (f: string, name: string) => f.split('\n').find((l) => l.includes(name) && !l.includes('reapply [')) ?? '';
    const at3 = during('03-settings-default.patch');
    expect(at3.length).toBeGreaterThan(0);
    expect(at3.some((f) => f.includes('4 patches, 2 applied, top: 02-app-banner.patch'))).toBe(true);
    expect(at3.some((f) => /\btop\b/.test(rowOf(f, '02-app-banner.patch')) && /applied/.test(rowOf(f, '01-pooling.patch')))).toBe(true);
    expect(during('04-user-typo.patch').some((f) => f.includes('3 applied, top: 03-settings-default.patch'))).toBe(true);
  });

  it('a reapply conflict shows the refused hunk and why; a (after y) rolls the run back', async () => {
    const root = demo();
    conflictingUpstream(root);
    const seriesBefore = readFileSync(join(root, 'patches/series'), 'latin1');
    const bannerBefore = patchFile(root, '02-app-banner.patch');
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches'), 'series');
    r.stdin.write('R');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at 02-app-banner.patch'), 'conflict');
    expect(f).toContain('conflicts in app.py');
    // Where the markers are, not a candidate place.
    const at = readFileSync(join(root, 'app.py'), 'utf8').split('\n').findIndex((l) => l.startsWith('<<<<<<< ')) + 1;
    expect(f).toMatch(new RegExp(`app\\.py hunk #1 \\(stated line 10\\): NOT MERGED at lines ${at}-\\d+ \\(conflict markers\\)`));
    expect(f).not.toContain('candidate');
    expect(f).toContain('refused:');
    expect(f).toContain('+    return render_template("index.html", mode=mode, banner="patchq demo fork")');
    expect(f).toContain('a abort the run');
    // The run laid the conflict out in the file, as `patchq reapply` does.
    expect(readFileSync(join(root, 'app.py'), 'utf8')).toMatch(/^<<<<<<< /m);
    r.stdin.write('a');
    await waitFor(r.lastFrame, (x) => x.includes('Abort? (y/n)'), 'confirm');
    r.stdin.write('y');
    await waitFor(r.lastFrame, (x) => x.includes('Reapply aborted'), 'aborted');
    expect(applied(root)).toEqual([]);
    expect(readFileSync(join(root, 'patches/series'), 'latin1')).toBe(seriesBefore);
    expect(patchFile(root, '02-app-banner.patch')).toBe(bannerBefore);
    expect(readFileSync(join(root, 'app.py'), 'utf8')).not.toMatch(/^<<<<<<< /m);
  }, 30_000);

  it('s leaves a stopped run waiting; R returns to it; c refuses while markers remain, then continues once fixed', async () => {
    const root = demo();
    conflictingUpstream(root);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches'), 'series');
    r.stdin.write('R');
    await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at 02-app-banner.patch'), 'conflict');
    r.stdin.write('s');
    await waitFor(r.lastFrame, (x) => x.includes('reapply stopped at 02-app-banner.patch (R)') && x.includes('enter diff'), 'stack, run waiting');
    r.stdin.write('R');
    await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at 02-app-banner.patch'), 'conflict again');
    r.stdin.write('c');
    await waitFor(r.lastFrame, (x) => x.includes('conflict markers remain in app.py'), 'refused');
    // A person resolves it: upstream's template name, the fork's banner.
    const text = readFileSync(join(root, 'app.py'), 'utf8');
    const fixed = text.replace(/^<<<<<<< [^\n]*\n[\s\S]*?^>>>>>>> [^\n]*\n/m, '    return render_template("home.html", mode=mode, banner="patchq demo fork")\n');
    expect(fixed).not.toBe(text);
    writeFileSync(join(root, 'app.py'), fixed);
    r.stdin.write('c');
    await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at 04-user-typo.patch'), 'next stop');
    r.stdin.write('c');
    const done = await waitFor(r.lastFrame, (x) => x.includes('Reapply: every patch is back'), 'done');
    expect(done).toContain('02-app-banner.patch (resolved: review it)');
    expect(patchFile(root, '02-app-banner.patch')).toContain('+    return render_template("home.html", mode=mode, banner="patchq demo fork")');
    expect(applied(root)).toEqual(['01-pooling.patch', '02-app-banner.patch', '03-settings-default.patch']);
  }, 30_000);

  it('t regenerates the selected template patch from its template and pushes it, as patchq regen does', async () => {
    const root = demo();
    const before = patchFile(root, '01-pooling.patch');
    expect(before).not.toContain('latency_db.py');
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches'), 'series');
    r.stdin.write('t');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Regenerated patch 01-pooling.patch from template sqlalchemy-staticpool'), 'regen');
    expect(f).toContain('Pushed 1 patch(es); now at 01-pooling.patch');
    expect(patchFile(root, '01-pooling.patch')).toContain('latency_db.py');
    expect(applied(root)).toEqual(['01-pooling.patch']);
    // t on a patch that is not a template: one clear line, nothing changes.
    r.stdin.write('\x1b');
    await waitFor(r.lastFrame, (x) => x.includes('enter diff'), 'stack');
    r.stdin.write('j');
    await waitFor(r.lastFrame, () => true, 'moved');
    r.stdin.write('t');
    await waitFor(r.lastFrame, (x) => x.includes('Patch 02-app-banner.patch is not a template patch'), 'refusal');
    expect(applied(root)).toEqual(['01-pooling.patch']);
  }, 30_000);
  it('a refused push of a template patch: the conflict view shows each refused hunk; t regenerates and pushes it', async () => {
    const root = demo();
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('4 patches'), 'series');
    r.stdin.write('p');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Patch 01-pooling.patch does not apply: 2 rejected'), 'conflict');
    expect(f).toContain('t regenerate from template');
    expect(f).toMatch(/database\/auth_db\.py hunk #2 \(stated line 12\): FAILED at line \d+/);
    expect(f).not.toContain('candidate');
    expect(f).toMatch(/refused: no match: removed lines differ/);
    expect(applied(root)).toEqual([]);
    r.stdin.write('t');
    const g = await waitFor(r.lastFrame, (x) => x.includes('Regenerated patch 01-pooling.patch'), 'regenerated');
    expect(g).toContain('Pushed 1 patch(es); now at 01-pooling.patch');
    expect(applied(root)).toEqual(['01-pooling.patch']);
  }, 30_000);
});

describe('tui reapply over a file upstream renamed', () => {
  it('the conflict view says where the file went and what to do, as reapply does; e opens its .rej, not the gone file', async () => {
    const v1 = Array.from({ length: 10 }, (_, i) => `setting_${i} = ${i}\n`).join('');
    const patch = 'Index: fork/conf/old.py\n===================================================================\n--- fork.orig/conf/old.py\n+++ fork/conf/old.py\n@@ -4,3 +4,3 @@\n setting_3 = 3\n-setting_4 = 4\n+setting_4 = 40\n setting_5 = 5\n';
    const { up, d } = upstreamAndFork({ 'conf/old.py': v1 }, { '.gitignore': '.pc\n', 'patches/series': 'conf.patch\n', 'patches/conf.patch': patch }, 'patchq-tui-rename-');
    git(up, 'mv', 'conf/old.py', 'conf/new.py');
    write(up, 'conf/new.py', v1.replace('setting_9 = 9', 'setting_9 = 99'));
    git(up, 'commit', '-qam', 'v2: conf/old.py is conf/new.py');
    git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
    const edited: string[] = [];
    const r = start(d, (e) => edited.push(e.path));
    await waitFor(r.lastFrame, (f) => f.includes('1 patches'), 'series');
    r.stdin.write('R');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at conf.patch'), 'conflict');
    // ink-testing-library's frame is 100 columns: the lines are cut there, so their starts.
    const finding = 'conf/old.py: renamed upstream to conf/new.py (90% similar); the patch still names conf/o';
    expect(f).toContain(finding);
    expect(f).toContain("to do: 'patchq add conf/new.py' (before changing it)\n       put the hunks of conf/old.py.rej into conf/new.py by hand (or drop them)\n       delete conf/old.py.rej, then c continue\n");
    const lines = f.split('\n');
    expect(lines.findIndex((l) => l.startsWith('conf/old.py: renamed'))).toBeLessThan(lines.findIndex((l) => l.startsWith('conf/old.py hunk #1')));
    // The same words as patchq reapply's report (the finding is in the run's journal).
    const cli = JSON.parse(readFileSync(join(d, '.pc/.patchq/reapply.json'), 'utf8')) as { outcomes: Array<{ renames?: Array<{ renamedTo: string }> }> };
    expect(cli.outcomes[0]!.renames![0]!.renamedTo).toBe('conf/new.py');
    // s leaves the run waiting; R returns to the same view, read back from the journal.
    r.stdin.write('s');
    // The title says the run waits on every screen: the stack's footer shows the s was taken
    // (else the R and e below could reach the app before it, and e arrive while R runs).
    await waitFor(r.lastFrame, (x) => x.includes('reapply stopped at conf.patch (R)') && x.includes('enter diff'), 'stack');
    r.stdin.write('R');
    const again = await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at conf.patch'), 'conflict again');
    expect(again).toContain(finding);
    r.stdin.write('e');
    await waitFor(() => String(edited.length), (x) => x === '1', 'editor');
    expect(edited).toEqual([join(d, 'conf/old.py.rej')]);
  }, 30_000);
});

describe('tui reapply stopped with conflicts in two files', () => {
  it('e opens both conflicted files in one editor run, not only the first', async () => {
    const v1 = (tag: string) => Array.from({ length: 10 }, (_, i) => `${tag}_${i} = ${i}\n`).join('');
    const hunk = (f: string, tag: string) => `Index: fork/${f}\n===================================================================\n--- fork.orig/${f}\n+++ fork/${f}\n@@ -4,3 +4,3 @@\n ${tag}_3 = 3\n-${tag}_4 = 4\n+${tag}_4 = 40\n ${tag}_5 = 5\n`;
    const { up, d } = upstreamAndFork({ 'a.py': v1('a'), 'b.py': v1('b') }, { '.gitignore': '.pc\n', 'patches/series': 'two.patch\n', 'patches/two.patch': hunk('a.py', 'a') + hunk('b.py', 'b') }, 'patchq-tui-two-');
    // Upstream rewrites the very lines the patch changes, in both files.
    write(up, 'a.py', v1('a').replace('a_4 = 4', 'a_4 = 4  # upstream'));
    write(up, 'b.py', v1('b').replace('b_4 = 4', 'b_4 = 4  # upstream'));
    git(up, 'commit', '-qam', 'v2');
    git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
    const edited: string[][] = [];
    const r = start(d, (e) => edited.push([e.path, ...e.more]));
    await waitFor(r.lastFrame, (f) => f.includes('1 patches'), 'series');
    r.stdin.write('R');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Reapply stopped at two.patch'), 'conflict');
    expect(f).toContain('(conflicts in a.py, b.py)');
    expect(f).toContain('e edit the conflicted files');
    r.stdin.write('e');
    await waitFor(() => String(edited.length), (x) => x === '1', 'editor');
    expect(edited).toEqual([[join(d, 'a.py'), join(d, 'b.py')]]);
  }, 30_000);
});

describe('tui push conflict on plain trees', () => {
  it('a refused hunk is named where push says it FAILED, not at a copy of its context', async () => {
    // The hunk's pre-image (l7..l13) is gone from its place (upstream changed l10) and is
    // found twice elsewhere: two copies upstream added. push refuses it as ambiguous.
    const root = tempDir('patchq-tui-copies-');
    const block = ['l7', 'l8', 'l9', 'l10', 'l11', 'l12', 'l13'];
    const lines = ['l1', ...block, 'sep', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9', 'l10 upstream', 'l11', 'l12', 'l13', 'l14', ...block, 'l15'];
    write(root, 'f.txt', lines.join('\n') + '\n');
    write(root, 'patches/series', 'p.patch\n');
    write(root, 'patches/p.patch', '--- a/f.txt\n+++ b/f.txt\n@@ -7,7 +7,7 @@\n l7\n l8\n l9\n-l10\n+l10 fork\n l11\n l12\n l13\n');
    const cli = patchq(root, ['push']);
    expect(cli.code).toBe(1);
    const at = /^Hunk #1 FAILED at (\d+) \(ambiguous: pre-image found at lines 2 and 23\)\.$/m.exec(cli.stdout);
    expect(at, cli.stdout).not.toBeNull();
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('p.patch'), 'series');
    r.stdin.write('p');
    const f = await waitFor(r.lastFrame, (x) => x.includes('Patch p.patch does not apply'), 'conflict');
    expect(f).toContain(`f.txt hunk #1 (stated line 7): FAILED at line ${at![1]}\n`);
    expect(f).toContain('refused: ambiguous: pre-image found at lines 2 and 23');
    expect(f).not.toContain('candidate');
    expect(applied(root)).toEqual([]);
  });

  it('a (after y) pops what the refused push had applied below the failed patch', async () => {
    const { root, names } = makeTree(2, { broken: true });
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('zz-broken'), 'series');
    r.stdin.write('jjp');
    await waitFor(r.lastFrame, (x) => x.includes('Patch zz-broken.patch does not apply'), 'conflict');
    expect(applied(root)).toEqual(names.slice(0, 2));
    r.stdin.write('a');
    await waitFor(r.lastFrame, (x) => x.includes('Abort? (y/n)'), 'confirm');
    r.stdin.write('y');
    await waitFor(r.lastFrame, (x) => x.includes('Popped 2 patch(es)'), 'popped');
    expect(applied(root)).toEqual([]);
  });
});

describe('tui progress and filter on plain trees', () => {
  it('push shows a bar and the patch being worked on, one frame per patch', async () => {
    const { root, names } = makeTree(3);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes(names[2]!), 'series');
    r.stdin.write('jjp');
    await waitFor(r.lastFrame, (f) => f.includes('Pushed 3 patch(es)'), 'report');
    names.forEach((n, i) => {
      expect(r.frames.some((f) => f.includes(`push [`) && f.includes(`] ${i + 1}/3 ${n}`))).toBe(true);
    });
  });

  it('/ filters by name: typing narrows, backspace widens, esc clears, keys act on the filtered rows', async () => {
    const { root, names } = makeTree(12);
    const r = start(root);
    await waitFor(r.lastFrame, (f) => f.includes('12 patches'), 'series');
    const listed = (f: string) => f.split('\n').slice(1, -2).filter((l) => /\.patch/.test(l)).length;
    r.stdin.write('/');
    r.stdin.write('f1');
    let f = await waitFor(r.lastFrame, (x) => x.includes('filter: f1_'), 'typing');
    expect(listed(f)).toBe(4); // f1, f10, f11, f12
    r.stdin.write('1');
    f = await waitFor(r.lastFrame, (x) => x.includes('filter: f11_'), 'narrower');
    expect(listed(f)).toBe(1);
    r.stdin.write('\x7f');
    f = await waitFor(r.lastFrame, (x) => x.includes('filter: f1_'), 'backspace');
    expect(listed(f)).toBe(4);
    r.stdin.write('\r');
    await waitFor(r.lastFrame, (x) => x.includes('filter: f1') && !x.includes('filter: f1_'), 'kept');
    // p on the 2nd filtered row (f10) pushes up to f10 in the series.
    r.stdin.write('jp');
    await waitFor(r.lastFrame, (x) => x.includes(`Pushed 10 patch(es); now at ${names[9]}`), 'push on filtered row');
    r.stdin.write('\x1b');
    await waitFor(r.lastFrame, (x) => x.includes('enter diff'), 'stack');
    r.stdin.write('/');
    r.stdin.write('\x1b');
    f = await waitFor(r.lastFrame, (x) => !x.includes('filter:'), 'cleared');
    expect(listed(f)).toBe(12);
  });
});
