// Drift accuracy: real diffs between real versions of npm packages, split into an
// upstream part and a fork part with a known right answer (see lib/cases.mjs). Every tool
// runs on the same cases; outcomes: correct, WRONG (said success, result differs: a
// silent misapply), failed (said it could not).
import { fetchPackage, readPackage } from '../lib/corpus.mjs';
import { makeCases } from '../lib/cases.mjs';
import { TOOLS } from '../lib/tools.mjs';

const PAIRS = [
  ['commander', '9.0.0', '9.5.0'],
  ['commander', '8.3.0', '9.0.0'],
  ['semver', '7.3.8', '7.6.3'],
  ['express', '4.17.3', '4.19.2'],
  ['lodash', '4.17.15', '4.17.21'],
  ['yargs-parser', '20.2.9', '21.1.1'],
  ['ajv', '8.11.0', '8.12.0'],
  ['minimatch', '5.1.0', '5.1.6'],
];

export async function run({ quick = false } = {}) {
  const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5, 6];
  const cases = [];
  for (const [name, va, vc] of quick ? PAIRS.slice(0, 3) : PAIRS) {
    const a = readPackage(fetchPackage(`${name}@${va}`));
    const c = readPackage(fetchPackage(`${name}@${vc}`));
    for (const f of Object.keys(a)) if (f in c) cases.push(...makeCases(`${name} ${va}->${vc} ${f}`, a[f], c[f], seeds));
  }
  const rows = [];
  const wrongs = {};
  for (const [tool, fn] of TOOLS) {
    let correct = 0;
    let wrong = 0;
    let failed = 0;
    for (const c of cases) {
      let r;
      try {
        r = fn(c);
      } catch (e) {
        r = { ok: false, text: null, error: e };
      }
      if (!r.ok) failed++;
      else if (r.text === c.truth) correct++;
      else {
        wrong++;
        (wrongs[tool] ??= []).push(c.id);
      }
    }
    rows.push({ tool, correct, wrong, failed, pct: ((100 * correct) / cases.length).toFixed(1) });
  }
  return { name: 'drift', cases: cases.length, rows, wrongs };
}

export function markdown(res) {
  const lines = [`Drift accuracy: ${res.cases} cases from real diffs between versions of ${PAIRS.map((p) => p[0]).filter((x, i, s) => s.indexOf(x) === i).join(', ')} (npm pack), each with a known right answer.`, '', '| tool | correct | wrong (silent misapply) | failed | correct % |', '|---|---:|---:|---:|---:|'];
  for (const r of res.rows) lines.push(`| ${r.tool} | ${r.correct} | ${r.wrong} | ${r.failed} | ${r.pct} |`);
  for (const [tool, ids] of Object.entries(res.wrongs)) if (tool.startsWith('patchq')) lines.push('', `${tool} wrong cases: ${ids.slice(0, 20).join('; ')}`);
  return lines.join('\n');
}
