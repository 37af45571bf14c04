import { refresh } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';
import { opt, patchArg, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const strip = opt.str(args, 'strip');
  const t = tree(ctx);
  // Options first, then QUILT_* variables, then `patchq config`, then defaults (docs/settings.md).
  const s = loadSettings(ctx.env, {
    ...(opt.num(args, 'unified') !== undefined ? { context: opt.num(args, 'unified')! } : {}),
    ...(opt.bool(args, 'git') ? { diffStyle: 'git' as const } : {}),
    ...(opt.bool(args, 'no-timestamps') ? { timestamps: false } : {}),
    ...(opt.bool(args, 'no-index') ? { index: false } : {}),
    ...(strip === 'ab' ? { prefix: 'ab' as const } : {}),
  });
  const res = refresh(t, {
    ...(args.positionals[0] ? { name: patchArg(ctx, t, args.positionals[0]) } : {}),
    force: opt.bool(args, 'force'),
    backup: opt.bool(args, 'backup'),
    sort: opt.bool(args, 'sort'),
    context: s.context.value,
    style: s.diffStyle.value,
    noTimestamps: !s.timestamps.value,
    noIndex: !s.index.value,
    ...(s.prefix.value === 'ab' && strip === undefined ? { prefix: 'ab' as const } : {}),
    ...(strip === 'ab' ? { prefix: 'ab' as const } : {}),
    ...(strip !== undefined && /^\d+$/.test(strip) ? { strip: Number(strip) } : {}),
  });
  for (const w of res.warnings) ctx.out.warn(w);
  ctx.out.line(res.message);
  return { data: { name: res.name, changed: res.changed, empty: res.empty } };
};
