import { PatchqError } from '../engine/errors.js';
import { importPatches } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { RunFn } from './types.js';

export const run: RunFn = async (ctx, args) => {
  const strip = opt.str(args, 'strip');
  if (strip !== undefined && !/^\d+$/.test(strip)) throw new PatchqError('E_USAGE', `import: -p needs a strip level (a whole number), got '${strip}'`);
  const desc = opt.str(args, 'desc');
  if (desc !== undefined && !/^[oan]$/.test(desc)) throw new PatchqError('E_USAGE', `import: -d takes o (old header), a (all) or n (new header), got '${desc}'`, { data: { usage: true } });
  const name = opt.str(args, 'patch');
  // quilt's import of no file imports nothing: exit 0, nothing said, no tree needed.
  if (args.positionals.length === 0) return { data: { imported: [] } };
  const res = importPatches(tree(ctx, true), ctx.cwd, args.positionals, {
    ...(strip !== undefined ? { strip: Number(strip) } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(desc !== undefined ? { desc: desc as 'o' | 'a' | 'n' } : {}),
    reverse: opt.bool(args, 'reverse'),
    force: opt.bool(args, 'force'),
  });
  res.warnings.forEach((w) => ctx.out.warn(w));
  res.lines.forEach((l) => ctx.out.line(l));
  return { data: { imported: res.imported } };
};
