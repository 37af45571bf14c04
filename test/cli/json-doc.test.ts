/**
 * docs/json.md is the contract of --json: every key the scripting commands print is named
 * there. Run on a real fork (git, upstream moved, a quilt-style series), so the nested
 * reports (files, hunks, markers) come from real landings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, numbered, patchq, upstreamAndFork, write } from '../helpers/tree.js';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'json.md'), 'utf8');

/** Every object key in a JSON document, nested ones too. */
function keysOf(v: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, into);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      into.add(k);
      keysOf(x, into);
    }
  }
  return into;
}

describe('docs/json.md', () => {
  it('names every key the scripting commands print', () => {
    const p = (name: string, body: string) => `--- a/${name}\n+++ b/${name}\n${body}`;
    const { up, d } = upstreamAndFork({ 'a.txt': numbered(30), 'b.txt': numbered(30, 'b') }, {
      '.gitignore': '.pc\n',
      'patches/series': 'p.patch\nq.patch\n',
      'patches/p.patch': p('a.txt', '@@ -9,3 +9,3 @@\n l9\n-l10\n+FORK\n l11\n'),
      'patches/q.patch': p('b.txt', '@@ -4,3 +4,3 @@\n b4\n-b5\n+FORK\n b6\n'),
    });
    write(up, 'a.txt', 'new\n' + numbered(30));
    write(up, 'b.txt', numbered(30, 'b').replace('b5\n', 'UPSTREAM\n'));
    git(up, 'commit', '-qam', 'v2');
    git(d, 'pull', '-q', '--no-rebase', '--no-edit', 'upstream', 'main');
    const docs: unknown[] = [];
    const json = (args: string[]) => {
      const r = patchq(d, [...args, '--json']);
      docs.push(JSON.parse(r.stdout));
      return r;
    };
    json(['reapply', '--check']);
    expect(json(['reapply']).code).toBe(1); // q.patch: a conflict, between markers
    json(['series']);
    json(['files', '-v', 'p.patch']);
    json(['patches', 'a.txt']);
    json(['reapply', '--abort']);
    json(['push']);
    json(['refresh']);
    json(['pop']);
    json(['config', 'list']);
    json(['pop']); // nothing applied: the error document
    const keys = [...keysOf(docs)];
    for (const k of ['markers', 'oldCopy', 'error', 'popped', 'pushed', 'changed']) expect(keys).toContain(k);
    expect(keys.filter((k) => !DOC.includes(`"${k}"`))).toEqual([]);
  });
});
