import { displayName, makeBaseFor, push, targetFrom, type PushOptions } from '../stack/index.js';
import { parseCommandLine } from './args.js';
import { findCommand } from './registry.js';
import { PatchqError } from '../engine/errors.js';
import { paintLine } from '../output/color.js';
import { loadSettings } from '../settings/settings.js';
import { events, opt, stackTarget, stackUsage, treeOrNothing } from './common.js';
import { refreshFormat } from './refresh.js';
import type { Command, ParsedArgs, RunFn } from './types.js';

/** Everything push takes from its options and the settings, but the target and the tree. */
function pushArgs(env: NodeJS.ProcessEnv, args: ParsedArgs): PushOptions {
  const mergeOpt = opt.str(args, 'merge');
  // quilt's push takes '' (--merge=), merge and diff3, and prints its usage for anything else; none: the setting off.
  if (mergeOpt !== undefined && !['', 'merge', 'diff3', 'none'].includes(mergeOpt)) throw new PatchqError('E_USAGE', `push: --merge takes merge or diff3, got '${mergeOpt}'`, { data: { usage: true } });
  // --fuzz, then QUILT_PATCH_OPTS, then `patchq config set fuzz`, then 2; --merge likewise.
  const s = loadSettings(env, opt.num(args, 'fuzz') !== undefined ? { fuzz: opt.num(args, 'fuzz')! } : {});
  return {
    force: opt.bool(args, 'force'),
    fuzz: s.fuzz.value,
    merge: mergeOpt === undefined ? (s.merge.value === 'none' ? undefined : s.merge.value) : mergeOpt === 'diff3' ? 'diff3' : mergeOpt === 'none' ? 'none' : 'merge',
    refresh: opt.bool(args, 'refresh'),
    ...(opt.bool(args, 'refresh') ? { refreshFormat: refreshFormat(env) } : {}),
    leaveRejects: opt.bool(args, 'leave-rejects'),
    quiet: opt.bool(args, 'quiet'),
  };
}

/**
 * `patchq push` with no arguments, as its options: QUILT_PUSH_ARGS, then the settings
 * (fuzz, merge). The TUI's `p`/`P` push with these (and their own target and -f), so they
 * leave the tree exactly as the command would.
 */
export function plainPushOptions(env: NodeJS.ProcessEnv): PushOptions {
  const spec = findCommand('push') as Command;
  return pushArgs(env, parseCommandLine('push', spec.options, [], env));
}

export const run: RunFn = async (ctx, args) => {
  stackUsage(opt.bool(args, 'all'), args.positionals[0], 'push');
  const t = treeOrNothing(ctx, undefined, args.positionals[0]);
  const res = await push(
    t,
    {
      ...pushArgs(ctx.env, args),
      target: targetFrom(opt.bool(args, 'all'), stackTarget(ctx, t, opt.bool(args, 'all'), args.positionals[0], 'push')),
      // The 3-way step's pre-images (git blobs named by `index` lines, Patchq-Base:), read
      // only for a file whose hunks failed or landed fuzzy or at an offset.
      baseFor: makeBaseFor(t),
    },
    events(ctx),
  );
  if (res.top && !res.failed) ctx.out.line(paintLine(ctx, `Now at patch ${displayName(t, res.top, ctx.env)}`));
  const data = {
    pushed: res.pushed.map((p) => ({ name: p.name, status: p.status, drifted: p.drifted, refreshed: p.refreshed, report: p.report })),
    failed: res.failed ? { name: res.failed.name, status: res.failed.status, report: res.failed.report } : null,
    top: res.top,
  };
  return { exitCode: res.failed ? 1 : 0, data };
};

