/**
 * The series on disk, watched: the series file, .pc/applied-patches and the patches folder
 * are looked at (one stat each) twice a second while no operation runs; when one changed
 * (the series edited in another window, a `patchq push` in another shell), `onChange`
 * runs and the app reads the rows again. Without it the stack showed what was there when
 * it was last read, until the next operation.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { useEffect, useRef } from 'react';
import type { Tree } from '../../stack/index.js';

const stampOf = (path: string): string => {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return '-';
  }
};

export const diskStamp = (tree: Tree): string => [tree.seriesPath, join(tree.pcDir, 'applied-patches'), tree.patchesDir].map(stampOf).join('|');

export function useDiskWatch(tree: Tree, busy: () => boolean, onChange: () => void, everyMs = 500): void {
  const last = useRef(diskStamp(tree));
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    const t = setInterval(() => {
      if (busy()) return;
      const now = diskStamp(tree);
      if (now === last.current) return;
      last.current = now;
      latest.current();
    }, everyMs);
    t.unref?.();
    return () => clearInterval(t);
  }, [tree]);
}
