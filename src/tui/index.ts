/**
 * startTui: paint the series at once (plain text, no ink yet), then load ink + react and
 * run the live app until the user quits. Resolves with the exit code.
 * Nothing here imports ink or react statically: cli.ts imports this module only when the
 * TUI starts, and this module imports mount.ts (ink, react, the app) after the first frame.
 */
import { clearFrame, firstFrame } from './first-frame.js';
import { colorEnabled, loadRows, makeOps } from './store.js';
import type { ReapplyReport } from '../reapply/index.js';

/**
 * `color`: as the CLI resolved it (`patchq tui --color=never`); else from env and settings.
 * `report`: a reapply run that just ended (the demo's), shown first, as R shows its own.
 */
export async function startTui(opts: { cwd: string; env: NodeJS.ProcessEnv; color?: boolean; report?: ReapplyReport }): Promise<number> {
  const ops = makeOps(opts.cwd, opts.env);
  const color = opts.color ?? colorEnabled(opts.env);
  const tty = Boolean(process.stdout.isTTY);
  // The alternate screen: on quit the terminal shows exactly what it showed before.
  if (tty) process.stdout.write('\x1b[?1049h\x1b[H');
  const restore = () => {
    // Cooked mode again even when ink never mounted (holdKeys set raw mode before it).
    if (tty && process.stdin.isTTY) process.stdin.setRawMode(false);
    if (tty) process.stdout.write('\x1b[?25h\x1b[?1049l');
  };
  // Killed (kill, a closing terminal window, a session manager): the terminal is given back
  // as on q, then the process ends as the signal would have ended it. Without this the shell
  // came back inside the alternate screen, under the app's last frame.
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      // ink first: on exit it paints its last frame, which must go to the alternate screen.
      live.stop?.();
      restore();
    } finally {
      process.exit(128 + (SIGNALS[signal] ?? 15));
    }
  };
  for (const s of Object.keys(SIGNALS) as NodeJS.Signals[]) process.once(s, onSignal);
  try {
    return await run(ops, opts.env, color, tty, opts.report);
  } finally {
    for (const s of Object.keys(SIGNALS) as NodeJS.Signals[]) process.off(s, onSignal);
    restore();
  }
}

/** The app on the screen now (mount.ts sets it): a signal unmounts it before leaving. */
const live: { stop: (() => void) | null } = { stop: null };

/** The signals that end the app, with their numbers (the exit code is 128 + it, as a shell says). */
const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

async function run(ops: ReturnType<typeof makeOps>, env: NodeJS.ProcessEnv, color: boolean, tty: boolean, report?: ReapplyReport): Promise<number> {
  // Keys typed while ink loads (~0.5 s) are kept for it.
  if (tty) holdKeys();
  let painted = 0;
  if (tty) {
    const frame = firstFrame(loadRows(ops.tree), process.stdout.columns || 80, process.stdout.rows || 24);
    process.stdout.write(frame.join('\n'));
    painted = frame.length;
  }
  // ink decides once, when it is imported, that a CI variable means "no terminal" and then
  // draws nothing until exit. We only get here with a terminal, so hide CI from that check.
  const ci = hideCi();
  const { mount } = await import('./mount.js');
  ci.restore();
  return mount(ops, env, color, () => {
    if (painted) process.stdout.write(clearFrame(painted));
  }, report, live);
}

/**
 * Raw mode from the start, nothing read: keys typed while ink loads stay in the terminal's
 * input queue (not echoed over the first frame, not held back for a newline) and ink reads
 * them first when it starts reading, parsed like any other key.
 */
function holdKeys(): void {
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
}

const CI_KEYS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

function hideCi(): { restore(): void } {
  const saved = CI_KEYS.map((k) => [k, process.env[k]] as const);
  for (const k of CI_KEYS) delete process.env[k];
  return {
    restore() {
      for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
    },
  };
}
