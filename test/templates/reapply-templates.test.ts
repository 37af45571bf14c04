/**
 * Template patches through reapply and the template commands, with the built binary on real
 * git repositories: a broken template file is one line naming its line; a template that
 * changes nothing any more is reported as such, not as a regenerated (empty) patch; --check
 * compares what regeneration would write; and a change someone made by hand in a template
 * patch is not dropped without a word.
 */
import { describe, expect, it } from 'vitest';
import { builtOnce } from '../helpers/prepared.js';
import { git, numbered, patchq, read, snapshot, write, gitRepo } from '../helpers/tree.js';

const TEMPLATE = 'name: rename-call\nversion: 1\nfiles:\n  include: ["src/*.txt"]\nrules:\n  - kind: literal\n    name: call\n    find: "oldcall("\n    replace: "newcall("\n';

/**
 * v1: src/one.txt and src/two.txt call oldcall() once each, other.txt is plain. The series:
 * t.patch from the template rename-call (oldcall -> newcall in src/*.txt), then p1.patch
 * (other.txt line 10). Committed unapplied, as a fork keeps it. Built once (11 spawns),
 * each test gets a copy.
 */
const fork = builtOnce((): string => {
  const d = gitRepo({ 'src/one.txt': numbered(20) + 'x = oldcall()\n' + numbered(20, 'm'), 'src/two.txt': numbered(10) + 'y = oldcall()\n' + numbered(10, 'm'), 'other.txt': numbered(30) }, { prefix: 'patchq-tpl-' });
  write(d, 'patches/templates/rename-call.yaml', TEMPLATE);
  expect(patchq(d, ['new', 't.patch', '--template', 'rename-call']).code).toBe(0);
  expect(patchq(d, ['new', 'p1.patch']).code).toBe(0);
  expect(patchq(d, ['add', 'other.txt']).code).toBe(0);
  write(d, 'other.txt', numbered(30).replace('l10\n', 'FORK\n'));
  expect(patchq(d, ['refresh']).code).toBe(0);
  expect(patchq(d, ['pop', '-a']).code).toBe(0);
  git(d, 'add', 'patches');
  git(d, 'commit', '-qm', 'the series');
  return d;
}, 'patchq-tpl-');

describe('a template file with a YAML syntax error', () => {
  it('is one line naming the line of the error, for template show and for reapply (nothing changed)', () => {
    const d = fork();
    write(d, 'patches/templates/rename-call.yaml', TEMPLATE.replace('    name: call\n', '    name: call\n   oops: 1\n'));
    const path = 'patches/templates/rename-call.yaml';
    const s = patchq(d, ['template', 'show', 'rename-call']);
    expect([s.code, s.stderr]).toEqual([1, `${path}:8: invalid YAML: Sequence item without - indicator\n`]);
    const before = snapshot(d, { withPc: true });
    const r = patchq(d, ['reapply']);
    expect([r.code, r.stderr]).toEqual([1, s.stderr]);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });
});

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { ok: boolean; stoppedAt: string | null; patches: Array<{ name: string; outcome: string; reason?: string; handEdits?: string[]; oldCopy?: string }> };

describe('template patches on a new upstream', () => {
  it('a new match in a file the rule covered: --check says regenerate (the patch still applies exactly), reapply regenerates', () => {
    const d = fork();
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    git(d, 'commit', '-qam', 'v2: one more call in one.txt');
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect(check.code).toBe(1);
    expect(json(check).patches.map((p) => p.outcome)).toEqual(['would-regenerate', 'exact']);
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).patches.map((p) => p.outcome)).toEqual(['regenerated', 'exact']);
    expect(read(d, 'src/one.txt')).toContain('z = newcall()\n');
    // Regenerated on v2: v2 is its base now, as a refresh would record it (the 3-way step
    // reads its pre-images there); the template's header lines are kept.
    const v2 = git(d, 'rev-parse', 'HEAD').trim();
    expect(read(d, 'patches/t.patch')).toMatch(new RegExp(`^Patchq-Template: rename-call\n[\\s\\S]*^Patchq-Base: ${v2}\n`, 'm'));
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    expect(patchq(d, ['reapply', '--check']).code).toBe(0);
  });

  it('a covered file upstream deleted: regenerated without it, nothing to ask a person', () => {
    const d = fork();
    git(d, 'rm', '-q', 'src/two.txt');
    git(d, 'commit', '-qm', 'v2: two.txt gone');
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).patches.map((p) => p.outcome)).toEqual(['regenerated', 'exact']);
    expect(read(d, 'patches/t.patch')).not.toContain('two.txt');
  });

  it('that changes nothing any more is reported as upstream having it, not pushed as an empty "regenerated" patch', () => {
    const d = fork();
    for (const f of ['src/one.txt', 'src/two.txt']) write(d, f, read(d, f).replace('oldcall(', 'newcall('));
    git(d, 'commit', '-qam', 'v2: upstream renamed the call itself');
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect([check.code, json(check).patches[0]!.outcome]).toEqual([1, 'merged-upstream']);
    const patch = read(d, 'patches/t.patch');
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({
      stoppedAt: 't.patch',
      patches: [
        { name: 't.patch', outcome: 'merged-upstream', reason: expect.stringMatching(/^its template rename-call changes nothing on the new upstream/) },
        { name: 'p1.patch', outcome: 'not-run' },
      ],
    });
    expect(read(d, 'patches/t.patch')).toBe(patch);
    const c = patchq(d, ['reapply', '--continue', '--drop-merged']);
    expect(c.code, c.stderr).toBe(0);
    expect(read(d, 'patches/series')).toBe('p1.patch\n');
    expect(patchq(d, ['applied']).stdout).toBe('p1.patch\n');
  });
});

describe('a template patch edited by hand', () => {
  /** The fork adds a change of its own to t.patch (src/one.txt line 5), which the rule does not make. Built once, each test gets a copy. */
  const handEdited = builtOnce((): string => {
    const d = fork();
    expect(patchq(d, ['push']).code).toBe(0);
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('l5\n', 'HAND EDIT\n'));
    expect(patchq(d, ['refresh']).code).toBe(0);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    git(d, 'commit', '-qam', 'a hand edit in t.patch');
    write(d, 'other.txt', 'upstream\n' + numbered(30));
    git(d, 'commit', '-qam', 'v2');
    return d;
  }, 'patchq-tpl-');

  it('in the same hunk as the rule\'s change, with upstream changing another line of that hunk: still not dropped without a word', () => {
    const d = fork();
    expect(patchq(d, ['push']).code).toBe(0);
    // The hand edit two lines above the rule's change: one hunk holds both.
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('l19\n', 'HAND EDIT\n'));
    expect(patchq(d, ['refresh']).code).toBe(0);
    expect(patchq(d, ['pop', '-a']).code).toBe(0);
    git(d, 'commit', '-qam', 'a hand edit in t.patch, next to the call');
    const patch = read(d, 'patches/t.patch');
    expect(patch.match(/^@@ /gm)).toHaveLength(2);
    // Upstream changes a line of that hunk's context below the call (m2).
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m2\n', 'm2 upstream\n'));
    git(d, 'commit', '-qam', 'v2');
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect([check.code, json(check).patches[0]]).toEqual([1, expect.objectContaining({ outcome: 'would-fail', handEdits: ['src/one.txt hunk 1'] })]);
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code).toBe(1);
    expect(json(r).patches[0]).toEqual(expect.objectContaining({ name: 't.patch', outcome: 'failed', handEdits: ['src/one.txt hunk 1'] }));
    expect(patchq(d, ['reapply', '--abort']).code).toBe(0);
    expect(read(d, 'patches/t.patch')).toBe(patch);
  });

  it('is not regenerated without a word: --check fails it, reapply stops at it with the dropped hunk named, --abort gives it back', () => {
    const d = handEdited();
    const patch = read(d, 'patches/t.patch');
    expect(patch).toContain('+HAND EDIT');
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect([check.code, json(check).patches[0]]).toEqual([1, expect.objectContaining({ outcome: 'would-fail', handEdits: ['src/one.txt hunk 1'] })]);
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/t\.patch +NEEDS A PERSON/);
    expect(r.stdout).toContain('regenerating dropped changes the old patch made that its template does not make (edited by hand, or the template changed): src/one.txt hunk 1');
    expect(r.stdout).toMatch(/Stopped at t\.patch: regenerating it dropped changes its template does not make/);
    expect(r.stdout).toMatch(/previous version kept in \.pc\/\.patchq\/reapply\/[^/]+\/old\/t\.patch/);
    expect(patchq(d, ['applied']).stdout).toBe('t.patch\n');
    expect(patchq(d, ['reapply', '--abort']).code).toBe(0);
    expect(read(d, 'patches/t.patch')).toBe(patch);
  });

  it('regen refuses to drop it (the next patch, and the applied top): nothing changed; --dry-run names it; -f drops it', () => {
    const d = handEdited();
    const refused = (args: string[]) => {
      const before = snapshot(d, { withPc: true });
      const r = patchq(d, args);
      expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/^regenerating t\.patch would drop changes it makes that template rename-call does not \(edited by hand, or the template changed\): src\/one\.txt hunk 1; nothing was changed \(regen -f drops them\)\n$/)]);
      expect(snapshot(d, { withPc: true })).toEqual(before);
    };
    refused(['regen', 't.patch']); // unapplied, the next patch
    expect(patchq(d, ['push']).code).toBe(0);
    refused(['regen']); // the applied top
    const dry = patchq(d, ['regen', '--dry-run', '--json']);
    expect([dry.code, JSON.parse(dry.stdout).dropped]).toEqual([0, ['src/one.txt hunk 1']]);
    expect(patchq(d, ['regen', '--dry-run']).stdout).toContain('Would drop changes template rename-call does not make: src/one.txt hunk 1\n');
    const forced = patchq(d, ['regen', '-f']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Dropped changes template rename-call does not make: src/one.txt hunk 1\n');
    expect(read(d, 'patches/t.patch')).not.toContain('HAND EDIT');
    expect(read(d, 'src/one.txt')).toContain('l5\n');
    expect(patchq(d, ['applied']).stdout).toBe('t.patch\n');
  });

  it('--continue with the change put back keeps it in the patch', () => {
    const d = handEdited();
    expect(patchq(d, ['reapply']).code).toBe(1);
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('l5\n', 'HAND EDIT\n'));
    const c = patchq(d, ['reapply', '--continue', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(json(c).patches.map((p) => [p.name, p.outcome])).toEqual([['t.patch', 'resolved'], ['p1.patch', 'refreshed']]);
    expect(read(d, 'patches/t.patch')).toContain('+HAND EDIT');
    expect(read(d, 'patches/t.patch')).toMatch(/^Patchq-Template: rename-call$/m);
  });
});

describe('a template patch above other patches', () => {
  it('--check regenerates it in memory on the files the patches below leave', () => {
    const d = fork();
    write(d, 'patches/series', 'p1.patch\nt.patch\n');
    git(d, 'commit', '-qam', 't.patch after p1.patch');
    expect(patchq(d, ['reapply', '--check']).code).toBe(0);
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    git(d, 'commit', '-qam', 'v2: one more call in one.txt');
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect([check.code, json(check).patches.map((p) => p.outcome)]).toEqual([1, ['exact', 'would-regenerate']]);
    const r = patchq(d, ['reapply', '--json']);
    expect(json(r).patches.map((p) => p.outcome)).toEqual(['exact', 'regenerated']);
  });
});

describe('a template whose checks fail on the new upstream', () => {
  const CHECKED = TEMPLATE + 'checks:\n  - name: no oldcall left\n    absent: "oldcall"\n    when: ["."]\n';

  it('stops the run at its patch (not pushed, the journal consistent); --continue after the fix regenerates it', () => {
    const d = fork();
    write(d, 'patches/templates/rename-call.yaml', CHECKED);
    write(d, 'patches/series', 'p1.patch\nt.patch\n');
    git(d, 'commit', '-qam', 'checks; t.patch after p1.patch');
    write(d, 'src/two.txt', read(d, 'src/two.txt') + 'w = oldcall (1)\n');
    git(d, 'commit', '-qam', 'v2: a call the rule does not match');
    const check = patchq(d, ['reapply', '--check', '--json']);
    expect([check.code, json(check).patches[1]]).toEqual([1, expect.objectContaining({ outcome: 'would-fail', reason: 'template rename-call did less than it should (no oldcall left: fails in src/two.txt)' })]);
    const r = patchq(d, ['reapply']);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toMatch(/t\.patch +NEEDS A PERSON/);
    expect(r.stdout).toContain('template rename-call did less than it should (no oldcall left: fails in src/two.txt)');
    expect(r.stdout).toMatch(/Stopped at t\.patch: its template could not regenerate it \(see above\)/);
    expect(patchq(d, ['applied']).stdout).toBe('p1.patch\n');
    // Continuing without a fix stops there again; with one, the run finishes.
    expect(patchq(d, ['reapply', '--continue']).code).toBe(1);
    write(d, 'src/two.txt', read(d, 'src/two.txt').replace('oldcall (1)', 'oldcall(1)'));
    const c = patchq(d, ['reapply', '--continue', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(json(c).patches.map((p) => [p.name, p.outcome])).toEqual([['p1.patch', 'exact'], ['t.patch', 'regenerated']]);
    expect(read(d, 'src/two.txt')).toContain('w = newcall(1)\n');
  });
});

describe('regen --dry-run', () => {
  it('writes nothing, .pc included, for the applied top patch as for the next one, and says it is a dry run', () => {
    const d = fork();
    write(d, 'src/one.txt', read(d, 'src/one.txt').replace('m15\n', 'z = oldcall()\n'));
    git(d, 'commit', '-qam', 'v2: one more call in one.txt');
    for (const applied of [false, true]) {
      if (applied) expect(patchq(d, ['push', 't.patch']).code).toBe(0);
      const before = snapshot(d, { withPc: true });
      const r = patchq(d, ['regen', '--dry-run', 't.patch']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^Patch t\.patch would be regenerated from template rename-call \(dry run: nothing written\)\n/);
      expect(r.stdout).toContain('++z = newcall()');
      expect(snapshot(d, { withPc: true }), `applied: ${applied}`).toEqual(before);
    }
    // Then for real: the patch now covers the new call.
    expect(patchq(d, ['regen', 't.patch']).stdout).toMatch(/^Regenerated patch t\.patch from template rename-call$/m);
    expect(read(d, 'src/one.txt')).toContain('z = newcall()\n');
  });
});
