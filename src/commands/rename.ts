import { PatchqError } from '../engine/errors.js';
import { renamePatch } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length !== 1) throw new PatchqError('E_USAGE', 'Usage: patchq rename [-P PATCH] NEW_NAME');
  const res = renamePatch(tree(ctx), opt.str(args, 'patch'), args.positionals[0]!, ctx.cwd);
  ctx.out.line(res.message);
  return { data: { from: res.from, to: res.to, applied: res.applied } };
};
