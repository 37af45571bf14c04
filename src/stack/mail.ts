/**
 * Patches as mail, pure (byte strings in, byte strings out; no fs):
 *
 *   splitMailbox   an mbox of `git format-patch --stdout` mails -> one chunk per mail, each
 *                  byte-identical to the file `git format-patch -o DIR` writes for it:
 *                    From 535f38e7... Mon Sep 17 00:00:00 2001      <- separator, starts a mail
 *                    From: Ann <ann@example.com>
 *                    Subject: [PATCH 1/2] Fix the b line
 *                    ...
 *   mailHeaders    the RFC 822 header block, unfolded, RFC 2047 words decoded
 *   gitPatchName   git's file name for a subject: "0001-Fix-the-b-line.patch"
 *   parseDep3      DEP-3 fields of a patch header (Subject = Description, From = Author)
 *   formatMail     one `git format-patch` mail for export (what `git am` reads)
 */

/** git mailsplit's separator: "From <id> <asctime date>", e.g. "From 535f... Mon Sep 17 00:00:00 2001". */
const FROM_LINE = /^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{1,2}:\d{2}:\d{2} \d{4}\s*$/;

export const isFromLine = (line: string): boolean => FROM_LINE.test(line.replace(/\r?\n$/, ''));

export interface MailChunk {
  text: string;
  /** 1-based line of the chunk's first line in the whole file. */
  line: number;
}

/**
 * One chunk per mail when the text starts with a separator line and holds two or more;
 * otherwise the whole text as one chunk (a plain diff or a single format-patch file).
 * A separator counts at the start of the file or after a blank line, as in mbox.
 */
export function splitMailbox(text: string): MailChunk[] {
  const lines = text.split(/(?<=\n)/);
  if (lines.length === 0 || !isFromLine(lines[0]!)) return [{ text, line: 1 }];
  const starts = lines.flatMap((l, i) => (isFromLine(l) && (i === 0 || /^\r?\n$/.test(lines[i - 1]!)) ? [i] : []));
  if (starts.length < 2) return [{ text, line: 1 }];
  // git format-patch --stdout puts one extra blank line between mails (mbox needs a blank
  // line before "From "): dropped, so each chunk is the file `format-patch -o` writes.
  return starts.map((s, k) => {
    const text = lines.slice(s, starts[k + 1] ?? lines.length).join('');
    return { text: k < starts.length - 1 && text.endsWith('\n\n') ? text.slice(0, -1) : text, line: s + 1 };
  });
}

/** Mail headers (lower-cased names, first occurrence wins), unfolded and decoded. Null: not a mail. */
export function mailHeaders(text: string): Map<string, string> | null {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let i = lines[0] !== undefined && isFromLine(lines[0]) ? 1 : 0;
  const out = new Map<string, string>();
  let last: string | null = null;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const l = lines[i]!;
    const m = /^([!-9;-~]+):[ \t]?(.*)$/.exec(l);
    if (m) {
      last = m[1]!.toLowerCase();
      if (!out.has(last)) out.set(last, m[2]!);
      else last = null;
    } else if (/^[ \t]/.test(l) && last !== null) {
      out.set(last, `${out.get(last)!} ${l.trim()}`.replace(/\?=\s+=\?/g, '?==?'));
    } else if (last !== null || out.size === 0) {
      return out.size > 0 && out.has('from') ? decodeAll(out) : null;
    }
  }
  return out.has('from') || out.has('subject') ? decodeAll(out) : null;
}

function decodeAll(h: Map<string, string>): Map<string, string> {
  for (const [k, v] of h) h.set(k, decodeWords(v));
  return h;
}

/** RFC 2047 encoded words -> UTF-8 bytes (as a byte string). "=?UTF-8?q?caf=C3=A9?=" -> "cafÃ©" (bytes of "café"). */
export function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_, charset: string, enc: string, data: string) => {
    const raw =
      enc.toLowerCase() === 'q'
        ? data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
        : Buffer.from(data, 'base64').toString('latin1');
    // UTF-8 bytes stay as they are; a single-byte charset (latin1 and kin) is re-encoded as UTF-8.
    return /^(utf-?8|(us-)?ascii)$/i.test(charset) ? raw : Buffer.from(raw, 'utf8').toString('latin1');
  });
}

/** "[PATCH 2/5] Fix it" -> "Fix it"; also "[PATCH v2]", "[RFC PATCH]". */
export const stripPatchPrefix = (subject: string): string => subject.replace(/^\s*\[[^\]]*\bPATCH\b[^\]]*\]\s*/i, '').trim();

/**
 * git format-patch's file name (pretty.c format_sanitized_subject, 64-byte name limit):
 * runs of anything but [A-Za-z0-9._] become one "-", ".." collapses, trailing "." and "-" go.
 *   gitPatchName(1, "Fix: the b/line (really!)") -> "0001-Fix-the-b-line-really.patch"
 */
export function gitPatchName(n: number, subject: string): string {
  const bytes = subject;
  let out = '';
  let space = 2;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (/[A-Za-z0-9._]/.test(c)) {
      if (space === 1) out += '-';
      space = 0;
      out += c;
      if (c === '.') while (bytes[i + 1] === '.') i++;
    } else space |= 1;
  }
  out = out.replace(/[.-]+$/, '');
  const name = `${String(n).padStart(4, '0')}-${out}`.slice(0, 64 - '.patch'.length - 1);
  return `${name}.patch`;
}

export interface Dep3 {
  /** Fields as found, DEP-3 names (Subject -> Description, From -> Author), values unfolded with "\n". */
  fields: Record<string, string>;
  /** First line of the description (Description/Subject, else the first free-form line). */
  subject: string | null;
  /** The long description: continuation lines of Description and free-form text. */
  body: string;
}

const ALIAS: Record<string, string> = { subject: 'Description', from: 'Author' };

/**
 * DEP-3 (https://dep-team.pages.debian.net/deps/dep3/): RFC 822-style fields, continuation
 * lines start with a space (" ." is an empty line), free-form text may follow, and a line
 * "---" ends the meta-information. A git mail header (From/Date/Subject, blank line, body)
 * reads the same way. Patchq's own Patchq-* lines are fields like any other.
 */
export function parseDep3(header: string): Dep3 {
  const lines = header.split('\n').map((l) => l.replace(/\r$/, ''));
  const fields: Record<string, string> = {};
  const free: string[] = [];
  let last: string | null = null;
  let lastRaw = '';
  const inMail = lines[0] !== undefined && isFromLine(lines[0]);
  const mail = mailHeaders(header);
  // The mail's own header block (decoded values come from `mail`); below it, a body line
  // "From: X" is a field of its own, as git am reads it (the real author).
  let inHeaders = mail !== null;
  for (let i = inMail ? 1 : 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '---' || l === '--- ') break;
    if (l === '') inHeaders = false;
    const m = /^([A-Za-z][A-Za-z0-9-]*):(?:[ \t]+(.*)|$)/.exec(l);
    if (m && (free.length === 0 || free[free.length - 1] === '')) {
      const name = ALIAS[m[1]!.toLowerCase()] ?? m[1]!;
      last = name;
      lastRaw = m[1]!.toLowerCase();
      const value = (inHeaders ? mail?.get(lastRaw) : undefined) ?? (m[2] ?? '').trimEnd();
      fields[name] = name === 'Description' ? stripPatchPrefix(value) : value;
    } else if (/^[ \t]/.test(l) && last !== null && l.trim() !== '') {
      if (inHeaders) continue; // a mail header: already unfolded
      fields[last] += '\n' + (l.trim() === '.' ? '' : l.trim());
    } else {
      last = null;
      free.push(l);
    }
  }
  for (const k of Object.keys(fields)) if (/^(MIME-Version|Content-Type|Content-Transfer-Encoding)$/i.test(k)) delete fields[k];
  while (free.length && free[0]!.trim() === '') free.shift();
  while (free.length && free[free.length - 1]!.trim() === '') free.pop();
  const desc = fields.Description;
  let subject: string | null = null;
  const body: string[] = [];
  if (desc !== undefined) {
    const [first, ...rest] = desc.split('\n');
    subject = first!.trim() || null;
    body.push(...rest);
    if (free.length) body.push(...(rest.length ? [''] : []), ...free);
  } else if (free.length) {
    subject = free[0]!.trim();
    body.push(...free.slice(1));
  }
  while (body.length && body[0]!.trim() === '') body.shift();
  const long = body.join('\n').replace(/\s+$/, '');
  // DEP-3: without a Description field, the free-form text is the description.
  const all = desc === undefined && subject !== null ? { Description: long ? `${subject}\n${long}` : subject, ...fields } : fields;
  return { fields: all, subject, body: long };
}

export interface MailParts {
  /** 40 hex digits for the separator line. */
  id: string;
  /** "Name <email>" */
  author: string;
  /** RFC 2822 date. */
  date: string;
  subject: string;
  body: string;
  /** The diff, git form. */
  diff: string;
  /** "[PATCH]" or "[PATCH 2/5]". */
  prefix: string;
  signature: string;
}

/** RFC 2047 q-encoding of a header value when it is not plain ASCII (as git writes it). */
export function encodeWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const q = [...value].map((c) => (/[A-Za-z0-9!*+\-/]/.test(c) ? c : `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return `=?UTF-8?q?${q}?=`;
}

/** "Ann Smith <ann@example.com>" with a non-ASCII name encoded, the address left as is. */
function encodeAuthor(author: string): string {
  const m = /^(.*?)\s*(<[^>]*>)\s*$/.exec(author);
  return m ? `${encodeWords(m[1]!)} ${m[2]}`.trim() : encodeWords(author);
}

/** One mail as `git format-patch` writes it; `git am` reads it back. Byte strings throughout. */
export function formatMail(p: MailParts): string {
  const eightBit = /[^\x00-\x7f]/.test(p.body + p.subject + p.author);
  const mime = eightBit ? 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n' : '';
  const body = p.body.trim() === '' ? '\n' : `\n${p.body.replace(/\s+$/, '')}\n`;
  return (
    `From ${p.id} Mon Sep 17 00:00:00 2001\n` +
    `From: ${encodeAuthor(p.author)}\nDate: ${p.date}\nSubject: ${encodeWords(`${p.prefix} ${p.subject}`)}\n${mime}` +
    `${body}---\n\n${p.diff}-- \n${p.signature}\n\n`
  );
}

/** RFC 2822 date of a Date, in UTC: "Sun, 29 Nov 2026 10:49:16 +0000". */
export function rfc2822(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
