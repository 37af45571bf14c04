/**
 * export: the series (or the named patches) as `git format-patch` mails in DIR (default:
 * the current directory), ready for `git am DIR/*.patch` on the base tree.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { exportSeries } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { Context, RunFn } from './types.js';

/** Whom to name when a patch header names no author: git's own idea of the user. */
function fallbackAuthor(ctx: Context, root: string): string {
  const gitConfig = (key: string): string => {
    const r = spawnSync('git', ['config', key], { cwd: root, encoding: 'utf8', env: ctx.env });
    return r.status === 0 ? r.stdout.trim() : '';
  };
  const name = ctx.env.GIT_AUTHOR_NAME || gitConfig('user.name') || 'patchq';
  const email = ctx.env.GIT_AUTHOR_EMAIL || ctx.env.EMAIL || gitConfig('user.email') || 'patchq@localhost';
  return Buffer.from(`${name} <${email}>`, 'utf8').toString('latin1');
}

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const outDir = resolve(ctx.cwd, opt.str(args, 'output-directory') ?? '.');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const res = exportSeries(t, {
    names: args.positionals,
    outDir,
    numbered: opt.bool(args, 'numbered'),
    author: fallbackAuthor(ctx, t.root),
    signature: `patchq ${pkg.version}`,
    cwd: ctx.cwd,
  });
  for (const s of res.skipped) ctx.out.warn(`Patch ${s} has no diff; not exported (git am refuses empty patches)`);
  for (const e of res.exported) ctx.out.line(relative(ctx.cwd, e.file) || e.file);
  const show = (b: string) => Buffer.from(b, 'latin1').toString('utf8');
  return {
    data: {
      exported: res.exported.map((e) => ({ patch: e.patch, file: e.file, subject: show(e.subject), author: show(e.author), date: e.date })),
      skipped: res.skipped,
    },
  };
};
