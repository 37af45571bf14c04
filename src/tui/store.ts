/**
 * The TUI's data: a typed adapter over the stack API (the only place the TUI reaches the
 * stack, reapply and templates layers) and pure functions that turn the tree into rows.
 * The TUI holds no logic beyond presentation: every action here is one stack call.
 */
import { storedColor } from '../settings/paths.js';
import { resolveColor } from '../output/color.js';
import { plainRefreshOptions } from '../commands/refresh.js';
import { plainPushOptions } from '../commands/push.js';
import { plainPopOptions } from '../commands/pop.js';
import { plainReapplyOptions } from '../commands/reapply-options.js';
import {
  appliedPatches, isDrifted, landingOf, needsRefresh, makeBaseFor, openTree, pop, push, readPatch, readSeries, refresh, topPatch,
  type PushResult, type Target, type Tree,
} from '../stack/index.js';
import type { PatchReport } from '../engine/types.js';
import type { ReapplyReport } from '../reapply/index.js';

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
    const text = readPatch(tree, name);
    return text === null ? null : Buffer.from(text, 'latin1').toString('utf8');
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

/**
 * The applied list as it is on disk now: one small file, read at every progress event of
 * an operation (a reapply lands each patch as its own transaction) where loadRows (every
 * patch file, ~50 ms for 400 patches) would slow a long run down.
 */
export const appliedNow = (tree: Tree): string[] => appliedPatches(tree);

/**
 * Rows as of the last full read, their states brought up to an applied list read since.
 * A row still applied keeps its own state (refresh!, drifted) unless it was the top; a newly
 * applied one shows applied (the full read after the operation tells the rest).
 * Example: rows [a top, b unapplied], applied [a, b] -> [a applied, b top].
 */
export function withApplied(rows: PatchRow[], applied: string[]): PatchRow[] {
  const on = new Set(applied);
  const top = applied.at(-1);
  return rows.map((r) => {
    let state: PatchState;
    if (!on.has(r.name)) state = r.state === 'failed' ? 'failed' : 'unapplied';
    else if (r.name === top) state = 'top';
    else state = r.state === 'needs-refresh' ? 'needs-refresh' : 'applied';
    return state === r.state ? r : { ...r, state };
  });
}

/**
 * Colour in the TUI (on a terminal), decided as for every command (output/color.ts):
 * NO_COLOR (set and non-empty: off), FORCE_COLOR, the `color` setting, then TERM=dumb: off.
 * `patchq tui --color=...` is resolved by the CLI and passed to startTui instead.
 */
export const colorEnabled = (env: NodeJS.ProcessEnv): boolean => resolveColor(env, true, undefined, storedColor(env));

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

/**
 * The row the stack view opens on: `name` (kept across an $EDITOR round trip) when it is in
 * the series, else the top patch (the last applied: where a quilt user works), else the
 * first. Example: 5 patches, 3 applied -> 2.
 */
export function openingRow(rows: PatchRow[], name?: string): number {
  const at = name === undefined ? -1 : rows.findIndex((r) => r.name === name);
  if (at >= 0) return at;
  return Math.max(0, rows.findLastIndex((r) => r.state === 'top' || r.state === 'applied' || r.state === 'needs-refresh'));
}

/**
 * The first visible row when the view opens on `selected`: that row in the middle of the
 * page when it is below the first half, so the patches before and after it both show.
 * Example: 100 rows, height 21, selected 40 -> 30; selected 5 -> 0; selected 99 -> 79.
 */
export function openingTop(selected: number, height: number, count: number): number {
  return Math.max(0, Math.min(selected - Math.floor(height / 2), count - height));
}

/** The operations the TUI can run: one object so tests and the app share one adapter. */
export interface Ops {
  tree: Tree;
  pushTo(name: string, force: boolean, onProgress: (p: Progress) => void): Promise<PushResult>;
  /** Pop until `name` is the top, or everything, or `count` patches. */
  popTo(target: Target, onProgress: (p: Progress) => void): Promise<string[]>;
  refreshTop(): { name: string; changed: boolean; message: string };
  reapply(onProgress: (p: Progress) => void): Promise<ReapplyReport>;
  /** `reapply --continue` (`--drop-merged` when the stop was a patch upstream already has). */
  reapplyContinue(dropMerged: boolean, onProgress: (p: Progress) => void): Promise<ReapplyReport>;
  /** `reapply --abort`: the series and patch files as they were before the run. */
  reapplyAbort(): Promise<string[]>;
  /** The stopped reapply run, as `reapply` returned it, or null when no run is waiting. */
  stoppedRun(): Promise<ReapplyReport | null>;
  /**
   * `patchq regen NAME`, as the CLI does it: the patch must be the top (popped first) or the
   * next one; regenerated from its template on the tree below it, then pushed.
   */
  regenerate(name: string, onProgress: (p: Progress) => void): Promise<{ message: string; pushed: PushResult }>;
  landing(name: string): PatchReport | null;
}

/**
 * The progress callback the stack ops await: report, then give the event loop one turn so
 * the screen paints before the patch is worked on (the ops are otherwise one long
 * synchronous run and the bar would only ever show the end).
 */
function progress(verb: Progress['verb'], onProgress: (p: Progress) => void) {
  return (name: string, index: number, total: number): Promise<void> => {
    onProgress({ verb, name, index, total });
    return new Promise((resolve) => setImmediate(resolve));
  };
}

/** The real adapter over the stack (reapply and templates are loaded when first used). */
export function makeOps(cwd: string, env: NodeJS.ProcessEnv): Ops {
  const tree = openTree(cwd, env);
  const reapplyMod = () => loadOptional<typeof import('../reapply/index.js')>('../reapply/index.js', 'reapply');
  return {
    tree,
    async pushTo(name, force, onProgress) {
      // As `patchq push [-f] NAME` would: QUILT_PUSH_ARGS, the fuzz and merge settings.
      return push(tree, { ...plainPushOptions(env), target: { name }, force, baseFor: makeBaseFor(tree) }, { patchStart: progress('push', onProgress) });
    },
    async popTo(target, onProgress) {
      // "pop until the selected patch is the top": pop's name target means exactly that.
      return (await pop(tree, { ...plainPopOptions(env), target }, { patchStart: progress('pop', onProgress) })).popped;
    },
    refreshTop() {
      // As `patchq refresh` writes it: QUILT_REFRESH_ARGS (a quiltrc's --backup...), settings.
      const r = refresh(tree, plainRefreshOptions(env));
      return { name: r.name, changed: r.changed, message: r.message };
    },
    async reapply(onProgress) {
      return (await reapplyMod()).reapply(tree, plainReapplyOptions(env), { patchStart: progress('reapply', onProgress) });
    },
    async reapplyContinue(dropMerged, onProgress) {
      return (await reapplyMod()).reapplyContinue(tree, { ...plainReapplyOptions(env), dropMerged }, { patchStart: progress('reapply', onProgress) });
    },
    async reapplyAbort() {
      return (await (await reapplyMod()).reapplyAbort(tree)).popped;
    },
    async stoppedRun() {
      const mod = await reapplyMod();
      const st = mod.readRunState(tree);
      if (!st?.stoppedAt) return null;
      return { runId: st.runId, check: false, base: st.base, patches: st.outcomes, stoppedAt: st.stoppedAt, poppedFirst: st.poppedFirst, ok: false };
    },
    async regenerate(name, onProgress) {
      const mod = await loadOptional<typeof import('../templates/index.js')>('../templates/index.js', 'template regeneration');
      // The CLI's regen, step for step: the templates layer owns it (pop if top, regenerate, push).
      const format = plainReapplyOptions(env).format;
      const r = await mod.regenInStack(tree, name, format ? { format } : {}, { patchStart: progress('push', onProgress) });
      return { message: r.changed ? `Regenerated patch ${name} from template ${r.template}` : `Patch ${name} is unchanged (template ${r.template})`, pushed: r.pushed! };
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
