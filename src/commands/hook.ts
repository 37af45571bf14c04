/** `patchq hook install | uninstall [--force]`: a git post-merge hook that runs reapply after a pull. */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { findGitDir } from '../git/index.js';
import { shippedDir } from '../templates/index.js';
import { opt } from './common.js';
import type { RunFn } from './types.js';

const MARK = '# installed by patchq hook install';

/** The hook script ships in templates/post-merge.hook (one copy, read when installing). */
const hookText = () => readFileSync(join(shippedDir(), 'post-merge.hook'), 'utf8');

export const run: RunFn = async (ctx, args) => {
  const sub = args.positionals[0];
  const repo = findGitDir(ctx.cwd);
  if (!repo) throw new PatchqError('E_NOT_FOUND', 'not inside a git repository');
  const path = join(repo.gitdir, 'hooks', 'post-merge');
  const ours = existsSync(path) && readFileSync(path, 'utf8').includes(MARK);
  if (sub === 'install') {
    if (existsSync(path) && !ours && !opt.bool(args, 'force')) throw new PatchqError('E_EXISTS', `${path} exists and is not patchq's; use --force to replace it`);
    mkdirSync(join(repo.gitdir, 'hooks'), { recursive: true });
    writeFileSync(path, hookText());
    chmodSync(path, 0o755);
    ctx.out.line(`Installed ${path}`);
    return { data: { installed: path } };
  }
  if (sub === 'uninstall') {
    if (!existsSync(path)) throw new PatchqError('E_NOTHING', 'no post-merge hook installed');
    if (!ours && !opt.bool(args, 'force')) throw new PatchqError('E_STATE', `${path} is not patchq's; use --force to remove it`);
    rmSync(path);
    ctx.out.line(`Removed ${path}`);
    return { data: { removed: path } };
  }
  throw new PatchqError('E_USAGE', 'Usage: patchq hook install | uninstall [--force]');
};
