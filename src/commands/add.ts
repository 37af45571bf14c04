import { PatchqError } from '../engine/errors.js';
import { addFiles } from '../stack/index.js';
import { opt, patchArg, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length === 0) throw new PatchqError('E_USAGE', 'Usage: patchq add [-P PATCH] FILE...');
  const patch = opt.str(args, 'patch');
  const t = tree(ctx);
  const res = addFiles(t, ctx.cwd, args.positionals, patch ? { patch: patchArg(ctx, t, patch) } : {});
  for (const l of res.lines) (res.already.includes(l.split(' ')[1]!) ? ctx.out.warn : ctx.out.line)(l);
  return { exitCode: res.refused.length > 0 ? 1 : res.already.length > 0 ? 2 : 0, data: res };
};
