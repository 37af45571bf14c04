/**
 * Spare inodes (src/stack/spares.ts): a transaction keeps what it would free in
 * .pc/.patchq/spare and the next one stages its files and makes its folders from them.
 * The suite forces the pool on (vitest.config.ts: PATCHQ_SPARES=1); here each tree is run
 * beside a copy with the pool off, and every step must give the same bytes and modes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyTree } from '../helpers/prepared.js';
import { CLI, numbered, patchq, read, tempDir, write } from '../helpers/tree.js';

const POOL = '.pc/.patchq/spare';
const ON = { PATCHQ_SPARES: '1' };
const OFF = { PATCHQ_SPARES: '0' };

function ok(d: string, args: string[], env: NodeJS.ProcessEnv): void {
  const r = patchq(d, args, env);
  expect(r.code, `${args.join(' ')} in ${d}: ${r.stderr}`).toBe(0);
}

/**
 * path -> "mode:bytes" under the tree, .pc included, folders with their mode; without the
 * pool, and of patchq's record of each patch (which holds times) only the mode.
 */
function state(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      const rel = relative(root, p);
      if (rel === POOL) continue;
      const st = lstatSync(p);
      if (rel.startsWith('.pc/.patchq/patch/') && st.isFile()) out[rel] = (st.mode & 0o7777).toString(8);
      else if (st.isDirectory()) {
        out[`${rel}/`] = (st.mode & 0o7777).toString(8);
        walk(p);
      } else out[rel] = `${(st.mode & 0o7777).toString(8)}:${readFileSync(p, 'latin1')}`;
    }
  };
  walk(root);
  return out;
}

/** p.patch changing a.txt (a -> b), refreshed and popped: what the pop frees, a pool (where one is kept) holds. */
function poolCycle(dir: string, env: NodeJS.ProcessEnv, run: (d: string, args: string[], env: NodeJS.ProcessEnv) => void = ok): void {
  run(dir, ['new', 'p.patch'], env);
  run(dir, ['add', 'a.txt'], env);
  write(dir, 'a.txt', 'b\n');
  run(dir, ['refresh'], env);
  run(dir, ['pop'], env);
}

/** chattr +i/-i on a path: whether it took. */
const attr = (flag: string, p: string): boolean => spawnSync('chattr', [flag, p]).status === 0;

/** Whether files can be made immutable here (chattr needs ext2/3/4, xfs or btrfs, and CAP_LINUX_IMMUTABLE). */
function immutableHere(): boolean {
  const probe = join(tempDir('patchq-spares-chattr-'), 'x');
  writeFileSync(probe, '');
  if (!attr('+i', probe)) return false;
  attr('-i', probe);
  return true;
}

/** The pool's files and folders: name -> inode and links. */
function pool(root: string): Map<string, { ino: number; nlink: number; size: number; dir: boolean }> {
  const dir = join(root, POOL);
  const out = new Map<string, { ino: number; nlink: number; size: number; dir: boolean }>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const st = lstatSync(join(dir, name));
    out.set(name, { ino: st.ino, nlink: st.nlink, size: st.size, dir: st.isDirectory() });
  }
  return out;
}

/** Every inode of regular files below dir (the pool left out). */
function inodes(root: string, dir = root, out = new Set<number>()): Set<number> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (relative(root, p) === POOL) continue;
    const st = lstatSync(p);
    if (st.isDirectory()) inodes(root, p, out);
    else out.add(st.ino);
  }
  return out;
}

/**
 * A series of three patches over files of several modes: an edit, a script, a new file in
 * new folders, a deletion, a file over 64 KiB; all popped. Made once per file (made without
 * the pool, it holds none) and copied for each test, as `cp -a` copies: bytes, modes and
 * times to the nanosecond.
 */
let seriesMade: string | undefined;
function series(): string {
  seriesMade ??= makeSeries();
  return copyTree(seriesMade, 'patchq-spares-');
}

/** The series pushed and popped once with the pool on: a pool of what the pop freed. Made once, copied. */
let cycledMade: string | undefined;
function cycled(): string {
  if (cycledMade === undefined) {
    cycledMade = series();
    ok(cycledMade, ['push', '-a'], ON);
    ok(cycledMade, ['pop', '-a'], ON);
  }
  return copyTree(cycledMade, 'patchq-spares-');
}


/** What `patchq applied` prints, read from .pc (patchq's own runs only read it there). */
const appliedFile = (d: string): string => (existsSync(join(d, '.pc/applied-patches')) ? read(d, '.pc/applied-patches') : '');

function makeSeries(): string {
  const d = tempDir('patchq-spares-');
  write(d, 'a.txt', numbered(30));
  write(d, 'sub/run.sh', '#!/bin/sh\necho hi\n');
  spawnSync('chmod', ['755', join(d, 'sub/run.sh')]);
  write(d, 'private.txt', 'secret\n');
  spawnSync('chmod', ['600', join(d, 'private.txt')]);
  write(d, 'big.txt', numbered(20000)); // ~129 KB
  const edit = (name: string, files: string[], change: () => void) => {
    ok(d, ['new', name], OFF);
    ok(d, ['add', ...files], OFF);
    change();
    ok(d, ['refresh'], OFF);
  };
  edit('1.patch', ['a.txt', 'new/deep/x.txt'], () => {
    write(d, 'a.txt', read(d, 'a.txt').replace('l3\n', 'L3\n'));
    write(d, 'new/deep/x.txt', 'x\n');
  });
  edit('2.patch', ['sub/run.sh', 'a.txt', 'private.txt'], () => {
    write(d, 'sub/run.sh', '#!/bin/sh\necho bye\n');
    write(d, 'a.txt', read(d, 'a.txt').replace('l20\n', 'L20\n'));
    write(d, 'private.txt', 'secret too\n');
  });
  edit('3.patch', ['big.txt', 'private.txt'], () => {
    write(d, 'big.txt', read(d, 'big.txt').replace('l19000\n', 'L19000\n'));
    write(d, 'private.txt', '');
  });
  ok(d, ['pop', '-a'], OFF);
  return d;
}

describe('spare inodes', () => {
  it('push and pop from spares give the bytes, modes and folders a run without them gives, and reuse the inodes', () => {
    const on = series();
    const off = tempDir('patchq-spares-off-');
    cpSync(on, off, { recursive: true });
    const steps = [['push', '-a'], ['pop', '-a'], ['push', '2'], ['push'], ['pop', '1'], ['pop'], ['push', '-a'], ['pop', '-a'], ['push', '-a']];
    let reusedTimestamps = 0;
    for (const [k, args] of steps.entries()) {
      // Spares dated 2001: a file written from one must have this step's time.
      for (const name of pool(on).keys()) utimesSync(join(on, POOL, name), 1e9, 1e9);
      const before = pool(on);
      const applied = new Set(appliedFile(on).split('\n'));
      const was = state(on);
      const started = Date.now();
      ok(on, args, ON);
      ok(off, args, OFF);
      expect(state(on), `after step ${k}: ${args.join(' ')}`).toEqual(state(off));
      expect(appliedFile(on)).toBe(appliedFile(off));
      // Every file of the tree this step wrote has this step's time, as a new file would.
      for (const [rel, now] of Object.entries(state(on))) {
        if (rel.startsWith('.pc/') || rel.endsWith('/') || was[rel] === now) continue;
        expect(statSync(join(on, rel)).mtimeMs, `${rel} after step ${k}`).toBeGreaterThanOrEqual(started - 1000);
      }
      // What the pool had went into this step's files: the .timestamp of each patch pushed
      // from spares is one of them, with the time of this push.
      if (args[0] === 'push' && before.size > 0) {
        const had = new Set([...before.values()].map((s) => s.ino));
        for (const p of readdirSync(join(on, '.pc'))) {
          const ts = join(on, '.pc', p, '.timestamp');
          if (applied.has(p) || !existsSync(ts)) continue; // pushed in this step only
          expect(statSync(ts).mtimeMs, `${p}/.timestamp after step ${k}`).toBeGreaterThanOrEqual(started - 1000);
          if (had.has(statSync(ts).ino)) reusedTimestamps++;
        }
      }
      // The pool only ever holds files of their own, over 64 KiB none, and never one of
      // the tree's or .pc's.
      const live = inodes(on);
      for (const [name, s] of pool(on)) {
        expect(s.dir || s.nlink === 1, `${name} has ${s.nlink} links`).toBe(true);
        expect(s.size <= 64 * 1024 || s.dir, `${name} keeps ${s.size} bytes`).toBe(true);
        expect(live.has(s.ino), `${name} is also a file of the tree`).toBe(false);
      }
    }
    expect(pool(on).size).toBeGreaterThan(0);
    expect(existsSync(join(off, POOL))).toBe(false);
    expect(reusedTimestamps).toBeGreaterThan(0);
    // And the stack pops back to the pristine tree.
    ok(on, ['pop', '-a'], ON);
    ok(off, ['pop', '-a'], OFF);
    expect(state(on)).toEqual(state(off));
  });

  it('a file linked from outside the tree never gets into the pool, and its other name keeps its bytes', () => {
    const d = tempDir('patchq-spares-link-');
    const outside = join(tempDir('patchq-spares-outside-'), 'shared.txt');
    write(d, 'shared.txt', numbered(10));
    linkSync(join(d, 'shared.txt'), outside);
    ok(d, ['new', 'p.patch'], ON);
    ok(d, ['add', 'shared.txt'], ON);
    // Written as a new file over the tree's name (never into the shared inode).
    const edited = numbered(10).replace('l5\n', 'L5\n');
    writeFileSync(join(d, 'shared.tmp'), edited);
    renameSync(join(d, 'shared.tmp'), join(d, 'shared.txt'));
    ok(d, ['refresh'], ON);
    for (let i = 0; i < 3; i++) {
      ok(d, ['pop'], ON);
      expect(readFileSync(outside, 'latin1')).toBe(numbered(10));
      expect(statSync(join(d, 'shared.txt')).ino).toBe(statSync(outside).ino); // the link is back
      for (const [name, s] of pool(d)) expect(s.ino, name).not.toBe(statSync(outside).ino);
      ok(d, ['push'], ON);
      expect(read(d, 'shared.txt')).toBe(edited);
      expect(readFileSync(outside, 'latin1')).toBe(numbered(10));
    }
  });

  it('a pool that is not what its names say: links, folders and strangers are not written into, and the push is right', () => {
    const d = cycled();
    const ref = series();
    // Only the planted ones: a name for a file that is a symlink out (to a file, to a
    // folder), one that is a folder, a folder's name on a file, a name of no kind; folder
    // and file spares of other modes; and the one file spare of mode 644, a hard link to a
    // file outside, so the push's first write takes it.
    const spare = join(d, POOL);
    spawnSync('sh', ['-c', 'rm -rf -- *'], { cwd: spare });
    const outside = tempDir('patchq-spares-victim-');
    write(outside, 'victim.txt', 'keep me\n');
    write(outside, 'folder/inside.txt', 'keep me too\n');
    symlinkSync(join(outside, 'victim.txt'), join(spare, 'f644.900001'));
    symlinkSync(join(outside, 'folder'), join(spare, 'd755.900004'));
    symlinkSync(join(outside, 'folder'), join(spare, 'stranger-link'));
    mkdirSync(join(spare, 'f644.900002'));
    // Folder spares of another mode (the first becomes the staging area's undo folder).
    for (const n of [5, 6, 7]) mkdirSync(join(spare, `d700.90000${n}`), { mode: 0o700 });
    // A file spare of another mode, longer than what goes into it.
    writeFileSync(join(spare, 'f600.900008'), 'x'.repeat(100_000), { mode: 0o600 });
    writeFileSync(join(spare, 'd755.900003'), 'not a folder');
    writeFileSync(join(spare, 'stranger'), 'x');
    write(outside, 'linked.txt', 'mine\n');
    linkSync(join(outside, 'linked.txt'), join(spare, 'f644.999999'));
    const planted = readdirSync(spare);
    ok(d, ['push', '-a'], ON);
    ok(ref, ['push', '-a'], OFF);
    expect(state(d)).toEqual(state(ref));
    expect(state(outside)).toEqual({ 'folder/': expect.any(String), 'folder/inside.txt': expect.stringMatching(/:keep me too\n$/), 'linked.txt': expect.stringMatching(/:mine\n$/), 'victim.txt': expect.stringMatching(/:keep me\n$/) });
    // Each bad one is gone; the good ones were used.
    const left = [...pool(d).keys()];
    for (const name of planted) expect(left, name).not.toContain(name);
    ok(d, ['pop', '-a'], ON);
    ok(ref, ['pop', '-a'], OFF);
    expect(state(d)).toEqual(state(ref));
  });

  it('a pool that is a symlink to a folder elsewhere: nothing there is removed or written, and the push is right', () => {
    const d = series();
    const ref = tempDir('patchq-spares-ref-');
    cpSync(d, ref, { recursive: true });
    // A folder outside holding a stranger, a subfolder and names the pool would use.
    const outside = tempDir('patchq-spares-victim-');
    write(outside, 'victim.txt', 'keep me\n');
    write(outside, 'sub/inside.txt', 'keep me too\n');
    write(outside, 'f644.1', 'mine\n');
    mkdirSync(join(outside, 'd755.2'));
    const before = state(outside);
    spawnSync('rm', ['-rf', join(d, POOL)]);
    symlinkSync(outside, join(d, POOL));
    for (const args of [['push', '-a'], ['pop', '-a'], ['push', '-a']]) {
      ok(d, args, ON);
      ok(ref, args, OFF);
      expect(state(outside), args.join(' ')).toEqual(before);
    }
    expect(state(d)).toEqual(state(ref));
  });

  it('a set-user-ID file written from a spare keeps the bit, without CAP_FSETID too (a write clears it)', (ctx) => {
    // As a user: root keeps the bit through a write; without CAP_FSETID in its bounding
    // set, root's patchq has none, as a user's.
    const asUser = process.getuid?.() !== 0 ? [] : ['setpriv', '--bounding-set=-fsetid'];
    if (asUser.length && spawnSync('setpriv', ['--version']).status !== 0) return ctx.skip();
    const run = (dir: string, args: string[], env: NodeJS.ProcessEnv) => {
      const [cmd, ...pre] = [...asUser, process.execPath];
      const r = spawnSync(cmd!, [...pre, CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LANG: 'C', ...env } });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    };
    const on = tempDir('patchq-spares-suid-');
    write(on, 'a.txt', 'a\n');
    write(on, 'tool', 'tool\n', 0o4755);
    const off = tempDir('patchq-spares-suid-off-');
    cpSync(on, off, { recursive: true });
    // A pool of 644 files and 755 folders; then add copies the tool in place of its name
    // (quilt's add): a write of mode 4755, from a spare.
    for (const [dir, env] of [[on, ON], [off, OFF]] as const) {
      poolCycle(dir, env, run);
      run(dir, ['new', 'q.patch'], env);
      run(dir, ['add', 'tool'], env);
    }
    expect(pool(on).size).toBeGreaterThan(0);
    expect((statSync(join(off, 'tool')).mode & 0o7777).toString(8)).toBe('4755');
    const files = (root: string) => Object.entries(state(root)).filter(([rel]) => !rel.startsWith('patches/'));
    expect(files(on)).toEqual(files(off));
  });

  it('in a set-group-ID tree, a folder made from a spare is set-group-ID as mkdir makes it', () => {
    const trees = [ON, OFF].map((env) => {
      const d = tempDir('patchq-spares-sgid-');
      chmodSync(d, 0o2755);
      write(d, 'a.txt', 'a\n');
      ok(d, ['new', 'p.patch'], env);
      ok(d, ['add', 'a.txt', 'new/deep/x.txt'], env);
      write(d, 'a.txt', 'b\n');
      write(d, 'new/deep/x.txt', 'x\n');
      ok(d, ['refresh'], env);
      return { d, env };
    });
    const files = (root: string) => Object.entries(state(root)).filter(([rel]) => !rel.startsWith('patches/'));
    for (const args of [['pop'], ['push'], ['pop'], ['push']]) {
      for (const { d, env } of trees) ok(d, args, env);
      expect(files(trees[0]!.d), args.join(' ')).toEqual(files(trees[1]!.d));
    }
    expect(pool(trees[0]!.d).size).toBeGreaterThan(0);
    expect((statSync(join(trees[1]!.d, 'new/deep')).mode & 0o7777).toString(8)).toBe('2755');
  });

  it("a spare of another user's (a shared tree) that patchq cannot chmod is not used: the command works", (ctx) => {
    // Root sets up a tree of nobody's with a pool of root's group- and world-writable
    // spares (as a umask-002 user's pop leaves them for another of the group); nobody runs.
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) return ctx.skip();
    const d = tempDir('patchq-spares-owner-');
    chmodSync(d, 0o755);
    write(d, 'a.txt', 'a\n');
    mkdirSync(join(d, POOL), { recursive: true });
    spawnSync('chown', ['-R', '65534:65534', d]);
    write(d, `${POOL}/f666.1`, 'old\n', 0o666);
    mkdirSync(join(d, POOL, 'd777.2'));
    chmodSync(join(d, POOL, 'd777.2'), 0o777);
    const run = (args: string[]) =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args], {
        cwd: d,
        encoding: 'utf8',
        env: { ...process.env, LANG: 'C', HOME: d, PATCHQ_CONFIG_DIR: join(d, '.config'), PATCHQ_CACHE_DIR: join(d, '.cache'), ...ON },
      });
    for (const args of [['new', 'p.patch'], ['add', 'a.txt', 'new/x.txt']]) {
      const r = run(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    write(d, 'a.txt', 'b\n');
    write(d, 'new/x.txt', 'x\n');
    spawnSync('chown', ['-R', '65534:65534', join(d, 'a.txt'), join(d, 'new')]);
    for (const args of [['refresh'], ['pop'], ['push']]) {
      const r = run(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(read(d, 'a.txt')).toBe('b\n');
    expect(read(d, '.pc/p.patch/a.txt')).toBe('a\n');
    for (const rel of ['.pc/p.patch/a.txt', '.pc/p.patch/.timestamp', 'patches/series']) expect(lstatSync(join(d, rel)).mode & 0o777, rel).toBe(0o644);
    for (const rel of ['.pc/p.patch', 'new']) expect(lstatSync(join(d, rel)).mode & 0o777, rel).toBe(0o777 & ~process.umask());
  });

  it('a pool name numbered near 2^53 does not stop a transaction (numbering on from it once went round in a loop)', () => {
    const d = series();
    ok(d, ['push', '-a'], ON);
    write(d, `${POOL}/f644.9007199254740990`, 'x\n');
    const r = spawnSync(process.execPath, [CLI, 'pop', '-a'], { cwd: d, encoding: 'utf8', env: { ...process.env, ...ON }, timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(patchq(d, ['applied'], ON).stdout).toBe('');
    for (const name of pool(d).keys()) expect(Number(name.split('.')[1])).toBeLessThan(2 ** 48);
  });

  it('a spare folder that is not empty is not used: its files get into no folder of the stack, and no undo entry', () => {
    const d = series();
    const ref = tempDir('patchq-spares-ref-');
    cpSync(d, ref, { recursive: true });
    // Only folder spares, each holding a file and folders named as undo entries (the first
    // folder taken is the staging area's undo folder; a roll-back puts back what is there).
    const spare = join(d, POOL);
    spawnSync('sh', ['-c', 'rm -rf -- *'], { cwd: spare });
    for (let n = 1; n <= 8; n++) {
      write(spare, `d755.${n}/junk.txt`, 'junk\n');
      for (let i = 0; i < 12; i++) mkdirSync(join(spare, `d755.${n}`, String(i)));
    }
    ok(d, ['push', '-a'], ON);
    ok(ref, ['push', '-a'], OFF);
    expect(state(d)).toEqual(state(ref));
    ok(d, ['pop', '-a'], ON);
    ok(ref, ['pop', '-a'], OFF);
    expect(state(d)).toEqual(state(ref));
  });

  it('a kill at any chmod of a push leaves, once recovered, the folders of the push with their mode (strace)', (ctx) => {
    // Under umask 077 every folder taken from the pool (755) is chmodded to 700. strace
    // kills the push at its n-th chmod; the next command recovers; each folder there must
    // then have the mode it has after a push that ran to the end.
    if (spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status !== 0) return ctx.skip();
    const d = cycled();
    const run = (dir: string, pre: string, args = 'push -a') =>
      spawnSync('sh', ['-c', `umask 077; exec ${pre} "$NODE" "$CLI" ${args}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI, ...ON } });
    const folders = (root: string) => Object.entries(state(root)).filter(([rel]) => rel.endsWith('/'));
    const full = tempDir('patchq-spares-chmod-full-');
    cpSync(d, full, { recursive: true });
    expect(run(full, '').status).toBe(0);
    expect(folders(full).filter(([, m]) => m === '700').length).toBeGreaterThan(3);
    for (let n = 1; n < 100; n++) {
      const w = tempDir('patchq-spares-chmod-');
      cpSync(d, w, { recursive: true });
      const r = run(w, `strace -f -qq -o /dev/null -e trace=chmod -e inject=chmod:signal=SIGKILL:when=${n}`);
      if (r.status === 0) break; // fewer chmods than n
      expect(r.signal ?? r.status, `chmod #${n}: ${r.stderr}`).not.toBe(0);
      expect(run(w, '', 'applied').status).toBe(0); // recovers (a folder it makes has its umask)
      expect(folders(w), `killed at chmod #${n}`).toEqual(folders(full));
    }
  });

  it('a file of mode 600 is not written into a spare others could read: a reader who opened it then does not get the bytes', () => {
    const d = tempDir('patchq-spares-private-');
    write(d, 'a.txt', 'a\n');
    write(d, 'secret.txt', 'TOPSECRET\n', 0o600);
    poolCycle(d, ON);
    ok(d, ['new', 'q.patch'], ON);
    // Another user opens what the pool holds (mode 644: world-readable) and waits.
    const spares = [...pool(d)].filter(([, s]) => !s.dir);
    expect(spares.length).toBeGreaterThan(0);
    const fds = spares.map(([name]) => openSync(join(d, POOL, name), 'r'));
    try {
      // add copies secret.txt in place of its name: a write of mode 600.
      ok(d, ['add', 'secret.txt'], ON);
      expect((statSync(join(d, 'secret.txt')).mode & 0o777).toString(8)).toBe('600');
      for (const fd of fds) {
        const buf = Buffer.alloc(4096);
        const n = readSync(fd, buf, 0, buf.length, 0);
        expect(buf.subarray(0, n).toString('latin1')).not.toContain('TOPSECRET');
      }
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  });

  it('a clean-up that fails once the manifest is gone (an immutable spare, an immutable backup set aside) does not undo the finished transaction', (ctx) => {
    if (!immutableHere()) return ctx.skip();
    for (const [env, stuckIn] of [[ON, 'pool'], [OFF, 'backup'], [ON, 'backup']] as const) {
      const d = tempDir('patchq-spares-immutable-');
      write(d, 'a.txt', 'a\n');
      ok(d, ['new', 'p.patch'], env);
      ok(d, ['add', 'a.txt', 'n/new.txt'], env);
      write(d, 'a.txt', 'b\n');
      write(d, 'n/new.txt', 'n\n');
      ok(d, ['refresh'], env);
      const args = stuckIn === 'pool' ? ['push'] : ['pop'];
      if (stuckIn === 'pool') ok(d, ['pop'], env);
      const stuck = stuckIn === 'pool' ? join(d, POOL, [...pool(d)].find(([, s]) => !s.dir)![0]) : join(d, '.pc/p.patch/a.txt');
      expect(attr('+i', stuck)).toBe(true);
      // The stack as its files say (patchq itself may refuse to start until it is fixed).
      const applied = () => (existsSync(join(d, '.pc/applied-patches')) ? read(d, '.pc/applied-patches') : '');
      const want = stuckIn === 'pool' ? 'p.patch\n' : '';
      let r;
      try {
        r = patchq(d, args, env);
        expect(applied(), `${stuckIn}, ${env.PATCHQ_SPARES}: ${r.stderr}`).toBe(want);
        expect(read(d, 'a.txt')).toBe(want ? 'b\n' : 'a\n');
        expect(existsSync(join(d, 'n/new.txt'))).toBe(want !== '');
      } finally {
        spawnSync('chattr', ['-R', '-i', join(d, '.pc')]);
      }
      expect(r.code, r.stderr).toBe(0);
      expect(patchq(d, ['applied'], env).stdout).toBe(want);
      ok(d, stuckIn === 'pool' ? ['pop'] : ['push'], env);
    }
  });

  it('a pool holding what patchq cannot remove (an immutable stranger) is left unused, and every command works', (ctx) => {
    if (!immutableHere()) return ctx.skip();
    const d = cycled();
    const ref = series();
    const stranger = join(d, POOL, 'stranger');
    writeFileSync(stranger, 'x');
    expect(attr('+i', stranger)).toBe(true);
    try {
      const spares = [...pool(d).keys()].sort();
      for (const env of [ON, { PATCHQ_SPARES: '' }]) {
        for (const args of [['push', '-a'], ['pop', '-a']]) {
          const r = patchq(d, args, env);
          expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
          ok(ref, args, OFF);
          expect(state(d)).toEqual(state(ref));
          expect([...pool(d).keys()].sort()).toEqual(spares); // as it was: not used
          expect(existsSync(join(d, '.pc/.patchq/tx'))).toBe(false);
        }
      }
    } finally {
      attr('-i', stranger);
    }
  });

  it('is not kept on ext4 with its journal on a device of its own, nor where /sys/fs/ext4 or /proc do not say', (ctx) => {
    // Root only: two loop devices, one the other's journal (jbd2 lists the journal under
    // its own device's name, not the file system's); and mount namespaces hiding
    // /sys/fs/ext4 (kernels before 5.16 have no journal_task there) and /proc.
    const tools = ['losetup', 'mke2fs', 'mount', 'umount', 'unshare'];
    if (process.getuid?.() !== 0 || tools.some((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)) return ctx.skip();
    const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
    // A container may give root no mount namespaces (no CAP_SYS_ADMIN): nothing to try then.
    if (sh('unshare -m true').status !== 0) return ctx.skip();
    const base = tempDir('patchq-spares-extjournal-');
    const loops: string[] = [];
    const mnt = join(base, 'mnt');
    mkdirSync(mnt);
    // A cycle in a tree there, the pool left to patchq (PATCHQ_SPARES empty), `hide`
    // mounted over in a namespace of its own: whether it made a pool.
    const pooled = (where: string, hide: string[]) => {
      const d = join(where, `t${Math.random().toString(36).slice(2)}`);
      mkdirSync(d);
      write(d, 'a.txt', 'a\n');
      const steps = ['new p.patch', 'add a.txt', 'echo b > a.txt', 'refresh', 'pop'].map((a) => (a.startsWith('echo') ? a : `"$NODE" "$CLI" ${a}`)).join(' && ');
      const hides = hide.map((h) => `mount -t tmpfs none ${h} && `).join('');
      const r = spawnSync('unshare', ['-m', 'sh', '-c', `${hides}${steps}`], {
        cwd: d,
        encoding: 'utf8',
        env: { ...process.env, NODE: process.execPath, CLI, PATCHQ_SPARES: '', LANG: 'C' },
      });
      expect(r.status, r.stderr).toBe(0);
      return existsSync(join(d, POOL));
    };
    try {
      // Where there is no journal (the temp dir here, as a rule), jbd2's list says so too
      // (before a journal on a device of its own is mounted: then it cannot say).
      const dev = sh(`findmnt -n -T ${base} -o SOURCE`).stdout.trim().replace(/^\/dev\//, '');
      if (/^<none>/.test(sh(`cat /sys/fs/ext4/${dev}/journal_task`).stdout)) expect(pooled(base, ['/sys/fs/ext4']), 'no journal, no /sys/fs/ext4').toBe(true);
      for (const img of ['journal.img', 'fs.img']) {
        const r = sh(`truncate -s 16M ${join(base, img)} && losetup -f --show ${join(base, img)}`);
        if (r.status !== 0) return ctx.skip(); // no loop devices here
        loops.push(r.stdout.trim());
      }
      const made = sh(`mke2fs -q -F -O journal_dev -b 4096 ${loops[0]} && mke2fs -q -F -t ext4 -b 4096 -J device=${loops[0]} ${loops[1]} && mount ${loops[1]} ${mnt}`);
      expect(made.status, made.stderr).toBe(0);
      expect(pooled(mnt, []), 'external journal').toBe(false);
      expect(pooled(mnt, ['/sys/fs/ext4']), 'external journal, no /sys/fs/ext4').toBe(false);
      expect(pooled(mnt, ['/sys/fs/ext4', '/proc']), 'no /sys/fs/ext4, no /proc').toBe(false);
    } finally {
      sh(`umount ${mnt}`);
      for (const l of loops.reverse()) sh(`losetup -d ${l}`);
    }
  });

  it('is kept by default only on ext2/3/4 mounted without a journal', () => {
    const d = tempDir('patchq-spares-where-');
    write(d, 'a.txt', 'a\n');
    // What findmnt and jbd2 say about the temp dir's file system, as the bench tells it.
    const [source, type] = spawnSync('findmnt', ['-n', '-T', d, '-o', 'SOURCE,FSTYPE'], { encoding: 'utf8' }).stdout.trim().split(/\s+/);
    const journals = existsSync('/proc/fs/jbd2') ? readdirSync('/proc/fs/jbd2') : [];
    const dev = (source ?? '').replace(/^\/dev\//, '');
    const journalLess = /^ext[234]$/.test(type ?? '') && !journals.some((j) => j.startsWith(`${dev}-`));
    poolCycle(d, { PATCHQ_SPARES: '' });
    expect(existsSync(join(d, POOL)), `${type} on ${source}`).toBe(journalLess);
    // Forced off: none made, and one that is there is left alone.
    const off = tempDir('patchq-spares-where-off-');
    write(off, 'a.txt', 'a\n');
    poolCycle(off, OFF);
    expect(existsSync(join(off, POOL))).toBe(false);
    // tmpfs (where there is one): none.
    if (existsSync('/dev/shm') && spawnSync('findmnt', ['-n', '-T', '/dev/shm', '-o', 'FSTYPE'], { encoding: 'utf8' }).stdout.trim() === 'tmpfs') {
      const shm = join('/dev/shm', `patchq-spares-${process.pid}`);
      mkdirSync(shm);
      try {
        write(shm, 'a.txt', 'a\n');
        poolCycle(shm, { PATCHQ_SPARES: '' });
        expect(existsSync(join(shm, POOL))).toBe(false);
      } finally {
        spawnSync('rm', ['-rf', shm]);
      }
    }
  });
});
