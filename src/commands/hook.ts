/** `patchq hook install | uninstall [--force]`: a git post-merge hook that runs reapply after a pull. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdirp } from '../fsx/atomic.js';
import { join, resolve } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { shippedDir } from '../templates/index.js';
import { opt } from './common.js';
import type { Context, RunFn } from './types.js';

const MARK = '# installed by patchq hook install';

/** The hook script ships in templates/post-merge.hook (one copy, read when installing). */
const hookText = () => readFileSync(join(shippedDir(), 'post-merge.hook'), 'utf8');

/**
 * The sha256 of each hook an earlier patchq shipped: one left as installed is patchq's
 * too, so `install` brings it up to date and `uninstall` removes it without --force.
 */
const EARLIER = new Set([
  'ba365ba81f8784b3d466d49a328567837b952145577136a66431b3b6390587a0', // looked for patches/series itself
  '00e2398fc9ae820e1074e7e99b17b2e87724b3da66a5380c9568197e44cd8853', // "the series needs a person: see the report above"
]);
const earlier = (text: string) => EARLIER.has(createHash('sha256').update(text).digest('hex'));

/**
 * Where git runs hooks from, as git itself says: the common .git/hooks in a linked
 * worktree (its own gitdir has no hooks git runs), core.hooksPath when set.
 */
function hooksDir(ctx: Context): string {
  const r = spawnSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd: ctx.cwd, encoding: 'utf8', env: ctx.env });
  if (r.error || r.status !== 0) throw new PatchqError('E_NOT_FOUND', 'not inside a git repository');
  return resolve(ctx.cwd, r.stdout.trim());
}

export const run: RunFn = async (ctx, args) => {
  const sub = args.positionals[0];
  if (sub !== 'install' && sub !== 'uninstall') throw new PatchqError('E_USAGE', 'Usage: patchq hook install | uninstall [--force]');
  const dir = hooksDir(ctx);
  const path = join(dir, 'post-merge');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : null;
  // Ours only when it is byte for byte what patchq installs: a hook someone wrote, or
  // patchq's with lines someone added, is theirs (replacing or removing it loses them).
  const ours = text === hookText() || (text !== null && earlier(text));
  const force = opt.bool(args, 'force');
  if (sub === 'install') {
    if (text !== null && !ours && !force) throw new PatchqError('E_EXISTS', `${path} exists and is not patchq's${text.includes(MARK) ? ' (it has the patchq mark, but differs from the hook this patchq installs: edited since, or from another version)' : ''}; use --force to replace it`);
    mkdirp(dir);
    writeFileSync(path, hookText());
    chmodSync(path, 0o755);
    ctx.out.line(text !== null && text !== hookText() && ours ? `Updated ${path} (the hook of an earlier patchq)` : `Installed ${path}`);
    return { data: { installed: path } };
  }
  if (text === null) throw new PatchqError('E_NOTHING', `no post-merge hook installed (${path})`);
  if (!ours && !force) throw new PatchqError('E_STATE', `${path} is not patchq's${text.includes(MARK) ? ' (it has the patchq mark, but differs from the hook this patchq installs: edited since, or from another version)' : ''}; use --force to remove it`);
  rmSync(path);
  ctx.out.line(`Removed ${path}`);
  return { data: { removed: path } };
};
