import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGitDir, headCommit, objectsDir, readBlob, readFileAt, resolveCommit } from '../../src/git/index.js';
import { blobHead } from '../../src/git/objects.js';
import { git, tempDir, write, gitRepo } from '../helpers/tree.js';

function repo(): string {
  const d = gitRepo({ 'src/a.py': 'engine = create_engine(URL)\r\n' }, { prefix: 'patchq-git-', message: 'one' });
  write(d, 'src/a.py', 'engine = create_engine(URL, echo=True)\n');
  git(d, 'commit', '-qam', 'two');
  return d;
}

describe('git layer', () => {
  it('reads blobs by full and abbreviated id, loose and packed', async () => {
    const d = repo();
    const r = findGitDir(join(d, 'src'))!;
    expect(r.dir).toBe(d);
    const full = git(d, 'rev-parse', 'HEAD~1:src/a.py').trim();
    expect(await readBlob(r, full)).toBe('engine = create_engine(URL)\r\n');
    git(d, 'gc', '-q');
    expect(await readBlob(r, full.slice(0, 7))).toBe('engine = create_engine(URL)\r\n');
    expect(await readBlob(r, 'deadbeef')).toBeNull();
    expect(await readBlob(r, '0000000')).toBeNull();
  });

  it('reads a file at a ref or commit and resolves HEAD', async () => {
    const d = repo();
    const r = findGitDir(d)!;
    const head = git(d, 'rev-parse', 'HEAD').trim();
    expect(await headCommit(r)).toBe(head);
    expect(await resolveCommit(r, head.slice(0, 8))).toBe(head);
    expect(await readFileAt(r, 'HEAD~0', 'src/a.py')).toBeNull(); // not a ref isomorphic-git knows: no guessing
    expect(await readFileAt(r, 'main', 'src/a.py')).toBe('engine = create_engine(URL, echo=True)\n');
    expect(await readFileAt(r, head, 'missing.py')).toBeNull();
  });

  it('follows a worktree .git file', async () => {
    const d = repo();
    const wt = join(tempDir('patchq-wt-'), 'wt');
    git(d, 'worktree', 'add', '-q', wt);
    const r = findGitDir(wt)!;
    expect(r.dir).toBe(wt);
    const blob = git(d, 'rev-parse', 'HEAD:src/a.py').trim();
    expect(await readBlob(r, blob.slice(0, 10))).toBe('engine = create_engine(URL, echo=True)\n');
  });
});

describe('blob headers (src/git/objects.ts)', () => {
  it('size and content start from loose objects, packed blobs and deltas, as git has them', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i} of a file long enough for git to store a delta`).join('\n') + '\n';
    const d = gitRepo({ 'big.txt': text }, { prefix: 'patchq-git-objects-' });
    write(d, 'big.txt', text.replace('line 1500 ', 'line 1500 changed '));
    git(d, 'commit', '-qam', 'two');
    const r = findGitDir(d)!;
    const ids = ['HEAD~1:big.txt', 'HEAD:big.txt'].map((x) => git(d, 'rev-parse', x).trim());
    const check = (id: string) => {
      const h = blobHead(objectsDir(r), id);
      const whole = git(d, 'cat-file', 'blob', id);
      expect(h?.size).toBe(whole.length);
      if (h?.prefix) {
        expect(h.prefix(100)).toBe(whole.slice(0, 100));
        expect(h.prefix(10 ** 9)).toBe(whole);
      }
      return h;
    };
    for (const id of ids) expect(check(id)?.prefix).not.toBeNull(); // loose: readable a piece at a time
    git(d, 'repack', '-adfq');
    const packed = ids.map(check);
    // One is stored whole, the other as a delta against it: a size, no content reader.
    expect(packed.filter((h) => h?.prefix).length).toBe(1);
    expect(packed.filter((h) => h && !h.prefix).length).toBe(1);
    expect(blobHead(objectsDir(r), 'f'.repeat(40))).toBeNull();
  });
});
