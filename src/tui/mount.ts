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
import { App } from './app.js';
import type { Ops } from './store.js';

interface Edit {
  path: string;
  selected: string;
  reopen: boolean;
}

export async function mount(ops: Ops, env: NodeJS.ProcessEnv, color: boolean, beforeFirst: () => void): Promise<number> {
  let selected: string | undefined;
  let reopen = false;
  beforeFirst();
  for (;;) {
    let edit: Edit | null = null;
    const app = render(
      createElement(App, {
        ops,
        color,
        ...(selected ? { initialSelected: selected } : {}),
        reopenStopped: reopen,
        onEdit: (path: string, sel: string, again: boolean) => void (edit = { path, selected: sel, reopen: again }),
      }),
      { exitOnCtrlC: false },
    );
    await app.waitUntilExit();
    app.cleanup();
    const e = edit as Edit | null;
    if (!e) return 0;
    selected = e.selected;
    reopen = e.reopen;
    // $EDITOR may carry arguments ("code -w"): run it through the shell, path quoted.
    const editor = env.VISUAL || env.EDITOR || 'vi';
    spawnSync(`${editor} '${e.path.replace(/'/g, `'\\''`)}'`, { shell: true, stdio: 'inherit', env });
    // Full-screen editors (vim, less) leave the alternate screen on exit: enter it again.
    if (process.stdout.isTTY) process.stdout.write('\x1b[?1049h\x1b[H\x1b[J');
  }
}
