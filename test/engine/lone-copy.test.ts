/**
 * A lone landing is not evidence when the hunk's own place, where its neighbours put it,
 * still holds the hunk with a line edited (locate/offset.ts rivalAtSides). Found by
 * differential fuzzing against `git merge-file` (code-like files with repeated blocks):
 * upstream edited one line of the hunk's place, the only intact copy left was a sibling
 * function's, and the hunk landed there as "offset" or "fuzz 1", like GNU patch does.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, makeFileDiff } from '../../src/engine/index.js';
import { filePatch, gitMergeFile, gnuPatch, readLatin1, tmp, writeTree } from './apply-helpers.js';

const lines = (...ls: string[]): string => ls.map((l) => `${l}\n`).join('');
/** A plain `diff -u` patch: no index line, so no blob identity to go by. */
const diffOf = (a: string, b: string): string => makeFileDiff(a, b, { oldPath: 'f.js', newPath: 'f.js', style: 'git', indexLine: false, context: 3 });

/** Real GNU patch -F2: exit code and the bytes it wrote. */
function gnu(target: string, diff: string): { code: number; text: string } {
  const dir = tmp();
  writeTree(dir, { 'f.js': target });
  const r = gnuPatch(dir, diff, ['-F2']);
  return { code: r.code, text: readLatin1(join(dir, 'f.js')) };
}

describe('an exact copy elsewhere, while the hunk\'s own place was edited in place', () => {
  // Two handlers share their last 7 lines. The fork changes onOpen's push; upstream
  // changed onOpen's `return false;`. The only exact copy of the pre-image left is
  // onClose's, 9 lines down; onOpen's is at the stated line with one line changed.
  const handler = (name: string, what: string): string =>
    lines(`function ${name}(ev) {`, `  log('${what}');`, '  if (!ev) {', '    return false;', '  }', '  queue.push(ev);', '  return true;', '}', '');
  const a = handler('onOpen', 'open') + handler('onClose', 'close') + lines('module.exports = { onOpen, onClose };');
  const fork = a.replace('  queue.push(ev);\n  return true;\n}\n\nfunction onClose', '  queue.push(ev, Date.now());\n  return true;\n}\n\nfunction onClose');
  const upstream = a.replace('    return false;\n  }\n  queue.push(ev);\n  return true;\n}\n\nfunction onClose', '    return null;\n  }\n  queue.push(ev);\n  return true;\n}\n\nfunction onClose');
  const truth = fork.replace('    return false;\n  }\n  queue.push(ev, Date.now());', '    return null;\n  }\n  queue.push(ev, Date.now());');

  it('is refused as ambiguous, where GNU patch patches onClose', () => {
    const diff = diffOf(a, fork);
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toBe('ambiguous (lone copy): pre-image found at line 12, and with lines changed at line 3, where its neighbours place it');
    expect(r.text).toBe(upstream);
    // What the change means on upstream's text (git merge-file agrees), and GNU's wrong landing.
    expect(gitMergeFile(upstream, a, fork)).toEqual({ clean: true, text: truth });
    const g = gnu(upstream, diff);
    expect(g.code).toBe(0);
    expect(g.text).not.toBe(truth);
    expect(g.text).toContain("function onClose(ev) {\n  log('close');\n  if (!ev) {\n    return false;\n  }\n  queue.push(ev, Date.now());");
  });

  it('lands in onOpen with the base (3-way), as push does when it has one', () => {
    const r = applyFilePatch(filePatch('f.js', diffOf(a, fork)), { text: upstream, base: a });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged', line: 3 });
    expect(r.text).toBe(truth);
  });

  // A first hunk well above the handlers: its landing gives hunk 2 a side.
  const head = lines("'use strict';", 'const queue = [];', '', '/** Event handlers. */', '', '// open and close', '// share their tail', '');

  it('the previous hunk\'s offset is the side: refused after the top of the file moved', () => {
    const a2 = head + a;
    const fork2 = head.replace('const queue = [];', 'const queue = new Queue();') + fork;
    const up2 = lines("const Queue = require('./queue');", "const log = require('./log');") + head + upstream;
    const r = applyFilePatch(filePatch('f.js', diffOf(a2, fork2)), { text: up2 });
    expect(r.report.hunks.map((h) => [h.status, h.offset])).toEqual([['offset', 2], ['failed', 2]]);
    expect(r.report.hunks[1]!.reason).toMatch(/^ambiguous \(lone copy\): pre-image found at line 22, and with lines changed at line 13,/);
  });

  it('still lands a lone copy when its neighbours\' place does not hold the hunk (upstream inserted lines)', () => {
    const a2 = head + a;
    const fork2 = head.replace('const queue = [];', 'const queue = new Queue();') + fork;
    // Upstream added a helper above the handlers and deleted onClose: onOpen is the lone
    // copy, 6 lines down from where hunk 1's offset puts it.
    const up2 = head + lines('function now() {', '  return Date.now();', '}', '', '// handlers', '') + handler('onOpen', 'open') + lines('module.exports = { onOpen };');
    const r = applyFilePatch(filePatch('f.js', diffOf(a2, fork2)), { text: up2 });
    expect(r.report.hunks.map((h) => [h.status, h.offset])).toEqual([['exact', 0], ['offset', 6]]);
    expect(r.text).toContain('  queue.push(ev, Date.now());\n  return true;\n}\n\nmodule.exports = { onOpen };');
  });
});

describe('a fuzz landing elsewhere, while the hunk\'s own place was edited in place', () => {
  // getUser and getGroup share their bodies. The fork freezes getGroup's result; upstream
  // changed getGroup's `audit('read');`, the line above. Fuzz 1 drops the outer context
  // (`check(id);` and `function getAll() {`), and what is left is found only in getUser.
  const getter = (name: string): string => lines(`function ${name}(id) {`, '  check(id);', '  const row = db.get(id);', "  audit('read');", '  return row;', '}', '');
  const a = getter('getUser') + getter('getGroup') + lines('function getAll() {', '  return db.all();', '}');
  const fork = a.replace('  return row;\n}\n\nfunction getAll', '  return Object.freeze(row);\n}\n\nfunction getAll');
  const upstream = a.replace("  audit('read');\n  return row;\n}\n\nfunction getAll", "  audit('read', id);\n  return row;\n}\n\nfunction getAll");

  it('is refused as ambiguous, where GNU patch freezes getUser\'s result with fuzz 1', () => {
    const diff = diffOf(a, fork);
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toBe('ambiguous: fits at line 3 (fuzz), and with lines changed at line 9, where its neighbours place it');
    expect(r.text).toBe(upstream);
    const g = gnu(upstream, diff);
    expect(g.code).toBe(0);
    expect(g.text).toContain("function getUser(id) {\n  check(id);\n  const row = db.get(id);\n  audit('read');\n  return Object.freeze(row);");
  });
});

describe('a whitespace landing elsewhere, for a -U1 insertion whose place was edited', () => {
  // totals() inlines total()'s loop in a closure, 2 spaces deeper. The fork asserts after
  // total()'s loop; upstream rounded total()'s `return n;`. Modulo whitespace, "  }",
  // "  return n;" is left only in the closure: it landed there, reindented. At total()'s
  // place one of the two lines is still there: as good as the landing, which matched none
  // byte for byte.
  const a = lines(
    'function total(rows) {', '  let n = 0;', '  for (const r of rows) {', '    n += r.qty;', '  }', '  return n;', '}', '',
    'function totals(groups) {', '  return groups.map((rows) => {', '    let n = 0;', '    for (const r of rows) {', '      n += r.qty;', '    }', '    return n;', '  });', '}',
  );
  const fork = a.replace('  }\n  return n;\n}\n', '  }\n  assert(n >= 0);\n  return n;\n}\n');
  const upstream = a.replace('  }\n  return n;\n}\n', '  }\n  return Math.round(n);\n}\n');

  it('is refused as ambiguous (GNU patch puts it in total() with fuzz 1)', () => {
    const diff = makeFileDiff(a, fork, { oldPath: 'f.js', newPath: 'f.js', style: 'git', indexLine: false, context: 1 });
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toBe('ambiguous: fits at line 14 (whitespace), and with lines changed at line 5, where its neighbours place it');
    expect(r.text).toBe(upstream);
    expect(gnu(upstream, diff)).toEqual({ code: 0, text: upstream.replace('  }\n  return Math', '  }\n  assert(n >= 0);\n  return Math') });
  });
});
