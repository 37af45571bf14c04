/** `patchq regen [PATCH]`: regenerate a template patch on the current tree and show what changed. */
import { PatchqError } from '../engine/errors.js';
import { makeFileDiff } from '../engine/index.js';
import { displayName, loadState } from '../stack/index.js';
import { regenInStack, templateOf } from '../templates/index.js';
import { events, opt, patchArg, tree } from './common.js';
import { refreshFormatFor } from './reapply-options.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const { series, applied } = loadState(t);
  const given = args.positionals[0];
  const name = given ? patchArg(ctx, t, given) : (applied[applied.length - 1] ?? series.find((e) => templateOf(t, e.name))?.name);
  if (!name) throw new PatchqError('E_NOT_FOUND', 'No template patch in series');
  const dry = opt.bool(args, 'dry-run');
  // Written in the format `patchq refresh` would write it (settings, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS).
  const format = refreshFormatFor(ctx.env);
  const r = await regenInStack(t, name, { dryRun: dry, force: opt.bool(args, 'force'), ...(format ? { format } : {}) }, events(ctx));
  ctx.out.line(
    !r.changed
      ? `Patch ${displayName(t, name)} is unchanged (template ${r.template})`
      : dry
        ? `Patch ${displayName(t, name)} would be regenerated from template ${r.template} (dry run: nothing written)`
        : `Regenerated patch ${displayName(t, name)} from template ${r.template}`,
  );
  // What changed in the patch file itself: a diff of the old patch against the new one.
  const change = r.changed ? makeFileDiff(r.oldText, r.newText, { oldPath: `${name} (old)`, newPath: `${name} (new)`, style: 'quilt', oldLabel: `${name} (old)`, newLabel: `${name} (new)` }) : '';
  if (change) for (const l of change.replace(/\n$/, '').split('\n')) ctx.out.line(l);
  if (r.dropped.length) ctx.out.line(`${dry ? 'Would drop' : 'Dropped'} changes template ${r.template} does not make: ${r.dropped.join(', ')}`);
  return {
    exitCode: r.pushed?.failed ? 1 : 0,
    data: { name, template: r.template, changed: r.changed, patchDiff: change, files: r.run.files.filter((f) => f.before !== f.after).map((f) => f.path), dropped: r.dropped },
  };
};
