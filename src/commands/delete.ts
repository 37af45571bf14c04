import { PatchqError } from '../engine/errors.js';
import { deletePatch } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const next = opt.bool(args, 'next');
  if (args.positionals.length > 1 || (next && args.positionals.length > 0)) {
    throw new PatchqError('E_USAGE', 'Usage: patchq delete [-r] [--backup] [PATCH | -n]');
  }
  const res = deletePatch(tree(ctx), args.positionals[0], { next, remove: opt.bool(args, 'remove'), backup: opt.bool(args, 'backup'), cwd: ctx.cwd });
  res.lines.forEach((l) => ctx.out.line(l));
  return { data: { deleted: res.name, popped: res.popped, top: res.top, file: res.file } };
};
