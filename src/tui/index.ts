/**
 * startTui: paint the series at once (plain text, no ink yet), then load ink + react and
 * run the live app until the user quits. Resolves with the exit code.
 * Nothing here imports ink or react statically: cli.ts imports this module only when the
 * TUI starts, and this module imports mount.ts (ink, react, the app) after the first frame.
 */
import { clearFrame, firstFrame } from './first-frame.js';
import { colorEnabled, loadRows, makeOps } from './store.js';

export async function startTui(opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  const ops = makeOps(opts.cwd, opts.env);
  const color = colorEnabled(opts.env);
  const tty = Boolean(process.stdout.isTTY);
  // The alternate screen: on quit the terminal shows exactly what it showed before.
  if (tty) process.stdout.write('\x1b[?1049h\x1b[H');
  try {
    return await run(ops, opts.env, color, tty);
  } finally {
    if (tty) process.stdout.write('\x1b[?1049l');
  }
}

async function run(ops: ReturnType<typeof makeOps>, env: NodeJS.ProcessEnv, color: boolean, tty: boolean): Promise<number> {
  // Keys typed while ink loads (~0.5 s) are kept: raw mode at once (no echo over the first
  // frame, no line buffering), the bytes queued, and mount.ts hands them to ink.
  const queue = tty ? queueKeys() : null;
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
  const early = queue?.stop() ?? Buffer.alloc(0);
  return mount(ops, env, color, () => {
    if (painted) process.stdout.write(clearFrame(painted));
  }, early);
}

/** Read stdin in raw mode into a queue until `stop()`, which returns what came. */
function queueKeys(): { stop(): Buffer } | null {
  const stdin = process.stdin;
  if (!stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  const onData = (d: Buffer | string) => void chunks.push(Buffer.isBuffer(d) ? d : Buffer.from(d));
  stdin.setRawMode(true);
  stdin.on('data', onData);
  return {
    stop() {
      stdin.off('data', onData);
      stdin.pause();
      return Buffer.concat(chunks);
    },
  };
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
