/**
 * Navigation state: selection, list scroll, filter, screen, page scroll, a pending confirm.
 * It lives in a ref, updated as each key arrives: keys typed faster than React renders
 * ("jjp" in one read) must each see the previous key's result, not a stale closure.
 * `rerender` paints after a change.
 */
import { useRef, useState } from 'react';
import type { Binding, Screen } from '../keys.js';

export interface Nav {
  selected: number;
  listTop: number;
  filter: string;
  filtering: boolean;
  screen: Screen;
  scroll: number;
  /** A destructive action waiting for y/n. */
  confirm: Binding | null;
}

export interface NavApi {
  nav: Nav;
  rerender(): void;
  /** Switch screens, scrolled to the top. */
  show(screen: Screen): void;
}

/** `selected` starts at -1: the app resolves it once the rows are read. */
export function useNav(): NavApi {
  const ref = useRef<Nav | null>(null);
  ref.current ??= { selected: -1, listTop: 0, filter: '', filtering: false, screen: 'stack', scroll: 0, confirm: null };
  const [, setTick] = useState(0);
  const rerender = () => setTick((t) => t + 1);
  const nav = ref.current;
  return {
    nav,
    rerender,
    show(screen) {
      nav.screen = screen;
      nav.scroll = 0;
      rerender();
    },
  };
}

/** Move the selection (stack) or scroll (other screens) by `step`, kept in range. */
export function move(nav: Nav, step: number, rows: number, contentLength: number, pageHeight: number): void {
  if (nav.screen === 'stack') nav.selected = Math.max(0, Math.min(rows - 1, Math.min(nav.selected, rows - 1) + step));
  else nav.scroll = Math.max(0, Math.min(Math.max(0, contentLength - pageHeight), nav.scroll + step));
}

/** The `/` prompt: type to filter, backspace, enter keeps the filter, esc clears it. */
export function filterKey(nav: Nav, name: string, input: string, modified: boolean): void {
  if (name === 'enter') nav.filtering = false;
  else if (name === 'esc') {
    nav.filter = '';
    nav.filtering = false;
  } else if (name === 'backspace') nav.filter = nav.filter.slice(0, -1);
  else if (input && !modified && input.length === 1) nav.filter += input;
  nav.selected = 0;
  nav.listTop = 0;
}
