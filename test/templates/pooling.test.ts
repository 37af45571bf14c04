/**
 * The pooling template on the layouts upstream actually writes, and template patches in
 * a real series: created, pushed, regenerated after a reformat and a new module.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PatchqError } from '../../src/engine/errors.js';
import { findTemplate, loadTemplate, runTemplate, shippedDir, templatePatch } from '../../src/templates/index.js';
import { patchq, read, tempDir, write } from '../helpers/tree.js';
import { spawnSync } from 'node:child_process';

const tpl = () => loadTemplate(findTemplate('sqlalchemy-staticpool', [shippedDir()]));

const FIXED = `logs_engine = create_engine(
    LOGS_DATABASE_URL,
    poolclass=StaticPool,
    connect_args={
        "check_same_thread": False,
        "timeout": 20.0,
    },
    pool_pre_ping=True,
)
`;

async function rewrite(files: Record<string, string>, params: Record<string, string> = {}) {
  const d = tempDir('patchq-tpl-');
  for (const [p, t] of Object.entries(files)) write(d, p, t);
  const run = await runTemplate(tpl(), d, params);
  return { d, run, after: Object.fromEntries(run.files.map((f) => [f.path, f.after])) };
}

const head = 'from sqlalchemy import create_engine\nfrom sqlalchemy.pool import NullPool\n\n';

describe('sqlalchemy-staticpool', () => {
  it('reproduces the seed fix exactly from every layout', async () => {
    const layouts = {
      'database/multi.py': `logs_engine = create_engine(\n    LOGS_DATABASE_URL,\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False}\n)\n`,
      'database/one.py': `logs_engine = create_engine(LOGS_DATABASE_URL, poolclass=NullPool, connect_args={"check_same_thread": False})\n`,
      'database/black.py': `logs_engine = create_engine(\n    LOGS_DATABASE_URL,\n    poolclass=NullPool,\n    connect_args={\n        "check_same_thread": False,\n    },\n)\n`,
      'database/spaced.py': `logs_engine = create_engine( LOGS_DATABASE_URL ,poolclass = NullPool,\n  connect_args = { "check_same_thread" : False } )\n`,
    };
    const { after, run } = await rewrite(Object.fromEntries(Object.entries(layouts).map(([p, t]) => [p, head + t])));
    expect(run.ok).toBe(true);
    // The whole file: NullPool's import is StaticPool's, the engine is FIXED (the spaced
    // layout keeps its own spelling of the key), and nothing else.
    const fixedHead = head.replace('import NullPool', 'import StaticPool');
    for (const p of Object.keys(layouts)) if (p !== 'database/spaced.py') expect([p, after[p]]).toEqual([p, fixedHead + FIXED]);
    expect(after['database/spaced.py']).toBe(fixedHead + FIXED.replace('"check_same_thread": False', '"check_same_thread" : False'));
  });

  it('keeps quotes, extra arguments, comments, indentation and CRLF', async () => {
    const src = head + `def make():\n    if True:\n        e = create_engine(URL, echo=False, poolclass=NullPool, connect_args={'check_same_thread': False})  # main\n        return e\n`;
    const commented = head + `engine = create_engine(\n    URL,  # the url\n    # poolclass=NullPool was the default\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False},\n)\n`;
    const { after, run } = await rewrite({ 'database/q.py': src, 'database/c.py': commented, 'database/crlf.py': (head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n').replace(/\n/g, '\r\n') });
    expect(run.ok).toBe(true);
    expect(after['database/q.py']).toContain(`        e = create_engine(\n            URL,\n            echo=False,\n            poolclass=StaticPool,\n            connect_args={\n                'check_same_thread': False,\n                'timeout': 20.0,\n            },\n            pool_pre_ping=True,\n        )  # main\n`);
    expect(after['database/c.py']).toContain('    URL,  # the url\n    # poolclass=NullPool was the default\n    poolclass=StaticPool,\n');
    expect(after['database/crlf.py']).not.toMatch(/[^\r]\n/);
    expect(after['database/crlf.py']).toContain('    pool_pre_ping=True,\r\n)\r\n');
  });

  it('leaves PostgreSQL engines, files without engines and other folders alone', async () => {
    const pg = 'from sqlalchemy.pool import NullPool\nengine = create_engine(PG_URL, poolclass=NullPool)\n';
    const none = 'def f():\n    return 1\n';
    const { after, run } = await rewrite({ 'database/pg.py': pg, 'database/none.py': none, 'app/other.py': head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n' });
    expect(after['database/pg.py']).toBe(pg);
    expect(after['database/none.py']).toBe(none);
    expect(run.files.map((f) => f.path)).not.toContain('app/other.py');
    expect(run.ok).toBe(true);
  });

  it('is idempotent and takes its parameters', async () => {
    const { d, after } = await rewrite({ 'database/a.py': head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n' });
    write(d, 'database/a.py', after['database/a.py']!);
    const again = await runTemplate(tpl(), d);
    expect(again.files[0]!.after).toBe(after['database/a.py']);
    expect(again.files[0]!.rewrites).toBe(0);
    // Parameters apply to the pristine code (an already-rewritten engine no longer matches).
    const single = await rewrite({ 'database/a.py': head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n' }, { poolclass: 'SingletonThreadPool', timeout: '5' });
    expect(single.after['database/a.py']).toContain('poolclass=SingletonThreadPool');
    expect(single.after['database/a.py']).toContain('from sqlalchemy.pool import SingletonThreadPool\n');
    expect(single.after['database/a.py']).toContain('"timeout": 5,');
    await expect(runTemplate(tpl(), d, { nope: '1' })).rejects.toThrow(/no parameter 'nope'/);
    await expect(runTemplate(tpl(), d, { poolclass: 'Bogus' })).rejects.toThrow(PatchqError);
  });

  it('fails its checks loudly when an engine hides from the rule', async () => {
    const hidden = head + 'kw = dict(poolclass=NullPool, connect_args={"check_same_thread": False})\nengine = create_engine(URL, **kw)\n';
    const { run } = await rewrite({ 'database/hidden.py': hidden });
    expect(run.ok).toBe(false);
    expect(run.checks.filter((c) => !c.ok).map((c) => c.detail).join()).toContain('database/hidden.py');
  });

  it('makes a patch that GNU patch applies to the original tree', async () => {
    const { d, run } = await rewrite({ 'database/one.py': head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n' });
    writeFileSync(join(d, 'p.patch'), templatePatch(run));
    const r = spawnSync('patch', ['-p1', '-i', 'p.patch'], { cwd: d, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(read(d, 'database/one.py')).toBe(run.files[0]!.after);
  });
});

describe('template files', () => {
  it('names the line of a schema error', () => {
    const d = tempDir('patchq-tpl-');
    write(d, 'bad.yaml', 'name: ok-name\nfiles:\n  include: ["*.py"]\nrules:\n  - name: r\n    kind: teleport\n');
    try {
      loadTemplate(join(d, 'bad.yaml'));
      expect.unreachable();
    } catch (e) {
      expect((e as PatchqError).code).toBe('E_CONFIG');
      expect((e as PatchqError).line).toBe(5);
      expect((e as PatchqError).message).toMatch(/kind/);
    }
    write(d, 'bad2.yaml', 'name: x\nfiles: {include: ["*"]}\nrulez: []\n');
    expect(() => loadTemplate(join(d, 'bad2.yaml'))).toThrow(/unknown key 'rulez'/);
  });

  it('runs an external generator on a copy and captures its change', async () => {
    const d = tempDir('patchq-tpl-');
    write(d, 'src/a.txt', 'hello\n');
    write(d, 't.yaml', 'name: shout\nfiles: {include: ["src/*.txt"]}\ngenerator:\n  command: ["sed", "-i", "s/hello/{{word}}/", "src/a.txt"]\nparameters:\n  word: {default: HELLO}\n');
    const run = await runTemplate(loadTemplate(join(d, 't.yaml')), d);
    expect(run.files[0]!.after).toBe('HELLO\n');
    expect(read(d, 'src/a.txt')).toBe('hello\n');
  });
});

describe('template patches in a series', () => {
  it('new --template, then regen after upstream reformats and adds a module', () => {
    const d = tempDir('patchq-tpl-');
    write(d, 'database/a.py', head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n');
    const r = patchq(d, ['new', '01-pool.patch', '--template', 'sqlalchemy-staticpool']);
    expect(r.code).toBe(0);
    expect(read(d, 'patches/01-pool.patch')).toMatch(/^Patchq-Template: sqlalchemy-staticpool\n/);
    expect(read(d, 'patches/templates/sqlalchemy-staticpool.yaml')).toContain('name: sqlalchemy-staticpool');
    expect(patchq(d, ['pop']).code).toBe(0);
    // Upstream: reformat a.py (the frozen patch no longer applies) and add b.py.
    write(d, 'database/a.py', head + 'e = create_engine(\n    U,\n    poolclass=NullPool,\n    connect_args={\n        "check_same_thread": False,\n    },\n)\n');
    write(d, 'database/b.py', head + 'b = create_engine(B, poolclass=NullPool, connect_args={"check_same_thread": False})\n');
    expect(patchq(d, ['push']).code).toBe(1);
    const g = patchq(d, ['regen', '01-pool.patch']);
    expect(g.code).toBe(0);
    expect(g.stdout).toContain('Regenerated patch 01-pool.patch from template sqlalchemy-staticpool');
    // It shows what changed in the patch: the new module appears as added patch lines.
    expect(g.stdout).toContain('+++ 01-pool.patch (new)');
    expect(g.stdout).toMatch(/^\+\+\+\+ [^\n]*database\/b\.py/m);
    expect(read(d, 'database/b.py')).toContain('poolclass=StaticPool');
    expect(read(d, 'database/a.py').endsWith('e = create_engine(\n    U,\n    poolclass=StaticPool,\n    connect_args={\n        "check_same_thread": False,\n        "timeout": 20.0,\n    },\n    pool_pre_ping=True,\n)\n')).toBe(true);
  });
});

describe('template commands through the binary', () => {
  it('lists and shows the shipped template, with the pool classes explained', () => {
    const d = tempDir('patchq-tpl-');
    const list = patchq(d, ['template', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^sqlalchemy-staticpool +Replace NullPool .*whatever the call's layout\.$/m);
    const show = patchq(d, ['template', 'show', 'sqlalchemy-staticpool']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('StaticPool keeps exactly ONE connection');
    expect(show.stdout).toContain('SingletonThreadPool keeps one connection per thread');
    expect(show.stdout).toMatch(/poolclass = StaticPool +\(one of StaticPool, SingletonThreadPool/);
    const json = JSON.parse(patchq(d, ['template', 'show', 'sqlalchemy-staticpool', '--json']).stdout);
    expect(Object.keys(json.parameters)).toEqual(['poolclass', 'timeout', 'pre_ping']);
    const missing = patchq(d, ['template', 'show', 'no-such-template']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-template');
  });

  it('template run, from a subfolder of the tree too: the diff of the whole tree, labelled as new --template labels it', () => {
    const d = tempDir('patchq-tpl-');
    write(d, 'database/a.py', head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n');
    write(d, 'patches/series', '');
    const top = patchq(d, ['template', 'run', 'sqlalchemy-staticpool']);
    const sub = patchq(join(d, 'database'), ['template', 'run', 'sqlalchemy-staticpool']);
    expect([top.code, sub.code]).toEqual([0, 0]);
    const dir = basename(d);
    expect(top.stdout).toContain(`Index: ${dir}/database/a.py\n====`);
    expect(top.stdout).toContain(`--- ${dir}.orig/database/a.py\n+++ ${dir}/database/a.py\n`);
    expect(sub.stdout).toBe(top.stdout);
    // What new --template writes, header lines aside.
    expect(patchq(d, ['new', 'p.patch', '--template', 'sqlalchemy-staticpool']).code).toBe(0);
    expect(read(d, 'patches/p.patch')).toContain(top.stdout);
  });

  it('new --set takes parameters (enum values in any case) and refuses unknown ones without writing', () => {
    const d = tempDir('patchq-tpl-');
    write(d, 'database/a.py', head + 'e = create_engine(U, poolclass=NullPool, connect_args={"check_same_thread": False})\n');
    const bad = patchq(d, ['new', 'p.patch', '--template', 'sqlalchemy-staticpool', '--set', 'bogus=1']);
    expect(bad.code).toBe(1); // a usage error: exit 1 (docs/exit-codes.md)
    expect(bad.stderr).toContain("has no parameter 'bogus'");
    expect(read(d, 'database/a.py')).toContain('poolclass=NullPool');
    const r = patchq(d, ['new', 'p.patch', '--template', 'sqlalchemy-staticpool', '--set', 'poolclass=SingletonThreadPool', '--set', 'timeout=5', '--set', 'pre_ping=false']);
    expect(r.code).toBe(0);
    const a = read(d, 'database/a.py');
    expect(a).toContain('poolclass=SingletonThreadPool,');
    expect(a).toContain('"timeout": 5,');
    expect(a).toContain('pool_pre_ping=False,');
    expect(a).toContain('from sqlalchemy.pool import SingletonThreadPool');
    // The parameters are recorded in the patch, so regen reproduces the same change.
    expect(patchq(d, ['regen', 'p.patch']).stdout).toContain('unchanged');
    // --json is one document, with the patch diff in it (empty when unchanged).
    const j = JSON.parse(patchq(d, ['regen', 'p.patch', '--json']).stdout);
    expect(j).toMatchObject({ name: 'p.patch', changed: false, patchDiff: '' });
  });
});
