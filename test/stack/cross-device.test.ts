/**
 * The tree, patches/ and .pc/ on different file systems (QUILT_PC or QUILT_PATCHES on
 * another mount, a mount inside the tree), as quilt allows. A rename across mounts fails
 * (EXDEV), so the transaction works such targets in their own folder (transaction.ts,
 * `near` ops). Checked here for real: the second file system is /dev/shm (tmpfs) against
 * the temp dir, skipped where both are one; the bind mount needs root and `unshare -m`.
 * Every command is the built binary; a crash at a step of the transaction (a seeded
 * sample of ten a command; every step with PATCHQ_CRASH_SCALE=2) is followed by the next
 * command's recovery, and nothing the near ops make is left anywhere.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { applyTransaction } from '../../src/stack/transaction.js';
import { locateOrCreateTree } from '../../src/stack/layout.js';
import { openTree, push } from '../../src/stack/index.js';
import { CLI, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';
import { rng, seedFor } from '../hardening/helpers.js';

const SHM = '/dev/shm';
const otherFs = existsSync(SHM) && statSync(SHM).dev !== statSync(tmpdir()).dev;
const elsewhere: string[] = [];
afterAll(() => elsewhere.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder on the other file system. */
function away(): string {
  const d = mkdtempSync(join(SHM, 'patchq-xdev-'));
  elsewhere.push(d);
  return d;
}

const patchText = (file: string, from: string, to: string) => `--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;

/**
 * A tree with a.txt, sub/b.txt and gone.txt, and its series (at root/patches, or at
 * `patches`): p.patch changes a and b, makes sub/new/c.txt and deletes gone.txt.
 */
function fork(patches?: string): { root: string; patches: string } {
  const root = tempDir('patchq-xdev-');
  const at = patches ?? join(root, 'patches');
  write(root, 'a.txt', 'one\n');
  write(root, 'sub/b.txt', 'bee\n');
  write(root, 'gone.txt', 'bye\n');
  mkdirSync(at, { recursive: true });
  write(
    at,
    'p.patch',
    patchText('a.txt', 'one', 'two') + patchText('sub/b.txt', 'bee', 'wasp') +
      '--- /dev/null\n+++ b/sub/new/c.txt\n@@ -0,0 +1 @@\n+sea\n' + '--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n',
  );
  write(at, 'series', 'p.patch\n');
  return { root, patches: at };
}

/** Names near ops use (.patchq-tx.N, .patchq-undo.N) found under any of `dirs`. */
function leftovers(...dirs: string[]): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/^\.patchq-(tx|undo)\.\d+$/.test(e.name)) found.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return found;
}

/** The environment the helpers give patchq, for a run through another program (strace). */
const runEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...process.env,
  NO_COLOR: '1',
  LANG: 'C',
  QUILTRC: '-',
  PATCHQ_CONFIG_DIR: join(tmpdir(), 'patchq-test-config'),
  PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache'),
  ...extra,
});

/**
 * patchq run under strace with `inject` (strace's -e inject=...) on the syscalls `trace`
 * makes that touch `path` (-P); null where strace cannot (none installed, no ptrace) or
 * injected nothing.
 */
function injected(cwd: string, args: string[], env: NodeJS.ProcessEnv, path: string | string[], trace: string, inject: string): SpawnSyncReturns<string> | null {
  const log = join(tempDir('patchq-xdev-strace-'), 'log');
  const paths = (Array.isArray(path) ? path : [path]).flatMap((p) => ['-P', p]);
  const r = spawnSync('strace', ['-f', '-qq', '-o', log, ...paths, '-e', `trace=${trace}`, '-e', `inject=${inject}`, process.execPath, CLI, ...args], { cwd, env: runEnv(env), encoding: 'utf8' });
  if (r.error || !existsSync(log) || !readFileSync(log, 'utf8').includes('INJECTED')) return null;
  return r;
}

const ok = (cwd: string, args: string[], env: NodeJS.ProcessEnv) => {
  const r = patchq(cwd, args, env);
  expect(r, `patchq ${args.join(' ')}: ${r.stderr}`).toMatchObject({ code: 0 });
  return r;
};

/** Everything in the tree, .git and .pc too (snapshot leaves them out): path -> content, or 'dir'. */
function snapshotDirs(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const rel = relative(root, join(d, e.name));
      if (e.isDirectory()) {
        out[rel] = 'dir';
        walk(join(d, e.name));
      } else out[rel] = read(root, rel);
    }
  };
  walk(root);
  return out;
}

const PUSHED = { 'a.txt': '644:two\n', sub: 'dir', 'sub/b.txt': '644:wasp\n', 'sub/new': 'dir', 'sub/new/c.txt': '644:sea\n' };
const PRISTINE = { 'a.txt': '644:one\n', sub: 'dir', 'sub/b.txt': '644:bee\n', 'gone.txt': '644:bye\n' };
/** Popped: the folder the push made for its new file stays, as quilt's pop leaves it. */
const POPPED = { ...PRISTINE, 'sub/new': 'dir' };
/** The tree's own files and folders (not patches/, .pc). */
const files = (root: string) => Object.fromEntries(Object.entries(snapshot(root)).filter(([k]) => k !== 'patches' && !k.startsWith('patches/')));

describe('across file systems', () => {
  it('one file system, .pc/.patchq not made yet (a transaction called in process): no op is near, every one is a rename', () => {
    const d = tempDir('patchq-xdev-fresh-');
    const tree = locateOrCreateTree(d, {});
    // A near op would work under this name beside its target, and refuse it as in the way.
    write(d, '.patchq-tx.0', 'mine\n');
    applyTransaction(tree, [{ kind: 'write', path: join(d, 'x.txt'), data: 'x\n' }]);
    expect([read(d, 'x.txt'), read(d, '.patchq-tx.0')]).toEqual(['x\n', 'mine\n']);
  });

  it('QUILT_PC on another file system: push, refresh and pop work, and quilt pops what patchq pushed', (ctx) => {
    if (!otherFs) return ctx.skip();
    const pc = join(away(), 'pc');
    const { root } = fork();
    const env = { QUILT_PC: pc };
    ok(root, ['push'], env);
    expect(files(root)).toEqual(PUSHED);
    write(root, 'a.txt', 'three\n');
    ok(root, ['refresh'], env);
    expect(read(root, 'patches/p.patch')).toContain('+three\n');
    ok(root, ['pop'], env);
    expect(files(root)).toEqual(POPPED);
    // The state is quilt's: quilt pops a push of patchq's, patchq one of quilt's.
    ok(root, ['push'], env);
    expect(quilt(root, ['pop'], env).code).toBe(0);
    expect(files(root)).toEqual(POPPED);
    expect(quilt(root, ['push'], env).code).toBe(0);
    ok(root, ['pop'], env);
    expect(files(root)).toEqual(POPPED);
    expect(leftovers(root, pc)).toEqual([]);
  });

  it('QUILT_PATCHES on another file system: new, refresh, header, rename, delete, import write there', (ctx) => {
    if (!otherFs) return ctx.skip();
    const { root, patches } = fork(join(away(), 'patches'));
    const env = { QUILT_PATCHES: patches };
    ok(root, ['push'], env);
    ok(root, ['new', 'q.patch'], env);
    ok(root, ['add', 'a.txt'], env);
    write(root, 'a.txt', 'four\n');
    ok(root, ['refresh'], env);
    expect(read(patches, 'q.patch')).toContain('-two\n+four\n');
    expect(patchq(root, ['header', '-r', 'q.patch'], env, 'Why: a test\n').code).toBe(0);
    expect(read(patches, 'q.patch')).toMatch(/^Why: a test\n/);
    ok(root, ['rename', 'r.patch'], env);
    expect(read(patches, 'series')).toBe('p.patch\nr.patch\n');
    ok(root, ['pop'], env);
    ok(root, ['delete', 'r.patch'], env);
    expect(read(patches, 'series')).toBe('p.patch\n');
    write(root, 'in.diff', patchText('a.txt', 'two', 'five'));
    ok(root, ['import', 'in.diff'], env);
    expect(read(patches, 'in.diff')).toContain('+five\n');
    ok(root, ['push'], env);
    expect(read(root, 'a.txt')).toBe('five\n');
    ok(root, ['pop', '-a'], env);
    expect(files(root)).toEqual({ ...POPPED, 'in.diff': `644:${patchText('a.txt', 'two', 'five')}` });
    expect(leftovers(root, patches)).toEqual([]);
  });

  /**
   * Kill the command at each step of its transaction (PATCHQ_CRASH_AT=k), and make each of
   * its ops fail in turn (PATCHQ_FAIL_APPLY_AT=k, a roll-back); then the next command finds
   * the state from before or after, `seen` tells which, and no near op's file is left.
   */
  type Made = { root: string; env: NodeJS.ProcessEnv; dirs: string[] };
  const SCALE = Number(process.env.PATCHQ_CRASH_SCALE ?? 1);
  const SAMPLE = 10;
  const pick = rng(seedFor('cross-device'));
  async function sweep(make: () => Promise<Made>, args: string[], seen: (m: Made) => 'before' | 'after' | 'neither'): Promise<void> {
    const steps = await (async () => {
      const { root, env } = await make();
      const r = patchq(root, args, { ...env, PATCHQ_CRASH_AT: 'count' });
      expect(r.code, r.stderr).toBe(0);
      return Number(/patchq-steps: (\d+)/.exec(r.stderr)![1]);
    })();
    expect(steps).toBeGreaterThan(5);
    // Every step with PATCHQ_CRASH_SCALE=2 or more; else a seeded sample of SAMPLE of them
    // (the suite's time: a trial is three commands).
    const all = Array.from({ length: steps }, (_, i) => i + 1);
    for (let i = all.length - 1; i > 0; i--) {
      const j = pick.int(i + 1);
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    const chosen = new Set(SCALE >= 2 ? all : all.slice(0, SAMPLE));
    let failing = true; // PATCHQ_FAIL_APPLY_AT=k past the last op: the command runs to its end, and so would the ones after
    for (let k = 1; k <= steps; k++) {
      if (!chosen.has(k)) continue;
      for (const hook of failing ? ['PATCHQ_CRASH_AT', 'PATCHQ_FAIL_APPLY_AT'] : ['PATCHQ_CRASH_AT']) {
        const made = await make();
        const { root, env, dirs } = made;
        const r = patchq(root, args, { ...env, [hook]: String(k) });
        if (hook === 'PATCHQ_FAIL_APPLY_AT' && r.code !== 0) expect(r.stderr, `${hook}=${k}`).toContain('rolled back; nothing was changed');
        if (hook === 'PATCHQ_FAIL_APPLY_AT' && r.code === 0) failing = false;
        const after = patchq(root, ['applied'], env); // the recovery, if one is due
        expect(after.stderr, `${hook}=${k}`).not.toMatch(/error|cannot/i);
        const state = seen(made);
        expect(state, `${hook}=${k} ${args[0]}: ${JSON.stringify(snapshot(root))}`).not.toBe('neither');
        if (hook === 'PATCHQ_FAIL_APPLY_AT' && r.code !== 0) expect(state, `${hook}=${k}`).toBe('before');
        expect(leftovers(root, ...dirs), `${hook}=${k}`).toEqual([]);
      }
    }
  }

  it('a kill or a failure at any step of push, pop and refresh across file systems: before or after, nothing left over', async (ctx) => {
    if (!otherFs) return ctx.skip();
    // Set-up only, so in process: the push a tree of the pop and refresh sweeps starts from
    // (the binary's push across file systems is checked above, and swept here).
    const pushed = async (root: string, env: NodeJS.ProcessEnv) => {
      await push(openTree(root, { ...process.env, ...env }), { quiet: true });
    };
    const state = (root: string, before: Record<string, string>, after: Record<string, string>) =>
      isDeepStrictEqual(files(root), before) ? 'before' : isDeepStrictEqual(files(root), after) ? 'after' : 'neither';
    // push and pop with .pc elsewhere: every tree file is a near op (writes, a deletion, restores).
    const pcAway = (isPushed: boolean) => async () => {
      const pc = join(away(), 'pc');
      const { root } = fork();
      if (isPushed) await pushed(root, { QUILT_PC: pc });
      return { root, env: { QUILT_PC: pc }, dirs: [root, pc] };
    };
    await sweep(pcAway(false), ['push'], ({ root }) => state(root, PRISTINE, PUSHED));
    await sweep(pcAway(true), ['pop'], ({ root }) => state(root, PUSHED, POPPED));
    // refresh with patches/ elsewhere: the patch file (and its backup, -backup) are near ops.
    await sweep(
      async () => {
        const { root, patches } = fork(join(away(), 'patches'));
        await pushed(root, { QUILT_PATCHES: patches });
        write(root, 'a.txt', 'three\n');
        return { root, env: { QUILT_PATCHES: patches }, dirs: [root, patches] };
      },
      ['refresh', '--backup'],
      ({ dirs }) => {
        const text = read(dirs[1]!, 'p.patch');
        const backup = existsSync(join(dirs[1]!, 'p.patch~'));
        return text.includes('+three\n') && backup ? 'after' : text.includes('+two\n') && !backup ? 'before' : 'neither';
      },
    );
  });

  it('QUILT_SERIES on another file system, outside the tree: new and pop write it there, and the commands after work', (ctx) => {
    if (!otherFs) return ctx.skip();
    const { root } = fork();
    const at = away();
    write(at, 'series', read(root, 'patches/series'));
    rmSync(join(root, 'patches', 'series'));
    const env = { QUILT_SERIES: join(at, 'series') };
    ok(root, ['push'], env);
    ok(root, ['new', 'z.patch'], env);
    expect(read(at, 'series')).toBe('p.patch\nz.patch\n');
    // The series file's near names (beside it, outside the tree) went with the transaction.
    expect(leftovers(root, at)).toEqual([]);
    expect(ok(root, ['series'], env).stdout).toContain('z.patch');
    ok(root, ['pop', '-a'], env);
    ok(root, ['delete', 'z.patch'], env);
    expect(read(at, 'series')).toBe('p.patch\n');
    expect(files(root)).toEqual(POPPED);
    expect(leftovers(root, at)).toEqual([]);
  });

  it('a clean-up that fails to read tx/near.json leaves the staging area for the next command, which removes the names it lists', (ctx) => {
    if (!otherFs) return ctx.skip();
    const pc = join(away(), 'pc');
    const { root } = fork();
    const env = { QUILT_PC: pc };
    // The push is done when its clean-up opens near.json: an I/O error there (strace).
    const r = injected(root, ['push'], env, join(pc, '.patchq', 'tx', 'near.json'), 'openat', 'openat:error=EIO:when=1');
    if (r === null) return ctx.skip();
    expect(r.status, r.stderr).toBe(0);
    // The set-aside originals (.patchq-undo.N) are gone after the next command, and do not
    // block the next near ops under the same names.
    ok(root, ['applied'], env);
    expect(files(root)).toEqual(PUSHED);
    expect(leftovers(root, pc)).toEqual([]);
    ok(root, ['pop'], env);
    ok(root, ['push'], env);
    expect(files(root)).toEqual(PUSHED);
    expect(leftovers(root, pc)).toEqual([]);
  });

  it('a near op failing between its copy and its placement in a folder the push made: the roll-back removes the copy, then the folder', (ctx) => {
    if (!otherFs) return ctx.skip();
    const pc = join(away(), 'pc');
    const { root } = fork();
    const env = { QUILT_PC: pc };
    const before = snapshotDirs(root);
    // sub/new/c.txt's copy (sub/new/.patchq-tx.N, N its op's index) fails to be renamed over
    // it (strace's -P matches a rename by its first path).
    const copies = Array.from({ length: 32 }, (_, n) => join(root, 'sub', 'new', `.patchq-tx.${n}`));
    const r = injected(root, ['push'], env, copies, 'rename', 'rename:error=EIO:when=1');
    if (r === null) return ctx.skip();
    expect(r.stderr).toContain('rolled back; nothing was changed');
    expect(patchq(root, ['applied'], env).stderr).not.toMatch(/error|cannot/i);
    expect(snapshotDirs(root)).toEqual(before);
    expect(leftovers(root, pc)).toEqual([]);
  });

  it("a patch that makes files under the names near ops use (.patchq-tx.N, .patchq-undo.N): pushed whole, or refused with nothing changed", (ctx) => {
    if (!otherFs) return ctx.skip();
    const pc = join(away(), 'pc');
    const root = tempDir('patchq-xdev-names-');
    write(root, 'sub/b.txt', 'bee\n');
    // Seven files, so the tree's ops are about numbers 8 to 16 (after the backups): some names meet.
    const names = [8, 9, 10, 11, 12, 13].map((n) => (n % 2 ? `.patchq-undo.${n}` : `.patchq-tx.${n}`));
    write(root, 'patches/p.patch', patchText('sub/b.txt', 'bee', 'wasp') + names.map((f) => `--- /dev/null\n+++ b/sub/${f}\n@@ -0,0 +1 @@\n+${f}\n`).join(''));
    write(root, 'patches/series', 'p.patch\n');
    const before = files(root);
    const r = patchq(root, ['push'], { QUILT_PC: pc });
    if (r.code === 0) {
      // Applied: every file the patch makes is there (a near op's clean-up took some).
      expect(files(root)).toEqual({ ...Object.fromEntries(names.map((f) => [`sub/${f}`, `644:${f}\n`])), 'sub/b.txt': '644:wasp\n' });
    } else {
      expect(r.stderr).toMatch(/is in the way \(nothing was changed\)/);
      expect(files(root)).toEqual(before);
    }
  });

  it('a user without CAP_FSETID: set-user-ID and set-group-ID files keep their modes through push and pop with .pc elsewhere', (ctx) => {
    if (!otherFs) return ctx.skip();
    // Root's writes keep the bits (CAP_FSETID): as root, the commands run as nobody.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const pc = join(away(), 'pc');
    const root = tempDir('patchq-xdev-suid-');
    const home = tempDir('patchq-xdev-home-');
    write(root, 's.sh', 'one\n');
    write(root, 'g.sh', 'one\n');
    write(root, 'patches/p.patch', patchText('s.sh', 'one', 'two') + patchText('g.sh', 'one', 'two'));
    write(root, 'patches/series', 'p.patch\n');
    if (user.uid !== undefined) {
      for (const d of [root, home, join(pc, '..')]) {
        const walk = (p: string): void => {
          chownSync(p, user.uid, user.gid);
          if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
        };
        walk(d);
      }
    }
    chmodSync(join(root, 's.sh'), 0o4755); // after chown, which clears them
    chmodSync(join(root, 'g.sh'), 0o2755);
    const env = runEnv({ QUILT_PC: pc, HOME: home, PATCHQ_CONFIG_DIR: join(home, 'config'), PATCHQ_CACHE_DIR: join(home, 'cache') });
    const as = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: root, env, encoding: 'utf8', ...user });
    const first = as(['push']);
    // nobody may not reach the built binary (a checkout in a private home): nothing to check.
    if (first.status !== 0 && /EACCES|Cannot find module/.test(first.stderr)) return ctx.skip();
    expect(first.status, first.stderr).toBe(0);
    const modes = () => [read(root, 's.sh'), statSync(join(root, 's.sh')).mode & 0o7777, read(root, 'g.sh'), statSync(join(root, 'g.sh')).mode & 0o7777];
    expect(modes()).toEqual(['two\n', 0o4755, 'two\n', 0o2755]);
    const pop = as(['pop']);
    expect(pop.status, pop.stderr).toBe(0);
    expect(modes()).toEqual(['one\n', 0o4755, 'one\n', 0o2755]);
  });

  it('add of a hard-linked file with .pc elsewhere keeps its modification time, in the tree and in the backup, as on one file system and as quilt', (ctx) => {
    if (!otherFs) return ctx.skip();
    const pc = join(away(), 'pc');
    const root = tempDir('patchq-xdev-mtime-');
    write(root, 'f.txt', 'hi\n');
    linkSync(join(root, 'f.txt'), join(root, 'other.txt'));
    const then = new Date('2020-01-01T00:00:00Z');
    utimesSync(join(root, 'f.txt'), then, then);
    mkdirSync(join(root, 'patches'));
    const env = { QUILT_PC: pc };
    ok(root, ['new', 'p.patch'], env);
    // add breaks the link: the tree gets a file of its own (the staged write, with the
    // old file's mode and mtime), the backup is the old file (a copy across the mount).
    ok(root, ['add', 'f.txt'], env);
    expect(statSync(join(root, 'f.txt')).mtimeMs).toBe(then.getTime());
    expect(statSync(join(pc, 'p.patch', 'f.txt')).mtimeMs).toBe(then.getTime());
  });

  it('a mount inside the tree with the same device (a bind mount): the transaction is rolled back and run again, and it lands', (ctx) => {
    const sh = (script: string) => spawnSync('unshare', ['-m', 'sh', '-ec', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C', QUILTRC: '-', PATCHQ_CONFIG_DIR: join(tmpdir(), 'patchq-test-config'), PATCHQ_CACHE_DIR: join(tmpdir(), 'patchq-test-cache') } });
    if (process.getuid?.() !== 0 || sh('true').status !== 0) return ctx.skip();
    const { root } = fork();
    const src = tempDir('patchq-xdev-bind-');
    write(src, 'b.txt', 'bee\n');
    const cli = `'${process.execPath}' '${CLI}'`;
    // In a mount namespace of its own: src is bound over the tree's sub/ for this script only.
    const r = sh(`rm -rf '${root}/sub'; mkdir '${root}/sub'; mount --bind '${src}' '${root}/sub'; cd '${root}'
      ${cli} push; cat sub/b.txt sub/new/c.txt; ${cli} pop; cat sub/b.txt; ls -a sub`);
    if (r.stderr.includes('mount:')) return ctx.skip();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wasp\nsea\n');
    // Popped, and nothing of the near ops left in the mounted folder (sub/new stays, as quilt leaves it).
    expect(r.stdout).toMatch(/Removing patch p\.patch[\s\S]*\nbee\n\.\n\.\.\nb\.txt\nnew\n$/);
    expect(read(src, 'b.txt')).toBe('bee\n');
  });
});
