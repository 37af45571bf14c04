/**
 * buildDemo: a throw-away fork in a real git repository, as a maintainer has it right
 * after `git pull upstream`:
 *   1. upstream v1 committed on `upstream` and `main`
 *   2. the fork's series (the repo's patches/, last refreshed against v1: each patch
 *      records `Patchq-Base: <v1>`) committed on main, unapplied (as after `quilt pop -a`)
 *   3. upstream v2 with real drift committed on `upstream`, merged into main
 * Deterministic (fixed identities and dates); touches nothing outside `dir`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchqError } from '../engine/errors.js';
import { withBase } from '../stack/index.js';
import { writeFiles } from './series.js';
import { upstreamV1, upstreamV2 } from './upstream.js';

const PATCHES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'patches');

function gitIn(root: string, date: string) {
  return (...args: string[]): string => {
    const r = spawnSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Demo Upstream',
        GIT_AUTHOR_EMAIL: 'upstream@example.invalid',
        GIT_COMMITTER_NAME: 'Demo Upstream',
        GIT_COMMITTER_EMAIL: 'upstream@example.invalid',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: root,
      },
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
    return r.stdout.trim();
  };
}

function copyDir(from: string, to: string, transform: (rel: string, text: string) => string, prefix = ''): void {
  for (const e of readdirSync(from)) {
    const src = join(from, e);
    if (statSync(src).isDirectory()) copyDir(src, to, transform, `${prefix}${e}/`);
    else {
      mkdirSync(dirname(join(to, prefix + e)), { recursive: true });
      writeFileSync(join(to, prefix + e), transform(prefix + e, readFileSync(src, 'utf8')));
    }
  }
}

export interface Demo {
  root: string;
  v1: string;
  v2: string;
  steps: string[];
}

export function buildDemo(dir: string): Demo {
  const root = dir;
  // Bad --dir values are the user's, not bugs: one line, exit 1, nothing made.
  const st = statSync(root, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new PatchqError('E_USAGE', `demo directory ${root} is not a folder`);
  if (st && readdirSync(root).length > 0) throw new PatchqError('E_EXISTS', `demo directory ${root} is not empty`);
  mkdirSync(root, { recursive: true });
  const steps: string[] = [];
  const g1 = gitIn(root, '2026-11-01T10:00:00Z');
  g1('init', '-q', '-b', 'main');
  g1('config', 'core.autocrlf', 'false');
  writeFiles(root, upstreamV1());
  g1('add', '-A');
  g1('commit', '-qm', 'upstream v1: Flask trading app with SQLite databases');
  const v1 = g1('rev-parse', 'HEAD');
  g1('branch', 'upstream');
  steps.push(`upstream v1 (${v1.slice(0, 7)}): app.py and ${Object.keys(upstreamV1()).filter((f) => f.startsWith('database/')).length} database modules`);

  if (!existsSync(join(PATCHES, 'series'))) throw new Error(`the demo series is missing: ${PATCHES}/series`);
  copyDir(PATCHES, join(root, 'patches'), (rel, text) => (rel.endsWith('.patch') ? withBase(text.slice(0, headerEnd(text)), v1) + text.slice(headerEnd(text)) : text));
  const g2 = gitIn(root, '2026-11-02T10:00:00Z');
  g2('add', 'patches');
  g2('commit', '-qm', 'fork: the patch series (refreshed against upstream v1)');
  const series = readFileSync(join(root, 'patches/series'), 'utf8').trim().split('\n');
  steps.push(`fork series: ${series.join(', ')} (last refreshed against v1)`);

  const g3 = gitIn(root, '2026-11-20T10:00:00Z');
  g3('checkout', '-q', 'upstream');
  writeFiles(root, upstreamV2());
  g3('add', '-A');
  g3('commit', '-qm', 'upstream v2: health blueprint, latency module, formatter pass, typo fix');
  const v2 = g3('rev-parse', 'HEAD');
  g3('checkout', '-q', 'main');
  g3('merge', '-q', '--no-edit', 'upstream');
  steps.push(`upstream v2 (${v2.slice(0, 7)}) pulled: engine calls reformatted, lines added above patched code, a context line changed, new module database/latency_db.py, the fork's typo fix taken upstream`);
  return { root, v1, v2, steps };
}

/** Length of a patch's header (quilt's rule; the description before the first file). */
function headerEnd(text: string): number {
  const m = /^(?:Index:[ \t]|diff -|---[ \t][^ \t])/m.exec(text);
  return m ? m.index : text.length;
}
