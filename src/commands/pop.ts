import { pop, targetFrom, type PopOptions } from '../stack/index.js';
import { parseCommandLine } from './args.js';
import { events, opt, stackTarget, stackUsage, treeOrNothing } from './common.js';
import { refreshFormat } from './refresh.js';
import { findCommand } from './registry.js';
import type { Command, ParsedArgs, RunFn } from './types.js';

/** Everything pop takes from its options, but the target. */
function popArgs(env: NodeJS.ProcessEnv, args: ParsedArgs): Omit<PopOptions, 'target'> {
  return { force: opt.bool(args, 'force'), quiet: opt.bool(args, 'quiet'), refresh: opt.bool(args, 'refresh'), ...(opt.bool(args, 'refresh') ? { refreshFormat: refreshFormat(env) } : {}) };
}

/** `patchq pop` with no arguments, as its options (QUILT_POP_ARGS): what the TUI's `o`/`O` pop with. */
export function plainPopOptions(env: NodeJS.ProcessEnv): Omit<PopOptions, 'target'> {
  const spec = findCommand('pop') as Command;
  return popArgs(env, parseCommandLine('pop', spec.options, [], env));
}

export const run: RunFn = async (ctx, args) => {
  const all = opt.bool(args, 'all');
  stackUsage(all, args.positionals[0], 'pop');
  const t = treeOrNothing(ctx, 'No patch removed', args.positionals[0]);
  const res = await pop(t, { ...popArgs(ctx.env, args), target: targetFrom(all, stackTarget(ctx, t, all, args.positionals[0], 'pop')) }, events(ctx));
  return { data: res };
};
