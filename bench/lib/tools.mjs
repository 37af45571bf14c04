// The tools compared on each drift case, side by side in one run. Each takes a case and
// returns { ok: reported success, text: the resulting file }.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, parsePatch } from '../../dist/engine/index.js';

const work = mkdtempSync(join(tmpdir(), 'patchq-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function inDir(c, run) {
  const d = join(work, 'case');
  rmSync(d, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', d]);
  writeFileSync(join(d, 'file'), Buffer.from(c.upstream, 'latin1'));
  writeFileSync(join(d, 'p.patch'), Buffer.from(c.patch, 'latin1'));
  const status = run(d);
  const text = existsSync(join(d, 'file')) ? readFileSync(join(d, 'file'), 'latin1') : null;
  return { ok: status === 0, text };
}

const patchq = (withBase) => (c) => {
  const parsed = parsePatch(c.patch);
  const { results, report } = applyPatch(parsed, () => ({ text: c.upstream, base: withBase ? c.a : null }));
  return { ok: report.ok, text: results[0].text };
};

const gnu = (fuzz) => (c) => inDir(c, (d) => spawnSync('patch', ['-p1', `-F${fuzz}`, '--no-backup-if-mismatch', '-r', '-', '-s', '-i', 'p.patch'], { cwd: d }).status);

const gitApply = (c) => inDir(c, (d) => spawnSync('git', ['apply', '-p1', 'p.patch'], { cwd: d }).status);

// git apply --3way needs a repository that has the pre-image blob and the file in the index.
let repo = null;
const git = (...args) => spawnSync('git', args, { cwd: repo, encoding: 'latin1', input: args.includes('--stdin') ? args.input : undefined });
function gitApply3(c) {
  if (!repo) {
    repo = join(work, 'repo');
    spawnSync('git', ['init', '-q', repo]);
  }
  writeFileSync(join(repo, 'a-blob'), Buffer.from(c.a, 'latin1'));
  spawnSync('git', ['hash-object', '-w', 'a-blob'], { cwd: repo });
  writeFileSync(join(repo, 'file'), Buffer.from(c.upstream, 'latin1'));
  spawnSync('git', ['add', 'file'], { cwd: repo });
  writeFileSync(join(repo, 'p.patch'), Buffer.from(c.patch, 'latin1'));
  const r = spawnSync('git', ['apply', '--3way', 'p.patch'], { cwd: repo });
  const text = readFileSync(join(repo, 'file'), 'latin1');
  spawnSync('git', ['reset', '-q', '--hard'], { cwd: repo });
  void git;
  return { ok: r.status === 0, text };
}

const wiggleOk = spawnSync('wiggle', ['--version']).status === 0;
const wiggle = (c) => inDir(c, (d) => spawnSync('wiggle', ['--merge', '--replace', 'file', 'p.patch'], { cwd: d }).status);

export const TOOLS = [
  ['patchq', patchq(false)],
  ['patchq + base (3-way)', patchq(true)],
  ['patch -F0', gnu(0)],
  ['patch -F2 (quilt)', gnu(2)],
  ['patch -F3', gnu(3)],
  ['git apply', gitApply],
  ['git apply --3way', gitApply3],
  ...(wiggleOk ? [['wiggle', wiggle]] : []),
];
