// TUI first frame: spawn the BUILT binary (`patchq tui`: dist/bin/cli.cjs) in a real terminal
// (tmux, 100x30) on a series of N patches and time from spawn until the screen shows the
// series and the key footer. Target: under 300 ms on a 400-patch series. Polls
// capture-pane every 5 ms, so numbers are within ~5 ms plus tmux's own latency.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const title = 'TUI first frame';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'cli.cjs');
const body = Array.from({ length: 10 }, (_, i) => `l${i + 1}\n`).join('');

function makeSeries(n) {
  const root = mkdtempSync(join(tmpdir(), 'patchq-bench-tui-'));
  mkdirSync(join(root, 'patches'));
  const names = [];
  for (let i = 1; i <= n; i++) {
    const name = `${String(i).padStart(4, '0')}-change.patch`;
    writeFileSync(join(root, `f${i}.txt`), body);
    writeFileSync(join(root, 'patches', name), `Subject: change ${i}\n\n--- a/f${i}.txt\n+++ b/f${i}.txt\n@@ -4,3 +4,3 @@\n l4\n-l5\n+L5\n l6\n`);
    names.push(name);
  }
  writeFileSync(join(root, 'patches', 'series'), names.join('\n') + '\n');
  return root;
}

const tmux = (...a) => spawnSync('tmux', a, { encoding: 'utf8' });

async function once(root, n, k) {
  const s = `patchq-bench-${process.pid}-${n}-${k}`;
  const t0 = performance.now();
  const started = tmux('new-session', '-d', '-s', s, '-x', '100', '-y', '30', '-c', root, `env NO_COLOR=1 QUILTRC=- ${CLI} tui; sleep 5`);
  if (started.status !== 0) throw new Error(`tmux new-session: ${started.stderr}`);
  try {
    for (;;) {
      const screen = tmux('capture-pane', '-p', '-t', s).stdout;
      if (screen.includes(`${n} patches`) && screen.includes('q quit')) return performance.now() - t0;
      if (performance.now() - t0 > 10_000) throw new Error(`no first frame for ${n} patches:\n${screen}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    tmux('kill-session', '-t', s);
  }
}

export async function run({ quick = false } = {}) {
  const sizes = quick ? [400] : [10, 400, 1000];
  const runs = quick ? 5 : 15;
  const rows = [];
  // Killing the last session stops the tmux server, and a new-session racing that shutdown
  // gets an empty pane: a keeper session holds the server up for the whole run.
  const keeper = `patchq-bench-keeper-${process.pid}`;
  tmux('new-session', '-d', '-s', keeper, 'sleep 600');
  try {
    await measure(sizes, runs, rows);
  } finally {
    tmux('kill-session', '-t', keeper);
  }
  return { name: 'tui-first-frame', rows };
}

async function measure(sizes, runs, rows) {
  for (const n of sizes) {
    const root = makeSeries(n);
    try {
      await once(root, n, -1); // warm the file cache
      const ms = [];
      for (let k = 0; k < runs; k++) ms.push(await once(root, n, k));
      ms.sort((a, b) => a - b);
      rows.push({ patches: n, runs, min: Math.round(ms[0]), median: Math.round(ms[ms.length >> 1]), max: Math.round(ms[ms.length - 1]), target: n === 400 ? 300 : null });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

export function markdown(res) {
  const lines = ['TUI first frame (built binary in tmux 100x30, spawn until series and footer show):', '', '| patches | runs | min ms | median ms | max ms |', '|---:|---:|---:|---:|---:|'];
  for (const r of res.rows) lines.push(`| ${r.patches} | ${r.runs} | ${r.min} | ${r.median} | ${r.max} |`);
  return lines.join('\n');
}
