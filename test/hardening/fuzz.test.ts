/**
 * Fuzz target over parse + apply, in process: real patches made with `diff -u`,
 * `diff -ruN` and `git diff --binary -M` on temp files, then mutated with a seeded PRNG
 * (bytes flipped, lines dropped/duplicated/swapped, hunk counts set to 999999999,
 * 1 MB lines, 1 GB claimed binary sizes, hostile names, thousands of nested headers,
 * pure random bytes). For every input: no throw other than PatchqError, a parse that
 * comes back from JSON as it was (the parse cache keeps it so), and a bounded time (the maximum is measured and printed; one slow input fails the run).
 * A seeded sample also goes through the built binary: a refused push leaves the tree
 * untouched, an accepted one pops back to the pristine bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, parsePatch, type FilePatch } from '../../src/engine/index.js';
import { PatchqError } from '../../src/engine/errors.js';
import { fromEntry, toEntry } from '../../src/stack/parse-cache.js';
import { git, patchq, tempDir, write } from '../helpers/tree.js';
import { addPatch, applied, rng, seedFor, snapshot } from './helpers.js';

const INPUTS = Number(process.env.PATCHQ_FUZZ_INPUTS ?? 3000);
/** Per input, parse + forward apply + reverse apply. Typical inputs take well under 5 ms. */
const SLOW_MS = 2000;
/**
 * The bound of one input: SLOW_MS, and 500 ms more per megabyte past the first. The work is
 * linear in the input (a 3.5 MB input of 5000 file sections, seed 2: 1.4-1.6 s here, when
 * the machine is quiet), and what the bound is for is a blow-up (the megabyte line below
 * once took 71 s), not a CI machine that is slower per byte.
 */
const boundFor = (bytes: number) => SLOW_MS + (Math.max(0, bytes - 1_000_000) / 1_000_000) * 500;

interface Seed {
  name: string;
  patch: string;
  /** The files the patch was made against (tree paths -> bytes). */
  files: Map<string, string>;
}

const numbered = (n: number, p = 'line') => Array.from({ length: n }, (_, i) => `${p} ${i + 1}\n`).join('');

/** Real patches from real tools over odd files. */
function corpus(): Seed[] {
  const d = tempDir('patchq-fuzz-corpus-');
  const old: Record<string, string> = {
    'src/main.c': numbered(40, 'int x'),
    'crlf.txt': numbered(12).replace(/\n/g, '\r\n'),
    'nonl.txt': 'a\nb\nc',
    'latin1.txt': 'caf\xe9\nna\xefve\n\xff\xfe\n',
    'rep.txt': 'x\ny\nx\ny\nx\ny\nx\ny\n',
    'gone.txt': 'bye\n',
    'bin.dat': Array.from({ length: 300 }, (_, i) => String.fromCharCode((i * 7) % 256)).join(''),
    'ren-old.txt': numbered(10, 'ren'),
  };
  const neu: Record<string, string | null> = {
    'src/main.c': old['src/main.c']!.replace('int x 3\n', 'int y 3\n').replace('int x 30\n', 'int x 30\nint added\n'),
    'crlf.txt': old['crlf.txt']!.replace('line 5\r\n', 'LINE 5\r\n'),
    'nonl.txt': 'a\nB\nc\n',
    'latin1.txt': 'caf\xe9\nNA\xcfVE\n\xff\xfe\n',
    'rep.txt': 'x\ny\nx\nY\nx\ny\nx\ny\n',
    'gone.txt': null,
    'new.txt': 'fresh\nfile\n',
    'bin.dat': old['bin.dat']!.slice(0, 150) + '\x00\x01\x02' + old['bin.dat']!.slice(150),
  };
  for (const side of ['a', 'b'] as const) {
    for (const [p, t] of Object.entries(side === 'a' ? old : neu)) if (t !== null) write(d, `${side}/${p}`, t);
  }
  write(d, 'b/ren-new.txt', old['ren-old.txt']!.replace('ren 9\n', 'REN 9\n'));
  const seeds: Seed[] = [];
  const oldFiles = new Map(Object.entries(old));
  const du = (args: string[]) => spawnSync('diff', args, { cwd: d, encoding: 'latin1' }).stdout;
  for (const p of Object.keys(neu)) {
    if (p === 'bin.dat' || neu[p] === null) continue;
    seeds.push({ name: `diff -u ${p}`, patch: du(['-uN', `a/${p}`, `b/${p}`]), files: oldFiles });
  }
  seeds.push({ name: 'diff -ruN', patch: du(['-ruN', '--text', 'a', 'b']), files: oldFiles });
  // git: a repo at the old side, the new side as the work tree, renames detected.
  const g = join(d, 'g');
  mkdirSync(g);
  for (const [p, t] of Object.entries(old)) write(g, p, t);
  git(g, 'init', '-q');
  git(g, 'add', '-A');
  git(g, 'commit', '-qm', 'old');
  rmSync(join(g, 'gone.txt'));
  rmSync(join(g, 'ren-old.txt'));
  for (const [p, t] of Object.entries(neu)) if (t !== null) write(g, p, t, p === 'src/main.c' ? 0o755 : undefined);
  write(g, 'ren-new.txt', old['ren-old.txt']!.replace('ren 9\n', 'REN 9\n'));
  git(g, 'add', '-A');
  const gd = spawnSync('git', ['diff', '--cached', '--binary', '-M', 'HEAD'], { cwd: g, encoding: 'latin1' }).stdout;
  seeds.push({ name: 'git diff --binary -M', patch: gd, files: oldFiles });
  seeds.push({ name: 'git diff -U0', patch: spawnSync('git', ['diff', '--cached', '-U0', 'HEAD', '--', 'src', 'rep.txt'], { cwd: g, encoding: 'latin1' }).stdout, files: oldFiles });
  for (const s of seeds) expect(s.patch.length, s.name).toBeGreaterThan(20);
  return seeds;
}

type R = ReturnType<typeof rng>;
const lines = (t: string) => t.match(/[^\n]*\n|[^\n]+$/g) ?? [];
const randomBytes = (r: R, n: number) => Array.from({ length: n }, () => String.fromCharCode(r.int(256))).join('');
const HUGE = ['999999999', '1073741824', '9007199254740993', '0', '4294967296', '99999999999999999999'];

/** One mutation; names say what they do. */
const MUTATIONS: Record<string, (t: string, r: R) => string> = {
  flipByte: (t, r) => {
    if (!t) return t;
    const i = r.int(t.length);
    return t.slice(0, i) + String.fromCharCode(r.int(256)) + t.slice(i + 1);
  },
  dropLine: (t, r) => {
    const ls = lines(t);
    ls.splice(r.int(ls.length), 1);
    return ls.join('');
  },
  dupLine: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    ls.splice(i, 0, ls[i] ?? '\n');
    return ls.join('');
  },
  swapLines: (t, r) => {
    const ls = lines(t);
    const [i, j] = [r.int(ls.length), r.int(ls.length)];
    [ls[i], ls[j]] = [ls[j]!, ls[i]!];
    return ls.join('');
  },
  hugeCounts: (t, r) => t.replace(/^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@/m, () => `@@ -${r.pick(['1', ...HUGE])},${r.pick(HUGE)} +${r.pick(['1', ...HUGE])},${r.pick(HUGE)} @@`),
  hugeCountsAll: (t) => t.replace(/^@@ .* @@/gm, '@@ -1,999999999 +1,999999999 @@'),
  insertGarbage: (t, r) => {
    const i = r.int(t.length + 1);
    return t.slice(0, i) + randomBytes(r, 1 + r.int(100)) + t.slice(i);
  },
  truncate: (t, r) => t.slice(0, r.int(t.length + 1)),
  megaLine: (t, r) => {
    const ls = lines(t);
    ls.splice(r.int(ls.length + 1), 0, r.pick(['+', ' ', '-', '']) + r.pick(['x', '\t', '+', '\0']).repeat(1 << 20) + '\n');
    return ls.join('');
  },
  hostileName: (t, r) => t.replace(/^(\+\+\+|---) (\S+)/m, (_, side: string) => `${side} ${r.pick(['b/../../etc/passwd', '/etc/passwd', '"b/..\\057x"', 'b/.pc/applied-patches', '"b/\\000"', 'b/' + 'a/'.repeat(5000) + 'x'])}`),
  gigaBinary: (t, r) => t.replace(/^(literal|delta) \d+$/m, (_, kind: string) => `${kind} ${r.pick(['1073741824', '268435457', '999999999999', '0'])}`),
  nestedHeaders: (t, r) => {
    const head = 'diff --git a/x b/x\nindex 1111111..2222222 100644\n';
    return head.repeat(500 + r.int(2000)) + t;
  },
  manyHunks: (t, r) => {
    const m = /^(@@ [^\n]*\n(?:[-+ \\][^\n]*\n)*)/m.exec(t);
    return m && m[1]!.length < 10_000 ? t.replace(m[1]!, m[1]!.repeat(1000 + r.int(4000))) : t;
  },
  noNewlineMarker: (t, r) => {
    const ls = lines(t);
    ls.splice(r.int(ls.length + 1), 0, '\\ No newline at end of file\n');
    return ls.join('');
  },
  eolChange: (t, r) => {
    const ls = lines(t);
    const i = r.int(ls.length);
    if (ls[i]) ls[i] = ls[i]!.replace(/\r?\n$/, r.pick(['\r\n', '', '\r', '\n\n']));
    return ls.join('');
  },
  deepPath: (t) => t.replace(/^\+\+\+ b\/(\S+)/m, (_, p: string) => `+++ b/${'d/'.repeat(20000)}${p}`),
};

function mutate(seed: Seed, r: R): { text: string; how: string[] } {
  if (r.chance(0.05)) return { text: randomBytes(r, r.int(4000)), how: ['random bytes'] };
  let text = seed.patch;
  const how: string[] = [];
  // Heavy mutations (MBs of text) are rarer, so thousands of inputs stay within seconds.
  const heavy = new Set(['megaLine', 'nestedHeaders', 'manyHunks', 'deepPath']);
  const names = Object.keys(MUTATIONS).flatMap((m) => (heavy.has(m) ? [m] : [m, m, m, m, m, m]));
  for (let k = 1 + r.int(3); k > 0; k--) {
    const m = r.pick(names);
    how.push(m);
    text = MUTATIONS[m]!(text, r);
    if (text.length > 4_000_000) break; // big enough; growth on growth only tests V8's string limit
  }
  return { text, how };
}

/** What one input does in process: parse, apply forward (sometimes with a base), apply reverse. */
function runOne(text: string, files: Map<string, string>, r: R): 'parsed' | 'refused' {
  try {
    const parsed = parsePatch(text, { strip: 1, fileName: 'fuzz.patch' });
    // What the parse cache (src/stack/parse-cache.ts) keeps is JSON: a parse must come back
    // from it as it was (no undefined-valued keys lost, no non-JSON values).
    if (text.length < 100_000) {
      // Through the bytes the cache writes and reads (latin1), as parse-cache.ts does.
      const entry = toEntry(parsed);
      if (entry !== null) expect(fromEntry(Buffer.from(entry, 'latin1').toString('latin1')), 'parse cache round trip').toStrictEqual(parsed);
    }
    const input = (f: FilePatch) => {
      const t = files.get((f.oldPath ?? f.newPath)!) ?? null;
      return { text: t, base: r.chance(0.3) ? t : null };
    };
    const fwd = applyPatch(parsed, input, { fuzz: 2, merge: 'merge' });
    const after = new Map(files);
    fwd.results.forEach((res) => res.text !== null && after.set(res.report.path, res.text));
    applyPatch(parsed, (f) => ({ text: after.get((f.newPath ?? f.oldPath)!) ?? null }), { reverse: true, fuzz: 0 });
    return 'parsed';
  } catch (e) {
    if (e instanceof PatchqError) return 'refused';
    throw e;
  }
}

describe('fuzz: parse + apply', () => {
  const seeds = corpus();
  const seed = seedFor('fuzz');

  it(`${INPUTS} mutated and random inputs: only PatchqError, each under ${SLOW_MS} ms (more for inputs over 1 MB)`, () => {
    const r = rng(seed);
    let [parsedN, refusedN, maxMs, total] = [0, 0, 0, 0];
    const over: string[] = [];
    const slow: Array<[number, string]> = [];
    const crashes: string[] = [];
    const started = performance.now();
    for (let n = 0; n < INPUTS; n++) {
      const s = r.pick(seeds);
      const { text, how } = mutate(s, r);
      const t0 = performance.now();
      try {
        if (runOne(text, s.files, r) === 'parsed') parsedN++;
        else refusedN++;
      } catch (e) {
        crashes.push(`input ${n} (${s.name}: ${how.join('+')}): ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
      let ms = performance.now() - t0;
      // A slow input is timed once more, alone: a slow input stays slow, while a pause of
      // the machine's (CI runs two test files at once beside spawned git and quilt) does not.
      if (ms > boundFor(text.length)) {
        const t1 = performance.now();
        try {
          runOne(text, s.files, rng(n));
        } catch {
          // already counted above
        }
        ms = Math.min(ms, performance.now() - t1);
      }
      total += ms;
      maxMs = Math.max(maxMs, ms);
      if (ms > boundFor(text.length)) over.push(`input ${n} (${s.name}: ${how.join('+')}, ${text.length} bytes): ${ms.toFixed(0)} ms, bound ${boundFor(text.length).toFixed(0)}`);
      if (ms > 50) slow.push([ms, `input ${n} (${s.name}: ${how.join('+')}, ${text.length} bytes)`]);
    }
    const wall = performance.now() - started;
    console.log(
      `[fuzz] seed ${seed}: ${INPUTS} inputs from ${seeds.length} real patches, ${parsedN} parsed+applied, ${refusedN} refused with PatchqError, ` +
        `${crashes.length} other throws; max ${maxMs.toFixed(1)} ms, mean ${(total / INPUTS).toFixed(2)} ms, wall ${(wall / 1000).toFixed(1)} s`,
    );
    slow.sort((a, b) => b[0] - a[0]);
    if (slow.length) console.log(`[fuzz] ${slow.length} inputs over 50 ms; slowest: ${slow.slice(0, 5).map(([ms, w]) => `${ms.toFixed(0)} ms ${w}`).join('; ')}`);
    expect(crashes).toEqual([]);
    expect(over).toEqual([]);
    // Both sides of the parser must be exercised, or the mutations are too weak/strong.
    expect(parsedN).toBeGreaterThan(INPUTS / 10);
    expect(refusedN).toBeGreaterThan(INPUTS / 10);
  });

  it('a sample through the binary: refused pushes leave the tree untouched, accepted ones pop back', () => {
    const r = rng(seed ^ 0x5eed);
    const d = tempDir('patchq-fuzz-cli-');
    for (const [p, t] of seeds[0]!.files) write(d, p, t);
    const pristine = snapshot(d);
    let [acceptedN, refusedN] = [0, 0];
    const SAMPLE = 8;
    for (let n = 0; n < SAMPLE; n++) {
      const s = r.pick(seeds);
      // A third unmutated, so some pushes succeed; the last one surely broken (a hunk that
      // claims more lines than it has), so some are refused whatever the seed's mutations do.
      const { text, how } =
        n === SAMPLE - 1 ? { text: s.patch.replace(/^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/m, '@@ -$1,999 +$2,999 @@'), how: ['counts 999'] }
        : n % 3 === 0 ? { text: s.patch, how: ['none'] }
        : mutate(s, r);
      rmSync(join(d, 'patches'), { recursive: true, force: true });
      addPatch(d, 'fuzz.patch', text);
      const res = patchq(d, ['push']);
      const what = `sample ${n} (${s.name}: ${how.join('+')}): exit ${res.code} ${res.stderr.slice(0, 200)}`;
      expect(res.stderr, what).not.toMatch(/internal error/);
      if (res.code === 0) {
        acceptedN++;
        expect(applied(d), what).toEqual(['fuzz.patch']);
        const pop = patchq(d, ['pop']);
        expect(pop.code, what + pop.stderr).toBe(0);
      } else {
        refusedN++;
        expect(res.code, what).toBe(1);
        expect(applied(d), what).toEqual([]);
      }
      expect(snapshot(d), what).toEqual({ ...pristine, patches: 'dir', 'patches/fuzz.patch': `644:${text}`, 'patches/series': '644:fuzz.patch\n' });
    }
    console.log(`[fuzz-cli] seed ${seed}: ${SAMPLE} inputs through the binary, ${acceptedN} pushed and popped back, ${refusedN} refused; tree untouched each time`);
    expect(acceptedN).toBeGreaterThan(0);
    expect(refusedN).toBeGreaterThan(0);
  });

  it('regressions the fuzzer found, and the named hostile shapes, as typed errors', () => {
    const code = (text: string) => {
      try {
        parsePatch(text, { fileName: 'x.patch' });
        return 'parsed';
      } catch (e) {
        expect(e).toBeInstanceOf(PatchqError);
        return `${(e as PatchqError).code}@${(e as PatchqError).line}`;
      }
    };
    const head = '--- a/f\n+++ b/f\n';
    // parse-diff threw a TypeError on a marker with no line before it.
    expect(code(`${head}@@ -1 +1 @@\n\\ No newline at end of file\n-a\n+b\n`)).toBe('E_PATCH_PARSE@4');
    // The same hunk 5000 times took seconds per input (every copy searched the file).
    const hunk = '@@ -2,2 +2,2 @@\n a\n-b\n+B\n';
    expect(code(head + hunk.repeat(5000))).toBe('E_PATCH_PARSE@7');
    expect(code(`${head}@@ -5,1 +5,1 @@\n-x\n+y\n@@ -2,1 +2,1 @@\n-a\n+b\n`)).toBe('E_PATCH_PARSE@6');
    expect(code(`${head}@@ -1,999999999 +1,999999999 @@\n a\n`)).toBe('E_PATCH_COUNTS@4');
    expect(code('diff --git a/b b/b\nnew file mode 100644\nindex 0000000..1111111\nGIT binary patch\nliteral 1073741824\nzcmV\n\n')).toBe('E_PATCH_BINARY@5');
  });

  it('a megabyte context line over a file with hundreds of places for the removed line: refused, and in time', () => {
    // The fuzzer's megaLine found it (CI, 3.6 s for one input): when no trim of the
    // context is in the file, the similar step tries the hunk at each place of its removed
    // line (300 here) and compared the 1 MB context line with the file's line there, a
    // megabyte of work each time. Now the lengths alone rule such a pair out.
    const mega = 'int v = ' + 'ab '.repeat(350_000) + ';\n';
    const file = ('value = 1\n'.repeat(3) + 'x = 1\n').repeat(300);
    const text = `--- a/f.c\n+++ b/f.c\n@@ -1,7 +1,7 @@\n ${mega}` + ' value = 2\n'.repeat(2) + '-x = 1\n+x = 2\n' + ' value = 2\n'.repeat(3);
    const parsed = parsePatch(text, { strip: 1, fileName: 'mega.patch' });
    const t0 = performance.now();
    const r = applyPatch(parsed, () => ({ text: file }), { fuzz: 2, merge: 'merge' });
    const ms = performance.now() - t0;
    expect(r.results[0]!.report.hunks[0]).toMatchObject({ status: 'failed' });
    expect(ms).toBeLessThan(SLOW_MS);
  });
});
