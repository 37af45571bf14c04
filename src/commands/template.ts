/** `patchq template list | show NAME | run NAME [--set K=V]... [--dry-run]` */
import { PatchqError } from '../engine/errors.js';
import { openTree } from '../stack/index.js';
import { findTemplate, listTemplates, loadTemplate, runTemplate, shippedDir, templateDirs, templatePatch } from '../templates/index.js';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Context, RunFn } from './types.js';
import { refreshFormatFor } from './reapply-options.js';
import { writeOut } from '../output/stdio.js';

/** Template dirs for cwd: the fork's patches/templates when a tree exists, then the shipped ones. */
function dirs(ctx: Context): string[] {
  try {
    return templateDirs(openTree(ctx.cwd, ctx.env).patchesDir);
  } catch {
    return existsSync(join(ctx.cwd, 'patches')) ? templateDirs(join(ctx.cwd, 'patches')) : [shippedDir()];
  }
}

/** The tree's root when cwd is in one, else cwd (a template can run on any folder). */
function treeRoot(ctx: Context): string {
  try {
    return openTree(ctx.cwd, ctx.env).root;
  } catch {
    return ctx.cwd;
  }
}

export function parseSets(values: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of Array.isArray(values) ? (values as string[]) : []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new PatchqError('E_USAGE', `--set wants KEY=VALUE, got '${kv}'`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

export const run: RunFn = async (ctx, args) => {
  const [sub, name] = args.positionals;
  if (sub !== undefined && sub !== 'list' && sub !== 'show' && sub !== 'run') throw new PatchqError('E_USAGE', `unknown template subcommand '${sub}' (list, show, run)`);
  if (sub === 'list' && name !== undefined) throw new PatchqError('E_USAGE', 'Usage: patchq template list | show NAME | run NAME [--set KEY=VALUE]... [--dry-run]');
  if (sub === 'list' || sub === undefined) {
    const list = listTemplates(dirs(ctx));
    const width = Math.max(24, ...list.map((t) => t.name.length + 1));
    for (const t of list) ctx.out.line(`${t.name.padEnd(width)} ${t.description}`);
    return { data: list };
  }
  if (!name) throw new PatchqError('E_USAGE', `Usage: patchq template ${sub} NAME`);
  const tpl = loadTemplate(findTemplate(name, dirs(ctx)));
  if (sub === 'show') {
    ctx.out.line(`${tpl.name} (version ${tpl.version})  ${tpl.path}`);
    ctx.out.line();
    ctx.out.line(tpl.description.trimEnd());
    ctx.out.line();
    ctx.out.line('Parameters:');
    for (const [k, p] of Object.entries(tpl.parameters)) {
      ctx.out.line(`  ${k} = ${p.default}${p.enum ? `  (one of ${p.enum.join(', ')})` : ''}${p.description ? `  ${p.description}` : ''}`);
    }
    ctx.out.line(`Files: ${tpl.include.join(', ')}${tpl.exclude.length ? ` (except ${tpl.exclude.join(', ')})` : ''}`);
    ctx.out.line(`Rules: ${tpl.generator ? `generator ${tpl.generator.command.join(' ')}` : tpl.rules.map((r) => `${r.name} (${r.kind})`).join(', ')}`);
    ctx.out.line(`Checks: ${tpl.checks.map((c) => c.name).join('; ') || 'none'}`);
    return { data: { name: tpl.name, version: tpl.version, description: tpl.description, parameters: tpl.parameters, include: tpl.include, exclude: tpl.exclude, rules: tpl.rules, checks: tpl.checks } };
  }
  if (sub === 'run') {
    // The tree's files from its root (from a subfolder too), labelled as new --template labels them.
    const root = treeRoot(ctx);
    const res = await runTemplate(tpl, root, parseSets(args.options.set));
    // As new --template would write it: the format `patchq refresh` writes (settings, QUILT_*).
    const format = refreshFormatFor(ctx.env);
    const patch = templatePatch(res, { dirName: basename(root), ...(format ? { format } : {}) });
    if (!ctx.json) writeOut(patch);
    for (const c of res.checks) if (!c.ok) ctx.out.warn(`check failed: ${c.name}: ${c.detail}`);
    return { exitCode: res.ok ? 0 : 1, data: { params: res.params, checks: res.checks, files: res.files.map((f) => ({ path: f.path, rewrites: f.rewrites })), patch } };
  }
  throw new PatchqError('E_USAGE', `unknown template subcommand '${sub}' (list, show, run)`);
};
