/** graph: a dot graph of the dependencies between applied patches (quilt's `graph`). */
import { PatchqError } from '../engine/errors.js';
import { dependencyGraph } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const all = opt.bool(args, 'all');
  if (args.positionals.length > 1 || (all && args.positionals.length > 0)) {
    throw new PatchqError('E_USAGE', 'Usage: patchq graph [--all] [--reduce] [--lines[=N]] [PATCH]');
  }
  const lines = opt.str(args, 'lines');
  if (lines !== undefined && !/^\d+$/.test(lines)) throw new PatchqError('E_USAGE', `graph: option --lines needs a whole number, got '${lines}'`);
  const g = dependencyGraph(tree(ctx), {
    all,
    reduce: opt.bool(args, 'reduce'),
    cwd: ctx.cwd,
    ...(args.positionals[0] ? { patch: args.positionals[0] } : {}),
    ...(lines !== undefined ? { lines: Number(lines) } : {}),
  });
  for (const l of g.dot.slice(0, -1).split('\n')) ctx.out.line(l);
  return { data: { nodes: g.nodes, edges: g.edges, dot: g.dot } };
};
