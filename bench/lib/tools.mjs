// The tools compared on each drift case, side by side in one run. A tool takes a case
// ({a, upstream, patch, truth}) and a work dir and returns { ok: reported success,
// text: the resulting file }. External tools share ONE temp dir per case (the patch is
// written once; the file is rewritten before each tool) and each spawn has a timeout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, parsePatch } from '../../dist/engine/index.js';

export const SPAWN_TIMEOUT_MS = 60_000;
/**
 * The environment every bench spawn gets: no QUILT* settings from the caller and QUILTRC=-,
 * so neither patchq nor quilt reads ~/.quiltrc or /etc/quilt.quiltrc (Debian's sets
 * QUILT_PATCHES_PREFIX and QUILT_REFRESH_ARGS) and the machine's rc file changes nothing.
 */
export const HERMETIC_ENV = (() => {
  const e = { ...process.env, NO_COLOR: '1' };
  for (const k of Object.keys(e)) if (k.startsWith('QUILT')) delete e[k];
  e.QUILTRC = '-';
  return e;
})();
const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, env: HERMETIC_ENV, timeout: SPAWN_TIMEOUT_MS, stdio: 'ignore' });
  return r.error ? -1 : r.status;
};

/** Write the case's patch once into dir (a per-worker directory reused across cases). */
export function prepareCase(dir, c) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'p.patch'), Buffer.from(c.patch, 'latin1'));
}

function inDir(dir, c, fn) {
  const file = join(dir, 'file');
  // Leftovers of the previous tool (wiggle refuses to overwrite its .porig backup).
  for (const f of ['file.porig', 'file.orig', 'file.rej']) rmSync(join(dir, f), { force: true });
  writeFileSync(file, Buffer.from(c.upstream, 'latin1'));
  const status = fn(dir);
  const text = existsSync(file) ? readFileSync(file, 'latin1') : null;
  return { ok: status === 0, text };
}

const patchq = (withBase) => (c) => {
  const parsed = parsePatch(c.patch);
  const { results, report } = applyPatch(parsed, () => ({ text: c.upstream, base: withBase ? c.a : null }));
  // Why it refused: the failed hunks and their reasons (kept in bench/out/drift.json).
  const why = report.ok ? undefined : report.files.flatMap((f) => f.hunks.filter((h) => h.status === 'failed').map((h) => `hunk ${h.hunk}: ${h.reason}`)).join('; ');
  return { ok: report.ok, text: results[0].text, why };
};

const gnu = (fuzz) => (c, dir) => inDir(dir, c, (d) => run('patch', ['-p1', `-F${fuzz}`, '--no-backup-if-mismatch', '-r', '-', '-s', '-i', 'p.patch'], d));

const gitApply = (c, dir) => inDir(dir, c, (d) => run('git', ['apply', '-p1', 'p.patch'], d));

// git apply --3way needs a repository that has the pre-image blob and the file in the index:
// one repository per worker, reused; the index entry is replaced by `git add` each time.
function gitApply3(c, dir) {
  const repo = join(dir, 'repo');
  if (!existsSync(join(repo, '.git'))) run('git', ['init', '-q', repo], dir);
  writeFileSync(join(repo, 'a-blob'), Buffer.from(c.a, 'latin1'));
  run('git', ['hash-object', '-w', 'a-blob'], repo);
  writeFileSync(join(repo, 'file'), Buffer.from(c.upstream, 'latin1'));
  run('git', ['add', 'file'], repo);
  const status = run('git', ['apply', '--3way', join(dir, 'p.patch')], repo);
  return { ok: status === 0, text: readFileSync(join(repo, 'file'), 'latin1') };
}

const wiggle = (c, dir) => inDir(dir, c, (d) => run('wiggle', ['--merge', '--replace', 'file', 'p.patch'], d));

const has = (cmd, arg) => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

/** [name, fn, inProcess]: in-process tools run as their own jobs (they can be timed out). */
export const TOOLS = [
  ['patchq', patchq(false), true],
  ['patchq + base (3-way)', patchq(true), true],
  ['patch -F0', gnu(0), false],
  ['patch -F2 (quilt)', gnu(2), false],
  ['patch -F3', gnu(3), false],
  ['git apply', gitApply, false],
  ['git apply --3way', gitApply3, false],
  ...(has('wiggle', '--version') ? [['wiggle', wiggle, false]] : []),
];

/** Versions of the external tools, for the report. */
export function toolVersions() {
  const first = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? (r.stdout || r.stderr).split('\n')[0].trim() : null;
  };
  return {
    node: process.version,
    patch: first('patch', ['--version']),
    git: first('git', ['--version']),
    quilt: first('quilt', ['--version']),
    wiggle: first('wiggle', ['--version']),
  };
}
