/**
 * The read-only listing commands: applied, unapplied, series, top, next, previous.
 * Output and exit codes as quilt 0.66 (QUILT.md 2.6-2.7).
 */
import { PatchqError } from '../engine/errors.js';
import { paint } from '../output/color.js';
import { displayPrefix, type Tree } from '../stack/layout.js';
import { loadState } from '../stack/session.js';
import { findPatch } from '../stack/find.js';
import { noSeries, tree, treeOrNothing } from './common.js';
import type { Context, ParsedArgs, RunFn } from './types.js';

/** quilt's words (find_top_patch) where nothing is applied: an empty series says so. */
const noneApplied = (series: unknown[]): string => (series.length === 0 ? 'No patches in series' : 'No patches applied');

/** `nothing`: no series here ends the command as 'nothing to do' (exit 2), as quilt's top and next (but a next naming a patch: 1). */
function state(ctx: Context, nothing = false, named?: string) {
  const t = nothing ? treeOrNothing(ctx, undefined, named) : tree(ctx);
  const prefix = displayPrefix(t, ctx.env);
  return { t, cwd: ctx.cwd, ...loadState(t), show: (n: string) => prefix + n };
}

/** The index of a patch named as quilt names it (`x`, `x.diff`, `patches/x.diff`). */
function indexOf(s: { t: Tree; cwd: string }, names: string[], name: string): number {
  return names.indexOf(findPatch(s.t, names, name, s.cwd));
}

export const applied: RunFn = async (ctx, args) => {
  const st = state(ctx);
  const { applied: a, series, show } = st;
  let list = a;
  if (args.positionals[0]) {
    const i = indexOf(st, series.map((e) => e.name), args.positionals[0]);
    if (i >= a.length) throw new PatchqError('E_STATE', `Patch ${show(series[i]!.name)} is not applied`);
    list = a.slice(0, i + 1);
  }
  if (list.length === 0) throw new PatchqError('E_STATE', noneApplied(series)); // exit 1, as quilt's applied
  ctx.out.line(list.map(show).join('\n')); // one write for the whole list
  return { data: list };
};

export const unapplied: RunFn = async (ctx, args) => {
  const st = state(ctx);
  const { applied: a, series, show } = st;
  const names = series.map((e) => e.name);
  const from = args.positionals[0] ? indexOf(st, names, args.positionals[0]) + 1 : a.length;
  const list = names.slice(from);
  // quilt: nothing after a named patch is no error, just nothing to list.
  if (list.length === 0 && args.positionals[0]) return { data: list };
  if (list.length === 0) {
    const last = names[names.length - 1];
    throw new PatchqError('E_STATE', last ? `File series fully applied, ends at patch ${show(last)}` : 'No patches in series');
  }
  ctx.out.line(list.map(show).join('\n')); // one write for the whole list
  return { data: list };
};

export const series: RunFn = async (ctx, args: ParsedArgs) => {
  const verbose = args.options.verbose === true;
  let st: ReturnType<typeof state>;
  try {
    st = state(ctx);
  } catch (e) {
    // quilt's series: no series here lists nothing, exit 0 (-v says why, on stderr).
    if (!noSeries(e)) throw e;
    if (verbose) ctx.out.warn(e.message);
    return { data: [] };
  }
  const { t, series: s, applied: a, show } = st;
  // The names alone need no patch file or record read: one write for the whole list.
  if (!verbose && !ctx.json) {
    if (s.length > 0) ctx.out.line(s.map((e) => show(e.name)).join('\n'));
    return {};
  }
  // The rows read each patch file and record: loaded only here, so applied, top... do not load the patch-file reader.
  const { seriesRows } = await import('./series-rows.js');
  const rows = seriesRows(t, s, a);
  // Here -v, or --json (whose rows are the data; out.line prints nothing under it).
  for (const r of rows) {
    const mark = r.state === 'top' ? '=' : r.state === 'applied' ? '+' : ' ';
    const notes = [r.needsRefresh ? 'needs refresh' : '', r.drifted ? 'drifted' : '', r.template ? `template ${r.template}` : ''].filter(Boolean);
    const line = paint(ctx, r.state, `${mark} ${show(r.name)}`);
    ctx.out.line(`${line}${notes.length ? paint(ctx, 'warn', `  (${notes.join(', ')})`) : ''}`);
  }
  return { data: rows };
};

export const top: RunFn = async (ctx) => {
  const { applied: a, series: s, show } = state(ctx, true);
  const t = a[a.length - 1];
  if (!t) throw new PatchqError('E_NOTHING', noneApplied(s));
  ctx.out.line(show(t));
  return { data: t };
};

/**
 * quilt's next: the patch after the top; `next PATCH` is quilt's find_unapplied_patch:
 * PATCH itself when it is not applied, "Patch PATCH is currently applied" (exit 2) when it is.
 */
export const next: RunFn = async (ctx, args) => {
  const st = state(ctx, true, args.positionals[0]);
  const { applied: a, series: s, show } = st;
  const names = s.map((e) => e.name);
  if (args.positionals[0]) {
    const named = names[indexOf(st, names, args.positionals[0])]!;
    if (a.includes(named)) throw new PatchqError('E_NOTHING', `Patch ${show(named)} is currently applied`);
    ctx.out.line(show(named));
    return { data: named };
  }
  const n = names[a.length];
  if (!n) {
    const last = names[names.length - 1];
    throw new PatchqError('E_NOTHING', last ? `File series fully applied, ends at patch ${show(last)}` : 'No patches in series');
  }
  ctx.out.line(show(n));
  return { data: n };
};

/**
 * quilt's previous: the applied patch below the top; `previous PATCH`, the applied patch
 * below PATCH (PATCH not applied: the top, as quilt reads applied-patches up to PATCH).
 * None: exit 2, nothing said.
 */
export const previous: RunFn = async (ctx, args) => {
  const st = state(ctx);
  const { applied: a, series: s, show } = st;
  const names = s.map((e) => e.name);
  // quilt's previous without PATCH needs a top patch (exit 1 without one); before the first: exit 2.
  if (!args.positionals[0] && a.length === 0) throw new PatchqError('E_STATE', noneApplied(s));
  const named = args.positionals[0] ? names[indexOf(st, names, args.positionals[0])]! : a[a.length - 1]!;
  const below = a.includes(named) ? a.slice(0, a.indexOf(named)) : a;
  const n = below[below.length - 1];
  if (!n) throw new PatchqError('E_NOTHING', '');
  ctx.out.line(show(n));
  return { data: n };
};
