import { PatchqError } from '../engine/errors.js';
import { checkPatchName, newPatch, push } from '../stack/index.js';
import { events, opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const given = args.positionals[0];
  if (!given || args.positionals.length > 1) throw new PatchqError('E_USAGE', "Usage: patchq new [-p 0|1|ab] PATCHNAME");
  const strip = opt.str(args, 'strip');
  // quilt's rule, as for refresh: a -p2 patch would have no folder for the second level to
  // take off, and refresh could not write it (exit 1, quilt's words, nothing written).
  if (strip !== undefined && !['', '0', '1', 'ab'].includes(strip)) {
    throw new PatchqError('E_STATE', `Cannot create patches with -p${strip}, please specify -p0, p1, or -pab instead`);
  }
  const t = tree(ctx, true);
  // As quilt's new (and import -P, rename): "patches/x.patch" names x.patch.
  const name = given.startsWith(`${t.patchesName}/`) ? given.slice(t.patchesName.length + 1) : given;
  const level = strip === '0' ? { strip: 0 as const } : strip === 'ab' ? { ab: true } : {};
  const template = opt.str(args, 'template');
  if (template) {
    const { createTemplatePatch } = await import('../templates/index.js');
    const { parseSets } = await import('./template.js');
    checkPatchName(name, t.seriesName);
    // In the format `patchq refresh` would write it (settings, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS).
    const { refreshFormatFor } = await import('./reapply-options.js');
    // -p 0 / -p ab as plain `new -p` honours them: the series entry, and the labels for it.
    const run = await createTemplatePatch(t, name, template, parseSets(args.options.set), refreshFormatFor(ctx.env), level);
    const res = await push(t, { target: { name } }, events(ctx));
    if (!res.failed) ctx.out.line(`Now at patch ${name}`);
    return { exitCode: res.failed ? 1 : 0, data: { name, template, params: run.params, files: run.files.filter((f) => f.before !== f.after).map((f) => f.path) } };
  }
  ctx.out.line(newPatch(t, name, level));
  return { data: { name } };
};
