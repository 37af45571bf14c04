/** `patchq fork [NEW_NAME]`: the top patch goes on under a new name; the old file stays (quilt's fork). */
import { PatchqError } from '../engine/errors.js';
import { forkPatch } from '../stack/index.js';
import { tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length > 1) throw new PatchqError('E_USAGE', 'Usage: patchq fork [NEW_NAME]');
  const res = forkPatch(tree(ctx), args.positionals[0], ctx.cwd);
  ctx.out.line(res.message);
  return { data: { from: res.from, to: res.to } };
};
