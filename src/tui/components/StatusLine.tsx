/**
 * The lines above the footer: the progress bar while an operation runs, else the y/n prompt
 * or the last message, wrapped over up to STATUS_MAX lines (app.tsx gives the body fewer):
 * a message often ends with what to do next, and a cut at the edge hid it.
 */
import { Box, Text } from 'ink';
import { fit, wrap } from '../present.js';
import type { Progress } from '../store.js';
import { ProgressBar } from './ProgressBar.js';

export const STATUS_MAX = 3;

/** The status text as shown `width` cells wide: one line at least, STATUS_MAX at most. */
export function statusLines(text: string, width: number): string[] {
  const w = wrap(text, width, 2);
  return w.length > STATUS_MAX ? [...w.slice(0, STATUS_MAX - 1), fit(w.slice(STATUS_MAX - 1).join(' '), width)] : w;
}

export function StatusLine({ busy, text, width, color }: { busy: Progress | null; text: string; width: number; color: boolean }) {
  // A note while an operation runs (q: quitting once it is done) shows with where it is.
  if (busy && text) return <Text wrap="truncate" {...(color ? { color: 'yellow' } : {})}>{fit(`${text}  ${busy.verb} ${busy.index + 1}/${busy.total} ${busy.name}`, width)}</Text>;
  if (busy) return <ProgressBar p={busy} width={width} color={color} />;
  return (
    <Box flexDirection="column">
      {statusLines(text, width).map((l, i) => (
        <Text key={i} wrap="truncate" {...(color && text ? { color: 'yellow' } : {})}>{fit(l, width)}</Text>
      ))}
    </Box>
  );
}
