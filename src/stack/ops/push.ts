/**
 * push: apply the next patch(es) of the series, each all-or-nothing.
 *
 * Per patch: read and parse it, compute every file's result with the engine's cascade
 * (files untouched so far), and only then build ONE transaction: the .pc backups, the new
 * tree files, applied-patches and patchq's record. A patch that fails leaves every file as
 * it was (quilt: "Patch X does not apply (enforce with -f)"), unless `force`: then the
 * partial result is written with .rej files beside it and quilt's ~refresh marker.
 * The 3-way step needs a pre-image: `baseFor` is asked only for files that did not land
 * directly, so git is touched only when needed.
 */
import { join, relative } from 'node:path';
import { applyPatch, formatFileReport, parsePatch } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import type { FileInput, FilePatch, FileResult, ParsedPatch, PatchReport } from '../../engine/types.js';
import { displayName, type Tree } from '../layout.js';
import type { SeriesEntry } from '../series.js';
import { loadState, withLockAsync, type StackEvents } from '../session.js';
import { appliedOp, backupDir, metadataOps, readText, recordOp, refreshMarker, sha1, type PatchRecord } from '../state.js';
import { modeOf, parseMode, readTreeFile, treePath } from '../files.js';
import { notInSeries, type Target } from '../target.js';
import { applyTransaction, type FileOp } from '../transaction.js';

export interface PushOptions {
  target?: Target;
  force?: boolean;
  fuzz?: number;
  merge?: 'none' | 'merge' | 'diff3';
  /** Refresh each patch that landed other than exactly, right after it landed. */
  refresh?: boolean;
  leaveRejects?: boolean;
  /** Compute and report, write nothing. */
  dryRun?: boolean;
  quiet?: boolean;
  /** The 3-way pre-image of a file, when the caller can find one (reapply: git). */
  baseFor?: (patch: string, file: FilePatch) => Promise<string | null>;
  /** Base commit to record when --refresh refreshes a drifted patch. */
  refreshBase?: string;
}

export type PushStatus = 'applied' | 'forced' | 'failed' | 'already-applied';

export interface PushedPatch {
  name: string;
  report: PatchReport;
  status: PushStatus;
  /** Landed, but not every hunk exactly: the stored patch no longer matches upstream. */
  drifted: boolean;
  refreshed: boolean;
  /** quilt/GNU-worded lines for this patch. */
  lines: string[];
}

export interface PushResult {
  pushed: PushedPatch[];
  failed?: PushedPatch;
  top: string | null;
}

/** Which series entries a push target covers, given what is applied. */
export function pushList(tree: Tree, series: SeriesEntry[], applied: string[], target: Target | undefined): SeriesEntry[] {
  const rest = series.slice(applied.length);
  if (series.length === 0) throw new PatchqError('E_NOTHING', 'No patches in series');
  if (rest.length === 0) {
    throw new PatchqError('E_NOTHING', `File series fully applied, ends at patch ${displayName(tree, applied[applied.length - 1]!)}`);
  }
  if (!target) return rest.slice(0, 1);
  if ('all' in target) return rest;
  if ('count' in target) return rest.slice(0, target.count);
  const at = series.findIndex((e) => e.name === target.name);
  if (at < 0) throw notInSeries(target.name);
  if (at < applied.length) throw new PatchqError('E_NOTHING', `Patch ${displayName(tree, target.name)} is currently applied`);
  return series.slice(applied.length, at + 1);
}

export async function push(tree: Tree, opts: PushOptions = {}, ev: StackEvents = {}): Promise<PushResult> {
  return withLockAsync(tree, async () => {
    const { series, applied } = loadState(tree);
    const todo = pushList(tree, series, applied, opts.target);
    const pushed: PushedPatch[] = [];
    const nowApplied = [...applied];
    for (const [i, entry] of todo.entries()) {
      // Awaited: a screen's callback may return a promise to paint before the patch is worked on.
      await ev.patchStart?.(entry.name, i, todo.length);
      const one = await pushOne(tree, entry, nowApplied, opts, ev);
      if (one.status === 'failed' || one.status === 'already-applied') {
        return { pushed, failed: one, top: nowApplied[nowApplied.length - 1] ?? null };
      }
      nowApplied.push(entry.name);
      pushed.push(one);
      if (one.status === 'forced') return { pushed, failed: one, top: entry.name };
    }
    return { pushed, top: nowApplied[nowApplied.length - 1] ?? null };
  });
}

/** Parse a series entry's patch file, with errors naming it. */
export function loadPatch(tree: Tree, entry: SeriesEntry): ParsedPatch {
  const path = join(tree.patchesDir, entry.name);
  const text = readText(path);
  if (text === null) throw new PatchqError('E_NOT_FOUND', `Patch ${displayName(tree, entry.name)} does not exist`);
  return parsePatch(text, { strip: entry.strip, fileName: relative(tree.root, path) });
}

/** Every path a patch reads or writes, old and new sides. */
export function touchedPaths(parsed: ParsedPatch): string[] {
  const set = new Set<string>();
  for (const f of parsed.files) {
    if (f.oldPath) set.add(f.oldPath);
    if (f.newPath) set.add(f.newPath);
  }
  return [...set];
}

/** Run the engine on the tree's current files, asking for bases only where needed. */
export async function computePatch(tree: Tree, entry: SeriesEntry, parsed: ParsedPatch, opts: PushOptions) {
  const fileName = relative(tree.root, join(tree.patchesDir, entry.name));
  const current = new Map<string, string | null>();
  for (const f of parsed.files) {
    for (const p of [f.oldPath, f.newPath]) {
      if (p && !current.has(p)) current.set(p, readTreeFile(tree, p, { file: fileName, line: f.patchLine }));
    }
  }
  const engineOpts = {
    fuzz: opts.fuzz ?? 2,
    // --fuzz=0 (QUILT_PATCH_OPTS="-F0") asks for no context tolerance at all: the fuzzy
    // step beyond GNU's fuzz is off too; exact, offset and 3-way remain.
    fuzzy: opts.fuzz !== 0,
    merge: opts.merge ?? 'merge',
    reverse: entry.reverse,
    keepConflicts: Boolean(opts.force && opts.merge && opts.merge !== 'none'),
  } as const;
  const inputFor = (bases: Map<FilePatch, string | null>) => (f: FilePatch): FileInput => ({
    text: current.get((f.oldPath ?? f.newPath)!) ?? null,
    base: bases.get(f) ?? null,
  });
  let run = applyPatch(parsed, inputFor(new Map()), engineOpts);
  // A true pre-image is better evidence than fuzz: files that failed or landed fuzzy are
  // tried again with their base (3-way), which is also where git gets touched at all.
  const needsBase = (k: number) => run.results[k]!.report.status !== 'ok' || run.results[k]!.report.hunks.some((h) => h.status === 'fuzzy');
  if (opts.baseFor && engineOpts.merge !== 'none' && parsed.files.some((_, k) => needsBase(k))) {
    const bases = new Map<FilePatch, string | null>();
    for (const [k, f] of parsed.files.entries()) {
      if (needsBase(k)) bases.set(f, await opts.baseFor(entry.name, f));
    }
    if ([...bases.values()].some((b) => b !== null)) run = applyPatch(parsed, inputFor(bases), engineOpts);
  }
  return { ...run, current };
}

async function pushOne(tree: Tree, entry: SeriesEntry, applied: string[], opts: PushOptions, ev: StackEvents): Promise<PushedPatch> {
  const name = displayName(tree, entry.name);
  const lines: string[] = [`Applying patch ${name}`];
  const say = (l: string) => {
    lines.push(l);
    ev.line?.(l);
  };
  ev.line?.(lines[0]!);
  const parsed = loadPatch(tree, entry);
  if (parsed.files.length === 0) say(`Patch ${name} appears to be empty; applied`);
  const { results, report, current } = await computePatch(tree, entry, parsed, opts);
  const failedFiles = results.filter((r) => r.report.status !== 'ok');
  for (const r of results) {
    const rej = opts.force || opts.leaveRejects ? `${r.report.path}.rej` : undefined;
    for (const l of formatFileReport(r.report, rej ? { rejectsFile: rej } : {})) {
      if (!opts.quiet) say(l);
      // -q is GNU patch -s under quilt: only the count of failed hunks, without where they went.
      else if (/^\d+ out of \d+ hunks? FAILED/.test(l)) say(l.replace(/ -- .*$/, ''));
    }
  }
  const drifted = report.ok && !report.clean;
  const base: PushedPatch = { name: entry.name, report, status: 'applied', drifted, refreshed: false, lines };
  if (!report.ok && !opts.force) {
    const reversed = failedFiles.length > 0 && failedFiles.every((r) => r.report.status === 'already-applied');
    if (opts.leaveRejects && !opts.dryRun) applyTransaction(tree, rejectOps(tree, results));
    say(reversed ? `Patch ${name} can be reverse-applied` : `Patch ${name} does not apply (enforce with -f)`);
    return { ...base, status: reversed ? 'already-applied' : 'failed', drifted: false };
  }
  const forced = !report.ok;
  if (!opts.dryRun) applyTransaction(tree, pushOps(tree, entry.name, parsed, results, current, applied, forced));
  // quilt: a blank line after each patch, none under -q, and none before the forced line.
  if (forced) say(`Applied patch ${name} (forced; needs refresh)`);
  else if (!opts.quiet) say('');
  const one: PushedPatch = { ...base, status: forced ? 'forced' : 'applied' };
  if (drifted && opts.refresh && !opts.dryRun) {
    const { refreshLocked } = await import('./refresh.js');
    const r = refreshLocked(tree, { name: entry.name, ...(opts.refreshBase ? { base: opts.refreshBase } : {}) });
    say(r.changed ? `Refreshed patch ${name}` : `Patch ${name} is unchanged`);
    one.refreshed = true;
  }
  return one;
}

function rejectOps(tree: Tree, results: FileResult[]): FileOp[] {
  return results.filter((r) => r.rejects !== '').map((r) => ({ kind: 'write', path: treePath(tree, `${r.report.path}.rej`), data: r.rejects }));
}

/** The one transaction of a successful (or forced) push. */
function pushOps(tree: Tree, name: string, parsed: ParsedPatch, results: FileResult[], current: Map<string, string | null>, applied: string[], forced: boolean): FileOp[] {
  const ops: FileOp[] = [...metadataOps(tree)];
  const record: PatchRecord = { landing: null, emptyFiles: [], hashes: {}, drifted: false };
  const after = new Map<string, string | null>(current);
  // Backups first: the originals quilt (and pop) restore from. 0 bytes = did not exist.
  for (const [p, text] of current) {
    ops.push({ kind: 'write', path: join(backupDir(tree, name), p), data: text ?? '', mode: text === null ? 0o644 : (modeOf(tree, p) ?? 0o644) });
    if (text === '') record.emptyFiles.push(p);
  }
  ops.push({ kind: 'write', path: join(backupDir(tree, name), '.timestamp'), data: '' });
  results.forEach((r, k) => {
    const f = parsed.files[k]!;
    if (r.report.status === 'already-applied') return;
    const target = r.report.path;
    if (f.kind === 'rename' && f.oldPath && f.oldPath !== target) {
      ops.push({ kind: 'delete', path: treePath(tree, f.oldPath) });
      after.set(f.oldPath, null);
    }
    if (r.text === null) ops.push({ kind: 'delete', path: treePath(tree, target) });
    else {
      const mode = parseMode(r.mode) ?? modeOf(tree, f.oldPath ?? target) ?? parseMode(f.newMode) ?? 0o644;
      ops.push({ kind: 'write', path: treePath(tree, target), data: r.text, mode });
    }
    after.set(target, r.text);
    if (forced && r.rejects) ops.push({ kind: 'write', path: treePath(tree, `${target}.rej`), data: r.rejects });
  });
  for (const [p, text] of after) record.hashes[p] = sha1(text);
  record.landing = { files: results.map((r) => r.report), ok: !forced, clean: results.every((r) => r.report.hunks.every((h) => h.status === 'exact')) };
  record.drifted = !record.landing.clean;
  ops.push(recordOp(tree, name, record));
  if (forced) ops.push({ kind: 'write', path: refreshMarker(tree, name), data: '' });
  ops.push(appliedOp(tree, [...applied, name]));
  return ops;
}
