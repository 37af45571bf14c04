// Reapply across real upstream drift (issue 4). Each case is a fork made from real code:
// for a pair of npm versions (a, c) and a seed, up to 6 changed files are picked; each
// file's hunks of diff(a, c) are split (as in lib/cases.mjs) into an upstream group U and
// a fork group F. The fork = a + one patch per file (F, git format-patch style with index
// lines, made on a); upstream moves a -> a + U in a real git repository. Right answer per
// patch: its file = a + U + F.
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

export const title = 'Reapply across real upstream drift';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');
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

const span = (h) => {
  const s = h.oldCount === 0 ? h.oldStart : h.oldStart - 1;
  return [s, s + h.oldCount];
};
function applyGroup(aLines, hunks) {
  const out = [];
  let pos = 0;
  for (const h of hunks) {
    const start = span(h)[0];
    while (pos < start) out.push(aLines[pos++]);
    pos += h.oldCount;
    for (const l of h.lines) if (l.op === '+') out.push(l.text);
  }
  while (pos < aLines.length) out.push(aLines[pos++]);
  return out.join('');
}

/** Split one file's real hunks into upstream and fork groups (gap of >= 1 line between groups). */
function split(a, c, r) {
  const all = diffHunks(a, c, 0);
  if (all.length < 2 || all.length > 400) return null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const inF = all.map(() => r() < 0.5);
    if (!inF.some(Boolean) || inF.every(Boolean)) continue;
    let ok = true;
    for (let i = 1; i < all.length; i++) if (inF[i] !== inF[i - 1] && span(all[i])[0] - span(all[i - 1])[1] < 1) ok = false;
    if (!ok) continue;
    const aL = splitLines(a);
    return { upstream: applyGroup(aL, all.filter((_, i) => !inF[i])), fork: applyGroup(aL, all.filter((_, i) => inF[i])), truth: applyGroup(aL, all) };
  }
  return null;
}

export function makeCase([name, va, vc], seed) {
  const A = readPackage(fetchPackage(`${name}@${va}`));
  const C = readPackage(fetchPackage(`${name}@${vc}`));
  const r = rng(seed * 31337 + name.length);
  const eligible = Object.keys(A).filter((f) => f in C && A[f] !== C[f]);
  const files = [];
  for (const f of eligible.map((f) => [r(), f]).sort((x, y) => x[0] - y[0]).map((x) => x[1])) {
    if (files.length >= 6) break;
    const s = split(A[f], C[f], r);
    if (s) files.push({ path: f, a: A[f], ...s });
  }
  return files.length ? { id: `${name} ${va}->${vc} #${seed}`, files } : null;
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
      const r = sh(dir, process.execPath, [CLI, 'reapply', '--json']);
      extra.reapplyMs += performance.now() - t0;
      if (r.timeout) {
        extra.notes.push(`${kase.id}: patchq reapply gave no answer in ${TIMEOUT_MS / 1000} s`);
        for (const f of kase.files) if (!res.has(f.patch)) res.set(f.patch, 'failed');
        return res;
      }
      let rep;
      try {
        rep = JSON.parse(r.out);
      } catch {
        extra.notes.push(`${kase.id}: patchq reapply: ${r.err.trim().split('\n')[0]}`);
        for (const f of kase.files) if (!res.has(f.patch)) res.set(f.patch, 'failed');
        return res;
      }
      for (const p of rep.patches) {
        if (p.outcome === 'exact' || p.outcome === 'refreshed') res.set(p.name, 'ok');
        if (p.outcome === 'refreshed') refreshed.add(p.name);
      }
      if (!rep.stoppedAt) break;
      res.set(rep.stoppedAt, 'failed');
      sh(dir, process.execPath, [CLI, 'reapply', '--abort']);
      removeFromSeries(dir, rep.stoppedAt);
    }
    // Every refreshed patch must apply exactly (no fuzz, no offset) on the new upstream.
    sh(dir, process.execPath, [CLI, 'pop', '-a', '-q']);
    extra.refreshed += refreshed.size;
    for (const name of refreshed) {
      const r = sh(dir, 'patch', ['-p1', '-F0', '--dry-run', '-i', join('patches', name)]);
      if (r.code === 0 && !/offset|fuzz/.test(r.out)) extra.exactAfterRefresh++;
      else extra.notes.push(`${kase.id}: refreshed ${name} does not apply exactly: ${r.out.trim().split('\n').slice(-1)[0]}`);
    }
    sh(dir, process.execPath, [CLI, 'push', '-a', '-q']);
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

export async function run({ quick = false, log = () => {} } = {}) {
  const seeds = quick ? [1] : [1, 2];
  const pairs = quick ? PAIRS.slice(0, 2) : PAIRS;
  const rows = Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(Object.keys(TOOLS).map((t) => [t, { correct: 0, wrong: 0, failed: 0, ms: 0 }]))]));
  const extras = Object.fromEntries(VARIANTS.map((v) => [v, { refreshed: 0, exactAfterRefresh: 0, notes: [], reapplyMs: 0 }]));
  const wrongs = [];
  let patches = 0;
  let cases = 0;
  const root = mkdtempSync(join(tmpdir(), 'patchq-bench-reapply-'));
  try {
    for (const pair of pairs) {
      for (const seed of seeds) {
        const kase = makeCase(pair, seed);
        if (!kase) continue;
        cases++;
        patches += kase.files.length;
        for (const variant of VARIANTS) {
          const extra = extras[variant];
          const base = join(root, 'base');
          rmSync(base, { recursive: true, force: true });
          buildRepo(kase, base, variant);
          for (const [tool, fn] of Object.entries(TOOLS)) {
            const dir = join(root, 'tool');
            rmSync(dir, { recursive: true, force: true });
            cpSync(base, dir, { recursive: true });
            sh(dir, 'git', ['update-index', '-q', '--refresh']); // a copied tree's stat data differs from the index
            const t0 = performance.now();
            const before = extra.reapplyMs;
            const res = fn(dir, kase, extra, variant);
            const row = rows[variant][tool];
            // patchq: only its `reapply` runs count, not the exactness check done after them.
            row.ms += tool === 'patchq' ? extra.reapplyMs - before : performance.now() - t0;
            for (const f of kase.files) {
              const said = res.get(f.patch) ?? 'failed';
              if (said !== 'ok') row.failed++;
              else if (readOr(join(dir, f.path)) === f.truth) row.correct++;
              else {
                row.wrong++;
                wrongs.push(`${tool} (${variant}): ${kase.id} ${f.path}`);
              }
            }
          }
          log(`reapply ${variant}: ${kase.id}: ${kase.files.length} patches; ${Object.entries(rows[variant]).map(([t, r]) => `${t} ${r.correct}/${r.wrong}/${r.failed}`).join(', ')}`);
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    name: 'reapply',
    cases,
    patches,
    rows: VARIANTS.flatMap((variant) => Object.entries(rows[variant]).map(([tool, r]) => ({ variant, tool, ...r, ms: Math.round(r.ms) }))),
    variants: Object.fromEntries(VARIANTS.map((v) => [v, { refreshed: extras[v].refreshed, exactAfterRefresh: extras[v].exactAfterRefresh }])),
    notes: VARIANTS.flatMap((v) => extras[v].notes.map((n) => `(${v}) ${n}`)),
    wrongs,
  };
}

/** Per variant: does patchq have strictly more correct than every other tool, and zero wrong? */
export function verdicts(res) {
  return VARIANTS.map((variant) => {
    const rs = res.rows.filter((r) => r.variant === variant);
    const pq = rs.find((r) => r.tool === 'patchq');
    const others = rs.filter((r) => r.tool !== 'patchq');
    const tied = others.filter((r) => r.correct === pq.correct).map((r) => r.tool);
    const ahead = others.filter((r) => r.correct > pq.correct).map((r) => r.tool);
    const text = ahead.length
      ? `patchq LOSES to ${ahead.join(', ')}`
      : tied.length
        ? `patchq TIES with ${tied.join(', ')} (not more patches back correct than each of them)`
        : 'patchq has more patches back correct than each of the others';
    return `${variant}: ${text}; patchq wrong: ${pq.wrong}.`;
  });
}

export function markdown(res) {
  const out = [
    `${res.cases} forks made from real code (npm versions; per fork up to 6 changed files, each file's real hunks of diff(a, c) split into an upstream part and a fork part), ${res.patches} fork patches in all (one per file, made on a). Upstream moves a → a + U in a real git repository; the right answer for each patch is its file = a + U + F. Every tool on its own copy of the same repository.`,
    '',
    'Each fork is run twice, with the same changes written two ways (the "patches" column):',
    '- **git-style**: git format-patch mails with `index` lines, so git (and patchq) can find the pre-image blob for a 3-way merge;',
    "- **quilt-style**: what a quilt user's series holds: made by the real `quilt refresh` (`Index:`/`===` header, timestamps, no `index` lines), with a description and a `Patchq-Base: <sha of upstream a>` trailer, which is what patchq's own `refresh` records. Every tool gets this identical text (`git am` as the body of a mail); only patchq uses the Patchq-Base line, the others ignore it.",
    '',
    '| patches | tool | patches back correct | wrong (silent misapply) | failed | correct % | time (s)* |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of res.rows) out.push(`| ${r.variant} | ${r.tool} | ${r.correct} | ${r.wrong} | ${r.failed} | ${((100 * r.correct) / Math.max(1, res.patches)).toFixed(1)} | ${(r.ms / 1000).toFixed(1)} |`);
  out.push('', '*patchq: its `reapply` runs (a stopped run counts again after --abort); the others: their apply commands, per patch or per series.');
  for (const v of VARIANTS) {
    const x = res.variants[v];
    out.push('', `${v}: patchq refreshed ${x.refreshed} patch(es); ${x.exactAfterRefresh} of them then apply exactly (\`patch -p1 -F0\`, no offset, no fuzz) on the new upstream.`);
  }
  out.push('', `Against issue 4's bar (more patches back correct than each tool, zero wrong): ${verdicts(res).join(' ')}`);
  if (res.wrongs.length) out.push('', `Wrong: ${res.wrongs.slice(0, 15).join('; ')}${res.wrongs.length > 15 ? ` and ${res.wrongs.length - 15} more` : ''}`);
  if (res.notes.length) out.push('', `Notes: ${res.notes.slice(0, 10).join('; ')}`);
  out.push('', 'Hermetic: every tool runs with `QUILTRC=-` (and `--quiltrc=-` for quilt), so no ~/.quiltrc or /etc/quilt.quiltrc changes what is measured.');
  return out.join('\n');
}
