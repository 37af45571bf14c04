/** `patchq regen [PATCH]`: regenerate a template patch on the current tree and show what changed. */
import { PatchqError } from '../engine/errors.js';
import { makeFileDiff } from '../engine/index.js';
import { displayName, loadState, pop, push } from '../stack/index.js';
import { regenerate, templateOf } from '../templates/index.js';
import { events, opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const { series, applied } = loadState(t);
  const name = args.positionals[0] ?? applied[applied.length - 1] ?? series.find((e) => templateOf(t, e.name))?.name;
  if (!name || !series.some((e) => e.name === name)) throw new PatchqError('E_NOT_FOUND', `Patch ${name ?? ''} is not in series`);
  if (!templateOf(t, name)) throw new PatchqError('E_USAGE', `Patch ${name} is not a template patch`);
  const at = applied.indexOf(name);
  if (at >= 0 && at !== applied.length - 1) {
    throw new PatchqError('E_STATE', `Patch ${displayName(t, name)} is applied below other patches; pop to it first ('patchq pop ${name}')`);
  }
  if (at >= 0) await pop(t, {}, events(ctx));
  else if (series.findIndex((e) => e.name === name) !== applied.length) {
    throw new PatchqError('E_STATE', `Patch ${displayName(t, name)} is not the next patch; push up to the patch before it first`);
  }
  const r = await regenerate(t, name, { dryRun: opt.bool(args, 'dry-run') });
  ctx.out.line(r.changed ? `Regenerated patch ${displayName(t, name)} from template ${r.template}` : `Patch ${displayName(t, name)} is unchanged (template ${r.template})`);
  // What changed in the patch file itself: a diff of the old patch against the new one.
  const change = r.changed ? makeFileDiff(r.oldText, r.newText, { oldPath: `${name} (old)`, newPath: `${name} (new)`, style: 'quilt', oldLabel: `${name} (old)`, newLabel: `${name} (new)` }) : '';
  for (const l of change.replace(/\n$/, '').split('\n')) if (change) ctx.out.line(l);
  if (at >= 0 || !opt.bool(args, 'dry-run')) await push(t, { target: { name } }, events(ctx));
  return { data: { name, template: r.template, changed: r.changed, patchDiff: change, files: r.run.files.filter((f) => f.before !== f.after).map((f) => f.path) } };
};
