/**
 * Cascade step 3 where a change of the patch can slide over equal lines (merge3.ts
 * mergeWithScript, edit-script.ts slide). Shapes from the drift benchmark
 * (bench/suites/drift.mjs), cut down from the real files; hunks are written out as the
 * real patches had them, so the slide under test is the patch's, not our diff's.
 */
import { describe, expect, it } from 'vitest';
import { applyFilePatch } from '../../src/engine/index.js';
import { mergeWithScript, secondOpinion } from '../../src/engine/merge3.js';
import { filePatch, gitMergeFile } from './apply-helpers.js';

const lines = (...ls: string[]): string => ls.map((l) => `${l}\n`).join('');
const hunkAt = (at: string, body: string[]): string => `--- a/f.js\n+++ b/f.js\n${at}\n${lines(...body)}`;

describe('a patch change that touches an upstream edit only at its own slide merges at git\'s slide', () => {
  // commander 9.0.0 -> 9.5.0 lib/option.js (drift seed 3): upstream deleted "Priority
  // order ..."; the fork's patch inserts " *", "An environment ...", "undefined ..."
  // right after that line. The same insertion is "An environment ...", "undefined ...",
  // " *" after the " *" below, which upstream kept: no edit touches it there.
  const base = lines(
    '  preset(arg) {', '    this.presetArg = arg;', '    return this;', '  }', '',
    '  /**', '   * Set environment variable to check for option value.', '   * Priority order of option values is default < env < cli',
    '   *', '   * @param {string} name', '   * @return {Option}', '   */', '',
    '  env(name) {', '    this.envVar = name;', '    return this;', '  }',
  );
  const added = ['   *', "   * An environment variable is only used if when processed the current option value is", "   * undefined, or the source of the current value is 'default' or 'config' or 'env'."];
  const patch = hunkAt('@@ -6,7 +6,10 @@', [
    '   /**', '    * Set environment variable to check for option value.', '    * Priority order of option values is default < env < cli',
    ...added.map((l) => `+${l}`), '    *', '    * @param {string} name', '    * @return {Option}',
  ]);
  const upstream = base.replace('   * Priority order of option values is default < env < cli\n', '');
  const truth = upstream.replace('   *\n   * @param', `   *\n${lines(...added.slice(1), '   *')}   * @param`);

  it('lands merged, with the bytes of the truth and of git merge-file', () => {
    const r = applyFilePatch(filePatch('f.js', patch), { text: upstream, base });
    expect(r.report.status).not.toBe('failed');
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged' });
    expect(r.text).toBe(truth);
    const theirs = base.replace('cli\n', `cli\n${lines(...added)}`);
    expect(gitMergeFile(upstream, base, theirs)).toEqual({ clean: true, text: truth });
    expect(secondOpinion(upstream, base, theirs)).toBe(truth);
  });
});

describe('an inserted method that starts with a blank line, after a line upstream edited', () => {
  // commander 8.3.0 -> 9.0.0 lib/command.js (drift seed 6): upstream dropped the stray
  // semicolon of "  };"; the fork's patch adds methods right after that line, its block
  // starting with a blank. Slid, the block ends with the blank and starts after the
  // blank below "  };": one kept line away from upstream's edit.
  const base = lines(
    '  name(str) {', '    if (str === undefined) return this._name;', '    this._name = str;', '    return this;', '  };', '',
    '  /**', '   * Return program help documentation.', '   *', '   * @return {string}', '   */',
  );
  const method = ['', '  /**', '   * Set the name of the command from script filename.', '   */', '', '  nameFromFilename(filename) {',
    '    this._name = path.basename(filename, path.extname(filename));', '', '    return this;', '  }'];
  const patch = hunkAt('@@ -3,6 +3,16 @@', ['     this._name = str;', '     return this;', '   };', ...method.map((l) => `+${l}`), ' ', '   /**', '    * Return program help documentation.']);
  const upstream = base.replace('  };\n', '  }\n');
  const truth = upstream.replace('  }\n\n  /**\n   * Return', `  }\n\n${lines(...method.slice(1), '')}  /**\n   * Return`);

  it('lands merged, with the bytes of the truth and of git merge-file', () => {
    const r = applyFilePatch(filePatch('f.js', patch), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged' });
    expect(r.text).toBe(truth);
    const theirs = base.replace('  };\n', `  };\n${lines(...method)}`);
    expect(gitMergeFile(upstream, base, theirs)).toEqual({ clean: true, text: truth });
  });
});

describe('a slide across a line upstream changed is no evidence: refused', () => {
  // The fork adds a 0 at the top of a table (right after the declaration, which
  // upstream edited: the patch's own place conflicts). git slides the new "0," to the
  // bottom of the run of "0," lines, across the entry upstream set to 1, and merges
  // "cleanly" to 0, 1, 0, 0, 0 where the fork meant 0, 0, 1, 0, 0. Which is meant is
  // not in the texts: no answer.
  const base = lines('static int table[] = {', '\t0,', '\t0,', '\t0,', '\t0,', '};');
  const upstream = lines('static const int table[] = {', '\t0,', '\t1,', '\t0,', '\t0,', '};');
  const theirs = lines('static int table[] = {', '\t0,', '\t0,', '\t0,', '\t0,', '\t0,', '};');
  const patch = hunkAt('@@ -1,6 +1,7 @@', [' static int table[] = {', '+\t0,', ' \t0,', ' \t0,', ' \t0,', ' \t0,', ' };']);

  it('git merge-file calls it clean; mergeWithScript keeps the conflict of the patch\'s own place', () => {
    expect(gitMergeFile(upstream, base, theirs).clean).toBe(true);
    const m = mergeWithScript(upstream, base, theirs, [[1, 0, 1, 1]]);
    expect(m.clean).toBe(false);
  });

  it('the cascade refuses it, also on a file too long for the second opinion', () => {
    const filler = Array.from({ length: 6000 }, (_, i) => `\t${i % 7},\n`).join('');
    const big = (t: string): string => `${lines('static int other[] = {')}${filler}${lines('};')}${t}`;
    const bigPatch = hunkAt('@@ -6003,6 +6003,7 @@', [' static int table[] = {', '+\t0,', ' \t0,', ' \t0,', ' \t0,', ' \t0,', ' };']);
    for (const [p, b, u] of [[patch, base, upstream], [bigPatch, big(base), big(upstream)]] as const) {
      const r = applyFilePatch(filePatch('f.js', p), { text: u, base: b });
      expect(r.report.status).toBe('failed');
      expect(r.text).toBe(u);
    }
  });
});

describe('where the patch\'s own script merges cleanly, it is kept over a re-diff and over git\'s slide', () => {
  // commander 8.3.0 -> 9.0.0 Readme.md (drift seed 6): the fork splits ".usage and .name"
  // into two sections; its hunk keeps the first "```js" as context and adds the new
  // ".usage" section after it. Upstream added a paragraph above that "```js". git
  // merge-file re-diffs (as does git apply --3way) and so does git's slide of the hunk:
  // both take the old "```js" for the second one and put upstream's paragraph into
  // the ".usage" section. The hunk's own context says otherwise.
  const base = lines(
    '`.helpInformation()`: get the built-in command help information as a string.', '', '### .usage and .name', '',
    'These allow you to customise the usage description in the first line of the help. The name is otherwise',
    'deduced from the (full) program arguments. Given:', '', '```js', 'program', '  .name("my-command")', '  .usage("[global options] command")', '```',
  );
  const patch = hunkAt('@@ -1,10 +1,18 @@', [
    ' `.helpInformation()`: get the built-in command help information as a string.', ' ', '-### .usage and .name', '+### .name', ' ',
    '-These allow you to customise the usage description in the first line of the help. The name is otherwise',
    '-deduced from the (full) program arguments. Given:',
    '+The command name appears in the help, and is also used for locating stand-alone executable subcommands.', ' ', ' ```js',
    "+program.name('pizza');", "+const pm = new Command('pm');", '+```', '+', '+### .usage', '+',
    '+This allows you to customise the usage description in the first line of the help. Given:', '+', '+```js', ' program', '   .name("my-command")',
  ]);
  const para = 'You may specify the program name using `.name()` or in the Command constructor.\n\n';
  const upstream = base.replace('Given:\n\n', `Given:\n\n${para}`);

  it('lands merged with upstream\'s paragraph in the ".name" section; git merge-file puts it under ".usage"', () => {
    const r = applyFilePatch(filePatch('f.js', patch), { text: upstream, base });
    expect(r.report.hunks[0]).toMatchObject({ status: 'merged' });
    expect(r.text).toContain(`subcommands.\n\n${para}\`\`\`js\nprogram.name('pizza');`);
    const theirs = applyFilePatch(filePatch('f.js', patch), { text: base }).text!;
    const git = gitMergeFile(upstream, base, theirs);
    expect(git.clean).toBe(true);
    expect(git.text).toContain(`Given:\n\n${para}\`\`\`js\nprogram\n`);
    expect(secondOpinion(upstream, base, theirs)).toBe(r.text);
  });
});

describe('two alignments of upstream\'s edit that merge to different places: refused', () => {
  // commander 8.3.0 -> 9.0.0 Readme.md (drift seed 4): upstream rewrote ".usage and
  // .name" into two sections, each with a "```js" example; the fork adds a paragraph
  // between "Given:" and the "```js" below it. Which new "```js" is the old one is a
  // question about upstream's edit that neither text answers: our merge (and git's)
  // puts the paragraph under ".usage", node-diff3 under ".name". Two answers = none.
  const base = lines(
    '### .usage and .name', '',
    'These allow you to customise the usage description in the first line of the help. The name is otherwise',
    'deduced from the (full) program arguments. Given:', '', '```js', 'program', '  .name("my-command")', '  .usage("[global options] command")', '```',
  );
  const upstream = lines(
    '### .name', '', 'The command name appears in the help, and is also used for locating stand-alone executable subcommands.', '',
    '```js', "program.name('pizza');", "const pm = new Command('pm');", '```', '', '### .usage', '',
    'This allows you to customise the usage description in the first line of the help. Given:', '',
    '```js', 'program', '  .name("my-command")', '  .usage("[global options] command")', '```',
  );
  const patch = hunkAt('@@ -3,6 +3,8 @@', [
    ' These allow you to customise the usage description in the first line of the help. The name is otherwise',
    ' deduced from the (full) program arguments. Given:', ' ', '+You may specify the program name using `.name()` or in the Command constructor.', '+',
    ' ```js', ' program', '   .name("my-command")',
  ]);

  it('the two opinions differ, and the merge step lands nothing', () => {
    const theirs = applyFilePatch(filePatch('f.js', patch), { text: base }).text!;
    const ours = mergeWithScript(upstream, base, theirs, [[5, 0, 5, 2]]);
    const other = secondOpinion(upstream, base, theirs);
    expect(ours.clean).toBe(true);
    expect(other).not.toBeNull();
    expect(other).not.toBe(ours.text);
    // Fuzz off: this cut-down file has one "Given:" left, where fuzz 2 lands the hunk by
    // its remaining context (the real Readme.md has two: ambiguous, refused).
    const r = applyFilePatch(filePatch('f.js', patch), { text: upstream, base }, { fuzz: 0, fuzzy: false });
    expect(r.report.status).toBe('failed');
    expect(r.text).toBe(upstream);
  });
});
