/**
 * delete, rename and header through the built binary, each on twin trees against real
 * quilt 0.66 where quilt has the command: same messages, exit codes and files, refusals
 * that change nothing, --json shapes, and quilt pushing/popping what patchq left.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemo } from '../../src/demo/build.js';
import { openTree, pop, push } from '../../src/stack/index.js';
import { CLI, numbered, patchq, quilt, read, snapshot, tempDir, write } from '../helpers/tree.js';

let made: string | null = null;

/** A copy of one quilt-made stack (built once per file: quilt is slow to spawn). */
function stack(): string {
  made ??= buildStack();
  const d = tempDir();
  cpSync(made, d, { recursive: true, preserveTimestamps: true });
  return d;
}

/** A real `diff -u` with a/ b/ labels (or /dev/null for a new file). */
function unified(rel: string, before: string | null, after: string): string {
  const tmp = tempDir('patchq-diff-');
  write(tmp, 'old', before ?? '');
  write(tmp, 'new', after);
  const r = spawnSync('diff', ['-u', '--label', before === null ? '/dev/null' : `a/${rel}`, '--label', `b/${rel}`, before === null ? '/dev/null' : 'old', 'new'], { cwd: tmp, encoding: 'latin1' });
  expect(r.status).toBe(1);
  return r.stdout;
}

/**
 * The stack: 01 (l2), 02 (l5 + new.txt), 03 (l9) pushed by real quilt; 04 (l12) not.
 * Patches from diff -u and one `quilt push 3` (a quilt call per new/add/refresh is slow).
 */
function buildStack(): string {
  const d = tempDir();
  const v = [numbered(12)];
  for (const [from, to] of [['l2', 'L2'], ['l5', 'L5'], ['l9', 'L9'], ['l12', 'L12']]) v.push(v[v.length - 1]!.replace(`${from}\n`, `${to}\n`));
  write(d, 'a.txt', v[0]!);
  write(d, 'patches/01-two.patch', unified('a.txt', v[0]!, v[1]!));
  write(d, 'patches/02-five.patch', unified('a.txt', v[1]!, v[2]!) + unified('new.txt', null, 'new\n'));
  write(d, 'patches/03-nine.patch', unified('a.txt', v[2]!, v[3]!));
  write(d, 'patches/04-twelve.patch', unified('a.txt', v[3]!, v[4]!));
  write(d, 'patches/series', '01-two.patch\n02-five.patch\n03-nine.patch\n04-twelve.patch\n');
  expect(quilt(d, ['push', '3']).code).toBe(0);
  return d;
}

function twins(): [string, string] {
  const ours = stack();
  const theirs = tempDir();
  cpSync(ours, theirs, { recursive: true, preserveTimestamps: true });
  return [ours, theirs];
}

/** chown -R */
function chownTree(p: string, uid: number, gid: number): void {
  chownSync(p, uid, gid);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(join(p, e), uid, gid);
}

/** Everything but patchq's own side area. */
const visible = (d: string) => Object.fromEntries(Object.entries(snapshot(d, { withPc: true })).filter(([k]) => !k.startsWith('.pc/.patchq')));

describe('delete', () => {
  it('pops the top patch first and removes it from the series, as quilt delete does', () => {
    const [ours, theirs] = twins();
    const r = patchq(ours, ['delete']);
    const q = quilt(theirs, ['delete']);
    expect(r).toMatchObject({ code: 0, stdout: 'Removing patch 03-nine.patch\nNow at patch 02-five.patch\nRemoved patch 03-nine.patch\n' });
    expect(r.stdout).toBe(q.stdout);
    expect(visible(ours)).toEqual(visible(theirs));
    expect(read(ours, 'patches/series')).toBe('01-two.patch\n02-five.patch\n04-twelve.patch\n');
    expect(existsSync(join(ours, 'patches/03-nine.patch'))).toBe(true);
    // quilt takes over the tree patchq left: pushes the rest and pops everything.
    expect(quilt(ours, ['push', '-a']).code).toBe(0);
    expect(read(ours, 'a.txt')).toBe(numbered(12).replace('l2\n', 'L2\n').replace('l5\n', 'L5\n').replace('l12\n', 'L12\n'));
    expect(quilt(ours, ['pop', '-a']).code).toBe(0);
    expect(read(ours, 'a.txt')).toBe(numbered(12));
  });

  it('deletes the next patch (-n) or a named unapplied one; -r removes the file, --backup keeps PATCH~', () => {
    const [ours, theirs] = twins();
    for (const [d, run] of [[ours, patchq], [theirs, quilt]] as const) {
      expect(run(d, ['delete', '-n', '-r']).stdout).toBe('Removed patch 04-twelve.patch\n');
      expect(run(d, ['delete', '-r', '--backup', '01-two']).code).toBe(1); // applied, not top
    }
    expect(visible(ours)).toEqual(visible(theirs));
    expect(existsSync(join(ours, 'patches/04-twelve.patch'))).toBe(false);
    const d = stack();
    const j = patchq(d, ['delete', '-r', '--backup', '--json', '04-twelve.patch']);
    expect(JSON.parse(j.stdout)).toEqual({ deleted: '04-twelve.patch', popped: false, top: '03-nine.patch', file: 'backup' });
    expect(existsSync(join(d, 'patches/04-twelve.patch'))).toBe(false);
    expect(read(d, 'patches/04-twelve.patch~')).toContain('+L12');
    const t = JSON.parse(patchq(d, ['delete', '--json']).stdout);
    expect(t).toEqual({ deleted: '03-nine.patch', popped: true, top: '02-five.patch', file: 'kept' });
  });

  it("--backup keeps the old patch file as PATCH~ with its mode and time, as quilt's mv does (delete -r, header, refresh)", () => {
    const [ours, theirs] = twins();
    const old = new Date('2020-01-02T03:04:05Z');
    for (const d of [ours, theirs]) {
      for (const n of ['02-five.patch', '03-nine.patch', '04-twelve.patch']) {
        chmodSync(join(d, 'patches', n), 0o600);
        utimesSync(join(d, 'patches', n), old, old);
      }
      write(d, 'a.txt', read(d, 'a.txt') + 'more\n');
    }
    for (const [d, run] of [[ours, patchq], [theirs, quilt]] as const) {
      expect(run(d, ['delete', '-r', '--backup', '04-twelve.patch']).code).toBe(0);
      expect(run(d, ['refresh', '--backup']).code).toBe(0);
    }
    expect(patchq(ours, ['header', '-r', '--backup', '02-five.patch'], {}, 'New words\n').code).toBe(0);
    expect(quiltWithStdin(theirs, ['header', '-r', '--backup', '02-five.patch'], 'New words\n')).toBe(0);
    for (const f of ['04-twelve.patch~', '03-nine.patch~', '02-five.patch~', '02-five.patch', '03-nine.patch']) {
      const [a, b] = [ours, theirs].map((d) => statSync(join(d, 'patches', f)));
      expect([f, a!.mode, a!.mtimeMs <= old.getTime()]).toEqual([f, b!.mode, b!.mtimeMs <= old.getTime()]);
      if (f.endsWith('~')) expect([f, a!.mode & 0o777, a!.mtimeMs]).toEqual([f, 0o600, old.getTime()]);
    }
    expect(read(ours, 'patches/02-five.patch~')).toBe(read(theirs, 'patches/02-five.patch~'));
  });

  it('--backup of a patch file that is a symlink: PATCH~ is a plain file with the old bytes, mode and time (refresh, header), the link itself (delete -r), as quilt', () => {
    const [ours, theirs] = twins();
    const name = read(ours, '.pc/applied-patches').trim().split('\n').pop()!;
    const old = new Date('2020-01-02T03:04:05Z');
    for (const d of [ours, theirs]) {
      // Patches kept elsewhere, linked in (quilt's symlink.test): patches/X -> ../kept-X.
      for (const n of [name, '04-twelve.patch', '02-five.patch']) {
        cpSync(join(d, 'patches', n), join(d, `kept-${n}`));
        rmSync(join(d, 'patches', n));
        symlinkSync(`../kept-${n}`, join(d, 'patches', n));
        chmodSync(join(d, `kept-${n}`), 0o640);
        utimesSync(join(d, `kept-${n}`), old, old);
      }
      write(d, 'a.txt', read(d, 'a.txt') + 'more\n');
    }
    const before = new Map([name, '04-twelve.patch', '02-five.patch'].map((n) => [n, read(ours, `kept-${n}`)]));
    for (const [d, run] of [[ours, patchq], [theirs, quilt]] as const) {
      const who = d === ours ? 'patchq' : 'quilt';
      for (const args of [['refresh', '--backup'], ['delete', '-r', '--backup', '04-twelve.patch']]) {
        const r = run(d, args);
        expect([who, args, r.code, r.stderr]).toEqual([who, args, 0, '']);
      }
    }
    expect(patchq(ours, ['header', '-r', '--backup', '02-five.patch'], {}, 'New words\n').code).toBe(0);
    expect(quiltWithStdin(theirs, ['header', '-r', '--backup', '02-five.patch'], 'New words\n')).toBe(0);
    for (const n of [name, '04-twelve.patch', '02-five.patch']) {
      const f = `${n}~`;
      for (const d of [ours, theirs]) {
        const st = lstatSync(join(d, 'patches', f));
        // delete -r: quilt's mv moves the link itself to PATCH~; its target is untouched.
        if (n === '04-twelve.patch') expect([d, f, st.isSymbolicLink(), read(d, `patches/${f}`)]).toEqual([d, f, true, before.get(n)]);
        else expect([d, f, st.isFile(), st.mode & 0o777, st.mtimeMs, read(d, `patches/${f}`)]).toEqual([d, f, true, 0o640, old.getTime(), before.get(n)]);
      }
    }
    // The patches were rewritten through the link: the kept file has the new bytes (its
    // mode kept), the link stays.
    for (const d of [ours, theirs]) {
      for (const n of [name, '02-five.patch']) expect([d, n, lstatSync(join(d, 'patches', n)).isSymbolicLink(), statSync(join(d, `kept-${n}`)).mode & 0o777]).toEqual([d, n, true, 0o640]);
      expect(read(d, `kept-${name}`)).toMatch(/^\+more$/m);
      expect(read(d, 'kept-02-five.patch')).toMatch(/^New words\n/);
    }
  });

  it('delete and rename act on every line of a patch listed twice, as quilt does (no line left naming a file gone)', () => {
    for (const args of [['delete', '-r', '04-twelve.patch'], ['rename', '-P', '04-twelve.patch', 'x.patch']]) {
      const [ours, theirs] = twins();
      for (const d of [ours, theirs]) write(d, 'patches/series', read(d, 'patches/series') + '# again:\n04-twelve.patch -p1 # twice\n');
      const p = patchq(ours, args);
      const q = quilt(theirs, args);
      expect({ args, code: p.code, out: p.stdout }).toEqual({ args, code: q.code, out: q.stdout });
      expect(visible(ours)).toEqual(visible(theirs));
    }
  });

  it('refuses an applied patch below the top, an unknown one, and -n at the end; nothing changes', () => {
    const d = stack();
    const before = snapshot(d, { withPc: true });
    const cases: Array<[string[], number, string, string?]> = [
      [['delete', '02-five.patch'], 1, 'Patch 02-five.patch is currently applied\n'],
      [['delete', 'nope.patch'], 1, 'Patch nope.patch is not in series\n'],
      // The usage on stdout, as quilt's.
      [['delete', '-n', '03-nine.patch', '04-twelve.patch'], 1, '', 'Usage: patchq delete [-r] [--backup] [PATCH | -n]\n'],
    ];
    for (const [args, code, err, stdout = ''] of cases) {
      expect(patchq(d, args)).toMatchObject({ code, stderr: err, stdout });
      expect(snapshot(d, { withPc: true })).toEqual(before);
    }
    expect(patchq(d, ['delete', '-n']).code).toBe(0);
    expect(patchq(d, ['delete', '-n'])).toMatchObject({ code: 1, stderr: 'No next patch\n' });
  });

  it('deletes a top patch whose files changed since the refresh (quilt pops it with -f)', () => {
    const [ours, theirs] = twins();
    for (const d of [ours, theirs]) write(d, 'a.txt', read(d, 'a.txt') + 'unrefreshed\n');
    expect(patchq(ours, ['delete']).code).toBe(0);
    expect(quilt(theirs, ['delete']).code).toBe(0);
    expect(read(ours, 'a.txt')).toBe(numbered(12).replace('l2\n', 'L2\n').replace('l5\n', 'L5\n'));
    expect(visible(ours)).toEqual(visible(theirs));
  });
});

describe('rename', () => {
  it('renames the top patch in series, patch file and .pc, as quilt does; quilt and patchq pop it', () => {
    const [ours, theirs] = twins();
    write(ours, 'patches/series', read(ours, 'patches/series').replace('03-nine.patch\n', '03-nine.patch  # keep me\n'));
    write(theirs, 'patches/series', read(ours, 'patches/series'));
    const r = patchq(ours, ['rename', 'sub/03-renamed.patch']);
    const q = quilt(theirs, ['rename', 'sub/03-renamed.patch']);
    expect(r).toMatchObject({ code: 0, stdout: 'Patch 03-nine.patch renamed to sub/03-renamed.patch\n' });
    expect(r.stdout).toBe(q.stdout);
    expect(read(ours, 'patches/series')).toBe('01-two.patch\n02-five.patch\nsub/03-renamed.patch  # keep me\n04-twelve.patch\n');
    expect(visible(ours)).toEqual(visible(theirs));
    expect(read(ours, '.pc/applied-patches')).toBe('01-two.patch\n02-five.patch\nsub/03-renamed.patch\n');
    expect(quilt(ours, ['pop']).stdout).toContain('Removing patch sub/03-renamed.patch');
    expect(patchq(ours, ['push']).code).toBe(0);
    expect(patchq(ours, ['pop', '-a']).code).toBe(0);
    expect(read(ours, 'a.txt')).toBe(numbered(12));
  });

  it("moves patchq's record with it (its pop check still sees unrefreshed edits) and renames with -P", async () => {
    const d = stack();
    // Set-up only, in process: the top patch pushed again by patchq, so it has a record.
    await pop(openTree(d, process.env), { quiet: true });
    await push(openTree(d, process.env), { quiet: true });
    expect(existsSync(join(d, '.pc/.patchq/patch/03-nine.patch.json'))).toBe(true);
    const stamp = statSync(join(d, '.pc/03-nine.patch/.timestamp')).mtimeMs;
    const j = patchq(d, ['rename', '--json', 'nine.patch']);
    // .timestamp keeps its mtime (quilt's pop check compares with it; the record holds while it does).
    expect(statSync(join(d, '.pc/nine.patch/.timestamp')).mtimeMs).toBeCloseTo(stamp, 0);
    expect(JSON.parse(j.stdout)).toEqual({ from: '03-nine.patch', to: 'nine.patch', applied: true });
    expect(existsSync(join(d, '.pc/.patchq/patch/03-nine.patch.json'))).toBe(false);
    expect(existsSync(join(d, '.pc/.patchq/patch/nine.patch.json'))).toBe(true);
    write(d, 'a.txt', read(d, 'a.txt').replace('L9\n', 'L9 edited\n'));
    expect(patchq(d, ['pop'])).toMatchObject({ code: 1, stderr: 'Patch nine.patch does not remove cleanly (refresh it or enforce with -f)\n' });
    expect(patchq(d, ['rename', '-P', '04-twelve', 'twelve.patch']).stdout).toBe('Patch 04-twelve.patch renamed to twelve.patch\n');
    expect(read(d, 'patches/series')).toBe('01-two.patch\n02-five.patch\nnine.patch\ntwelve.patch\n');
    expect(read(d, 'patches/twelve.patch')).toContain('+L12');
  });

  it('refuses an existing name, a name outside patches/, and an unknown patch; nothing changes', () => {
    const d = stack();
    const before = snapshot(d, { withPc: true });
    const cases: Array<[string[], number, RegExp]> = [
      [['rename', '01-two.patch'], 1, /^Patch 01-two\.patch exists already, please choose a different name$/],
      [['rename', '-P', '04-twelve.patch', '../../escape.patch'], 1, /invalid/],
      [['rename', '-P', 'nope.patch', 'x.patch'], 1, /^Patch nope\.patch is not in series$/],
      [['rename'], 1, /^Usage: patchq rename/],
    ];
    for (const [args, code, err] of cases) {
      const r = patchq(d, args);
      expect(r.code, args.join(' ')).toBe(code);
      // A usage on stdout, as quilt's; the other refusals on stderr.
      expect((args.length === 1 ? r.stdout : r.stderr).trim()).toMatch(err);
      expect(snapshot(d, { withPc: true })).toEqual(before);
    }
    write(d, 'patches/stray.patch', 'not in the series\n');
    expect(patchq(d, ['rename', 'stray.patch'])).toMatchObject({ code: 1, stderr: 'Patch stray.patch exists already, please choose a different name\n' });
  });

  it('renames a patch a stopped reapply run names; --continue then finds it under its new name', () => {
    const d = buildDemo(join(tempDir('patchq-reapply-'), 'fork')).root;
    expect(patchq(d, ['reapply']).code).toBe(1); // stops at 04-user-typo.patch (upstream has it)
    const state = () => JSON.parse(readFileSync(join(d, '.pc/.patchq/reapply.json'), 'utf8')) as { stoppedAt: string; seriesText: string; outcomes: Array<{ name: string }> };
    expect(state().stoppedAt).toBe('04-user-typo.patch');
    expect(patchq(d, ['rename', '-P', '04-user-typo.patch', '04-typo.patch']).code).toBe(0);
    expect(state().stoppedAt).toBe('04-typo.patch');
    expect(state().seriesText).toContain('04-typo.patch');
    expect(state().seriesText).not.toContain('04-user-typo.patch');
    expect(state().outcomes.map((o) => o.name)).toContain('04-typo.patch');
    const c = patchq(d, ['reapply', '--continue', '--drop-merged', '--json']);
    expect(c.code).toBe(0);
    expect(read(d, 'patches/series')).not.toContain('typo');
    expect(patchq(d, ['applied']).stdout).toBe('01-pooling.patch\n02-app-banner.patch\n03-settings-default.patch\n');
  });
});

describe('kill -9 in the middle', () => {
  it('delete and rename killed at sampled steps leave the old stack or the new one, never a mix', () => {
    for (const args of [['delete', '-r'], ['rename', 'sub/renamed.patch']]) {
      const ref = stack();
      const old = visible(ref);
      expect(patchq(ref, args)).toMatchObject({ code: 0, stderr: '' });
      const done = visible(ref);
      let killed = 0;
      for (const k of [2, 6, 13, 24, 40]) {
        const d = stack();
        const r = patchq(d, args, { PATCHQ_CRASH_AT: String(k) });
        // The next command finishes (or drops) the interrupted transaction first.
        expect(patchq(d, ['series'])).toMatchObject({ code: 0, stderr: '' });
        const now = visible(d);
        expect([old, done], `${args.join(' ')} killed at step ${k}`).toContainEqual(now);
        if (r.code === 0) break;
        killed++;
      }
      expect(killed).toBeGreaterThan(2);
    }
  });
});

describe('a patch file that cannot be read', () => {
  it('is one line naming it, exit 1, nothing changed, for every command that reads it', (ctx) => {
    const d = stack();
    chmodSync(join(d, 'patches/04-twelve.patch'), 0o000);
    // Root reads anything: as root, the commands run as nobody, who owns the tree.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const home = tempDir('patchq-home-');
    if (user.uid !== undefined) for (const p of [d, home]) chownTree(p, user.uid, user.gid);
    const env = { ...process.env, QUILTRC: '-', LANG: 'C', HOME: home, PATCHQ_CONFIG_DIR: join(home, 'config'), PATCHQ_CACHE_DIR: join(home, 'cache') };
    const as = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: d, env, encoding: 'utf8', ...user });
    // nobody may not reach the built binary (a checkout in a private home): nothing to check.
    if (as(['--version']).status !== 0) return ctx.skip();
    const before = snapshot(d, { withPc: true });
    for (const args of [['header', '04-twelve.patch'], ['rename', '-P', '04-twelve.patch', 'x.patch'], ['delete', '-r', '04-twelve.patch'], ['files', '04-twelve.patch'], ['export', '-o', join(home, 'out')], ['push']]) {
      const r = as(args);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 1, 'patches/04-twelve.patch: cannot be read (EACCES)\n']);
      expect(snapshot(d, { withPc: true })).toEqual(before);
    }
  });
});

describe('header', () => {
  const DEP3 = [
    'Description: Make the pool static',
    ' SQLite connections cannot be shared across threads',
    ' .',
    ' so one shared connection it is.',
    'Author: Ann Smith <ann@example.com>',
    'Origin: vendor, https://example.com/fork',
    'Bug: https://example.com/issues/7',
    'Forwarded: no',
    'Last-Update: 2026-11-20',
    'Patchq-Base: 0123456789abcdef0123456789abcdef01234567',
    '',
    '',
  ].join('\n');

  it('prints the header as quilt does; -r/-a from stdin keep the diff byte for byte, and quilt reads the result', () => {
    const [ours, theirs] = twins();
    const body = read(ours, 'patches/03-nine.patch');
    expect(patchq(ours, ['header']).stdout).toBe(quilt(ours, ['header']).stdout); // both empty
    const text = 'Make line nine loud.\n\nWhy: tests.   \n';
    expect(patchq(ours, ['header', '-r'], {}, text).stdout).toBe('Replaced header of patch 03-nine.patch\n');
    expect(quiltWithStdin(theirs, ['header', '-r'], text)).toBe(0);
    expect(read(ours, 'patches/03-nine.patch')).toBe(text + body);
    expect(read(theirs, 'patches/03-nine.patch')).toBe(text + body);
    expect(quilt(ours, ['header']).stdout).toBe('Make line nine loud.\n\nWhy: tests.   \n');
    const a = patchq(ours, ['header', '-a', '--strip-trailing-whitespace', '--backup'], {}, 'Signed-off-by: T <t@example.com>');
    expect(a).toMatchObject({ code: 0, stdout: 'Appended text to header of patch 03-nine.patch\n' });
    expect(read(ours, 'patches/03-nine.patch')).toBe('Make line nine loud.\n\nWhy: tests.\nSigned-off-by: T <t@example.com>\n' + body);
    expect(read(ours, 'patches/03-nine.patch~')).toBe('Make line nine loud.\n\nWhy: tests.   \n' + body);
    expect(quilt(ours, ['pop', '-a']).code).toBe(0);
    expect(quilt(ours, ['push', '-a']).code).toBe(0);
  });

  it('reads the header quilt header -r wrote, and --dep3 parses DEP-3 fields (text and --json)', () => {
    const d = stack();
    const r = quiltWithStdin(d, ['header', '-r', '04-twelve.patch'], DEP3);
    expect(r).toBe(0);
    expect(patchq(d, ['header', '04-twelve']).stdout).toBe(DEP3);
    expect(quilt(d, ['header', '04-twelve']).stdout).toBe(DEP3);
    const j = JSON.parse(patchq(d, ['header', '--dep3', '--json', '04-twelve.patch']).stdout) as { patch: string; dep3: { fields: Record<string, string>; subject: string; body: string } };
    expect(j.patch).toBe('04-twelve.patch');
    expect(j.dep3.fields).toEqual({
      Description: 'Make the pool static\nSQLite connections cannot be shared across threads\n\nso one shared connection it is.',
      Author: 'Ann Smith <ann@example.com>',
      Origin: 'vendor, https://example.com/fork',
      Bug: 'https://example.com/issues/7',
      Forwarded: 'no',
      'Last-Update': '2026-11-20',
      'Patchq-Base': '0123456789abcdef0123456789abcdef01234567',
    });
    expect(j.dep3.subject).toBe('Make the pool static');
    const text = patchq(d, ['header', '--dep3', '04-twelve.patch']).stdout;
    expect(text.split('\n').slice(0, 4)).toEqual(['Description: Make the pool static', ' SQLite connections cannot be shared across threads', ' .', ' so one shared connection it is.']);
    expect(text).toContain('Patchq-Base: 0123456789abcdef0123456789abcdef01234567\n');
  });

  it("-r keeps patchq's Patchq-* lines (template link, reapply base) unless the new text brings its own", () => {
    const d = stack();
    const body = read(d, 'patches/04-twelve.patch');
    const old = 'Patchq-Template: sqlalchemy-staticpool\nPatchq-Template-Version: 1\nPatchq-Template-Params: poolclass=StaticPool\n\nOld words.\n\nPatchq-Base: 0123456789abcdef0123456789abcdef01234567\n\n';
    write(d, 'patches/04-twelve.patch', old + body);
    expect(patchq(d, ['header', '-r', '04-twelve.patch'], {}, 'New words.\n').code).toBe(0);
    expect(read(d, 'patches/04-twelve.patch')).toBe(
      'New words.\n\nPatchq-Template: sqlalchemy-staticpool\nPatchq-Template-Version: 1\nPatchq-Template-Params: poolclass=StaticPool\nPatchq-Base: 0123456789abcdef0123456789abcdef01234567\n\n' + body,
    );
    expect(patchq(d, ['header', '-r', '04-twelve.patch'], {}, 'Newer.\nPatchq-Base: abc1234\n').code).toBe(0);
    expect(read(d, 'patches/04-twelve.patch')).toBe('Newer.\nPatchq-Base: abc1234\n' + body);
  });

  it('-e edits in $EDITOR (diff untouched); --dep3 -e starts an empty header from the DEP-3 template', () => {
    const d = stack();
    const before = read(d, 'patches/03-nine.patch');
    write(d, 'ed.sh', '#!/bin/sh\nprintf "Edited by the editor.\\n" > "$1"\n', 0o755);
    const e = patchq(d, ['header', '-e'], { EDITOR: join(d, 'ed.sh') });
    expect(e).toMatchObject({ code: 0, stdout: 'Replaced header of patch 03-nine.patch\n' });
    expect(read(d, 'patches/03-nine.patch')).toBe('Edited by the editor.\n' + before);
    const t = patchq(d, ['header', '-e', '--dep3', '04-twelve.patch'], { EDITOR: 'true' });
    expect(t.code).toBe(0);
    const h = patchq(d, ['header', '04-twelve.patch']).stdout;
    expect(h).toMatch(/^Description: <short description, required>\n/);
    expect(h).toMatch(/^Last-Update: \d{4}-\d{2}-\d{2} <YYYY-MM-DD/m);
    expect(h).toContain('This patch header follows DEP-3');
    // A failing editor changes nothing.
    const snap = snapshot(d, { withPc: true });
    expect(patchq(d, ['header', '-e'], { EDITOR: 'false' }).code).toBe(1);
    expect(snapshot(d, { withPc: true })).toEqual(snap);
  });

  it('--strip-diffstat drops a diffstat; -a and -r together is a usage error', () => {
    const d = stack();
    const body = read(d, 'patches/03-nine.patch');
    patchq(d, ['header', '-r'], {}, 'Subject line\n---\n a.txt | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n');
    expect(patchq(d, ['header', '--strip-diffstat']).stdout).toBe('Subject line\n---\n\n');
    expect(patchq(d, ['header', '-r', '--strip-diffstat'], {}, read(d, 'patches/03-nine.patch').slice(0, -body.length)).code).toBe(0);
    expect(read(d, 'patches/03-nine.patch')).toBe('Subject line\n---\n\n' + body);
    // A header-only patch without a final newline: -a starts a new line, as quilt's awk does.
    write(d, 'patches/04-twelve.patch', 'X');
    expect(patchq(d, ['header', '-a', '04-twelve.patch'], {}, 'Y\n').code).toBe(0);
    expect(read(d, 'patches/04-twelve.patch')).toBe('X\nY\n');
    const before = snapshot(d, { withPc: true });
    expect(patchq(d, ['header', '-a', '-r'], {}, 'x\n').code).toBe(1);
    expect(patchq(d, ['header', 'nope.patch']).code).toBe(1);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });
});

/** Real quilt with `input` on stdin (quilt header -r/-a read it). */
function quiltWithStdin(cwd: string, args: string[], input: string): number {
  const r = spawnSync('quilt', ['--quiltrc=-', ...args], { cwd, input, env: { ...process.env, LANG: 'C' } });
  return r.status ?? -1;
}
