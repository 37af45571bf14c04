/**
 * What the app shows after an operation: the stack's and reapply's own results turned into
 * a report (patches that need a person first) or a conflict (the patch that stopped the
 * run, with its refused hunks). Pure: no React, no files; the patch text is passed in.
 * Example: a push of 3 where the 3rd is refused -> { conflict: { kind: 'push', name: 3rd,
 * pushed: [1st, 2nd], hunks: [...] } }; a push that landed with drift -> a report whose
 * attention list names the drifted patch.
 */
import type { PatchReport } from '../engine/types.js';
import type { PushResult } from '../stack/index.js';
import type { ReapplyReport } from '../reapply/index.js';
import { goneLine, rejectSteps, reportText } from '../reapply/report.js';
import { rejectedHunks, type RejectedHunk } from './present.js';

export interface Report {
  title: string;
  /** Patches that need a person, shown first. */
  attention: string[];
  lines: string[];
}

export interface Conflict {
  /** push: the patch was refused, nothing of it written; reapply: the run stopped there. */
  kind: 'push' | 'reapply';
  name: string;
  hunks: RejectedHunk[];
  /** push: what this push applied before the refusal (abort pops them). */
  pushed: string[];
  /** reapply: upstream already has the patch (continue drops it from the series). */
  mergedUpstream: boolean;
  /** push: the patch is made from a template (t regenerates it). */
  template?: boolean;
  /** Why, in one line (reapply's reason, or the count of refused hunks). */
  reason: string;
  /** Files with refused hunks, relative to the tree (where $EDITOR goes on a reapply stop). */
  files: string[];
  /**
   * reapply: files of the patch gone from the tree, each with reapply's own lines for it
   * (where upstream put it, and what to do with its .rej), shown above its hunks.
   */
  gone?: { file: string; notes: string[] }[];
}

export type Outcome = { report: Report; conflict?: undefined } | { conflict: Conflict; report?: undefined };

const failedFiles = (r: PatchReport | null): string[] => (r ? r.files.filter((f) => f.status !== 'ok').map((f) => f.path) : []);

export function pushOutcome(r: PushResult, textOf: (name: string) => string): Outcome {
  // A forced patch is both pushed and `failed` (the stack returns the same entry in both).
  const all = r.failed && !r.pushed.includes(r.failed) ? [...r.pushed, r.failed] : r.pushed;
  const lines = all.flatMap((p) => p.lines);
  if (r.failed && r.failed.status === 'failed') {
    const text = textOf(r.failed.name);
    const hunks = rejectedHunks(text, r.failed.report);
    return {
      conflict: {
        kind: 'push',
        name: r.failed.name,
        // The header's line (no line of a diff starts with it).
        template: /^Patchq-Template: \S/m.test(text),
        hunks,
        pushed: r.pushed.map((p) => p.name),
        mergedUpstream: false,
        reason: `${hunks.length} hunk(s) refused; nothing of it was written`,
        files: failedFiles(r.failed.report),
      },
    };
  }
  const attention = all
    .filter((p) => p.drifted || p.status === 'forced' || p.status === 'already-applied')
    .map((p) => `${p.name} (${p.status === 'forced' ? 'rejects, needs refresh' : p.status === 'already-applied' ? 'already applied: upstream has it' : 'drifted, needs refresh'})`);
  return { report: { title: `Pushed ${r.pushed.length} patch(es); now at ${r.top ?? 'nothing'}`, attention, lines } };
}

export function popReport(popped: string[]): Report {
  return { title: `Popped ${popped.length} patch(es)`, attention: [], lines: popped.map((p) => `Removing patch ${p}`) };
}

/**
 * What to do with the .rej of a file gone upstream: reapply's stop line, one step a line
 * so each fits the screen (the conflict view cuts long lines).
 *   "to do: 'patchq add b.py' (before changing it)",
 *   "       put the hunks of a.py.rej into b.py by hand (or drop them)",
 *   "       delete a.py.rej, then c continue"
 */
export function goneSteps(rej: string, renamedTo: string | null): string[] {
  const steps = rejectSteps(rej, null, renamedTo);
  steps[steps.length - 1] += ', then c continue';
  return steps.map((t, i) => `${i === 0 ? 'to do:' : '      '} ${t}`);
}

/** A stopped run as a conflict: the last outcome is the patch it stopped at. */
export function reapplyConflict(rep: ReapplyReport, textOf: (name: string) => string): Conflict | null {
  const stop = rep.stoppedAt ? rep.patches.find((p) => p.name === rep.stoppedAt) : undefined;
  if (!stop) return null;
  const merged = stop.outcome === 'merged-upstream';
  // A file gone upstream: the report's line for it (renamed to..., deleted...) and its step.
  const gone = merged
    ? []
    : (stop.report?.files ?? [])
        .filter((f) => f.missing)
        .map((f) => {
          const rej = `${f.path}.rej`;
          const found = stop.renames?.find((r) => r.path === f.path);
          const notes = [goneLine(f.path, f.hunks.length, found)];
          if (stop.rejects?.includes(rej)) notes.push(...goneSteps(rej, found?.renamedTo ?? null));
          return { file: f.path, notes };
        });
  return {
    kind: 'reapply',
    name: stop.name,
    hunks: !merged && stop.report ? rejectedHunks(textOf(stop.name), stop.report) : [],
    pushed: [],
    mergedUpstream: merged,
    // A failed patch's why is in its hunks (and file messages), each shown once below.
    reason: stop.reason ?? (merged ? 'upstream already has this change' : ''),
    files: merged ? [] : failedFiles(stop.report),
    ...(gone.length ? { gone } : {}),
  };
}

/** The reapply report in reapply's own words (needs-a-person first), plus the attention list. */
export function reapplyOutcome(rep: ReapplyReport, textOf: (name: string) => string): Outcome {
  const conflict = reapplyConflict(rep, textOf);
  if (conflict) return { conflict };
  const attention = rep.patches
    .filter((p) => p.outcome === 'refreshed' || p.outcome === 'regenerated' || p.outcome === 'resolved')
    .map((p) => `${p.name} (${p.outcome}: review it)`);
  return { report: { title: rep.ok ? 'Reapply: every patch is back' : `Reapply stopped at ${rep.stoppedAt}`, attention, lines: reportText(rep) } };
}
