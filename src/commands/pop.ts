import { pop, targetFrom } from '../stack/index.js';
import { events, opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const res = await pop(tree(ctx), { target: targetFrom(opt.bool(args, 'all'), args.positionals[0]), force: opt.bool(args, 'force'), quiet: opt.bool(args, 'quiet') }, events(ctx));
  return { data: res };
};
