/**
 * git's extended diff headers and its C-quoted names.
 *
 * git quotes a name that has control characters, a double quote, a backslash or (by
 * default, core.quotePath) bytes >= 0x80: `"t\303\251st.txt"` is "tést.txt" in UTF-8.
 * We decode to a byte string (one char per byte) like every other text in the engine.
 */
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** Unquote a git C-quoted name; a name without surrounding quotes is returned as is. */
export function unquoteGitPath(s: string): string {
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return s;
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      const oct = s.slice(i + 1, i + 4);
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += oct.length;
    } else {
      out += ESCAPES[next] ?? next;
      i += 1;
    }
  }
  return out;
}

/**
 * Split the rest of a `diff --git ` line into its two names.
 *   'a/x b/x'                 -> ['a/x', 'b/x']
 *   '"a/x y" "b/x y"'         -> ['a/x y', 'b/x y']
 *   'a/has b/inside b/has b/inside' -> split where both halves name the same file
 * Returns null when the line cannot be split unambiguously; callers then rely on the
 * ---/+++ or rename/copy lines, which git always writes when names differ.
 */
export function splitGitNames(rest: string): [string, string] | null {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest, 0);
    if (end < 0) return null;
    const first = unquoteGitPath(rest.slice(0, end + 1));
    const tail = rest.slice(end + 1).trimStart();
    return [first, tail.startsWith('"') ? unquoteGitPath(tail) : tail];
  }
  const q = rest.indexOf(' "');
  if (q >= 0 && rest.endsWith('"')) return [rest.slice(0, q), unquoteGitPath(rest.slice(q + 1))];
  // Unquoted names may contain spaces: pick the split where both sides, minus their
  // first component, are the same name (git's own rule for a non-rename).
  for (let i = rest.indexOf(' '); i >= 0; i = rest.indexOf(' ', i + 1)) {
    const left = rest.slice(0, i);
    const right = rest.slice(i + 1);
    if (dropFirst(left) === dropFirst(right)) return [left, right];
  }
  return null;
}

function dropFirst(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(slash + 1);
}

function closingQuote(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/** A `--- name[\tstamp]` / `+++ name[\tstamp]` value: the name, and the stamp if any. */
export function splitNameAndStamp(value: string): { name: string; stamp: string | null } {
  if (value.startsWith('"')) {
    const end = closingQuote(value, 0);
    if (end > 0) {
      const rest = value.slice(end + 1).replace(/^\s+/, '');
      return { name: unquoteGitPath(value.slice(0, end + 1)), stamp: rest === '' ? null : rest };
    }
  }
  const tab = value.indexOf('\t');
  if (tab >= 0) {
    const stamp = value.slice(tab + 1).trim();
    return { name: value.slice(0, tab), stamp: stamp === '' ? null : stamp };
  }
  // No tab: a trailing "YYYY-MM-DD hh:mm:ss[.frac] +zzzz" after spaces is a stamp.
  const m = /^(.*?)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? ?[+-]\d{4})$/.exec(value);
  if (m) return { name: m[1]!, stamp: m[2]! };
  return { name: value.replace(/\s+$/, ''), stamp: null };
}

/**
 * True when a diff timestamp is the Unix epoch in its own zone: `diff -N` marks a
 * missing side that way ("1970-01-01 00:00:00.000000000 +0000", "1969-12-31 16:00:00 -0800").
 */
export function isEpochStamp(stamp: string | null): boolean {
  if (stamp === null) return false;
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? ?([+-])(\d\d)(\d\d)/.exec(stamp);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, sign, zh, zm] = m;
  const local = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
  const zone = (sign === '-' ? -1 : 1) * (+zh! * 60 + +zm!) * 60_000;
  return local - zone === 0;
}
