/**
 * The reapply report, for a person (text), a CI job summary or PR body (markdown), and
 * scripts (the ReapplyReport object as JSON). Needs-a-person first, then what was
 * rewritten (to review), then what came back exactly.
 */
import type { HunkReport, HunkStatus, PatchReport } from '../engine/types.js';
import type { RenameFinding } from '../git/renames.js';
import type { Outcome, PatchOutcome, ReapplyReport } from './run.js';

const LABEL: Record<Outcome, string> = {
  exact: 'applied exactly',
  refreshed: 'refreshed (landed with drift)',
  regenerated: 'regenerated from its template',
  'merged-upstream': 'already upstream',
  dropped: 'dropped (already upstream)',
  failed: 'NEEDS A PERSON',
  resolved: 'resolved by hand',
  'not-run': 'not reached',
  'would-refresh': 'would land with drift',
  'would-regenerate': 'would be regenerated',
  'would-fail': 'WOULD FAIL',
};

const RANK: Record<Outcome, number> = { failed: 0, 'would-fail': 0, 'merged-upstream': 1, 'not-run': 2, resolved: 3, regenerated: 4, 'would-regenerate': 4, refreshed: 5, 'would-refresh': 5, dropped: 6, exact: 7 };

/** "1 exact, 2 offset, 1 not merged": a failed hunk between conflict markers is 'not merged', as its line says. */
export function hunkSummary(r: PatchReport | null): string {
  if (!r) return '';
  type Kind = HunkStatus | 'not merged';
  const counts = new Map<Kind, number>();
  for (const f of r.files) for (const h of f.hunks) {
    const k: Kind = h.status === 'failed' && h.markers ? 'not merged' : h.status;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const order: Kind[] = ['exact', 'offset', 'merged', 'fuzzy', 'not merged', 'failed'];
  return order.filter((s) => counts.get(s)).map((s) => `${counts.get(s)} ${s}`).join(', ');
}

/**
 * Where a person finds a hunk that did not apply, in GNU patch's words: the lines its
 * merge markers span, or where it was meant to go (stated line plus the offset of the
 * hunks before it) and the .rej that holds it. Never a candidate place: with the context
 * repeated upstream that can name a copy the hunk was not written into.
 *   "NOT MERGED at lines 17-21 (conflict markers)", "FAILED at line 7 (rejects in a.txt.rej)"
 */
function failedAt(h: HunkReport, path: string, rejects: readonly string[]): string {
  if (h.markers) return `NOT MERGED at lines ${h.markers.from}-${h.markers.to} (conflict markers)`;
  const rej = `${path}.rej`;
  return `FAILED at line ${h.statedLine + h.offset}${rejects.includes(rej) ? ` (rejects in ${rej})` : ''}`;
}

/**
 * A file of the patch gone from the tree, and where upstream put it when git shows it:
 *   "a.py: renamed upstream to b.py (92% similar); its 1 hunk(s) are in a.py.rej"
 *   "a.py: not in the tree; possibly renamed upstream to b.py (70% similar) or c.py (66% similar); ..."
 *   "a.py: deleted upstream (no file added since holds its content); ..."
 * Without a finding (no git, nothing known of its old content): "deleted or renamed upstream".
 * --check (`check`) says where a run would put the hunks: "a run would put its 1 hunk(s) in a.py.rej".
 */
export function goneLine(path: string, hunks: number, r: RenameFinding | undefined, check = false): string {
  // --check writes nothing: the .rej is where a run would put them.
  const rej = check ? `a run would put its ${hunks} hunk(s) in ${path}.rej` : `its ${hunks} hunk(s) are in ${path}.rej`;
  if (!r) return `${path}: not in the tree (deleted or renamed upstream); ${rej}`;
  if (r.renamedTo) return `${path}: renamed upstream to ${r.renamedTo} (${r.similarity}% similar); the patch still names ${path}; ${rej}`;
  if (r.candidates.length) {
    const list = r.candidates.map((c) => `${c.path} (${c.similarity}% similar)`).join(' or ');
    return `${path}: not in the tree; possibly renamed upstream to ${list}, no clear best; ${rej}`;
  }
  return `${path}: deleted upstream (no file upstream added since holds its content); ${rej}`;
}

/** A patch upstream already took has nothing to say hunk by hunk. */
const hunksOf = (p: PatchOutcome): PatchReport | null => (p.outcome === 'dropped' || p.outcome === 'merged-upstream' ? null : p.report);

function detail(p: PatchOutcome): string[] {
  const out: string[] = [];
  if (p.template) out.push(`template ${p.template}${p.newFiles?.length ? `; now also covers ${p.newFiles.join(', ')}` : ''}`);
  const report = hunksOf(p);
  const hs = hunkSummary(report);
  // --check reads a template patch as it is now: its failures are why it is to be regenerated.
  if (hs) out.push(`hunks: ${hs}${p.outcome === 'would-regenerate' ? ' (the patch as it is; regenerating rewrites it)' : ''}`);
  for (const f of report?.files ?? []) {
    if (f.missing && (p.outcome === 'would-regenerate' || p.outcome === 'regenerated')) {
      // A template patch is made anew from its rule: a file gone is simply not in it any more.
      out.push(`${f.path}: not in the tree (deleted or renamed upstream); regenerating leaves it out: the patch covers the files its rule matches now`);
      continue;
    }
    if (f.missing && p.outcome !== 'resolved') {
      // Gone from the tree: no hunk has a place to name; the stop put them in FILE.rej.
      out.push(goneLine(f.path, f.hunks.length, p.renames?.find((r) => r.path === f.path), p.outcome === 'would-fail'));
      continue;
    }
    if (f.message) out.push(`${f.path}: ${f.message}`);
    for (const h of f.hunks) {
      if (h.status === 'exact') continue;
      const why = h.reason && h.reason !== h.status && h.reason !== 'conflict' ? ` - ${h.reason}` : '';
      const failed = p.outcome === 'resolved' ? 'did not apply; resolved by hand' : failedAt(h, f.path, p.rejects ?? []);
      out.push(`${f.path} hunk ${h.hunk}: ${h.status === 'failed' ? failed : `${h.status} at line ${h.newLine ?? h.line}${h.offset ? ` (offset ${h.offset > 0 ? '+' : ''}${h.offset})` : ''}`}${why}`);
    }
  }
  if (p.reason) out.push(p.reason);
  if (p.oldCopy) out.push(`previous version kept in ${p.oldCopy}`);
  return out;
}

/**
 * What a person does with a .rej before --continue: where upstream renamed its file, add
 * the new name first; put the hunks in (into `into`, the file as it is now, when known); delete it.
 * The report joins them in a sentence, the TUI's conflict view puts one on a line.
 *   ["'patchq add b.py' (before changing it)", "put the hunks of a.py.rej into b.py by hand (or drop them)", "delete a.py.rej"]
 */
export function rejectSteps(rej: string, into: string | null, renamedTo: string | null): string[] {
  const to = renamedTo ?? into;
  return [...(renamedTo ? [`'patchq add ${renamedTo}' (before changing it)`] : []), `put the hunks of ${rej} ${to ? `into ${to}` : 'where they belong now'} by hand (or drop them)`, `delete ${rej}`];
}

/**
 * What a person fixes before --continue, file by file: the conflict markers, and the .rej
 * files (their hunks are in no file: --continue waits until they are deleted).
 *   "resolve the conflict markers in a.txt; put the hunks of b.txt.rej into b.txt by hand (or drop them), then delete b.txt.rej. "
 */
function whatToFix(p: PatchOutcome): string {
  const files = p.report?.files ?? [];
  const marked = files.filter((f) => f.hunks.some((h) => h.markers)).map((f) => f.path);
  const todo: string[] = [];
  if (marked.length) todo.push(`resolve the conflict markers in ${marked.join(', ')}`);
  for (const r of p.rejects ?? []) {
    const f = files.find((x) => `${x.path}.rej` === r);
    const to = f?.missing ? (p.renames?.find((x) => x.path === f.path)?.renamedTo ?? null) : null;
    const steps = rejectSteps(r, f && !f.missing ? f.path : null, to);
    todo.push(`${steps.slice(0, -1).join(', ')}, then ${steps.at(-1)}`);
  }
  return todo.length ? `${todo.join('; ')}. ` : 'its conflicts are in the files. Fix them, then ';
}

export function reportText(r: ReapplyReport): string[] {
  const lines: string[] = [];
  const where = r.base ? ` on ${r.base.slice(0, 12)}` : '';
  lines.push(r.check ? `patchq reapply --check${where}: ${r.patches.length} patch(es) checked, nothing written` : `patchq reapply${where}: ${r.patches.length} patch(es)`);
  if (r.poppedFirst.length) lines.push(`(popped ${r.poppedFirst.length} patch(es) still applied from before the pull)`);
  lines.push('');
  const width = Math.max(...r.patches.map((p) => p.name.length), 10);
  for (const p of [...r.patches].sort((a, b) => RANK[a.outcome] - RANK[b.outcome])) {
    lines.push(`  ${p.name.padEnd(width)}  ${LABEL[p.outcome]}`);
    for (const d of detail(p)) lines.push(`  ${' '.repeat(width)}    ${d}`);
  }
  lines.push('');
  const count = (...o: Outcome[]) => r.patches.filter((p) => o.includes(p.outcome)).length;
  if (r.check) {
    // The patches after a stop were not looked at: they are not counted as drifted.
    const unchecked = count('not-run');
    const after = unchecked ? `, and ${unchecked} after ${r.stoppedAt} were not checked` : '';
    // A patch upstream already has stops a plain run: name the run that goes through.
    const merged = count('merged-upstream');
    const run = merged ? `'patchq reapply --drop-merged' to repair them (it drops the ${merged} upstream already has)` : `'patchq reapply' to repair them`;
    lines.push(r.ok ? 'Every patch applies exactly.' : `${r.patches.length - count('exact', 'not-run')} patch(es) would not apply exactly${after}: run ${run}.`);
  } else if (r.stoppedAt) {
    const p = r.patches.find((x) => x.name === r.stoppedAt)!;
    lines.push(
      p.outcome === 'merged-upstream'
        ? `Stopped at ${r.stoppedAt}: upstream already has it. Drop it with 'patchq reapply --continue --drop-merged' (or 'patchq delete ${r.stoppedAt}', then 'patchq reapply --continue'); or roll back with 'patchq reapply --abort'.`
        : p.template && p.report === null
          ? `Stopped at ${r.stoppedAt}: its template could not regenerate it (see above). Fix the template or the files, then 'patchq reapply --continue' regenerates it again; or 'patchq reapply --abort' to roll back.`
          : p.handEdits?.length
          ? `Stopped at ${r.stoppedAt}: regenerating it dropped changes its template does not make (listed above; the old patch is kept). To keep them, put them back into the files, then 'patchq reapply --continue' (or continue as it is and make them a patch of their own); or 'patchq reapply --abort' to roll back.`
          : `Stopped at ${r.stoppedAt}: ${whatToFix(p)}Then 'patchq reapply --continue'; or 'patchq reapply --abort' to roll back.`,
    );
  } else {
    const review = count('refreshed', 'regenerated', 'resolved');
    lines.push(`All ${r.patches.length - count('dropped')} patch(es) are back${review ? `; ${review} ${review === 1 ? 'was' : 'were'} rewritten against the new upstream: review them (git diff patches/)` : ''}.`);
  }
  return lines;
}

export function reportMarkdown(r: ReapplyReport): string {
  const rows = r.patches.map((p) => `| \`${p.name}\` | ${LABEL[p.outcome]} | ${hunkSummary(hunksOf(p)) || '-'} | ${detail(p).filter((d) => !d.startsWith('hunks:')).join('<br>') || ''} |`);
  const status = r.check ? (r.ok ? 'every patch applies exactly' : 'some patches drifted') : r.stoppedAt ? `stopped at \`${r.stoppedAt}\`` : 'all patches are back';
  // The text report's last line: what to do next (or that all is back).
  const next = reportText(r).at(-1)!;
  return [`## patchq reapply${r.check ? ' --check' : ''}: ${status}`, '', r.base ? `Upstream: \`${r.base}\`` : '', '', '| patch | outcome | hunks | notes |', '|---|---|---|---|', ...rows, '', next, ''].join('\n');
}
