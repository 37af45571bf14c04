import { refresh, refreshFork, type RefreshOptions } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';
import { splitWords } from '../settings/quilt-env.js';
import { parseCommandLine } from './args.js';
import { PatchqError } from '../engine/errors.js';
import { opt, patchArg, tree } from './common.js';
import { findCommand } from './registry.js';
import type { Command, ParsedArgs, RunFn } from './types.js';

/**
 * How refresh writes a patch: its own options first, then QUILT_* variables, then
 * `patchq config`, then defaults (docs/settings.md).
 */
function formatOf(env: NodeJS.ProcessEnv, args: ParsedArgs): RefreshOptions {
  const strip = opt.str(args, 'strip');
  // quilt's rule: labels for -p0, -p1 and -p ab only; a -p2 patch would carry no real
  // folder for the strip to take off, and could not be read back (exit 1, as quilt). The
  // same for push/pop --refresh with -p2 in QUILT_REFRESH_ARGS.
  if (strip !== undefined && strip !== 'ab' && strip !== '0' && strip !== '1') {
    throw new PatchqError('E_STATE', `Cannot refresh patches with -p${strip}, please specify -p0, -p1, or -pab instead`);
  }
  const cLines = opt.num(args, 'context-lines');
  const s = loadSettings(env, {
    ...(opt.num(args, 'unified') !== undefined ? { context: opt.num(args, 'unified')! } : {}),
    ...(cLines !== undefined ? { context: cLines } : {}),
    ...(opt.bool(args, 'git') ? { diffStyle: 'git' as const } : {}),
    ...(opt.bool(args, 'no-timestamps') ? { timestamps: false } : {}),
    ...(opt.bool(args, 'no-index') ? { index: false } : {}),
    ...(strip === 'ab' ? { prefix: 'ab' as const } : {}),
  });
  return {
    context: s.context.value,
    style: s.diffStyle.value,
    noTimestamps: !s.timestamps.value,
    noIndex: !s.index.value,
    // -p N names the level itself: the configured a/ b/ labels do not apply.
    ...(s.prefix.value === 'ab' && (strip === undefined || strip === 'ab') ? { prefix: 'ab' as const } : {}),
    ...(opt.bool(args, 'context-diff') || cLines !== undefined ? { contextFormat: true } : {}),
    ...(opt.bool(args, 'strip-trailing-whitespace') ? { stripWhitespace: true } : {}),
    // quilt's refresh runs diff with QUILT_DIFF_OPTS, as its diff does (commands/diff.ts).
    ...(showFunction(env) ? { showFunction: true } : {}),
  };
}

/** QUILT_DIFF_OPTS asks for diff -p's function lines (`-p`, `--show-c-function`). */
const showFunction = (env: NodeJS.ProcessEnv): boolean => splitWords(env.QUILT_DIFF_OPTS).some((w) => w === '-p' || w === '--show-c-function');

/**
 * The format push --refresh and pop --refresh write in: what quilt's refresh, which they
 * run, would use, QUILT_REFRESH_ARGS read with refresh's own options.
 */
export function refreshFormat(env: NodeJS.ProcessEnv): RefreshOptions {
  const spec = findCommand('refresh') as Command;
  return formatOf(env, parseCommandLine('refresh', spec.options, [], env));
}

/**
 * `patchq refresh` with no arguments, as its options: QUILT_REFRESH_ARGS (--backup,
 * --no-timestamps... a quiltrc sets), then the settings. The TUI's `r` refreshes with these,
 * so it writes the patch exactly as the command would.
 */
export function plainRefreshOptions(env: NodeJS.ProcessEnv): RefreshOptions {
  const spec = findCommand('refresh') as Command;
  return refreshArgs(env, parseCommandLine('refresh', spec.options, [], env));
}

/** Everything refresh takes from its options, but the patch named. */
function refreshArgs(env: NodeJS.ProcessEnv, args: ParsedArgs): RefreshOptions {
  const strip = opt.str(args, 'strip');
  return {
    force: opt.bool(args, 'force'),
    backup: opt.bool(args, 'backup'),
    sort: opt.bool(args, 'sort'),
    ...formatOf(env, args),
    ...(strip !== undefined && /^\d+$/.test(strip) ? { strip: Number(strip) } : {}),
  };
}

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const format = formatOf(ctx.env, args);
  const fork = opt.str(args, 'fork');
  if (fork !== undefined) {
    if (format.stripWhitespace) throw new PatchqError('E_USAGE', 'refresh: --strip-trailing-whitespace cannot be used with -z');
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
    ...refreshArgs(ctx.env, args),
  });
  for (const w of res.warnings) ctx.out.warn(w);
  ctx.out.line(res.message);
  return { data: { name: res.name, changed: res.changed, empty: res.empty } };
};
