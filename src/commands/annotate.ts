/** annotate: each line of a file with the patch that put it there (quilt's `annotate [-P PATCH] FILE`). */
import { PatchqError } from '../engine/errors.js';
import { annotate, displayName, treeRelative } from '../stack/index.js';
import { opt, patchArg, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length !== 1) throw new PatchqError('E_USAGE', 'Usage: patchq annotate [-P PATCH] FILE');
  const t = tree(ctx);
  const given = opt.str(args, 'patch');
  const res = annotate(t, treeRelative(t, ctx.cwd, args.positionals[0]!), given ? { patch: patchArg(ctx, t, given) } : {});
  for (const l of res.lines) ctx.out.line(`${l.patch ?? ''}\t${l.text}`);
  if (res.patches.length > 0) {
    ctx.out.line('');
    res.patches.forEach((p, i) => ctx.out.line(`${i + 1}\t${displayName(t, p, ctx.env)}`));
  }
  return { data: res };
};
