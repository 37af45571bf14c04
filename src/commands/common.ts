/** Small helpers every stack command shares. */
import { isPatchqError, PatchqError } from '../engine/errors.js';
import type { Tree } from '../stack/layout.js';
import { findPatch } from '../stack/find.js';
import { openTree, type StackEvents } from '../stack/session.js';
import { readSeriesOf } from '../stack/state.js';
import { paintLine } from '../output/color.js';
import { usageLine } from './help.js';
import { findCommand } from './registry.js';
import type { Command, Context, ParsedArgs } from './types.js';

export const tree = (ctx: Context, create = false): Tree => openTree(ctx.cwd, ctx.env, { create });

/** No series file here, or no tree at all (stack/layout.ts). */
export const noSeries = (e: unknown): e is PatchqError => isPatchqError(e) && e.data?.noSeries === true;

/**
 * The tree, for the commands quilt ends as 'nothing to do' (exit 2) where there is no
 * series: push, top and next with their message, pop with `message` ('No patch removed').
 * Scripts rely on it: `quilt pop -a || test $? = 2` (QUILT.md 2.7). A patch `named` (not
 * a count) is looked for first in quilt, and not finding it is an error (exit 1).
 */
export function treeOrNothing(ctx: Context, message?: string, named?: string): Tree {
  if (named !== undefined && !/^\d+$/.test(named)) return tree(ctx);
  try {
    return tree(ctx);
  } catch (e) {
    if (noSeries(e)) throw new PatchqError('E_NOTHING', message ?? e.message);
    throw e;
  }
}

/** Whether there is a series to list here (bare `patchq` lists it, else prints the usage). */
export function seriesHere(ctx: Context): boolean {
  try {
    tree(ctx);
    return true;
  } catch (e) {
    if (noSeries(e)) return false;
    throw e;
  }
}

/** Stack events printed as they happen, quilt's lines on stdout, progress on a TTY. */
export const events = (ctx: Context): StackEvents => ({
  line: (text) => ctx.out.line(paintLine(ctx, text)),
  patchStart: (name, i, total) => {
    if (total > 1) ctx.out.progress(i, total, name);
  },
});

export const opt = {
  bool: (a: ParsedArgs, name: string): boolean => a.options[name] === true,
  str: (a: ParsedArgs, name: string): string | undefined => (typeof a.options[name] === 'string' ? (a.options[name] as string) : undefined),
  num: (a: ParsedArgs, name: string): number | undefined => (typeof a.options[name] === 'number' ? (a.options[name] as number) : undefined),
};

/** A patch named on the command line (`x`, `x.diff`, `patches/x.diff`) -> its series entry. */
export const patchArg = (ctx: Context, t: Tree, given: string): string =>
  findPatch(t, readSeriesOf(t).map((e) => e.name), given, ctx.cwd);

/** push/pop's positional with -a is quilt's usage error, before the series is looked at. */
export function stackUsage(all: boolean, given: string | undefined, command: 'push' | 'pop'): void {
  if (all && given !== undefined) throw new PatchqError('E_USAGE', usageLine(findCommand(command) as Command));
}

/** push/pop's positional: a count stays a count, a name is resolved as quilt does; with -a, none (quilt's usage). */
export function stackTarget(ctx: Context, t: Tree, all: boolean, given: string | undefined, command: 'push' | 'pop'): string | undefined {
  stackUsage(all, given, command);
  return given === undefined || /^\d+$/.test(given) ? given : patchArg(ctx, t, given);
}
