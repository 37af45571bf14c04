/** fold: apply a patch from stdin into the top patch (quilt's `fold [-R] [-q] [-f] [-p N] < patch`). */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { PatchqError, isPatchqError } from '../engine/errors.js';
import { fold } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length > 0) throw new PatchqError('E_USAGE', 'Usage: patchq fold [-R] [-q] [-f] [-p N] < PATCH');
  if (process.stdin.isTTY) throw new PatchqError('E_USAGE', 'fold reads the patch from standard input: patchq fold < FILE');
  const t = tree(ctx);
  const rel = relative(t.root, ctx.cwd);
  const subdir = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : '';
  let text: string;
  try {
    text = readFileSync(0, 'latin1');
  } catch (e) {
    throw new PatchqError('E_IO', `cannot read standard input: ${(e as Error).message}`);
  }
  try {
    const res = fold(t, text, {
      reverse: opt.bool(args, 'reverse'),
      quiet: opt.bool(args, 'quiet'),
      force: opt.bool(args, 'force'),
      ...(opt.num(args, 'strip') !== undefined ? { strip: opt.num(args, 'strip')! } : {}),
      // --fuzz, else QUILT_PATCH_OPTS (-F N / --fuzz=N), else the fuzz setting, else 2.
      fuzz: opt.num(args, 'fuzz') ?? loadSettings(ctx.env).fuzz.value,
      ...(subdir ? { subdir } : {}),
    });
    for (const l of res.lines) ctx.out.line(l);
    return { data: { patch: res.patch, added: res.added, forced: res.forced, report: res.report } };
  } catch (e) {
    // The per-hunk report comes before the one-line refusal, as push prints it.
    if (isPatchqError(e) && e.code === 'E_APPLY' && Array.isArray(e.data?.lines)) for (const l of e.data.lines as string[]) ctx.out.line(l);
    throw e;
  }
};
