/** After a push/pop/reapply: the patches that need a person first, then every line. */
import { Box, Text } from 'ink';
import type { Report } from '../outcomes.js';

export const reportLines = (r: Report): string[] => [
  r.title,
  ...(r.attention.length ? ['Needs attention:', ...r.attention.map((a) => `  ${a}`), ''] : []),
  ...r.lines,
];

export function ReportScreen({ report, scroll, height, color }: { report: Report; scroll: number; height: number; color: boolean }) {
  return (
    <Box flexDirection="column">
      {reportLines(report).slice(scroll, scroll + height).map((l, i) => (
        <Text key={scroll + i} wrap="truncate" {...(color && l.startsWith('Needs attention') ? { color: 'red' } : {})}>
          {l || ' '}
        </Text>
      ))}
    </Box>
  );
}
