/**
 * GNU patch / quilt wording for a file's report, and reject texts.
 *   patching file a.txt
 *   Hunk #1 succeeded at 12 (offset 5 lines).        (1 line: singular)
 *   Hunk #2 succeeded at 40 with fuzz 1 (offset 3 lines).
 *   Hunk #1 merged at 4.
 *   Hunk #3 succeeded at 88 (fuzzy: whitespace; similarity 0.92).     (patchq beyond GNU)
 *   Hunk #1 FAILED at 5 (ambiguous: pre-image found at lines 40 and 97).
 *   1 out of 1 hunk FAILED -- rejects in file b.txt   (quilt)  / -- saving rejects to file b.txt.rej
 * Exact hunks print nothing, as in GNU patch. The numbers are GNU's: where the hunk
 * starts in the OUTPUT file; a failed hunk at its stated line plus the running offset.
 */
import type { FileReport, Hunk, HunkReport } from './types.js';

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
      return h.reason === 'conflict' ? `${n} NOT MERGED at ${at}.` : `${n} FAILED at ${at}${why}.`;
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
  const failed = r.hunks.filter((h) => h.status === 'failed').length;
  if (failed > 0) {
    const total = r.hunks.length;
    const where = opts.rejectsFile ? `saving rejects to file ${opts.rejectsFile}` : `rejects in file ${r.path}`;
    out.push(`${failed} out of ${total} hunk${total === 1 ? '' : 's'} FAILED -- ${where}`);
  }
  return out;
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
