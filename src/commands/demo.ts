/**
 * `patchq demo [--dir DIR] [--keep]`: the main job on an embedded fork. Builds a tiny
 * upstream with the pooling series, pulls an upstream update with real drift, reapplies,
 * and shows the result: the TUI on a terminal, the report otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildDemo } from '../demo/build.js';
import { reapply, reportText } from '../reapply/index.js';
import { openTree } from '../stack/index.js';
import { opt } from './common.js';
import type { CommandResult, Context, ParsedArgs, RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const given = opt.str(args, 'dir');
  const parent = given ? resolve(ctx.cwd, given) : mkdtempSync(join(tmpdir(), 'patchq-demo-'));
  const root = given ? parent : join(parent, 'fork');
  const keep = Boolean(given) || opt.bool(args, 'keep') || (ctx.interactive && !opt.bool(args, 'no-tui') && !ctx.json);
  try {
    return await show(ctx, args, root, parent, keep);
  } catch (e) {
    // A temp fork nobody was told of goes with the failure (a --dir one is the user's).
    if (!given) rmSync(parent, { recursive: true, force: true });
    throw e;
  }
};

async function show(ctx: Context, args: ParsedArgs, root: string, parent: string, keep: boolean): Promise<CommandResult> {
  const demo = buildDemo(root);
  ctx.out.line('patchq demo: a fork of a small Flask app that keeps its changes as a quilt series.');
  for (const s of demo.steps) ctx.out.line(`  - ${s}`);
  ctx.out.line('');
  // The run drops the patch upstream took unless --keep-merged: say which reapply it is, so
  // the same command on a fork of one's own does the same.
  const dropMerged = !opt.bool(args, 'keep-merged');
  ctx.out.line(`Now \`patchq reapply${dropMerged ? ' --drop-merged' : ''}\` puts the series back on the new upstream:`);
  ctx.out.line('');
  const t = openTree(root, { ...ctx.env, QUILT_PATCHES: '', QUILT_SERIES: '', QUILT_PC: '' });
  const report = await reapply(t, { dropMerged }, { patchStart: (n, i, total) => ctx.out.progress(i, total, n) });
  ctx.out.progress(1, 1, '');
  for (const l of reportText(report)) ctx.out.line(l);
  ctx.out.line('');
  if (keep) ctx.out.line(`The demo fork is in ${root} (try: cd ${root} && patchq series -v && git diff patches/)`);
  if (ctx.interactive && !opt.bool(args, 'no-tui') && !ctx.json) {
    ctx.out.line('Opening the TUI on it (q quits)...');
    // The demo fork keeps quilt's default layout: a quiltrc's QUILT_PATCHES (say
    // debian/patches) must not send the TUI elsewhere. This process ends with the TUI.
    for (const k of ['QUILT_PATCHES', 'QUILT_SERIES', 'QUILT_PC'] as const) ctx.env[k] = '';
    return { exitCode: report.ok ? 0 : 1, data: report, tui: { cwd: root, report } };
  }
  if (!keep) rmSync(parent, { recursive: true, force: true });
  return { exitCode: report.ok ? 0 : 1, data: { root: keep ? root : null, steps: demo.steps, report } };
}
