/**
 * The reapply report, for a person (text), a CI job summary or PR body (markdown), and
 * scripts (the ReapplyReport object as JSON). Needs-a-person first, then what was
 * rewritten (to review), then what came back exactly.
 */
import type { HunkStatus, PatchReport } from '../engine/types.js';
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

export function hunkSummary(r: PatchReport | null): string {
  if (!r) return '';
  const counts = new Map<HunkStatus, number>();
  for (const f of r.files) for (const h of f.hunks) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
  const order: HunkStatus[] = ['exact', 'offset', 'merged', 'fuzzy', 'failed'];
  return order.filter((s) => counts.get(s)).map((s) => `${counts.get(s)} ${s}`).join(', ');
}

/** A patch upstream already took has nothing to say hunk by hunk. */
const hunksOf = (p: PatchOutcome): PatchReport | null => (p.outcome === 'dropped' || p.outcome === 'merged-upstream' ? null : p.report);

function detail(p: PatchOutcome): string[] {
  const out: string[] = [];
  if (p.template) out.push(`template ${p.template}${p.newFiles?.length ? `; now also covers ${p.newFiles.join(', ')}` : ''}`);
  const report = hunksOf(p);
  const hs = hunkSummary(report);
  if (hs) out.push(`hunks: ${hs}`);
  for (const f of report?.files ?? []) {
    if (f.missing && p.outcome !== 'resolved') {
      // Gone from the tree: no hunk has a place to name; the stop put them in FILE.rej.
      out.push(`${f.path}: not in the tree (deleted or renamed upstream); its ${f.hunks.length} hunk(s) are in ${f.path}.rej`);
      continue;
    }
    for (const h of f.hunks) {
      if (h.status === 'exact') continue;
      const where = h.status === 'failed' ? (h.line != null ? ` at best candidate line ${h.line}` : '') : ` at line ${h.line}${h.offset ? ` (offset ${h.offset > 0 ? '+' : ''}${h.offset})` : ''}`;
      out.push(`${f.path} hunk ${h.hunk}: ${h.status}${where}${h.reason && h.reason !== h.status ? ` - ${h.reason}` : ''}`);
    }
  }
  if (p.reason) out.push(p.reason);
  if (p.oldCopy) out.push(`previous version kept in ${p.oldCopy}`);
  return out;
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
    lines.push(r.ok ? 'Every patch applies exactly.' : `${r.patches.length - count('exact')} patch(es) would not apply exactly: run 'patchq reapply' to repair them.`);
  } else if (r.stoppedAt) {
    const p = r.patches.find((x) => x.name === r.stoppedAt)!;
    lines.push(
      p.outcome === 'merged-upstream'
        ? `Stopped at ${r.stoppedAt}: upstream already has it. Drop it with 'patchq reapply --continue --drop-merged', or roll back with 'patchq reapply --abort'.`
        : p.template && p.report === null
          ? `Stopped at ${r.stoppedAt}: its template could not regenerate it (see above). Fix the template or the files, then 'patchq reapply --continue' regenerates it again; or 'patchq reapply --abort' to roll back.`
          : p.handEdits?.length
          ? `Stopped at ${r.stoppedAt}: regenerating it dropped changes its template does not make (listed above; the old patch is kept). To keep them, put them back into the files, then 'patchq reapply --continue' (or continue as it is and make them a patch of their own); or 'patchq reapply --abort' to roll back.`
          : `Stopped at ${r.stoppedAt}: its conflicts are in the files (merge markers or .rej). Fix them, then 'patchq reapply --continue'; or 'patchq reapply --abort' to roll back.`,
    );
  } else {
    const review = count('refreshed', 'regenerated', 'resolved');
    lines.push(`All ${r.patches.length - count('dropped')} patch(es) are back${review ? `; ${review} were rewritten against the new upstream: review them (git diff patches/)` : ''}.`);
  }
  return lines;
}

export function reportMarkdown(r: ReapplyReport): string {
  const rows = r.patches.map((p) => `| \`${p.name}\` | ${LABEL[p.outcome]} | ${hunkSummary(hunksOf(p)) || '-'} | ${detail(p).filter((d) => !d.startsWith('hunks:')).join('<br>') || ''} |`);
  const status = r.check ? (r.ok ? 'every patch applies exactly' : 'some patches drifted') : r.stoppedAt ? `stopped at \`${r.stoppedAt}\`` : 'all patches are back';
  return [`## patchq reapply${r.check ? ' --check' : ''}: ${status}`, '', r.base ? `Upstream: \`${r.base}\`` : '', '', '| patch | outcome | hunks | notes |', '|---|---|---|---|', ...rows, ''].join('\n');
}
