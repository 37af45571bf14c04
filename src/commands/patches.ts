/** patches: which patches touch FILE, applied ones first (quilt's `patches [-v] FILE...`). */
import { PatchqError } from '../engine/errors.js';
import { paint } from '../output/color.js';
import { displayName, patchesTouching, treeRelative } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length === 0) throw new PatchqError('E_USAGE', 'Usage: patchq patches [-v] FILE...');
  const t = tree(ctx);
  // A file outside the tree (quilt's test asks about /dev/null) is touched by no patch: no
  // line for it, as in quilt, rather than an error.
  const files = args.positionals.flatMap((f) => {
    try {
      return [treeRelative(t, ctx.cwd, f)];
    } catch (e) {
      if (e instanceof PatchqError && e.code === 'E_PATH_OUTSIDE') return [];
      throw e;
    }
  });
  const list = patchesTouching(t, files);
  const verbose = opt.bool(args, 'verbose');
  for (const p of list) {
    const mark = !verbose ? '' : p.state === 'top' ? '= ' : p.state === 'applied' ? '+ ' : '  ';
    ctx.out.line(paint(ctx, p.state, `${mark}${displayName(t, p.name, ctx.env)}`));
  }
  return { data: list };
};
