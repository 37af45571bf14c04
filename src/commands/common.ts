/** Small helpers every stack command shares. */
import { PatchqError } from '../engine/errors.js';
import type { Tree } from '../stack/layout.js';
import { findPatch } from '../stack/find.js';
import { openTree, type StackEvents } from '../stack/session.js';
import { readSeriesOf } from '../stack/state.js';
import { paintLine } from '../output/color.js';
import { usageLine } from './help.js';
import { findCommand } from './registry.js';
import type { Command, Context, ParsedArgs } from './types.js';

export const tree = (ctx: Context, create = false): Tree => openTree(ctx.cwd, ctx.env, { create });

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

/** push/pop's positional: a count stays a count, a name is resolved as quilt does; with -a, none (quilt's usage). */
export function stackTarget(ctx: Context, t: Tree, all: boolean, given: string | undefined, command: 'push' | 'pop'): string | undefined {
  if (all && given !== undefined) throw new PatchqError('E_USAGE', usageLine(findCommand(command) as Command));
  return given === undefined || /^\d+$/.test(given) ? given : patchArg(ctx, t, given);
}
