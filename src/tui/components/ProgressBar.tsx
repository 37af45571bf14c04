/** Progress of a push/pop/reapply: "push [#####.....] 3/10 004-pool.patch" ("reapply: starting…" before the first patch). */
import { Text } from 'ink';
import type { Progress } from '../store.js';
import { fit } from '../present.js';

export function ProgressBar({ p, width, color }: { p: Progress; width: number; color: boolean }) {
  // Before the first patch (a reapply popping the series first, ~3 s for 400 patches)
  // there is no count yet: the bar said "1/1" with no name.
  if (!p.name) return <Text wrap="truncate" {...(color ? { color: 'cyan' } : {})}>{fit(`${p.verb}: starting…`, width)}</Text>;
  const barW = Math.max(10, Math.min(40, width - 40));
  const done = Math.round((p.index / Math.max(1, p.total)) * barW);
  const bar = '#'.repeat(done) + '.'.repeat(barW - done);
  const text = fit(`${p.verb} [${bar}] ${p.index + 1}/${p.total} ${p.name}`, width);
  return <Text wrap="truncate" {...(color ? { color: 'cyan' } : {})}>{text}</Text>;
}
