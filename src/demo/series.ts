/**
 * The demo series, made for real on upstream v1 with patchq itself: the pooling patch
 * from the sqlalchemy-staticpool template, then the fork's ordinary patches, each
 * refreshed in quilt's format. `npm run demo:series` writes it to the repo's patches/
 * (committed, so a reader sees the pooling patch in quilt layout); a test keeps the
 * committed files equal to what this makes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addFiles, newPatch, openTree, pop, push, refresh } from '../stack/index.js';
import { createTemplatePatch } from '../templates/index.js';
import { forkEdits, upstreamV1 } from './upstream.js';

const POOLING_HEADER = `Replace NullPool with StaticPool in every SQLite engine of database/*.py.

Under load every request opened a new SQLite connection (NullPool) and the process ran
out of file descriptors (OSError: [Errno 24] Too many open files, ~2,560 descriptors
after ~30 minutes of trading). The fix reuses connections, waits up to 20 s on a locked
database, and checks a connection before use.

This patch is generated from the rule in templates/sqlalchemy-staticpool.yaml, so that
patchq regenerates it when upstream reformats these files or adds a database module.
`;

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

/** Make the series in a scratch tree of upstream v1; returns {relative path: text}. */
export async function makeSeries(): Promise<Record<string, string>> {
  const root = mkdtempSync(join(tmpdir(), 'demo-fork-'));
  // The tree's directory name shows in quilt's labels (fork/..., fork.orig/...).
  const dir = join(root, 'fork');
  try {
    mkdirSync(dir);
    writeFiles(dir, upstreamV1());
    const env: NodeJS.ProcessEnv = { ...process.env, QUILT_NO_DIFF_TIMESTAMPS: '1' };
    delete env.QUILT_PATCHES;
    delete env.QUILT_SERIES;
    delete env.QUILT_PC;
    const tree = openTree(dir, env, { create: true });
    await createTemplatePatch(tree, '01-pooling.patch', 'sqlalchemy-staticpool', {});
    const text = readFileSync(join(tree.patchesDir, '01-pooling.patch'), 'utf8');
    writeFileSync(join(tree.patchesDir, '01-pooling.patch'), text.replace(/\n\n/, `\n\n${POOLING_HEADER}\n`));
    await push(tree, { target: { all: true } });
    const prev = process.env.QUILT_NO_DIFF_TIMESTAMPS;
    process.env.QUILT_NO_DIFF_TIMESTAMPS = '1';
    try {
      for (const p of forkEdits) {
        newPatch(tree, p.name);
        // Each edit applies to the files as the patches below it left them.
        const current = Object.fromEntries(Object.keys(upstreamV1()).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
        const edited = { ...current };
        p.edit(edited);
        const changed = Object.keys(edited).filter((f) => edited[f] !== current[f]);
        addFiles(tree, dir, changed);
        writeFileSync(join(tree.patchesDir, p.name), p.description + '\n');
        for (const f of changed) writeFileSync(join(dir, f), edited[f]!);
        refresh(tree, { name: p.name });
      }
    } finally {
      if (prev === undefined) delete process.env.QUILT_NO_DIFF_TIMESTAMPS;
      else process.env.QUILT_NO_DIFF_TIMESTAMPS = prev;
    }
    await pop(tree, { target: { all: true } });
    const out: Record<string, string> = {};
    const walk = (d: string, prefix: string) => {
      for (const e of readdirSync(d).sort()) {
        const full = join(d, e);
        if (statSync(full).isDirectory()) walk(full, `${prefix}${e}/`);
        else out[`${prefix}${e}`] = readFileSync(full, 'utf8');
      }
    };
    walk(tree.patchesDir, '');
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
