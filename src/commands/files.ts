/** files: the files of the top (or named) patch, quilt's `files [-v] [-a] [-l] [--combine P] [PATCH]`. */
import { PatchqError } from '../engine/errors.js';
import { listFiles } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length > 1) throw new PatchqError('E_USAGE', 'Usage: patchq files [-v] [-a] [-l] [--combine PATCH] [PATCH]');
  const t = tree(ctx);
  const combine = opt.str(args, 'combine');
  const all = opt.bool(args, 'all') || combine !== undefined;
  const { patches, rows } = listFiles(t, {
    ...(args.positionals[0] ? { patch: args.positionals[0] } : {}),
    all,
    cwd: ctx.cwd,
    ...(combine !== undefined ? { combine } : {}),
  });
  const verbose = opt.bool(args, 'verbose');
  const labels = opt.bool(args, 'labels');
  // quilt prints these names bare (its files script does not use print_patch), even under
  // QUILT_PATCHES_PREFIX; -a -v heads every patch, one with no files too.
  const byPatch = new Map<string, typeof rows>();
  for (const r of rows) byPatch.get(r.patch)?.push(r) ?? byPatch.set(r.patch, [r]);
  for (const patch of patches) {
    if (all && verbose && !labels) ctx.out.line(patch);
    for (const r of byPatch.get(patch) ?? []) {
      const label = labels ? (verbose ? `[${patch}] ` : `${patch} `) : '';
      ctx.out.line(label + (verbose && !labels ? `${r.status} ${r.file}` : r.file));
    }
  }
  return { data: rows };
};
