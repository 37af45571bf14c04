#!/usr/bin/env node
// One drift case alone: `npm run build && node bench/case.mjs "commander 8.3.0->9.0.0 Readme.md#4" [DIR]`
// (ids as in bench/out/drift.json). Writes a, upstream, patch, truth (and theirs = a +
// patch) into DIR (default: a temp dir), prints patchq's report with and without the
// base, and the commands to try git merge-file and git apply --3way on the same files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, parsePatch } from '../dist/engine/index.js';
import { corpus } from './suites/drift.mjs';

const [id, out] = process.argv.slice(2);
const { cases, ambiguous } = corpus();
const c = [...cases, ...ambiguous].find((x) => x.id === id);
if (!c) {
  console.error(`no case ${JSON.stringify(id)}; ids look like "${cases[0]?.id}"`);
  process.exit(2);
}
const dir = out ?? mkdtempSync(join(tmpdir(), 'patchq-case-'));
mkdirSync(dir, { recursive: true });
const patch = parsePatch(c.patch);
const theirs = applyPatch(patch, () => ({ text: c.a, base: null })).results[0].text;
for (const [name, text] of Object.entries({ a: c.a, upstream: c.upstream, patch: c.patch, truth: c.truth, theirs })) writeFileSync(join(dir, name), Buffer.from(text, 'latin1'));
for (const withBase of [false, true]) {
  const { results, report } = applyPatch(patch, () => ({ text: c.upstream, base: withBase ? c.a : null }));
  const v = !report.ok ? 'failed' : results[0].text === c.truth ? 'correct' : 'WRONG';
  console.log(`patchq${withBase ? ' + base' : ''}: ${v}`);
  for (const h of report.files[0].hunks) if (h.status !== 'exact') console.log(`  hunk ${h.hunk} ${h.status} stated ${h.statedLine} line ${h.line ?? '-'}${h.reason ? `: ${h.reason}` : ''}`);
}
console.log(`files in ${dir}; compare: git merge-file -p upstream a theirs | diff - truth`);
