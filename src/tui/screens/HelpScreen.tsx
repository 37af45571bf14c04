/** `?`: every key from the key table, with what it does; scrolls like the other pages. */
import { Box, Text } from 'ink';
import { HELP_INDENT, helpLines } from '../keys.js';
import { wrap } from '../present.js';

/** The help page `width` cells wide: a key's text goes on under itself, never cut. */
export const helpScreenLines = (width = Number.MAX_SAFE_INTEGER): string[] =>
  ['patchq: keys (esc to go back, j/k to scroll)', ...helpLines()].flatMap((l) => wrap(l, width, HELP_INDENT));

export function HelpScreen({ scroll, height, width }: { scroll: number; height: number; width: number }) {
  return (
    <Box flexDirection="column">
      {helpScreenLines(width).slice(scroll, scroll + height).map((l, i) => (
        <Text key={scroll + i} wrap="truncate">{l || ' '}</Text>
      ))}
    </Box>
  );
}
