import { PatchqError } from '../engine/errors.js';
import { newPatch } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const name = args.positionals[0];
  if (!name || args.positionals.length > 1) throw new PatchqError('E_USAGE', "Usage: patchq new [-p N] PATCHNAME");
  const strip = opt.str(args, 'strip');
  ctx.out.line(newPatch(tree(ctx, true), name, strip !== undefined && /^\d+$/.test(strip) ? { strip: Number(strip) } : {}));
  return { data: { name } };
};
