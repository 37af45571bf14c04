/**
 * files, patches and graph through the built binary, against the real quilt on the same
 * tree (made by patchq, so this is also patchq -> quilt interop for the .pc layout).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { numbered, patchq, quilt, snapshot, tempDir, write } from '../helpers/tree.js';

/** A unified diff of one file changing line `at` (1-based) of `lines` from `from` to `to`, 2 lines of context. */
function hunk(file: string, lines: string[], at: number, to: string): string {
  const lo = Math.max(1, at - 2);
  const hi = Math.min(lines.length, at + 2);
  const body = lines.slice(lo - 1, hi).map((l, i) => (lo + i === at ? `-${l}\n+${to}\n` : ` ${l}\n`)).join('');
  return `--- a/${file}\n+++ b/${file}\n@@ -${lo},${hi - lo + 1} +${lo},${hi - lo + 1} @@\n${body}`;
}

/**
 * 01 a.txt (l2), 02 b.txt (b5) + new c.txt, 03 a.txt (l38) + b.txt (b6): applied by one
 * `patchq push`, 03 on top; 04 unapplied, touches c.txt and sub/d.txt.
 */
let d = '';
beforeAll(() => {
  d = tempDir('patchq-wt-list-');
  const a = numbered(40).trim().split('\n');
  const b = numbered(10, 'b').trim().split('\n');
  write(d, 'a.txt', numbered(40));
  write(d, 'b.txt', numbered(10, 'b'));
  write(d, 'patches/01-a.patch', hunk('a.txt', a, 2, 'L2'));
  write(d, 'patches/02-b.patch', hunk('b.txt', b, 5, 'B5') + '--- /dev/null\n+++ b/c.txt\n@@ -0,0 +1 @@\n+new\n');
  write(d, 'patches/03-ab.patch', hunk('a.txt', a, 38, 'L38') + hunk('b.txt', b.map((l) => (l === 'b5' ? 'B5' : l)), 6, 'B6'));
  write(d, 'patches/04-later.patch', '--- a/c.txt\n+++ b/c.txt\n@@ -1 +1 @@\n-new\n+newer\n--- /dev/null\n+++ b/sub/d.txt\n@@ -0,0 +1 @@\n+d\n');
  write(d, 'patches/series', '01-a.patch\n02-b.patch\n03-ab.patch\n04-later.patch\n');
  expect(patchq(d, ['push', '03-ab.patch']).code).toBe(0);
});

/** quilt's graph script writes to /dev/stdout, which cannot be opened on node's socket pipes: go through a file. */
function quiltToFile(args: string[]): { code: number; stdout: string } {
  const out = join(tempDir('patchq-wt-out-'), 'out');
  const r = spawnSync('sh', ['-c', 'quilt --quiltrc=- "$@" > "$OUT"', 'sh', ...args], { cwd: d, env: { ...process.env, LANG: 'C', OUT: out }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: readFileSync(out, 'utf8') };
}

const same = (cmd: string, args: string[]) => {
  const p = patchq(d, [cmd, ...args]);
  const q = cmd === 'graph' ? quiltToFile([cmd, ...args]) : quilt(d, [cmd, ...args]);
  expect({ code: p.code, out: p.stdout }).toEqual({ code: q.code, out: q.stdout });
  return p;
};

describe('files, against quilt files', () => {
  it('lists the top, a named applied and an unapplied patch, with -v, -a, -l and --combine as quilt does', () => {
    expect(same('files', []).stdout).toBe('a.txt\nb.txt\n');
    expect(same('files', ['-v', '02-b.patch']).stdout).toBe('  b.txt\n+ c.txt\n');
    same('files', ['-av']);
    same('files', ['-al']);
    same('files', ['-alv', '--combine', '02-b.patch']);
    expect(same('files', ['04-later.patch']).stdout).toBe('c.txt\nsub/d.txt\n');
    // quilt's find_patch: without the extension, or with the patches/ folder.
    expect(same('files', ['patches/02-b']).stdout).toBe('b.txt\nc.txt\n');
  });

  it('-a -v heads an applied patch with no files too, and -a -v / -l print bare names under QUILT_PATCHES_PREFIX, as quilt does', () => {
    const t = tempDir('patchq-wt-list-');
    write(t, 'a.txt', numbered(5));
    expect(patchq(t, ['new', '01-a.patch']).code).toBe(0);
    expect(patchq(t, ['add', 'a.txt']).code).toBe(0);
    write(t, 'a.txt', numbered(5).replace('l3\n', 'L3\n'));
    expect(patchq(t, ['refresh']).code).toBe(0);
    expect(patchq(t, ['new', '02-empty.patch']).code).toBe(0);
    for (const env of [{}, { QUILT_PATCHES_PREFIX: 'yes' }]) {
      for (const args of [['files', '-a', '-v'], ['files', '-a', '-l'], ['files', '-a', '-l', '-v'], ['files', '-v', '--combine', '01-a.patch']]) {
        const p = patchq(t, args, env);
        const q = quilt(t, args, env);
        expect({ args, env, code: p.code, out: p.stdout }).toEqual({ args, env, code: q.code, out: q.stdout });
      }
    }
    expect(patchq(t, ['files', '-a', '-v']).stdout).toBe('01-a.patch\n  a.txt\n02-empty.patch\n');
  });

  it('--json rows and refusals', () => {
    const before = snapshot(d, { withPc: true });
    const j = JSON.parse(patchq(d, ['files', '--json', '-a']).stdout);
    expect(j).toContainEqual({ patch: '02-b.patch', file: 'c.txt', status: '+' });
    expect(j).toHaveLength(5);
    expect(patchq(d, ['files', 'nope.patch'])).toMatchObject({ code: 1, stderr: 'Patch nope.patch is not in series\n' });
    expect(patchq(d, ['files', 'a', 'b']).code).toBe(1);
    expect(snapshot(d, { withPc: true })).toEqual(before);
  });
});

describe('patches, against quilt patches', () => {
  it('names applied and unapplied patches touching a file, with -v marks', () => {
    expect(same('patches', ['a.txt']).stdout).toBe('01-a.patch\n03-ab.patch\n');
    expect(same('patches', ['-v', 'c.txt']).stdout).toBe('+ 02-b.patch\n  04-later.patch\n');
    expect(same('patches', ['-v', 'b.txt']).stdout).toBe('+ 02-b.patch\n= 03-ab.patch\n');
    same('patches', ['sub/d.txt']);
    same('patches', ['none.txt']);
    // A path outside the tree is touched by no patch: nothing printed, as quilt.
    expect(same('patches', ['/dev/null', '../outside.txt']).stdout).toBe('');
    const j = JSON.parse(patchq(d, ['patches', '--json', 'c.txt']).stdout);
    expect(j).toEqual([{ name: '02-b.patch', state: 'applied' }, { name: '04-later.patch', state: 'unapplied' }]);
    expect(patchq(d, ['patches']).code).toBe(1);
  });

  it('takes file and patch names relative to the current directory', () => {
    const r = patchq(`${d}/patches`, ['patches', '../a.txt']);
    expect(r.stdout).toBe('01-a.patch\n03-ab.patch\n');
    mkdirSync(join(d, 'deep'), { recursive: true });
    expect(patchq(join(d, 'deep'), ['files', '../patches/02-b']).stdout).toBe('b.txt\nc.txt\n');
  });
});

describe('graph, against quilt graph', () => {
  it('prints the same dot graph for the top patch, a named one, --all and --lines', () => {
    const top = same('graph', []);
    expect(top.stdout).toBe('digraph dependencies {\n\tn0 [label="01-a.patch"];\n\tn1 [label="02-b.patch"];\n\tn2 [style=bold,label="03-ab.patch"];\n\tn0 -> n2 [len="1.61"];\n\tn1 -> n2 [len="1.39"];\n}\n');
    same('graph', ['02-b.patch']);
    same('graph', ['--all']);
    // 03 changes l38 and b6: with 2 lines of context only b6 meets 02's B5; l38 is far from 01's L2.
    const lines = same('graph', ['--all', '--lines']);
    expect(lines.stdout).toContain('n1 -> n2');
    expect(lines.stdout).not.toContain('n0 -> n2');
    same('graph', ['--lines=0']);
    same('graph', ['--all', '--lines=40']);
  });

  it('--reduce drops transitive edges; --json has nodes and edges', () => {
    const t = tempDir('patchq-wt-graph-');
    write(t, 'f.txt', 'f0\n');
    write(t, 'g.txt', 'g0\n');
    // 1: f g, 2: f, 3: f g -> edges 1->2 (f), 2->3 (f) and 1->3 (g), which 1->2->3 implies.
    const change = (f: string, from: string, to: string) => `--- a/${f}\n+++ b/${f}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;
    write(t, 'patches/1.patch', change('f.txt', 'f0', 'f1') + change('g.txt', 'g0', 'g1'));
    write(t, 'patches/2.patch', change('f.txt', 'f1', 'f2'));
    write(t, 'patches/3.patch', change('f.txt', 'f2', 'f3') + change('g.txt', 'g1', 'g3'));
    write(t, 'patches/series', '1.patch\n2.patch\n3.patch\n');
    expect(patchq(t, ['push', '-a']).code).toBe(0);
    const all = patchq(t, ['graph', '--all']).stdout;
    expect(all).toContain('n0 -> n2');
    const g = JSON.parse(patchq(t, ['graph', '--json', '--all', '--reduce']).stdout);
    expect(g.edges).toEqual([{ from: 0, to: 1, files: ['f.txt'] }, { from: 1, to: 2, files: ['f.txt'] }]);
    expect(g.nodes.map((n: { name: string }) => n.name)).toEqual(['1.patch', '2.patch', '3.patch']);
    expect(patchq(t, ['graph', '--all', '--reduce']).stdout).not.toContain('n0 -> n2');
    expect(patchq(t, ['graph', '--all', 'x']).code).toBe(1);
    expect(patchq(t, ['graph', '9.patch'])).toMatchObject({ code: 1, stderr: 'Patch 9.patch is not in series\n' });
  });
});
