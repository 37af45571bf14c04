/**
 * push: apply the next patch(es) of the series, each all-or-nothing.
 *
 * Per patch: read and parse it, compute every file's result with the engine's cascade on
 * the tree as the patches before it in this run left it, and add its .pc backups, its
 * files, its record and applied-patches to the run (pending.ts), which is written as ONE
 * transaction when the run ends or stops. A patch that fails leaves every file as it was
 * (quilt: "Patch X does not apply (enforce with -f)"; the patches before it are applied),
 * unless `force`: then the partial result is written with .rej files beside it and
 * quilt's ~refresh marker.
 * The 3-way step needs a pre-image: `baseFor` (stack/bases.ts) is asked only for files
 * that did not land exactly at their stated lines (failed, fuzzy, or at an offset, where a
 * lone copy elsewhere is no proof), so a series that lands exactly never touches git.
 */
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { applyPatch, formatFileReport, leadingText, missingFileLines } from '../../engine/index.js';
import { parseCached } from '../parse-cache.js';
import { PatchqError } from '../../engine/errors.js';
import type { FileInput, FilePatch, FileResult, ParsedPatch, PatchReport } from '../../engine/types.js';
import { displayName, type Tree } from '../layout.js';
import { checkApplicable, checkNameLength, NestingIndex, type SeriesEntry } from '../series.js';
import { PendingRun } from '../pending.js';
import { loadState, withLockAsync, type StackEvents } from '../session.js';
import { backupDir, contentId, emptyRecord, recordOp, refreshMarker, stampOf, type PatchRecord } from '../state.js';
import { parseMode, treePath } from '../files.js';
import { notInSeries, type Target } from '../target.js';
import type { FileOp } from '../transaction.js';
import type { RefreshOptions } from './refresh.js';
import { readPatch } from '../patchfile.js';

export interface PushOptions {
  target?: Target;
  force?: boolean;
  fuzz?: number;
  merge?: 'none' | 'merge' | 'diff3';
  /**
   * quilt's push --refresh: refresh each patch right after it lands ("Refreshed patch X",
   * or "Patch X is unchanged" when it landed exactly and is written the same way), in
   * `refreshFormat` (the refresh settings).
   */
  refresh?: boolean;
  refreshFormat?: RefreshOptions;
  leaveRejects?: boolean;
  /** Compute and report, write nothing. */
  dryRun?: boolean;
  quiet?: boolean;
  /** The 3-way pre-image of a file, when the caller can find one (reapply: git). */
  baseFor?: (patch: string, file: FilePatch) => Promise<string | null>;
  /** Base commit to record when --refresh refreshes a drifted patch. */
  refreshBase?: string;
  /**
   * reapply: a file whose change is there already (it reverse-applies) counts as landed
   * when the patch's other files land: the patch is pushed as drifted, and its refresh
   * leaves that file out. (A plain push refuses it, as quilt does.)
   */
  acceptApplied?: boolean;
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
  // quilt's find_unapplied_patch: a named patch that is applied is that, before anything else.
  const at = target && 'name' in target ? series.findIndex((e) => e.name === target.name) : -1;
  if (target && 'name' in target) {
    if (at < 0) throw notInSeries(target.name);
    if (at < applied.length) throw new PatchqError('E_NOTHING', `Patch ${displayName(tree, target.name)} is currently applied`);
  }
  if (rest.length === 0) {
    throw new PatchqError('E_NOTHING', `File series fully applied, ends at patch ${displayName(tree, applied[applied.length - 1]!)}`);
  }
  if (!target) return rest.slice(0, 1);
  if ('all' in target) return rest;
  if ('count' in target) {
    if (target.count === 0) throw new PatchqError('E_NOTHING', 'No patch applied');
    return rest.slice(0, target.count);
  }
  return series.slice(applied.length, at + 1);
}

export async function push(tree: Tree, opts: PushOptions = {}, ev: StackEvents = {}): Promise<PushResult> {
  return withLockAsync(tree, async () => {
    if (opts.force && opts.refresh) throw new PatchqError('E_STATE', 'Options -f and --refresh are mutually exclusive');
    const { series, applied } = loadState(tree);
    const todo = pushList(tree, series, applied, opts.target);
    // quilt's check_duplicate_patches: a generated series may list a patch twice.
    const seen = new NestingIndex();
    for (const name of applied) seen.add(name);
    for (const e of todo) {
      if (seen.has(e.name)) throw new PatchqError('E_STATE', `Patch ${displayName(tree, e.name)} is already applied; check your series file`);
      // A series written by hand (or by quilt) may hold `sub` and `sub/x.diff`: their .pc
      // folders would overlap, and popping one would take the other's originals.
      const nested = seen.clash(e.name);
      if (nested !== undefined) throw new PatchqError('E_STATE', `Patch ${displayName(tree, e.name)} cannot be applied with patch ${displayName(tree, nested)}: one name is a folder of the other in .pc/; rename one of them`);
      seen.add(e.name);
      // A name written into the series by hand (or by quilt) that the file system cannot
      // hold with what .pc/ adds to it (NAME~refresh, which pop and refresh also look for).
      try {
        checkNameLength(e.name);
      } catch (err) {
        if (err instanceof PatchqError) throw new PatchqError(err.code, err.message, { file: relative(tree.root, tree.seriesPath), line: e.line });
        throw err;
      }
    }
    const pushed: PushedPatch[] = [];
    const run = new PendingRun(tree, applied);
    const walk = async (): Promise<PushResult> => {
      for (const [i, entry] of todo.entries()) {
        // Awaited: a screen's callback may return a promise to paint before the patch is worked on.
        await ev.patchStart?.(entry.name, i, todo.length);
        const one = await pushOne(tree, entry, run, opts, ev);
        if (one.status === 'failed' || one.status === 'already-applied') return { pushed, failed: one, top: null };
        pushed.push(one);
        if (one.status === 'forced') return { pushed, failed: one, top: null };
      }
      return { pushed, top: null };
    };
    const end = () => (opts.dryRun ? run.drop() : run.flush());
    let res: PushResult;
    try {
      res = await walk();
    } catch (e) {
      // A patch that cannot be read or parsed stops the run where quilt stops: the ones
      // before it are applied.
      end();
      throw e;
    }
    end();
    return { ...res, top: run.applied[run.applied.length - 1] ?? null };
  });
}

/** Parse a series entry's patch file, with errors naming it. */
export function loadPatch(tree: Tree, entry: SeriesEntry): ParsedPatch {
  return loadPatchText(tree, entry).parsed;
}

/** loadPatch, with the text it parsed (push records its hash: pop then knows it was edited). */
export function loadPatchText(tree: Tree, entry: SeriesEntry): { parsed: ParsedPatch; text: string } {
  const path = join(tree.patchesDir, entry.name);
  const text = readPatch(tree, entry.name);
  if (text === null) throw new PatchqError('E_NOT_FOUND', `Patch ${displayName(tree, entry.name)} does not exist`);
  return { parsed: parseCached(text, { strip: entry.strip, fileName: relative(tree.root, path) }), text };
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

/**
 * Run the engine on the tree's current files (as `run` has them: the disk's plus what the
 * patches before this one in the run did), asking for bases only where needed.
 */
export async function computePatch(tree: Tree, entry: SeriesEntry, parsed: ParsedPatch, opts: PushOptions, run: PendingRun = new PendingRun(tree, [])) {
  const fileName = relative(tree.root, join(tree.patchesDir, entry.name));
  const current = new Map<string, string | null>();
  for (const f of parsed.files) {
    for (const p of [f.oldPath, f.newPath]) {
      if (p && !current.has(p)) current.set(p, run.text(p, { file: fileName, line: f.patchLine }));
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
    // The run's memo: the ids the engine checks are the ones the record keeps.
    blobId: run.blobId,
  } as const;
  const inputFor = (bases: Map<FilePatch, string | null>) => (f: FilePatch): FileInput => ({
    text: current.get((f.oldPath ?? f.newPath)!) ?? null,
    base: bases.get(f) ?? null,
  });
  let res = applyPatch(parsed, inputFor(new Map()), engineOpts);
  // A true pre-image is better evidence than fuzz or a lone copy somewhere else: files that
  // failed, or had a hunk land fuzzy or at an offset, are tried again with their base
  // (3-way, which checks each landing against where the base places it). This is also
  // where git gets touched at all: a series that lands exactly never reads it.
  const needsBase = (k: number) => res.results[k]!.report.status !== 'ok' || res.results[k]!.report.hunks.some((h) => h.status === 'fuzzy' || h.status === 'offset');
  if (opts.baseFor && engineOpts.merge !== 'none' && parsed.files.some((_, k) => needsBase(k))) {
    const bases = new Map<FilePatch, string | null>();
    for (const [k, f] of parsed.files.entries()) {
      if (needsBase(k)) bases.set(f, await opts.baseFor(entry.name, f));
    }
    if ([...bases.values()].some((b) => b !== null)) res = applyPatch(parsed, inputFor(bases), engineOpts);
  }
  return { ...res, current };
}

async function pushOne(tree: Tree, entry: SeriesEntry, run: PendingRun, opts: PushOptions, ev: StackEvents): Promise<PushedPatch> {
  const name = displayName(tree, entry.name);
  const lines: string[] = [`Applying patch ${name}`];
  const say = (l: string) => {
    lines.push(l);
    ev.line?.(l);
  };
  ev.line?.(lines[0]!);
  checkApplicable(entry, relative(tree.root, tree.seriesPath));
  const { parsed, text: patchText } = loadPatchText(tree, entry);
  if (parsed.files.length === 0) say(`Patch ${name} appears to be empty; applied`);
  const { results, report, current } = await computePatch(tree, entry, parsed, opts, run);
  const failedFiles = results.filter((r) => r.report.status !== 'ok');
  results.forEach((r, i) => {
    if (r.report.missing) {
      // GNU patch's words, and nothing written for the file: its hunks are ignored.
      for (const l of missingFileLines(r.report, leadingText(patchText, parsed.files, i), Boolean(opts.quiet))) say(l);
      return;
    }
    const rej = opts.force || opts.leaveRejects ? `${r.report.path}.rej` : undefined;
    for (const l of formatFileReport(r.report, rej ? { rejectsFile: rej } : {})) {
      if (!opts.quiet) say(l);
      // -q is GNU patch -s under quilt: only the count of failed hunks, and where the
      // rejects went when they were saved (-f), not where a dry run would have put them.
      else if (/^\d+ out of \d+ hunks? FAILED/.test(l)) say(rej ? l : l.replace(/ -- .*$/, ''));
    }
  });
  // Part of the patch already there (reapply): the rest landed, so it is in, drifted.
  const partly = Boolean(opts.acceptApplied) && failedFiles.length > 0 && failedFiles.length < results.length && failedFiles.every((r) => r.report.status === 'already-applied');
  const ok = report.ok || partly;
  const drifted = ok && (!report.clean || partly);
  const base: PushedPatch = { name: entry.name, report, status: 'applied', drifted, refreshed: false, lines };
  if (!ok && !opts.force) {
    // quilt: only when the whole patch reverse-applies, not when one file of it was applied already.
    const reversed = results.length > 0 && results.every((r) => r.report.status === 'already-applied');
    if (opts.leaveRejects && !opts.dryRun) run.add(rejectOps(tree, results));
    say(reversed ? `Patch ${name} can be reverse-applied` : `Patch ${name} does not apply (enforce with -f)`);
    return { ...base, status: reversed ? 'already-applied' : 'failed', drifted: false };
  }
  const forced = !ok;
  addPush(tree, run, entry.name, parsed, results, current, forced, patchIdentity(join(tree.patchesDir, entry.name), patchText));
  const one: PushedPatch = { ...base, status: forced ? 'forced' : 'applied' };
  if (forced) say(`Applied patch ${name} (forced; needs refresh)`);
  else if (opts.refresh && !opts.dryRun) {
    run.flush(); // refresh reads the tree from disk
    const { refreshLocked } = await import('./refresh.js');
    const r = refreshLocked(tree, { ...opts.refreshFormat, name: entry.name, ...(opts.refreshBase ? { base: opts.refreshBase } : {}) });
    say(r.changed ? `Refreshed patch ${name}` : `Patch ${name} is unchanged`);
    one.refreshed = true;
  }
  // quilt: a blank line after each patch, none under -q, and none before the forced line.
  if (!forced && !opts.quiet) say('');
  return one;
}

function rejectOps(tree: Tree, results: FileResult[]): FileOp[] {
  return results.filter((r) => r.rejects !== '').map((r) => ({ kind: 'write', path: treePath(tree, `${r.report.path}.rej`), data: r.rejects }));
}

/**
 * What tells pop the patch file was edited since: its size:mtime, or, when it changed so
 * recently that an edit could keep both (the last 2 s), the hash of its text.
 */
function patchIdentity(path: string, text: string): Pick<PatchRecord, 'patchHash' | 'patchStamp'> {
  const st = statSync(path, { throwIfNoEntry: false });
  return st && st.mtimeMs < Date.now() - 2000 ? { patchStamp: stampOf(st) } : { patchHash: contentId(text)! };
}

/** What a successful (or forced) push adds to the run: backups, files, record, applied. */
function addPush(tree: Tree, run: PendingRun, name: string, parsed: ParsedPatch, results: FileResult[], current: Map<string, string | null>, forced: boolean, patchFile: Pick<PatchRecord, 'patchHash' | 'patchStamp'>): void {
  const ops: FileOp[] = [];
  const stamp = Date.now();
  const record: PatchRecord = { ...emptyRecord(), ...patchFile, before: {}, stamp };
  // A file that was not there is skipped, as GNU patch skips it: no backup, nothing written.
  const skipped = new Set(results.filter((r) => r.report.missing && current.get(r.report.path) === null).map((r) => r.report.path));
  const after = new Map<string, string | null>([...current].filter(([p]) => !skipped.has(p)));
  // Backups first: the originals quilt (and pop) restore from. 0 bytes = did not exist.
  for (const [p, text] of after) {
    ops.push(run.backupOp(p, join(backupDir(tree, name), p), text));
    if (text === '') record.emptyFiles.push(p);
    record.before![p] = run.contentId(text);
  }
  ops.push({ kind: 'write', path: join(backupDir(tree, name), '.timestamp'), data: '', mtime: stamp });
  results.forEach((r, k) => {
    const f = parsed.files[k]!;
    if (skipped.has(r.report.path)) return;
    // A file that already holds the change stays as it is; forced, its rejects are saved,
    // as the report says ("saving rejects to file F.rej") and GNU patch -f does.
    if (r.report.status === 'already-applied') {
      if (forced && r.rejects) ops.push({ kind: 'write', path: treePath(tree, `${r.report.path}.rej`), data: r.rejects });
      return;
    }
    const target = r.report.path;
    const mode = r.text === null ? 0o644 : (parseMode(r.mode) ?? run.mode(f.oldPath ?? target) ?? parseMode(f.newMode) ?? 0o644);
    if (f.kind === 'rename' && f.oldPath && f.oldPath !== target) {
      run.setText(f.oldPath, null, 0o644);
      after.set(f.oldPath, null);
    }
    run.setText(target, r.text, mode);
    after.set(target, r.text);
    if (forced && r.rejects) ops.push({ kind: 'write', path: treePath(tree, `${target}.rej`), data: r.rejects });
  });
  for (const [p, text] of after) record.hashes[p] = run.contentId(text);
  record.landing = { files: results.map((r) => r.report), ok: !forced, clean: results.every((r) => r.report.hunks.every((h) => h.status === 'exact')) };
  record.drifted = !record.landing.clean;
  ops.push(recordOp(tree, name, record));
  if (forced) ops.push({ kind: 'write', path: refreshMarker(tree, name), data: '' });
  run.add(ops);
  run.applied.push(name);
}
