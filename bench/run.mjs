#!/usr/bin/env node
// `npm run bench [-- SUITE... ] [--quick | --render]`: run the named suites (all by default), print
// each one's table, keep the raw result in bench/out/<suite>.json, and rewrite that
// suite's section of BENCHMARKS.md (dated heading, machine, tool versions, table, how to
// reproduce). Sections of suites not run are left as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MD = join(ROOT, 'BENCHMARKS.md');
const SUITES = ['drift', 'speed', 'stack', 'reapply', 'tui-first-frame'];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// --render: rewrite the suites' sections of BENCHMARKS.md from bench/out/<suite>.json (the
// last run's raw numbers) without running anything, after a change to how a table is written.
const render = args.includes('--render');
const unknown = args.filter((a) => a.startsWith('-') && a !== '--quick' && a !== '--render');
const named = args.filter((a) => !a.startsWith('-'));
const bad = named.filter((n) => !SUITES.includes(n));
if (unknown.length || bad.length) {
  console.error(`bench: unknown ${unknown.length ? `option ${unknown[0]}` : `suite ${bad[0]}`}; suites: ${SUITES.join(', ')}; options: --quick, --render`);
  process.exit(2);
}
const chosen = named.length ? named : SUITES;

const sh = (cmd, a) => {
  const r = spawnSync(cmd, a, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return (r.stdout.trim() ? r.stdout : r.stderr).split('\n')[0].trim(); // wiggle prints its version on stderr
};

function machine() {
  const v = (cmd, a) => sh(cmd, a) ?? 'not installed';
  return [
    `Machine: ${cpus()[0]?.model?.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform} ${sh('uname', ['-r']) ?? ''}; node ${process.version}.`,
    `Tools: ${v('patch', ['--version'])}; ${v('git', ['--version'])}; quilt ${v('quilt', ['--version'])}; ${v('wiggle', ['--version'])}.`,
    `patchq at commit ${sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) ?? 'unknown'}${sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src']) ? ' (plus uncommitted changes in src/)' : ''}.`,
  ].join('  \n');
}

function section(name, mod, res, date) {
  return [
    `<!-- bench:${name} -->`,
    `## ${mod.title ?? name} — ${date}${res.quick ? ' (quick run)' : ''}`,
    '',
    res.machine ?? machine(),
    '',
    mod.markdown(res),
    '',
    `Reproduce: \`npm run bench -- ${name}${res.quick ? ' --quick' : ''}\` (raw numbers in \`bench/out/${name}.json\`).`,
    `<!-- /bench:${name} -->`,
  ].join('\n');
}

/** The machine lines (machine, tools, commit) of a suite's section as BENCHMARKS.md has it. */
function writtenMachine(name) {
  if (!existsSync(MD)) return null;
  const m = new RegExp(`<!-- bench:${name} -->\\n## [^\\n]*\\n\\n((?:[^\\n]+\\n)+)\\n`).exec(readFileSync(MD, 'utf8'));
  return m ? m[1].trimEnd() : null;
}

function rewrite(name, text) {
  const head = '# Benchmarks\n\nWritten by `npm run bench` (bench/run.mjs); each section is replaced by the run of its suite. Numbers come from real runs on the machine named in the section, with every tool of a table measured in the same run, interleaved, so the ratios hold even when the machine is busy.\n';
  let md = existsSync(MD) ? readFileSync(MD, 'utf8') : head;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  if (re.test(md)) md = md.replace(re, () => text);
  else {
    // Keep the sections in SUITES order.
    const later = SUITES.slice(SUITES.indexOf(name) + 1).map((s) => md.indexOf(`<!-- bench:${s} -->`)).filter((i) => i >= 0);
    const at = later.length ? Math.min(...later) : -1;
    md = at >= 0 ? `${md.slice(0, at)}${text}\n\n${md.slice(at)}` : `${md.trimEnd()}\n\n${text}\n`;
  }
  writeFileSync(MD, md);
}

mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
let failed = 0;
for (const name of chosen) {
  const mod = await import(`./suites/${name}.mjs`);
  if (render) {
    const saved = join(ROOT, 'bench', 'out', `${name}.json`);
    if (!existsSync(saved)) {
      console.error(`bench: no ${saved} to render (run the suite first)`);
      failed++;
      continue;
    }
    const { date, ...res } = JSON.parse(readFileSync(saved, 'utf8'));
    // A run saved before runs kept their machine lines: the ones its section shows.
    res.machine ??= writtenMachine(name) ?? undefined;
    rewrite(name, section(name, mod, res, date));
    console.log(`rendered ${name} (run of ${date})`);
    continue;
  }
  const t0 = performance.now();
  console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
  let res;
  try {
    res = await mod.run({ quick, log: (l) => console.log(`   ${l}`) });
  } catch (e) {
    failed++;
    console.error(`bench ${name} failed: ${e && e.stack ? e.stack : e}`);
    continue;
  }
  res.quick = quick;
  const date = sh('date', ['-u', '+%Y-%m-%d %H:%M UTC']);
  res.machine = machine();
  writeFileSync(join(ROOT, 'bench', 'out', `${name}.json`), JSON.stringify({ date, ...res }, null, 1));
  console.log(mod.markdown(res));
  console.log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  rewrite(name, section(name, mod, res, date));
}
process.exit(failed ? 1 : 0);
