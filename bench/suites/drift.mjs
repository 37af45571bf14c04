// Drift accuracy: real diffs between real versions of npm packages, split into an
// upstream part and a fork part with a known right answer (see lib/cases.mjs). Every tool
// runs on the same cases; outcomes: correct, WRONG (said success, result differs: a
// silent misapply), failed (said it could not; a run past the deadline counts as failed
// and is listed). A second table scores the "ambiguous duplicate pre-image" kind.
// Jobs run on a worker pool (one job = one case x the in-process patchq variant, or one
// case x all external tools in one reused dir), interleaved so load hits every tool alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAIRS, fetchPackage, readPackage } from '../lib/corpus.mjs';
import { makeAmbiguousCases, makeCases } from '../lib/cases.mjs';
import { runPool } from '../lib/pool.mjs';
import { TOOLS, toolVersions } from '../lib/tools.mjs';

export const title = 'Drift accuracy';

const TIMEOUT_MS = 30_000;

export function corpus({ quick = false } = {}) {
  const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5, 6];
  const dupSeeds = [1];
  const cases = [];
  const ambiguous = [];
  for (const [name, va, vc] of quick ? PAIRS.slice(0, 3) : PAIRS) {
    const a = readPackage(fetchPackage(`${name}@${va}`));
    const c = readPackage(fetchPackage(`${name}@${vc}`));
    for (const f of Object.keys(a)) {
      if (!(f in c)) continue;
      cases.push(...makeCases(`${name} ${va}->${vc} ${f}`, a[f], c[f], seeds));
      ambiguous.push(...makeAmbiguousCases(`${name} ${va}->${vc} ${f}`, a[f], c[f], dupSeeds));
    }
  }
  return { cases, ambiguous };
}

export async function run({ quick = false, log = () => {} } = {}) {
  const t0 = performance.now();
  const { cases, ambiguous } = corpus({ quick });
  log(`drift: ${cases.length} cases + ${ambiguous.length} ambiguous, ${TOOLS.length} tools, ${availableParallelism()} workers`);
  const all = [...cases.map((c) => ['drift', c]), ...ambiguous.map((c) => ['ambiguous', c])];
  const external = TOOLS.filter((t) => !t[2]).map((t) => t[0]);
  const jobs = [];
  for (const [kind, c] of all) {
    for (const t of TOOLS.filter((x) => x[2])) jobs.push({ kind, c, tools: [t[0]] });
    jobs.push({ kind, c, tools: external });
  }
  const tmp = mkdtempSync(join(tmpdir(), 'patchq-bench-drift-'));
  process.env.PATCHQ_BENCH_TMP = tmp;
  let done = 0;
  let results;
  try {
    results = await runPool(new URL('../lib/drift-worker.mjs', import.meta.url), jobs, {
      timeoutMs: TIMEOUT_MS,
      onResult: () => {
        if (++done % 200 === 0) log(`drift: ${done}/${jobs.length} jobs`);
      },
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const tables = { drift: {}, ambiguous: {} };
  const notes = { drift: {}, ambiguous: {} };
  const refusals = { drift: {}, ambiguous: {} }; // patchq's failed cases and why, for the json
  for (const [t] of TOOLS) {
    tables.drift[t] = { correct: 0, wrong: 0, failed: 0, timeouts: 0, ms: 0 };
    tables.ambiguous[t] = { correct: 0, wrong: 0, failed: 0, timeouts: 0, ms: 0 };
  }
  results.forEach((r, i) => {
    const { kind, c, tools } = jobs[i];
    for (const t of tools) {
      const row = tables[kind][t];
      const o = r.out?.[t];
      if (!o) {
        row.failed++;
        if (r.timeout) row.timeouts++;
        row.ms += r.ms ?? 0;
        (notes[kind][t] ??= []).push(`${c.id} (${r.timeout ? `no answer in ${TIMEOUT_MS / 1000} s` : 'crashed'})`);
        continue;
      }
      row[o.v]++;
      row.ms += o.ms;
      if (o.v === 'wrong') (notes[kind][t] ??= []).push(`${c.id} (wrong)`);
      if (o.why) (refusals[kind][t] ??= []).push(`${c.id}: ${o.why}`);
    }
  });
  const rows = (kind, n) => Object.entries(tables[kind]).map(([tool, r]) => ({ tool, ...r, ms: Math.round(r.ms), pct: n ? ((100 * r.correct) / n).toFixed(1) : '-' }));
  return {
    name: 'drift',
    quick,
    cases: cases.length,
    ambiguousCases: ambiguous.length,
    rows: rows('drift', cases.length),
    ambiguous: rows('ambiguous', ambiguous.length),
    notes,
    refusals,
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    workers: availableParallelism(),
    versions: toolVersions(),
  };
}

function table(rows) {
  const out = ['| tool | correct | wrong (silent misapply) | failed | correct % | tool time (s) |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) out.push(`| ${r.tool} | ${r.correct} | ${r.wrong} | ${r.failed}${r.timeouts ? ` (${r.timeouts} past ${TIMEOUT_MS / 1000} s)` : ''} | ${r.pct} | ${(r.ms / 1000).toFixed(1)} |`);
  return out;
}

export function markdown(res) {
  const pkgs = PAIRS.map((p) => `${p[0]} ${p[1]}→${p[2]}`).join(', ');
  const lines = [
    `${res.cases} cases from real diffs between versions of npm packages (${res.quick ? 'quick: first 3 pairs' : pkgs}; \`npm pack\`), each with a known right answer: the hunks of diff(a, c) split at random into an upstream group and a fork group (t4105 style); truth = a + both groups. Wall time ${res.wallSeconds} s on ${res.workers} workers; "tool time" is the summed time of that tool's runs in the same interleaved run.`,
    '',
    ...table(res.rows),
    '',
    `**Ambiguous duplicate pre-image** (${res.ambiguousCases} cases): the fork patch is one real hunk; upstream copied the block around its pre-image and inserted the copy 1–5 lines above it, so the copy is nearer to the stated line than the original. Patching the copy is wrong; refusing is a failure, not a misapply.`,
    '',
    ...table(res.ambiguous),
    '',
    `One case alone: \`node bench/case.mjs "<id>" [dir]\` (after \`npm run build\`; ids, and patchq's refusals with each failed hunk's reason, are in \`bench/out/drift.json\`).`,
  ];
  for (const kind of ['drift', 'ambiguous']) {
    for (const [tool, ids] of Object.entries(res.notes[kind])) {
      if (tool.startsWith('patchq')) lines.push('', `${tool}, ${kind} cases wrong or without an answer: ${ids.slice(0, 12).join('; ')}${ids.length > 12 ? ` and ${ids.length - 12} more` : ''}`);
    }
  }
  return lines.join('\n');
}
