/**
 * The app: one title line, the body of the current screen, a status line, the key footer.
 * Pieces: useNav (selection, screen, filter), useRunner (operations through the store,
 * progress, report, conflict), useKeys (key table -> actions), Body (screen routing).
 */
import { useEffect, useMemo } from 'react';
import { Box, Text } from 'ink';
import { filterRows, loadRows, openingRow, withApplied, openingTop, patchText, scrollTop, type Ops, type PatchRow } from './store.js';
import type { ReapplyReport } from '../reapply/index.js';
import { diffLines, titleText, titleWithPlace } from './present.js';
import { Body } from './components/Body.js';
import { Footer } from './components/Footer.js';
import { StatusLine, statusLines } from './components/StatusLine.js';
import { reportPage } from './screens/ReportScreen.js';
import { conflictPage } from './screens/ConflictScreen.js';
import { helpScreenLines } from './screens/HelpScreen.js';
import { useSize } from './hooks/use-size.js';
import { useNav } from './hooks/use-nav.js';
import { useRunner, type FailedMark } from './hooks/use-runner.js';
import { useKeys } from './hooks/use-keys.js';
import { useDiskWatch } from './hooks/use-disk.js';

/** What `e` asks mount.ts to do: run the editor, then render the app again. */
export interface EditRequest {
  path: string;
  /** More files for the same editor run (a stopped reapply's other conflicted files). */
  more: string[];
  /** The patch to select when the app is back. */
  selected: string;
  /** Show the stopped reapply again afterwards. */
  reopen: boolean;
  /** Open `path` at this line (1-based), when the editor takes `+N`. */
  line?: number;
  /** The FAILED mark to keep when the app is back (it stays while the patch is unchanged). */
  failed?: FailedMark | null;
}

export interface AppProps {
  ops: Ops;
  color: boolean;
  /** Patch to select first (kept across an $EDITOR round trip). */
  initialSelected?: string;
  /** Show the stopped reapply run at once (back from editing its conflicted file). */
  reopenStopped?: boolean;
  /** Quit the app to edit a file; mount.ts runs the editor and renders the app again. */
  onEdit?: (req: EditRequest) => void;
  /** The user quit. */
  onQuit?: () => void;
  /** ctrl-z: stop for the shell (mount.ts); returns when continued, and the app paints again. */
  onSuspend?: () => void;
  /** A line for the status bar at once (what became of an edit). */
  notice?: string;
  /** A reapply run that just ended (the demo's): shown first, as R shows its own. */
  initialReport?: ReapplyReport;
  /** A refused push's FAILED mark from before an $EDITOR round trip. */
  initialFailed?: FailedMark | null;
}

export function App({ ops, color, initialSelected, reopenStopped, onEdit, onQuit, onSuspend, notice, initialReport, initialFailed }: AppProps) {
  const { width, height } = useSize();
  const navApi = useNav();
  const { nav } = navApi;
  const runner = useRunner(ops, navApi.show, initialFailed ?? null);
  useDiskWatch(ops.tree, runner.isBusy, runner.reload);
  // A series that cannot be read (made a folder, unreadable) is said on the status line;
  // the app stays up and shows it again once it can be read.
  const loaded = useMemo(() => {
    try {
      // FAILED while the patch is as it was refused: an edit since may make it apply.
      const failed = runner.failed && patchText(ops.tree, runner.failed.name) === runner.failed.text ? runner.failed.name : null;
      return { rows: loadRows(ops.tree, failed), error: '' };
    } catch (e) {
      const err = e as Error & { describe?: () => string };
      return { rows: [] as PatchRow[], error: err.describe?.() ?? String(err.message ?? e) };
    }
  }, [ops, runner.failed, runner.version]);
  // While an operation runs, the states as its patches land (the rows are read whole after it).
  const all = useMemo(() => (runner.landed ? withApplied(loaded.rows, runner.landed) : loaded.rows), [loaded, runner.landed]);

  // The status line takes more rows for a long message (wrapped, not cut): the body fewer.
  const status = nav.confirm ? `${nav.confirm.confirm}? (y/n)` : runner.message || loaded.error;
  const statusH = runner.busy ? 1 : statusLines(status, width).length;
  const bodyH = Math.max(1, height - 2 - statusH);
  // Opened on the top patch (or the one kept across an edit), scrolled so it shows.
  if (nav.selected < 0) {
    nav.selected = openingRow(all, initialSelected);
    nav.listTop = openingTop(nav.selected, bodyH, all.length);
  }
  const rows = filterRows(all, nav.filter);
  const sel = Math.min(nav.selected, Math.max(0, rows.length - 1));
  const row: PatchRow | undefined = rows[sel];
  nav.listTop = scrollTop(nav.listTop, sel, bodyH, rows.length);
  const diff = useMemo(
    () => (nav.screen === 'diff' && row ? diffLines(patchText(ops.tree, row.name) ?? '', ops.landing(row.name)) : []),
    [nav.screen, row?.name, runner.version],
  );
  const contentLength =
    nav.screen === 'diff' ? diff.length
    : nav.screen === 'report' && runner.report ? reportPage(runner.report, width).length
    : nav.screen === 'conflict' && runner.conflict ? conflictPage(runner.conflict, width).length
    : nav.screen === 'help' ? helpScreenLines(width).length
    : 0;
  // A page scrolled to its end stays whole when the terminal grows (its lines wrap less).
  nav.scroll = Math.min(nav.scroll, Math.max(0, contentLength - bodyH));

  useKeys({ navApi, tree: ops.tree, runner, all, pageHeight: bodyH, width, contentLength, onEdit, onQuit, onSuspend });
  useEffect(() => {
    if (notice) runner.setMessage(notice);
    // (Showing the stopped run clears the status line: the notice goes after it.)
    if (reopenStopped) void runner.reapply().then(() => notice && runner.setMessage(notice));
    else if (initialReport) runner.showReapply(initialReport);
  }, []);

  const title = nav.screen === 'diff' && row ? `${row.name}  (${row.state})` : titleText(all, nav.filter, nav.filtering, runner.stoppedAt, width);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...(color ? { bold: true } : {})}>{titleWithPlace(title, nav.screen === 'stack' ? 0 : nav.scroll, bodyH, contentLength, width)}</Text>
      <Body screen={nav.screen} rows={rows} selected={sel} listTop={nav.listTop} diff={diff} report={runner.report} conflict={runner.conflict} scroll={nav.scroll} height={bodyH} width={width} color={color} />
      <StatusLine busy={runner.busy} text={status} width={width} color={color} />
      <Footer screen={nav.screen} conflict={runner.conflict} width={width} color={color} />
    </Box>
  );
}
