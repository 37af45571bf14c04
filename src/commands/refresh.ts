import { refresh, refreshFork, type RefreshOptions } from '../stack/index.js';
import { loadSettings, type Settings } from '../settings/settings.js';
import { optionNumber, splitWords } from '../settings/quilt-env.js';
import { opt, patchArg, tree } from './common.js';
import type { RunFn } from './types.js';

/**
 * How refresh writes a patch, from the settings (QUILT_REFRESH_ARGS, QUILT_NO_DIFF_*, conf)
 * under `overrides` (refresh's own options). push --refresh and pop --refresh use it too.
 */
export function refreshFormat(env: NodeJS.ProcessEnv, overrides: Partial<Settings> = {}): RefreshOptions {
  const s = loadSettings(env, { ...refreshArgs(env), ...overrides });
  return {
    context: s.context.value,
    style: s.diffStyle.value,
    noTimestamps: !s.timestamps.value,
    noIndex: !s.index.value,
    ...(s.prefix.value === 'ab' ? { prefix: 'ab' as const } : {}),
  };
}

/**
 * What QUILT_REFRESH_ARGS says about the format. The refresh command gets those words on
 * its command line (cli.ts); push --refresh and pop --refresh read them here, as quilt's
 * own refresh, which they run, would.
 */
function refreshArgs(env: NodeJS.ProcessEnv): Partial<Settings> {
  const words = splitWords(env.QUILT_REFRESH_ARGS);
  const out: Partial<Settings> = {};
  if (words.includes('--no-timestamps')) out.timestamps = false;
  if (words.includes('--no-index')) out.index = false;
  const context = optionNumber(words, 'U', 'unified');
  if (context !== undefined) out.context = context;
  const p = words.findIndex((w) => w === '-p' || w === '-pab');
  if (p >= 0 && (words[p] === '-pab' || words[p + 1] === 'ab')) out.prefix = 'ab';
  return out;
}

export const run: RunFn = async (ctx, args) => {
  const strip = opt.str(args, 'strip');
  const t = tree(ctx);
  // Options first, then QUILT_* variables, then `patchq config`, then defaults (docs/settings.md).
  const cLines = opt.num(args, 'context-lines');
  const format = refreshFormat(ctx.env, {
    ...(opt.num(args, 'unified') !== undefined ? { context: opt.num(args, 'unified')! } : {}),
    ...(cLines !== undefined ? { context: cLines } : {}),
    ...(opt.bool(args, 'git') ? { diffStyle: 'git' as const } : {}),
    ...(opt.bool(args, 'no-timestamps') ? { timestamps: false } : {}),
    ...(opt.bool(args, 'no-index') ? { index: false } : {}),
    ...(strip === 'ab' ? { prefix: 'ab' as const } : {}),
  });
  // -p N names the level itself: the configured a/ b/ labels do not apply.
  if (strip !== undefined && strip !== 'ab') delete format.prefix;
  if (opt.bool(args, 'context-diff') || cLines !== undefined) format.contextFormat = true;
  const fork = opt.str(args, 'fork');
  if (fork !== undefined) {
    const res = refreshFork(t, fork === '' ? undefined : fork, {
      ...(args.positionals[0] ? { name: patchArg(ctx, t, args.positionals[0]) } : {}),
      ...format,
    });
    for (const w of res.warnings) ctx.out.warn(w);
    ctx.out.line(res.message);
    return { data: { name: res.name, changed: res.changed, empty: res.empty } };
  }
  const res = refresh(t, {
    ...(args.positionals[0] ? { name: patchArg(ctx, t, args.positionals[0]) } : {}),
    force: opt.bool(args, 'force'),
    backup: opt.bool(args, 'backup'),
    sort: opt.bool(args, 'sort'),
    ...format,
    ...(strip !== undefined && /^\d+$/.test(strip) ? { strip: Number(strip) } : {}),
  });
  for (const w of res.warnings) ctx.out.warn(w);
  ctx.out.line(res.message);
  return { data: { name: res.name, changed: res.changed, empty: res.empty } };
};
