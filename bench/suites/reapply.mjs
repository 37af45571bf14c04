// Reapply across real upstream drift (issue 4). Each case is a fork: a base a, one fork
// patch per file (F, made on a), upstream's move a -> a + U in a real git repository, and
// the right answer per patch: its file = a + U + F, where U and F are disjoint real changes.
// Three groups of cases:
//   blocks   npm versions (a, c) and a seed: up to 6 changed files; each file's change
//            blocks of diff -U0 (a, c) split at random into U and F, with at least one
//            unchanged line between a U block and an F block;
//   lines    the same pairs, its own random choices: as blocks, but an n -> n line
//            replacement block (n >= 2) is cut into n one-line replacements and an n-line
//            deletion into n one-line deletions, so a U line can touch an F line;
//   history  real commits of pallets/flask (lib/history-forks.mjs): F = a commit's change
//            carried back DRIFT commits, U = the real commits in between, truth = the
//            file at the commit. Needs the mirror lib/history.mjs uses; skipped without it.
// Two variants of every case, i.e. of the same fork patches:
//   git-style    the patch is a git format-patch mail with `index` lines, so git's 3-way
//                (and patchq's) has the pre-image blob;
//   quilt-style  the patch is what a quilt user's series holds: made by the real
//                `quilt refresh` (Index:/=== header, timestamps, no `index` lines), with a
//                description and the `Patchq-Base: <sha of upstream a>` trailer that patchq's
//                own refresh writes (src/stack/ops/refresh.ts withBase). Every tool gets that
//                identical text; only patchq reads the Patchq-Base line. git am gets it as the
//                body of a mail (From/Date/Subject headers put in front).
// Tools, each on its own copy of the same repository:
//   patchq reapply           (a stop = that patch failed: --abort, drop it, run again)
//   quilt push -a            (GNU patch fuzz 2; a failing patch is dropped, push goes on)
//   wiggle --merge --replace (per patch, in series order)
//   git am -3                (per patch; a stop = failed, git am --abort)
//   git apply --3way         (per patch)
// Scored per patch: correct, wrong (reported success, file differs), failed. For patchq,
// every patch it refreshed is then checked with `patch -p1 -F0 --dry-run` on the new
// upstream: it must apply with no fuzz and no offset.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffHunks, makeFileDiff, splitLines } from '../../dist/engine/index.js';
import { withBase } from '../../dist/stack/index.js';
import { PAIRS, fetchPackage, readPackage, rng } from '../lib/corpus.mjs';
import { DRIFT, applyUnits as applyGroup, historyCases, nearest, span } from '../lib/history-forks.mjs';
import { MIRROR, PINNED } from '../lib/history.mjs';

export const title = 'Reapply across real upstream drift';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'cli.cjs');
const TIMEOUT_MS = 120_000;

function env() {
  const e = { ...process.env, LANG: 'C', NO_COLOR: '1', PATCHQ_CONFIG_DIR: join(tmpdir(), 'patchq-bench-config'), GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' };
  for (const k of Object.keys(e)) if (k.startsWith('QUILT')) delete e[k];
  e.QUILTRC = '-'; // hermetic: no ~/.quiltrc or /etc/quilt.quiltrc, for patchq and quilt alike
  return e;
}
const sh = (cwd, cmd, args) => {
  const r = spawnSync(cmd, args, { cwd, env: env(), encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 1 << 28 });
  return { code: r.error ? -1 : r.status, out: r.stdout ?? '', err: r.stderr ?? '', timeout: r.error?.code === 'ETIMEDOUT' };
};
const git = (cwd, ...args) => {
  const r = sh(cwd, 'git', args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.err}`);
  return r.out;
};

/**
 * The units a file's change is split into. diff(a, c) with no context gives change blocks,
 * each a run of changed lines between unchanged ones.
 *   blocks  every block is one unit (so an upstream unit and a fork unit always have at
 *           least one unchanged line between them);
 *   lines   as blocks, except that a block replacing n lines by n lines (n >= 2) gives n
 *           units, old line i -> new line i, and a block deleting n >= 2 lines gives n
 *           one-line deletions: an upstream line can sit right beside a fork line.
 * Units never overlap and no two insert at the same place, so a + U + F is well defined
 * for any split (it is c when every unit is taken).
 */
export function units(a, c, group = 'blocks') {
  const all = diffHunks(a, c, 0);
  if (group === 'blocks') return { units: all, fine: false };
  const out = [];
  let fine = false;
  for (const h of all) {
    const del = h.lines.filter((l) => l.op === '-');
    const add = h.lines.filter((l) => l.op === '+');
    if (del.length >= 2 && (add.length === del.length || add.length === 0)) {
      fine = true;
      const s = span(h)[0];
      del.forEach((d, i) => out.push({ oldStart: s + i + 1, oldCount: 1, lines: add.length ? [d, add[i]] : [d] }));
    } else out.push(h);
  }
  return { units: out, fine };
}

/** Split one file's units into upstream and fork groups (blocks: gap of >= 1 line between groups). */
function split(a, c, r, group) {
  const { units: all, fine } = units(a, c, group);
  if (all.length < 2 || all.length > 400) return null;
  if (group === 'lines' && !fine) return null; // nothing finer than the blocks group here
  for (let attempt = 0; attempt < 8; attempt++) {
    const inF = all.map(() => r() < 0.5);
    if (!inF.some(Boolean) || inF.every(Boolean)) continue;
    let ok = true;
    if (group === 'blocks') for (let i = 1; i < all.length; i++) if (inF[i] !== inF[i - 1] && span(all[i])[0] - span(all[i - 1])[1] < 1) ok = false;
    if (!ok) continue;
    const aL = splitLines(a);
    const U = all.filter((_, i) => !inF[i]);
    const F = all.filter((_, i) => inF[i]);
    return { upstream: applyGroup(aL, U), fork: applyGroup(aL, F), truth: applyGroup(aL, all), near: nearest(U, F) };
  }
  return null;
}

export const GROUPS = ['blocks', 'lines', 'history'];

export function makeCase([name, va, vc], seed, group = 'blocks') {
  const A = readPackage(fetchPackage(`${name}@${va}`));
  const C = readPackage(fetchPackage(`${name}@${vc}`));
  const r = rng(seed * 31337 + name.length + (group === 'lines' ? 7777 : 0));
  const eligible = Object.keys(A).filter((f) => f in C && A[f] !== C[f]);
  const files = [];
  for (const f of eligible.map((f) => [r(), f]).sort((x, y) => x[0] - y[0]).map((x) => x[1])) {
    if (files.length >= 6) break;
    const s = split(A[f], C[f], r, group);
    if (s) files.push({ path: f, a: A[f], ...s });
  }
  return files.length ? { id: `${name} ${va}->${vc} #${seed}${group === 'blocks' ? '' : ` ${group}`}`, group, files } : null;
}

export const VARIANTS = ['git-style', 'quilt-style'];
const MAIL_HEAD = (f) => `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Fork <fork@example.com>\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nSubject: [PATCH] fork change to ${f.path}\n\n`;
const quilt = (dir, ...args) => {
  const r = sh(dir, 'quilt', ['--quiltrc=-', ...args]);
  if (r.code !== 0) throw new Error(`quilt ${args.join(' ')}: ${(r.err || r.out).trim()}`);
  return r.out;
};

/** The fork repository: commit a, the series (git-style or quilt-style), then upstream's commit a + U. */
export function buildRepo(kase, dir, variant = 'git-style') {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  const put = (p, text) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text, 'latin1');
  };
  for (const f of kase.files) put(f.path, f.a);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'upstream a');
  const a = git(dir, 'rev-parse', 'HEAD').trim();
  const names = kase.files.map((f, i) => (f.patch = `${String(i + 1).padStart(4, '0')}-${f.path.replace(/[^A-Za-z0-9]+/g, '-')}.patch`));
  if (variant === 'git-style') {
    for (const f of kase.files) {
      const diff = makeFileDiff(f.a, f.fork, { oldPath: f.path, newPath: f.path, style: 'git', context: 3 });
      put(`patches/${f.patch}`, `${MAIL_HEAD(f)}---\n${diff}-- \n2.39.5\n\n`);
    }
    put('patches/series', names.map((n) => n + '\n').join(''));
  } else {
    // The real quilt makes the series: new, add, edit, refresh; then pop -a back to a.
    for (const f of kase.files) {
      quilt(dir, 'new', f.patch);
      quilt(dir, 'add', f.path);
      put(f.path, f.fork);
      quilt(dir, 'refresh');
    }
    quilt(dir, 'pop', '-a', '-q');
    for (const f of kase.files) {
      if (readFileSync(join(dir, f.path), 'latin1') !== f.a) throw new Error(`${kase.id}: quilt pop -a did not restore ${f.path}`);
      const diff = readFileSync(join(dir, 'patches', f.patch), 'latin1');
      if (!diff.startsWith('Index: ') || /^index [0-9a-f]/m.test(diff)) throw new Error(`${kase.id}: quilt refresh wrote an unexpected patch for ${f.path}`);
      put(`patches/${f.patch}`, withBase(`Fork change to ${f.path}.\n\n`, a) + diff);
    }
    rmSync(join(dir, '.pc'), { recursive: true, force: true });
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'fork series');
  for (const f of kase.files) put(f.path, f.upstream);
  git(dir, 'commit', '-qam', 'upstream a+U');
}

const readOr = (p) => {
  try {
    return readFileSync(p, 'latin1');
  } catch {
    return null;
  }
};
const removeFromSeries = (dir, name) => {
  const p = join(dir, 'patches', 'series');
  writeFileSync(p, readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== name).join('\n'));
};

/** Per tool: Map patch name -> 'ok' | 'failed'; plus notes. */
const TOOLS = {
  patchq(dir, kase, extra) {
    const res = new Map();
    const refreshed = new Set();
    for (let round = 0; round <= kase.files.length; round++) {
      const t0 = performance.now();
      const r = sh(dir, CLI, ['reapply', '--json']);
      extra.reapplyMs += performance.now() - t0;
      if (r.timeout) {
        extra.notes.push(`${kase.id}: patchq reapply gave no answer in ${TIMEOUT_MS / 1000} s`);
        for (const f of kase.files) if (!res.has(f.patch)) res.set(f.patch, 'failed');
        return res;
      }
      let rep;
      try {
        rep = JSON.parse(r.out);
        if (!Array.isArray(rep.patches)) throw new Error('no report');
      } catch {
        extra.notes.push(`${kase.id}: patchq reapply: ${(r.err.trim() || r.out.trim()).split('\n')[0].slice(0, 300)}`);
        for (const f of kase.files) if (!res.has(f.patch)) res.set(f.patch, 'failed');
        return res;
      }
      for (const p of rep.patches) {
        if (p.outcome === 'exact' || p.outcome === 'refreshed') res.set(p.name, 'ok');
        if (p.outcome === 'refreshed') refreshed.add(p.name);
      }
      if (!rep.stoppedAt) break;
      res.set(rep.stoppedAt, 'failed');
      const stop = rep.patches.find((p) => p.name === rep.stoppedAt);
      const why = (stop?.report?.files ?? []).flatMap((f) => f.hunks.filter((h) => h.status === 'failed').map((h) => `hunk ${h.hunk} ${h.reason}`));
      extra.stops.push(`${kase.id} ${kase.files.find((f) => f.patch === rep.stoppedAt)?.path ?? rep.stoppedAt} (${stop?.outcome ?? '?'}${why.length ? `: ${why.join(', ')}` : ''})`);
      sh(dir, CLI, ['reapply', '--abort']);
      removeFromSeries(dir, rep.stoppedAt);
    }
    // Every refreshed patch must apply exactly (no fuzz, no offset) on the new upstream.
    sh(dir, CLI, ['pop', '-a', '-q']);
    extra.refreshed += refreshed.size;
    for (const name of refreshed) {
      const r = sh(dir, 'patch', ['-p1', '-F0', '--dry-run', '-i', join('patches', name)]);
      if (r.code === 0 && !/offset|fuzz/.test(r.out)) extra.exactAfterRefresh++;
      else extra.notes.push(`${kase.id}: refreshed ${name} does not apply exactly: ${r.out.trim().split('\n').slice(-1)[0]}`);
    }
    sh(dir, CLI, ['push', '-a', '-q']);
    return res;
  },
  'quilt push -a (fuzz 2)'(dir, kase) {
    const res = new Map();
    for (let round = 0; round <= kase.files.length; round++) {
      const r = sh(dir, 'quilt', ['--quiltrc=-', 'push', '-a', '-q']);
      const applied = sh(dir, 'quilt', ['--quiltrc=-', 'applied']).out.split('\n').map((l) => l.trim().replace(/^patches\//, '')).filter(Boolean);
      for (const a of applied) if (!res.has(a)) res.set(a, 'ok');
      if (r.code === 0 || r.code === 2) break;
      const failing = kase.files.map((f) => f.patch).find((n) => !res.has(n));
      if (!failing) break;
      res.set(failing, 'failed');
      removeFromSeries(dir, failing);
    }
    return res;
  },
  wiggle(dir, kase) {
    const res = new Map();
    for (const f of kase.files) {
      const r = sh(dir, 'wiggle', ['--merge', '--replace', f.path, join('patches', f.patch)]);
      res.set(f.patch, r.code === 0 ? 'ok' : 'failed');
    }
    return res;
  },
  'git am -3'(dir, kase, extra, variant) {
    const res = new Map();
    for (const f of kase.files) {
      let mail = join('patches', f.patch);
      if (variant === 'quilt-style') {
        mail = join(dir, '..', 'mail.eml');
        writeFileSync(mail, MAIL_HEAD(f) + readFileSync(join(dir, 'patches', f.patch), 'latin1'), 'latin1');
      }
      const r = sh(dir, 'git', ['am', '-3', '-q', mail]);
      res.set(f.patch, r.code === 0 ? 'ok' : 'failed');
      if (r.code !== 0) sh(dir, 'git', ['am', '--abort']);
    }
    return res;
  },
  'git apply --3way'(dir, kase) {
    const res = new Map();
    for (const f of kase.files) {
      const r = sh(dir, 'git', ['apply', '--3way', join('patches', f.patch)]);
      res.set(f.patch, r.code === 0 ? 'ok' : 'failed');
    }
    return res;
  },
};

const GROUP_TEXT = {
  blocks: 'whole change blocks',
  lines: 'line-level',
  history: 'flask history',
};
// The 400 most recent first-parent commits (historyCases scan) hold 25 qualifying ones.
const HISTORY_CASES = 25;

export async function run({ quick = false, log = () => {} } = {}) {
  const seeds = quick ? [1] : [1, 2];
  const pairs = quick ? PAIRS.slice(0, 2) : PAIRS;
  const blank = () => Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(Object.keys(TOOLS).map((t) => [t, { correct: 0, wrong: 0, failed: 0, ms: 0 }]))]));
  const rows = Object.fromEntries(GROUPS.map((g) => [g, blank()]));
  const extras = Object.fromEntries(GROUPS.map((g) => [g, Object.fromEntries(VARIANTS.map((v) => [v, { refreshed: 0, exactAfterRefresh: 0, notes: [], reapplyMs: 0, stops: [] }]))]));
  const wrongs = [];
  const outcomes = [];
  const counts = Object.fromEntries(GROUPS.map((g) => [g, { cases: 0, patches: 0, touching: 0, within3: 0 }]));
  const root = mkdtempSync(join(tmpdir(), 'patchq-bench-reapply-'));
  try {
    for (const group of GROUPS) {
      const kases = group === 'history' ? historyCases(quick ? 4 : HISTORY_CASES) : pairs.flatMap((pair) => seeds.map((seed) => makeCase(pair, seed, group)));
      for (const kase of kases.filter(Boolean)) {
        const n = counts[group];
        n.cases++;
        n.patches += kase.files.length;
        n.touching += kase.files.filter((f) => f.near === 0).length;
        n.within3 += kase.files.filter((f) => f.near <= 3).length;
        for (const variant of VARIANTS) {
          const extra = extras[group][variant];
          const base = join(root, 'base');
          rmSync(base, { recursive: true, force: true });
          buildRepo(kase, base, variant);
          const per = Object.fromEntries(kase.files.map((f) => [f.path, {}]));
          for (const [tool, fn] of Object.entries(TOOLS)) {
            const dir = join(root, 'tool');
            rmSync(dir, { recursive: true, force: true });
            cpSync(base, dir, { recursive: true });
            sh(dir, 'git', ['update-index', '-q', '--refresh']); // a copied tree's stat data differs from the index
            const t0 = performance.now();
            const before = extra.reapplyMs;
            const res = fn(dir, kase, extra, variant);
            const row = rows[group][variant][tool];
            // patchq: only its `reapply` runs count, not the exactness check done after them.
            row.ms += tool === 'patchq' ? extra.reapplyMs - before : performance.now() - t0;
            for (const f of kase.files) {
              const said = res.get(f.patch) ?? 'failed';
              let got;
              if (said !== 'ok') got = 'failed';
              else if (readOr(join(dir, f.path)) === f.truth) got = 'correct';
              else {
                got = 'wrong';
                wrongs.push(`${tool} (${variant}): ${kase.id} ${f.path}`);
              }
              row[got]++;
              per[f.path][tool] = got;
            }
          }
          for (const f of kase.files) outcomes.push({ group, variant, case: kase.id, path: f.path, near: f.near, ...per[f.path] });
          log(`reapply ${group} ${variant}: ${kase.id}: ${kase.files.length} patches; ${Object.entries(rows[group][variant]).map(([t, r]) => `${t} ${r.correct}/${r.wrong}/${r.failed}`).join(', ')}`);
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const total = Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(Object.keys(TOOLS).map((t) => {
    const sum = { correct: 0, wrong: 0, failed: 0, ms: 0 };
    for (const g of GROUPS) for (const k of Object.keys(sum)) sum[k] += rows[g][v][t][k];
    return [t, sum];
  }))]));
  const flat = (group, table) => VARIANTS.flatMap((variant) => Object.entries(table[variant]).map(([tool, r]) => ({ group, variant, tool, ...r, ms: Math.round(r.ms) })));
  return {
    name: 'reapply',
    groups: Object.fromEntries(GROUPS.map((g) => [g, {
      ...counts[g],
      variants: Object.fromEntries(VARIANTS.map((v) => [v, { refreshed: extras[g][v].refreshed, exactAfterRefresh: extras[g][v].exactAfterRefresh, stops: extras[g][v].stops }])),
    }])),
    cases: GROUPS.reduce((s, g) => s + counts[g].cases, 0),
    patches: GROUPS.reduce((s, g) => s + counts[g].patches, 0),
    rows: [...GROUPS.flatMap((g) => flat(g, rows[g])), ...flat('total', total)],
    notes: GROUPS.flatMap((g) => VARIANTS.flatMap((v) => extras[g][v].notes.map((n) => `(${g}, ${v}) ${n}`))),
    wrongs,
    outcomes,
  };
}

/** Per group (and the total) and variant: does patchq have strictly more correct than every other tool, and zero wrong? */
export function verdicts(res) {
  return ['total', ...GROUPS.filter((g) => res.groups[g].patches)].flatMap((group) => VARIANTS.map((variant) => {
    const rs = res.rows.filter((r) => r.group === group && r.variant === variant);
    const pq = rs.find((r) => r.tool === 'patchq');
    const others = rs.filter((r) => r.tool !== 'patchq');
    const tied = others.filter((r) => r.correct === pq.correct).map((r) => r.tool);
    const ahead = others.filter((r) => r.correct > pq.correct).map((r) => r.tool);
    const text = ahead.length
      ? `patchq LOSES to ${ahead.join(', ')}`
      : tied.length
        ? `patchq TIES with ${tied.join(', ')} (not more patches back correct than each of them)`
        : 'patchq has more patches back correct than each of the others';
    return `${group === 'total' ? 'all groups' : GROUP_TEXT[group]}, ${variant}: ${text}; patchq wrong: ${pq.wrong}.`;
  }));
}

export function markdown(res) {
  const g = res.groups;
  const npmCases = g.blocks.cases + g.lines.cases;
  const npmPatches = g.blocks.patches + g.lines.patches;
  const out = [
    `${res.cases} forks, ${res.patches} fork patches in all (one per changed file, made on the fork's base a), in three groups. Upstream moves a → a + U in a real git repository; the right answer for each patch is its file = a + U + F, where U and F are disjoint real changes (they never change the same line, so a + U + F is well defined). Every tool on its own copy of the same repository.`,
    '',
    `From npm versions (${npmCases} forks, ${npmPatches} patches): for a pair of versions (a, c) and a seed, up to 6 changed files are picked; each file's change diff(a, c) is cut into units and the units are split at random into an upstream part U and a fork part F. Two groups, by how fine the units are:`,
    `- **${GROUP_TEXT.blocks}** (${g.blocks.cases} forks, ${g.blocks.patches} patches): a unit is a change block of diff -U0 (a run of changed lines), so an upstream change and a fork change always have at least one unchanged line between them. Upstream still edits inside a fork hunk's context often: in ${g.blocks.within3} of the ${g.blocks.patches} files an upstream change is at most 3 lines from a fork change. A 3-way merge that has the pre-image merges every such case cleanly.`,
    `- **${GROUP_TEXT.lines}** (${g.lines.cases} forks, ${g.lines.patches} patches; the same version pairs, its own random choices, only files with a block to cut): as above, but a block that replaces n lines by n lines (n ≥ 2) is cut into n one-line replacements (old line i → new line i) and a block that deletes n ≥ 2 lines into n one-line deletions, so upstream can change the very line next to a fork line. In ${g.lines.touching} of the ${g.lines.patches} files an upstream change touches a fork change (no line between), in ${g.lines.within3} it is at most 3 lines away. git merge-file (and diff3) calls touching changes a conflict.`,
    g.history.patches
      ? `- **${GROUP_TEXT.history}** (${g.history.cases} forks, ${g.history.patches} patches): real commits of pallets/flask, the first ${g.history.cases} non-merge commits k on the first-parent line going back from ${PINNED.slice(0, 12)} that have a qualifying file. The fork's base a is ${DRIFT} first-parent commits before k's parent p; U = diff(a, p) is the real upstream drift of those commits, F = diff(p, k) is the commit's real change carried back onto a, and the right answer is the file at k. A file qualifies when it drifted (U not empty) and every change block of F sits on lines U left alone (so it carries back; a + U + F is checked to be the file at k). In ${g.history.touching} of the ${g.history.patches} files an upstream change touches a fork change, in ${g.history.within3} it is at most 3 lines away. Cases are taken in history order; no case is chosen by how a tool does on it.`
      : `- **${GROUP_TEXT.history}**: not run (no flask mirror at ${MIRROR}; set PATCHQ_BENCH_MIRROR).`,
    '',
    'Each fork is run twice, with the same changes written two ways (the "patches" column):',
    '- **git-style**: git format-patch mails with `index` lines, so git (and patchq) can find the pre-image blob for a 3-way merge;',
    "- **quilt-style**: what a quilt user's series holds: made by the real `quilt refresh` (`Index:`/`===` header, timestamps, no `index` lines), with a description and a `Patchq-Base: <sha of upstream a>` trailer, which is what patchq's own `refresh` records. Every tool gets this identical text (`git am` as the body of a mail); only patchq uses the Patchq-Base line, the others ignore it.",
    '',
    '| group | patches | tool | patches back correct | wrong (silent misapply) | failed | correct % | time (s)* |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of res.rows) {
    const n = r.group === 'total' ? res.patches : g[r.group].patches;
    if (n === 0) continue;
    const label = r.group === 'total' ? `**all ${res.patches}**` : `${GROUP_TEXT[r.group]} (${n})`;
    out.push(`| ${label} | ${r.variant} | ${r.tool} | ${r.correct} | ${r.wrong} | ${r.failed} | ${((100 * r.correct) / Math.max(1, n)).toFixed(1)} | ${(r.ms / 1000).toFixed(1)} |`);
  }
  out.push('', '*patchq: its `reapply` runs (a stopped run counts again after --abort); the others: their apply commands, per patch or per series.');
  for (const group of GROUPS.filter((x) => g[x].patches)) for (const v of VARIANTS) {
    const x = g[group].variants[v];
    out.push('', `${GROUP_TEXT[group]}, ${v}: patchq refreshed ${x.refreshed} patch(es); ${x.exactAfterRefresh} of them then apply exactly (\`patch -p1 -F0\`, no offset, no fuzz) on the new upstream.${x.stops.length ? ` patchq refused ${x.stops.length}: ${x.stops.join('; ')}.` : ''}`);
  }
  out.push('', `Against issue 4's bar (more patches back correct than each tool, zero wrong): ${verdicts(res).join(' ')}`);
  if (res.wrongs.length) out.push('', `Wrong: ${res.wrongs.slice(0, 15).join('; ')}${res.wrongs.length > 15 ? ` and ${res.wrongs.length - 15} more` : ''}`);
  if (res.notes.length) out.push('', `Notes: ${res.notes.slice(0, 10).join('; ')}`);
  out.push('', 'Hermetic: every tool runs with `QUILTRC=-` (and `--quiltrc=-` for quilt), so no ~/.quiltrc or /etc/quilt.quiltrc changes what is measured.');
  return out.join('\n');
}
