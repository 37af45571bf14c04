/**
 * Structural scanning for rewrite rules, in the spirit of comby: code is read as tokens
 * where brackets nest, strings and comments are opaque, and whitespace between tokens
 * does not matter. Two primitives serve every rule kind:
 *
 *   balancedEnd(text, open)   index just after the bracket that closes text[open]
 *   splitTopLevel(text, ',')  the comma-separated items of an argument list, ignoring
 *                             commas inside brackets, strings and comments
 *
 * Python-flavoured lexing (the shipped templates target Python): '...', "...", '''...''',
 * """...""", string prefixes (r, b, f...), and # comments to end of line. Good enough
 * for JS-like code too, except // and /* comments, which are not recognised.
 */

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE = new Set([')', ']', '}']);

/** Index just past a string literal starting at i (text[i] is a quote). */
export function skipString(text: string, i: number): number {
  const q = text[i]!;
  const triple = text.startsWith(q.repeat(3), i);
  const end = triple ? q.repeat(3) : q;
  let j = i + end.length;
  while (j < text.length) {
    if (text[j] === '\\') j += 2;
    else if (text.startsWith(end, j)) return j + end.length;
    else if (!triple && text[j] === '\n') return j; // unterminated: stop at the line end
    else j++;
  }
  return text.length;
}

const skipComment = (text: string, i: number): number => {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
};

/** Walk text from `from`, calling `visit(i, depth)` for every code character outside strings/comments. */
function walk(text: string, from: number, to: number, visit: (i: number, depth: number) => boolean | void): void {
  let depth = 0;
  for (let i = from; i < to; ) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (c === '#') {
      i = skipComment(text, i);
      continue;
    }
    if (visit(i, depth) === true) return;
    if (OPEN[c]) depth++;
    else if (CLOSE.has(c)) depth--;
    i++;
  }
}

/** Index just past the bracket closing text[open]; -1 when unbalanced. */
export function balancedEnd(text: string, open: number): number {
  let result = -1;
  let depth = 0;
  walk(text, open, text.length, (i) => {
    const c = text[i]!;
    if (OPEN[c]) depth++;
    else if (CLOSE.has(c)) {
      depth--;
      if (depth === 0) {
        result = i + 1;
        return true;
      }
      if (depth < 0) return true;
    }
    return false;
  });
  return result;
}

export interface Item {
  /** The item's text without surrounding whitespace or comments. */
  text: string;
  /** Comments found before the item (whole lines, trimmed), kept by rewrites. */
  comments: string[];
  /** A comment on the same line right after the item's comma: `URL,  # the url`. */
  trailing?: string;
}

/** Split the inside of a bracket pair at top-level separators. Comments are collected, not lost. */
export function splitTopLevel(inner: string, sep = ','): Item[] {
  const items: Item[] = [];
  let start = 0;
  const cuts: number[] = [];
  walk(inner, 0, inner.length, (i, depth) => {
    if (depth === 0 && inner[i] === sep) cuts.push(i);
  });
  for (const cut of [...cuts, inner.length]) {
    const piece = inner.slice(start, cut);
    start = cut + 1;
    const comments: string[] = [];
    // Pull out comments (outside strings) and keep the code.
    let code = '';
    for (let i = 0; i < piece.length; ) {
      const c = piece[i]!;
      if (c === '"' || c === "'") {
        const e = skipString(piece, i);
        code += piece.slice(i, e);
        i = e;
      } else if (c === '#') {
        const e = skipComment(piece, i);
        comments.push(piece.slice(i, e).trim());
        i = e;
      } else {
        code += c;
        i++;
      }
    }
    const text = code.trim().replace(/\s*\n\s*/g, ' ');
    // A comment that starts on the comma's own line belongs to the item before it.
    const prev = items[items.length - 1];
    if (prev && comments.length > 0 && /^[ \t]*#/.test(piece)) prev.trailing = comments.shift();
    if (text !== '' || comments.length > 0) items.push({ text, comments });
  }
  return items;
}

/** Find `name(` call sites outside strings and comments; returns [nameStart, openParen]. */
export function findCalls(text: string, name: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = new RegExp(`(?<![\\w.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\(`, 'g');
  const code = new Set<number>();
  walk(text, 0, text.length, (i) => {
    code.add(i);
  });
  for (const m of text.matchAll(re)) {
    if (code.has(m.index!)) out.push([m.index!, m.index! + m[0].length - 1]);
  }
  return out;
}

/**
 * The text with comments (and, unless keepStrings, strings) blanked out, same length:
 * for "is X used?" questions and for checks that must not be fooled by a comment.
 */
export function codeOnly(text: string, keepStrings = false): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '#') {
      const e = c === '#' ? skipComment(text, i) : skipString(text, i);
      const keep = keepStrings && c !== '#';
      out += text.slice(last, i) + (keep ? text.slice(i, e) : text.slice(i, e).replace(/[^\n]/g, ' '));
      last = i = e;
    } else i++;
  }
  return out + text.slice(last);
}

/** True when text has balanced brackets outside strings and comments. */
export function isBalanced(text: string): boolean {
  let depth = 0;
  let ok = true;
  walk(text, 0, text.length, (i) => {
    const c = text[i]!;
    if (OPEN[c]) depth++;
    else if (CLOSE.has(c) && --depth < 0) {
      ok = false;
      return true;
    }
    return false;
  });
  return ok && depth === 0;
}
