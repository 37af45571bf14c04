/** `?`: every key from the key table, with what it does. */
import { Box, Text } from 'ink';
import { helpLines } from '../keys.js';

export function HelpScreen({ height }: { height: number }) {
  const lines = ['patchq: keys (esc to go back)', '', ...helpLines()];
  return (
    <Box flexDirection="column">
      {lines.slice(0, Math.max(3, height)).map((l, i) => (
        <Text key={i} wrap="truncate">{l || ' '}</Text>
      ))}
    </Box>
  );
}
