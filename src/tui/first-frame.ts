/**
 * The first frame, painted before ink and react are even imported (they cost ~0.45 s to
 * load; a 400-patch series is read in ~15 ms). Same layout as the app's stack screen:
 * title, the visible rows (the top patch selected), a status line, the footer. mount.ts then clears it and ink
 * draws the live app in its place.
 * Example at 80x24: "patchq  400 patches, 0 applied, top: none", 21 rows, "", footer.
 */
import { footerText } from './keys.js';
import { cells, fit, rowText, titleText } from './present.js';
import { openingRow, openingTop, type PatchRow } from './store.js';

export function firstFrame(rows: PatchRow[], width: number, height: number): string[] {
  const bodyH = Math.max(1, height - 3);
  // Where the app opens: on the top patch, scrolled so it shows (store.ts).
  const sel = openingRow(rows);
  const top = openingTop(sel, bodyH, rows.length);
  const visible = rows.slice(top, top + bodyH);
  const nameWidth = Math.max(8, ...visible.map((r) => cells(r.name)));
  const title = titleText(rows, '', false, null, width);
  const body = visible.length ? visible.map((r, i) => rowText(r, width, nameWidth, top + i === sel)) : ['No patches in series (or none match the filter)'];
  while (body.length < bodyH) body.push('');
  return [fit(title, width).trimEnd(), ...body.map((l) => l.trimEnd()), '', footerText('stack', width)];
}

/** Move back to the first line of a painted frame and clear it, so ink draws in its place. */
export const clearFrame = (lines: number): string => (lines > 1 ? `\x1b[${lines - 1}A` : '') + '\r\x1b[J';
