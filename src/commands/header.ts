/**
 * header: print the patch header, or append (-a) / replace (-r) it from stdin, or edit it
 * in $EDITOR (-e, with --dep3 a DEP-3 template when it is empty). --dep3 alone prints the
 * DEP-3 fields parsed from it (patchq's addition; also in --json).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { dep3Template, parseDep3, readHeader, stripDiffstat, stripTrailingWhitespace, writeHeader } from '../stack/index.js';
import { opt, tree } from './common.js';
import type { Context, RunFn } from './types.js';
import { writeOut } from '../output/stdio.js';

/** Byte string (latin1) -> text for the terminal (patches are UTF-8 nearly always). */
const show = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('utf8');

/** The header's bytes as they are in the patch, as quilt's `header` cats them (a Latin-1 'Jürgen' stays one byte). */
function printBlock(ctx: Context, bytes: string): void {
  if (bytes === '' || ctx.json) return;
  writeOut(Buffer.from(bytes.replace(/\n$/, '') + '\n', 'latin1'));
}

async function editorOf(ctx: Context): Promise<string> {
  if (ctx.env.VISUAL || ctx.env.EDITOR) return (ctx.env.VISUAL || ctx.env.EDITOR)!; // as settings.ts orders them
  try {
    const { loadSettings } = await import('../settings/settings.js');
    return loadSettings(ctx.env).editor.value || 'vi';
  } catch {
    return 'vi';
  }
}

/** Run $EDITOR (words allowed: "code -w") on a temp copy; the edited bytes, or an error. */
async function edit(ctx: Context, initial: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'patchq-header-'));
  const file = join(dir, 'header');
  try {
    writeFileSync(file, Buffer.from(initial, 'latin1'));
    const editor = await editorOf(ctx);
    const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: ctx.env });
    if (r.status !== 0) throw new PatchqError('E_STATE', `editor '${editor}' exited with ${r.status ?? r.signal}; the header was not changed`);
    return readFileSync(file, 'latin1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const run: RunFn = async (ctx, args) => {
  const append = opt.bool(args, 'append');
  const replace = opt.bool(args, 'replace');
  const editing = opt.bool(args, 'edit');
  if ([append, replace, editing].filter(Boolean).length > 1 || args.positionals.length > 1) {
    throw new PatchqError('E_USAGE', 'Usage: patchq header [-a|-r|-e] [--backup] [--dep3] [--strip-diffstat] [--strip-trailing-whitespace] [PATCH]');
  }
  const t = tree(ctx);
  const given = args.positionals[0];
  const strip = { stripDiffstat: opt.bool(args, 'strip-diffstat'), stripTrailingWhitespace: opt.bool(args, 'strip-trailing-whitespace') };
  if (!append && !replace && !editing) {
    const info = readHeader(t, given, ctx.cwd);
    let header = info.header;
    if (strip.stripDiffstat) header = stripDiffstat(header);
    if (strip.stripTrailingWhitespace) header = stripTrailingWhitespace(header);
    const dep3 = parseDep3(header);
    if (opt.bool(args, 'dep3')) {
      for (const [k, v] of Object.entries(dep3.fields)) printBlock(ctx, `${k}: ${v.split('\n').map((l, i) => (i === 0 ? l : l === '' ? ' .' : ` ${l}`)).join('\n')}`);
    } else {
      printBlock(ctx, header);
    }
    return { data: { patch: info.name, header: show(header), dep3: { fields: mapShow(dep3.fields), subject: dep3.subject === null ? null : show(dep3.subject), body: show(dep3.body) } } };
  }
  let text: string;
  if (editing) {
    const current = readHeader(t, given, ctx.cwd).header;
    text = await edit(ctx, current === '' && opt.bool(args, 'dep3') ? dep3Template(new Date().toISOString().slice(0, 10)) : current);
  } else {
    text = readFileSync(0, 'latin1');
  }
  // -r keeps patchq's own Patchq-* lines (its state) unless the new text has some; -e shows
  // them to the user, so what comes back from the editor is taken as it is.
  const res = writeHeader(t, given, append ? 'append' : 'replace', text, { backup: opt.bool(args, 'backup'), keepPatchqLines: replace, cwd: ctx.cwd, ...strip });
  ctx.out.line(res.message);
  return { data: { patch: res.name, header: show(res.header), changed: res.changed } };
};

const mapShow = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, show(v)]));
