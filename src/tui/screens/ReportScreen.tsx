/** After a push/pop/reapply: the patches that need a person first, then every line. */
import { Box, Text } from 'ink';

export interface Report {
  title: string;
  attention: string[];
  lines: string[];
}

export function ReportScreen({ report, scroll, height, color }: { report: Report; scroll: number; height: number; color: boolean }) {
  const all = [
    report.title,
    ...(report.attention.length ? ['Needs attention:', ...report.attention.map((a) => `  ${a}`), ''] : []),
    ...report.lines,
  ];
  return (
    <Box flexDirection="column">
      {all.slice(scroll, scroll + height).map((l, i) => (
        <Text key={scroll + i} wrap="truncate" {...(color && l.startsWith('Needs attention') ? { color: 'red' } : {})}>
          {l || ' '}
        </Text>
      ))}
    </Box>
  );
}

export const reportLength = (r: Report): number => 1 + (r.attention.length ? r.attention.length + 2 : 0) + r.lines.length;
