import { refresh } from '../stack/index.js';
import { opt, patchArg, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const strip = opt.str(args, 'strip');
  const t = tree(ctx);
  const res = refresh(t, {
    ...(args.positionals[0] ? { name: patchArg(ctx, t, args.positionals[0]) } : {}),
    force: opt.bool(args, 'force'),
    backup: opt.bool(args, 'backup'),
    ...(opt.num(args, 'unified') !== undefined ? { context: opt.num(args, 'unified') } : {}),
    ...(opt.bool(args, 'git') ? { style: 'git' as const } : {}),
    ...(opt.bool(args, 'no-timestamps') ? { noTimestamps: true } : {}),
    ...(opt.bool(args, 'no-index') ? { noIndex: true } : {}),
    ...(strip !== undefined && /^\d+$/.test(strip) ? { strip: Number(strip) } : {}),
  });
  ctx.out.line(res.message);
  return { data: { name: res.name, changed: res.changed, empty: res.empty } };
};
