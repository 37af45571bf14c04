/**
 * diff: the top (or named) patch as refresh would write it (quilt's `diff`). Bytes are
 * written as they are: content that is not UTF-8 still comes out byte for byte, so the
 * output feeds `patch -p1` and `git apply`. Colour (when enabled) as quilt paints it.
 */
import { paint } from '../output/color.js';
import { diffPatch, treeRelative } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';
import { splitWords } from '../settings/quilt-env.js';
import { opt, tree } from './common.js';
import type { Context, RunFn } from './types.js';
import { writeOut } from '../output/stdio.js';

export const run: RunFn = async (ctx, args) => {
  const t = tree(ctx);
  const settings = loadSettings(ctx.env);
  const diffOpts = splitWords(ctx.env.QUILT_DIFF_OPTS);
  const strip = opt.str(args, 'strip') ?? (settings.prefix.value === 'ab' ? 'ab' : undefined);
  const res = diffPatch(t, {
    ...(opt.str(args, 'patch') ? { patch: opt.str(args, 'patch')! } : {}),
    ...(opt.str(args, 'combine') !== undefined ? { combine: opt.str(args, 'combine')! } : {}),
    ...(strip !== undefined ? { strip } : {}),
    context: opt.num(args, 'unified') ?? opt.num(args, 'context-lines') ?? settings.context.value,
    contextFormat: opt.bool(args, 'context-diff') || opt.num(args, 'context-lines') !== undefined,
    sinceRefresh: opt.bool(args, 'since-refresh'),
    snapshot: opt.bool(args, 'snapshot'),
    reverse: opt.bool(args, 'reverse'),
    noTimestamps: opt.bool(args, 'no-timestamps') || !settings.timestamps.value,
    noIndex: opt.bool(args, 'no-index') || !settings.index.value,
    git: opt.bool(args, 'git') || settings.diffStyle.value === 'git',
    sort: opt.bool(args, 'sort'),
    showFunction: diffOpts.includes('-p') || diffOpts.includes('--show-c-function'),
    files: args.positionals.map((f) => treeRelative(t, ctx.cwd, f)),
    cwd: ctx.cwd,
  });
  if (!ctx.json) emit(ctx, res.text);
  for (const w of res.warnings) ctx.out.warn(w);
  return { data: { patch: res.patch, patches: res.patches, files: res.files, warnings: res.warnings } };
};

/** quilt's colours: headers, added, removed, and the @@ part of hunk headers. */
function colorize(ctx: Context, line: string): string {
  if (/^(Index:|---|\+\+\+|diff --git|index |new file|deleted file|old mode|new mode) ?/.test(line)) return paint(ctx, 'diff-header', line);
  if (line.startsWith('+')) return paint(ctx, 'diff-add', line);
  if (line.startsWith('-')) return paint(ctx, 'diff-del', line);
  const h = /^(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)(.*)$/s.exec(line);
  return h ? paint(ctx, 'diff-hunk', h[1]!) + h[2]! : line;
}

function emit(ctx: Context, text: string): void {
  if (text === '') return;
  const bytes = Buffer.from(text, 'latin1');
  if (!ctx.color) {
    writeOut(bytes);
    return;
  }
  // Colour only on valid UTF-8 (a terminal); anything else goes out raw.
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    writeOut(bytes);
    return;
  }
  const lines = decoded.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) ctx.out.line(colorize(ctx, l));
}
