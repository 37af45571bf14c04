/**
 * edit: `add` the files to the top patch, then open them in the editor (quilt's `edit`).
 * Editor: the editor setting ($VISUAL, else $EDITOR, else `patchq config set editor`,
 * else vi), run through the shell so "code -w" works. A file that did not exist before
 * and that the editor did not create is taken out of the patch again (exit 1), as quilt does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { addFiles, appliedPatch, loadState, readBackup, readRecord, removeFiles, treeRelative } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';
import { tree } from './common.js';
import type { RunFn } from './types.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const run: RunFn = async (ctx, args) => {
  if (args.positionals.length === 0) throw new PatchqError('E_USAGE', 'Usage: patchq edit FILE...');
  const t = tree(ctx);
  appliedPatch(t, loadState(t)); // quilt's wording when there is no top patch
  const added = addFiles(t, ctx.cwd, args.positionals);
  for (const l of added.lines) (l.includes('is already in patch') ? ctx.out.warn : ctx.out.line)(l);
  // As quilt's edit: an add that failed (a file below patches/ or .pc/) ends it before the editor.
  if (added.refused.length > 0) return { exitCode: 1, data: { patch: appliedPatch(t, loadState(t)), added: added.added, already: added.already, refused: added.refused } };
  const editor = loadSettings(ctx.env).editor.value;
  // As quilt: from the top of the tree, with the files named from there (subdir/foo).
  const files = args.positionals.map((f) => treeRelative(t, ctx.cwd, f));
  const r = spawnSync(`${editor} ${files.map(quote).join(' ')}`, { shell: true, stdio: 'inherit', cwd: t.root, env: ctx.env });
  if (r.error) throw new PatchqError('E_IO', `cannot run the editor '${editor}': ${r.error.message}`);
  let status = r.status ?? 1;
  const top = appliedPatch(t, loadState(t));
  // Did not exist before (patchq's record knows a real empty file from quilt's "new file" backup).
  const rec = readRecord(t, top);
  const gone = files.filter((f) => !existsSync(join(t.root, f)) && existsSync(join(t.pcDir, top, f)) && readBackup(t, top, f, rec).text === null);
  let removed: string[] = [];
  if (gone.length > 0) {
    const res = removeFiles(t, gone);
    for (const l of res.lines) ctx.out.line(l);
    removed = res.removed;
    status = 1;
  }
  return { exitCode: status, data: { patch: top, added: added.added, already: added.already, editor, editorStatus: r.status, removed } };
};
