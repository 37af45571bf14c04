/** Pure presentation functions, table-tested: landing labels, rejected hunks, scrolling, footer. */
import { describe, expect, it } from 'vitest';
import type { HunkReport, PatchReport } from '../../src/engine/types.js';
import { diffLines, rejectedHunks, rowText } from '../../src/tui/present.js';
import { diffStat, openingTop, scrollTop, splitPatch, withApplied, type PatchRow, type PatchState } from '../../src/tui/store.js';
import { bindingFor, bindings, footerText } from '../../src/tui/keys.js';

const hunk = (n: number, status: HunkReport['status'], extra: Partial<HunkReport> = {}): HunkReport => ({
  hunk: n, status, statedLine: 4, line: 4, newLine: 4, offset: 0, fuzz: 0, similarity: 1, reason: '', ...extra,
});
const text = 'Subject: pool\nPatchq-Base: abc1234\n\n--- a/db/x.py\n+++ b/db/x.py\n@@ -4,3 +4,3 @@\n l4\n-a\n+b\n l6\n@@ -20,3 +20,3 @@\n l20\n-c\n+d\n l22\n';
const report = (h2: HunkReport): PatchReport => ({ ok: h2.status !== 'failed', clean: false, files: [{ path: 'db/x.py', oldPath: 'db/x.py', kind: 'modify', status: h2.status === 'failed' ? 'failed' : 'ok', hunks: [hunk(1, 'exact'), h2] }] });

describe('presentation', () => {
  it.each([
    [hunk(2, 'offset', { offset: 3 }), 'offset +3'],
    [hunk(2, 'offset', { offset: -2 }), 'offset -2'],
    [hunk(2, 'merged'), 'merged'],
    [hunk(2, 'fuzzy', { fuzz: 1 }), 'fuzzy 1'],
    [hunk(2, 'failed', { reason: 'ambiguous: pre-image found at lines 40 and 97' }), 'failed: ambiguous: pre-image found at lines 40 and 97'],
  ])('labels the hunk landing beside its @@ line (%#)', (h2, label) => {
    const dl = diffLines(text, report(h2));
    expect(dl.filter((l) => l.kind === 'header').map((l) => l.text)).toEqual(['Subject: pool', 'Patchq-Base: abc1234', '']);
    expect(dl.filter((l) => l.kind === 'hunk').map((l) => l.landing)).toEqual(['exact', label]);
  });

  it('cuts the refused hunk out of the patch with where it was meant to go and why', () => {
    const rh = rejectedHunks(text, report(hunk(2, 'failed', { statedLine: 20, line: 97, reason: 'ambiguous' })));
    // patchLine: the @@ line's place in the patch text (e opens the editor there).
    const at = text.split('\n').indexOf('@@ -20,3 +20,3 @@') + 1;
    expect(at).toBeGreaterThan(1);
    expect(rh).toEqual([{ file: 'db/x.py', hunk: 2, lines: ['@@ -20,3 +20,3 @@', ' l20', '-c', '+d', ' l22'], patchLine: at, statedLine: 20, intended: 20, reason: 'ambiguous' }]);
  });

  it.each([
    ['a push of one more', ['top', 'unapplied', 'unapplied'], ['a', 'b'], ['applied', 'top', 'unapplied']],
    ['a pop', ['applied', 'top', 'unapplied'], ['a'], ['top', 'unapplied', 'unapplied']],
    ['refresh! and FAILED kept', ['needs-refresh', 'top', 'failed'], ['a', 'b'], ['needs-refresh', 'top', 'failed']],
    ['reapply popped all first', ['applied', 'needs-refresh', 'top'], [], ['unapplied', 'unapplied', 'unapplied']],
  ] as const)('withApplied: %s', (_, before, applied, after) => {
    const rows = before.map((state, i): PatchRow => ({ name: 'abc'[i]!, state: state as PatchState, template: null, base: null, added: 1, removed: 0, files: 1 }));
    expect(withApplied(rows, [...applied]).map((r) => r.state)).toEqual(after);
  });

  it.each([
    [40, 21, 100, 30],
    [5, 21, 100, 0],
    [99, 21, 100, 79],
    [3, 21, 4, 0],
  ])('openingTop(selected %i, height %i, count %i) = %i', (sel, h, n, want) => {
    expect(openingTop(sel, h, n)).toBe(want);
  });

  it('splits header from diff and counts +/- lines and files', () => {
    expect(splitPatch(text).header).toBe('Subject: pool\nPatchq-Base: abc1234\n\n');
    expect(diffStat(splitPatch(text).diff)).toEqual({ added: 2, removed: 2, files: 1 });
  });

  it.each([
    [0, 12, 10, 1000, 3],
    [5, 2, 10, 1000, 2],
    [0, 5, 10, 1000, 0],
    [995, 999, 10, 1000, 990],
    [0, 0, 10, 3, 0],
  ])('scrollTop(top %i, selected %i, height %i, count %i) = %i', (top, sel, h, n, want) => {
    expect(scrollTop(top, sel, h, n)).toBe(want);
  });

  it('rows fit the width; keys are one table driving bindings and footer', () => {
    const row = { name: 'x'.repeat(200), state: 'top' as const, template: 'pool', base: 'abcdef1234', added: 3, removed: 1, files: 2 };
    for (const w of [40, 80, 120]) expect(rowText(row, w, 200).length).toBe(w);
    for (const w of [40, 80, 120]) {
      const f = footerText('stack', w);
      expect(f.length).toBeLessThanOrEqual(Math.max(w, 'q quit'.length + 8));
      expect(f.endsWith('? help  q quit')).toBe(true);
    }
    expect(bindingFor('stack', 'p')?.action).toBe('push');
    expect(bindingFor('stack', 'O')?.confirm).toBeTruthy();
    // No key means two things on one screen.
    for (const b of bindings) for (const s of b.screens) for (const k of b.keys) expect(bindingFor(s, k)).toBe(b);
  });
});

describe('wide characters', () => {
  it('a row with a CJK name is as wide on screen as the others, its columns aligned', async () => {
    const { default: cells } = await import('string-width'); // terminal cells, as ink measures
    const row = (name: string) => ({ name, state: 'unapplied' as const, template: null, base: null, added: 1, removed: 1, files: 1 });
    const names = ['ünïcödé-日本語-патч.patch', '001-change-f1.patch'];
    const nameWidth = Math.max(...names.map((n) => cells(n)));
    for (const width of [80, 40]) {
      const [wide, plain] = names.map((n) => rowText(row(n), width, nameWidth));
      expect([cells(wide!), cells(plain!)]).toEqual([width, width]);
      // The state column starts at the same cell.
      const at = (l: string) => cells(l.slice(0, l.indexOf('unapplied')));
      expect(at(wide!)).toBe(at(plain!));
    }
    expect(cells(rowText(row('日本語'.repeat(30) + '.patch'), 60, 200))).toBe(60);
  });
});

describe('control characters in a patch', () => {
  it('an escape sequence a patch adds is shown as text, never sent to the terminal', () => {
    const t = 'Subject: colours\x1b]0;owned\x07\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-plain\n+\x1b[31mred\x1b[0m\r\x9b2J\n';
    const dl = diffLines(t, null);
    for (const l of dl) expect(l.text).not.toMatch(/[\x00-\x1f\x7f\x80-\x9f]/);
    expect(dl.find((l) => l.kind === 'add')!.text).toBe('+^[[31mred^[[0m^M?2J');
    expect(dl[0]!.text).toBe('Subject: colours^[]0;owned^G');
  });
});
