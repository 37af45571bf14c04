/** The line above the footer: the progress bar while an operation runs, else the y/n prompt or the last message. */
import { Text } from 'ink';
import { fit } from '../present.js';
import type { Progress } from '../store.js';
import { ProgressBar } from './ProgressBar.js';

export function StatusLine({ busy, text, width, color }: { busy: Progress | null; text: string; width: number; color: boolean }) {
  // A note while an operation runs (q: quitting once it is done) shows with where it is.
  if (busy && text) return <Text wrap="truncate" {...(color ? { color: 'yellow' } : {})}>{fit(`${text}  ${busy.verb} ${busy.index + 1}/${busy.total} ${busy.name}`, width)}</Text>;
  if (busy) return <ProgressBar p={busy} width={width} color={color} />;
  return <Text wrap="truncate" {...(color && text ? { color: 'yellow' } : {})}>{fit(text, width)}</Text>;
}
