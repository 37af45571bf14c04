/**
 * Running a template on a tree: find the covered files, apply the rules (or the external
 * generator, on a copy), evaluate the checks. Nothing is written to the tree here: the
 * result is before/after texts, which the stack turns into a patch through its one
 * transaction.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { diffLike, type DiffFormat } from '../stack/index.js';
import { PatchqError } from '../engine/errors.js';
import { fill, runRule, type Params } from './rules.js';
import { codeOnly } from './structural.js';
import { resolveParams, type Template } from './template.js';

export interface TemplateRunFile {
  path: string;
  before: string;
  after: string;
  rewrites: number;
  /** Rewrites per rule name. */
  byRule: Record<string, number>;
}

export interface TemplateRun {
  template: string;
  params: Params;
  files: TemplateRunFile[];
  checks: { name: string; ok: boolean; detail: string }[];
  ok: boolean;
}

/** "database/*.py" -> regex; ** crosses directories, * and ? do not. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const SKIP = new Set(['.git', '.pc', 'node_modules', '.hg', '.svn']);

/** Does the template's files: include (and not exclude) this tree path? */
export function covers(tpl: Template): (rel: string) => boolean {
  const inc = tpl.include.map(globToRegExp);
  const exc = tpl.exclude.map(globToRegExp);
  return (rel) => inc.some((r) => r.test(rel)) && !exc.some((r) => r.test(rel));
}

export function coveredFiles(tpl: Template, root: string, patchesDir = 'patches'): string[] {
  const covered = covers(tpl);
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir).sort()) {
      if (SKIP.has(e) || (prefix === '' && e === patchesDir)) continue;
      const rel = prefix + e;
      const st = lstatSync(join(dir, e));
      if (st.isDirectory()) walk(join(dir, e), rel + '/');
      else if (st.isFile() && covered(rel)) out.push(rel);
    }
  };
  walk(root, '');
  return out;
}

/**
 * The files as the template should see them, where they are not the disk's (reapply --check
 * works in memory): `read` gives a file's text (null: it does not exist there), `also`
 * names files that are not on disk.
 */
export interface TemplateView {
  read(path: string): string | null;
  also: Iterable<string>;
}

export async function runTemplate(tpl: Template, root: string, overrides: Record<string, string> = {}, view?: TemplateView): Promise<TemplateRun> {
  const params = resolveParams(tpl, overrides);
  let paths = coveredFiles(tpl, root);
  if (view) {
    const covered = covers(tpl);
    const extra = [...new Set(view.also)].filter((p) => covered(p) && !paths.includes(p)).sort();
    paths = [...paths, ...extra].filter((p) => view.read(p) !== null);
  }
  const before = new Map(paths.map((p) => [p, view ? view.read(p)! : readFileSync(join(root, p), 'latin1')]));
  const after = tpl.generator ? runGenerator(tpl, params, before) : new Map<string, { text: string; byRule: Record<string, number> }>();
  if (!tpl.generator) {
    for (const [p, text] of before) {
      let cur = text;
      const byRule: Record<string, number> = {};
      for (const rule of tpl.rules) {
        const r = runRule(rule, cur, params);
        cur = r.text;
        byRule[rule.name] = (byRule[rule.name] ?? 0) + r.rewrites;
      }
      after.set(p, { text: cur, byRule });
    }
  }
  const files: TemplateRunFile[] = paths.map((p) => {
    const a = after.get(p)!;
    const rewrites = Object.values(a.byRule).reduce((x, y) => x + y, 0);
    return { path: p, before: before.get(p)!, after: a.text, rewrites, byRule: a.byRule };
  });
  const checks = tpl.checks.map((c) => evaluate(c, files));
  return { template: tpl.name, params, files, checks, ok: checks.every((c) => c.ok) };
}

function evaluate(c: Template['checks'][number], files: TemplateRunFile[]) {
  // Checks read code only: a comment saying "poolclass=NullPool" is not a NullPool pool.
  const applies = (text: string) => c.when.every((w) => new RegExp(w, 'm').test(text));
  const bad: string[] = [];
  for (const f of files) {
    const after = codeOnly(f.after, true);
    if (c.absent && applies(after) && new RegExp(c.absent, 'm').test(after)) bad.push(f.path);
    if (c.minRewrites && applies(codeOnly(f.before, true)) && (f.byRule[c.minRewrites.rule] ?? 0) < c.minRewrites.min) bad.push(f.path);
  }
  return { name: c.name, ok: bad.length === 0, detail: bad.length ? `fails in ${bad.join(', ')}` : 'holds' };
}

/** Run an external codemod on a COPY of the covered files; never on the user's tree. */
function runGenerator(tpl: Template, params: Params, before: Map<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'patchq-gen-'));
  try {
    for (const [p, text] of before) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), Buffer.from(text, 'latin1'));
    }
    const [cmd, ...args] = tpl.generator!.command.map((a) => fill(a, params));
    const r = spawnSync(cmd!, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, PATCHQ_FILES: [...before.keys()].join('\n') } });
    if (r.status !== 0) {
      throw new PatchqError('E_CONFIG', `generator '${tpl.generator!.command.join(' ')}' failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`, { file: tpl.path });
    }
    const out = new Map<string, { text: string; byRule: Record<string, number> }>();
    for (const p of before.keys()) {
      const text = existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'latin1') : '';
      out.set(p, { text, byRule: { generator: text === before.get(p) ? 0 : 1 } });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The run as a patch body, as `patchq refresh` would write it in `format` (the user's
 * settings, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS: see commands/reapply-options.ts) for a
 * patch read with -p`strip`: quilt's labels (dirName.orig/FILE, dirName/FILE) and an Index:
 * line by default, git's headers with style 'git'. No timestamps: the texts are in memory.
 */
export function templatePatch(run: TemplateRun, opts: { style?: 'git' | 'quilt'; dirName?: string; format?: DiffFormat; strip?: number } = {}): string {
  const format: DiffFormat = { ...opts.format, ...(opts.style ? { style: opts.style } : {}) };
  const changed = run.files.filter((f) => f.before !== f.after);
  return diffLike(opts.dirName ?? 'a', changed, format, opts.strip ?? 1);
}

/** Header lines that make a patch a template patch (kept by refresh, read by reapply). */
export function templateHeader(tpl: { name: string; version: number }, params: Params): string {
  const list = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
  return `Patchq-Template: ${tpl.name}\nPatchq-Template-Version: ${tpl.version}\nPatchq-Template-Params: ${list}\n`;
}

export function parseTemplateHeader(header: string): { name: string; params: Record<string, string> } | null {
  const name = /^Patchq-Template: (\S+)$/m.exec(header);
  if (!name) return null;
  const list = /^Patchq-Template-Params: (.*)$/m.exec(header)?.[1] ?? '';
  const params: Record<string, string> = {};
  for (const kv of list.split(/\s+/).filter(Boolean)) {
    const eq = kv.indexOf('=');
    if (eq > 0) params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { name: name[1]!, params };
}
