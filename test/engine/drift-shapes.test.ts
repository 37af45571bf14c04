/**
 * Drift shapes found on the drift benchmark (bench/suites/drift.mjs: real diffs between
 * npm package versions, split into an upstream part and a fork part with a known right
 * answer). Each fixture is a minimal copy of the real shape, named after the case it
 * came from, and is checked against the truth and, where GNU patch lands it, against
 * real GNU patch's bytes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, makeFileDiff } from '../../src/engine/index.js';
import { filePatch, gnuPatch, readLatin1, tmp, writeTree } from './apply-helpers.js';

const diffOf = (a: string, b: string): string => makeFileDiff(a, b, { oldPath: 'f.js', newPath: 'f.js', style: 'git', context: 3 });

/** Real GNU patch -F2 on the target: its exit code and the resulting bytes. */
function gnu(target: string, diff: string): { code: number; text: string } {
  const dir = tmp();
  writeTree(dir, { 'f.js': target });
  const r = gnuPatch(dir, diff, ['-F2']);
  return { code: r.code, text: readLatin1(join(dir, 'f.js')) };
}

describe('GNU fuzz 2 where the trimmed needle is as long as the dropped context', () => {
  // lodash 4.17.15 -> 4.17.21 _baseSortedIndexBy.js (drift seed 2): upstream deleted the
  // two lines above `var low = 0,`; the fork rewrote the declaration below it. Fuzz 2
  // keeps 4 lines (1 context + 2 removed + 1 context) after dropping 2 + 2: the engine
  // used to skip that level because 4 === 2 + 2, and GNU patch landed the case alone.
  const a = [
    '/**\n',
    ' * @returns {number} Returns the index at which `value` should be inserted\n',
    ' */\n',
    'function baseSortedIndexBy(array, value, iteratee, retHighest) {\n',
    '  value = iteratee(value);\n',
    '\n',
    '  var low = 0,\n',
    '      high = array == null ? 0 : array.length,\n',
    '      valIsNaN = value !== value,\n',
    '      valIsNull = value === null,\n',
    '      valIsSymbol = isSymbol(value),\n',
    '      valIsUndefined = value === undefined;\n',
    '\n',
    '  while (low < high) {\n',
  ].join('');
  const fork = a.replace(
    '      high = array == null ? 0 : array.length,\n      valIsNaN = value !== value,\n',
    '      high = array == null ? 0 : array.length;\n  if (high === 0) {\n    return 0;\n  }\n\n  value = iteratee(value);\n  var valIsNaN = value !== value,\n',
  );
  const upstream = a.replace('  value = iteratee(value);\n\n', '');
  const truth = fork.replace('  value = iteratee(value);\n\n  var low', '  var low');

  it('lands with fuzz 2 at the only place, byte for byte like GNU patch', () => {
    const diff = diffOf(a, fork);
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz: 2, offset: -2 });
    expect(r.text).toBe(truth);
    expect(gnu(upstream, diff)).toEqual({ code: 0, text: truth });
  });

  it('still refuses the same trimmed needle when it occurs twice', () => {
    const diff = diffOf(a, fork);
    const twice = upstream + upstream.replace('baseSortedIndexBy', 'baseSortedIndexBy2');
    const r = applyFilePatch(filePatch('f.js', diff), { text: twice });
    expect(r.report.hunks[0]!.status).toBe('failed');
    expect(r.report.hunks[0]!.reason).toMatch(/^ambiguous/);
    expect(r.text).toBe(twice);
  });
});

describe('a fuzz landing narrows its neighbours\' windows', () => {
  // minimatch 5.1.0 -> 5.1.6 minimatch.js (drift seed 11): the fork comments the
  // `clearStateChar()` that closes an extglob and rewrites `case '|':`; upstream inserted
  // `patternListStack.pop()` above the first and changed lines around both. At fuzz 2 the
  // first hunk keeps "", "clearStateChar()", which is in `case ')'` AND in `case '|'`.
  // The second hunk lands by fuzz between the two copies, so the first hunk can only be
  // the copy above it. GNU patch took the nearer copy (right here, by luck).
  const a = [
    "        case ')':\n",
    "          if (inClass || !patternListStack.length) {\n",
    "            re += '\\\\)'\n",
    '            continue\n',
    '          }\n',
    '\n',
    '          clearStateChar()\n',
    '          hasMagic = true\n',
    '          pl = patternListStack.pop()\n',
    '          // negation is (?:(?!js)[^/]*)\n',
    '          // The others are (?:<pattern>)<type>\n',
    '          re += pl.close\n',
    "          if (pl.type === '!') {\n",
    '            negativeLists.push(pl)\n',
    '          }\n',
    '          pl.reEnd = re.length\n',
    '        continue\n',
    '\n',
    "        case '|':\n",
    "          if (inClass || !patternListStack.length) {\n",
    "            re += '\\\\|'\n",
    '            continue\n',
    '          }\n',
    '\n',
    '          clearStateChar()\n',
    "          re += '|'\n",
    '        continue\n',
    '\n',
    "        case '[':\n",
  ].join('');
  const comment = (t: string): string => t.replace('\n\n          clearStateChar()\n          hasMagic', '\n\n          // closing an extglob\n          clearStateChar()\n          hasMagic');
  const pipe = (t: string): string => t.replace(
    "        case '|':\n          if (inClass || !patternListStack.length) {\n",
    "        case '|': {\n          const plEntry = patternListStack[patternListStack.length - 1]\n          if (inClass || !plEntry) {\n",
  );
  const up = (t: string): string => t
    .replace("            re += '\\\\)'\n            continue\n          }\n", "            re += '\\\\)'\n            continue\n          }\n          patternListStack.pop()\n")
    .replace('pl = patternListStack.pop()', 'pl = plEntry')
    .replace('          pl.reEnd = re.length\n', '          pl.reEnd = re.length // end\n');
  const upstream = up(a);
  const truth = pipe(comment(upstream));

  it('both hunks land, the first one above the second one\'s landing, like GNU patch', () => {
    expect(truth).not.toBe(upstream);
    const diff = diffOf(a, pipe(comment(a)));
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.hunks.map((h) => [h.status, h.fuzz])).toEqual([['fuzzy', 2], ['fuzzy', 1]]);
    expect(r.text).toBe(truth);
    expect(gnu(upstream, diff)).toEqual({ code: 0, text: truth });
  });

  it('the first hunk alone is ambiguous: both copies keep some of its dropped context', () => {
    const r = applyFilePatch(filePatch('f.js', diffOf(a, comment(a))), { text: upstream });
    expect(r.report.hunks[0]).toMatchObject({ status: 'failed' });
    expect(r.report.hunks[0]!.reason).toMatch(/^ambiguous: pre-image found at lines 7 and 25/);
  });
});

describe('wider context breaks a fuzz tie, only when one copy alone keeps a whole side', () => {
  // express 4.17.3 -> 4.19.2 lib/router/route.js (drift seed 16): the fork inserts a
  // `var method = typeof ...` block below `if (stack.length === 0) {...}`; upstream deleted
  // the old `var method = ...` line below it. Fuzz 2 keeps "  }", "", which closes both
  // `if` blocks of dispatch(); only the first copy still has the two lines above it.
  const a = [
    'Route.prototype.dispatch = function dispatch(req, res, done) {\n',
    '  var idx = 0;\n',
    '  var stack = this.stack;\n',
    '  if (stack.length === 0) {\n',
    '    return done();\n',
    '  }\n',
    '\n',
    '  var method = req.method.toLowerCase();\n',
    "  if (method === 'head' && !this.methods['head']) {\n",
    "    method = 'get';\n",
    '  }\n',
    '\n',
    '  req.route = this;\n',
    '\n',
    '  next();\n',
  ].join('');
  const block = "  var method = typeof req.method === 'string'\n    ? req.method.toLowerCase()\n    : req.method\n";
  const fork = a.replace('    return done();\n  }\n', '    return done();\n  }\n' + block);
  const up = (t: string): string => t.replace('  var method = req.method.toLowerCase();\n', '').replace('  var stack = this.stack;\n', '  var stack = this.stack;\n  var sync = 0\n');
  const upstream = up(a);
  const truth = up(fork);

  it('lands at the copy with the patch\'s whole leading context, like GNU patch', () => {
    const diff = diffOf(a, fork);
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz: 2, offset: 1 });
    expect(r.text).toBe(truth);
    expect(gnu(upstream, diff)).toEqual({ code: 0, text: truth });
  });

  it('refuses when the lone keeper keeps only part of a side (axios mergeConfig.js)', () => {
    // axios 0.21.1 -> 0.27.2 lib/core/mergeConfig.js (drift seed 4, hunk 2 alone): three
    // helpers end in "    }", "  });", "". The fork fixes mergeDirectKeys' "});"; upstream
    // turned its `config[prop] =` into `return` and replaced the `axiosKeys` lines below.
    // The only copy that keeps any dropped context is defaultToConfig2's, by ONE line it
    // shares by chance (`config[prop] = getMergedValue(undefined, config1[prop]);`).
    const helper = (name: string, test: string, set: string, alt: string): string =>
      `  function ${name}(prop) {\n    if (${test}) {\n      ${set};\n${alt}    }\n  });\n\n`;
    const base = [
      helper('valueFromConfig2', '!utils.isUndefined(config2[prop])', 'config[prop] = getMergedValue(undefined, config2[prop])', ''),
      helper('defaultToConfig2', '!utils.isUndefined(config2[prop])', 'config[prop] = getMergedValue(undefined, config2[prop])',
        '    } else if (!utils.isUndefined(config1[prop])) {\n      config[prop] = getMergedValue(undefined, config1[prop]);\n'),
      helper('mergeDirectKeys', 'prop in config2', 'config[prop] = getMergedValue(config1[prop], config2[prop])',
        '    } else if (prop in config1) {\n      config[prop] = getMergedValue(undefined, config1[prop]);\n'),
      '  var axiosKeys = valueFromConfig2Keys\n    .concat(mergeDeepPropertiesKeys)\n    .concat(defaultToConfig2Keys);\n',
    ].join('');
    const fix = (t: string): string => t.replace(/(getMergedValue\(undefined, config1\[prop\]\);\n    }\n)  }\);\n\n  var/, '$1  }\n\n  var');
    const fork = fix(base);
    expect(fork).not.toBe(base);
    const upstream = base
      .replace('config[prop] = getMergedValue(config1[prop], config2[prop])', 'return getMergedValue(config1[prop], config2[prop])')
      .replace(/(prop in config1\) {\n      )config\[prop\] = /, '$1return ')
      .replace('  var axiosKeys = valueFromConfig2Keys\n', '  var mergeMap = {\n');
    const r = applyFilePatch(filePatch('f.js', diffOf(base, fork)), { text: upstream });
    expect(r.report.hunks[0]).toMatchObject({ status: 'failed' });
    expect(r.report.hunks[0]!.reason).toMatch(/^ambiguous/);
  });
});

describe("GNU's own fuzz trim for a hunk at the end of the file", () => {
  // semver 7.3.8 -> 7.6.3 functions/diff.js (drift seed 10): 3 lines of context above the
  // insertion, 2 below (the file ends). GNU drops fewer lines on the short side: fuzz 2
  // keeps "  }", "}" (once in the file) where a symmetric trim keeps "  }" (three times).
  const a = [
    'const diff = (a, b) => {\n',
    '  if (eq(a, b)) {\n',
    '    return null\n',
    '  } else {\n',
    '    if (a.major !== b.major) {\n',
    "      return 'major'\n",
    '    }\n',
    '    return defaultResult // may be undefined\n',
    '  }\n',
    '}\n',
    'module.exports = diff\n',
  ].join('');
  const fork = a.replace('  }\n}\n', "  }\n\n  return 'prerelease'\n}\n");
  const upstream = [
    'const diff = (a, b) => {\n',
    '  if (eq(a, b)) {\n',
    '    return null\n',
    '  }\n',
    '  if (a.major !== b.major) {\n',
    "    return 'major'\n",
    '  }\n',
    '  if (lowHasPre) {\n',
    "    return 'major'\n",
    '  }\n',
    '}\n',
    '\n',
    'module.exports = diff\n',
  ].join('');
  const truth = upstream.replace('  }\n}\n', "  }\n\n  return 'prerelease'\n}\n");

  it('lands with fuzz 2 at the one place both kept lines agree, byte for byte like GNU patch', () => {
    const diff = diffOf(a, fork);
    const r = applyFilePatch(filePatch('f.js', diff), { text: upstream });
    expect(r.report.hunks[0]).toMatchObject({ status: 'fuzzy', fuzz: 2 });
    expect(r.text).toBe(truth);
    expect(gnu(upstream, diff)).toEqual({ code: 0, text: truth });
  });
});
