// A series of N real patches: one patch per step of a real history, and the tree they
// apply to. Source, in order of preference:
//   1. a GitHub mirror brought by the `fetch` tool (/work/.mirror/pallets+flask/repo):
//      N consecutive first-parent commits of flask ending at a pinned commit;
//   2. npm (what CI reaches): N+1 successive versions of one package (npm pack),
//      committed in order to a temp git repository, one commit per version.
// Each step's patch is `git diff --no-renames` of the two commits (binary files are left
// out of the tree and of every patch: quilt cannot apply them).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE } from './corpus.mjs';

export const MIRROR = process.env.PATCHQ_BENCH_MIRROR ?? '/work/.mirror/pallets+flask/repo';
export const PINNED = '2ac89889f4cc330eabd50f295dcef02828522c69';
const NPM_PACKAGE = 'electron-to-chromium';

const gitIn = (gitDir, args, opts = {}) => execFileSync('git', [`--git-dir=${gitDir}`, ...args], { maxBuffer: 1 << 30, ...opts });

/** sha1 over the sorted (path, bytes) of a tree, leaving out .pc, patches and .git. */
export function treeDigest(root) {
  const h = createHash('sha1');
  const walk = (d, prefix) => {
    for (const e of readdirSync(d).sort()) {
      if (prefix === '' && (e === '.pc' || e === 'patches' || e === '.git')) continue;
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, `${prefix}${e}/`);
      else h.update(`${prefix}${e}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(root, '');
  return h.digest('hex');
}

function fromGit(gitDir, end, n, source) {
  const commits = gitIn(gitDir, ['rev-list', '--first-parent', '-n', String(n + 1), end], { encoding: 'utf8' }).trim().split('\n').reverse();
  const binary = new Set();
  for (let i = 1; i < commits.length; i++) {
    const stat = gitIn(gitDir, ['diff', '--numstat', '--no-renames', commits[i - 1], commits[i]], { encoding: 'utf8' });
    for (const l of stat.split('\n')) if (l.startsWith('-\t-\t')) binary.add(l.slice(4));
  }
  const exclude = [...binary].map((p) => `:(exclude,literal)${p}`);
  const work = mkdtempSync(join(tmpdir(), 'patchq-bench-series-'));
  const extract = (commit, dir) => {
    mkdirSync(dir, { recursive: true });
    const tar = gitIn(gitDir, ['archive', commit]);
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    for (const b of binary) rmSync(join(dir, b), { force: true });
  };
  const base = join(work, 'base');
  extract(commits[0], base);
  const endTree = join(work, 'end');
  extract(commits[commits.length - 1], endTree);
  const patches = [];
  for (let i = 1; i < commits.length; i++) {
    const text = gitIn(gitDir, ['diff', '--no-renames', '--no-ext-diff', commits[i - 1], commits[i], '--', '.', ...exclude], { encoding: 'latin1' });
    if (text === '') continue;
    const subject = gitIn(gitDir, ['log', '-1', '--format=%s', commits[i]], { encoding: 'utf8' }).trim();
    const slug = subject.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'change';
    patches.push({ name: `${String(patches.length + 1).padStart(4, '0')}-${slug}.patch`, text: `Subject: ${subject}\n\n${text}` });
  }
  const res = { source, first: commits[0].slice(0, 12), last: commits[commits.length - 1].slice(0, 12), base, patches, baseDigest: treeDigest(base), endDigest: treeDigest(endTree), work };
  rmSync(endTree, { recursive: true, force: true });
  return res;
}

/** Unpack many versions of one package with as few `npm pack` calls as possible. */
function fetchVersions(name, versions) {
  const dirOf = (v) => join(CACHE, `${name}@${v}`.replace(/[@/]/g, '_'));
  const missing = versions.filter((v) => !existsSync(join(dirOf(v), 'package')));
  const tgzDir = join(CACHE, `${name}-tgz`);
  mkdirSync(tgzDir, { recursive: true });
  for (let i = 0; i < missing.length; i += 50) {
    const chunk = missing.slice(i, i + 50);
    execFileSync('npm', ['pack', ...chunk.map((v) => `${name}@${v}`), '--silent', '--pack-destination', tgzDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (const v of chunk) {
      mkdirSync(dirOf(v), { recursive: true });
      execFileSync('tar', ['-xzf', join(tgzDir, `${name}-${v}.tgz`), '-C', dirOf(v)]);
    }
  }
  return versions.map((v) => join(dirOf(v), 'package'));
}

function fromNpm(n, log) {
  const all = JSON.parse(execFileSync('npm', ['view', NPM_PACKAGE, 'versions', '--json'], { encoding: 'utf8' }));
  const versions = all.filter((v) => /^\d+\.\d+\.\d+$/.test(v)).slice(0, n + 1);
  log(`series: ${versions.length} versions of ${NPM_PACKAGE} from npm`);
  const dirs = fetchVersions(NPM_PACKAGE, versions);
  const repo = mkdtempSync(join(tmpdir(), 'patchq-bench-npmrepo-'));
  const g = (...a) => execFileSync('git', ['-C', repo, ...a], { stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  g('init', '-q');
  versions.forEach((v, i) => {
    for (const e of readdirSync(repo)) if (e !== '.git') rmSync(join(repo, e), { recursive: true, force: true });
    cpSync(dirs[i], repo, { recursive: true });
    g('add', '-A');
    g('commit', '-q', '--allow-empty', '-m', `${NPM_PACKAGE} ${v}`);
  });
  const res = fromGit(join(repo, '.git'), 'HEAD', versions.length - 1, `npm: ${NPM_PACKAGE} ${versions[0]}…${versions[versions.length - 1]}`);
  rmSync(repo, { recursive: true, force: true });
  return res;
}

/** A real series of (up to) n patches, and the tree it applies to. */
export function realSeries(n, { log = () => {}, npm = false } = {}) {
  if (!npm && existsSync(MIRROR) && spawnSync('git', [`--git-dir=${MIRROR}`, 'cat-file', '-e', PINNED]).status === 0) {
    return fromGit(MIRROR, PINNED, n, `pallets/flask, ${n} first-parent commits ending at ${PINNED.slice(0, 12)}`);
  }
  return fromNpm(n, log);
}

/** Copy the base tree to dir and write the series (first n patches) into dir/patches. */
export function plant(series, dir, n = series.patches.length) {
  cpSync(series.base, dir, { recursive: true });
  mkdirSync(join(dir, 'patches'), { recursive: true });
  const ps = series.patches.slice(0, n);
  for (const p of ps) writeFileSync(join(dir, 'patches', p.name), p.text, 'latin1');
  writeFileSync(join(dir, 'patches', 'series'), ps.map((p) => p.name).join('\n') + '\n');
  return ps;
}
