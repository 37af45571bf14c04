/**
 * GNU patch / quilt wording for a file's report, and reject texts.
 *   patching file a.txt
 *   Hunk #1 succeeded at 12 (offset 5 lines).        (1 line: singular)
 *   Hunk #2 succeeded at 40 with fuzz 1 (offset 3 lines).
 *   Hunk #1 merged at 4.
 *   Hunk #1 NOT MERGED at 17-21.                      (push -f --merge: its conflict markers)
 *   Hunk #3 succeeded at 88 (fuzzy: whitespace; similarity 0.92).     (patchq beyond GNU)
 *   Hunk #1 FAILED at 5 (ambiguous: pre-image found at lines 40 and 97).
 *   1 out of 1 hunk FAILED -- rejects in file b.txt   (quilt)  / -- saving rejects to file b.txt.rej
 * Exact hunks print nothing, as in GNU patch. The numbers are GNU's: where the hunk
 * starts in the OUTPUT file; a failed hunk at its stated line plus the running offset.
 */
import type { FilePatch, FileReport, Hunk, HunkReport } from './types.js';

const lines = (n: number): string => `${n} line${n === 1 ? '' : 's'}`;

function hunkLine(h: HunkReport): string | null {
  const n = `Hunk #${h.hunk}`;
  const off = h.offset !== 0 ? `offset ${lines(h.offset)}` : '';
  switch (h.status) {
    case 'exact':
      return null;
    case 'offset':
      return `${n} succeeded at ${h.newLine} (${off}).`;
    case 'merged':
      return `${n} merged at ${h.newLine}.`;
    case 'fuzzy':
      if (h.reason.startsWith('fuzzy:')) {
        const parts = [h.reason, `similarity ${h.similarity.toFixed(2)}`, ...(off ? [off] : [])];
        return `${n} succeeded at ${h.newLine} (${parts.join('; ')}).`;
      }
      return `${n} succeeded at ${h.newLine} with fuzz ${h.fuzz}${off ? ` (${off})` : ''}.`;
    case 'failed': {
      const at = h.statedLine + h.offset;
      // "No match" (with whatever detail) keeps GNU's exact line, so scripts reading quilt's
      // output keep working; a refusal GNU would not make (ambiguous place...) says why.
      // The detail is always in the report (--json, the TUI).
      const why = h.reason && !h.reason.startsWith('no match') && h.reason !== 'conflict' ? ` (${h.reason})` : '';
      // GNU patch --merge names the lines its markers span; so does a hunk that knows them.
      if (h.reason === 'conflict') return `${n} NOT MERGED at ${h.markers ? `${h.markers.from}-${h.markers.to}` : at}.`;
      return `${n} FAILED at ${at}${why}.`;
    }
  }
}

export function formatFileReport(r: FileReport, opts: { rejectsFile?: string } = {}): string[] {
  const out: string[] = [];
  if (r.message) out.push(r.message);
  if (r.kind === 'rename' && r.oldPath) out.push(`patching file ${r.path} (renamed from ${r.oldPath})`);
  else if (r.kind === 'copy' && r.oldPath) out.push(`patching file ${r.path} (copied from ${r.oldPath})`);
  else out.push(`patching file ${r.path}`);
  for (const h of r.hunks) {
    const l = hunkLine(h);
    if (l) out.push(l);
  }
  // Hunks NOT MERGED (between markers) are not rejects: GNU counts only the others.
  const failed = r.hunks.filter((h) => h.status === 'failed' && !h.markers).length;
  if (failed > 0) {
    const total = r.hunks.length;
    const where = opts.rejectsFile ? `saving rejects to file ${opts.rejectsFile}` : `rejects in file ${r.path}`;
    out.push(`${failed} out of ${total} hunk${total === 1 ? '' : 's'} FAILED -- ${where}`);
  }
  return out;
}

/**
 * GNU patch's words for a file that is not there (quilt prints them as patch gives them).
 * `quiet` (patch -s: quilt's push -q) starts at "The text leading up to this was:".
 * `lead`: the patch lines before the file's first hunk and GNU's number for it (leadingText).
 *   can't find file to patch at input line 3
 *   Perhaps you used the wrong -p or --strip option?
 *   The text leading up to this was:
 *   --------------------------
 *   |--- a/foo
 *   |+++ b/foo
 *   --------------------------
 *   No file to patch.  Skipping patch.
 *   1 out of 1 hunk ignored
 */
export function missingFileLines(r: FileReport, lead: { lines: string[]; inputLine: number }, quiet: boolean): string[] {
  const n = r.hunks.length;
  return [
    ...(quiet ? [] : [`can't find file to patch at input line ${lead.inputLine}`, 'Perhaps you used the wrong -p or --strip option?']),
    'The text leading up to this was:',
    '--------------------------',
    ...lead.lines.map((l) => `|${l}`),
    '--------------------------',
    'No file to patch.  Skipping patch.',
    `${n} out of ${n} hunk${n === 1 ? '' : 's'} ignored`,
  ];
}

/**
 * The lines of the patch before file `i`'s first hunk, from where the file before it ended
 * (for the first file, from the top: its description too), as GNU patch shows them, and
 * the hunk's line as GNU numbers it. Where the end of the file before cannot be told (not
 * a unified hunk), the lines start at this file's header.
 */
export function leadingText(patchText: string, files: readonly FilePatch[], i: number): { lines: string[]; inputLine: number } {
  const lines = patchText.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const f = files[i]!;
  const end = (f.hunks[0]?.patchLine ?? f.patchLine + 2) - 1; // last line before the hunk, 1-based
  // GNU's line number is the hunk's, less the `\ No newline` lines before it (patch does
  // not count them).
  let inputLine = end + 1;
  for (let k = 0; k < end; k++) if (lines[k]!.startsWith('\\')) inputLine--;
  let start = f.patchLine;
  if (i === 0) start = 1;
  else {
    const last = files[i - 1]!.hunks.at(-1);
    const after = last ? hunkEnd(lines, last) : -1;
    if (after > 0 && after < end) start = after + 1;
  }
  return { lines: lines.slice(start - 1, end), inputLine };
}

/** The 1-based line where a unified hunk's body ends (its `\ No newline` lines included), or -1. */
function hunkEnd(lines: readonly string[], h: Hunk): number {
  let j = h.patchLine; // 0-based index of the line after the @@ line
  let [old, neu] = [h.oldCount, h.newCount];
  if (!lines[h.patchLine - 1]?.startsWith('@@')) return -1;
  while ((old > 0 || neu > 0) && j < lines.length) {
    const l = lines[j]!;
    if (l.startsWith('-')) old--;
    else if (l.startsWith('+')) neu--;
    else if (l.startsWith(' ') || l === '') [old, neu] = [old - 1, neu - 1];
    else if (!l.startsWith('\\')) return -1; // a `\ No newline` line counts for neither side
    j++;
  }
  while (lines[j]?.startsWith('\\')) j++;
  return j;
}

/** One hunk as unified diff text, `\ No newline at end of file` where a line has no EOL. */
export function formatHunk(h: Hunk): string {
  const range = (s: number, c: number): string => (c === 1 ? `${s}` : `${s},${c}`);
  let t = `@@ -${range(h.oldStart, h.oldCount)} +${range(h.newStart, h.newCount)} @@${h.section ? ' ' + h.section : ''}\n`;
  for (const l of h.lines) {
    t += l.op + l.text;
    if (!l.text.endsWith('\n')) t += '\n\\ No newline at end of file\n';
  }
  return t;
}

/** The `.rej` text for failed hunks, GNU-style: `--- name` / `+++ name` then the hunks. */
export function rejectText(oldName: string | null, newName: string | null, hunks: readonly Hunk[]): string {
  if (hunks.length === 0) return '';
  return `--- ${oldName ?? '/dev/null'}\n+++ ${newName ?? '/dev/null'}\n` + hunks.map(formatHunk).join('');
}
