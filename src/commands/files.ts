/** files: the files of the top (or named) patch, quilt's `files [-v] [-a] [-l] [--combine P] [PATCH]`. */
import { PatchqError } from '../engine/errors.js';
import { displayName, listFiles } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length > 1) throw new PatchqError('E_USAGE', 'Usage: patchq files [-v] [-a] [-l] [--combine PATCH] [PATCH]');
  const t = tree(ctx);
  const combine = opt.str(args, 'combine');
  const all = opt.bool(args, 'all') || combine !== undefined;
  const rows = listFiles(t, {
    ...(args.positionals[0] ? { patch: args.positionals[0] } : {}),
    all,
    cwd: ctx.cwd,
    ...(combine !== undefined ? { combine } : {}),
  });
  const verbose = opt.bool(args, 'verbose');
  const labels = opt.bool(args, 'labels');
  let last: string | null = null;
  for (const r of rows) {
    const name = displayName(t, r.patch, ctx.env);
    // quilt: -a -v heads each patch's files with its name; -l puts it on every line instead.
    if (all && verbose && !labels && r.patch !== last) ctx.out.line(name);
    last = r.patch;
    const label = labels ? (verbose ? `[${name}] ` : `${name} `) : '';
    ctx.out.line(label + (verbose && !labels ? `${r.status} ${r.file}` : r.file));
  }
  return { data: rows };
};
