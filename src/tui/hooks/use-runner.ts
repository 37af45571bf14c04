/**
 * The operation runner: every action that changes the tree is one call on the store's Ops,
 * run with a progress bar; its result becomes a report or a conflict (outcomes.ts), its
 * error the message line. Nothing here decides anything about patches.
 */
import { useEffect, useRef, useState } from 'react';
import type { Target } from '../../stack/index.js';
import type { ReapplyReport } from '../../reapply/index.js';
import type { Screen } from '../keys.js';
import { appliedNow, patchText, type Ops, type Progress } from '../store.js';
import { popReport, pushOutcome, reapplyOutcome, type Conflict, type Outcome, type Report } from '../outcomes.js';

export interface Runner {
  busy: Progress | null;
  /** True from the moment an operation starts (a ref: keys in the same read see it). */
  isBusy(): boolean;
  message: string;
  report: Report | null;
  conflict: Conflict | null;
  /** The patch the last push refused (marked FAILED in the stack), and its text then. */
  failed: FailedMark | null;
  /** Bumped after every operation: the rows are read again. */
  version: number;
  /**
   * While an operation runs: the applied list as on disk at its last progress event (a
   * reapply lands each patch as it goes), shown over the rows; null otherwise.
   */
  landed: string[] | null;
  /** The patch a reapply run stopped at and waits on (R returns to it), or null. */
  stoppedAt: string | null;
  setMessage(m: string): void;
  /** Read the rows again (the series changed on disk). */
  reload(): void;
  push(name: string, force: boolean): Promise<void>;
  pop(target: Target): Promise<void>;
  refresh(): void;
  /** R: run reapply, or return to the run that stopped. */
  reapply(): Promise<void>;
  /** Show a reapply run's result that ended before the app started (the demo's). */
  showReapply(report: ReapplyReport): void;
  continueRun(): Promise<void>;
  abort(): Promise<void>;
  regen(name: string): Promise<void>;
  /** Leave the conflict view (s / esc). A stopped reapply stays stopped. */
  closeConflict(): void;
  /**
   * q while an operation runs: it is not cut off (its transaction finishes or rolls back as
   * one); `then` runs as soon as it is done.
   */
  afterCurrent(then: () => void): void;
  /** q was pressed while an operation runs: the app quits once it is done. */
  isQuitting(): boolean;
}

/**
 * A refused push, remembered for the FAILED mark: the patch, and its text when it was
 * refused. The mark stays (across an $EDITOR round trip too) until the patch is pushed,
 * another push lands or is refused, or the patch's text changes (an edit that may make it
 * apply: it has not been tried since).
 */
export interface FailedMark {
  name: string;
  text: string;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * A pop refused for changes the patch does not have yet: the way on in the TUI's keys.
 * quilt's words end "(refresh it or enforce with -f)", and the TUI has no -f. The refused
 * patch is the top by then (the ones above it were popped), so `r` refreshes that one.
 */
export function popRefusal(e: unknown): string {
  const m = errText(e);
  const refused = /^(Patch \S+ )(does not remove cleanly|needs to be refreshed first)/.exec(m);
  if (!refused) return m;
  const why = refused[2] === 'needs to be refreshed first' ? 'needs to be refreshed first' : 'does not remove cleanly (its files changed since its last refresh)';
  return `${refused[1]}${why}: r refreshes it (it is the top now), then o again`;
}

/** `initialFailed`: the mark as it was before the app was rendered again (back from $EDITOR). */
export function useRunner(ops: Ops, show: (s: Screen) => void, initialFailed: FailedMark | null = null): Runner {
  const [busy, setBusy] = useState<Progress | null>(null);
  const busyRef = useRef(false);
  const afterRef = useRef<(() => void) | null>(null);
  const [message, setMessage] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [failed, setFailed] = useState<FailedMark | null>(initialFailed);
  const [version, setVersion] = useState(0);
  const [landed, setLanded] = useState<string[] | null>(null);
  const [stoppedAt, setStoppedAt] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    ops.stoppedRun().then(
      (r) => live && setStoppedAt(r?.stoppedAt ?? null),
      () => live && setStoppedAt(null),
    );
    return () => void (live = false);
  }, [version]);
  const textOf = (name: string) => patchText(ops.tree, name) ?? '';

  async function run(verb: Progress['verb'], name: string, fn: (onProgress: (p: Progress) => void) => Promise<void>) {
    busyRef.current = true;
    setBusy({ verb, name, index: 0, total: 1 });
    setMessage('');
    // Each progress event: the bar, and the stack as it is on disk by then.
    const onProgress = (p: Progress) => {
      setBusy(p);
      try {
        setLanded(appliedNow(ops.tree));
      } catch {
        // Unreadable mid-run: the full read after the operation says why.
      }
    };
    try {
      await fn(onProgress);
    } catch (e) {
      setMessage(errText(e));
    } finally {
      busyRef.current = false;
      setBusy(null);
      setLanded(null);
      setVersion((v) => v + 1);
      const then = afterRef.current;
      afterRef.current = null;
      then?.();
    }
  }

  function land(o: Outcome, note?: string) {
    if (o.conflict) {
      setConflict(o.conflict);
      setFailed(o.conflict.kind === 'push' ? { name: o.conflict.name, text: textOf(o.conflict.name) } : null);
      if (note) setMessage(note);
      return show('conflict');
    }
    setConflict(null);
    setFailed(null);
    setReport(note ? { ...o.report, title: note, lines: [o.report.title, ...o.report.lines] } : o.report);
    show('report');
  }

  const showReport = (r: Report) => {
    setConflict(null);
    setReport(r);
    show('report');
  };

  return {
    busy,
    isBusy: () => busyRef.current,
    isQuitting: () => afterRef.current !== null,
    afterCurrent: (then: () => void) => {
      if (!busyRef.current) return then();
      afterRef.current = then;
    },
    message,
    report,
    conflict,
    failed,
    version,
    landed,
    stoppedAt,
    setMessage,
    reload: () => setVersion((v) => v + 1),
    push: (name, force) => run('push', name, async (p) => land(pushOutcome(await ops.pushTo(name, force, p), textOf))),
    pop: (target) =>
      run('pop', '', async (p) => {
        let popped: string[];
        try {
          popped = await ops.popTo(target, p);
        } catch (e) {
          throw new Error(popRefusal(e));
        }
        showReport(popReport(popped));
      }),
    refresh() {
      try {
        setMessage(ops.refreshTop().message);
      } catch (e) {
        setMessage(errText(e));
      }
      setVersion((v) => v + 1);
    },
    showReapply: (rep) => land(reapplyOutcome(rep, textOf)),
    reapply: () =>
      run('reapply', '', async (p) => {
        const stopped = await ops.stoppedRun();
        land(reapplyOutcome(stopped ?? (await ops.reapply(p)), textOf));
      }),
    async continueRun() {
      if (conflict?.kind !== 'reapply') return setMessage('Nothing to continue: c continues a stopped reapply');
      await run('reapply', conflict.name, async (p) => land(reapplyOutcome(await ops.reapplyContinue(conflict.mergedUpstream, p), textOf)));
    },
    async abort() {
      if (conflict?.kind === 'reapply') {
        return run('reapply', conflict.name, async () => {
          const popped = await ops.reapplyAbort();
          showReport({ title: 'Reapply aborted: the series and patch files are as they were before the run', attention: [], lines: popped.map((n) => `Removing patch ${n}`) });
        });
      }
      const pushed = conflict?.pushed.length ?? 0;
      setFailed(null);
      if (!pushed) {
        setConflict(null);
        return show('stack');
      }
      await run('pop', '', async (p) => showReport(popReport(await ops.popTo({ count: pushed }, p))));
    },
    regen: (name) =>
      run('push', name, async (p) => {
        const r = await ops.regenerate(name, p);
        land(pushOutcome(r.pushed, textOf), r.message);
      }),
    closeConflict() {
      setConflict(null);
      show('stack');
    },
  };
}
