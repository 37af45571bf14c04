/** A patch's header and diff, coloured by line kind, with each hunk's last landing. */
import { Box, Text } from 'ink';
import { cells, fit, landingColor, type DiffLine } from '../present.js';

export interface DiffViewProps {
  lines: DiffLine[];
  scroll: number;
  height: number;
  width: number;
  color: boolean;
}

const kindColor: Record<DiffLine['kind'], string | undefined> = {
  header: 'magenta',
  file: 'white',
  hunk: 'cyan',
  add: 'green',
  del: 'red',
  context: undefined,
  meta: 'gray',
};

export function DiffView({ lines, scroll, height, width, color }: DiffViewProps) {
  const visible = lines.slice(scroll, scroll + height);
  return (
    <Box flexDirection="column">
      {visible.map((l, i) => {
        const tag = l.landing ? `[${l.landing}]` : '';
        const body = tag ? fit(l.text, Math.max(10, width - tag.length - 1)) + ' ' : l.text;
        const c = color ? kindColor[l.kind] : undefined;
        const tc = color && l.landingStatus ? landingColor[l.landingStatus] : undefined;
        return (
          <Text key={scroll + i} wrap="truncate">
            <Text {...(c ? { color: c } : {})} {...(color && l.kind === 'file' ? { bold: true } : {})}>{fit(body, tag ? cells(body) : width)}</Text>
            {tag ? <Text {...(tc ? { color: tc } : {})}>{tag}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
