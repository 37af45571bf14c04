/**
 * reapply: after `git pull upstream`, put the whole series back on the new upstream.
 *
 * For each unapplied patch, in series order:
 *   template patch  -> regenerate it on the tree below it (the rule sees reformatted code
 *                      and new modules), then push it; changed text = "regenerated"; a rule
 *                      that changes nothing = "merged-upstream"; hunks of the old patch the
 *                      rule does not make (hand edits) or failing checks stop the run
 *   ordinary patch  -> push through the cascade, 3-way bases from git (the blob of the
 *                      patch's `index` line, or the file at its `Patchq-Base:` commit);
 *                      exact = "exact"; landed otherwise = refresh it against the new
 *                      upstream (recording Patchq-Base) = "refreshed"
 *   already there   -> "merged-upstream" (reverse-applies); dropped with --drop-merged
 *   fails           -> stop here: push -f lays the conflict out (merge markers where a base
 *                      is known, .rej otherwise), the stack stays consistent (quilt's forced
 *                      state), and the run waits for --continue or --abort
 * Old patch texts are kept in .pc/.patchq/reapply/<run>/old/ for review and for --abort;
 * the run's state lives in .pc/.patchq/reapply.json (atomic writes). What would stop a run
 * half-way (a missing, doubled or broken patch, a broken template) is refused before it
 * starts; a run holds the tree's lock from its first step to its last.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PatchqError } from '../engine/errors.js';
import type { Hunk, PatchReport } from '../engine/types.js';
import { diffHunks, rejectText, reverseFilePatch, reverseHunk, runCascade } from '../engine/index.js';
import { findGitDir, headCommit, resolveCommit } from '../git/index.js';
import type { RenameFinding } from '../git/renames.js';
import { fileJson } from '../stack/json.js';
import type { RefreshOptions } from '../stack/index.js';
import {
  applyTransaction,
  appliedPatches,
  checkApplicable,
  backedUpFiles,
  contentId,
  currentRecord,
  loadPatch,
  loadState,
  makeBaseFor,
  parseSeries,
  pop,
  push,
  readSeries,
  readBackup,
  readPatch,
  readRecord,
  readText,
  refresh,
  removeEntry,
  touchedPaths,
  withLock,
  withLockAsync,
  writePatchOp,
  writeSeriesOp,
  type FileOp,
  type PatchRecord,
  type Tree,
} from '../stack/index.js';
import { changesNotRegenerated, findTemplate, loadTemplate, parseTemplateHeader, regenerate, templateDirs, templateOf } from '../templates/index.js';
import { checkRun, checkTargets } from './check.js';
import { renamesOf } from './renames.js';

export type Outcome = 'exact' | 'refreshed' | 'regenerated' | 'merged-upstream' | 'dropped' | 'failed' | 'resolved' | 'not-run' | 'would-refresh' | 'would-regenerate' | 'would-fail';

export interface PatchOutcome {
  name: string;
  outcome: Outcome;
  report: PatchReport | null;
  template?: string;
  /** Files a regenerated template patch now covers that the old patch did not. */
  newFiles?: string[];
  /** Changes of the old template patch its regeneration dropped ("path hunk N"): the run stops there. */
  handEdits?: string[];
  /** The patch as it was before this run, when the run rewrote it. */
  oldCopy?: string;
  /** The .rej files a stop wrote (tree paths): a person's to read, --continue and --abort remove them. */
  rejects?: string[];
  /** Files of a stopped patch gone from the tree: where upstream put them, if git shows it. */
  renames?: RenameFinding[];
  reason?: string;
}

export interface ReapplyReport {
  runId: string;
  check: boolean;
  /** The upstream commit the series was put back on (git HEAD), if a git repository. */
  base: string | null;
  patches: PatchOutcome[];
  stoppedAt: string | null;
  /** Patches that were applied before the run and were popped first. */
  poppedFirst: string[];
  ok: boolean;
}

export interface ReapplyOptions {
  check?: boolean;
  dropMerged?: boolean;
  fuzz?: number;
  /** How a failing patch is laid out for a person: merge markers (3-way) or .rej files. */
  conflicts?: 'merge' | 'diff3' | 'rej';
  /**
   * How a drifted patch is written when the run refreshes it: the format the user's own
   * `patchq refresh` writes (settings, QUILT_REFRESH_ARGS, QUILT_DIFF_OPTS), so a refreshed
   * patch differs from the old one only where it moved. Default: refresh's defaults.
   */
  format?: Pick<RefreshOptions, 'context' | 'contextFormat' | 'style' | 'noTimestamps' | 'noIndex' | 'prefix' | 'showFunction'>;
}

export interface ReapplyEvents {
  /** Awaited when it returns a promise (a screen paints the progress before the patch is worked on). */
  patchStart?(name: string, index: number, total: number): void | Promise<void>;
  line?(text: string): void;
}

interface RunState {
  runId: string;
  base: string | null;
  /** The commit before the pull (ORIG_HEAD): the pre-image of a patch that names no base. */
  preBase?: string | null;
  seriesText: string;
  pushedByRun: string[];
  outcomes: PatchOutcome[];
  poppedFirst: string[];
  stoppedAt: string | null;
  /** .rej files the stopped patch's forced push wrote (ours to remove on continue/abort). */
  rejects?: string[];
  /** Those of them whose hunks are in no file (no merge markers beside them): the person's to resolve. */
  rejectsOnly?: string[];
}

/** A line git's merge markers start (the forced push lays a conflict out with them). */
const MARKERS = /^(<{7}|>{7}) /m;

const stateFile = (tree: Tree) => join(tree.sideDir, 'reapply.json');
const runDir = (tree: Tree, id: string) => join(tree.sideDir, 'reapply', id);

export function readRunState(tree: Tree): RunState | null {
  const t = readText(stateFile(tree));
  return t === null ? null : (JSON.parse(t) as RunState);
}

/** The journal as it stands (stoppedAt null: the run is going on, or was killed). */
const stateOp = (tree: Tree, st: RunState): FileOp => ({ kind: 'write', path: stateFile(tree), data: fileJson(st, 1) });

function saveState(tree: Tree, st: RunState | null): void {
  withLock(tree, () => applyTransaction(tree, [st === null ? { kind: 'delete', path: stateFile(tree) } : stateOp(tree, st)]));
}


function refusePending(tree: Tree): void {
  const pending = readRunState(tree);
  if (pending?.stoppedAt) {
    throw new PatchqError('E_STATE', `a reapply run stopped at ${pending.stoppedAt}; fix it and run 'patchq reapply --continue', or 'patchq reapply --abort'`);
  }
  if (pending) {
    throw new PatchqError('E_STATE', `a reapply run (${pending.runId}) was interrupted; go on with 'patchq reapply --continue', or go back with 'patchq reapply --abort'`);
  }
}

export async function reapply(tree: Tree, opts: ReapplyOptions = {}, ev: ReapplyEvents = {}): Promise<ReapplyReport> {
  if (opts.check) return checkRun(tree, opts, ev);
  refusePending(tree);
  checkSeriesForRun(tree);
  // One run at a time, and no other patchq between its steps (each step takes the lock again).
  return withLockAsync(tree, async () => {
    refusePending(tree);
    return started(tree, opts, ev);
  });
}

async function started(tree: Tree, opts: ReapplyOptions, ev: ReapplyEvents): Promise<ReapplyReport> {
  const repo = findGitDir(tree.root);
  const base = repo ? await headCommit(repo) : null;
  const preBase = repo ? await resolveCommit(repo, 'ORIG_HEAD') : null;
  const poppedFirst = appliedPatches(tree);
  if (poppedFirst.length > 0) {
    try {
      await pop(tree, { target: { all: true } });
    } catch (e) {
      // Another patchq at work, say: its own words.
      if (!(e instanceof PatchqError) || e.code !== 'E_STATE') throw e;
      // Pop refuses because a patch's files changed since its last refresh: most often a
      // person's own unrefreshed work, which 'git checkout' or 'pop -f' would throw away.
      const left = appliedPatches(tree);
      const top = left[left.length - 1];
      throw new PatchqError(
        'E_STATE',
        `reapply starts by popping the ${poppedFirst.length} applied patch(es), and pop refused: ${e.message}. ${left.length < poppedFirst.length ? `${poppedFirst.length - left.length} were popped, ${left.length} are still applied` : 'Nothing was changed'}. If the changes in ${top}'s files are work to keep, 'patchq refresh' it (see them with 'patchq diff -z'); if they are not, 'patchq pop -a -f' drops them. Then run reapply again.`,
      );
    }
  }
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const seriesText = readText(tree.seriesPath) ?? '';
  // Keep every patch as it was: for review of what the run rewrote, and for --abort.
  const keep: FileOp[] = [{ kind: 'write', path: join(runDir(tree, runId), 'series'), data: seriesText }];
  for (const e of readSeries(tree)) {
    const t = readPatch(tree, e.name);
    if (t !== null) keep.push({ kind: 'write', path: join(runDir(tree, runId), 'old', e.name), data: t });
  }
  const st: RunState = { runId, base, preBase, seriesText, pushedByRun: [], outcomes: [], poppedFirst, stoppedAt: null };
  // The run's journal goes in with the old copies, before anything is pushed or rewritten:
  // a run killed from here on can be continued or aborted.
  keep.push(stateOp(tree, st));
  withLock(tree, () => applyTransaction(tree, keep));
  return runFrom(tree, st, opts, ev);
}

/**
 * What would stop a run half-way is refused before it pops or writes anything, with one
 * line naming the file and line: a series entry listed twice (push refuses the second),
 * a patch file missing or unreadable as a patch, a path push would refuse (a folder
 * where a file is changed, a symlink), a template patch whose template cannot be found or
 * loaded.
 */
export function checkSeriesForRun(tree: Tree): void {
  const seriesFile = relative(tree.root, tree.seriesPath);
  const seen = new Map<string, number>();
  for (const e of readSeries(tree)) {
    const first = seen.get(e.name);
    if (first !== undefined) {
      throw new PatchqError('E_STATE', `patch ${e.name} is listed twice (also at line ${first}); reapply puts each patch back once: remove one of the lines`, { file: seriesFile, line: e.line });
    }
    seen.set(e.name, e.line);
    if (readPatch(tree, e.name) === null) {
      throw new PatchqError('E_NOT_FOUND', `patch ${e.name} does not exist (${relative(tree.root, join(tree.patchesDir, e.name))})`, { file: seriesFile, line: e.line });
    }
    checkApplicable(e, seriesFile);
    const parsed = loadPatch(tree, e);
    checkTargets(tree, e.name, parsed);
    // A stopped patch's rejects go to FILE.rej, and --abort takes them away: one left from
    // earlier work would be overwritten, then deleted.
    for (const p of touchedPaths(parsed)) {
      if (existsSync(join(tree.root, `${p}.rej`))) {
        throw new PatchqError('E_STATE', `${p}.rej is there from earlier work, and a patch that stops on ${p} writes its rejects there: move it away (or delete it) first`, { file: seriesFile, line: e.line });
      }
    }
    const header = parsed.header;
    const tpl = parseTemplateHeader(header);
    if (!tpl) continue;
    let path: string;
    try {
      path = findTemplate(tpl.name, templateDirs(tree.patchesDir));
    } catch (err) {
      const line = header.split('\n').findIndex((l) => l.startsWith('Patchq-Template: ')) + 1;
      throw new PatchqError('E_NOT_FOUND', (err as Error).message, { file: relative(tree.root, join(tree.patchesDir, e.name)), line });
    }
    loadTemplate(path);
  }
}

async function runFrom(tree: Tree, st: RunState, opts: ReapplyOptions, ev: ReapplyEvents): Promise<ReapplyReport> {
  // Bases come from the patches as they were when the run started (it rewrites them).
  const baseFor = makeBaseFor(tree, (n) => readText(join(runDir(tree, st.runId), 'old', n)), st.preBase ?? null);
  // A run killed while it worked on a patch: that patch may be pushed but not refreshed (or
  // forced, with rejects). It has no outcome in the journal; it is taken off and done again.
  const done = (name: string) => st.outcomes.some((o) => o.name === name);
  const top = appliedPatches(tree).at(-1);
  if (top !== undefined && !done(top)) {
    await pop(tree, { force: true, quiet: true });
    st.pushedByRun = st.pushedByRun.filter((n) => n !== top);
  }
  // That patch's file may have been rewritten already (refreshed, regenerated): it starts
  // again from its text before the run, as an uninterrupted run had it.
  const { series: now, applied: on } = loadState(tree);
  const next = now[on.length];
  if (next && !done(next.name)) {
    const before = readText(join(runDir(tree, st.runId), 'old', next.name));
    if (before !== null && before !== readPatch(tree, next.name)) {
      withLock(tree, () => applyTransaction(tree, [writePatchOp(tree, next.name, before)]));
    }
  }
  for (;;) {
    const { series, applied } = loadState(tree);
    const entry = series[applied.length];
    if (!entry) break;
    await ev.patchStart?.(entry.name, applied.length, series.length);
    const oldCopy = relative(tree.root, join(runDir(tree, st.runId), 'old', entry.name));
    const out = await one(tree, entry.name, st, opts, baseFor, ev);
    if (out.outcome === 'refreshed' || out.outcome === 'regenerated' || out.handEdits) out.oldCopy = oldCopy;
    st.outcomes.push(out);
    if (out.outcome === 'failed' || out.outcome === 'merged-upstream') {
      st.stoppedAt = entry.name;
      saveState(tree, st);
      return report(tree, st, false);
    }
    saveState(tree, st);
  }
  saveState(tree, null);
  return report(tree, st, true);
}

async function one(tree: Tree, name: string, st: RunState, opts: ReapplyOptions, baseFor: ReturnType<typeof makeBaseFor>, ev: ReapplyEvents): Promise<PatchOutcome> {
  const tpl = templateOf(tree, name);
  let outcome: PatchOutcome = { name, outcome: 'exact', report: null };
  let lost: string[] = [];
  if (tpl) {
    const oldFiles = new Set(filesOf(tree, name));
    let r: Awaited<ReturnType<typeof regenerate>>;
    try {
      // Written as the user's refresh writes a patch (opts.format), as a drifted patch's refresh is.
      r = await regenerate(tree, name, { ...(st.base ? { base: st.base } : {}), ...(opts.format ? { format: opts.format } : {}) });
    } catch (e) {
      // The rule did less than its checks ask, or its generator failed: a stop at this
      // patch (not pushed), for a person to fix the template or the files, then continue.
      if (!(e instanceof PatchqError) || (e.code !== 'E_APPLY' && e.code !== 'E_CONFIG')) throw e;
      return { name, outcome: 'failed', report: null, template: tpl.name, reason: e.describe().replace(/; nothing was written$/, '') };
    }
    // Nothing left for the rule to do: upstream made the change (or no longer has what the
    // rule matches). An empty patch pushed as 'regenerated' would hide that.
    if (r.run.files.every((f) => f.before === f.after)) {
      return mergedUpstream(tree, name, st, opts, { files: [], ok: true, clean: true }, `its template ${r.template} changes nothing on the new upstream (upstream made the change, or nothing matches the rule any more)`);
    }
    const entry = readSeries(tree).find((e) => e.name === name)!;
    lost = changesNotRegenerated(loadPatch(tree, entry), (p) => readText(join(tree.root, p)), r.run);
    if (r.changed) withLock(tree, () => applyTransaction(tree, [writePatchOp(tree, name, r.newText)]));
    outcome = { name, outcome: r.changed ? 'regenerated' : 'exact', report: null, template: r.template };
    const added = r.run.files.filter((f) => f.before !== f.after && !oldFiles.has(f.path)).map((f) => f.path);
    if (added.length) outcome.newFiles = added;
  }
  const res = await push(tree, { target: { name }, baseFor, ...(opts.fuzz !== undefined ? { fuzz: opts.fuzz } : {}), quiet: true, acceptApplied: true });
  const pushed = res.pushed[0];
  if (pushed) {
    st.pushedByRun.push(name);
    outcome.report = pushed.report;
    if (pushed.drifted) {
      const r = refresh(tree, { ...opts.format, name, ...(st.base ? { base: st.base } : {}) });
      if (r.empty) return mergedUpstream(tree, name, st, opts, pushed.report);
      if (outcome.outcome === 'exact') outcome.outcome = 'refreshed';
      // Upstream took part of it (the file reverse-applies, or merged into what upstream
      // has): the refreshed patch no longer carries those files. Say so.
      const kept = new Set(filesOf(tree, name));
      const taken = pushed.report.files.map((f) => f.path).filter((p) => !kept.has(p));
      if (taken.length) outcome.reason = `upstream already has its change to ${taken.join(', ')}: left out of the refreshed patch`;
    }
    if (lost.length) {
      // The regenerated patch is on top; what it dropped is in the old copy. A person decides.
      return {
        ...outcome,
        outcome: 'failed',
        handEdits: lost,
        reason: `regenerating dropped changes the old patch made that its template does not make (edited by hand, or the template changed): ${lost.join(', ')}`,
      };
    }
    ev.line?.(`${name}: ${outcome.outcome}`);
    return outcome;
  }
  const failed = res.failed!;
  if (failed.status === 'already-applied') return mergedUpstream(tree, name, st, opts, failed.report);
  // Lay the conflict out for a person: forced push (rejects or merge markers), quilt's ~refresh marker.
  const style = opts.conflicts ?? 'merge';
  const forced = await push(tree, { target: { name }, baseFor, force: true, quiet: true, merge: style === 'rej' ? 'none' : style });
  if (forced.pushed[0] || forced.failed?.status === 'forced') st.pushedByRun.push(name);
  const bad = failed.report.files.filter((f) => f.status !== 'ok');
  // A file the forced push laid nothing out in (gone: upstream deleted or renamed it) gets its
  // hunks in a .rej too; otherwise they would be in no file, and --continue would refresh
  // them out of the patch without a word.
  const entry = readSeries(tree).find((e) => e.name === name)!;
  const files = loadPatch(tree, entry).files;
  const laid: FileOp[] = [];
  for (const f of bad) {
    const rej = `${f.path}.rej`;
    if (f.status === 'already-applied' || existsSync(join(tree.root, rej)) || MARKERS.test(readText(join(tree.root, f.path)) ?? '')) continue;
    const fp = files.find((x) => (x.newPath ?? x.oldPath) === f.path);
    const hunks = fp ? (entry.reverse ? reverseFilePatch(fp) : fp).hunks : [];
    if (fp && hunks.length) laid.push({ kind: 'write', path: join(tree.root, rej), data: rejectText(fp.oldPath, fp.newPath, hunks) });
  }
  if (laid.length) withLock(tree, () => applyTransaction(tree, laid));
  st.rejects = bad.map((f) => `${f.path}.rej`).filter((p) => existsSync(join(tree.root, p)));
  // A hunk between merge markers has no .rej (GNU patch --merge): each .rej holds hunks
  // that are in no file, the person's to put in (or drop) and delete.
  st.rejectsOnly = st.rejects;
  // The report says where the forced push put each hunk (its merge markers' lines), and
  // why it failed to apply (the unforced push's reason). Each is said once, by its hunk or
  // its file (a message: the file exists, a binary mismatch): no summary reason repeats them.
  const laidOut = forced.failed?.report ?? forced.pushed[0]?.report;
  const rep = laidOut ? withWhy(laidOut, failed.report) : failed.report;
  // Git is asked only here, for a file that is gone: a run with every file in place never is.
  const gone = rep.files.filter((f) => f.missing).map((f) => f.path);
  const renames = await renamesOf(tree.root, readText(join(runDir(tree, st.runId), 'old', name)) ?? '', st.preBase ?? null, gone, files);
  return { name, outcome: 'failed', report: rep, ...(st.rejects.length ? { rejects: st.rejects } : {}), ...(renames.length ? { renames } : {}) };
}

/** The forced push's report, each conflicted hunk with why it did not apply (from `why`) instead of 'conflict'. */
function withWhy(laidOut: PatchReport, why: PatchReport): PatchReport {
  return {
    ...laidOut,
    files: laidOut.files.map((f, i) => ({
      ...f,
      hunks: f.hunks.map((h) => {
        const w = why.files[i]?.path === f.path ? why.files[i]!.hunks.find((x) => x.hunk === h.hunk) : undefined;
        if (h.reason !== 'conflict' || w?.status !== 'failed' || !w.reason) return h;
        // Between markers: the 3-way merge met upstream's own change to these lines, which
        // the locate step's reason ("no match: removed lines differ") does not say.
        return { ...h, reason: h.markers && !w.reason.includes('3-way') ? `${w.reason}; 3-way: upstream changed these lines too` : w.reason };
      }),
    })),
  };
}

/**
 * Upstream already has the patch's change: it reverse-applies, or it merged into nothing
 * (a 3-way merge where both sides made the same edit; its refresh is empty). Such a patch
 * is popped again if it was pushed, and dropped from the series with --drop-merged.
 */
async function mergedUpstream(tree: Tree, name: string, st: RunState, opts: ReapplyOptions, report: PatchReport, why = 'upstream already has this change'): Promise<PatchOutcome> {
  if (appliedPatches(tree).at(-1) === name) {
    await pop(tree, { force: true, quiet: true });
    st.pushedByRun = st.pushedByRun.filter((n) => n !== name);
  }
  // Finding it merged may have refreshed it to nothing: its file stays the fork's patch as
  // it was (to read, to keep, or for 'patchq delete' to leave as quilt's delete does).
  const before = readText(join(runDir(tree, st.runId), 'old', name));
  if (before !== null && before !== readPatch(tree, name)) withLock(tree, () => applyTransaction(tree, [writePatchOp(tree, name, before)]));
  if (opts.dropMerged) {
    withLock(tree, () => applyTransaction(tree, [writeSeriesOp(tree, removeEntry(readText(tree.seriesPath) ?? '', readSeries(tree), name))]));
    return { name, outcome: 'dropped', report, reason: `${why}; removed from the series` };
  }
  // What to do about it is the stop line's to say (the report's last line), once.
  return { name, outcome: 'merged-upstream', report, reason: why };
}

/** The files a patch names, read as push reads them (the series entry's -p). */
function filesOf(tree: Tree, name: string): string[] {
  const entry = readSeries(tree).find((e) => e.name === name);
  if (!entry || readPatch(tree, name) === null) return [];
  return touchedPaths(loadPatch(tree, entry));
}

function report(tree: Tree, st: RunState, done: boolean): ReapplyReport {
  // A stopped run names the patches it has not reached: they are not back either.
  const rest: PatchOutcome[] = done
    ? []
    : readSeries(tree)
        .filter((e) => !st.outcomes.some((o) => o.name === e.name))
        .map((e) => ({ name: e.name, outcome: 'not-run', report: null, reason: `not reached: the run stopped at ${st.stoppedAt}` }));
  return { runId: st.runId, check: false, base: st.base, patches: [...st.outcomes, ...rest], stoppedAt: done ? null : st.stoppedAt, poppedFirst: st.poppedFirst, ok: done };
}

/**
 * What to add before --continue when the stopped patch's change went nowhere, naming the
 * file upstream renamed when the stop found it. A change already made there must come out
 * first, by hand: `add` takes the file as it is for the original, and git checkout would
 * also take out what the patches below changed in it.
 */
function addStep(renames: readonly RenameFinding[]): string {
  const moved = renames.filter((r) => r.renamedTo);
  const keep = 'take out by hand what you changed there already, not with git checkout, which would also drop what the patches below changed there';
  if (!moved.length) return `If upstream renamed or moved a file, 'patchq add' the file that now holds the change (add keeps the file as it is then as the original: ${keep})`;
  return `Upstream renamed ${moved.map((r) => `${r.path} to ${r.renamedTo}`).join(', ')}: 'patchq add ${moved.map((r) => r.renamedTo).join(' ')}' (add keeps the file as it is then as the original: ${keep})`;
}

/** --continue: the person fixed the stopped patch's files (or chose to drop a merged one). */
export async function reapplyContinue(tree: Tree, opts: ReapplyOptions = {}, ev: ReapplyEvents = {}): Promise<ReapplyReport> {
  if (!readRunState(tree)) throw new PatchqError('E_NOTHING', 'no reapply run to continue');
  return withLockAsync(tree, () => continued(tree, opts, ev));
}

async function continued(tree: Tree, opts: ReapplyOptions, ev: ReapplyEvents): Promise<ReapplyReport> {
  const st = readRunState(tree);
  if (!st) throw new PatchqError('E_NOTHING', 'no reapply run to continue');
  // Interrupted (killed, not stopped at a patch): go on from where the stack is.
  if (st.stoppedAt === null) return runFrom(tree, st, opts, ev);
  const name = st.stoppedAt;
  const last = st.outcomes[st.outcomes.length - 1]!;
  if (last.outcome === 'merged-upstream') {
    // Taken out of the series by hand ('patchq delete', as the report offers): dropped already.
    const listed = readSeries(tree).some((e) => e.name === name);
    if (listed && !opts.dropMerged) throw new PatchqError('E_STATE', `${name} is already upstream: continue with --drop-merged to remove it from the series`);
    checkBelow(tree, appliedPatches(tree), null);
    if (listed) withLock(tree, () => applyTransaction(tree, [writeSeriesOp(tree, removeEntry(readText(tree.seriesPath) ?? '', readSeries(tree), name))]));
    last.outcome = 'dropped';
    // (A run stopped by an older patchq has the way out in its reason: ": drop it with ...".)
    last.reason = `${(last.reason ?? 'upstream already has this change').replace(/: drop it with .*$/, '')}; removed from the series`;
  } else if (notYetPushed(tree, name)) {
    // Stopped before it was pushed (its template failed): it is done again from the start.
    checkBelow(tree, appliedPatches(tree), null);
    st.outcomes.pop();
  } else {
    const top = appliedPatches(tree).at(-1);
    if (top !== name) throw new PatchqError('E_STATE', `expected ${name} on top to continue, found ${top ?? 'nothing'}`);
    // The files .pc holds originals of: those the forced push wrote into.
    for (const f of backedUpFiles(tree, name)) {
      const text = readText(join(tree.root, f));
      if (text !== null && MARKERS.test(text)) {
        // file:line of the first marker left, where an editor opens (`vim +17 a.txt`).
        const line = text.split('\n').findIndex((l) => /^(<{7}|>{7}) /.test(l)) + 1;
        throw new PatchqError('E_STATE', `conflict markers remain in ${f}; resolve them, then continue`, { file: f, line });
      }
    }
    // A .rej the forced push wrote beside a file without merge markers holds hunks that are in
    // no file: continuing over it would refresh the patch without them. The person deletes it
    // once they are in (or dropped).
    for (const r of st.rejectsOnly ?? []) {
      if (existsSync(join(tree.root, r))) {
        throw new PatchqError('E_STATE', `the hunks that did not apply are still here: put them into ${r.slice(0, -'.rej'.length)} by hand (or decide to drop them), delete this file, then continue`, { file: r });
      }
    }
    checkBelow(tree, appliedPatches(tree).slice(0, -1), name);
    // Nothing of the patch left in its files (upstream renamed or deleted the file it changes,
    // and the change was made elsewhere without adding that file to the patch, or dropped):
    // a refresh would write an empty patch and call it resolved, the fork's change in no patch.
    const files = backedUpFiles(tree, name);
    const rec = readRecord(tree, name);
    if (files.every((f) => readBackup(tree, name, f, rec).text === readText(join(tree.root, f)))) {
      if (!opts.dropMerged) {
        throw new PatchqError(
          'E_STATE',
          `${name} holds no change any more: none of its files (${(files.length ? files : filesOf(tree, name)).join(', ')}) differs from what is under it. ${addStep(last.renames ?? [])}, make the change there, then continue; if the change is no longer wanted, continue with --drop-merged to remove it from the series`,
        );
      }
      const out = await mergedUpstream(tree, name, st, opts, last.report ?? { files: [], ok: true, clean: true }, 'resolved to no change');
      const rejects = (st.rejects ?? []).filter((r) => existsSync(join(tree.root, r)));
      if (rejects.length) withLock(tree, () => applyTransaction(tree, rejects.map((r) => ({ kind: 'delete' as const, path: join(tree.root, r) }))));
      st.rejects = [];
      st.rejectsOnly = [];
      st.outcomes[st.outcomes.length - 1] = out;
      st.stoppedAt = null;
      return runFrom(tree, st, opts, ev);
    }
    refresh(tree, { ...opts.format, name, force: true, ...(st.base ? { base: st.base } : {}) });
    // A .rej left (one a run stopped by an older patchq wrote beside its markers, which
    // repeats their hunks, now resolved): ours to remove.
    const rejects = (st.rejects ?? []).filter((r) => existsSync(join(tree.root, r)));
    if (rejects.length) withLock(tree, () => applyTransaction(tree, rejects.map((r) => ({ kind: 'delete' as const, path: join(tree.root, r) }))));
    st.rejects = [];
    st.rejectsOnly = [];
    last.outcome = 'resolved';
    delete last.rejects;
    last.oldCopy = relative(tree.root, join(runDir(tree, st.runId), 'old', name));
  }
  st.stoppedAt = null;
  return runFrom(tree, st, opts, ev);
}

/**
 * The patches under the stopped one are back: --continue finishes on the promise that their
 * changes are still in the tree. A person resolving a conflict may have put a file back by
 * hand (`git checkout -- FILE` to start over), taking a lower patch's change with it: the
 * stopped patch's refresh would then undo that change inside it, or the tree would go on
 * without it, and the report would say every patch is back (a later pop refuses). So each
 * file the patches below `top` touch must be what the last of them left there: its id in
 * that patch's record (of its push or refresh in this run); for a file `top` touches too,
 * `top`'s original of it (.pc) must be that, and no change of theirs may be undone in the
 * file (a run of changed lines as it was before the patch and not as after it: `top` may
 * change their lines, not put them back). One line naming the files and patches, nothing
 * changed, otherwise. Cost: the records and .pc listings of the patches below and one hash
 * of each file they touch (~300 patches: tens of ms); a diff only for files `top` touches.
 */
function checkBelow(tree: Tree, below: readonly string[], top: string | null): void {
  const recs = new Map<string, PatchRecord | null>();
  const rec = (p: string): PatchRecord | null => {
    if (!recs.has(p)) recs.set(p, currentRecord(tree, p));
    return recs.get(p)!;
  };
  // Each file the patches below touch, and those patches, in stack order.
  const chains = new Map<string, string[]>();
  for (const p of below) {
    for (const f of backedUpFiles(tree, p)) {
      const c = chains.get(f);
      if (c) c.push(p);
      else chains.set(f, [p]);
    }
  }
  if (chains.size === 0) return;
  // The file before patch p (its .pc original): the record's id of it, or the backup read.
  const before = (p: string, f: string): string | null => {
    const r = rec(p);
    return r?.before && f in r.before ? r.before[f] ?? null : contentId(readBackup(tree, p, f, r).text);
  };
  const topFiles = new Set(top ? backedUpFiles(tree, top) : []);
  const topRec = top ? readRecord(tree, top) : null;
  const whose = (ps: string[]) => (ps.length > 1 ? `the changes of ${ps.join(', ')}` : `the change of ${ps[0]}`);
  const problems: string[] = [];
  const named = new Set<string>();
  for (const [f, chain] of chains) {
    const last = chain[chain.length - 1]!;
    const r = rec(last);
    // A record quilt's push made stale (not one of this run's): nothing to compare with.
    if (!r) continue;
    const expected = f in r.hashes ? r.hashes[f] ?? null : contentId(readBackup(tree, last, f, r).text);
    // Back as it was before patch chain[at] (and so without the changes from it up).
    const backTo = (id: string | null) => (id === expected ? -1 : chain.findIndex((p) => before(p, f) === id));
    if (topFiles.has(f)) {
      // The stopped patch's refresh diffs the file against its original (.pc): that must be
      // what the patches below left ('patchq add' after the file was put back, otherwise),
      // and the file may be changed as the person likes, but not back to before one of them.
      const orig = contentId(readBackup(tree, top!, f, topRec).text);
      if (orig !== expected) {
        const at = backTo(orig);
        problems.push(at >= 0 ? `${top}'s original of ${f} (in .pc, from 'patchq add'?) no longer has ${whose(chain.slice(at))}` : `${top}'s original of ${f} (in .pc, from 'patchq add'?) is not as ${last} left it`);
        for (const p of at >= 0 ? chain.slice(at) : [last]) named.add(p);
        continue;
      }
      // A change of theirs is undone when its lines are as before it (and not as after it):
      // each run of changed lines, with a line of context each side, judged on its own.
      const text = readText(join(tree.root, f));
      const undone = chain.filter((p, k) => {
        const pre = readBackup(tree, p, f, rec(p)).text;
        const post = k + 1 < chain.length ? readBackup(tree, chain[k + 1]!, f, rec(chain[k + 1]!)).text : readBackup(tree, top!, f, topRec).text;
        if (pre === null || post === null || text === null) return pre !== post && contentId(text) === contentId(pre);
        return diffHunks(pre, post, 1).some((h) => lands(h, text) && !lands(reverseHunk(h), text));
      });
      if (undone.length) {
        problems.push(`${f} no longer has ${whose(undone)} (put back by hand?)`);
        for (const p of undone) named.add(p);
      }
      continue;
    }
    const now = contentId(readText(join(tree.root, f)));
    if (now !== expected) {
      const at = backTo(now);
      problems.push(at >= 0 ? `${f} no longer has ${whose(chain.slice(at))} (put back by hand?)` : `${f} is not as ${last} left it (changed by hand?)`);
      for (const p of at >= 0 ? chain.slice(at) : [last]) named.add(p);
    }
  }
  if (!problems.length) return;
  const where = below.filter((p) => named.has(p)).map((p) => relative(tree.root, join(tree.patchesDir, p)));
  throw new PatchqError(
    'E_STATE',
    `cannot continue: ${problems.join('; ')}. Finishing now would drop ${named.size > 1 || problems.length > 1 ? 'these changes' : 'that change'} from the stack without a word: put ${named.size > 1 || problems.length > 1 ? 'them' : 'it'} back as the patch${named.size > 1 ? 'es' : ''} below made ${named.size > 1 || problems.length > 1 ? 'them' : 'it'} (see ${where.join(', ')}), then continue; or go back with 'patchq reapply --abort'. Nothing was changed`,
  );
}

/** The hunk applies to the text where it says, or at an offset: no fuzz, no 3-way. */
const lands = (h: Hunk, text: string): boolean => runCascade({ hunks: [h], text }, { fuzz: 0, fuzzy: false, merge: 'none' }).hunks.every((x) => x.status === 'exact' || x.status === 'offset');

/** The stopped patch is the next one, not applied: its run stopped before pushing it. */
function notYetPushed(tree: Tree, name: string): boolean {
  const { series, applied } = loadState(tree);
  return !applied.includes(name) && series[applied.length]?.name === name;
}

/** --abort: back to where the run started; the series files as they were, nothing applied. */
export async function reapplyAbort(tree: Tree): Promise<{ popped: string[] }> {
  if (!readRunState(tree)) throw new PatchqError('E_NOTHING', 'no reapply run to abort');
  return withLockAsync(tree, () => aborted(tree));
}

async function aborted(tree: Tree): Promise<{ popped: string[] }> {
  const st = readRunState(tree);
  if (!st) throw new PatchqError('E_NOTHING', 'no reapply run to abort');
  const applied = appliedPatches(tree);
  const popped = applied.length ? (await pop(tree, { target: { all: true }, force: true })).popped : [];
  const ops: FileOp[] = [writeSeriesOp(tree, st.seriesText)];
  const old = join(runDir(tree, st.runId), 'old');
  for (const { name: e } of parseSeries(st.seriesText)) {
    const p = join(old, e);
    if (existsSync(p)) ops.push(writePatchOp(tree, e, readFileSync(p, 'latin1')));
  }
  for (const r of st.rejects ?? []) ops.push({ kind: 'delete', path: join(tree.root, r) });
  ops.push({ kind: 'delete', path: stateFile(tree) });
  withLock(tree, () => applyTransaction(tree, ops));
  return { popped };
}
