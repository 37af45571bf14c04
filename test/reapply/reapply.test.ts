/**
 * reapply in real git repositories: the demo fork (regenerate, offset, 3-way, merged
 * upstream), --check, a conflict with --continue and --abort, index-line 3-way, sync with
 * a failing pull, the hook, and kill -9 in the middle.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemo } from '../../src/demo/build.js';
import { CLI, git, numbered, patchq, read, snapshot, tempDir, write, gitRepo } from '../helpers/tree.js';
import { work } from '../hardening/helpers.js';
import { builtOnce, copyNamed } from '../helpers/prepared.js';

/** The demo fork (buildDemo is deterministic: fixed identities and dates). */
const demo = builtOnce(() => buildDemo(join(tempDir('patchq-reapply-'), 'fork')).root, 'patchq-reapply-', { named: true });
/** Whether .pc says a patch is applied, and which (what `patchq applied` prints, read from its file). */
const appliedFile = (d: string) => (existsSync(join(d, '.pc/applied-patches')) ? read(d, '.pc/applied-patches') : '');
const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { ok: boolean; stoppedAt: string | null; patches: Array<{ name: string; outcome: string; report: { files: Array<{ hunks: Array<{ status: string }> }> } | null }> };

describe('reapply on the demo fork', () => {
  it('puts every patch back and every refreshed patch then applies exactly', () => {
    const d = demo();
    const r = patchq(d, ['reapply', '--drop-merged', '--json']);
    expect(r.code).toBe(0);
    const rep = json(r);
    expect(Object.fromEntries(rep.patches.map((p) => [p.name, p.outcome]))).toEqual({
      '01-pooling.patch': 'regenerated',
      '02-app-banner.patch': 'refreshed',
      '03-settings-default.patch': 'refreshed',
      '04-user-typo.patch': 'dropped',
    });
    const statuses = (n: string) => rep.patches.find((p) => p.name === n)!.report!.files.flatMap((f) => f.hunks.map((h) => h.status));
    expect(statuses('02-app-banner.patch')).toEqual(['offset']);
    expect(statuses('03-settings-default.patch')).toContain('merged');
    // The regenerated pooling patch covers the module upstream added.
    expect(read(d, 'patches/01-pooling.patch')).toContain('database/latency_db.py');
    expect(read(d, 'database/latency_db.py')).toContain('poolclass=StaticPool');
    expect(read(d, 'database/analytics_pg.py')).toContain('poolclass=NullPool');
    expect(read(d, 'patches/series')).not.toContain('04-user-typo.patch');
    expect(read(d, 'patches/02-app-banner.patch')).toMatch(/^Patchq-Base: [0-9a-f]{40}$/m);
    // Every refreshed patch applies exactly on the new upstream.
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect(json(check).patches.map((p) => p.outcome)).toEqual(['exact', 'exact', 'exact']);
    expect(check.code).toBe(0);
  });

  it('--check writes nothing and fails on drift', () => {
    const d = demo();
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['reapply', '--check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('would');
    expect(snapshot(d, { withPc: true })).toEqual(before);
    expect(existsSync(join(d, '.pc'))).toBe(false);
  });

  it('stops at a patch upstream already has unless told to drop it, and writes markdown', () => {
    const d = demo();
    // A place the report cannot go is refused before the run touches anything.
    const before = snapshot(d);
    for (const [md, why] of [['nowhere/report.md', 'no folder nowhere to write it in'], ['patches', 'is a directory']]) {
      expect(patchq(d, ['reapply', '--markdown', md!])).toMatchObject({ code: 1, stderr: `--markdown ${md}: ${why}\n` });
    }
    expect(snapshot(d)).toEqual(before);
    const r = patchq(d, ['reapply', '--markdown', 'report.md']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Stopped at 04-user-typo.patch: upstream already has it");
    expect(readFileSync(join(d, 'report.md'), 'utf8')).toMatch(/^## patchq reapply: stopped at `04-user-typo.patch`/);
    const c = patchq(d, ['reapply', '--continue', '--drop-merged']);
    expect(c.code).toBe(0);
    expect(patchq(d, ['applied']).stdout).toBe('01-pooling.patch\n02-app-banner.patch\n03-settings-default.patch\n');
  });
});

/** A repo with one git-style patch made on v1, and upstream v2 that conflicts with it. */
const conflictRepo = builtOnce(makeConflictRepo, 'patchq-conflict-', { named: true });
function makeConflictRepo(): string {
  const d = gitRepo({ 'a.txt': numbered(30) }, { prefix: 'patchq-conflict-' });
  write(d, 'a.txt', numbered(30).replace('l10\n', 'FORK\n'));
  write(d, 'patches/series', 'fork.patch\n');
  write(d, 'patches/fork.patch', 'The fork change.\n\n' + git(d, 'diff'));
  git(d, 'checkout', '--', 'a.txt');
  git(d, 'add', 'patches');
  git(d, 'commit', '-qm', 'series');
  write(d, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM\n'));
  git(d, 'commit', '-qam', 'v2 changes the same line');
  return d;
}

describe('a patch that needs a person', () => {
  it('stops with the conflict laid out, --abort restores everything byte for byte', () => {
    const d = conflictRepo();
    // Everything, .pc included, but what any command writes there (.version, .quilt_*, the
    // side folder its lock is in, the folder of patch records, empty once nothing is applied)
    // and the old patch files a run keeps under .pc/.patchq/reapply/ (README): no run state,
    // nothing applied.
    const kept = ['.pc', '.pc/.version', '.pc/.quilt_patches', '.pc/.quilt_series', '.pc/.patchq', '.pc/.patchq/patch', '.pc/.patchq/reapply'];
    const state = () => Object.fromEntries(Object.entries(snapshot(d, { withPc: true })).filter(([k]) => !kept.includes(k) && !k.startsWith('.pc/.patchq/reapply/')));
    const before = state();
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('fork.patch');
    expect(r.stdout).toContain('NEEDS A PERSON');
    expect(read(d, 'a.txt')).toMatch(/<<<<<<< [\s\S]*UPSTREAM[\s\S]*=======[\s\S]*FORK[\s\S]*>>>>>>> /);
    expect(patchq(d, ['reapply'])).toMatchObject({ code: 1 });
    const a = patchq(d, ['reapply', '--abort']);
    expect(a.code).toBe(0);
    expect(state()).toEqual(before);
  });

  it('killed at any step before it stops: --continue stops at the conflict as an uninterrupted run does, --abort gives everything back', () => {
    const template = conflictRepo();
    const before = snapshot(template);
    // The uninterrupted run, counting its steps as it goes (PATCHQ_CRASH_AT=count only
    // prints the number at exit): where it stops is what --continue must stop at.
    const ref = copyNamed(template, 'patchq-conflict-');
    const counted = patchq(ref, ['reapply'], { PATCHQ_CRASH_AT: 'count' });
    expect(counted.code).toBe(1);
    const stopped = snapshot(ref);
    const total = Number(/patchq-steps: (\d+)/.exec(counted.stderr)![1]);
    // Steps spread over the run, and each of its last ones (the forced push and the stop).
    const picks = [...new Set([...Array.from({ length: 6 }, (_, i) => 1 + Math.round((i * (total - 1)) / 5)), ...Array.from({ length: 4 }, (_, i) => total - i)])].filter((k) => k >= 1);
    for (const k of picks) {
      // One kill at step k; the tree it leaves, copied, is where --continue and --abort start.
      const killed = copyNamed(template, 'patchq-conflict-');
      expect(patchq(killed, ['reapply'], { PATCHQ_CRASH_AT: String(k) }).code).toBe(-1);
      for (const how of ['continue', 'abort']) {
        const d = copyNamed(killed, 'patchq-conflict-');
        const what = `killed at step ${k} of ${total}, then --${how}`;
        const r = patchq(d, ['reapply', `--${how}`]);
        if (how === 'continue') {
          // No journal yet (killed before it went in): a fresh run is what is left to do.
          if (r.code === 2) expect(patchq(d, ['reapply']).code, what).toBe(1);
          // Stopped again at the conflict; or (killed inside the transaction that recorded the
          // stop) the run had stopped already, and --continue asks for the conflict to be resolved.
          else expect([r.code, r.stdout + r.stderr], what).toEqual([1, expect.stringMatching(/NEEDS A PERSON|conflict markers remain in a\.txt/)]);
          const now = snapshot(d);
          // The same conflict laid out, the same stack (the journal names its run differently).
          expect(Object.keys(now).filter((k2) => !k2.includes('.patchq/reapply')).sort(), what).toEqual(Object.keys(stopped).filter((k2) => !k2.includes('.patchq/reapply')).sort());
          for (const f of ['a.txt', 'patches/fork.patch', 'patches/series', '.pc/applied-patches']) expect(now[f], `${what}: ${f}`).toBe(stopped[f]);
        } else {
          expect([0, 2], `${what}: ${r.stderr}`).toContain(r.code);
          if (r.code === 2 && appliedFile(d) !== '') patchq(d, ['pop', '-a', '-f']);
          // Every file as it was (no .rej, no conflict left), and nothing applied.
          expect(snapshot(d), what).toEqual(before);
          expect(existsSync(join(d, '.pc/applied-patches')) ? read(d, '.pc/applied-patches') : '', what).toBe('');
        }
      }
    }
  }, 240_000);

  it('--continue refreshes the fixed patch and finishes', () => {
    const d = conflictRepo();
    patchq(d, ['reapply']);
    expect(patchq(d, ['reapply', '--continue']).stderr).toMatch(/conflict markers remain in a\.txt/);
    write(d, 'a.txt', numbered(30).replace('l10\n', 'UPSTREAM AND FORK\n'));
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('resolved by hand');
    expect(read(d, 'patches/fork.patch')).toContain('+UPSTREAM AND FORK');
    expect(read(d, 'patches/fork.patch')).toMatch(/^The fork change\.\n/);
  });

  it('lays conflicts out as .rej with --conflicts=rej', () => {
    const d = conflictRepo();
    expect(patchq(d, ['reapply', '--conflicts=rej']).code).toBe(1);
    expect(existsSync(join(d, 'a.txt.rej'))).toBe(true);
    expect(patchq(d, ['reapply', '--abort']).code).toBe(0);
    expect(existsSync(join(d, 'a.txt.rej'))).toBe(false);
  });
});

describe('3-way from the index line', () => {
  it('merges a git patch whose context changed upstream, using the blob its index line names', () => {
    const d = gitRepo({ 'a.txt': numbered(30) }, { prefix: 'patchq-3way-' });
    write(d, 'a.txt', numbered(30).replace('l15\n', 'fork line\n'));
    write(d, 'patches/series', 'p.patch\n');
    write(d, 'patches/p.patch', git(d, 'diff'));
    git(d, 'checkout', '--', 'a.txt');
    // Upstream rewrites the outer context lines of the hunk (one unchanged line stays on
    // each side of the fork's line, so git merge-file merges cleanly).
    const v2 = numbered(30).replace(/l1[23]\n/g, (m) => m.toUpperCase()).replace(/l1[78]\n/g, (m) => m.toUpperCase());
    write(d, 'a.txt', v2);
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'v2');
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code).toBe(0);
    expect(json(r).patches[0]!.report!.files[0]!.hunks[0]!.status).toBe('merged');
    expect(read(d, 'a.txt')).toBe(v2.replace('l15\n', 'fork line\n'));
  });
});

describe('upstream took part of a patch', () => {
  /**
   * fork.patch changes a.txt and b.txt; upstream then makes the same change to b.txt only.
   * With `index` lines the 3-way step sees both sides made the same edit; without them
   * (quilt-style) b.txt's hunk reverse-applies.
   */
  const partRepos = [builtOnce(() => makePartRepo(false), 'patchq-part-', { named: true }), builtOnce(() => makePartRepo(true), 'patchq-part-', { named: true })];
  const partRepo = (index = true): string => partRepos[Number(index)]!();
  function makePartRepo(index: boolean): string {
    const d = gitRepo({ 'a.txt': numbered(20), 'b.txt': numbered(20, 'b') }, { prefix: 'patchq-part-' });
    write(d, 'patches/series', 'fork.patch\n');
    write(d, 'a.txt', numbered(20).replace('l5\n', 'fork a\n'));
    write(d, 'b.txt', numbered(20, 'b').replace('b9\n', 'fork b\n'));
    write(d, 'patches/fork.patch', 'Two fixes.\n\n' + git(d, 'diff').replace(index ? /(?!)/ : /^index .*\n/gm, ''));
    git(d, 'checkout', '--', '.');
    write(d, 'b.txt', numbered(20, 'b').replace('b9\n', 'fork b\n'));
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'v2: upstream takes the b.txt fix');
    return d;
  }

  it.each([true, false])('the rest is pushed and the patch refreshed without that file; never reported merged, never dropped (index lines: %s)', (index) => {
    const d = partRepo(index);
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect(check.code).toBe(1);
    expect(json(check).patches[0]!.outcome).toBe('would-refresh');
    const r = patchq(d, ['reapply', '--drop-merged', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = json(r).patches[0]! as { outcome: string; reason?: string };
    expect(p.outcome).toBe('refreshed');
    expect(p.reason).toMatch(/upstream already has its change to b\.txt/);
    expect(read(d, 'patches/series')).toBe('fork.patch\n');
    const patch = read(d, 'patches/fork.patch');
    expect(patch).toMatch(/^Two fixes\.\n/);
    expect(patch).toContain('+fork a');
    expect(patch).not.toContain('b.txt');
    expect(read(d, 'a.txt')).toContain('fork a\n');
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    expect(read(d, 'b.txt')).toBe(numbered(20, 'b').replace('b9\n', 'fork b\n'));
  });

  it('a plain push: with index lines its 3-way step finds both sides made the same edit (merged, the patch marked drifted); without them it refuses, in quilt words', () => {
    const d = partRepo();
    const r = patchq(d, ['push', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const pushed = (JSON.parse(r.stdout) as { pushed: Array<{ drifted: boolean; report: { files: Array<{ path: string; hunks: Array<{ status: string }> }> } }> }).pushed[0]!;
    expect(pushed.drifted).toBe(true);
    expect(pushed.report.files.map((f) => [f.path, f.hunks.map((h) => h.status)])).toEqual([['a.txt', ['exact']], ['b.txt', ['merged']]]);
    expect(read(d, 'b.txt')).toBe(numbered(20, 'b').replace('b9\n', 'fork b\n'));
    const q = partRepo(false);
    const rq = patchq(q, ['push']);
    expect(rq.code).toBe(1);
    expect(rq.stdout).toContain('Patch fork.patch does not apply (enforce with -f)');
  });
});

describe('sync and the hook', () => {
  it('a pull that fails leaves the tree as it was', () => {
    const d = demo();
    expect(patchq(d, ['reapply', '--drop-merged']).code).toBe(0);
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['sync', '--pull', 'exit 3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the pull failed \(exit 3\); the tree is as it was/);
    const after = snapshot(d, { withPc: true });
    // Same files and same stack; only timestamps in .pc may differ.
    const strip = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.includes('.timestamp') && !k.startsWith('.pc/.patchq/patch/')));
    expect(strip(after)).toEqual(strip(before));
    // The usual pull with no upstream remote: refused before anything is popped.
    const u = patchq(d, ['sync']);
    expect([u.code, u.stderr]).toEqual([1, expect.stringMatching(/has no git remote named upstream .*; nothing was changed\n$/)]);
    expect(snapshot(d, { withPc: true })).toEqual(after);
  });

  it('installs and removes a post-merge hook, refusing a foreign one', () => {
    const d = demo();
    expect(patchq(d, ['hook', 'install']).code).toBe(0);
    expect(read(d, '.git/hooks/post-merge')).toContain('patchq reapply');
    expect(patchq(d, ['hook', 'uninstall']).code).toBe(0);
    write(d, '.git/hooks/post-merge', '#!/bin/sh\necho mine\n');
    expect(patchq(d, ['hook', 'install']).code).toBe(1);
    expect(read(d, '.git/hooks/post-merge')).toContain('echo mine');
  });
});

describe('kill -9 during reapply', () => {
  it('the next command finds a consistent stack and reapply finishes the job', async () => {
    const d = demo();
    const child = spawn(process.execPath, [CLI, 'reapply', '--drop-merged'], { cwd: d, env: { ...process.env, NO_COLOR: '1', PATCHQ_CRASH_AT: '9' } });
    await new Promise((res) => child.on('exit', res));
    expect(child.signalCode).toBe('SIGKILL');
    // Consistent: whatever .pc says is applied pops cleanly back to upstream's files.
    const upstreamFiles = snapshot(d);
    const applied = patchq(d, ['applied']);
    // 0, or quilt's 'No patches applied' (exit 1): never an error of its own.
    expect([applied.code, applied.code === 0 ? '' : applied.stderr]).toEqual(applied.code === 0 ? [0, ''] : [1, 'No patches applied\n']);
    // The interrupted run is still recorded; abort it, then a fresh run completes.
    patchq(d, ['reapply', '--abort']);
    expect(patchq(d, ['pop', '-a']).code).toBeLessThanOrEqual(2);
    const r = patchq(d, ['reapply', '--drop-merged']);
    expect(r.code).toBe(0);
    expect(Object.keys(upstreamFiles).length).toBeGreaterThan(5);
  });

  it('a run killed at any point is in its journal from the start: --abort gives back every patch file and the series, --continue finishes as an uninterrupted run', () => {
    const template = demo();
    const patchFiles = (d: string) => Object.fromEntries(Object.entries(snapshot(d)).filter(([k]) => k.startsWith('patches/')));
    const before = patchFiles(template);
    // The result of an uninterrupted run, to compare --continue with.
    // (PATCHQ_CRASH_AT=count only prints the run's number of steps at its exit.)
    const ref = copyNamed(template, 'patchq-reapply-');
    const counted = patchq(ref, ['reapply', '--drop-merged'], { PATCHQ_CRASH_AT: 'count' });
    expect(counted.code).toBe(0);
    const refTree = work(ref);
    const refApplied = appliedFile(ref);
    expect(refApplied).not.toBe('');
    const total = Number(/patchq-steps: (\d+)/.exec(counted.stderr)![1]);
    const picks = [...new Set(Array.from({ length: 6 }, (_, i) => 2 + Math.round((i * (total - 3)) / 5)))];
    for (const k of picks) {
      // One kill at step k; the tree it leaves, copied, is where --abort and --continue start.
      const killed = copyNamed(template, 'patchq-reapply-');
      expect(patchq(killed, ['reapply', '--drop-merged'], { PATCHQ_CRASH_AT: String(k) }).code, `step ${k}`).toBe(-1);
      const runs = ['abort', 'continue'].map((how) => [how, copyNamed(killed, 'patchq-reapply-')] as const);
      for (const [how, d] of runs) {
        const what = `killed at step ${k} of ${total}, then --${how}`;
        if (existsSync(join(d, '.pc/.patchq/reapply.json'))) {
          expect(patchq(d, ['reapply']).stderr, what).toMatch(/was interrupted; go on with 'patchq reapply --continue', or go back with 'patchq reapply --abort'/);
        }
        if (how === 'abort') {
          const r = patchq(d, ['reapply', '--abort']);
          if (r.code === 2) {
            // No journal: killed before it was written (nothing rewritten yet), or once the
            // last transaction had put the run's end in (the run is complete).
            const finished = appliedFile(d) === refApplied && JSON.stringify(work(d)) === JSON.stringify(refTree);
            if (!finished) expect(patchFiles(d), what).toEqual(before);
          } else {
            expect(r.code, `${what}: ${r.stderr}`).toBe(0);
            expect(patchFiles(d), what).toEqual(before);
          }
        } else {
          const r = patchq(d, ['reapply', '--continue', '--drop-merged']);
          if (r.code === 2) expect(patchq(d, ['reapply', '--drop-merged']).code, what).toBe(0); // no journal yet: a fresh run
          else expect(r.code, `${what}: ${r.stderr}`).toBe(0);
          expect(work(d), what).toEqual(refTree);
          expect(appliedFile(d), what).toBe(refApplied);
        }
        expect(existsSync(join(d, '.pc/.patchq/reapply.json')), what).toBe(false);
      }
    }
  }, 240_000);
});
