/**
 * Keys: ink's input -> a key name -> the binding of the current screen (keys.ts) -> an
 * action, through the y/n prompt for the destructive ones and the `/` prompt while
 * filtering. `dispatch` maps each action to one runner call or one navigation change.
 */
import { join } from 'node:path';
import { useCallback, useRef } from 'react';
import { useApp, useInput, type Key } from 'ink';
import { bindingFor, keyName, unboundText, type Action } from '../keys.js';
import { filterRows, type PatchRow } from '../store.js';
import { filterKey, move, type NavApi } from './use-nav.js';
import type { Runner } from './use-runner.js';
import { hunkAt } from '../screens/ConflictScreen.js';
import type { EditRequest } from '../app.js';

export interface KeyContext {
  navApi: NavApi;
  tree: { root: string; patchesDir: string };
  runner: Runner;
  /** Every series row (unfiltered), as of this render. */
  all: PatchRow[];
  /** Rows of the body (a page). */
  pageHeight: number;
  /** Lines of the current non-stack screen (for scrolling). */
  contentLength: number;
  /** Page width (the conflict view wraps at it: which hunk is at the top of the page). */
  width: number;
  /** Leave ink for the editor (app.tsx's EditRequest). */
  onEdit?: ((req: EditRequest) => void) | undefined;
  onQuit?: (() => void) | undefined;
  /** ctrl-z: stop the app for the shell; returns once it runs again (app.tsx's onSuspend). */
  onSuspend?: (() => void) | undefined;
}

/**
 * ink re-subscribes a new input handler only when its effects run, which can be after the
 * next key when keys come fast (the key after a push's result would still see the screen
 * before it). So the subscription is stable and calls the handler of the latest render.
 */
export function useKeys(ctx: KeyContext): void {
  const { exit } = useApp();
  const latest = useRef<(input: string, key: Key) => void>(() => {});
  latest.current = keyHandler(ctx, exit);
  useInput(useCallback((input: string, key: Key) => latest.current(input, key), []));
}

/** p, o, enter... with no row to act on (an empty series, a filter that matches none). */
const NO_ROW = 'No patch selected (the series is empty, or the filter matches none: / then esc clears it)';

/** Keys that only move the view: taken while an operation runs. */
const MOVES: ReadonlySet<Action> = new Set(['up', 'down', 'pageUp', 'pageDown', 'first', 'last']);

/** The key handler for one render's context. */
function keyHandler(ctx: KeyContext, exit: () => void): (input: string, key: Key) => void {
  const { nav, rerender, show } = ctx.navApi;
  const { runner } = ctx;

  /** The selected row as of now (after every key already handled). */
  const current = (): PatchRow | undefined => {
    const rs = filterRows(ctx.all, nav.filter);
    return rs[Math.min(nav.selected, rs.length - 1)];
  };

  function dispatch(action: Action): void {
    const row = current();
    const conflict = runner.conflict;
    switch (action) {
      case 'up':
      case 'down':
      case 'pageUp':
      case 'pageDown': {
        const step = action === 'up' ? -1 : action === 'down' ? 1 : action === 'pageUp' ? -ctx.pageHeight : ctx.pageHeight;
        move(nav, step, filterRows(ctx.all, nav.filter).length, ctx.contentLength, ctx.pageHeight);
        return rerender();
      }
      case 'first':
      case 'last':
        // As far as it goes: move() keeps it in range (the first or last row, or page line).
        move(nav, action === 'first' ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER, filterRows(ctx.all, nav.filter).length, ctx.contentLength, ctx.pageHeight);
        return rerender();
      case 'open':
        return row ? show('diff') : runner.setMessage(NO_ROW);
      case 'back':
        return show('stack');
      case 'skip':
        return runner.closeConflict();
      case 'help':
        return show('help');
      case 'quit':
        ctx.onQuit?.();
        return exit();
      case 'filter':
        nav.filtering = true;
        return rerender();
      case 'push':
        if (!row) return runner.setMessage(NO_ROW);
        return void runner.push(row.name, false);
      case 'forcePush': {
        if (conflict?.kind === 'reapply') return runner.setMessage('The run already laid the conflict out in the files: fix them, then c');
        const name = conflict?.name ?? row?.name;
        return name ? void runner.push(name, true) : runner.setMessage(NO_ROW);
      }
      case 'pop':
        return row ? void runner.pop({ name: row.name }) : runner.setMessage(NO_ROW);
      case 'popAll':
        return void runner.pop({ all: true });
      case 'abort':
        return void runner.abort();
      case 'continue':
        return void runner.continueRun();
      case 'refresh':
        return runner.refresh();
      case 'reapply':
        return void runner.reapply();
      case 'regen': {
        if (conflict?.kind === 'reapply') return runner.setMessage('The run has this patch applied with its conflicts: fix the files and c, or a to abort');
        const name = conflict?.name ?? row?.name;
        return name ? void runner.regen(name) : runner.setMessage(NO_ROW);
      }
      case 'edit':
        return edit(row);
      case 'suspend':
        if (!ctx.onSuspend) return runner.setMessage('^Z: no shell to suspend to here');
        ctx.onSuspend();
        // Back (fg): paint the whole screen again.
        return rerender();
    }
  }

  /**
   * `e`: the patch file; on a stopped reapply, every file with a conflict in it, in one
   * editor run (it opened the first only, and again the first on the next `e`). Opened at
   * the line the person is on: the refused hunk at the top of the conflict view (its @@ line
   * in the patch; on a stopped reapply its conflict markers in the file, which goes first),
   * or the top line of a diff.
   */
  function edit(row: PatchRow | undefined): void {
    const conflict = runner.conflict;
    const name = conflict?.name ?? row?.name;
    if (!name || !ctx.onEdit) return runner.setMessage('No editor available here');
    const onConflict = nav.screen === 'conflict' && conflict ? hunkAt(conflict, ctx.width, nav.scroll) : undefined;
    // (A diff of the patch being opened: a conflict left open behind the help is another's.)
    let line = nav.screen === 'diff' && name === row?.name ? nav.scroll + 1 : undefined;
    let files = [join(ctx.tree.patchesDir, name)];
    const stopped = conflict?.kind === 'reapply' && conflict.files.length > 0;
    if (stopped) {
      // A file gone upstream is not made again by an editor: its hunks are in its .rej.
      const gone = (f: string) => conflict.gone?.some((g) => g.file === f) ?? false;
      const first = onConflict && conflict.files.includes(onConflict.file) ? onConflict.file : conflict.files[0]!;
      files = [first, ...conflict.files.filter((f) => f !== first)].map((f) => join(ctx.tree.root, gone(f) ? `${f}.rej` : f));
      line = onConflict?.file === first && !gone(first) ? (onConflict.markers?.from ?? onConflict.intended ?? (onConflict.statedLine || undefined)) : undefined;
    } else if (onConflict) line = onConflict.patchLine;
    ctx.onEdit({ path: files[0]!, more: files.slice(1), selected: row?.name ?? name, reopen: stopped, ...(line ? { line } : {}), failed: runner.failed });
    exit();
  }

  function handleKey(input: string, key: Partial<Key>): void {
    const name = keyName(input, key);
    // ctrl-z from anywhere, as a terminal's own ^Z would: an operation under way goes on after fg.
    if (name === 'ctrl-z') return dispatch('suspend');
    if (runner.isBusy()) {
      // While an operation runs, keys are not queued: a key acts on the screen and the
      // selection the person sees, and those change when the operation ends (a report, a
      // conflict, a new top), so a queued `p` could push again, or push what is selected
      // then rather than now. Moving the selection and scrolling change nothing on disk and
      // are taken; quit is taken and happens once the operation is done; any other key is
      // dropped, and the status line says so (it was once dropped without a word).
      const b = bindingFor(nav.screen, name);
      const verb = runner.busy?.verb ?? 'operation';
      if (b?.action === 'quit') {
        runner.setMessage(`Quitting when the ${verb} is done…`);
        runner.afterCurrent(() => {
          ctx.onQuit?.();
          exit();
        });
      } else if (b && MOVES.has(b.action)) dispatch(b.action);
      else if (b && !runner.isQuitting()) runner.setMessage(`${name} was ignored: typed during the ${verb} (keys are not queued)`);
      return;
    }
    // ctrl-c quits from anywhere: a y/n prompt, the filter prompt (it was typed into it, a no-op).
    if (name === 'ctrl-c') {
      nav.confirm = null;
      return dispatch('quit');
    }
    if (nav.confirm) {
      const b = nav.confirm;
      nav.confirm = null;
      rerender();
      if (name === 'y' || name === 'Y') dispatch(b.action);
      else runner.setMessage('Cancelled');
      return;
    }
    if (nav.filtering) {
      filterKey(nav, name, input, Boolean(key.ctrl || key.meta));
      return rerender();
    }
    const b = bindingFor(nav.screen, name);
    if (!b) return name ? runner.setMessage(unboundText(nav.screen, name)) : undefined;
    runner.setMessage('');
    if (b.confirm) {
      nav.confirm = b;
      return rerender();
    }
    dispatch(b.action);
  }

  return (input, key) => {
    // A terminal delivers keys typed (or sent, or pasted) faster than one read as ONE
    // string ("jjp", "/200\r", "^Zj"); ink hands it over whole (it splits escape sequences
    // only), so it is replayed one key at a time: characters, enter / backspace among them
    // (a filter typed then kept), and ctrl keys as ink names them alone (ctrl + the letter).
    const chars = [...input];
    if (chars.length > 1 && !key.ctrl && !key.meta && !input.includes('\x1b')) {
      for (const ch of chars) {
        const code = ch.charCodeAt(0);
        if (ch === '\r' || ch === '\n') handleKey('', { return: true });
        else if (ch === '\x7f' || ch === '\b') handleKey('', { backspace: true });
        else if (code >= 0x01 && code <= 0x1a && ch !== '\t') handleKey(String.fromCharCode(code + 0x60), { ctrl: true });
        else if (code >= 0x20) handleKey(ch, {});
      }
    } else handleKey(input, key);
  };
}
