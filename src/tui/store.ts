/**
 * The TUI's data: a typed adapter over the stack API (the only place the TUI reaches the
 * stack, reapply and templates layers) and pure functions that turn the tree into rows.
 * The TUI holds no logic beyond presentation: every action here is one stack call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appliedPatches, isDrifted, landingOf, needsRefresh, openTree, pop, push, readSeries, refresh, topPatch,
  type PushResult, type Target, type Tree,
} from '../stack/index.js';
import type { PatchReport } from '../engine/types.js';

export type PatchState = 'top' | 'applied' | 'unapplied' | 'needs-refresh' | 'failed';

export interface PatchRow {
  name: string;
  state: PatchState;
  /** `Patchq-Template:` header line value, or null. */
  template: string | null;
  /** `Patchq-Base:` header line value (the upstream commit it was last refreshed against). */
  base: string | null;
  added: number;
  removed: number;
  files: number;
}

export interface Progress {
  verb: 'push' | 'pop' | 'reapply';
  name: string;
  index: number;
  total: number;
}

/**
 * A patch file's header is every line before the first `---`/`***`/`Index:` file line or
 * `diff -` (quilt's rule, QUILT.md 2.5). Example: "Patchq-Base: 1a2b3c4\n\nIndex: a/x.py"
 * -> header "Patchq-Base: 1a2b3c4\n\n".
 */
export function splitPatch(text: string): { header: string; diff: string } {
  const m = /^(?:(?:---|\*\*\*|Index:)[ \t][^ \t]|diff -)/m.exec(text);
  if (!m) return { header: text, diff: '' };
  return { header: text.slice(0, m.index), diff: text.slice(m.index) };
}

/** Counts +/- lines and files in the diff part (`+++`/`---` file lines excluded). */
export function diffStat(diff: string): { added: number; removed: number; files: number } {
  let added = 0;
  let removed = 0;
  let files = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('+++ ')) files++;
    else if (l.startsWith('--- ')) continue;
    else if (l.startsWith('+')) added++;
    else if (l.startsWith('-')) removed++;
  }
  return { added, removed, files };
}

/** A patch file as display text: bytes read as latin1 (the engine's contract), shown as UTF-8. */
export function patchText(tree: Tree, name: string): string | null {
  try {
    return Buffer.from(readFileSync(join(tree.patchesDir, name), 'latin1'), 'latin1').toString('utf8');
  } catch {
    return null;
  }
}

/** One row per series entry. `failed` names the patch the last push refused, if any. */
export function loadRows(tree: Tree, failed: string | null = null): PatchRow[] {
  const applied = new Set(appliedPatches(tree));
  const top = topPatch(tree);
  return readSeries(tree).map((e) => {
    const text = patchText(tree, e.name) ?? '';
    const { header, diff } = splitPatch(text);
    let state: PatchState = applied.has(e.name) ? (e.name === top ? 'top' : 'applied') : 'unapplied';
    if (applied.has(e.name) && (needsRefresh(tree, e.name) || isDrifted(tree, e.name))) state = 'needs-refresh';
    if (e.name === failed && !applied.has(e.name)) state = 'failed';
    return {
      name: e.name,
      state,
      template: /^Patchq-Template: (\S+)/m.exec(header)?.[1] ?? null,
      base: /^Patchq-Base: (\S+)/m.exec(header)?.[1] ?? null,
      ...diffStat(diff),
    };
  });
}

/** NO_COLOR (https://no-color.org): set and non-empty turns colour off. */
export const colorEnabled = (env: NodeJS.ProcessEnv): boolean => !('NO_COLOR' in env && env.NO_COLOR !== '');

/** Rows whose name contains the filter (case-insensitive); all rows for an empty filter. */
export function filterRows(rows: PatchRow[], filter: string): PatchRow[] {
  const f = filter.toLowerCase();
  return f === '' ? rows : rows.filter((r) => r.name.toLowerCase().includes(f));
}

/**
 * The first visible row of a virtualised list: keep the selection on screen with the
 * fewest moves. Example: 1000 rows, height 10, top 0, selected 12 -> 3.
 */
export function scrollTop(top: number, selected: number, height: number, count: number): number {
  let t = top;
  if (selected < t) t = selected;
  if (selected >= t + height) t = selected - height + 1;
  return Math.max(0, Math.min(t, Math.max(0, count - height)));
}

/** The operations the TUI can run: one object so tests and the app share one adapter. */
export interface Ops {
  tree: Tree;
  pushTo(name: string, force: boolean, onStart: (p: Progress) => void): Promise<PushResult>;
  /** Pop until `name` is the top, or everything, or `count` patches. */
  popTo(target: Target, onStart: (p: Progress) => void): Promise<string[]>;
  refreshTop(): { name: string; changed: boolean; message: string };
  reapply(onStart: (p: Progress) => void): Promise<ReapplySummary>;
  regenerate(name: string): Promise<string>;
  landing(name: string): PatchReport | null;
}

export interface ReapplySummary {
  lines: string[];
  /** Patches that need a person, first. */
  attention: string[];
}

/** The real adapter over the stack (reapply and templates are loaded when first used). */
export function makeOps(cwd: string, env: NodeJS.ProcessEnv): Ops {
  const tree = openTree(cwd, env);
  return {
    tree,
    async pushTo(name, force, onStart) {
      return push(tree, { target: { name }, force }, { patchStart: (n, i, t) => onStart({ verb: 'push', name: n, index: i, total: t }) });
    },
    async popTo(target, onStart) {
      // "pop until the selected patch is the top": pop's name target means exactly that.
      const r = await pop(tree, { target }, { patchStart: (n, i, t) => onStart({ verb: 'pop', name: n, index: i, total: t }) });
      return r.popped;
    },
    refreshTop() {
      const r = refresh(tree, {});
      return { name: r.name, changed: r.changed, message: r.message };
    },
    async reapply(onStart) {
      const mod = await loadOptional<typeof import('../reapply/index.js')>('../reapply/index.js', 'reapply');
      const lines: string[] = [];
      const rep = await mod.reapply(tree, {}, {
        patchStart: (n, i, t) => onStart({ verb: 'reapply', name: n, index: i, total: t }),
        line: (l) => lines.push(l),
      });
      const attention = rep.patches.filter((p) => p.outcome === 'failed' || p.outcome === 'would-fail').map((p) => p.name);
      const summary = rep.patches.map((p) => `${p.name}: ${p.outcome}${p.reason ? ` (${p.reason})` : ''}`);
      return { lines: summary.length ? summary : lines, attention };
    },
    async regenerate(name) {
      const mod = await loadOptional<typeof import('../templates/index.js')>('../templates/index.js', 'template regeneration');
      const r = await mod.regenerate(tree, name);
      return r.changed ? `Regenerated ${name} from template ${r.template}` : `${name} is up to date with template ${r.template}`;
    },
    landing: (name) => landingOf(tree, name),
  };
}

/** A layer that may not exist yet: a clear message instead of a module-not-found stack. */
async function loadOptional<T>(spec: string, what: string): Promise<T> {
  try {
    return (await import(spec)) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new Error(`${what} is not available yet`);
    throw e;
  }
}
