import { pop, targetFrom } from '../stack/index.js';
import { events, opt, stackTarget, treeOrNothing } from './common.js';
import { refreshFormat } from './refresh.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const t = treeOrNothing(ctx, 'No patch removed');
  const all = opt.bool(args, 'all');
  const res = await pop(t, { target: targetFrom(all, stackTarget(ctx, t, all, args.positionals[0], 'pop')), force: opt.bool(args, 'force'), quiet: opt.bool(args, 'quiet'), refresh: opt.bool(args, 'refresh'), ...(opt.bool(args, 'refresh') ? { refreshFormat: refreshFormat(ctx.env) } : {}) }, events(ctx));
  return { data: res };
};
