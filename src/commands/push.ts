import { PatchqError } from '../engine/errors.js';
import { displayName, push, targetFrom } from '../stack/index.js';
import { paintLine } from '../output/color.js';
import { events, opt, stackTarget, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const mergeOpt = opt.str(args, 'merge');
  const fuzzEnv = /(?:--fuzz[= ]|-F ?)(\d+)/.exec(ctx.env.QUILT_PATCH_OPTS ?? '');
  const res = await push(
    t,
    {
      target: targetFrom(opt.bool(args, 'all'), stackTarget(ctx, t, opt.bool(args, 'all'), args.positionals[0])),
      force: opt.bool(args, 'force'),
      fuzz: opt.num(args, 'fuzz') ?? (fuzzEnv ? Number(fuzzEnv[1]) : undefined),
      merge: mergeOpt === undefined ? undefined : mergeOpt === 'diff3' ? 'diff3' : mergeOpt === 'none' ? 'none' : 'merge',
      refresh: opt.bool(args, 'refresh'),
      leaveRejects: opt.bool(args, 'leave-rejects'),
      quiet: opt.bool(args, 'quiet'),
    },
    events(ctx),
  );
  if (res.top && (!res.failed || res.failed.status === 'forced')) {
    if (!res.failed) ctx.out.line(paintLine(ctx, `Now at patch ${displayName(t, res.top, ctx.env)}`));
  }
  const data = {
    pushed: res.pushed.map((p) => ({ name: p.name, status: p.status, drifted: p.drifted, refreshed: p.refreshed, report: p.report })),
    failed: res.failed ? { name: res.failed.name, status: res.failed.status, report: res.failed.report } : null,
    top: res.top,
  };
  return { exitCode: res.failed ? 1 : 0, data };
};

export { PatchqError };
