/**
 * The built binary with stdout on a real terminal (tmux renders it; capture-pane reads the
 * screen back), where the progress bar and colours live: what a person sees must be
 * quilt's lines, whole.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, tempDir, write } from '../helpers/tree.js';

let session: string | null = null;
afterEach(() => {
  if (session) spawnSync('tmux', ['kill-session', '-t', session]);
  session = null;
});

// A pane's processes get the tmux server's environment, not this one's: hand them the
// run's TMPDIR (test/global-tmp.ts) so what they leave is seen too.
const tmux = (...args: string[]) => spawnSync('tmux', args[0] === 'new-session' ? ['new-session', '-e', `TMPDIR=${tmpdir()}`, ...args.slice(1)] : args, { encoding: 'utf8' });

/** A tree with three patches, one file each. */
function threePatches(): string {
  const d = tempDir();
  for (const n of [1, 2, 3]) {
    write(d, `f${n}.txt`, 'one\n');
    write(d, `patches/p${n}.patch`, `--- a/f${n}.txt\n+++ b/f${n}.txt\n@@ -1 +1 @@\n-one\n+two\n`);
  }
  write(d, 'patches/series', 'p1.patch\np2.patch\np3.patch\n');
  return d;
}

/** Run `command` (a shell line) in tmux at 100x30 in `cwd`; the screen once it printed END. */
async function onScreen(cwd: string, command: string): Promise<string> {
  session = `patchq-term-${process.pid}-${Date.now()}`;
  const env = `env QUILTRC=- LANG=C PATCHQ_CONFIG_DIR=${join(cwd, '.cfg')} PATCHQ_CACHE_DIR=${join(tmpdir(), 'patchq-test-cache')}`;
  const line = command.replaceAll('patchq', `${env} ${process.execPath} ${CLI}`);
  expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', cwd, `${line}; echo END; sleep 30`).status).toBe(0);
  const end = Date.now() + 15_000;
  for (;;) {
    const s = tmux('capture-pane', '-p', '-t', session).stdout;
    if (/^END$/m.test(s)) return s.replace(/\n+$/, '\n');
    if (Date.now() > end) throw new Error(`timed out; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('on a terminal', () => {
  it('push -a and pop -a show quilt\'s lines whole: the progress bar never shares a line with them', async () => {
    const d = threePatches();
    const s = await onScreen(d, 'patchq push -a; patchq pop -a');
    expect(s).toBe(
      [1, 2, 3].map((n) => `Applying patch p${n}.patch\npatching file f${n}.txt\n\n`).join('') + 'Now at patch p3.patch\n' +
        [3, 2, 1].map((n) => `Removing patch p${n}.patch\nRestoring f${n}.txt\n\n`).join('') + 'No patches applied\nEND\n',
    );
  });

  it('TERM=dumb: no colour and no progress bar, nor any other escape sequence, unless asked for', () => {
    /** Raw bytes of the shell line `args` run with stdout on a terminal (script(1) makes one). */
    const raw = (d: string, args: string, env: Record<string, string>) => {
      const vars = Object.entries({ QUILTRC: '-', LANG: 'C', PATCHQ_CONFIG_DIR: join(d, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache'), ...env }).map(([k, v]) => `${k}=${v}`).join(' ');
      const r = spawnSync('script', ['-qec', `export ${vars}; ${args.replaceAll('patchq', `${process.execPath} ${CLI}`)}`, '/dev/null'], { cwd: d, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return r.stdout;
    };
    for (const args of ['push -a', 'series -v', 'diff', 'pop -a']) {
      const dumb = raw(threePatches(), args === 'push -a' ? 'patchq push -a' : `patchq push -a >/dev/null; patchq ${args}`, { TERM: 'dumb' });
      expect(dumb, args).toMatch(/p[123]\.patch|f[123]\.txt/);
      expect(dumb, args).not.toContain('\x1b');
    }
    // The same on a terminal that has colours; and asked for, colour comes on TERM=dumb too.
    expect(raw(threePatches(), 'patchq push -a', { TERM: 'xterm' })).toContain('\x1b[32mNow at patch p3.patch\x1b[0m');
    expect(raw(threePatches(), 'patchq push -a --color=always', { TERM: 'dumb' })).toContain('\x1b[32mNow at patch p3.patch\x1b[0m');
    expect(raw(threePatches(), 'patchq push -a', { TERM: 'dumb', FORCE_COLOR: '1' })).toContain('\x1b[32mNow at patch p3.patch\x1b[0m');
  });
});
