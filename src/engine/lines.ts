/**
 * Line splitting that keeps terminators, on byte strings (see types.ts).
 *   splitLines("a\r\nb\nc") -> ["a\r\n", "b\n", "c"]
 *   splitLines("a\n")       -> ["a\n"]         (no phantom empty last line)
 *   splitLines("")          -> []
 * joinLines is plain concatenation, so join(split(t)) === t for every t.
 * With a `limit`, only the first `limit` lines are split off and the rest of the text is
 * not read: splitLines("a\nb\nc", 2) -> ["a\n", "b\n"], a prefix of the full split.
 */
export function splitLines(text: string, limit = Infinity): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < limit) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) out.push(text.slice(start));
      break;
    }
    out.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  return out;
}

export const joinLines = (lines: readonly string[]): string => lines.join('');

/** The terminator of a line: "\r\n", "\n" or "" (last line without newline). */
export function eolOf(line: string): '' | '\n' | '\r\n' {
  if (!line.endsWith('\n')) return '';
  return line.endsWith('\r\n') ? '\r\n' : '\n';
}

/** The line without its terminator. */
export function stripEol(line: string): string {
  return line.slice(0, line.length - eolOf(line).length);
}

/** The inverse of decodePath: a file name (UTF-16) as the UTF-8 byte string a patch holds. */
export function encodePath(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(name)) return name;
  return Array.from(new TextEncoder().encode(name), (b) => String.fromCharCode(b)).join('');
}

/** Decode a byte string path (from a patch) to the UTF-8 string the fs wants. */
export function decodePath(bytes: string): string {
  // Pure ASCII is the common case and needs no work.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(bytes)) return bytes;
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
}
