/**
 * startTui: render the app on the terminal until the user quits. `e` leaves ink for the
 * editor: the app exits asking for an edit, we run $EDITOR with the terminal (inherited
 * stdio) and render a fresh app with the same patch selected. Resolves with the exit code.
 */
import { spawnSync } from 'node:child_process';
import { createElement } from 'react';
import { render } from 'ink';
import { App } from './app.js';
import { colorEnabled, makeOps } from './store.js';

export async function startTui(opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  const ops = makeOps(opts.cwd, opts.env);
  const color = colorEnabled(opts.env);
  let selected: string | undefined;
  for (;;) {
    let edit: { path: string; selected: string } | null = null;
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
    const editor = opts.env.VISUAL || opts.env.EDITOR || 'vi';
    spawnSync(`${editor} '${e.path.replace(/'/g, `'\\''`)}'`, { shell: true, stdio: 'inherit', env: opts.env });
  }
}
