/**
 * The ink side of startTui, loaded with `await import()` after the first frame is on the
 * screen. `e` leaves ink for the editor: the app exits asking for an edit, we run $EDITOR
 * with the terminal (inherited stdio) and render a fresh app with the same patch selected.
 */
import { spawnSync } from 'node:child_process';
import { createElement } from 'react';
import { render } from 'ink';
import { App } from './app.js';
import type { Ops } from './store.js';

export async function mount(ops: Ops, env: NodeJS.ProcessEnv, color: boolean, beforeFirst: () => void): Promise<number> {
  let selected: string | undefined;
  let first = true;
  for (;;) {
    let edit: { path: string; selected: string } | null = null;
    if (first) beforeFirst();
    first = false;
    const app = render(
      createElement(App, { ops, color, ...(selected ? { initialSelected: selected } : {}), onEdit: (path: string, sel: string) => void (edit = { path, selected: sel }) }),
      { exitOnCtrlC: false },
    );
    await app.waitUntilExit();
    app.cleanup();
    const e = edit as { path: string; selected: string } | null;
    if (!e) return 0;
    selected = e.selected;
    // $EDITOR may carry arguments ("code -w"): run it through the shell, path quoted.
    const editor = env.VISUAL || env.EDITOR || 'vi';
    spawnSync(`${editor} '${e.path.replace(/'/g, `'\\''`)}'`, { shell: true, stdio: 'inherit', env });
    // Full-screen editors (vim, less) leave the alternate screen on exit: enter it again.
    if (process.stdout.isTTY) process.stdout.write('\x1b[?1049h\x1b[H\x1b[J');
  }
}
