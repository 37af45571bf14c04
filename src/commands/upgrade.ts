/** upgrade: quilt's `upgrade` of a .pc an older quilt made (stack/ops/upgrade.ts). */
import { findTree } from '../stack/layout.js';
import { upgrade } from '../stack/ops/upgrade.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx) => {
  const pc = ctx.env.QUILT_PC || '.pc';
  // No tree here at all: nothing to convert, as quilt's (it finds no .pc).
  let tree;
  try {
    tree = findTree(ctx.cwd, ctx.env);
  } catch {
    ctx.out.line(`The quilt meta-data in ${pc}/ are already in the version 2 format; nothing to do`);
    return { data: { converted: false, renamed: [] } };
  }
  const res = upgrade(tree, pc, (text) => ctx.out.line(text));
  if (!res.converted) ctx.out.line(res.message);
  return { data: { converted: res.converted, renamed: res.converted ? res.renamed.map(([from, to]) => ({ from, to })) : [] } };
};
