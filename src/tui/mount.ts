/**
 * The ink side of startTui, loaded with `await import()` after the first frame is on the
 * screen. Keys typed before this point wait in the terminal (startTui set raw mode): ink
 * reads them first.
 * `e` leaves ink for the editor: the app exits asking for an edit, we run $EDITOR with the
 * terminal (inherited stdio) and render a fresh app with the same patch selected (and the
 * stopped reapply shown again when the edit was its conflicted file).
 */
import { spawnSync } from 'node:child_process';
import { createElement } from 'react';
import { render } from 'ink';
import { App, type AppProps, type EditRequest } from './app.js';
import type { FailedMark } from './hooks/use-runner.js';
import { editorCommand } from './editor.js';
import { EscInput } from './esc-input.js';
import type { Ops } from './store.js';
import type { ReapplyReport } from '../reapply/index.js';
import { PatchqError } from '../engine/errors.js';
import { compressionOf, editPatchCopy } from '../stack/index.js';
import { loadSettings } from '../settings/settings.js';

/** `live.stop` unmounts the app on the screen (startTui calls it on a signal). */
export async function mount(ops: Ops, env: NodeJS.ProcessEnv, color: boolean, beforeFirst: () => void, report?: ReapplyReport, live?: { stop: (() => void) | null }): Promise<number> {
  let selected: string | undefined;
  let reopen = false;
  let notice: string | undefined;
  let edited = false;
  // A refused push's FAILED mark, kept across the editor run (app.tsx drops it if the edit
  // changed the patch).
  let refused: FailedMark | null = null;
  beforeFirst();
  // The terminal's keys with Escape told from alt sequences by a short timeout (esc-input.ts).
  const stdin = process.stdin.isTTY ? new EscInput(process.stdin) : process.stdin;
  for (;;) {
    let edit: EditRequest | null = null;
    const props: AppProps = {
      ops,
      color,
      ...(selected ? { initialSelected: selected } : {}),
      reopenStopped: reopen,
      ...(notice ? { notice } : {}),
      // The run's report the first time only (back from $EDITOR the app shows the stack).
      ...(report && !edited ? { initialReport: report } : {}),
      initialFailed: refused,
      onEdit: (req: EditRequest) => void (edit = req),
      // ctrl-z (the key handler paints again once it returns).
      onSuspend: () => suspend(),
    };
    const app = render(createElement(App, props), { exitOnCtrlC: false, stdin: stdin as NodeJS.ReadStream });
    const repaint = () => app.rerender(createElement(App, props));
    // Back from the shell, ink forgets what it drew: the next frame is drawn whole. SIGTSTP
    // (kill -TSTP from elsewhere) stops the app the same way; its listener is off while the
    // app sends it, or the signal would only call it again.
    const suspend = () => {
      process.off('SIGTSTP', onTstp);
      try {
        suspendToShell();
      } finally {
        process.on('SIGTSTP', onTstp);
      }
      app.clear();
    };
    const onTstp = () => {
      suspend();
      repaint();
    };
    // Stopped by SIGSTOP and continued: take the terminal back (the shell may have set it
    // cooked) and paint it all again.
    const onCont = () => {
      takeTerminal();
      app.clear();
      repaint();
    };
    process.on('SIGTSTP', onTstp);
    process.on('SIGCONT', onCont);
    if (live) live.stop = () => app.unmount();
    await app.waitUntilExit();
    process.off('SIGTSTP', onTstp);
    process.off('SIGCONT', onCont);
    if (live) live.stop = null;
    app.cleanup();
    const e = edit as EditRequest | null;
    if (!e) return 0;
    edited = true;
    selected = e.selected;
    refused = e.failed ?? null;
    reopen = e.reopen;
    // VISUAL, else EDITOR, else `patchq config set editor`, else vi (settings.ts); at the
    // line the person was on when the editor takes +N (editor.ts).
    const editor = loadSettings(env).editor.value;
    // An editor that failed (not found: the shell's 127) is said on the status line: the
    // shell's own word went to the screen the app then painted over, so nothing showed.
    let failed: string | undefined;
    const run = (...paths: string[]) => {
      const r = spawnSync(editorCommand(editor, paths, e.line, env), { shell: true, stdio: 'inherit', env });
      if (r.status === 0) return;
      const how = r.error ? r.error.message : r.status === null ? `was stopped by ${r.signal}` : `exited with ${r.status}`;
      failed = `The editor '${editor}' ${how}${r.status === 127 ? ' (not found: set VISUAL or EDITOR, or patchq config set editor)' : ''}`;
    };
    // A compressed patch (not a conflicted file of the tree): edited through a plain copy.
    const patch = e.path.startsWith(ops.tree.patchesDir + '/') ? e.path.slice(ops.tree.patchesDir.length + 1) : null;
    notice = undefined;
    if (patch !== null && !e.reopen && compressionOf(patch)) {
      try {
        notice = editPatchCopy(ops.tree, patch, run) ? `${patch}: written back (${compressionOf(patch)})` : `${patch}: not changed`;
      } catch (err) {
        notice = err instanceof PatchqError ? err.describe() : String(err);
      }
    } else run(e.path, ...e.more);
    if (failed) notice = failed;
    // Full-screen editors (vim, less) leave the alternate screen on exit: enter it again.
    if (process.stdout.isTTY) process.stdout.write('\x1b[?1049h\x1b[H\x1b[J');
  }
}

/**
 * ctrl-z. In raw mode the terminal sends ^Z as a byte, not as SIGTSTP: the app hands the
 * terminal back as the shell wants it (cursor shown, main screen, cooked mode), then sends
 * SIGTSTP to its process group as the terminal's own ^Z would (a wrapper such as npx stops
 * too). kill() returns once the job is continued (fg); or at once where no shell could
 * continue it (an orphaned process group, where the kernel ignores SIGTSTP). Either way the
 * app takes the terminal again.
 */
function suspendToShell(): void {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdout.write('\x1b[?25h\x1b[?1049l');
  try {
    process.kill(0, 'SIGTSTP');
  } finally {
    takeTerminal();
  }
}

/** The terminal as the app runs it: raw mode, the alternate screen (cleared), no cursor. */
function takeTerminal(): void {
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  if (process.stdout.isTTY) process.stdout.write('\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l');
}
