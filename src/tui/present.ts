/**
 * Pure presentation: a patch's text as typed display lines (with each hunk's last
 * landing beside its @@ line), the hunks of a failed patch for the conflict view, and the
 * little formatters the rows use. No React here, so these are table-tested directly.
 */
import type { FileReport, HunkReport, PatchReport } from '../engine/types.js';
import type { PatchRow, PatchState } from './store.js';
import stringWidth from 'string-width';

export type LineKind = 'header' | 'file' | 'hunk' | 'add' | 'del' | 'context' | 'meta';

export interface DiffLine {
  text: string;
  kind: LineKind;
  /** For @@ lines: how this hunk last landed ("exact", "offset +3", "failed: ambiguous..."). */
  landing?: string;
  landingStatus?: HunkReport['status'];
}

/** `+++ b/db/x.py\t2026-...` -> "b/db/x.py". */
const fileOf = (line: string): string => line.slice(4).split('\t')[0]!.trim();

/** The report entry for a diff's `+++` path: the path the engine wrote, after -p stripping. */
export function reportFileFor(report: PatchReport | null, plusPath: string): FileReport | undefined {
  if (!report) return undefined;
  return report.files.find((f) => plusPath === f.path || plusPath.endsWith('/' + f.path));
}

export function landingLabel(h: HunkReport): string {
  switch (h.status) {
    case 'exact':
      return 'exact';
    case 'offset':
      return `offset ${h.offset > 0 ? '+' : ''}${h.offset}`;
    case 'merged':
      return 'merged';
    case 'fuzzy':
      return `fuzzy${h.fuzz ? ` ${h.fuzz}` : ''}${h.reason ? `: ${h.reason}` : ''}`;
    case 'failed':
      return `failed${h.reason ? `: ${h.reason}` : ''}`;
  }
}

/**
 * Control characters as text (`cat -v`'s caret form: ESC -> "^[", CR -> "^M"): a patch's
 * bytes go to the terminal, and one that adds an escape sequence to a file must show it,
 * not recolour, move or retitle the screen. C1 controls (U+0080..U+009F) show as "?".
 */
export const visible = (text: string): string =>
  text.replace(/[\x00-\x1f\x7f\u0080-\u009f]/g, (c) => {
    const n = c.charCodeAt(0);
    return n >= 0x80 ? '?' : `^${String.fromCharCode(n ^ 0x40)}`;
  });

/**
 * Patch text -> display lines. Lines before the first file line are header; after it,
 * `+++`/`---`/`Index:`/`diff` are file lines, `@@` hunk lines carry the landing.
 * Example: "Subject\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" with a report saying
 * hunk 1 of x landed at offset 3 -> [header, file, file, hunk (landing "offset +3"), del, add].
 */
export function diffLines(text: string, report: PatchReport | null): DiffLine[] {
  const out: DiffLine[] = [];
  let inDiff = false;
  let file: FileReport | undefined;
  let hunk = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    const text = visible(raw.replace(/\r$/, '').replace(/\t/g, '    '));
    if (!inDiff && /^(?:(?:---|\*\*\*|Index:)[ \t][^ \t]|diff -)/.test(raw)) inDiff = true;
    if (!inDiff) {
      out.push({ text, kind: 'header' });
    } else if (raw.startsWith('+++ ')) {
      file = reportFileFor(report, fileOf(raw));
      hunk = 0;
      out.push({ text, kind: 'file' });
    } else if (/^(---|Index:|diff |=+$|index |new file|deleted file|similarity|rename |old mode|new mode)/.test(raw)) {
      out.push({ text, kind: 'file' });
    } else if (raw.startsWith('@@')) {
      hunk++;
      const h = file?.hunks.find((x) => x.hunk === hunk);
      out.push(h ? { text, kind: 'hunk', landing: landingLabel(h), landingStatus: h.status } : { text, kind: 'hunk' });
    } else if (raw.startsWith('+')) out.push({ text, kind: 'add' });
    else if (raw.startsWith('-')) out.push({ text, kind: 'del' });
    else if (raw.startsWith('\\')) out.push({ text, kind: 'meta' });
    else out.push({ text, kind: 'context' });
  }
  return out;
}

export interface RejectedHunk {
  file: string;
  hunk: number;
  /** The hunk's text, @@ line first. */
  lines: string[];
  /** Line of the @@ line in the patch file (1-based): where `e` opens the patch. */
  patchLine?: number;
  statedLine: number;
  /** Where a forced push (a stopped reapply) wrote it with conflict markers: their lines. */
  markers?: { from: number; to: number };
  /** Where it was meant to go, GNU's "FAILED at" line (stated line plus the offset before it). */
  intended?: number;
  reason: string;
}

/** Every failed hunk of a report, with its text cut out of the patch. */
export function rejectedHunks(text: string, report: PatchReport): RejectedHunk[] {
  const out: RejectedHunk[] = [];
  const dl = diffLines(text, report);
  for (let i = 0; i < dl.length; i++) {
    if (dl[i]!.kind !== 'hunk' || dl[i]!.landingStatus !== 'failed') continue;
    let j = i + 1;
    while (j < dl.length && ['add', 'del', 'context', 'meta'].includes(dl[j]!.kind)) j++;
    let f = i;
    while (f >= 0 && !(dl[f]!.kind === 'file' && dl[f]!.text.startsWith('+++ '))) f--;
    const path = f >= 0 ? fileOf(dl[f]!.text) : '?';
    const fr = reportFileFor(report, path);
    const nth = dl.slice(f + 1, i + 1).filter((l) => l.kind === 'hunk').length;
    const h = fr?.hunks.find((x) => x.hunk === nth);
    out.push({
      file: fr?.path ?? path,
      hunk: nth,
      lines: dl.slice(i, j).map((l) => l.text),
      // diffLines gives one display line per line of the text: index i is line i + 1.
      patchLine: i + 1,
      statedLine: h?.statedLine ?? 0,
      ...(h?.markers ? { markers: h.markers } : {}),
      ...(h ? { intended: h.statedLine + h.offset } : {}),
      reason: h?.reason || 'no match',
    });
  }
  // File-level failures (missing file...) have no hunk text: show the message.
  for (const f of report.files) {
    if (f.status !== 'ok' && f.message && !f.hunks.some((h) => h.status === 'failed')) {
      out.push({ file: f.path, hunk: 0, lines: [], statedLine: 0, reason: f.message });
    }
  }
  return out;
}

export const stateLabel: Record<PatchState, string> = {
  top: 'top',
  applied: 'applied',
  unapplied: 'unapplied',
  'needs-refresh': 'refresh!',
  failed: 'FAILED',
};

export const stateMark: Record<PatchState, string> = {
  top: '>',
  applied: '+',
  unapplied: ' ',
  'needs-refresh': '!',
  failed: 'x',
};

/** Ink colour names per state; undefined = default colour. */
export const stateColor: Record<PatchState, string | undefined> = {
  top: 'green',
  applied: 'green',
  unapplied: undefined,
  'needs-refresh': 'yellow',
  failed: 'red',
};

export const landingColor: Record<HunkReport['status'], string> = {
  exact: 'green',
  offset: 'cyan',
  merged: 'blue',
  fuzzy: 'yellow',
  failed: 'red',
};

/**
 * The title line: "patchq  6 patches, 2 applied, top: 002-x.patch", then the filter
 * ("  filter: f3_" while typing) and a stopped reapply ("  reapply stopped at 02-x.patch (R)").
 */
export function titleText(rows: PatchRow[], filter: string, filtering: boolean, stoppedAt: string | null, width = Number.MAX_SAFE_INTEGER): string {
  const applied = rows.filter((r) => r.state !== 'unapplied' && r.state !== 'failed');
  const f = filter || filtering ? `  filter: ${filter}${filtering ? '_' : ''}` : '';
  const head = `patchq  ${rows.length} patches, ${applied.length} applied, top: `;
  const top = applied.at(-1)?.name ?? 'none';
  const stop = (name: string) => (stoppedAt ? `  reapply stopped at ${name} (R)` : '');
  // Too wide: the names give way (down to 8 cells each) to the filter being typed and to
  // the stopped run's "(R)"; at 80 columns a long top name hid both.
  let room = width - cells(head) - cells(f) - cells(stop(''));
  if (cells(top) + cells(stoppedAt ?? '') <= room) return `${head}${top}${f}${stop(stoppedAt ?? '')}`;
  const stopW = stoppedAt ? Math.min(cells(stoppedAt), Math.max(8, Math.floor(room / 2))) : 0;
  room -= stopW;
  const shown = (name: string, w: number) => (cells(name) <= w ? name : fit(name, Math.max(8, w)));
  return `${head}${shown(top, room)}${f}${stop(shown(stoppedAt ?? '', stopW))}`;
}

/**
 * The title line, and on a page longer than the screen (a diff of thousands of lines, a
 * long report) where in it the screen is, at the right edge, kept when the title is cut:
 * "big.patch  (applied)                     lines 1-21/6009".
 */
export function titleWithPlace(title: string, scroll: number, height: number, length: number, width: number): string {
  if (length <= height) return fit(title, width);
  const place = `lines ${scroll + 1}-${Math.min(length, scroll + height)}/${length}`;
  if (place.length + 2 > width) return fit(title, width);
  return fit(title, width - place.length - 2) + '  ' + place;
}

/** Terminal cells a text takes: 2 for a wide (CJK) character, 0 for a combining mark. */
export const cells = (text: string): number => (/^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text));

/**
 * Fit text to a width in terminal cells: cut with "…" or pad with spaces.
 * Example: fit('日本語.patch', 6) -> "日本…" plus one space (6 cells).
 */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const w = cells(text);
  if (w <= width) return text + ' '.repeat(width - w);
  if (width === 1) return '…';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const c = cells(ch);
    if (used + c > width - 1) break;
    out += ch;
    used += c;
  }
  return out + ' '.repeat(width - 1 - used) + '…';
}

/**
 * Text that tells a person something, as lines of at most `width` cells: wrapped at spaces,
 * never cut (a cut hides the end of the sentence, often the part that says what to do).
 * Lines after the first start at `indent` cells (default: the text's own leading spaces, so
 * a report's detail line goes on under itself; 24 cells are left for the text, or half the
 * width). Runs of spaces inside a line are kept (aligned columns); a word wider than the
 * line is split, a path after one of its '/'.
 * Example: wrap('  to do: delete a.rej, then c', 16) -> ['  to do: delete', '  a.rej, then c'].
 */
export function wrap(text: string, width: number, indent = /^ */.exec(text)![0].length): string[] {
  if (width <= 0) return [''];
  if (cells(text) <= width) return [text];
  const pad = ' '.repeat(Math.min(indent, Math.max(Math.floor(width / 2), width - 24)));
  const out: string[] = [];
  let line = '';
  let used = 0;
  const brk = () => {
    out.push(line.trimEnd());
    line = pad;
    used = pad.length;
  };
  for (const tok of text.match(/ +|[^ ]+/g) ?? []) {
    const w = cells(tok);
    if (tok.startsWith(' ')) {
      // Spaces where a line breaks are dropped; elsewhere kept as they are.
      if (out.length > 0 && line === pad) continue;
      if (used + w <= width) {
        line += tok;
        used += w;
      } else brk();
      continue;
    }
    if (used + w > width && line.trim() !== '') brk();
    let rest = tok;
    while (used + cells(rest) > width) {
      let piece = '';
      let pw = 0;
      for (const ch of rest) {
        const c = cells(ch);
        if (used + pw + c > width && piece !== '') break;
        piece += ch;
        pw += c;
      }
      // A path is split after a '/', where it reads as one still.
      const slash = piece.lastIndexOf('/');
      if (piece.length < rest.length && slash > 0 && slash < piece.length - 1) {
        piece = piece.slice(0, slash + 1);
        pw = cells(piece);
      }
      line += piece;
      used += pw;
      rest = rest.slice(piece.length);
      if (rest === '') break;
      brk();
    }
    line += rest;
    used += cells(rest);
  }
  if (line.trim() !== '' || out.length === 0) out.push(line.trimEnd());
  return out;
}

/**
 * One stack row as plain columns, the name column as wide as the longest name allows:
 * "› > 003-pool.patch   top        +12 -3  4f  tpl:pool base 1a2b3c4".
 * `selected` puts "›" in the first column, so the cursor shows without colour (NO_COLOR).
 */
export function rowText(r: PatchRow, width: number, nameWidth: number, selected = false): string {
  const stat = `+${r.added} -${r.removed} ${r.files}f`.padStart(14);
  const tags = [r.template ? `tpl:${r.template}` : '', r.base ? `base ${r.base.slice(0, 7)}` : ''].filter(Boolean).join(' ');
  const nameW = Math.max(8, Math.min(nameWidth, width - 4 - 10 - 14 - 2));
  const line = `${selected ? '›' : ' '}${stateMark[r.state]} ${fit(r.name, nameW)} ${stateLabel[r.state].padEnd(9)} ${stat}${tags ? '  ' + tags : ''}`;
  return fit(line, width);
}
