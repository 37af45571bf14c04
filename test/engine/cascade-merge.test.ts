import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, formatFileReport, makeFileDiff, merge3 } from '../../src/engine/index.js';
import { filePatch, gitMergeFile } from './apply-helpers.js';


const base = 'a\nb\nc\nd\ne\nf\ng\nh\ni\n';
const cases: Array<[string, string, string, string]> = [
  ['separate edits', base, base.replace('b\n', 'B\n'), base.replace('h\n', 'H\n')],
  ['insert and delete', base, 'zero\n' + base, base.replace('e\nf\n', '')],
  ['same edit both sides', base, base.replace('c\n', 'C\n'), base.replace('c\n', 'C\n')],
  ['CRLF', base.replace(/\n/g, '\r\n'), base.replace(/\n/g, '\r\n').replace('b\r\n', 'B\r\n'), base.replace(/\n/g, '\r\n').replace('h\r\n', 'H\r\n')],
  ['no final newline', 'a\nb\nc\nd\ne\nf', 'A\nb\nc\nd\ne\nf', 'a\nb\nc\nd\ne\nF'],
  ['no final newline added by theirs', 'a\nb\nc\nd\ne\nf', 'A\nb\nc\nd\ne\nf', 'a\nb\nc\nd\ne\nf\n'],
];

describe('merge3 matches git merge-file byte for byte', () => {
  for (const [name, b, ours, theirs] of cases) {
    it(`clean: ${name}`, () => {
      const git = gitMergeFile(ours, b, theirs);
      const m = merge3(ours, b, theirs);
      expect(git.clean).toBe(true);
      expect(m.clean).toBe(true);
      expect(m.text).toBe(git.text);
    });
  }

  it('adjacent edits conflict, as in git', () => {
    const ours = base.replace('c\n', 'C\n');
    const theirs = base.replace('d\n', 'D\n');
    const git = gitMergeFile(ours, base, theirs);
    const m = merge3(ours, base, theirs);
    expect([git.clean, m.clean]).toEqual([false, false]);
    expect(m.text).toBe(git.text);
  });

  it('CRLF and no-final-newline conflicts have git-shaped markers', () => {
    const b = base.replace(/\n/g, '\r\n');
    for (const [o, t] of [
      [b.replace('e\r\n', 'E1\r\n'), b.replace('e\r\n', 'E2\r\n')],
      ['a\nb\nc', 'a\nb\nC1'],
    ] as const) {
      const bb = o.includes('\r') ? b : 'a\nb\nc0';
      const git = gitMergeFile(o, bb, t);
      const m = merge3(o, bb, t);
      expect(m.clean).toBe(git.clean);
      expect(JSON.stringify(m.text)).toBe(JSON.stringify(git.text));
    }
  });

  it('conflict markers like git, merge and diff3 style', () => {
    const ours = base.replace('e\n', 'E1\n');
    const theirs = base.replace('e\n', 'E2\n');
    for (const diff3 of [false, true]) {
      const git = gitMergeFile(ours, base, theirs, diff3);
      const m = merge3(ours, base, theirs, { style: diff3 ? 'diff3' : 'merge' });
      expect(git.clean).toBe(false);
      expect(m.clean).toBe(false);
      expect(m.text).toBe(git.text);
    }
  });
});

/**
 * Parity with git on random edits, where lines are distinct: same verdict and bytes.
 * Repeated lines are covered in merge3-git.test.ts.
 */
describe('merge3 vs git merge-file on random edits of distinct lines', () => {
  const tag = fc.integer({ min: 0, max: 1e6 }).map((n) => n);
  const edit = (t: string[]) =>
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('ins', 'del', 'rep'), tag, fc.constantFrom('\n', '\r\n')), { maxLength: 3 }).map((es) => {
      const out = [...t];
      for (const [at, k, n, eol] of es) {
        const i = out.length ? at % out.length : 0;
        const l = `edit ${n}${eol}`;
        if (k === 'ins' || !out.length) out.splice(i, 0, l);
        else if (k === 'del') out.splice(i, 1);
        else out[i] = l;
      }
      return out.join('');
    });
  const baseLines = fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { maxLength: 15 }).map((ns) => ns.map((n) => `line ${n}\n`));
  const trio = baseLines.chain((b) => fc.tuple(fc.constant(b.join('')), edit(b), edit(b)));

  it('same verdict and, when clean, the same bytes (150 runs, real git)', () => {
    fc.assert(
      fc.property(trio, ([b, ours, theirs]) => {
        const git = gitMergeFile(ours, b, theirs);
        const m = merge3(ours, b, theirs);
        expect(m.clean).toBe(git.clean);
        if (git.clean) expect(m.text).toBe(git.text);
      }),
      { numRuns: 150 },
    );
  });
});

describe('cascade step 3: 3-way merge with a base', () => {
  const py = Array.from({ length: 12 }, (_, i) => `line ${i}\n`).join('');
  const mine = py.replace('line 6\n', 'line six\n');

  it('a hunk whose context was rewritten upstream is merged when the base is known', () => {
    const diff = makeFileDiff(py, mine, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git' });
    const upstream = py.replace('line 4\n', 'LINE FOUR\n').replace('line 8\n', 'LINE EIGHT\n');
    const fp = filePatch('f.txt', diff);
    expect(applyFilePatch(fp, { text: upstream }, { fuzzy: false, fuzz: 0 }).report.status).toBe('failed');
    const r = applyFilePatch(fp, { text: upstream, base: py }, { fuzzy: false, fuzz: 0 });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged', newLine: 4, line: 4 });
    expect(r.text).toBe(upstream.replace('line 6\n', 'line six\n'));
    expect(r.text).toBe(gitMergeFile(upstream, py, mine).text);
    expect(formatFileReport(r.report)[1]).toBe('Hunk #1 merged at 4.');
  });

  it('a conflict falls through; keepConflicts leaves git-style markers and fails the hunk', () => {
    const diff = makeFileDiff(py, mine, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git' });
    const upstream = py.replace('line 6\n', 'line 6 upstream\n').replace('line 4\n', 'line 4 upstream\n');
    const fp = filePatch('f.txt', diff);
    const plain = applyFilePatch(fp, { text: upstream, base: py });
    expect(plain.report.status).toBe('failed');
    expect(plain.text).toBe(upstream);
    const kept = applyFilePatch(fp, { text: upstream, base: py }, { keepConflicts: true });
    expect(kept.report.status).toBe('conflict');
    expect(kept.report.hunks[0]).toMatchObject({ status: 'failed', reason: 'conflict' });
    expect(kept.text).toBe(gitMergeFile(upstream, py, mine).text);
    expect(kept.text).toContain('<<<<<<< ours\nline 6 upstream\n=======\nline six\n>>>>>>> theirs\n');
  });

  it('merge: none skips the step', () => {
    const diff = makeFileDiff(py, mine, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git' });
    const upstream = py.replace('line 4\n', 'X\n').replace('line 8\n', 'Y\n').replace('line 5\n', 'Z\n');
    const r = applyFilePatch(filePatch('f.txt', diff), { text: upstream, base: py }, { merge: 'none', fuzzy: false });
    expect(r.report.status).toBe('failed');
  });
});

describe('speed shape', () => {
  it('10,000 hunks on a 100,000-line file land through the line index', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `row ${i}\n`);
    const a = lines.join('');
    const b = lines.map((l, i) => (i % 10 === 5 ? l.replace('row', 'ROW') : l)).join('');
    const diff = makeFileDiff(a, b, { oldPath: 'f.txt', newPath: 'f.txt', style: 'git', context: 1 });
    const fp = filePatch('f.txt', diff);
    expect(fp.hunks.length).toBe(10_000);
    const shifted = 'top\n'.repeat(7) + a;
    const r = applyFilePatch(fp, { text: shifted });
    expect(r.report.hunks.every((h) => h.status === 'offset' && h.offset === 7)).toBe(true);
    expect(r.text).toBe('top\n'.repeat(7) + b);
  });
});

describe('cascade step 4 with a base: a fuzzy landing must sit where the base puts the hunk', () => {
  // The pooling patch on a database module with two engines; upstream changed the same
  // `poolclass=` line of users_engine its own way, so the merge conflicts. "Similar
  // context" then finds logs_engine's call, whose old `poolclass=NullPool,` line is
  // intact: the likeness is unique, but the base maps users_engine's kept lines (def,
  // create_engine, the URL...) to lines 1-7, not to 11-17.
  const base = [
    'def users_engine():', '    return create_engine(', '        "sqlite:///users.db",', '        poolclass=NullPool,', '        echo=False,', '    )', '',
    'def other():', '    pass', '',
    'def logs_engine():', '    return create_engine(', '        "sqlite:///logs.db",', '        poolclass=NullPool,', '        echo=False,', '    )', '',
    'def drop_all():', '    pass',
  ].map((l) => `${l}\n`).join('');
  const mine = base.replace('users.db",\n        poolclass=NullPool,', 'users.db",\n        poolclass=StaticPool,');
  const diff = makeFileDiff(base, mine, { oldPath: 'database/db.py', newPath: 'database/db.py', style: 'git' });

  it('refuses the likeness elsewhere when upstream edited the hunk\'s own place', () => {
    const upstream = base.replace('users.db",\n        poolclass=NullPool,', 'users.db",\n        poolclass=QueuePool,');
    const r = applyFilePatch(filePatch('database/db.py', diff), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'failed', line: 11, reason: 'no match where the base places it: pre-image changed upstream' });
    expect(r.text).toBe(upstream);
  });

  it('still lands a fuzz match where the base maps it (the merge conflicts on another hunk)', () => {
    // The fork changes both engines; upstream renamed users_engine's def line (outer
    // context of hunk 1: fuzz 1) and made its own change of logs_engine's pool (hunk 2
    // conflicts, so the whole merge does).
    const both = mine.replace('logs.db",\n        poolclass=NullPool,', 'logs.db",\n        poolclass=StaticPool,');
    const diff2 = makeFileDiff(base, both, { oldPath: 'database/db.py', newPath: 'database/db.py', style: 'git' });
    const upstream = base.replace('def users_engine():', 'def users_engine(echo=False):').replace('logs.db",\n        poolclass=NullPool,', 'logs.db",\n        poolclass=QueuePool,');
    const r = applyFilePatch(filePatch('database/db.py', diff2), { text: upstream, base });
    expect(r.report.hunks.map((h) => [h.status, h.line, h.fuzz])).toEqual([['fuzzy', 1, 1], ['failed', null, 0]]);
  });
});
