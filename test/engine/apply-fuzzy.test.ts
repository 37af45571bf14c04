import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, formatFileReport, isAlreadyApplied, makeFileDiff } from '../../src/engine/index.js';
import fc from 'fast-check';
import { dice } from '../../src/engine/locate/similarity.js';
import { filePatch, gnuPatch, readLatin1, seq, tmp, writeTree } from './apply-helpers.js';

const diffOf = (a: string, b: string, context = 3): string =>
  makeFileDiff(a, b, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context });

describe('GNU fuzz', () => {
  it('drops outer context like GNU patch and says so in its words', () => {
    const a = seq(1, 30);
    const diff = diffOf(a, a.replace('15\n', '15x\n'));
    const target = seq(101, 105) + a.replace('13\n', '13q\n').replace('17\n', '17q\n');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target }, { fuzzy: false });
    const dir = tmp();
    writeTree(dir, { 'f.txt': target });
    const gnu = gnuPatch(dir, diff);
    expect(r.text).toBe(readLatin1(join(dir, 'f.txt')));
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz: 2, offset: 5 });
    expect(formatFileReport(r.report)).toEqual(gnu.out);
    expect(gnu.out[1]).toBe('Hunk #1 succeeded at 17 with fuzz 2 (offset 5 lines).');
  });

  it('respects the fuzz factor: --fuzz=1 fails where 2 succeeds', () => {
    const a = seq(1, 30);
    const diff = diffOf(a, a.replace('15\n', '15x\n'));
    const target = a.replace('13\n', '13q\n');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target }, { fuzz: 1, fuzzy: false });
    expect(r.report.hunks[0]!.status).toBe('failed');
    const r2 = applyFilePatch(filePatch('f.txt', diff), { text: target }, { fuzz: 2, fuzzy: false });
    expect(r2.report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz: 2, offset: 0 });
    expect(formatFileReport(r2.report)[1]).toBe('Hunk #1 succeeded at 12 with fuzz 2.');
  });
});

describe('beyond GNU: whitespace and similar context', () => {
  const py = 'def make():\n    engine = create_engine(\n        url,\n        poolclass=NullPool,\n    )\n    return engine\n';
  const patched = py.replace('        poolclass=NullPool,\n', '        poolclass=StaticPool,\n        pool_pre_ping=True,\n');

  it('upstream reindented by 4 spaces: lands and shifts the added lines by the same', () => {
    const diff = diffOf(py, patched);
    const target = 'class Db:\n' + py.replace(/^(?=.)/gm, '    ');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', reason: 'fuzzy: whitespace' });
    expect(r.text).toBe('class Db:\n' + patched.replace(/^(?=.)/gm, '    '));
    expect(formatFileReport(r.report)[1]).toMatch(/^Hunk #1 succeeded at 2 \(fuzzy: whitespace; similarity 0\.\d\d; offset 1 line\)\.$/);
  });

  it('context renamed upstream but removed line intact: lands as similar', () => {
    const diff = diffOf(py, patched, 3);
    const target = py.replace('create_engine(', 'sa.create_engine(').replace('url,', 'db_url,').replace('return engine', 'return  engine ');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target }, { fuzz: 0 });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', reason: 'fuzzy: similar' });
    expect(r.report.hunks[0]!.similarity).toBeGreaterThan(0.6);
    expect(r.text).toContain('    engine = sa.create_engine(\n        db_url,\n        poolclass=StaticPool,\n        pool_pre_ping=True,\n');
  });

  it('refuses when the line to remove changed upstream', () => {
    const diff = diffOf(py, patched);
    const target = py.replace('NullPool', 'QueuePool');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target });
    expect(r.report.hunks[0]!.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toMatch(/no match/);
    expect(r.text).toBe(target);
  });

  it('refuses a fuzzy match found twice', () => {
    const diff = diffOf(py, patched);
    const block = py.replace(/^(?=.)/gm, '  ');
    const target = block + '\n' + block;
    const r = applyFilePatch(filePatch('f.txt', diff), { text: target });
    expect(r.report.hunks[0]!.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toMatch(/^ambiguous: pre-image found at lines 1 and 8$/);
  });
});

describe('similar context needs a clear winner', () => {
  const hunk = '@@ -1,3 +1,3 @@\n engine = create_engine(url)\n-    close()\n+    close(force=True)\n return engine\n';
  const place1 = 'engine = build_engine(url)\n    close()\nreturn the_engine\n';
  const place2 = 'engine = make_engine(db_url)\n    close()\nreturn engine2\n';

  it('lands when only one place is plausible', () => {
    const r = applyFilePatch(filePatch('f.txt', hunk), { text: place2 }, { minSimilarity: 0.8, fuzz: 0 });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', reason: 'fuzzy: similar' });
    expect(r.text).toBe(place2.replace('close()', 'close(force=True)'));
  });

  it('refuses when a context line is unrelated (upstream inserted a line inside the hunk)', () => {
    // Found by the property tests: mean similarity 0.75 hid a context line scoring 0,
    // and the added line went after "d" instead of before it.
    const a = 'd\nif x:\nd\nb\n';
    const diff = diffOf(a, 'a\nd\nif x:\na\nd\nb\n');
    const upstream = 'd\nnew 0:0\nif x:\nd\nb\n';
    const r = applyFilePatch(filePatch('f.txt', diff), { text: upstream }, { fuzz: 0 });
    expect(r.report.status).toBe('failed');
    expect(r.text).toBe(upstream);
  });

  it('refuses when the runner-up is within the margin, even below the threshold', () => {
    const text = place1 + '\n' + place2;
    const r = applyFilePatch(filePatch('f.txt', hunk), { text }, { minSimilarity: 0.8, fuzz: 0 });
    expect(r.report.hunks[0]!.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toBe('ambiguous: similar context at lines 5 and 1');
    expect(r.text).toBe(text);
  });
});

describe('dice with a floor', () => {
  it('is exact whenever the pair reaches the floor, and below the floor otherwise', () => {
    const str = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '='), maxLength: 60 });
    fc.assert(
      fc.property(str, str, fc.double({ min: 0, max: 1, noNaN: true }), (x, y, floor) => {
        const exact = dice(x, y);
        const got = dice(x, y, floor);
        if (exact >= floor) expect(got).toBe(exact);
        else expect(got).toBeLessThan(floor);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('rules out a pair by its lengths: "ab" against a megabyte line is 0 under a floor, and its true small value without one', () => {
    const long = 'ab'.repeat(500_000);
    expect(dice('ab', long, 0.5)).toBe(0);
    expect(dice('ab', long)).toBeCloseTo(2 / (1 + long.length - 1), 12);
  });
});

describe('line endings', () => {
  it('LF patch on a CRLF file: matches, added lines get CRLF', () => {
    const a = 'one\ntwo\nthree\n';
    const diff = diffOf(a, 'one\nTWO\nthree\n');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: 'one\r\ntwo\r\nthree\r\n' });
    expect(r.text).toBe('one\r\nTWO\r\nthree\r\n');
  });

  it('LF -U0 insertion into a CRLF file: the added lines get CRLF too', () => {
    // Found by differential fuzzing: with no context line to take the CR from, the added
    // lines kept the patch's LF and the file came out with mixed line endings.
    const a = 'one\ntwo\nthree\nfour\nfive\n';
    const diff = diffOf(a, 'ONE\ntwo\n2b\nthree\nfour\nFIVE\n', 0);
    const r = applyFilePatch(filePatch('f.txt', diff), { text: a.replace(/\n/g, '\r\n') });
    expect(r.report.hunks.map((h) => h.status)).toEqual(['exact', 'exact', 'exact']);
    expect(r.text).toBe('ONE\r\ntwo\r\n2b\r\nthree\r\nfour\r\nFIVE\r\n');
  });

  it('...but not into the very file the patch was made from: its git index line names it, and the LF line stays LF', () => {
    // Found by the property tests (reverse of a -U0 git diff): 'b\r\nz' is CRLF throughout,
    // and the line the reverse patch inserts was LF in the file it came from.
    const [a, b] = ['if x:\nb\r\nz', 'b\r\nz'];
    const fp = filePatch('f.txt', makeFileDiff(a, b, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context: 0 }));
    expect(applyFilePatch(fp, { text: b }, { reverse: true }).text).toBe(a);
  });

  it('a mixed-EOL file is matched byte-exact: the CRLF copy is not the LF pre-image', () => {
    // Found by the property tests: with CR-insensitive matching, the first (CRLF) copy
    // looked like the only pre-image once upstream broke the real (LF) one.
    const a = 'd\nif x:\r\nb\nd\nif x:\nb\n';
    const diff = diffOf(a, a + 'a\n');
    const upstream = 'd\nif x:\r\nb\nd\nnew\nif x:\nb\n';
    const r = applyFilePatch(filePatch('f.txt', diff), { text: upstream }, { fuzz: 0, fuzzy: false });
    expect(r.report.status).toBe('failed');
    expect(r.text).toBe(upstream);
  });

  it('keeps a missing final newline byte-exact, both ways', () => {
    const a = 'one\ntwo';
    const b = 'one\ntwo\nthree';
    const diff = diffOf(a, b);
    expect(diff).toContain('\\ No newline at end of file');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: a });
    expect(r.text).toBe(b);
    expect(applyFilePatch(filePatch('f.txt', diff), { text: b }, { reverse: true }).text).toBe(a);
    expect(applyFilePatch(filePatch('f.txt', diff), { text: 'one\ntwo\n' }, { fuzzy: false, fuzz: 0 }).report.status).toBe('failed');
  });
});

describe('file-level rules', () => {
  it('creation of an existing file fails with GNU wording', () => {
    const fp = filePatch('n.txt', makeFileDiff(null, 'x\n', { oldPath: 'n.txt', newPath: 'n.txt', style: 'git' }), { kind: 'create' });
    expect(applyFilePatch(fp, { text: null }).text).toBe('x\n');
    const r = applyFilePatch(fp, { text: 'other\n' });
    expect(r.report.status).toBe('failed');
    expect(formatFileReport(r.report)[0]).toBe('The next patch would create the file n.txt, which already exists!');
    expect(applyFilePatch(fp, { text: 'x\n' }).report.status).toBe('already-applied');
  });

  it('deletion needs the exact content; missing target fails', () => {
    const fp = filePatch('d.txt', makeFileDiff('a\nb\n', null, { oldPath: 'd.txt', newPath: 'd.txt', style: 'git' }), { kind: 'delete' });
    const ok = applyFilePatch(fp, { text: 'a\nb\n' });
    expect(ok.text).toBeNull();
    expect(ok.report.status).toBe('ok');
    const bad = applyFilePatch(fp, { text: 'a\nb\nc\n' });
    expect(bad.report.status).toBe('failed');
    const mod = filePatch('m.txt', diffOf('a\n', 'b\n'));
    // GNU patch: the line of the first hunk; the file is skipped, so nothing to reject.
    const missing = applyFilePatch(mod, { text: null });
    expect(missing.report).toMatchObject({ status: 'failed', missing: true, message: `can't find file to patch at input line ${mod.hunks[0]!.patchLine}` });
    expect(missing.rejects).toBe('');
  });

  it('rename is keyed by the new path; reverse apply and already-applied detection', () => {
    const fp = { ...filePatch('new.txt', diffOf('a\nb\n', 'a\nB\n')), oldPath: 'old.txt', kind: 'rename' as const };
    const r = applyFilePatch(fp, { text: 'a\nb\n' });
    expect(r.report.path).toBe('new.txt');
    expect(formatFileReport(r.report)[0]).toBe('patching file new.txt (renamed from old.txt)');
    expect(isAlreadyApplied(fp, 'a\nB\n')).toBe(true);
    expect(isAlreadyApplied(fp, 'a\nb\n')).toBe(false);
    expect(applyFilePatch(fp, { text: 'a\nB\n' }).report.status).toBe('already-applied');
    expect(applyFilePatch(fp, { text: 'a\nB\n' }, { reverse: true }).text).toBe('a\nb\n');
  });
});
