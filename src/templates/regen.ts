/**
 * Template patches in a series: create one (`new --template`) and regenerate one on the
 * current tree (`regen`, and reapply when a template patch drifted or fails). Both write
 * through the stack's one transaction.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import { applyFilePatch, isAlreadyApplied, sameExceptStamps } from '../engine/index.js';
import type { Hunk, ParsedPatch } from '../engine/types.js';
import { applyTransaction, backedUpFiles, displayName, readSeries, insertEntry, loadPatch, newEntryLine, loadState, pop, push, readBackup, readPatch, readRecord, readText, splitPatchText, withBase, withLock, writePatchOp, writeSeriesOp, type FileOp, type PushResult, type StackEvents, type Tree, type DiffFormat, type SeriesEntry } from '../stack/index.js';
import { findTemplate, loadTemplate, type Template } from './template.js';
import { parseTemplateHeader, runTemplate, templateHeader, templatePatch, type TemplateRun, type TemplateView } from './run.js';
import { templateDirs } from './index.js';

function failChecks(tpl: Template, run: TemplateRun): never {
  const bad = run.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  throw new PatchqError('E_APPLY', `template ${tpl.name} did less than it should (${bad.join('; ')}); nothing was written`, { file: tpl.path });
}

/**
 * Patch text for a run: the template header (or the old header), a blank line, the diff in
 * `format` (what `patchq refresh` would write: the caller reads it from the user's settings)
 * for the series entry `entry` (its -p level and -pab labels, as refresh writes them).
 */
export function patchTextFor(tree: Tree, tpl: Template, run: TemplateRun, oldHeader?: string, format: DiffFormat = {}, entry?: Pick<SeriesEntry, 'strip' | 'ab'>): string {
  return (oldHeader ?? `${templateHeader(tpl, run.params)}\n`) + diffFor(tree, run, format, entry);
}

/** The diff part of patchTextFor. */
function diffFor(tree: Tree, run: TemplateRun, format: DiffFormat = {}, entry?: Pick<SeriesEntry, 'strip' | 'ab'>): string {
  // refresh's rule: a -pab entry gets a/ b/ labels; labels are made for -p0 and -p1 only.
  const fmt: DiffFormat = entry?.ab && format.prefix === undefined ? { ...format, prefix: 'ab' } : format;
  const strip = entry && entry.strip <= 1 ? entry.strip : 1;
  return templatePatch(run, { dirName: basename(tree.root), format: fmt, strip });
}

/**
 * `patchq new [-p 0|1|ab] NAME --template T`: the patch file and series entry, unapplied; the
 * caller pushes it. `format`: as `patchq refresh` would write the patch. `level`: new's -p,
 * in the series as `patchq new -p` writes it (-p0, -pab) and in the labels as refresh writes
 * them for that entry.
 */
export async function createTemplatePatch(tree: Tree, name: string, templateName: string, params: Record<string, string>, format: DiffFormat = {}, level: { strip?: 0 | 1; ab?: boolean } = {}): Promise<TemplateRun> {
  const tpl = loadTemplate(findTemplate(templateName, templateDirs(tree.patchesDir)));
  const run = await runTemplate(tpl, tree.root, params);
  if (!run.ok) failChecks(tpl, run);
  if (run.files.every((f) => f.before === f.after)) {
    throw new PatchqError('E_NOTHING', `template ${tpl.name} changes nothing in this tree (files: ${tpl.include.join(', ')})`);
  }
  withLock(tree, () => {
    const { series, applied } = loadState(tree);
    if (series.some((e) => e.name === name)) throw new PatchqError('E_EXISTS', `Patch ${name} exists already`);
    const top = applied[applied.length - 1] ?? null;
    const ops: FileOp[] = [
      writeSeriesOp(tree, insertEntry(readText(tree.seriesPath) ?? '', series, top, newEntryLine(name, level))),
      writePatchOp(tree, name, patchTextFor(tree, tpl, run, undefined, format, { strip: level.strip ?? 1, ab: level.ab ?? false })),
    ];
    // Keep a copy of the template beside the series, so the fork is self-contained.
    const copy = join(tree.patchesDir, 'templates', `${tpl.name}.yaml`);
    if (!existsSync(copy)) ops.push({ kind: 'write', path: copy, data: Buffer.from(tpl.source, 'utf8') });
    applyTransaction(tree, ops);
  });
  return run;
}

export interface Regenerated {
  name: string;
  template: string;
  oldText: string;
  newText: string;
  changed: boolean;
  run: TemplateRun;
}

/** Is this series entry a template patch? */
export function templateOf(tree: Tree, name: string): { name: string; params: Record<string, string> } | null {
  const text = readPatch(tree, name);
  if (text === null) return null;
  // The header alone: the diff below it is read with the series entry's -p by push.
  return parseTemplateHeader(splitPatchText(text).header);
}

/**
 * Regenerate an UNAPPLIED template patch on the tree as it is now (the state below it, or
 * `view`): its new text, header kept, in memory; the caller writes it and pushes. `base`:
 * the upstream commit the tree is at, recorded as `Patchq-Base:` when the patch changes, as
 * a refresh records it (reapply; the 3-way step reads the pre-images there). A new text that
 * differs from the old one only in the timestamps of its ---/+++ lines is no change: `newText`
 * is then the old text, byte for byte.
 */
export async function regenerate(tree: Tree, name: string, opts: { view?: TemplateView; base?: string; format?: DiffFormat } = {}): Promise<Regenerated> {
  const oldText = readPatch(tree, name);
  if (oldText === null) throw new PatchqError('E_NOT_FOUND', `Patch ${name} does not exist`);
  const header = splitPatchText(oldText).header;
  const meta = parseTemplateHeader(header);
  if (!meta) throw new PatchqError('E_USAGE', `Patch ${name} is not a template patch (no Patchq-Template: header line)`);
  const tpl = loadTemplate(findTemplate(meta.name, templateDirs(tree.patchesDir)));
  const known = Object.fromEntries(Object.entries(meta.params).filter(([k]) => k in tpl.parameters));
  const run = await runTemplate(tpl, tree.root, known, opts.view);
  if (!run.ok) failChecks(tpl, run);
  const diff = diffFor(tree, run, opts.format, readSeries(tree).find((e) => e.name === name));
  // The patch on disk may carry timestamps (refreshed with them, or written by quilt); one
  // made in memory has none. Only those differing is no change: the file is kept as it is.
  const changed = !sameExceptStamps(oldText, header + diff);
  const newText = !changed ? oldText : (opts.base ? withBase(header, opts.base) : header) + diff;
  return { name, template: tpl.name, oldText, newText, changed, run };
}

/** A hunk cut at its runs of changed lines: one hunk per run, with up to 3 context lines each side. */
function changeRuns(h: Hunk): Hunk[] {
  const L = h.lines;
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let [o, n] = [h.oldCount ? h.oldStart : h.oldStart + 1, h.newCount ? h.newStart : h.newStart + 1];
  for (const l of L) {
    oldAt.push(o);
    newAt.push(n);
    if (l.op !== '+') o++;
    if (l.op !== '-') n++;
  }
  const out: Hunk[] = [];
  for (let i = 0; i < L.length; ) {
    if (L[i]!.op === ' ') {
      i++;
      continue;
    }
    let j = i;
    while (j < L.length && L[j]!.op !== ' ') j++;
    let a = i;
    while (a > 0 && L[a - 1]!.op === ' ' && i - a < 3) a--;
    let b = j;
    while (b < L.length && L[b]!.op === ' ' && b - j < 3) b++;
    const lines = L.slice(a, b);
    const oldCount = lines.filter((l) => l.op !== '+').length;
    const newCount = lines.filter((l) => l.op !== '-').length;
    out.push({ ...h, lines, oldCount, newCount, oldStart: oldCount ? oldAt[a]! : oldAt[a]! - 1, newStart: newCount ? newAt[a]! : newAt[a]! - 1 });
    i = j;
  }
  return out;
}

/**
 * What a template patch does that its regeneration does not: hunks of the old patch whose
 * place is as it was (each applies, exactly or at an offset, to the files below it) but
 * whose change the regenerated files do not hold. A hand edit, or a template changed since:
 * regenerating drops it. Where upstream changed a hunk's place the template is trusted.
 * `read` gives the files as the template ran on them. Returns "path hunk N" for each.
 */
export function changesNotRegenerated(old: ParsedPatch, read: (path: string) => string | null, run: TemplateRun): string[] {
  const lost: string[] = [];
  for (const f of old.files) {
    if (f.binary || f.kind === 'rename' || f.kind === 'copy') continue;
    const path = (f.newPath ?? f.oldPath)!;
    const now = f.oldPath ? read(f.oldPath) : null;
    const regen = run.files.find((x) => x.path === path);
    const after = regen ? regen.after : read(path);
    f.hunks.forEach((h, k) => {
      // A hunk whose place upstream changed may still hold a change next to the rule's whose
      // own place is intact (a hand edit two lines above the call, upstream editing a line
      // below it): each run of changed lines, with the context lines beside it, is judged.
      const runs = changeRuns(h);
      const parts = runs.length > 1 ? [h, ...runs] : [h];
      const drops = (x: Hunk) => {
        const one = { ...f, hunks: [x], index: undefined };
        const intact = applyFilePatch(one, { text: now }, { fuzz: 0, fuzzy: false, merge: 'none' }).report.status === 'ok';
        return intact && !isAlreadyApplied(one, after);
      };
      if (parts.some(drops)) lost.push(`${path} hunk ${k + 1}`);
    });
  }
  return lost;
}

export interface RegenInStack extends Regenerated {
  /** The push that put the patch back (null for a dry run). */
  pushed: PushResult | null;
  /** Changes of the old patch the regenerated one does not make ("path hunk N"): see changesNotRegenerated. */
  dropped: string[];
}

/**
 * `patchq regen NAME` on a stack, the one implementation the CLI and the TUI share: the
 * patch must be the top (popped first) or the next one; it is regenerated on the tree below
 * it, then pushed again. A dry run of an unapplied patch writes nothing. A regeneration that
 * would drop changes the old patch makes and its template does not (a hand edit, or a
 * template changed since) is refused before anything is written, unless `force`.
 */
export async function regenInStack(tree: Tree, name: string, opts: { dryRun?: boolean; force?: boolean; format?: DiffFormat } = {}, events: StackEvents = {}): Promise<RegenInStack> {
  const { series, applied } = loadState(tree);
  const entry = series.find((e) => e.name === name);
  if (!entry) throw new PatchqError('E_NOT_FOUND', `Patch ${name} is not in series`);
  if (!templateOf(tree, name)) throw new PatchqError('E_USAGE', `Patch ${name} is not a template patch`);
  const at = applied.indexOf(name);
  if (at >= 0 && at !== applied.length - 1) {
    throw new PatchqError('E_STATE', `Patch ${displayName(tree, name)} is applied below other patches; pop to it first ('patchq pop ${name}')`);
  }
  if (at < 0 && series.findIndex((e) => e.name === name) !== applied.length) {
    throw new PatchqError('E_STATE', `Patch ${displayName(tree, name)} is not the next patch; push up to the patch before it first`);
  }
  // First in memory, on the files below the patch (for the applied top patch, the originals
  // .pc keeps): what it would write, and what that would drop. Nothing popped yet.
  let view: TemplateView | undefined;
  if (at >= 0) {
    const rec = readRecord(tree, name);
    const below = new Map(backedUpFiles(tree, name).map((f) => [f, readBackup(tree, name, f, rec).text]));
    view = { read: (p) => (below.has(p) ? below.get(p)! : readText(join(tree.root, p))), also: below.keys() };
  }
  const probe = await regenerate(tree, name, { ...(view ? { view } : {}), ...(opts.format ? { format: opts.format } : {}) });
  const read = view ? view.read : (p: string) => readText(join(tree.root, p));
  const dropped = probe.changed ? changesNotRegenerated(loadPatch(tree, entry), read, probe.run) : [];
  if (opts.dryRun) return { ...probe, pushed: null, dropped };
  if (dropped.length && !opts.force) {
    throw new PatchqError(
      'E_STATE',
      `regenerating ${displayName(tree, name)} would drop changes it makes that template ${probe.template} does not (edited by hand, or the template changed): ${dropped.join(', ')}; nothing was changed (regen -f drops them)`,
    );
  }
  // The probe ran on the files below the patch, which is what the tree holds once it is
  // popped: its text is the one to write (the template does not run twice).
  if (at >= 0) await pop(tree, {}, events);
  if (probe.changed) withLock(tree, () => applyTransaction(tree, [writePatchOp(tree, name, probe.newText)]));
  const pushed = await push(tree, { target: { name } }, events);
  return { ...probe, pushed, dropped };
}
