/**
 * Upstream renamed (git mv, maybe with edits) a file a fork patch changes: the run stops
 * with the hunks in a .rej, and the report says where the file went, found in git between
 * the commit the patch was made on and HEAD (content shared as git's rename detection
 * judges it). Two near candidates are listed, not guessed; a deleted file is said deleted.
 * A run with every file in place does not go to git for this.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGitDir, objectsDir } from '../../src/git/index.js';
import { blobHead } from '../../src/git/objects.js';
import { findRenames, renameBlobReads, renameLookups } from '../../src/git/renames.js';
import { reapply } from '../../src/reapply/run.js';
import { openTree } from '../../src/stack/session.js';
import { builtOnceEach } from '../helpers/prepared.js';
import { git, patchq, read, upstreamAndFork, write } from '../helpers/tree.js';

const V1 = ['import os', '', 'DEBUG = False', 'PORT = 8000', 'WORKERS = 1', 'LOG = "info"', 'HOST = "localhost"', 'DB = "sqlite"', 'CACHE = None', 'TIMEOUT = 30', ''].join('\n');
const PATCH = `Index: fork/database/old_name.py
===================================================================
--- fork.orig/database/old_name.py
+++ fork/database/old_name.py
@@ -3,5 +3,5 @@
 DEBUG = False
 PORT = 8000
-WORKERS = 1
+WORKERS = 4
 LOG = "info"
 HOST = "localhost"
`;

/**
 * Upstream holding V1 (and `also`) and the fork with PATCH in its series: built once for
 * each `also` (7 git runs), copies of both for each change.
 */
const forked = builtOnceEach(
  (also: string) =>
    upstreamAndFork({ 'database/old_name.py': V1, ...(JSON.parse(also) as Record<string, string>), README: 'upstream\n' }, { '.gitignore': '.pc\n', 'patches/series': 'db.patch\n', 'patches/db.patch': PATCH }, 'patchq-rename-'),
  'patchq-rename-',
);

type Change = (up: string) => void;

/** Upstream's commit `change`, pulled into a copy of forked(also). */
function pull(change: Change, also: string): { up: string; d: string } {
  const { up, d } = forked(also);
  change(up);
  git(up, 'add', '-A');
  git(up, 'commit', '-qm', 'v2');
  git(d, '-c', 'pull.rebase=false', 'pull', '-q', '--no-edit');
  return { up, d };
}

/** A fork with PATCH in its series; `change` is upstream's next commit; the fork pulls it. */
function pulled(change: Change, also: Record<string, string> = {}): string {
  return pull(change, JSON.stringify(also)).d;
}

const edited = (t: string) => t.replace('CACHE = None', 'CACHE = "redis"');

/** Upstream's next commits that several tests pull. */
const changes: Record<'renamed' | 'renamedWithEdits', Change> = {
  renamed: (up) => git(up, 'mv', 'database/old_name.py', 'database/new_name.py'),
  renamedWithEdits: (up) => {
    git(up, 'mv', 'database/old_name.py', 'database/new_name.py');
    write(up, 'database/new_name.py', edited(V1));
  },
};
/** pulled(changes[name]), built once for each, each test gets a copy. */
const builtPulled = builtOnceEach((name: keyof typeof changes) => pull(changes[name], '{}'), 'patchq-rename-');
const pulledShared = (name: keyof typeof changes): string => builtPulled(name).d;

describe('reapply over a file upstream renamed', () => {
  it('an exact rename: names the new path, and the steps it gives work', () => {
    const d = pulledShared('renamed');
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('database/old_name.py: renamed upstream to database/new_name.py (100% similar); the patch still names database/old_name.py; its 1 hunk(s) are in database/old_name.py.rej');
    expect(r.stdout).toContain("Stopped at db.patch: 'patchq add database/new_name.py' (before changing it), put the hunks of database/old_name.py.rej into database/new_name.py by hand (or drop them), then delete database/old_name.py.rej. Then 'patchq reapply --continue'");
    // Doing as told finishes the run with the change in the patch, under the new name.
    expect(patchq(d, ['add', 'database/new_name.py']).code).toBe(0);
    write(d, 'database/new_name.py', read(d, 'database/new_name.py').replace('WORKERS = 1', 'WORKERS = 4'));
    rmSync(join(d, 'database/old_name.py.rej'));
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(0);
    expect(read(d, 'patches/db.patch')).toMatch(/^\+\+\+ \S+\/database\/new_name\.py/m);
    expect(read(d, 'patches/db.patch')).toContain('+WORKERS = 4');
    expect(read(d, 'patches/db.patch')).not.toContain('old_name.py');
  });

  it("the change made in the new file before 'patchq add': --continue names the file to add, and how to take the change out first", () => {
    const d = pulledShared('renamed');
    expect(patchq(d, ['reapply']).code).toBe(1);
    write(d, 'database/new_name.py', read(d, 'database/new_name.py').replace('WORKERS = 1', 'WORKERS = 4'));
    rmSync(join(d, 'database/old_name.py.rej'));
    const c = patchq(d, ['reapply', '--continue']);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(
      "db.patch holds no change any more: none of its files (database/old_name.py) differs from what is under it. Upstream renamed database/old_name.py to database/new_name.py: 'patchq add database/new_name.py' (add keeps the file as it is then as the original: take out by hand what you changed there already, not with git checkout, which would also drop what the patches below changed there), make the change there, then continue;",
    );
  });

  it('a rename with edits: names it with its similarity; --json carries the new path', () => {
    const d = pulledShared('renamedWithEdits');
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as { patches: Array<{ name: string; renames?: unknown }> };
    expect(rep.patches[0]!.renames).toEqual([
      { path: 'database/old_name.py', renamedTo: 'database/new_name.py', similarity: 90, candidates: [{ path: 'database/new_name.py', similarity: 90 }] },
    ]);
    const t = patchq(d, ['reapply', '--abort']);
    expect(t.code).toBe(0);
    const again = patchq(d, ['reapply']);
    expect(again.stdout).toContain('database/old_name.py: renamed upstream to database/new_name.py (90% similar)');
  });

  it('two near candidates: lists both, picks neither', () => {
    const d = pulled((up) => {
      rmSync(join(up, 'database/old_name.py'));
      write(up, 'database/a.py', edited(V1));
      write(up, 'database/b.py', V1.replace('TIMEOUT = 30', 'TIMEOUT = 60'));
    });
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('database/old_name.py: not in the tree; possibly renamed upstream to database/a.py (90% similar) or database/b.py (90% similar), no clear best; its 1 hunk(s) are in database/old_name.py.rej');
    expect(r.stdout).not.toContain('old_name.py: renamed upstream to');
    expect(r.stdout).toContain('put the hunks of database/old_name.py.rej where they belong now by hand');
  });

  it('a real deletion: says deleted, names no file (not a look-alike that was there before)', () => {
    const d = pulled(
      (up) => {
        rmSync(join(up, 'database/old_name.py'));
        write(up, 'database/other.py', 'something = "else"\n');
      },
      { 'database/twin.py': edited(V1) },
    );
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('database/old_name.py: deleted upstream (no file upstream added since holds its content); its 1 hunk(s) are in database/old_name.py.rej');
    expect(r.stdout).not.toContain('other.py');
    expect(r.stdout).not.toContain('twin.py');
    expect(existsSync(join(d, 'database/old_name.py.rej'))).toBe(true);
  });

  it('a run with every file in place does not look for renames', async () => {
    const d = pulled((up) => write(up, 'README', 'upstream v2\n'));
    const before = renameLookups();
    const r = await reapply(openTree(d));
    expect(r.ok).toBe(true);
    expect(renameLookups()).toBe(before);
    // ...and one with a file gone does (the counter counts).
    const g = pulledShared('renamed');
    const s = await reapply(openTree(g));
    expect(s.stoppedAt).toBe('db.patch');
    expect(renameLookups()).toBe(before + 1);
    expect(s.patches[0]!.renames?.[0]?.renamedTo).toBe('database/new_name.py');
  });
});

/** Every file under `root`, .git and .pc included: what a dry run must leave as it was. */
function everything(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = `${statSync(p).mtimeMs}:${readFileSync(p, 'latin1')}`;
    }
  };
  walk(root);
  return out;
}

describe('reapply --check over a file upstream renamed', () => {
  it('says what the run says (text and --json), and changes nothing on disk', () => {
    const d = pulledShared('renamedWithEdits');
    const before = everything(d);
    const c = patchq(d, ['reapply', '--check']);
    const cj = patchq(d, ['reapply', '--check', '--json']);
    expect(everything(d)).toEqual(before);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('database/old_name.py: renamed upstream to database/new_name.py (90% similar); the patch still names database/old_name.py; a run would put its 1 hunk(s) in database/old_name.py.rej');
    // The run, on the same tree: the same finding.
    const r = patchq(d, ['reapply', '--json']);
    expect(r.code).toBe(1);
    const renames = (out: string) => (JSON.parse(out) as { patches: Array<{ renames?: unknown }> }).patches[0]!.renames;
    expect(renames(cj.stdout)).toEqual(renames(r.stdout));
    expect(renames(cj.stdout)).toEqual([
      { path: 'database/old_name.py', renamedTo: 'database/new_name.py', similarity: 90, candidates: [{ path: 'database/new_name.py', similarity: 90 }] },
    ]);
  });
});

describe('the commit a finding is read against', () => {
  it("is the patch's Patchq-Base when it names one, not ORIG_HEAD", () => {
    // Upstream v1 (A), where the patch was made. Pull 1 (B): old_name.py now holds other
    // content, its old content moved to new_name.py. Pull 2 (C): old_name.py goes, its
    // B content to other.py. Read against A the file went to new_name.py; against ORIG_HEAD
    // (the merge of B) it would be other.py.
    const V2 = ['# a different module', 'def ping():', '    return "pong"', '', 'def pong():', '    return "ping"', ''].join('\n');
    const { up, d } = upstreamAndFork({ 'database/old_name.py': V1, README: 'upstream\n' }, {}, 'patchq-rename-base-');
    const a = git(up, 'rev-parse', 'HEAD').trim();
    write(d, '.gitignore', '.pc\n');
    write(d, 'patches/series', 'db.patch\n');
    write(d, 'patches/db.patch', `Patchq-Base: ${a}\n\n${PATCH}`);
    git(d, 'add', '-A');
    git(d, 'commit', '-qm', 'series');
    write(up, 'database/new_name.py', V1);
    write(up, 'database/old_name.py', V2);
    git(up, 'add', '-A');
    git(up, 'commit', '-qm', 'B');
    git(d, '-c', 'pull.rebase=false', 'pull', '-q', '--no-edit', 'origin', 'main');
    rmSync(join(up, 'database/old_name.py'));
    write(up, 'database/other.py', V2);
    git(up, 'add', '-A');
    git(up, 'commit', '-qm', 'C');
    git(d, '-c', 'pull.rebase=false', 'pull', '-q', '--no-edit', 'origin', 'main');
    expect(git(d, 'rev-parse', 'ORIG_HEAD').trim()).not.toBe(a);
    const want = 'database/old_name.py: renamed upstream to database/new_name.py (100% similar)';
    const c = patchq(d, ['reapply', '--check']);
    expect(c.stdout).toContain(want);
    expect(c.stdout).not.toContain('other.py');
    const r = patchq(d, ['reapply']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(want);
    expect(r.stdout).not.toContain('other.py');
  });
});

describe('rename detection over a pull that adds many files', () => {
  it('reads whole only the added files that could be 50% similar; finds what reading them all finds (loose and packed)', async () => {
    // Added beside the rename: a file too small to hold half the old lines, one with far
    // more lines than twice the old file's, and a look-alike that must be compared.
    const big = Array.from({ length: 20_000 }, (_, i) => `row ${i}`).join('\n') + '\n';
    const near = V1.replace('DEBUG = False', 'DEBUG = True').replace('PORT = 8000', 'PORT = 9000').replace('LOG = "info"', 'LOG = "debug"');
    const d = pulled((up) => {
      git(up, 'mv', 'database/old_name.py', 'database/new_name.py');
      write(up, 'vendor/big.txt', big);
      write(up, 'vendor/tiny.txt', 'x\n');
      write(up, 'vendor/near.py', near);
    });
    const repo = findGitDir(d)!;
    const added = ['database/new_name.py', 'vendor/big.txt', 'vendor/near.py', 'vendor/tiny.txt'];
    // What reading every added file whole finds: old_name.py's 10 lines all in new_name.py
    // (100), 7 of them in near.py (70); big.txt and tiny.txt share none.
    const all = [{ path: 'database/new_name.py', similarity: 100 }, { path: 'vendor/near.py', similarity: 70 }];
    const want = [{ path: 'database/old_name.py', renamedTo: 'database/new_name.py', similarity: 100, candidates: all }];
    for (const packed of [false, true]) {
      if (packed) git(d, 'repack', '-adfq');
      // Each added file's size from its object's header alone (a delta's from its own header).
      for (const p of added) expect(blobHead(objectsDir(repo), git(d, 'rev-parse', `HEAD:${p}`).trim())?.size, p).toBe(git(d, 'show', `HEAD:${p}`).length);
      const reads = renameBlobReads();
      expect(await findRenames(repo, 'ORIG_HEAD', ['database/old_name.py'])).toEqual(want);
      // new_name.py and near.py; not big.txt (20 000 lines) nor tiny.txt (2 bytes).
      expect(renameBlobReads() - reads).toBe(2);
    }
  });
});
