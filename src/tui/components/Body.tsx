/** Screen routing: the body of the current screen, `height` rows tall. */
import { Box } from 'ink';
import type { Screen } from '../keys.js';
import type { DiffLine } from '../present.js';
import type { PatchRow } from '../store.js';
import type { Conflict, Report } from '../outcomes.js';
import { StackList } from './StackList.js';
import { DiffView } from './DiffView.js';
import { HelpScreen } from '../screens/HelpScreen.js';
import { ReportScreen } from '../screens/ReportScreen.js';
import { ConflictScreen } from '../screens/ConflictScreen.js';

export interface BodyProps {
  screen: Screen;
  rows: PatchRow[];
  selected: number;
  listTop: number;
  diff: DiffLine[];
  report: Report | null;
  conflict: Conflict | null;
  scroll: number;
  height: number;
  width: number;
  color: boolean;
}

export function Body({ screen, rows, selected, listTop, diff, report, conflict, scroll, height, width, color }: BodyProps) {
  return (
    <Box flexDirection="column" height={height}>
      {screen === 'stack' && <StackList rows={rows} selected={selected} top={listTop} height={height} width={width} color={color} />}
      {screen === 'diff' && <DiffView lines={diff} scroll={scroll} height={height} width={width} color={color} />}
      {screen === 'help' && <HelpScreen scroll={scroll} height={height} width={width} />}
      {screen === 'report' && report && <ReportScreen report={report} scroll={scroll} height={height} width={width} color={color} />}
      {screen === 'conflict' && conflict && <ConflictScreen conflict={conflict} scroll={scroll} height={height} width={width} color={color} />}
    </Box>
  );
}
