// Engine speed (issue 2): a 10,000-hunk patch on a 100k-line file (exact, and with every
// hunk at an offset), a fuzzy hunk searched for in a 200k-line file, and how each grows
// per doubling of the file (25k -> 200k lines). patchq runs in-process (parsePatch +
// applyPatch) and as the built CLI (`patchq push` in a quilt tree: parse, apply, backups,
// atomic writes); GNU patch and git apply run on the same files. Every measurement is the
// median of its runs, the tools interleaved run by run.
//
// Files are generated, with every line unique, so each hunk has one right place:
//   line i: "  const v<i> = f(<i * 7919 mod 1000003>, 'k<i>');"
// and the patch changes every 10th line (one hunk each, 9 unchanged lines apart).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parsePatch } from '../../dist/engine/index.js';
import { HERMETIC_ENV } from '../lib/tools.mjs';

export const title = 'Engine speed';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'cli.cjs');

// A spawned tool past this is stopped and shown as "> 30 s" (git apply grows faster than linearly).
const SPAWN_TIMEOUT_MS = 30_000;

const line = (i) => `  const v${i} = f(${(i * 7919) % 1000003}, 'k${i}');\n`;
const changed = (i) => `  const v${i} = g(${(i * 7919) % 1000003}, 'k${i}');\n`;
const lines = (n, from = 1) => Array.from({ length: n }, (_, k) => line(from + k));

/** A patch changing lines 5, 15, 25... of an n-line file: n/10 hunks, 3 lines of context. */
function manyHunks(n) {
  const out = ['diff --git a/file b/file\n', '--- a/file\n', '+++ b/file\n'];
  for (let c = 5; c <= n - 4; c += 10) {
    out.push(`@@ -${c - 3},7 +${c - 3},7 @@\n`);
    for (let i = c - 3; i < c; i++) out.push(' ' + line(i));
    out.push('-' + line(c), '+' + changed(c));
    for (let i = c + 1; i <= c + 3; i++) out.push(' ' + line(i));
  }
  return { patch: out.join(''), hunks: Math.floor((n - 9) / 10) + 1 };
}

/** One hunk stated at line 100 whose place is near the end of an n-line file, with its
 *  outer context lines changed (GNU fuzz 1 finds it) or a middle one too ("similar"). */
function farHunk(n, kind) {
  const at = n - 200; // the changed line's number in the original numbering
  const ctx = (i) => line(i);
  const h = ['diff --git a/file b/file\n', '--- a/file\n', '+++ b/file\n', `@@ -97,7 +97,7 @@\n`];
  for (let i = at - 3; i < at; i++) h.push(' ' + ctx(i));
  h.push('-' + line(at), '+' + changed(at));
  for (let i = at + 1; i <= at + 3; i++) h.push(' ' + ctx(i));
  const file = lines(n);
  file[at - 4] = `  // moved: ${line(at - 3).trim()}\n`; // first context line changed
  file[at + 2] = `  // moved: ${line(at + 3).trim()}\n`; // last context line changed
  if (kind === 'similar') file[at - 2] = line(at - 1).replace("');", "', 1);"); // a middle context line edited
  return { patch: h.join(''), text: file.join('') };
}

function timeIt(fn) {
  const t0 = performance.now();
  const ok = fn();
  return { ms: performance.now() - t0, ok };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Tools on one (text, patch): each returns {ms, ok}. */
function tools(dir, text, patch, { fuzz = 0, cli = true, git = true } = {}) {
  const file = join(dir, 'file');
  const reset = () => {
    rmSync(join(dir, '.pc'), { recursive: true, force: true });
    writeFileSync(file, text, 'latin1');
  };
  mkdirSync(join(dir, 'patches'), { recursive: true });
  writeFileSync(join(dir, 'patches', 'p.patch'), patch, 'latin1');
  writeFileSync(join(dir, 'patches', 'series'), 'p.patch\n');
  const spawn = (cmd, args) => () => {
    reset();
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd: dir, stdio: 'ignore', env: HERMETIC_ENV, timeout: SPAWN_TIMEOUT_MS });
    if (r.error) return { ms: SPAWN_TIMEOUT_MS, ok: false, timeout: true };
    return { ms: performance.now() - t0, ok: r.status === 0 };
  };
  const t = {
    'patchq engine': () =>
      timeIt(() => {
        const r = applyPatch(parsePatch(patch), () => ({ text }), { fuzz });
        return r.report.ok;
      }),
  };
  if (cli) t['patchq CLI (push)'] = spawn(CLI, ['push', '-q', `--fuzz=${fuzz}`]);
  t[`patch -F${fuzz}`] = spawn('patch', ['-p1', '-s', `-F${fuzz}`, '--no-backup-if-mismatch', '-r', '-', '-i', 'patches/p.patch']);
  if (git) t['git apply'] = spawn('git', ['apply', 'patches/p.patch']);
  return t;
}

/** Run each tool `runs` times, interleaved; median ms and whether it succeeded. */
function measure(t, runs) {
  const ms = Object.fromEntries(Object.keys(t).map((k) => [k, []]));
  const ok = {};
  const timeout = {};
  for (let r = 0; r < runs; r++) {
    for (const [k, fn] of Object.entries(t)) {
      if (timeout[k]) continue; // once past the limit, not again
      const x = fn();
      ms[k].push(x.ms);
      ok[k] = x.ok;
      timeout[k] = Boolean(x.timeout);
    }
  }
  return Object.fromEntries(Object.keys(t).map((k) => [k, { ms: Math.round(median(ms[k]) * 10) / 10, ok: ok[k], timeout: timeout[k] }]));
}

export async function run({ quick = false, log = () => {} } = {}) {
  const runs = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'patchq-bench-speed-'));
  try {
    const headline = [];
    const n = 100_000;
    const { patch, hunks } = manyHunks(n);
    const base = lines(n).join('');
    log(`speed: ${hunks} hunks on ${n} lines, exact`);
    headline.push({ case: `${hunks.toLocaleString('en')}-hunk patch, ${n.toLocaleString('en')}-line file, every hunk exact`, res: measure(tools(dir, base, patch), runs) });
    const shifted = lines(1000, 900_001).join('') + base; // 1000 new lines on top: every hunk at offset +1000
    log('speed: same patch, every hunk at offset +1000');
    headline.push({ case: `same patch, 1,000 lines added on top (every hunk at offset +1000)`, res: measure(tools(dir, shifted, patch), runs) });
    for (const kind of ['fuzz', 'similar']) {
      const f = farHunk(200_000, kind);
      log(`speed: fuzzy search in 200k lines (${kind})`);
      headline.push({
        case: `1 hunk stated at line 97, its place near line 199,800 of a 200,000-line file, ${kind === 'fuzz' ? 'outer context lines changed (GNU fuzz 1)' : 'outer and one inner context line changed'}`,
        res: measure(tools(dir, f.text, f.patch, { fuzz: 3, git: false }), runs),
      });
    }
    const growth = [];
    for (const size of [25_000, 50_000, 100_000, 200_000]) {
      log(`speed: growth at ${size} lines`);
      const m = manyHunks(size);
      const text = lines(size).join('');
      const exact = measure(tools(dir, text, m.patch, { cli: false }), runs);
      const off = measure({ 'patchq engine': tools(dir, lines(1000, 900_001).join('') + text, m.patch)['patchq engine'] }, runs);
      const fz = measure({ 'patchq engine': tools(dir, farHunk(size, 'similar').text, farHunk(size, 'similar').patch, { fuzz: 3 })['patchq engine'] }, runs);
      growth.push({ size, hunks: m.hunks, exact: exact['patchq engine'], offset: off['patchq engine'], fuzzy: fz['patchq engine'], patch: exact['patch -F0'], git: exact['git apply'] });
    }
    return { name: 'speed', runs, headline, growth };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cell = (r) => (!r ? '–' : r.timeout ? `> ${SPAWN_TIMEOUT_MS / 1000} s` : `${r.ms} ms${r.ok ? '' : ' (failed)'}`);

export function markdown(res) {
  const tools = [...new Set(res.headline.flatMap((h) => Object.keys(h.res)))];
  const out = [`Median of ${res.runs} run(s) per cell, tools interleaved. "patchq engine" is parsePatch + applyPatch in-process; "patchq CLI" is \`patchq push\` (the command, dist/bin/cli.cjs) in a quilt tree (process start, backups, atomic writes included). Generated files, every line unique.`, '', `| case | ${tools.join(' | ')} |`, `|---|${tools.map(() => '---:').join('|')}|`];
  for (const h of res.headline) out.push(`| ${h.case} | ${tools.map((t) => cell(h.res[t])).join(' | ')} |`);
  out.push('', 'Growth per doubling of the file (hunks grow with it: one per 10 lines; the fuzzy column is one "similar" hunk searched for across the whole file). Ratio = time / time at half the size: 2 is linear, 4 would be quadratic.', '');
  out.push('| lines | hunks | patchq exact | ratio | patchq offset +1000 | ratio | patchq fuzzy (1 hunk) | ratio | patch -F0 exact | ratio | git apply exact | ratio |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  res.growth.forEach((g, i) => {
    const p = res.growth[i - 1];
    const ratio = (k) => (p && !g[k].timeout && !p[k].timeout ? (g[k].ms / Math.max(p[k].ms, 0.1)).toFixed(2) : '–');
    out.push(`| ${g.size.toLocaleString('en')} | ${g.hunks.toLocaleString('en')} | ${cell(g.exact)} | ${ratio('exact')} | ${cell(g.offset)} | ${ratio('offset')} | ${cell(g.fuzzy)} | ${ratio('fuzzy')} | ${cell(g.patch)} | ${ratio('patch')} | ${cell(g.git)} | ${ratio('git')} |`);
  });
  return out.join('\n');
}
