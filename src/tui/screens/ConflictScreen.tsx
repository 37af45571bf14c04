/**
 * A patch that failed: each rejected hunk, the best candidate place and why the engine
 * refused it, and the choices (keys from keys.ts: e edit, g regen, P force, s skip, a abort).
 */
import { Box, Text } from 'ink';
import type { RejectedHunk } from '../present.js';

export interface ConflictProps {
  name: string;
  hunks: RejectedHunk[];
  scroll: number;
  height: number;
  color: boolean;
}

export function conflictLines(name: string, hunks: RejectedHunk[]): { text: string; kind: 'title' | 'why' | 'add' | 'del' | 'plain' }[] {
  const out: { text: string; kind: 'title' | 'why' | 'add' | 'del' | 'plain' }[] = [
    { text: `Patch ${name} does not apply: ${hunks.length} rejected`, kind: 'title' },
    { text: 'e edit in $EDITOR   g regenerate from template   P force with rejects   s skip   a abort', kind: 'plain' },
  ];
  for (const h of hunks) {
    out.push({ text: '', kind: 'plain' });
    const where = h.candidate ? `best candidate at line ${h.candidate}` : 'no candidate place';
    out.push({ text: `${h.file} hunk #${h.hunk} (stated line ${h.statedLine}): ${where}`, kind: 'title' });
    out.push({ text: `refused: ${h.reason}`, kind: 'why' });
    for (const l of h.lines) out.push({ text: l, kind: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'plain' });
  }
  return out;
}

const colorOf = { title: 'white', why: 'red', add: 'green', del: 'red', plain: undefined } as const;

export function ConflictScreen({ name, hunks, scroll, height, color }: ConflictProps) {
  const lines = conflictLines(name, hunks);
  return (
    <Box flexDirection="column">
      {lines.slice(scroll, scroll + height).map((l, i) => {
        const c = color ? colorOf[l.kind] : undefined;
        return (
          <Text key={scroll + i} wrap="truncate" {...(c ? { color: c } : {})} {...(color && l.kind === 'title' ? { bold: true } : {})}>
            {l.text || ' '}
          </Text>
        );
      })}
    </Box>
  );
}
