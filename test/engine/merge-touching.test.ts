/**
 * Cascade step 3 where a change of the patch touches a change of upstream (adjacent lines,
 * no line in common): git merge-file calls it a conflict; merge-touching.ts merges it when
 * the place is in the texts, whatever the alignment of diff(base, text), and refuses
 * otherwise. Shapes cut down from the reapply benchmark (bench/suites/reapply.mjs), hunks
 * as the real patches had them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, makeFileDiff } from '../../src/engine/index.js';
import { landAtStated, LineIndex, rawKey } from '../../src/engine/locate/exact.js';
import { splice } from '../../src/engine/locate/fuzzy.js';
import { mergeTouching } from '../../src/engine/merge-touching.js';
import { patchChanges } from '../../src/engine/patch-script.js';
import { filePatch, gitMergeFile } from './apply-helpers.js';

const lines = (...ls: string[]): string => ls.map((l) => `${l}\n`).join('');
const hunks = (...hs: Array<[string, string[]]>): string => `--- a/f\n+++ b/f\n${hs.map(([at, body]) => `${at}\n${lines(...body)}`).join('')}`;
const TOUCHING = '3-way: touching upstream change';
const theirsOf = (patch: string, base: string): string => applyFilePatch(filePatch('f', patch), { text: base }).text!;

describe('a fork change next to an upstream change merges where the texts place it', () => {
  it('flask docs/views.rst: the def line the fork fixes, upstream rewrote the two lines below it', () => {
    const base = lines(
      '            db.session.add(self.model.from_json(request.json))', '            db.session.commit()', '            return jsonify(item.to_json())', '',
      '    def register_api(app, model, url):',
      '        app.add_url_rule(f"/{name}/<int:id>", view_func=ItemAPI(f"{name}-item", model))',
      '        app.add_url_rule(f"/{name}/", view_func=GroupAPI(f"{name}-group", model))', '',
      '    register_api(app, User, "users")', '    register_api(app, Story, "stories")',
    );
    const upstream = base.replace(/ {8}app\.add_url_rule\(f"\/\{name\}\/<int:id>".*\n.*\n/, lines(
      '        item = ItemAPI.as_view(f"{name}-item", model)', '        group = GroupAPI.as_view(f"{name}-group", model)',
      '        app.add_url_rule(f"/{name}/<int:id>", view_func=item)', '        app.add_url_rule(f"/{name}/", view_func=group)',
    ));
    const patch = hunks(['@@ -2,7 +2,7 @@', [
      '             db.session.commit()', '             return jsonify(item.to_json())', ' ',
      '-    def register_api(app, model, url):', '+    def register_api(app, model, name):',
      '         app.add_url_rule(f"/{name}/<int:id>", view_func=ItemAPI(f"{name}-item", model))',
      '         app.add_url_rule(f"/{name}/", view_func=GroupAPI(f"{name}-group", model))', ' ',
    ]]);
    const truth = upstream.replace('model, url):', 'model, name):');
    expect(gitMergeFile(upstream, base, theirsOf(patch, base)).clean).toBe(false);
    const r = applyFilePatch(filePatch('f', patch), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged', reason: TOUCHING });
    expect(r.text).toBe(truth);
  });

  it('flask tox.ini: the fork deletes the env below the line upstream changed, and a deps line', () => {
    const base = lines('[tox]', 'envlist =', '    py{39,38,37,36,py3}', '    py39-click7', '    style', '    typing', '    docs',
      'skip_missing_interpreters = true', '', '[testenv]', 'deps =', '    -r requirements/tests.txt', '', '    click7: click<8', '',
      '    examples/tutorial[test]', '    examples/javascript[test]');
    const upstream = base.replace('py{39,38,37,36,py3}', 'py3{11,10,9,8,7},pypy3{8,7}');
    const patch = hunks(
      ['@@ -1,7 +1,6 @@', [' [tox]', ' envlist =', '     py{39,38,37,36,py3}', '-    py39-click7', '     style', '     typing', '     docs']],
      ['@@ -10,8 +9,6 @@', [' [testenv]', ' deps =', '     -r requirements/tests.txt', '-', '-    click7: click<8', ' ', '     examples/tutorial[test]', '     examples/javascript[test]']],
    );
    const r = applyFilePatch(filePatch('f', patch), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged', reason: TOUCHING });
    expect(r.text).toBe(upstream.replace('    py39-click7\n', '').replace('tests.txt\n\n    click7: click<8\n', 'tests.txt\n'));
  });

  it('express Readme.md: two deletions among blank lines upstream thinned out (wiggle keeps a blank too many)', () => {
    // The fork deletes "## Contributing" and "[Contributing Guide]..."; upstream deleted the
    // blank line after each. Whichever blank upstream is said to have deleted, one is left.
    const base = lines('$ npm test', '```', '', '## Contributing', '', '[Contributing Guide](Contributing.md)', '', '## People', '', 'The original author');
    const upstream = lines('$ npm test', '```', '', '## Contributing', '[Contributing Guide](Contributing.md)', '## People', '', 'The original author');
    const patch = hunks(['@@ -1,10 +1,8 @@', [' $ npm test', ' ```', ' ', '-## Contributing', ' ', '-[Contributing Guide](Contributing.md)', ' ', ' ## People', ' ', ' The original author']]);
    const r = applyFilePatch(filePatch('f', patch), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged', reason: TOUCHING });
    expect(r.text).toBe(lines('$ npm test', '```', '', '## People', '', 'The original author'));
  });

  it('a line both of whose neighbours upstream changed, found once in base and text', () => {
    const base = lines('function f(a) {', '  const x = a + 1;', '  if (x > 2) return x;', '  return 0;', '}');
    const upstream = lines('function f(a) {', '  const x = a + 2;', '  if (x > 2) return x;', '  return -1;', '}');
    const patch = hunks(['@@ -1,5 +1,5 @@', [' function f(a) {', '   const x = a + 1;', '-  if (x > 2) return x;', '+  if (x >= 2) return x;', '   return 0;', ' }']]);
    const r = applyFilePatch(filePatch('f', patch), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged', reason: TOUCHING });
    expect(r.text).toBe(upstream.replace('x > 2', 'x >= 2'));
  });
});

describe('refused when the place depends on the alignment, or there is no order', () => {
  // Three lines of context on each side, so that GNU fuzz cannot drop the line upstream
  // changed either: the cascade refuses as a whole, and the rule itself says no.
  const SLIDE = 'next to an upstream change, and an equal line there makes its place depend on how the diff is aligned';
  const refused = (patch: string, base: string, upstream: string, why = SLIDE): void => {
    const fp = filePatch('f', patch);
    expect(mergeTouching(upstream, base, fp.hunks)).toEqual([{ hunk: 0, why }]);
    const r = applyFilePatch(fp, { text: upstream, base });
    expect(r.report.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toContain(`; 3-way: ${why}`);
    expect(r.text).toBe(upstream);
  };

  it('upstream removed one of two blank lines, the fork inserts between them: which blank is gone is not in the texts', () => {
    // The first blank removed: the paragraph goes below the one left; the second: above it.
    // Both are shortest diffs; git's slides the removal down, so "the first blank is kept,
    // insert after it" would look safe under that one alignment alone.
    const base = lines('# Tool', '', 'Some text.', 'Intro.', '', '', '## Usage', 'Run it.', 'Then stop.');
    const upstream = base.replace('\n\n\n', '\n\n');
    const patch = hunks(['@@ -2,7 +2,8 @@', [' ', ' Some text.', ' Intro.', ' ', '+A new paragraph.', ' ', ' ## Usage', ' Run it.', ' Then stop.']]);
    expect(gitMergeFile(upstream, base, theirsOf(patch, base)).clean).toBe(false);
    refused(patch, base, upstream);
  });

  it('the fork deletes one of two equal lines, upstream changed the other: which one the fork meant is not in the texts', () => {
    const base = lines('int f() {', '  g(0);', '  if (a) {', '    g();', '  }', '  }', '  return 0;', '  /* end */', '}');
    const upstream = base.replace('  }\n  return', '  } // done\n  return');
    refused(hunks(['@@ -2,7 +2,6 @@', ['   g(0);', '   if (a) {', '     g();', '-  }', '   }', '   return 0;', '   /* end */']]), base, upstream);
  });

  it('upstream removed a blank line and a note below it, the fork inserts between the two blanks: which blank is left is not in the texts', () => {
    // "Removed the second blank and the note" and "removed the first blank and the note"
    // are both shortest; all three alignments happen to pick the first, so only the rule
    // that upstream's removed lines must not hold a copy of our kept neighbour catches it.
    const base = lines('# Tool', 'Some text.', 'Intro.', '', '', 'Deprecated: use v2.', '## Usage', 'Run it.', 'Then stop.');
    const upstream = base.replace('\n\nDeprecated: use v2.\n', '\n');
    refused(hunks(['@@ -2,6 +2,7 @@', [' Some text.', ' Intro.', ' ', '+A new paragraph.', ' ', ' Deprecated: use v2.', ' ## Usage']]), base, upstream);
  });

  it('the fork deletes two lines that can slide onto the line upstream changed: which two is not in the texts', () => {
    // Deleting "  }", "" at 4-5 or "", "  }" at 5-6 gives the same file; the second takes the
    // "  }" upstream commented.
    const base = lines('function g() {', '  if (a) {', '    f();', '  }', '', '  }', '', '  return 0;', '}');
    const upstream = base.replace('  }\n\n  return', '  } // if\n\n  return');
    refused(hunks(['@@ -1,9 +1,7 @@', [' function g() {', '   if (a) {', '     f();', '-  }', '-', '   }', ' ', '   return 0;', ' }']]), base, upstream);
  });

  it('a row inserted into a run of equal rows upstream shortened: where it goes depends on which row upstream dropped', () => {
    // Upstream dropped one "\t0,"; the fork adds "\t1," after the first and "\t2," at the end
    // (touching: upstream's drop is last under git's alignment). git's alignment drops the
    // last "\t0," and keeps "\t1," after the first one left; another shortest alignment drops
    // the first and puts "\t1," first. Only other alignments (slid up) see it.
    const base = lines('/* table */', 'static int t[] = {', '\t0,', '\t0,', '\t0,', '};', 'int n = 3;');
    const upstream = base.replace('\t0,\n\t0,\n\t0,\n', '\t0,\n\t0,\n');
    refused(hunks(['@@ -1,7 +1,9 @@', [' /* table */', ' static int t[] = {', ' \t0,', '+\t1,', ' \t0,', ' \t0,', '+\t2,', ' };', ' int n = 3;']]), base, upstream);
  });

  it('upstream and the fork both inserted at one point: no order', () => {
    const base = lines('// imports', 'import x', 'import a', 'import b', 'import e', '', 'main()');
    const upstream = base.replace('import a\n', 'import a\nimport c\n');
    refused(hunks(['@@ -1,6 +1,7 @@', [' // imports', ' import x', ' import a', '+import d', ' import b', ' import e', ' ']]), base, upstream, 'upstream inserted at the same point: no order');
  });

  it('both neighbours changed and the line is not unique', () => {
    const base = lines('if (a) {', '  x = {', '    y: 1,', '  }', '}', 'if (b) {', '  x = {', '    y: 2,', '  }', '}');
    const upstream = base.replace('    y: 1,\n', '    y: 3,\n').replace('  }\n}\nif (b)', '  }\n} // a\nif (b)');
    // The fork deletes the "  }" between the "y: 1" line and the "}", both changed upstream.
    refused(hunks(['@@ -1,8 +1,7 @@', [' if (a) {', '   x = {', '     y: 1,', '-  }', ' }', ' if (b) {', '   x = {', '     y: 2,']]), base, upstream, 'next to an upstream change, and its lines with their kept context are not unique');
  });
});

describe('short context: GNU fuzz does not land what the 3-way step found ambiguous', () => {
  // The same shapes with little context: dropping it, fuzz finds one place in the text,
  // but the 3-way step (with the base) showed the place is not in the texts. The hunk
  // fails with the 3-way reason; nothing is written.
  const blocked = (patch: string, base: string, upstream: string, why: string, fuzz: number): void => {
    const fp = filePatch('f', patch);
    // Without the base, fuzz lands it (GNU patch does too): the hole this closes.
    expect(applyFilePatch(fp, { text: upstream }).report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz });
    const r = applyFilePatch(fp, { text: upstream, base });
    expect(r.report.status).toBe('failed');
    expect(r.report.hunks[0]!.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toContain(`; 3-way: ${why}`);
    expect(r.text).toBe(upstream);
  };

  it('fuzz 2: upstream removed one of two blank lines, the fork inserts between them', () => {
    // Two lines of context above (the top of the file), three below: fuzz 2 keeps only the
    // blank below the insertion, and the one blank left matches it.
    const base = lines('Intro.', '', '', '## Usage', 'Run it.', 'Then stop.');
    const upstream = lines('Intro.', '', '## Usage', 'Run it.', 'Then stop.');
    const patch = hunks(['@@ -1,5 +1,6 @@', [' Intro.', ' ', '+A new paragraph.', ' ', ' ## Usage', ' Run it.']]);
    blocked(patch, base, upstream, 'next to an upstream change, and an equal line there makes its place depend on how the diff is aligned', 2);
  });

  it('fuzz 1: upstream and the fork both inserted at one point', () => {
    // One line of context above (the top of the file), two below: fuzz 1 keeps "import b"
    // alone and puts "import d" after upstream's "import c"; before it is as good.
    const base = lines('import a', 'import b', 'import e', '', 'main()');
    const upstream = base.replace('import a\n', 'import a\nimport c\n');
    const patch = hunks(['@@ -1,3 +1,4 @@', [' import a', '+import d', ' import b', ' import e']]);
    blocked(patch, base, upstream, 'upstream inserted at the same point: no order', 1);
  });

  it('fuzz 1 at the end of the file: upstream and the fork both inserted at one point', () => {
    const base = lines('main()', '', 'import a', 'import b', 'import e');
    const upstream = base.replace('import b\n', 'import b\nimport c\n');
    const patch = hunks(['@@ -3,3 +3,4 @@', [' import a', ' import b', '+import d', ' import e']]);
    blocked(patch, base, upstream, 'upstream inserted at the same point: no order', 1);
  });

  it('every hunk the 3-way step refused is held, not just the first', () => {
    const base = lines('import a', 'import b', 'import e', '', 'main()', 'f()', 'g()', 'h()', 'i()', '', 'use a', 'use b', 'use e');
    const upstream = base.replace('import a\n', 'import a\nimport c\n').replace('use b\n', 'use b\nuse c\n');
    const fp = filePatch('f', hunks(
      ['@@ -1,3 +1,4 @@', [' import a', '+import d', ' import b', ' import e']],
      ['@@ -11,3 +12,4 @@', [' use a', ' use b', '+use d', ' use e']],
    ));
    const why = 'upstream inserted at the same point: no order';
    expect(mergeTouching(upstream, base, fp.hunks)).toEqual([{ hunk: 0, why }, { hunk: 1, why }]);
    expect(applyFilePatch(fp, { text: upstream }).report.hunks.map((h) => h.status)).toEqual(['fuzzy', 'fuzzy']);
    const r = applyFilePatch(fp, { text: upstream, base });
    expect(r.report.hunks.map((h) => [h.status, h.reason.endsWith(`; 3-way: ${why}`)])).toEqual([['failed', true], ['failed', true]]);
    expect(r.text).toBe(upstream);
  });
});

/**
 * Random small-alphabet files: upstream's and the fork's changes on one-line units, so
 * they touch often. Upstream writes fresh lines (a shortest diff finds them) but deletes
 * any line, repeated ones too. Whenever the rule merges, the text must be a + U + F with
 * F the patch's own script, if that is defined (no shared line, no shared insertion point).
 */
describe('property: a touching merge is a + U + F', () => {
  const L = fc.constantFrom('a\n', 'b\n', '}\n', '\n', 'x\n');
  type Unit = [number, number, string[], boolean];
  const apply = (a: readonly string[], us: readonly Unit[]): string => {
    const out: string[] = [];
    let pos = 0;
    for (const [s, e, ls] of [...us].sort((x, y) => x[0] - y[0] || (x[1] - x[0]) - (y[1] - y[0]))) {
      while (pos < s) out.push(a[pos++]!);
      pos = Math.max(pos, e);
      out.push(...ls);
    }
    return out.concat(a.slice(pos)).join('');
  };

  it('never anything else', () => {
    fc.assert(fc.property(
      fc.array(L, { minLength: 1, maxLength: 16 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('ins', 'del', 'rep'), fc.array(L, { minLength: 1, maxLength: 3 }), fc.boolean()), { minLength: 2, maxLength: 6 }),
      (a, edits) => {
        const taken = new Set<string>();
        const units: Unit[] = [];
        for (const [at, kind, ls, fork] of edits) {
          const s = at % (a.length + (kind === 'ins' ? 1 : 0));
          if (taken.has(`${kind === 'ins'}${s}`)) continue;
          taken.add(`${kind === 'ins'}${s}`);
          units.push([s, kind === 'ins' ? s : s + 1, kind === 'del' ? [] : fork ? ls : ls.map((_, i) => `U${units.length}.${i}\n`), fork]);
        }
        const U = units.filter((u) => !u[3]);
        const base = a.join('');
        const [upstream, fork] = [apply(a, U), apply(a, units.filter((u) => u[3]))];
        fc.pre(U.length > 0 && fork !== base && upstream !== base);
        const fp = filePatch('f', makeFileDiff(base, fork, { oldPath: 'f', newPath: 'f', style: 'quilt', context: 3 }));
        const at = landAtStated(fp.hunks, new LineIndex(a, rawKey))!;
        const t = splitLines(splice(a, fp.hunks, at, false).text);
        const F: Unit[] = patchChanges(fp.hunks, at).map((c) => [c.i1, c.i1 + c.chg1, t.slice(c.i2, c.i2 + c.chg2), true]);
        const clash = U.some(([us, ue]) => F.some(([fs, fe]) => (ue > us && fe > fs && us < fe && fs < ue) || (us === ue && fs === fe && us === fs)));
        const r = applyFilePatch(fp, { text: upstream, base });
        if (!clash && r.report.hunks.some((h) => h.reason === TOUCHING)) expect(r.text).toBe(apply(a, [...U, ...F]));
      },
    ), { numRuns: 1500 });
  });
});

const splitLines = (s: string): string[] => s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
