/** `patchq reapply [--check] [--continue | --abort] [--drop-merged] [--markdown FILE] [--json]` */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { reapply, reapplyAbort, reapplyContinue, reportMarkdown, reportText, type ReapplyOptions, type ReapplyReport } from '../reapply/index.js';
import type { Tree } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';
import { refreshFormatFor } from './reapply-options.js';
import { opt, tree } from './common.js';
import type { Context, ParsedArgs, RunFn } from './types.js';

export function optionsFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): ReapplyOptions {
  const conflicts = opt.str(args, 'conflicts');
  if (conflicts && !['merge', 'diff3', 'rej'].includes(conflicts)) throw new PatchqError('E_USAGE', `--conflicts takes merge, diff3 or rej, not '${conflicts}'`);
  return {
    check: opt.bool(args, 'check'),
    dropMerged: opt.bool(args, 'drop-merged'),
    // --fuzz, then QUILT_PATCH_OPTS, then `patchq config set fuzz`, then 2, as push.
    fuzz: loadSettings(env, opt.num(args, 'fuzz') !== undefined ? { fuzz: opt.num(args, 'fuzz')! } : {}).fuzz.value,
    ...(conflicts ? { conflicts: conflicts as ReapplyOptions['conflicts'] } : {}),
    format: refreshFormatFor(env),
  };
}

/** What a run needs from its options, checked before it (or sync) changes anything. */
export interface Prepared {
  options: ReapplyOptions;
  /** Where the markdown report goes (its folder exists). */
  mdPath: string | null;
}

export function prepareReapply(ctx: Context, args: ParsedArgs): Prepared {
  const options = optionsFrom(args, ctx.env);
  // Where the markdown report goes is checked before the run, not found wrong after it.
  const md = opt.str(args, 'markdown');
  const mdPath = md ? resolve(ctx.cwd, md) : null;
  if (mdPath) {
    const st = statSync(mdPath, { throwIfNoEntry: false });
    const dir = statSync(dirname(mdPath), { throwIfNoEntry: false });
    if (st?.isDirectory() || !dir?.isDirectory()) {
      throw new PatchqError('E_USAGE', `--markdown ${md}: ${st?.isDirectory() ? 'is a directory' : `no folder ${dirname(md!)} to write it in`}`);
    }
  }
  return { options, mdPath };
}

export async function runReapply(ctx: Context, t: Tree, args: ParsedArgs, prepared?: Prepared): Promise<{ exitCode: number; data: ReapplyReport | { popped: string[] } }> {
  const ev = { patchStart: (name: string, i: number, total: number) => ctx.out.progress(i, total, name) };
  if (opt.bool(args, 'abort')) {
    const r = await reapplyAbort(t);
    ctx.out.line(`Reapply aborted: popped ${r.popped.length} patch(es), series and patch files restored as they were before the run.`);
    return { exitCode: 0, data: r };
  }
  const { options: o, mdPath } = prepared ?? prepareReapply(ctx, args);
  const report = opt.bool(args, 'continue') ? await reapplyContinue(t, o, ev) : await reapply(t, o, ev);
  ctx.out.progress(1, 1, '');
  for (const l of reportText(report)) ctx.out.line(l);
  if (mdPath) writeFileSync(mdPath, reportMarkdown(report));
  return { exitCode: report.ok ? 0 : 1, data: report };
}

export const run: RunFn = async (ctx, args) => {
  if (opt.bool(args, 'continue') && opt.bool(args, 'abort')) throw new PatchqError('E_USAGE', '--continue and --abort exclude each other');
  // patchq sync runs its pull with PATCHQ_SYNC_PULL set and reapplies once the pull is done,
  // with its own options: the post-merge hook's reapply inside that pull would be a second
  // run (without --drop-merged, --markdown...) that sync's own then finds in the way.
  if (ctx.env.PATCHQ_SYNC_PULL && !opt.bool(args, 'continue') && !opt.bool(args, 'abort') && !opt.bool(args, 'check')) {
    ctx.out.line('patchq sync is pulling and reapplies once the pull is done: nothing to do here');
    return { exitCode: 0, data: { skipped: 'patchq sync reapplies once its pull is done' } };
  }
  return runReapply(ctx, tree(ctx), args);
};
