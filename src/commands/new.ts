import { PatchqError } from '../engine/errors.js';
import { checkPatchName, newPatch, push } from '../stack/index.js';
import { events, opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const name = args.positionals[0];
  if (!name || args.positionals.length > 1) throw new PatchqError('E_USAGE', "Usage: patchq new [-p N] PATCHNAME");
  const strip = opt.str(args, 'strip');
  // quilt's new: -p0, -p1 (or none) and -pab; a patch of another level could not be refreshed.
  if (strip !== undefined && !['', '0', '1', 'ab'].includes(strip)) {
    throw new PatchqError('E_STATE', `Cannot create patches with -p${strip}, please specify -p0, p1, or -pab instead`);
  }
  const template = opt.str(args, 'template');
  if (template) {
    const { createTemplatePatch } = await import('../templates/index.js');
    const { parseSets } = await import('./template.js');
    const t = tree(ctx, true);
    checkPatchName(name, t.seriesName);
    const run = await createTemplatePatch(t, name, template, parseSets(args.options.set));
    const res = await push(t, { target: { name } }, events(ctx));
    if (!res.failed) ctx.out.line(`Now at patch ${name}`);
    return { exitCode: res.failed ? 1 : 0, data: { name, template, params: run.params, files: run.files.filter((f) => f.before !== f.after).map((f) => f.path) } };
  }
  ctx.out.line(newPatch(tree(ctx, true), name, strip === '0' ? { strip: 0 } : {}));
  return { data: { name } };
};
