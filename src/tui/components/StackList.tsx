/** The series as a stack, virtualised: only the `height` visible rows are rendered. */
import { Box, Text } from 'ink';
import type { PatchRow } from '../store.js';
import { cells, rowText, stateColor } from '../present.js';

export interface StackListProps {
  rows: PatchRow[];
  selected: number;
  top: number;
  height: number;
  width: number;
  color: boolean;
}

export function StackList({ rows, selected, top, height, width, color }: StackListProps) {
  const visible = rows.slice(top, top + height);
  // Name column from the visible rows only: 1,000 rows cost nothing extra per frame.
  const nameWidth = Math.max(...visible.map((r) => cells(r.name)), 8);
  if (rows.length === 0) return <Text>No patches in series (or none match the filter)</Text>;
  return (
    <Box flexDirection="column">
      {visible.map((r, i) => {
        const at = top + i;
        const sel = at === selected;
        const c = color ? stateColor[r.state] : undefined;
        return (
          <Text key={r.name} wrap="truncate" {...(c ? { color: c } : {})} {...(sel && color ? { inverse: true } : {})}>
            {rowText(r, width, nameWidth, sel)}
          </Text>
        );
      })}
    </Box>
  );
}
