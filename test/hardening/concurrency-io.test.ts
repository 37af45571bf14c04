/**
 * Two (or six) processes at once, and the file system saying no in the middle of a push:
 *  - concurrent push/pop on one tree: one works, the others fail clearly (E_LOCKED) or
 *    find nothing to do; never two writing; the stack stays consistent;
 *  - a stale lock (its pid is dead) raced by six processes: the holders never overlap;
 *  - an I/O error at every op of the apply phase (PATCHQ_FAIL_APPLY_AT) and of staging
 *    (PATCHQ_FAIL_WRITE_AT): rolled back, tree and .pc byte-for-byte as before;
 *  - what really fails as root: an immutable file/dir (chattr +i), a file where a
 *    directory must go, a full disk (a tiny tmpfs; skipped, and said, where mounting is
 *    not allowed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, patchq, tempDir, write } from '../helpers/tree.js';
import { addPatch, applied, ok, snapshot, work } from './helpers.js';

const DIST = join(import.meta.dirname, '..', '..', 'dist');

function runAsync(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', NO_COLOR: '1' };
    for (const k of Object.keys(env)) if (k.startsWith('QUILT_')) delete env[k];
    const c = spawn(process.execPath, [CLI, ...args], { cwd, env });
    let [stdout, stderr] = ['', ''];
    c.stdout.on('data', (b: Buffer) => (stdout += b));
    c.stderr.on('data', (b: Buffer) => (stderr += b));
    c.on('close', (code) => resolve({ code, stdout, stderr })); // 'close': the pipes are drained
  });
}

const lines = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i + 1}\n`).join('');
const modify = (file: string, from: string, to: string, ctx: string[]) =>
  `--- a/${file}\n+++ b/${file}\n@@ -1,${ctx.length + 1} +1,${ctx.length + 1} @@\n-${from}\n+${to}\n${ctx.map((c) => ` ${c}\n`).join('')}`;

/** A tree with `n` patches, patch k editing f<k>.txt; refs[k] = work tree with k applied. */
function stackTree(n: number): { d: string; refs: Record<string, string>[] } {
  const d = tempDir('patchq-conc-');
  for (let k = 1; k <= n; k++) {
    write(d, `f${k}.txt`, lines(4, `f${k}-`));
    addPatch(d, `p${k}.patch`, modify(`f${k}.txt`, `f${k}-1`, `F${k}`, [`f${k}-2`, `f${k}-3`]));
  }
  const refs = [work(d)];
  for (let k = 1; k <= n; k++) {
    ok(d, ['push']);
    refs.push(work(d));
  }
  ok(d, ['pop', '-a']);
  return { d, refs };
}

describe('two processes at once', () => {
  it('concurrent push -a / pop -a: one writes, the others fail clearly or find nothing to do', async () => {
    const { d, refs } = stackTree(6);
    let locked = 0;
    for (let round = 0; round < 3; round++) {
      const cmds = round === 2 ? [['push', '-a'], ['pop', '-a'], ['push', '-a'], ['pop', '-a']] : [['push', '-a'], ['push', '-a'], ['push', '-a'], ['push', '-a']];
      const results = await Promise.all(cmds.map((c) => runAsync(d, c)));
      const appliedBy = new Map<string, number>();
      for (const r of results) {
        expect(r.stderr).not.toMatch(/internal error/);
        if (r.code === 1) {
          expect(r.stderr).toMatch(/^another patchq \(pid \d+\) is working on this tree; wait for it to finish/);
          locked++;
        } else expect([0, 2]).toContain(r.code);
        for (const m of r.stdout.matchAll(/^Applying patch (\S+)\n(?:.*\n)*?\nNow at patch/gm)) appliedBy.set(m[1]!, (appliedBy.get(m[1]!) ?? 0) + 1);
      }
      // Four push -a: whoever comes second finds the work done, so no patch is applied twice.
      // (With pops in between, push, pop, push one after the other is legitimate: there the
      // tree and .pc must simply agree, checked below.)
      if (round < 2) for (const [p, n] of appliedBy) expect(n, `${p} pushed twice`).toBe(1);
      expect(work(d)).toEqual(refs[applied(d).length]);
      if (round < 2) expect(applied(d)).toHaveLength(6);
      // (After push, pop, push, pop the last one may have popped everything already.)
      if (applied(d).length > 0) ok(d, ['pop', '-a']);
    }
    console.log(`[concurrency] 3 rounds of 4 processes on one tree: ${locked} refused with E_LOCKED, none wrote twice, stack consistent`);
  });

  it('a stale lock raced by six processes: holders never overlap', async () => {
    const d = tempDir('patchq-lock-');
    const lock = join(d, 'lock');
    const log = join(d, 'log');
    const script = join(d, 'hold.mjs');
    writeFileSync(script, `
      import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs';
      import { acquireLock } from ${JSON.stringify(join(DIST, 'fsx/lock.js'))};
      const [lock, log, inside] = process.argv.slice(2);
      const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      // Tries for up to 20 s (a busy machine may hold the others up), 2 ms apart.
      for (const end = Date.now() + 20000; Date.now() < end; ) {
        let release;
        try { release = acquireLock(lock); } catch (e) { if (e.code !== 'E_LOCKED') throw e; nap(2); continue; }
        // Holding: a marker made with O_EXCL says who is inside, with no clock to compare
        // between processes: a second holder at the same time finds it there.
        try { writeFileSync(inside, String(process.pid), { flag: 'wx' }); } catch { appendFileSync(log, 'overlap ' + process.pid + '\\n'); process.exit(4); }
        const t0 = Date.now();
        while (Date.now() < t0 + 15) {}
        unlinkSync(inside);
        release();
        appendFileSync(log, 'held ' + process.pid + '\\n');
        process.exit(0);
      }
      process.exit(3);
    `);
    let holds = 0;
    for (let round = 0; round < 4; round++) {
      const dead = spawnSync('true').pid!;
      writeFileSync(lock, `${dead}\n`);
      rmSync(log, { force: true });
      const codes = await Promise.all(Array.from({ length: 6 }, () => new Promise<number | null>((res) => {
        spawn(process.execPath, [script, lock, log, join(d, 'inside')], { stdio: 'inherit' }).on('exit', res);
      })));
      const held = readFileSync(log, 'utf8').trim().split('\n');
      expect(held.filter((l) => !l.startsWith('held ')), 'two holders at once').toEqual([]);
      expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
      expect(held).toHaveLength(6);
      holds += held.length;
    }
    console.log(`[concurrency] stale lock raced by 6 processes x 4 rounds: ${holds} holds, no overlap`);
  });

  it('a lock released between a failed attempt and the look at it is not "broken" later: a patchq that made it meanwhile keeps it (strace holds the look)', async (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    // A holds the lock; B fails to make it, and strace holds B's two looks at the lock file
    // (0.6 s before and after each): A releases before the first, which finds no file; C
    // takes the lock during the second. patchq used to go on to break the missing lock as
    // stale and removed it under C (two holders at once: seen in a full run under load).
    const d = tempDir('patchq-lock-gone-');
    const [lock, inside, log] = ['lock', 'inside', 'log'].map((n) => join(d, n));
    const actor = join(d, 'actor.mjs');
    writeFileSync(actor, `
      import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs';
      import { acquireLock } from ${JSON.stringify(join(DIST, 'fsx/lock.js'))};
      const [name, hold, delay] = process.argv.slice(2);
      const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      nap(+delay);
      for (const end = Date.now() + 10000; Date.now() < end; ) {
        let release;
        try { release = acquireLock(${JSON.stringify(lock)}); } catch (e) { if (e.code !== 'E_LOCKED') throw e; nap(5); continue; }
        try { writeFileSync(${JSON.stringify(inside)}, name, { flag: 'wx' }); } catch { appendFileSync(${JSON.stringify(log)}, 'overlap ' + name + '\\n'); process.exit(4); }
        appendFileSync(${JSON.stringify(log)}, 'in ' + name + '\\n');
        nap(+hold);
        unlinkSync(${JSON.stringify(inside)});
        release();
        process.exit(0);
      }
      process.exit(3);
    `);
    const run = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((res) => {
      const c = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (b: Buffer) => (stderr += b));
      c.on('close', (code) => res({ code, stderr }));
    });
    const [a, b, c] = await Promise.all([
      run([process.execPath, actor, 'A', '600', '0']),
      run(['strace', '-qq', '-o', '/dev/null', '-P', lock, '-e', 'trace=openat', '-e', 'inject=openat:delay_enter=600000:delay_exit=600000:when=1..2', process.execPath, actor, 'B', '300', '100']),
      run([process.execPath, actor, 'C', '800', '2300']),
    ]);
    if (/strace: /.test(b.stderr)) return ctx.skip();
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('overlap')), lines.join(', ')).toEqual([]);
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    expect(lines.sort()).toEqual(['in A', 'in B', 'in C']);
  });
});

describe('the file system fails in the middle: rolled back', () => {
  /** A tree with one patch applied and a second that modifies, creates and deletes. */
  function tree(): string {
    const d = tempDir('patchq-io-');
    write(d, 'a.txt', lines(5, 'a'));
    write(d, 'b.txt', lines(5, 'b'));
    write(d, 'gone.txt', 'bye\n');
    addPatch(d, '1.patch', modify('a.txt', 'a1', 'A1', ['a2', 'a3']));
    addPatch(d, '2.patch', modify('b.txt', 'b1', 'B1', ['b2', 'b3']) + '--- /dev/null\n+++ b/sub/new.txt\n@@ -0,0 +1 @@\n+new\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n' + modify('a.txt', 'a5', 'A5', []).replace('@@ -1,1 +1,1 @@', '@@ -5,1 +5,1 @@'));
    ok(d, ['push']);
    return d;
  }

  it('an I/O error at every op of push and pop, and at every staged write', () => {
    const d = tree();
    let trials = 0;
    for (const [cmd, hook] of [['push', 'PATCHQ_FAIL_APPLY_AT'], ['pop', 'PATCHQ_FAIL_APPLY_AT'], ['push', 'PATCHQ_FAIL_WRITE_AT']] as const) {
      if (cmd === 'pop') ok(d, ['push']);
      for (let n = 1; ; n++) {
        const before = snapshot(d, { withPc: true });
        const r = patchq(d, [cmd], { [hook]: String(n) });
        if (r.code === 0) break; // n is past the last op: it went through
        trials++;
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(hook === 'PATCHQ_FAIL_APPLY_AT' ? /^cannot (write|delete|remove) [^ ]+: input\/output error \(EIO\) \(rolled back; nothing was changed\)\n$/ : /^cannot write [^ ]+: input\/output error \(EIO\) \(nothing was changed\)\n$/);
        expect(snapshot(d, { withPc: true }), `${cmd} ${hook}=${n}`).toEqual(before);
      }
      if (cmd === 'push') ok(d, ['pop']);
    }
    console.log(`[io] ${trials} injected failures (every op of push and pop, every staged write): all rolled back byte for byte`);
    expect(trials).toBeGreaterThan(20);
  });

  it('an immutable file or directory (what stops root): the push rolls back', (ctx) => {
    const d = tree();
    const attr = (flag: string, p: string) => spawnSync('chattr', [flag, join(d, p)]).status === 0;
    if (!attr('+i', 'gone.txt')) return ctx.skip(); // chattr needs ext2/3/4/xfs/btrfs and CAP_LINUX_IMMUTABLE
    try {
      for (const [p, why] of [['gone.txt', /^cannot delete gone\.txt: operation not permitted \(EPERM\)/], ['b.txt', /^cannot write b\.txt: operation not permitted \(EPERM\)/]] as const) {
        if (p === 'b.txt') attr('-i', 'gone.txt') && attr('+i', 'b.txt');
        const before = snapshot(d, { withPc: true });
        const r = patchq(d, ['push']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(why);
        expect(r.stderr).toMatch(/\(rolled back; nothing was changed\)/);
        expect(snapshot(d, { withPc: true })).toEqual(before);
      }
      attr('-i', 'b.txt');
      mkdirSync(join(d, 'sub'));
      attr('+i', 'sub');
      const before = snapshot(d, { withPc: true });
      const r = patchq(d, ['push']);
      expect(r.stderr).toBe('cannot write sub/new.txt: operation not permitted (EPERM) (rolled back; nothing was changed)\n');
      expect(snapshot(d, { withPc: true })).toEqual(before);
    } finally {
      for (const p of ['gone.txt', 'b.txt', 'sub']) attr('-i', p);
    }
    ok(d, ['push']);
    expect(applied(d)).toEqual(['1.patch', '2.patch']);
  });

  it('killed after the commit point, and the roll-forward then fails: recovery rolls back', (ctx) => {
    const d = tree();
    const before = snapshot(d, { withPc: true });
    // The first step after which a manifest exists is the commit point.
    let k = 1;
    for (; k < 60; k++) {
      const r = patchq(d, ['push'], { PATCHQ_CRASH_AT: String(k) });
      expect(r.code).not.toBe(0);
      if (existsSync(join(d, '.pc/.patchq/tx/manifest.json'))) break;
    }
    expect(k).toBeLessThan(60);
    const attr = (flag: string) => spawnSync('chattr', [flag, join(d, 'gone.txt')]).status === 0;
    if (!attr('+i')) return ctx.skip();
    try {
      const r = patchq(d, ['applied']); // the next command recovers: forward fails on gone.txt
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('1.patch\n');
      expect(snapshot(d, { withPc: true })).toEqual(before);
    } finally {
      attr('-i');
    }
    console.log(`[io] killed at step ${k} (the commit point), roll-forward blocked by an immutable file: rolled back to the state before the push`);
  });

  it('a file where a directory must go: refused before any write', () => {
    const d = tree();
    write(d, 'sub', 'I am a file\n');
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['push']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write sub\/new\.txt: sub is not a directory \(nothing was changed\)/);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });

  const mounts: string[] = [];
  afterAll(() => mounts.forEach((m) => spawnSync('umount', [m])));

  it('a full disk (a 1 MB tmpfs): the push fails cleanly and changes nothing', (ctx) => {
    const d = tempDir('patchq-full-');
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', d]).status !== 0) return ctx.skip(); // not allowed here
    mounts.push(d);
    write(d, 'a.txt', lines(5, 'a'));
    addPatch(d, '1.patch', modify('a.txt', 'a1', 'A1', ['a2', 'a3']));
    const big = Array.from({ length: 3000 }, (_, i) => `+${'x'.repeat(60)} ${i}\n`).join('');
    addPatch(d, '2.patch', `--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,3000 @@\n${big}`);
    ok(d, ['push']);
    const st = statfsSync(d);
    const free = st.bavail * st.bsize;
    write(d, 'filler', Buffer.alloc(Math.max(0, free - 100 * 1024))); // ~100 KB left, big.txt needs ~190 KB
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['push']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cannot write big.txt: no space left on device (ENOSPC) (nothing was changed)\n');
    expect(snapshot(d, { withPc: true })).toEqual(before);
    rmSync(join(d, 'filler'));
    ok(d, ['push']);
    expect(applied(d)).toEqual(['1.patch', '2.patch']);
  });
});

describe('a lock that cannot be removed at the end', () => {
  it('the command that did its work says so in a warning and exits 0; the next command takes the lock over', (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const d = tempDir();
    write(d, 'a.txt', 'one\n');
    addPatch(d, 'p.patch', '--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n');
    const lock = join(d, '.pc', '.patchq', 'lock');
    // Only the lock's unlink fails (EIO), once the push has done its work.
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', NO_COLOR: '1', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(d, '.cfg'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache') };
    for (const k of Object.keys(env)) if (k.startsWith('QUILT_')) delete env[k];
    const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-P', lock, '-e', 'trace=unlink', '-e', 'inject=unlink:error=EIO', process.execPath, CLI, 'push'], { cwd: d, encoding: 'utf8', env });
    if (/strace: /.test(r.stderr)) return ctx.skip();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Now at patch p.patch');
    expect(r.stderr).toBe(`patchq: warning: could not remove the lock ${lock} (EIO); the next patchq takes it over\n`);
    expect(existsSync(lock)).toBe(true);
    expect(readFileSync(join(d, 'a.txt'), 'latin1')).toBe('two\n');
    expect(patchq(d, ['pop']).code).toBe(0);
    expect(readFileSync(join(d, 'a.txt'), 'latin1')).toBe('one\n');
    expect(existsSync(lock)).toBe(false);
  });
});

describe("a kill while .pc's metadata is first written", () => {
  it('leaves no temp file for good: the next command writes what is missing and removes the dead writer’s temp (strace)', (ctx) => {
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', NO_COLOR: '1', QUILTRC: '-', PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache') };
    for (const k of Object.keys(env)) if (k.startsWith('QUILT_')) delete env[k];
    // .version, .quilt_patches and .quilt_series are each a temp file renamed into place:
    // the kill comes at each of those renames in turn (it is not made).
    for (let n = 1; n <= 3; n++) {
      const d = tempDir();
      write(d, 'a.txt', 'one\n');
      const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename', '-e', `inject=rename:signal=SIGKILL:when=${n}`, process.execPath, CLI, 'new', 'p.patch'], { cwd: d, encoding: 'utf8', env: { ...env, PATCHQ_CONFIG_DIR: join(d, '.cfg') } });
      if (/strace: /.test(r.stderr)) return ctx.skip();
      expect(r.signal ?? r.status, `kill at rename ${n}`).not.toBe(0);
      const left = readdirSync(join(d, '.pc'));
      expect(left.filter((f) => f.endsWith('.tmp')), `kill at rename ${n}`).toHaveLength(1);
      // The sentinel comes last: whatever the kill cut short, .version is not there yet.
      expect(left, `kill at rename ${n}`).not.toContain('.version');
      const again = patchq(d, ['new', 'p.patch']);
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(join(d, '.pc')).sort(), `kill at rename ${n}`).toEqual(['.patchq', '.quilt_patches', '.quilt_series', '.version', 'applied-patches', 'p.patch']);
      expect(readFileSync(join(d, '.pc', '.version'), 'latin1')).toBe('2\n');
      expect(readFileSync(join(d, '.pc', '.quilt_patches'), 'latin1')).toBe('patches\n');
      expect(readFileSync(join(d, '.pc', '.quilt_series'), 'latin1')).toBe('series\n');
    }
  });
});
