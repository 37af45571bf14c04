/** After a push/pop/reapply: the patches that need a person first, then every line. */
import { Box, Text } from 'ink';
import type { Report } from '../outcomes.js';
import { wrap } from '../present.js';

export const reportLines = (r: Report): string[] => [
  r.title,
  ...(r.attention.length ? ['Needs attention:', ...r.attention.map((a) => `  ${a}`), ''] : []),
  ...r.lines,
];

/** The report as shown `width` cells wide: each line wrapped, never cut (a path, a step). */
export const reportPage = (r: Report, width: number): string[] => reportLines(r).flatMap((l) => wrap(l, width));

export function ReportScreen({ report, scroll, height, width, color }: { report: Report; scroll: number; height: number; width: number; color: boolean }) {
  return (
    <Box flexDirection="column">
      {reportPage(report, width).slice(scroll, scroll + height).map((l, i) => (
        <Text key={scroll + i} wrap="truncate" {...(color && l.startsWith('Needs attention') ? { color: 'red' } : {})}>
          {l || ' '}
        </Text>
      ))}
    </Box>
  );
}
