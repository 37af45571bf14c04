/**
 * The take-over of a stale lock (src/fsx/lock.ts), with real processes importing the built
 * module: a stale lock AND a stale breaker (`lock.break`, both naming pids that have ended)
 * raced by several processes at once, started together, each pausing inside the take-over
 * (PATCHQ_LOCK_PAUSE: at every point between judging a file stale and acting on it), so the
 * interleavings that used to let two in happen in every round rather than once in a while;
 * and a kill -9 at each of those points, after which the next patchq must take the lock and
 * leave nothing behind; a garbled breaker, and breakers left one over another.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';

const LOCK_JS = join(import.meta.dirname, '..', '..', 'dist', 'fsx', 'lock.js');

/**
 * An actor: waits for the common start time, takes the lock (retrying E_LOCKED for up to
 * 10 s), appends `enter <pid>` to the log (O_APPEND), holds it `hold` ms, appends `leave
 * <pid>`, releases it. An O_EXCL marker says who is inside, too: a second holder finds it.
 */
const ACTOR = `
  import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs';
  import { acquireLock } from ${JSON.stringify(LOCK_JS)};
  const [lock, log, inside, startAt, hold] = process.argv.slice(2);
  const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms));
  nap(+startAt - Date.now());
  for (const end = Date.now() + 10000; Date.now() < end; ) {
    let release;
    try { release = acquireLock(lock); } catch (e) { if (e.code !== 'E_LOCKED') throw e; nap(2); continue; }
    appendFileSync(log, 'enter ' + process.pid + '\\n');
    let mine = true;
    try { writeFileSync(inside, String(process.pid), { flag: 'wx' }); } catch { mine = false; appendFileSync(log, 'overlap ' + process.pid + '\\n'); }
    nap(+hold);
    appendFileSync(log, 'leave ' + process.pid + '\\n');
    if (mine) unlinkSync(inside);
    release();
    process.exit(mine ? 0 : 4);
  }
  process.exit(3);
`;

/** A pid that is no process any more: a child that has exited. */
const deadPid = () => spawnSync('true').pid!;

/** The most holders the log shows at once (enter/leave lines in the order they were written). */
function mostAtOnce(log: string): number {
  let now = 0;
  let most = 0;
  for (const line of log.trim().split('\n')) {
    if (line.startsWith('enter ')) most = Math.max(most, ++now);
    else if (line.startsWith('leave ')) now--;
    else most = Math.max(most, 2); // 'overlap': the marker was there
  }
  return most;
}

/** A stale lock (with a start time, as patchq writes on Linux) and a stale breaker. */
function plantStale(d: string): void {
  writeFileSync(join(d, 'lock'), `${deadPid()} 12345\n`);
  writeFileSync(join(d, 'lock.break'), `${deadPid()} 67890\n`);
}

function runActor(script: string, d: string, startAt: number, hold: number, env: NodeJS.ProcessEnv, onPause?: (n: number, kill: () => void) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; pauses: number; stderr: string }>((res) => {
    const c = spawn(process.execPath, [script, join(d, 'lock'), join(d, 'log'), join(d, 'inside'), String(startAt), String(hold)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let [stderr, pauses] = ['', 0];
    c.stderr.on('data', (b: Buffer) => {
      stderr += b;
      const n = stderr.split('patchq-lock-pause\n').length - 1;
      while (pauses < n) {
        pauses++;
        onPause?.(pauses, () => c.kill('SIGKILL'));
      }
    });
    c.on('close', (code, signal) => res({ code, signal, pauses, stderr }));
  });
}

describe('taking over a stale lock', () => {
  it('a stale lock and a stale breaker raced by four processes that pause inside the take-over: never two holders', async () => {
    const d = tempDir('patchq-lock-race-');
    const script = join(tempDir('patchq-lock-actor-'), 'actor.mjs');
    writeFileSync(script, ACTOR);
    const rounds = 3;
    const procs = 4;
    let overlaps = 0;
    const seen: string[] = [];
    for (let round = 0; round < rounds; round++) {
      plantStale(d);
      rmSync(join(d, 'log'), { force: true });
      // Started together (node takes ~0.1 s to start; more on a busy machine), each pausing
      // 40 ms at every point of the take-over: they meet inside it.
      const startAt = Date.now() + 400;
      const runs = await Promise.all(Array.from({ length: procs }, () => runActor(script, d, startAt, 30, { PATCHQ_LOCK_PAUSE: '40' })));
      const log = readFileSync(join(d, 'log'), 'utf8');
      if (mostAtOnce(log) > 1) overlaps++;
      seen.push(`round ${round}: ${runs.map((r) => `${r.code}/${r.pauses}`).join(' ')}`);
      expect(mostAtOnce(log), `two holders at once in round ${round}:\n${log}`).toBe(1);
      expect(runs.map((r) => r.code), seen.join('\n')).toEqual(Array(procs).fill(0));
      expect(log.match(/^enter /gm)).toHaveLength(procs);
      // Everyone let go: no lock, no breaker, no temp file left.
      expect(readdirSync(d).sort()).toEqual(['log']);
    }
    console.log(`[lock] stale lock + stale breaker raced by ${procs} processes x ${rounds} rounds (exit code/pauses: ${seen.join('; ')}): ${overlaps} rounds with two holders`);
  });

  it('killed at each point of the take-over (a stale lock and a stale breaker to take over): the next patchq takes the lock, nothing is left behind', async () => {
    const d = tempDir('patchq-lock-kill-');
    const script = join(tempDir('patchq-lock-actor-'), 'actor.mjs');
    writeFileSync(script, ACTOR);
    // How many points one take-over passes (each pause is announced on stderr).
    plantStale(d);
    const count = await runActor(script, d, 0, 0, { PATCHQ_LOCK_PAUSE: '1' });
    expect(count.code).toBe(0);
    expect(count.pauses).toBeGreaterThan(1);
    for (let k = 1; k <= count.pauses; k++) {
      rmSync(join(d, 'log'), { force: true });
      plantStale(d);
      // Killed as it announces its k-th pause (200 ms each: the kill lands inside it).
      const killed = await runActor(script, d, 0, 0, { PATCHQ_LOCK_PAUSE: '200' }, (n, kill) => n === k && kill());
      expect(killed.signal, `kill at point ${k}`).toBe('SIGKILL');
      const next = await runActor(script, d, 0, 0, {});
      expect(next.code, `after a kill at point ${k}: ${next.stderr}`).toBe(0);
      expect(readFileSync(join(d, 'log'), 'utf8')).toMatch(/^enter \d+\nleave \d+\n$/);
      expect(readdirSync(d).sort(), `after a kill at point ${k}`).toEqual(['log']);
    }
    console.log(`[lock] killed at each of the ${count.pauses} points of a take-over: the next process took the lock each time, nothing left`);
  });

  it('a garbled breaker is taken over (it used to hold every patchq off for good); eight stale breakers one over another are named, and left as they are', () => {
    const d = tempDir('patchq-lock-levels-');
    const once = () => spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { acquireLock } from ${JSON.stringify(LOCK_JS)};
      try { acquireLock(process.argv[1])(); console.log('held'); } catch (e) { console.log(e.code + ': ' + e.message); }
    `, join(d, 'lock')], { encoding: 'utf8' });
    writeFileSync(join(d, 'lock'), `${deadPid()} 12345\n`);
    writeFileSync(join(d, 'lock.break'), 'garbage');
    expect(once().stdout).toBe('held\n');
    expect(readdirSync(d)).toEqual([]);
    const names = Array.from({ length: 9 }, (_, i) => 'lock' + '.break'.repeat(i));
    for (const n of names) writeFileSync(join(d, n), `${deadPid()} 12345\n`);
    const before = names.map((n) => readFileSync(join(d, n), 'utf8'));
    expect(once().stdout).toBe(`E_LOCKED: cannot take over the stale lock: 8 breakers left one over another by processes that ended (${join(d, names[8]!)}); remove them by hand\n`);
    expect(names.map((n) => readFileSync(join(d, n), 'utf8'))).toEqual(before);
    expect(readdirSync(d).sort()).toEqual([...names].sort());
    // One fewer: taken over level by level.
    rmSync(join(d, names[8]!));
    expect(once().stdout).toBe('held\n');
    expect(readdirSync(d)).toEqual([]);
  });
});
