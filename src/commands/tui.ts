/**
 * `patchq tui`: open the interactive view on this tree. The command only checks that the
 * tree exists and that stdout and stdin are a terminal that can move the cursor; cli.ts
 * loads the TUI itself (`result.tui`), so ink and react are imported only here, never by
 * the CLI's static graph.
 */
import { PatchqError } from '../engine/errors.js';
import { tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx) => {
  const t = tree(ctx);
  if (!ctx.tty) throw new PatchqError('E_USAGE', 'patchq tui needs a terminal (stdout is not a TTY)');
  // Keys come from stdin: without a terminal there ink failed ("Raw mode is not supported").
  if (!ctx.interactive) {
    throw new PatchqError('E_USAGE', ctx.env.TERM === 'dumb' ? 'patchq tui needs a terminal that can move the cursor (TERM is dumb)' : 'patchq tui needs a terminal (stdin is not a TTY)');
  }
  return { tui: { cwd: t.root } };
};
