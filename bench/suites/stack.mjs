// Stack speed (issue 3): `push -a` then `pop -a` of a series of 100 and 400 real patches
// (one per step of a real history, lib/history.mjs) with patchq, quilt and a shell loop
// of `git apply` (forward, then -R in reverse order), each on its own copy of the same
// tree, interleaved in one run. Every tool's tree is checked: after push it must equal the
// history's last commit, after pop the first. Also startup: `patchq applied` on the
// 400-patch stack vs a bare `node -e 0`.
// Targets (issue 3): patchq <= 1/10 of quilt's time, no slower than the git apply loop;
// startup within 1.5x of node -e 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plant, realSeries, treeDigest } from '../lib/history.mjs';

export const title = 'Stack: push -a / pop -a of a real series';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'cli.cjs');

function env(extra = {}) {
  // Its own cache folder (V8's compiled code, parsed patches), not the user's.
  const e = { ...process.env, LANG: 'C', NO_COLOR: '1', PATCHQ_CONFIG_DIR: join(tmpdir(), 'patchq-bench-config'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-bench-cache'), ...extra };
  for (const k of Object.keys(e)) if (k.startsWith('QUILT')) delete e[k];
  e.QUILTRC = '-'; // hermetic: no ~/.quiltrc or /etc/quilt.quiltrc, for patchq and quilt alike
  return e;
}

// patchq as its users run it: the `patchq` command, i.e. the file itself (its sh launcher
// starts Node without NODE_EXTRA_CA_CERTS, src/main.ts), and once more through `node
// dist/bin/cli.cjs`, which pays what Node's start costs in this environment.
const TOOLS = {
  patchq: { push: [CLI, 'push', '-a', '-q'], pop: [CLI, 'pop', '-a', '-q'] },
  'patchq via node': { push: [process.execPath, CLI, 'push', '-a', '-q'], pop: [process.execPath, CLI, 'pop', '-a', '-q'] },
  // What a push costs the first time its patches are seen (src/stack/parse-cache.ts: the
  // rows above read back what an earlier push parsed, as a series pushed again does).
  'patchq, parse cache off': { push: [CLI, 'push', '-a', '-q'], pop: [CLI, 'pop', '-a', '-q'], env: { PATCHQ_NO_PARSE_CACHE: '1' } },
  quilt: { push: ['quilt', '--quiltrc=-', 'push', '-a', '-q'], pop: ['quilt', '--quiltrc=-', 'pop', '-a', '-q'] },
  'git apply loop': {
    push: ['sh', '-c', 'for p in $(cat patches/series); do git apply "patches/$p" || exit 1; done'],
    pop: ['sh', '-c', 'for p in $(sed -n "1!G;h;\\$p" patches/series); do git apply -R "patches/$p" || exit 1; done'],
  },
};

/** "ext4 on /dev/vda (no journal)": what a medium is, as findmnt and /proc/fs/jbd2 tell. */
function describeFs(dir) {
  const r = spawnSync('findmnt', ['-n', '-T', dir, '-o', 'SOURCE,FSTYPE'], { encoding: 'utf8' });
  const [source, type] = (r.stdout ?? '').trim().split(/\s+/);
  if (!type) return 'unknown file system';
  if (type !== 'ext4') return `${type}${source && source !== type ? ` on ${source}` : ''}`;
  // jbd2 names its journals after the device (vda-8, loop0-8): none listed, no journal.
  const dev = source.replace(/^\/dev\//, '');
  let journal = false;
  try {
    journal = readdirSync('/proc/fs/jbd2').some((j) => j.startsWith(`${dev}-`));
  } catch {}
  return `ext4 on ${source} (${journal ? 'with a journal' : 'no journal'})`;
}

function timed(cmd, cwd, e = env()) {
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env: e, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ms: performance.now() - t0, ok: r.status === 0, err: r.status === 0 ? '' : r.stderr.split('\n').slice(-3).join(' ') };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * `patchq applied` (the command) against `node -e 0`, as the environment has them, and
 * again with NODE_EXTRA_CA_CERTS unset when it is set: Node 20 reads and parses that file
 * before any JavaScript runs, so it inflates `node -e 0` and hides what patchq adds.
 */
function startup(dir, runs) {
  const plain = startupIn(dir, runs, env());
  if (!process.env.NODE_EXTRA_CA_CERTS) return { ...plain, ca: null };
  const clean = env();
  delete clean.NODE_EXTRA_CA_CERTS;
  return { ...plain, ca: process.env.NODE_EXTRA_CA_CERTS, clean: startupIn(dir, runs, clean) };
}

function startupIn(dir, runs, e) {
  const node = [];
  const applied = [];
  for (let i = 0; i < runs; i++) {
    node.push(timed([process.execPath, '-e', '0'], dir, e).ms);
    applied.push(timed([CLI, 'applied'], dir, e).ms);
  }
  return { node: median(node), applied: median(applied), runs };
}

export async function run({ quick = false, log = () => {} } = {}) {
  const sizes = quick ? [100] : [100, 400];
  // Three runs of each series (the median is what counts: the machine is shared, and on a
  // disk without a journal the first tool after a big deletion pays for it; the order
  // turns from run to run), one with --quick. quilt pop -a of 400 patches takes ~30 s.
  const runsFor = () => (quick ? 1 : 3);
  const rows = [];
  let start = null;
  let source = null;
  // The disk run is the real one; the tmpfs run (when /dev/shm exists) shows what is left
  // in memory, so the disk's speed drops out of the comparison. PATCHQ_BENCH_MEDIA adds
  // folders on other file systems ("label=/path,..."), run at the first size like tmpfs.
  const plan = sizes.map((n) => [n, tmpdir(), 'disk']);
  if (existsSync('/dev/shm')) plan.push([sizes[0], '/dev/shm', 'tmpfs']);
  for (const m of (process.env.PATCHQ_BENCH_MEDIA ?? '').split(',').filter(Boolean)) {
    const [label, path] = m.split('=');
    for (const n of sizes) plan.push([n, path, label]);
  }
  const media = {};
  for (const [n, where, medium] of plan) {
    media[medium] ??= describeFs(where);
    const series = realSeries(n, { log });
    source = series.source;
    log(`stack: ${series.patches.length} patches (${series.first}..${series.last}) on ${medium}`);
    const runs = runsFor(n);
    const root = mkdtempSync(join(where, 'patchq-bench-stack-'));
    try {
      const dirs = {};
      for (const t of Object.keys(TOOLS)) {
        dirs[t] = join(root, t.replace(/ /g, '-'));
        plant(series, dirs[t]);
      }
      const res = Object.fromEntries(Object.keys(TOOLS).map((t) => [t, { push: [], pop: [], ok: true, note: '' }]));
      for (let r = 0; r < runs; r++) {
        // The order turns each run, so no tool always follows another's pop -a: on a file
        // system where freeing inodes makes the next creations slower for a while (ext4
        // without a journal skips recently freed inodes), the order alone moves the numbers.
        const names = Object.keys(TOOLS);
        const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
        for (const t of order) {
          const cmd = TOOLS[t];
          const x = timed(cmd.push, dirs[t], env(cmd.env));
          res[t].push.push(x.ms);
          if (!x.ok || treeDigest(dirs[t]) !== series.endDigest) Object.assign(res[t], { ok: false, note: `push: ${x.ok ? 'tree differs from the last commit' : x.err}` });
        }
        if (n === sizes[sizes.length - 1] && medium === 'disk' && r === 0) start = startup(dirs.patchq, quick ? 5 : 31);
        for (const t of order) {
          const cmd = TOOLS[t];
          const x = timed(cmd.pop, dirs[t], env(cmd.env));
          res[t].pop.push(x.ms);
          if (!x.ok || treeDigest(dirs[t]) !== series.baseDigest) Object.assign(res[t], { ok: false, note: `pop: ${x.ok ? 'tree differs from the first commit' : x.err}` });
        }
        log(`stack: ${n} patches on ${medium}, run ${r + 1}/${runs}: ${Object.entries(res).map(([t, v]) => `${t} ${Math.round(v.push[r])}+${Math.round(v.pop[r])} ms`).join(', ')}`);
      }
      for (const [t, v] of Object.entries(res)) rows.push({ patches: series.patches.length, medium, runs, tool: t, push: Math.round(median(v.push)), pop: Math.round(median(v.pop)), ok: v.ok, note: v.note });
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(series.work, { recursive: true, force: true });
    }
  }
  return { name: 'stack', source, rows, startup: start, media };
}

export function markdown(res) {
  const out = [`Series: ${res.source} (one patch per commit, \`git diff\` of each step; binary files left out). Each tool on its own copy of the same tree, interleaved (each run: every tool's push -a, then every tool's pop -a; the order turns from run to run); the median of the runs given per row. Trees checked after every push (= last commit) and pop (= first commit).`, '', ...Object.entries(res.media ?? {}).map(([m, d]) => `- "${m}": ${d}`), '', '| patches | tree on | runs | tool | push -a (ms) | pop -a (ms) | total (ms) | vs quilt | vs git apply loop | trees right |', '|---:|---|---:|---|---:|---:|---:|---:|---:|---|'];
  for (const r of res.rows) {
    const same = (t) => res.rows.find((x) => x.patches === r.patches && x.medium === r.medium && x.tool === t);
    const tot = (x) => x.push + x.pop;
    out.push(`| ${r.patches} | ${r.medium} | ${r.runs ?? 1} | ${r.tool} | ${r.push} | ${r.pop} | ${tot(r)} | ${(tot(r) / tot(same('quilt'))).toFixed(3)} | ${(tot(r) / tot(same('git apply loop'))).toFixed(2)} | ${r.ok ? 'yes' : `NO: ${r.note}`} |`);
  }
  if (res.startup) {
    const s = res.startup;
    const n = res.rows.filter((r) => r.medium === 'disk').pop().patches;
    const ratio = (x) => `median ${Math.round(x.applied)} ms vs \`node -e 0\` ${Math.round(x.node)} ms = **${(x.applied / x.node).toFixed(2)}x**`;
    out.push('', `Startup: \`patchq applied\` on the ${n}-patch stack (all applied), the command against a bare \`node -e 0\` (target ≤ 1.5x; ${s.runs} runs each, interleaved):`);
    if (s.clean) {
      out.push(`- With NODE_EXTRA_CA_CERTS unset: ${ratio(s.clean)}. This is the measure of what patchq adds to Node's start.`);
      out.push(`- As this machine's environment has it (NODE_EXTRA_CA_CERTS=${s.ca}, which Node 20 parses before any JavaScript runs, and which patchq's launcher skips): ${ratio(s)}.`);
    } else out.push(`- ${ratio(s)}.`);
  }
  out.push("", "### Targets and what the rows are", "", "- Targets (issue 3): patchq's total ≤ 0.1 of quilt's and ≤ 1.0 of the git apply loop's; `patchq applied` starts within 1.5x of `node -e 0`.", "- \"disk\" is the system temp dir (on this VM, ext4 without a journal); \"tmpfs\" is /dev/shm (memory, no disk at all); \"ext4-journal\", when given, is ext4 as `mkfs.ext4` makes it (with a journal, as on most Linux machines), on a loop device on the same disk. None of the tools fsyncs here (patchq only with PATCHQ_FSYNC=1).", "- \"patchq\" is the `patchq` command as users run it (dist/bin/cli.cjs run as a program: its sh launcher starts Node without NODE_EXTRA_CA_CERTS, src/main.ts); \"patchq via node\" is `node dist/bin/cli.cjs`, which pays what this environment costs every Node start when that variable names a CA bundle (Node 20 parses it before any JavaScript runs: see the startup line).", "", "**How patchq does it, and what it pays that the loop does not.** patchq works a whole `push -a`/`pop -a` out in memory and writes it as one transaction: each tree file once, each `.pc` backup once, restores as hard links. It pays one Node start per command (the loop's process per patch overtakes it as the series grows) and quilt's `.pc` format: per patch a folder chain, a copy of every file it touches and a `.timestamp`, plus patchq's record. A 99-patch push -a makes 1052 new files and folders (689 files, 363 folders; without the pool below) and pop -a makes none (restores are links and renames); the loop makes 469 files each way (strace, 2026-11-29).", "", "**Why the \"disk\" rows swing.** On ext4 without a journal every new file or folder costs a scan past the inodes freed in its block group in the last minutes (kernel `recently_deleted`: `perf` of a push after a few cycles puts 42% of all samples in it and its callees). After four push/pop cycles of both tools in one temp dir, strace timed patchq's creations at 0.79 to 1.0 ms each and the loop's at 0.17 to 0.21 ms; on a disk idle for minutes a creation takes ~0.02 ms. The loop escapes most of that scan: git apply removes a file and writes its new version within the same second, and the kernel takes back at once an inode freed in the current second (ext4 tracepoints over four cycles: 3774 of the loop's 3808 new inodes were ones it had just freed, against 27 of patchq's 4243), while patchq's pop frees its files in one command and the next push makes new ones in another. So the \"disk\" rows swing with what ran on the disk in the minutes before (the loop's own row too: 507 to 859 ms for the same 99 patches in one evening).", "- Since 064f815 (2026-11-29), on ext2/3/4 mounted without a journal patchq keeps the inodes a transaction would free in a pool, `.pc/.patchq/spare` (src/stack/spares.ts), and the next transaction stages its files in them and makes its folders from them: a push -a after a pop -a makes 2 new inodes instead of 1052 (strace), and a 99-patch push -a + pop -a on the disk went from 888 to 340 ms (A/B, medians of 9 interleaved cycles). The first push in a tree has no pool yet and pays as before (396 patches on the disk, 2026-11-29 23:35: the first push -a 2685 ms, the next two 675 and 677).", "- With a journal and on tmpfs the pool is off: there keeping and reusing cost 3-4% more than freeing and making.", "- Tried and not kept before the pool: pop leaving the folders it removes for the next command to free one at a time right before each file it makes (1.33 of the loop became 1.07 on the disk, but tmpfs went from 0.91 to 0.95).", "", "**The 99-patch rows on tmpfs and on ext4 with a journal, before the parse cache: at the loop's time, not under it.** Runs gave 1.00, 1.06 and 1.11 of the loop on ext4 with a journal and 0.86 to 0.98 on tmpfs (2026-11-29/30), then 1.05 and 0.90 (2026-11-30 03:44, on 03d9413), then 1.11 and 0.92 (06:18, on 814e65b). An A/A run of one build against itself differs by 5%; an A/B right after the 06:18 run, 20 interleaved cycles on the same ext4, gave 1.03 for fb6f31c and 1.02 for 814e65b. There push -a is the weak half (about 1.35x the loop's push; pop -a is about 0.7x the loop's pop).", "- Profile of that push -a (ext4 with a journal, 99 patches, mean of 6, 2026-11-30): of ~285 ms, the transaction ~90 (its file-system calls ~55), parsing the patches ~42, the engine ~30, hashing ~18, module load ~24, GC ~35.", "- Floors: a push -a hashes 566 texts, 10.6 MB, each needed (the index lines' pre- and post-image ids, reused by the record): 18 to 36 ms at node:crypto's rate here. Its transaction (828 ops, ~70 ms) is at its file-system floor: per op on this ext4, create+write 29 µs, rename 19, mkdir 25, link 15.", "- Tried and not kept: staging files from a worker thread while the main thread works the patches out (staging 43 -> 11 ms on the main thread, the push no faster: the two cores are already busy with V8's own threads); hunk lines as slices of the patch text (no change); V8 flags (only a 16 MB young generation helped, ~10 ms of compute, but it costs every start ~3 ms; an 8, 16 or 32 MB young generation for push and pop only, given by the sh launcher so that other commands start as before: 1.10 of the loop for each, against 1.04 without; once more on 2026-11-30, 16 interleaved cycles on ext4 with a journal: 1.08 with 8 MB and 1.11 with 16 MB against 1.03 without, pop -a ~17 ms slower); a V8 startup snapshot (`node --snapshot-blob`): an empty one starts 5 to 7 ms slower than plain Node here (28-29 against 22-23 ms, 2026-11-30), against ~21 ms of module load in a push, so not tried further.", "- Done since 64275b0 (2026-11-30): a transaction writes its new `.pc` files (a pushed patch's backups, `.timestamp`, record) at their place before its commit point, listed in `tx/fresh.json`, instead of staging and renaming each (src/stack/transaction.ts). A 99-patch push -a: 810 renames -> 230 (strace); A/B of the commit before it against it, 16 interleaved cycles on ext4 with a journal: push -a 464 -> 441 ms, push + pop 719 -> 697 ms (-3%). Estimated and not done: one record file per run (~5 ms).", "", "**2026-11-30: a slower and noisier machine.** The run above (13:58, on 5177e5a) was on a machine where `node -e 0` takes 31-36 ms (27 ms in the runs before) and every tool is slower (the git apply loop's 99-patch push -a + pop -a on ext4 with a journal: 519 ms, 362 before). Its rows swing from run to run: a run at 13:10 (on 2813cda's parent) gave 0.97 / 0.93 / 1.15 of the loop for 99 patches on disk / tmpfs / ext4 with a journal, this one 0.74 / 1.17 / 1.09; the 396-patch rows 0.78 to 1.00. Start-up: `patchq applied` 60 ms against 36 (1.68x) at 13:10 and 60 against 31 (1.93x) here, against the 1.5x target (37 against 27, 1.38x, before); interleaved runs by hand right after this one gave 51 against 31 ms (1.63x), the same on the 396- and the 99-patch stack. ~4 ms of the 13:10 figure was node:tty, which every command loaded at start since 2e987cc and no longer does (2813cda).", "", "**2026-11-30 afternoon: start-up, on 21e0051 (the 15:56 run).** `patchq applied` loaded 8 files of the bundle; it now loads 4 (8b7a286, 127cb33, 0fcc4a4, 0621cd6): what every command runs is one chunk (rolldown had put engine/errors, the command registry and quilt-env in chunks of their own), the listing commands no longer load the patch-file reader (only `series -v`/`--json` read patch files), the entry no longer copies Node's modules into interop objects (`__toESM` of default imports), the compile cache finds its folder without a URL round trip, a plain series line skips the full parse (396 lines: ~3.6 -> ~0.5 ms under the profiler), and QUILT_PATCHES_PREFIX's prefix is worked out once per listing. Interleaved by hand in this bench's environment (101 runs each, the 396-patch stack, 2026-11-30 15:45): `node -e 0` 35.2 ms, 7cb537b 56.1 ms (1.59x), the final code 47.3 ms (1.34x). That run's 31 measured 47 against 31 ms (1.51x); an earlier run the same afternoon on fb72f80, 52 against 34 ms (1.54x). The rest, by a profile of 30 starts: Node resolving and reading the entry before any of patchq runs (~2 ms more than `node -e 0`), V8 reading back the compiled chunks (~3 ms), the command (~4 ms for 396 names). Tried and not kept: loading the chunks without Node's module resolution (no change measured, 48.1 against 48.0 ms).", "", "**2026-11-30 evening: the run above (18:25, on eb142c0).** 99 patches on ext4 with a journal: 1.13 of the loop (push -a 432 against the loop's 298 ms, pop -a 205 against 266); tmpfs 1.01, the disk 0.72; 396 patches 0.79 to 0.92. The stack's code is as it was at 21e0051 (this stop changed the fuzzy step, the TUI's editor line and tests): an A/B of c9ccedc against eb142c0 right after, 12 interleaved cycles of the 99-patch series on tmpfs, twice with the order turned, gave 540 and 566 ms against 555 and 566, and the loop 543 and 562: no change, and the rows swing with the machine as before. Start-up 42 against 34 ms (1.24x).", "", "**2026-11-30 night: the parse cache (05910c1), and the run above (19:40, on 1bf3cdc).** In a cold process parsing the patches was ~60 ms of a 99-patch push -a (2.4 MB of patches: 26,629 lines, 495 file sections, 1038 hunks; the JIT has not warmed up, and the same parse warm takes 15 ms), while reading a parse back as JSON is ~20 ms (the patch's SHA-256 3 ms, the read 7, JSON.parse 13). So `push` keeps each patch's parse in the user's cache folder, named by the SHA-256 of the parser's identity (a hash of the built engine and parse-diff), the -p level and the patch's bytes, and reads it back when the same bytes are pushed again, as a series is between edits (docs/settings.md, the parse cache). The row \"patchq, parse cache off\" (PATCHQ_NO_PARSE_CACHE=1) is what a push costs the first time its patches are seen, after an edit or a refresh of each. A/B before this run, 10 interleaved cycles of the 99-patch series on ext4 with a journal: push -a 317 -> 262 ms, push + pop 491 -> 428 ms against the loop's 439 (0.98; 1.12 before). Two full runs of this suite: at 19:31, 99 patches 0.62 / 0.89 / 0.90 of the loop on disk / tmpfs / ext4 with a journal, 396 patches 0.47 and 0.75, start-up 1.26x (cache off: 0.70 / 1.03 / 1.07, 0.63 and 0.80); at 19:40 (the rows above, on a slower moment of the machine: `node -e 0` 39 ms against 32), 0.96 / 0.91 / 0.97, 0.99 and 0.76, start-up 1.40x (cache off: 1.06 / 1.06 / 1.20, 0.94 and 0.73). So every row of patchq as shipped is at or under the loop's time in both runs, and a push of patches never pushed before is at about the loop's time for 99 patches and under it for 396.");
  const extra = Object.keys(res.media ?? {}).filter((m) => m !== 'disk' && m !== 'tmpfs');
  if (extra.length) out.push('', `The ${extra.map((m) => `"${m}"`).join(', ')} rows came from \`PATCHQ_BENCH_MEDIA=label=/path\` (here ext4 made by \`mkfs.ext4\` on a 2 GiB file, mounted with \`mount -o loop\`).`);
  return out.join('\n');
}
