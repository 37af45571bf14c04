/**
 * The app: screens (stack, diff, conflict, report, help), a confirm prompt and a filter
 * prompt over the store's Ops. Keys are looked up in keys.ts; this file only maps an
 * action to a store call and the screen to show afterwards.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { bindingFor, keyName, type Action, type Binding, type Screen } from './keys.js';
import { filterRows, loadRows, patchText, scrollTop, type Ops, type PatchRow, type Progress } from './store.js';
import { diffLines, fit, rejectedHunks, type RejectedHunk } from './present.js';
import { StackList } from './components/StackList.js';
import { DiffView } from './components/DiffView.js';
import { Footer } from './components/Footer.js';
import { ProgressBar } from './components/ProgressBar.js';
import { HelpScreen } from './screens/HelpScreen.js';
import { ReportScreen, reportLength, type Report } from './screens/ReportScreen.js';
import { ConflictScreen, conflictLines } from './screens/ConflictScreen.js';

export interface AppProps {
  ops: Ops;
  color: boolean;
  /** Patch to select first (kept across an $EDITOR round trip). */
  initialSelected?: string;
  /** Quit the app to edit this file; startTui runs the editor and renders the app again. */
  onEdit?: (path: string, selected: string) => void;
  /** The user quit. */
  onQuit?: () => void;
}

interface Ui {
  selected: number;
  listTop: number;
  filter: string;
  filtering: boolean;
  screen: Screen;
  scroll: number;
  /** A destructive action waiting for y/n. */
  confirm: Binding | null;
}

interface Conflict {
  name: string;
  hunks: RejectedHunk[];
  /** What this push applied before the failure (abort pops them). */
  pushed: string[];
}

/** Terminal size, following resizes. */
function useSize(): { width: number; height: number } {
  const { stdout } = useStdout();
  const get = () => ({ width: stdout.columns || 80, height: stdout.rows || 24 });
  const [size, setSize] = useState(get);
  useEffect(() => {
    const on = () => setSize(get());
    stdout.on('resize', on);
    return () => void stdout.off('resize', on);
  }, [stdout]);
  return size;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function App({ ops, color, initialSelected, onEdit, onQuit }: AppProps) {
  const { exit } = useApp();
  const { width, height } = useSize();
  const [failedName, setFailedName] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const all = useMemo(() => loadRows(ops.tree, failedName), [ops, failedName, version]);
  const [report, setReport] = useState<Report | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [busy, setBusy] = useState<Progress | null>(null);
  const [message, setMessage] = useState('');
  // Navigation lives in a ref, updated as each key arrives: keys typed faster than React
  // renders ("jjp" in one read) must each see the previous key's result, not a stale
  // closure. `tick` re-renders after a change.
  const ui = useRef<Ui>({ selected: -1, listTop: 0, filter: '', filtering: false, screen: 'stack', scroll: 0, confirm: null });
  const [, setTick] = useState(0);
  const rerender = () => setTick((t) => t + 1);
  if (ui.current.selected < 0) ui.current.selected = Math.max(0, all.findIndex((r) => r.name === initialSelected));
  const { filter, filtering, screen, scroll, confirm } = ui.current;

  const bodyH = Math.max(3, height - 3);
  const rows = filterRows(all, filter);
  const sel = Math.min(ui.current.selected, Math.max(0, rows.length - 1));
  const row: PatchRow | undefined = rows[sel];
  const top = scrollTop(ui.current.listTop, sel, bodyH, rows.length);
  ui.current.listTop = top;
  const diff = useMemo(
    () => (screen === 'diff' && row ? diffLines(patchText(ops.tree, row.name) ?? '', ops.landing(row.name)) : []),
    [screen, row?.name, version],
  );
  const scrollMax =
    screen === 'diff' ? diff.length : screen === 'report' && report ? reportLength(report) : conflict ? conflictLines(conflict.name, conflict.hunks).length : 0;

  const reload = () => setVersion((v) => v + 1);
  const show = (s: Screen) => {
    ui.current.screen = s;
    ui.current.scroll = 0;
    rerender();
  };
  /** The selected row as of now (after every key already handled). */
  const current = (): PatchRow | undefined => {
    const rs = filterRows(all, ui.current.filter);
    return rs[Math.min(ui.current.selected, rs.length - 1)];
  };

  /** Run a stack call with a progress line; errors become the message line. */
  async function busyRun(verb: Progress['verb'], fn: (onStart: (p: Progress) => void) => Promise<void>) {
    setBusy({ verb, name: current()?.name ?? '', index: 0, total: 1 });
    setMessage('');
    try {
      await fn((p) => setBusy(p));
    } catch (e) {
      setMessage(errText(e));
    } finally {
      setBusy(null);
      reload();
    }
  }

  async function doPush(force: boolean, row = current()) {
    if (!row) return;
    if (row.state !== 'unapplied' && row.state !== 'failed') return setMessage(`Patch ${row.name} is currently applied`);
    const name = row.name;
    await busyRun('push', async (onStart) => {
      const r = await ops.pushTo(name, force, onStart);
      const lines = [...r.pushed, ...(r.failed ? [r.failed] : [])].flatMap((p) => p.lines);
      if (r.failed && r.failed.status === 'failed') {
        setFailedName(r.failed.name);
        setConflict({ name: r.failed.name, hunks: rejectedHunks(patchText(ops.tree, r.failed.name) ?? '', r.failed.report), pushed: r.pushed.map((p) => p.name) });
        show('conflict');
        return;
      }
      setFailedName(null);
      const attention = [...r.pushed, ...(r.failed ? [r.failed] : [])].filter((p) => p.drifted || p.status === 'forced').map((p) => `${p.name} (${p.status === 'forced' ? 'rejects, needs refresh' : 'drifted, needs refresh'})`);
      setReport({ title: `Pushed ${r.pushed.length} patch(es); now at ${r.top ?? 'nothing'}`, attention, lines });
      show('report');
    });
  }

  async function doPop(target: { name: string } | { all: true } | { count: number }) {
    await busyRun('pop', async (onStart) => {
      const popped = await ops.popTo(target, onStart);
      setReport({ title: `Popped ${popped.length} patch(es)`, attention: [], lines: popped.map((p) => `Removing patch ${p}`) });
      show('report');
    });
  }

  function run(action: Action) {
    const u = ui.current;
    const rs = filterRows(all, u.filter);
    const row = rs[Math.min(u.selected, rs.length - 1)];
    switch (action) {
      case 'up':
      case 'down':
      case 'pageUp':
      case 'pageDown': {
        const step = action === 'up' ? -1 : action === 'down' ? 1 : action === 'pageUp' ? -bodyH : bodyH;
        if (u.screen === 'stack') u.selected = Math.max(0, Math.min(rs.length - 1, Math.min(u.selected, rs.length - 1) + step));
        else u.scroll = Math.max(0, Math.min(Math.max(0, scrollMax - bodyH), u.scroll + step));
        return rerender();
      }
      case 'open':
        return row ? show('diff') : undefined;
      case 'back':
      case 'skip':
        setConflict(null);
        return show('stack');
      case 'help':
        return show('help');
      case 'quit':
        onQuit?.();
        return exit();
      case 'filter':
        u.filtering = true;
        return rerender();
      case 'push':
      case 'forcePush':
        if (conflict && action === 'forcePush') return void doPush(true, all.find((r) => r.name === conflict.name));
        return void doPush(action === 'forcePush', row);
      case 'pop':
        if (!row) return;
        if (row.state === 'unapplied' || row.state === 'failed') return setMessage(`Patch ${row.name} is not applied`);
        return void doPop({ name: row.name });
      case 'popAll':
        return void doPop({ all: true });
      case 'abort':
        setConflict(null);
        setFailedName(null);
        if (!conflict?.pushed.length) return show('stack');
        return void doPop({ count: conflict.pushed.length });
      case 'refresh':
        try {
          setMessage(ops.refreshTop().message);
        } catch (e) {
          setMessage(errText(e));
        }
        return reload();
      case 'reapply':
        return void busyRun('reapply', async (onStart) => {
          const r = await ops.reapply(onStart);
          setReport({ title: 'Reapply', attention: r.attention, lines: r.lines });
          show('report');
        });
      case 'regen': {
        const name = conflict?.name ?? row?.name;
        const r = all.find((x) => x.name === name);
        if (!r?.template) return setMessage(`Patch ${name ?? ''} is not a template patch`);
        return void busyRun('push', async () => setMessage(await ops.regenerate(r.name)));
      }
      case 'edit': {
        const name = conflict?.name ?? row?.name;
        if (!name || !onEdit) return setMessage('No editor available here');
        onEdit(`${ops.tree.patchesDir}/${name}`, name);
        return exit();
      }
    }
  }

  useInput((input, key) => {
    // A terminal delivers keys typed (or sent) faster than one read as ONE string ("jjp");
    // ink hands it over whole, so plain characters are replayed one key at a time.
    if (input.length > 1 && !key.ctrl && !key.meta && /^[\x20-\x7e]+$/.test(input)) {
      for (const ch of input) handleKey(ch, {});
    } else handleKey(input, key);
  });

  function handleKey(input: string, key: Partial<Key>) {
    const name = keyName(input, key);
    const u = ui.current;
    if (busy) return;
    if (u.confirm) {
      const b = u.confirm;
      u.confirm = null;
      rerender();
      if (name === 'y' || name === 'Y') run(b.action);
      else setMessage('Cancelled');
      return;
    }
    if (u.filtering) return filterKey(u, name, input, key.ctrl || key.meta);
    const b = bindingFor(u.screen, name);
    if (!b) return;
    setMessage('');
    if (b.confirm) {
      u.confirm = b;
      return rerender();
    }
    run(b.action);
  }

  /** The `/` prompt: type to filter, backspace, enter keeps the filter, esc clears it. */
  function filterKey(u: Ui, name: string, input: string, mod: boolean | undefined) {
    if (name === 'enter') u.filtering = false;
    else if (name === 'esc') {
      u.filter = '';
      u.filtering = false;
    } else if (name === 'backspace') u.filter = u.filter.slice(0, -1);
    else if (input && !mod && input.length === 1) u.filter += input;
    u.selected = 0;
    u.listTop = 0;
    rerender();
  }

  const applied = all.filter((r) => r.state !== 'unapplied' && r.state !== 'failed').length;
  const topName = all.filter((r) => r.state !== 'unapplied' && r.state !== 'failed').at(-1)?.name ?? 'none';
  const title = `patchq  ${all.length} patches, ${applied} applied, top: ${topName}${filter || filtering ? `  filter: ${filter}${filtering ? '_' : ''}` : ''}`;
  const status = confirm ? `${confirm.confirm}? (y/n)` : message;

  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" {...(color ? { bold: true } : {})}>{fit(screen === 'diff' && row ? `${row.name}  (${row.state})` : title, width)}</Text>
      <Box flexDirection="column" height={bodyH}>
        {screen === 'stack' && <StackList rows={rows} selected={sel} top={top} height={bodyH} width={width} color={color} />}
        {screen === 'diff' && <DiffView lines={diff} scroll={scroll} height={bodyH} width={width} color={color} />}
        {screen === 'help' && <HelpScreen height={bodyH} />}
        {screen === 'report' && report && <ReportScreen report={report} scroll={scroll} height={bodyH} color={color} />}
        {screen === 'conflict' && conflict && <ConflictScreen name={conflict.name} hunks={conflict.hunks} scroll={scroll} height={bodyH} color={color} />}
      </Box>
      {busy ? <ProgressBar p={busy} width={width} color={color} /> : <Text wrap="truncate">{fit(status, width)}</Text>}
      <Footer screen={screen} width={width} color={color} />
    </Box>
  );
}
