/** `?`: every key from the key table, with what it does; scrolls like the other pages. */
import { Box, Text } from 'ink';
import { helpLines } from '../keys.js';

export const helpScreenLines = (): string[] => ['patchq: keys (esc to go back, j/k to scroll)', ...helpLines()];

export function HelpScreen({ scroll, height }: { scroll: number; height: number }) {
  return (
    <Box flexDirection="column">
      {helpScreenLines().slice(scroll, scroll + height).map((l, i) => (
        <Text key={scroll + i} wrap="truncate">{l || ' '}</Text>
      ))}
    </Box>
  );
}
