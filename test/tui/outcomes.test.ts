/** outcomes.ts and the conflict/report lines, table-tested: results in, what the screen lists out. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HunkReport, PatchReport } from '../../src/engine/types.js';
import { openTree, push, type PushedPatch, type PushResult } from '../../src/stack/index.js';
import type { PatchOutcome, ReapplyReport } from '../../src/reapply/index.js';
import { pushOutcome, reapplyOutcome, type Conflict } from '../../src/tui/outcomes.js';
import { conflictLines } from '../../src/tui/screens/ConflictScreen.js';
import { reportLines } from '../../src/tui/screens/ReportScreen.js';
import { titleText } from '../../src/tui/present.js';
import { makeTree } from './fixture.js';

const hunk = (n: number, status: HunkReport['status'], extra: Partial<HunkReport> = {}): HunkReport => ({
  hunk: n, status, statedLine: 4, line: 4, newLine: 4, offset: 0, fuzz: 0, similarity: 1, reason: '', ...extra,
});
const report = (...hs: HunkReport[]): PatchReport => ({
  ok: hs.every((h) => h.status !== 'failed'), clean: hs.every((h) => h.status === 'exact'),
  files: [{ path: 'x.py', oldPath: 'x.py', kind: 'modify', status: hs.some((h) => h.status === 'failed') ? 'failed' : 'ok', hunks: hs }],
});
const pushed = (name: string, status: PushedPatch['status'], r: PatchReport, drifted = false): PushedPatch => ({ name, report: r, status, drifted, refreshed: false, lines: [`Applying patch ${name}`] });
const TEXT = '--- a/x.py\n+++ b/x.py\n@@ -4,3 +4,3 @@\n l4\n-a\n+b\n l6\n@@ -20,3 +20,3 @@\n l20\n-c\n+d\n l22\n';

describe('outcomes', () => {
  it.each([
    ['exact', [pushed('a', 'applied', report(hunk(1, 'exact')))], undefined, []],
    ['drifted', [pushed('a', 'applied', report(hunk(1, 'offset', { offset: 3 })), true)], undefined, ['a (drifted, needs refresh)']],
    ['forced', [pushed('a', 'applied', report(hunk(1, 'exact')))], pushed('b', 'forced', report(hunk(1, 'failed'))), ['b (rejects, needs refresh)']],
  ] as const)('a push that landed (%s) is a report; drifted and forced patches need attention', (_, done, failed, attention) => {
    const r: PushResult = { pushed: [...done], ...(failed ? { failed } : {}), top: failed?.name ?? done.at(-1)!.name };
    const o = pushOutcome(r, () => TEXT);
    expect(o.conflict).toBeUndefined();
    expect(o.report!.attention).toEqual(attention);
    expect(o.report!.title).toBe(`Pushed ${done.length} patch(es); now at ${r.top}`);
  });

  it('a refused push is a conflict: the refused hunk cut from the patch, what the push applied before it', () => {
    const r: PushResult = { pushed: [pushed('a', 'applied', report(hunk(1, 'exact')))], failed: pushed('b', 'failed', report(hunk(1, 'exact'), hunk(2, 'failed', { statedLine: 20, line: 97, reason: 'ambiguous' }))), top: 'a' };
    const c = pushOutcome(r, () => TEXT).conflict!;
    expect(c).toMatchObject({ kind: 'push', name: 'b', pushed: ['a'], files: ['x.py'] });
    // patchLine: where that @@ line is in the patch text (e opens the editor there).
    const at = TEXT.split('\n').indexOf('@@ -20,3 +20,3 @@') + 1;
    expect(at).toBeGreaterThan(1);
    expect(c.hunks).toEqual([{ file: 'x.py', hunk: 2, lines: ['@@ -20,3 +20,3 @@', ' l20', '-c', '+d', ' l22'], patchLine: at, statedLine: 20, intended: 20, reason: 'ambiguous' }]);
    const lines = conflictLines(c).map((l) => l.text);
    expect(lines[0]).toBe('Patch b does not apply: 1 rejected');
    // Where it was meant to go, as push prints it (FAILED at 20); never the candidate at 97.
    expect(lines).toContain('x.py hunk #2 (stated line 20): FAILED at line 20');
    expect(lines.join('\n')).not.toContain('97');
    expect(lines).toContain('refused: ambiguous');
  });

  const rep = (patches: PatchOutcome[], stoppedAt: string | null): ReapplyReport => ({ runId: 'r', check: false, base: 'abc', patches, stoppedAt, poppedFirst: [], ok: stoppedAt === null });

  it('a stopped reapply is a conflict (merged upstream: no hunks, continue drops it); a finished one a report, rewritten patches first', () => {
    const merged = reapplyOutcome(rep([{ name: 'a', outcome: 'exact', report: null }, { name: 'b', outcome: 'merged-upstream', report: null, reason: 'upstream has it' }], 'b'), () => TEXT).conflict!;
    expect(merged).toMatchObject({ kind: 'reapply', name: 'b', mergedUpstream: true, hunks: [], reason: 'upstream has it' });
    expect(conflictLines(merged)[0]!.text).toBe('Reapply stopped at b: upstream already has it');
    const failed = reapplyOutcome(rep([{ name: 'b', outcome: 'failed', report: report(hunk(1, 'failed', { reason: 'no match' })) }], 'b'), () => TEXT).conflict!;
    expect(failed).toMatchObject({ mergedUpstream: false, files: ['x.py'] });
    expect(failed.hunks.map((h) => h.reason)).toEqual(['no match']);
    const done = reapplyOutcome(rep([{ name: 'a', outcome: 'exact', report: null }, { name: 'b', outcome: 'refreshed', report: report(hunk(1, 'offset', { offset: 2 })) }], null), () => TEXT).report!;
    expect(done.attention).toEqual(['b (refreshed: review it)']);
    const shown = reportLines(done);
    expect(shown.slice(0, 3)).toEqual(['Reapply: every patch is back', 'Needs attention:', '  b (refreshed: review it)']);
    expect(shown.at(-1)).toMatch(/^All 2 patch\(es\) are back/);
  });

  it('every choice line fits 80 columns; the title names filter and a stopped run', () => {
    const base: Conflict = { kind: 'push', name: 'p', hunks: [], pushed: [], mergedUpstream: false, reason: '', files: [] };
    for (const c of [base, { ...base, kind: 'reapply' as const }, { ...base, kind: 'reapply' as const, mergedUpstream: true }]) {
      for (const l of conflictLines(c).filter((x) => x.kind === 'plain')) expect(l.text.length).toBeLessThanOrEqual(80);
    }
    const rows = [{ name: 'a.patch', state: 'applied' as const, template: null, base: null, added: 1, removed: 1, files: 1 }, { name: 'b.patch', state: 'top' as const, template: null, base: null, added: 1, removed: 1, files: 1 }];
    expect(titleText(rows, 'b', true, null)).toBe('patchq  2 patches, 2 applied, top: b.patch  filter: b_');
    expect(titleText(rows, '', false, 'c.patch')).toBe('patchq  2 patches, 2 applied, top: b.patch  reapply stopped at c.patch (R)');
  });
});

describe('outcomes of a real push', () => {
  it('a force push lists the forced patch once (the stack returns it as pushed and as failed)', async () => {
    const { root, names } = makeTree(1, { broken: true });
    const r = await push(openTree(root, {}), { target: { all: true }, force: true, quiet: true });
    const o = pushOutcome(r, (n) => readFileSync(join(root, 'patches', n), 'latin1'));
    expect(o.report!.attention).toEqual([`${names[1]} (rejects, needs refresh)`]);
    expect(o.report!.lines.filter((l) => l.startsWith('Applying patch')).length).toBe(2);
  });
});
