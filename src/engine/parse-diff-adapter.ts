/**
 * The one place parse-diff is used: turning the hunk bodies of ONE file into Hunk[].
 *
 * parse-diff counts hunk lines well (a content line "--- x" inside a hunk stays content),
 * but it must never see the file layer (see parse.ts for the list of what it misreads).
 * parse.ts has already found where this file's hunks start and end and validated every
 * count; this adapter absorbs parse-diff's quirks:
 *   - `content` keeps the "+", "-" or " " prefix            -> stripped here
 *   - it splits on "\n" only, so a CRLF line keeps its "\r"  -> we re-add "\n": byte-exact
 *   - `\ No newline at end of file` becomes a fake change    -> dropped; the previous
 *     line loses its terminator instead (on the side(s) that line belongs to)
 *   - an empty line (a mailer ate the context's space) is a normal change with content ""
 * and then cross-checks its result against the header counts, so a disagreement between
 * the two parsers is an error rather than a silent difference.
 */
import parseDiff from 'parse-diff';
import { PatchqError } from './errors.js';
import type { Hunk, HunkLine } from './types.js';

export interface HunkSpan {
  /** 0-based index of the `@@` line in the patch's line array. */
  start: number;
  /** 0-based index one past the hunk's last line (including a `\` marker). */
  end: number;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  section: string;
}

const NO_NEWLINE = '\\ No newline at end of file';

/**
 * Build the hunks of one file from the spans parse.ts found. `lines` are the patch's
 * lines with terminators, `text` the patch they were split from and `offsets[i]` where
 * line i starts in it; `fileName` is for errors.
 */
export function hunksFromSpans(
  text: string,
  offsets: readonly number[],
  lines: readonly string[],
  spans: readonly HunkSpan[],
  fileName: string,
): Hunk[] {
  if (spans.length === 0) return [];
  // One parse-diff call per file: a synthetic file header, then the hunks as written.
  let body = '--- a/f\n+++ b/f\n';
  const first = spans[0]!.start;
  const end = spans[spans.length - 1]!.end;
  if (asWritten(lines, spans, first, end)) {
    // The hunks as one slice of the patch, not rebuilt line by line. Their `@@` lines are
    // the patch's own: parse-diff reads only the four numbers of one (its regex
    // /^@@\s+-(\d+),?(\d+)?\s+\+(\d+),?(\d+)?\s@@/, an omitted count is 1 as in ours), the
    // same numbers HUNK_HEADER read, so a section after the `@@` or "-5" for "-5,1" changes
    // nothing. A last line without terminator gets one, as the rebuilt body gives it.
    const slice = text.slice(offsets[first], offsets[end]);
    body += slice.endsWith('\n') ? slice : slice + '\n';
  } else {
    for (const s of spans) {
      body += `@@ -${s.oldStart},${s.oldCount} +${s.newStart},${s.newCount} @@\n`;
      for (let i = s.start + 1; i < s.end; i++) {
        const l = lines[i]!;
        // Any "\" marker (translated, or CRLF-terminated) becomes the one parse-diff knows.
        if (l.startsWith('\\')) body += NO_NEWLINE + '\n';
        else body += l.endsWith('\n') ? l : l + '\n';
      }
    }
  }
  const files = parseDiff(body);
  const chunks = files[0]?.chunks ?? [];
  if (chunks.length !== spans.length) {
    throw new PatchqError('E_PATCH_COUNTS', `hunk parser disagrees on the number of hunks (${chunks.length} vs ${spans.length})`, {
      file: fileName,
      line: spans[0]!.start + 1,
    });
  }
  return spans.map((span, k) => toHunk(span, chunks[k]!, fileName));
}

/**
 * True when lines[first, end) are the file's hunks back to back (each `@@` right after the
 * previous hunk's last line, as readHunks finds them) and every "\\" marker among them is
 * already parse-diff's `\ No newline at end of file`: then the patch's own text is what
 * the rebuilt body would be, but for the `@@` lines.
 */
function asWritten(lines: readonly string[], spans: readonly HunkSpan[], first: number, end: number): boolean {
  for (let k = 1; k < spans.length; k++) if (spans[k]!.start !== spans[k - 1]!.end) return false;
  for (let i = first; i < end; i++) {
    const l = lines[i]!;
    if (l.startsWith('\\') && l !== NO_NEWLINE + '\n' && l !== NO_NEWLINE) return false;
  }
  return true;
}

function toHunk(span: HunkSpan, chunk: parseDiff.Chunk, fileName: string): Hunk {
  const out: HunkLine[] = [];
  for (const change of chunk.changes) {
    const content = change.content;
    if (content.startsWith('\\')) {
      // "\ No newline at end of file": the line before it has no terminator.
      const prev = out[out.length - 1];
      if (prev) prev.text = prev.text.replace(/\r?\n$/, (m) => (m === '\r\n' ? '\r' : ''));
      continue;
    }
    const op = change.type === 'add' ? '+' : change.type === 'del' ? '-' : ' ';
    const text = (content === '' ? '' : content.slice(1)) + '\n';
    out.push({ op, text });
  }
  let oldSeen = 0;
  let newSeen = 0;
  for (const l of out) {
    if (l.op !== '+') oldSeen++;
    if (l.op !== '-') newSeen++;
  }
  if (oldSeen !== span.oldCount || newSeen !== span.newCount) {
    throw new PatchqError(
      'E_PATCH_COUNTS',
      `hunk body has ${oldSeen} old and ${newSeen} new lines, its header says ${span.oldCount} and ${span.newCount}`,
      { file: fileName, line: span.start + 1 },
    );
  }
  return {
    oldStart: span.oldStart,
    oldCount: span.oldCount,
    newStart: span.newStart,
    newCount: span.newCount,
    section: span.section,
    lines: out,
    patchLine: span.start + 1,
  };
}
