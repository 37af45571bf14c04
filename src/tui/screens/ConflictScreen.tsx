/**
 * A patch that stopped a push or a reapply run: what it is, the choices (keys from keys.ts),
 * then each rejected hunk with where it is (a stopped reapply: its conflict markers or .rej,
 * and for a file gone upstream where it went) and why the engine refused it.
 */
import { Box, Text } from 'ink';
import type { Conflict } from '../outcomes.js';
import { wrap, type RejectedHunk } from '../present.js';

/** `code`: a hunk's @@ and context lines (cut at the edge, as in the diff); the rest wraps. */
type Kind = 'title' | 'why' | 'add' | 'del' | 'plain' | 'code';

/** `hunk`: the index in `c.hunks` of the hunk this line is part of (its blank line above too). */
type Line = { text: string; kind: Kind; hunk?: number };

/** The choices, each line under 80 columns. */
function choices(c: Conflict): string[] {
  if (c.kind === 'push') return [`e edit in $EDITOR   ${c.template ? 't regenerate from template   ' : ''}P force with rejects`, 's skip   a abort (pop what this push applied)'];
  if (c.mergedUpstream) return ['c drop it from the series and continue   a abort the run   s back'];
  return [`fix the files, then c continue   e edit ${c.files.length > 1 ? 'the conflicted files' : 'the conflicted file'}`, 'a abort the run   s back to the stack (the run waits; R returns here)'];
}

/**
 * Example (push): "Patch zz.patch does not apply: 1 rejected", the choices, then
 * "broken.txt hunk #1 (stated line 4): FAILED at line 4", "refused: ...", the hunk.
 */
export function conflictLines(c: Conflict): Line[] {
  const head =
    c.kind === 'push'
      ? `Patch ${c.name} does not apply: ${c.hunks.length} rejected`
      : c.mergedUpstream
        ? `Reapply stopped at ${c.name}: upstream already has it`
        : `Reapply stopped at ${c.name}: ${c.hunks.length} hunk(s) need a person${c.files.length ? ` (conflicts in ${c.files.join(', ')})` : ''}`;
  const out: Line[] = [
    { text: head, kind: 'title' },
    ...choices(c).map((text) => ({ text, kind: 'plain' as const })),
  ];
  if (c.kind === 'reapply' && c.reason) out.push({ text: c.reason, kind: 'why' });
  // A file gone upstream: where it went (reapply's words), above its hunks; once per file.
  const noted = new Set<string>();
  const notesOf = (file: string) => {
    if (noted.has(file)) return;
    noted.add(file);
    for (const text of c.gone?.find((g) => g.file === file)?.notes ?? []) out.push({ text, kind: 'why' });
  };
  for (const g of c.gone ?? []) {
    if (c.hunks.some((h) => h.file === g.file)) continue;
    out.push({ text: '', kind: 'plain' });
    notesOf(g.file);
  }
  for (const [i, h] of c.hunks.entries()) {
    const from = out.length;
    out.push({ text: '', kind: 'plain' });
    notesOf(h.file);
    // A stopped reapply wrote the hunk into the file (markers) or a .rej: that is where to
    // look. A refused push wrote nothing: where the hunk was meant to go, GNU's "FAILED at"
    // line as `patchq push` prints it. Never the engine's candidate place, which can be an
    // upstream copy of the hunk's context.
    const where =
      c.kind === 'reapply'
        ? h.markers
          ? `NOT MERGED at lines ${h.markers.from}-${h.markers.to} (conflict markers)`
          : `FAILED at line ${h.intended ?? h.statedLine} (rejects in ${h.file}.rej)`
        : `FAILED at line ${h.intended ?? h.statedLine}`;
    // A file that failed as a whole (no hunk): its message is the refused line.
    out.push({ text: h.hunk === 0 ? h.file : `${h.file} hunk #${h.hunk} (stated line ${h.statedLine}): ${where}`, kind: 'title' });
    out.push({ text: `refused: ${h.reason}`, kind: 'why' });
    for (const l of h.lines) out.push({ text: l, kind: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'code' });
    for (let j = from; j < out.length; j++) out[j]!.hunk = i;
  }
  return out;
}

/**
 * The view `width` cells wide: what happened, the choices, why and where, wrapped (at 60
 * columns "NOT MERGED at lines 15-19 (conflict markers)" was cut to "NOT MERGED at lines
 * 15-19 …"); the hunk's own lines are cut at the edge, as in the diff view.
 */
export const conflictPage = (c: Conflict, width: number): Line[] =>
  conflictLines(c).flatMap((l) => (l.kind === 'add' || l.kind === 'del' || l.kind === 'code' ? [l] : wrap(l.text, width, 2).map((text) => ({ ...l, text }))));

/**
 * The refused hunk the person is on: the one at the top of the page scrolled to `scroll`,
 * the first while the page shows what is above them all. `e` opens the editor there.
 */
export function hunkAt(c: Conflict, width: number, scroll: number): RejectedHunk | undefined {
  return c.hunks[conflictPage(c, width)[scroll]?.hunk ?? 0];
}

const colorOf = { title: 'white', why: 'red', add: 'green', del: 'red', plain: undefined, code: undefined } as const;

export function ConflictScreen({ conflict, scroll, height, width, color }: { conflict: Conflict; scroll: number; height: number; width: number; color: boolean }) {
  const lines = conflictPage(conflict, width);
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
