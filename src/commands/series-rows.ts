/**
 * The rows of `series -v` and `series --json` (and what a script reads of each patch):
 * its place in the stack, whether it needs a refresh or drifted, its template. Apart from
 * list.ts because it reads every patch file: the other listing commands need none.
 */
import { isDrifted, needsRefresh } from '../stack/read.js';
import { readPatch } from '../stack/patchfile.js';
import type { Tree } from '../stack/layout.js';
import type { SeriesEntry } from '../stack/series.js';

export interface SeriesRow {
  name: string;
  state: 'top' | 'applied' | 'unapplied';
  needsRefresh: boolean;
  drifted: boolean;
  template: string | null;
  strip: number;
  reverse: boolean;
}

export function seriesRows(t: Tree, series: readonly SeriesEntry[], a: string[]): SeriesRow[] {
  return series.map((e, i) => {
    const text = readPatch(t, e.name) ?? '';
    const tpl = /^Patchq-Template: (\S+)/m.exec(text.slice(0, 4096));
    return {
      name: e.name,
      state: i === a.length - 1 ? 'top' : i < a.length ? 'applied' : 'unapplied',
      needsRefresh: i < a.length && needsRefresh(t, e.name),
      drifted: i < a.length && isDrifted(t, e.name),
      template: tpl ? tpl[1]! : null,
      strip: e.strip,
      reverse: e.reverse,
    };
  });
}

