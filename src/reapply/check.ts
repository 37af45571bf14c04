/**
 * reapply --check: the CI gate. Everything in memory: the tree's files are read, never
 * written (no .pc, no patches/, no lock). Applied patches are popped in memory (their
 * originals from .pc), as the run pops them. Each patch is applied to an overlay of the
 * files the patches below it changed; a template patch is judged by regenerating it in
 * memory when nothing below it touched its files. Non-zero when any patch would land
 * other than exactly, fail, or is already upstream.
 */
import { join, relative } from 'node:path';
import { applyPatch, parsePatch } from '../engine/index.js';
import { PatchqError } from '../engine/errors.js';
import type { FilePatch, ParsedPatch } from '../engine/types.js';
import { resolveInsideStat } from '../fsx/guard.js';
import { findGitDir, headCommit, resolveCommit } from '../git/index.js';
import { appliedPatches, backedUpFiles, makeBaseFor, readBackup, readPatch, readRecord, readSeries, readText, type Tree } from '../stack/index.js';
import { changesNotRegenerated, findTemplate, loadTemplate, parseTemplateHeader, runTemplate, templateDirs } from '../templates/index.js';
import { renamesOf } from './renames.js';
import { type PatchOutcome, type ReapplyEvents, type ReapplyOptions, type ReapplyReport } from './run.js';

/**
 * What push would refuse in this tree about a patch's paths (a folder where it changes a
 * file, a symlink, a link out of the tree), refused up front, naming the patch and the
 * line of the file's header: met at push time, it stopped a run half-way (the patches
 * below pushed, the run's journal written) with no report, and --check named the folder
 * but not the patch.
 */
export function checkTargets(tree: Tree, name: string, parsed: ParsedPatch): void {
  const file = relative(tree.root, join(tree.patchesDir, name));
  for (const f of parsed.files) {
    for (const p of new Set([f.oldPath, f.newPath])) {
      if (p === null) continue;
      const { st } = resolveInsideStat(tree.root, p, { file, line: f.patchLine });
      if (st?.isDirectory()) throw new PatchqError('E_IO', `refusing path '${p}': it is a directory, where a file was expected`, { file, line: f.patchLine });
    }
  }
}

export async function checkRun(tree: Tree, opts: ReapplyOptions, ev: ReapplyEvents): Promise<ReapplyReport> {
  const repo = findGitDir(tree.root);
  const base = repo ? await headCommit(repo) : null;
  // A patch that names no base is read against the commit before the pull, as the run does.
  const preBase = repo ? await resolveCommit(repo, 'ORIG_HEAD') : null;
  const baseFor = makeBaseFor(tree, undefined, preBase);
  const overlay = new Map<string, string | null>();
  // The run pops what is applied and pushes the whole series: so the check starts from the
  // files as they were below the lowest applied patch (the originals .pc keeps), in memory.
  const popped = new Map<string, string | null>();
  for (const name of appliedPatches(tree)) {
    const rec = readRecord(tree, name);
    for (const f of backedUpFiles(tree, name)) if (!popped.has(f)) popped.set(f, readBackup(tree, name, f, rec).text);
  }
  const read = (p: string) => (overlay.has(p) ? overlay.get(p)! : popped.has(p) ? popped.get(p)! : readText(join(tree.root, p)));
  const series = readSeries(tree);
  const patches: PatchOutcome[] = [];
  let stoppedAt: string | null = null;
  for (const [i, e] of series.entries()) {
    ev.patchStart?.(e.name, i, series.length);
    if (stoppedAt) {
      patches.push({ name: e.name, outcome: 'not-run', report: null, reason: `not checked: ${stoppedAt} stops the series` });
      continue;
    }
    if (e.unsupported !== undefined) {
      patches.push({ name: e.name, outcome: 'would-fail', report: null, reason: `series option '${e.unsupported}' is not one patchq can honour` });
      stoppedAt = e.name;
      continue;
    }
    const text = readPatch(tree, e.name);
    if (text === null) {
      patches.push({ name: e.name, outcome: 'would-fail', report: null, reason: 'patch file missing' });
      stoppedAt = e.name;
      continue;
    }
    const parsed = parsePatch(text, { strip: e.strip, fileName: e.name });
    checkTargets(tree, e.name, parsed);
    const bases = new Map<FilePatch, string | null>();
    for (const f of parsed.files) bases.set(f, await baseFor(e.name, f));
    const run = applyPatch(parsed, (f) => ({ text: read((f.oldPath ?? f.newPath)!), base: bases.get(f) ?? null }), { fuzz: opts.fuzz ?? 2, reverse: e.reverse });
    const tpl = parseTemplateHeader(parsed.header);
    let out: PatchOutcome;
    let regenerated = false;
    // The template runs on the files as this patch sees them: the patches below applied
    // (in memory), the applied ones popped.
    if (tpl) {
      regenerated = true;
      const t = loadTemplate(findTemplate(tpl.name, templateDirs(tree.patchesDir)));
      const view = { read, also: [...overlay.keys(), ...popped.keys()] };
      const regen = await runTemplate(t, tree.root, Object.fromEntries(Object.entries(tpl.params).filter(([k]) => k in t.parameters)), view);
      const fresh = regen.files.filter((f) => f.before !== f.after);
      // Exact only when the patch gives each file what regeneration would write: a file the
      // rule now covers, or a new match in a file it covered, is a regeneration to come.
      const resultOf = (path: string) => run.results[parsed.files.findIndex((p) => (p.newPath ?? p.oldPath) === path)]?.text;
      const same = run.report.clean && fresh.length === parsed.files.length && fresh.every((f) => resultOf(f.path) === f.after);
      const lost = changesNotRegenerated(parsed, read, regen);
      out = { name: e.name, outcome: same ? 'exact' : 'would-regenerate', report: run.report, template: tpl.name };
      for (const f of fresh) overlay.set(f.path, f.after);
      if (fresh.length === 0) out = { ...out, outcome: 'merged-upstream', reason: `its template ${tpl.name} changes nothing here (upstream made the change, or nothing matches the rule any more)` };
      else if (lost.length) out = { ...out, outcome: 'would-fail', handEdits: lost, reason: `regenerating would drop changes the patch makes that its template does not make (edited by hand, or the template changed): ${lost.join(', ')}` };
      if (!regen.ok) out = { ...out, outcome: 'would-fail', reason: `template ${tpl.name} did less than it should (${regen.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')})` };
    } else if (run.report.ok) {
      out = { name: e.name, outcome: run.report.clean ? 'exact' : 'would-refresh', report: run.report };
      // A 3-way landing can merge into what upstream already has (both sides made the edit):
      // the run's refresh of such a file is empty, as it is for the whole patch.
      const same = parsed.files.filter((f, k) => f.kind === 'modify' && run.results[k]!.mode === undefined && run.results[k]!.text === read(f.oldPath!)).map((f) => f.oldPath!);
      if (!run.report.clean && same.length === parsed.files.length) out = { ...out, outcome: 'merged-upstream', reason: 'upstream already has this change' };
      else if (!run.report.clean && same.length) out = { ...out, reason: `upstream already has its change to ${same.join(', ')}: the refresh leaves it out` };
    } else if (run.report.files.some((f) => f.status === 'already-applied') && run.report.files.every((f) => f.status !== 'failed' && f.status !== 'conflict')) {
      const taken = run.report.files.filter((f) => f.status === 'already-applied').map((f) => f.path);
      out =
        taken.length === run.report.files.length
          ? { name: e.name, outcome: 'merged-upstream', report: run.report, reason: 'upstream already has this change' }
          : { name: e.name, outcome: 'would-refresh', report: run.report, reason: `upstream already has its change to ${taken.join(', ')}: the refresh leaves it out` };
    } else {
      out = { name: e.name, outcome: tpl ? 'would-regenerate' : 'would-fail', report: run.report };
    }
    if (out.outcome === 'would-fail' && out.report) {
      // A file gone from the tree: where upstream put it, as the run would say (git read only).
      const renames = await renamesOf(tree.root, text, preBase, out.report.files.filter((f) => f.missing).map((f) => f.path), parsed.files);
      if (renames.length) out = { ...out, renames };
    }
    if (out.outcome === 'would-fail' || out.outcome === 'merged-upstream') stoppedAt = e.name;
    else if (!regenerated) {
      run.results.forEach((r, k) => {
        const f = parsed.files[k]!;
        if (r.report.status === 'already-applied') return; // the file stays as upstream has it
        if (f.kind === 'rename' && f.oldPath) overlay.set(f.oldPath, null);
        overlay.set(r.report.path, r.text);
      });
    }
    patches.push(out);
  }
  const ok = patches.every((p) => p.outcome === 'exact');
  return { runId: 'check', check: true, base, patches, stoppedAt, poppedFirst: [], ok };
}
