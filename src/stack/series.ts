/**
 * patches/series, read and rewritten as quilt does (QUILT.md 2.3):
 *   # comment             column-1 '#' is a comment
 *   p0.patch -p0          options after the name go to the patch step
 *   p1.patch    # note    a trailing comment needs whitespace before '#'
 *   rev.patch -p1 -R      reverse-apply
 * Deviation: an INDENTED '#' line is a comment for patchq too (quilt makes it a patch
 * named '#', which then fails to push). Rewrites touch only the lines they must, so
 * comments, blank lines and option spelling survive byte for byte.
 */
import { PatchqError } from '../engine/errors.js';
import { printable } from '../engine/paths.js';

export interface SeriesEntry {
  name: string;
  /** -pN; 1 when not given. */
  strip: number;
  reverse: boolean;
  /**
   * `-pab`, which quilt's `new -p ab` writes (GNU patch cannot read it): the next refresh
   * writes a/ b/ labels and takes it out of the series (quilt's change_db_strip_level).
   */
  ab?: boolean;
  /** Every option word after the name, as written. */
  options: string[];
  /**
   * An option patchq cannot honour (an unknown one, or one that reads or writes other files:
   * `-d DIR`, `-o FILE`...), as GNU patch would have been given it: applying the entry is
   * refused, naming the series line (listing it, popping it, refreshing it are not).
   */
  unsupported?: string;
  /** 1-based line in the series file. */
  line: number;
}

/**
 * The series and .pc/applied-patches are read and written as bytes (latin1 strings, as
 * every file patchq edits), but patch names are file names: text, UTF-8 on disk as quilt
 * writes them. A name goes from bytes to text when it is read, and back when it is
 * written into the file ("ünï.patch" is the bytes c3 bc 6e c3 af 2e...).
 * Bytes that are not UTF-8 stay as they are.
 */
export function nameFromBytes(bytes: string): string {
  if (!/[^\x00-\x7f]/.test(bytes)) return bytes;
  const text = Buffer.from(bytes, 'latin1').toString('utf8');
  return Buffer.from(text, 'utf8').toString('latin1') === bytes ? text : bytes;
}
/** Where a name read from this line is in it, and as which bytes (a name that was not UTF-8 is its own bytes). */
function nameIn(line: string, name: string): [number, string] {
  const bytes = nameToBytes(name);
  const at = line.indexOf(bytes);
  return at >= 0 ? [at, bytes] : [line.indexOf(name), name];
}

export const nameToBytes = (name: string): string => (/[^\x00-\x7f]/.test(name) ? Buffer.from(name, 'utf8').toString('latin1') : name);

export function parseSeries(text: string, file = 'series'): SeriesEntry[] {
  const entries: SeriesEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    // Most lines are a plain name and nothing else (`applied` reads hundreds at start).
    if (isPlainName(raw)) {
      entries.push({ name: raw, strip: 1, reverse: false, options: [], line: i + 1 });
      continue;
    }
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const words = trimmed.replace(/\s+#.*$/, '').split(/\s+/).filter(Boolean);
    const [bytes, ...options] = words as [string, ...string[]];
    const name = nameFromBytes(bytes);
    const { strip, reverse, ab, unsupported } = patchOptions(options);
    checkListedName(name, file, i + 1);
    // A patch listed twice (a generated series) is kept, as quilt keeps it: push refuses
    // to apply it a second time ("already applied; check your series file"), pop works.
    entries.push({ name, strip, reverse, ...(ab ? { ab } : {}), options, ...(unsupported !== undefined ? { unsupported } : {}), line: i + 1 });
  }
  return entries;
}

/**
 * A line that is a name as it stands, one patchNameEscape takes and nameFromBytes keeps:
 * printable ASCII with no space, '#', '\\' or ':', not led by '/' or '-', no '..'. Other
 * lines (options, comments, CR, UTF-8...) take the full path; both give the same entry.
 */
export const isPlainName = (line: string): boolean => PLAIN.test(line) && !line.includes('..');
const PLAIN = /^[!-"$-,.0-9;-[\]-~][!-"$-9;-[\]-~]*$/;

/**
 * The options of a series line as GNU patch reads them (quilt passes them to it): `-pN`,
 * `-p N`, `--strip=N`, `-R`, `--reverse`, short ones run together (`-Rp1`). Those that
 * change nothing patchq does (-E, -l, -N, -F N, -s, -u, --binary...) are accepted; any
 * other is `unsupported`. `-pab` is quilt's own (see SeriesEntry). `others`: the words
 * without what sets the strip level, reverse or -pab (from a run of short ones only R and
 * p go), the rest as written: setEntry writes them back.
 *   patchOptions(["-Rlp0", "-F", "3"]) -> { strip: 0, reverse: true, ab: false, others: ["-l", "-F", "3"] }
 *   patchOptions(["-Q"])               -> { strip: 1, reverse: false, ab: false, others: ["-Q"], unsupported: "-Q" }
 */
export function patchOptions(options: readonly string[]): { strip: number; reverse: boolean; ab: boolean; others: string[]; unsupported?: string } {
  const out: { strip: number; reverse: boolean; ab: boolean; others: string[]; unsupported?: string } = { strip: 1, reverse: false, ab: false, others: [] };
  const bad = (o: string) => void (out.unsupported ??= o);
  const strip = (v: string | undefined, o: string) => (v !== undefined && /^\d+$/.test(v) ? (out.strip = Number(v)) : bad(o));
  for (let k = 0; k < options.length; k++) {
    const o = options[k]!;
    if (o === '-pab') out.ab = true;
    else if (o.startsWith('--')) {
      const [long, value] = o.includes('=') ? [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)] : [o, undefined];
      if (long === '--strip') strip(value ?? options[++k], o);
      else if (long === '--reverse' && value === undefined) out.reverse = true;
      else {
        out.others.push(o);
        if (LONG_WITH_VALUE.has(long)) {
          if (value === undefined && k + 1 < options.length) out.others.push(options[++k]!);
        } else if (!LONG_FLAGS.has(long) || value !== undefined) bad(o);
      }
    } else if (/^-[^-]/.test(o)) {
      // Short options run together; one that takes a value takes the rest of the word, or the next.
      let kept = '-';
      for (let j = 1; j < o.length; j++) {
        const c = o[j]!;
        if (c === 'R') out.reverse = true;
        else if (c === 'p') {
          strip(j + 1 < o.length ? o.slice(j + 1) : options[++k], o);
          break;
        } else {
          kept += c;
          const takesValue = SHORT_WITH_VALUE.includes(c);
          if (!takesValue && SHORT_FLAGS.includes(c)) continue;
          // A value (the rest of the word, or the next word), or one not known: the rest as written.
          if (!takesValue) bad(o);
          kept += o.slice(j + 1);
          if (takesValue && j + 1 === o.length && k + 1 < options.length) {
            out.others.push(kept);
            kept = options[++k]!;
          }
          break;
        }
      }
      if (kept !== '-') out.others.push(kept);
    } else {
      bad(o);
      out.others.push(o);
    }
  }
  return out;
}
// GNU patch options that change nothing of what patchq does (its own cascade, backups and
// messages): whitespace, fuzz, format, quiet, backup naming, times.
const SHORT_FLAGS = 'bcEflnNstTuZ';
const SHORT_WITH_VALUE = 'BFgVYz';
const LONG_FLAGS = new Set(['--backup', '--context', '--remove-empty-files', '--force', '--ignore-whitespace', '--normal', '--forward', '--silent', '--quiet', '--batch', '--set-time', '--unified', '--set-utc', '--binary', '--no-backup-if-mismatch', '--backup-if-mismatch', '--verbose', '--posix']);
const LONG_WITH_VALUE = new Set(['--fuzz', '--prefix', '--basename-prefix', '--suffix', '--version-control', '--get', '--reject-format', '--quoting-style']);

/** Refuse to apply an entry with an option patchq cannot honour, naming its series line. */
export function checkApplicable(entry: SeriesEntry, seriesFile: string): void {
  if (entry.unsupported === undefined) return;
  throw new PatchqError('E_PATCH_UNSUPPORTED', `option '${entry.unsupported.replace(/[\x00-\x1f\x7f]/g, '?')}' of ${entry.name} is not one patchq can honour (it reads -pN, -R and GNU patch's options that change nothing here)`, { file: seriesFile, line: entry.line });
}

/** The series text with `newLine` inserted after the entry named `after` (null: at the top of the entries). */
export function insertEntry(text: string, entries: SeriesEntry[], after: string | null, newLine: string): string {
  const lines = splitKeep(text);
  let at = 0;
  if (after !== null) {
    const e = entries.find((x) => x.name === after);
    if (!e) throw new PatchqError('E_NOT_FOUND', `Patch ${after} is not in series`);
    at = e.line;
  } else if (entries.length > 0) {
    at = entries[0]!.line - 1;
  } else {
    at = lines.length;
  }
  lines.splice(at, 0, nameToBytes(newLine) + eolOf(text));
  return lines.join('');
}

/** Every line naming `name` (a patch listed twice goes whole, as quilt's remove_from_series takes it). */
function linesOf(entries: SeriesEntry[], name: string): number[] {
  const at = entries.filter((x) => x.name === name).map((x) => x.line);
  if (at.length === 0) throw new PatchqError('E_NOT_FOUND', `Patch ${name} is not in series`);
  return at;
}

export function removeEntry(text: string, entries: SeriesEntry[], name: string): string {
  const drop = new Set(linesOf(entries, name));
  return splitKeep(text).filter((_, i) => !drop.has(i + 1)).join('');
}

/** Rename in place (on every line naming it), keeping the options and any trailing comment on the line. */
export function renameEntry(text: string, entries: SeriesEntry[], from: string, to: string): string {
  const lines = splitKeep(text);
  for (const n of linesOf(entries, from)) {
    const l = lines[n - 1]!;
    const [at, fromB] = nameIn(l, from);
    lines[n - 1] = l.slice(0, at) + nameToBytes(to) + l.slice(at + fromB.length);
  }
  return lines.join('');
}

/** The series text with NAME's strip level set as quilt writes it (` -p0`; none for 1). */
/**
 * A series entry with a new strip level and/or without -R, its other options and its
 * comment kept: refresh writes the patch forward at the level it was asked for.
 *   setEntry("x.diff -p0 -R # c\n", entries, "x.diff", { reverse: false }) -> "x.diff -p0 # c\n"
 */
export function setEntry(text: string, entries: SeriesEntry[], name: string, to: { strip?: number; reverse?: boolean }): string {
  const e = entries.find((x) => x.name === name);
  if (!e) throw new PatchqError('E_NOT_FOUND', `Patch ${name} is not in series`);
  const strip = to.strip ?? e.strip;
  const reverse = to.reverse ?? e.reverse;
  const lines = splitKeep(text);
  const l = lines[e.line - 1]!;
  const [start, nameB] = nameIn(l, name);
  const at = start + nameB.length;
  const eol = l.endsWith('\r\n') ? '\r\n' : '\n';
  const [, rest = '', comment = ''] = /^([^#]*?)(\s*#.*?)?\r?\n?$/.exec(l.slice(at)) ?? [];
  const kept = patchOptions(rest.split(/\s+/).filter(Boolean)).others;
  lines[e.line - 1] = `${l.slice(0, at)}${strip === 1 ? '' : ` -p${strip}`}${kept.map((w) => ` ${w}`).join('')}${reverse ? ' -R' : ''}${comment}${eol}`;
  return lines.join('');
}

/** Lines with their terminators; a final line without newline gets one (the file's kind). */
function splitKeep(text: string): string[] {
  if (text === '') return [];
  const parts = text.split(/(?<=\n)/);
  const last = parts[parts.length - 1]!;
  if (!last.endsWith('\n')) parts[parts.length - 1] = last + eolOf(text);
  return parts;
}

/**
 * The line end a series is written with: CRLF when each of its lines ends so (a series
 * edited on Windows, which parseSeries reads), so a line added to it does not make a
 * mixed file; else LF.
 */
function eolOf(text: string): string {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text) ? '\r\n' : '\n';
}

/**
 * Why a series entry would lead out of the patches directory, or null. Names are read
 * relative to patches/ and also become .pc/<name>/, so "../x" or "/etc/x" would read and
 * write outside both:
 *   patchNameEscape("sub/01.patch") -> null
 *   patchNameEscape("../../x")      -> "it leads outside the patches directory"
 */
export function patchNameEscape(name: string): string | null {
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return 'a patch name must be relative to the patches directory';
  if (name.split(/[\\/]/).some((p) => p === '..')) return 'it leads outside the patches directory';
  if (name.includes('\0')) return 'it contains a NUL byte (is the file corrupt?)';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'it contains a control character';
  return null;
}

/** A name read from the series or .pc/applied-patches (FILE, 1-based LINE), refused there when patchNameEscape refuses it. */
export function checkListedName(name: string, file: string, line: number): void {
  const escape = patchNameEscape(name);
  if (escape) throw new PatchqError('E_PATH_OUTSIDE', `refusing patch '${name.replace(/[\x00-\x1f\x7f]/g, '?')}': ${escape}`, { file, line });
}

/**
 * A patch's .pc folder may not hold another patch's, nor sit inside one: `sub` and
 * `sub/x.diff` would share .pc/sub, and popping `sub` would take the other's originals
 * with it (quilt loses them that way). `names`: the patches the new name must live beside.
 */
export function checkNesting(name: string, names: Iterable<string>, shown = (n: string) => n): void {
  const other = nestedWith(name, names);
  if (other !== undefined) {
    throw new PatchqError('E_BAD_NAME', `Patch name '${name}' invalid: patch ${shown(other)} is in the series, and one name would be a folder of the other in .pc/`);
  }
}

/** The first of `names` that is a folder of `name` or has it as a folder (see checkNesting). */
export function nestedWith(name: string, names: Iterable<string>): string | undefined {
  const index = new NestingIndex();
  for (const other of names) if (other !== name) index.add(other);
  return index.clash(name);
}

/**
 * Names checked for nesting as they are added (push -a checks hundreds of names against
 * all before them): each name is looked up by its folders, not compared with every other.
 */
export class NestingIndex {
  private readonly names = new Set<string>();
  /** Every folder of a name added ("a" and "a/b" for "a/b/c"). */
  private readonly folders = new Set<string>();

  /** The name already added that `name` would nest with, if any. */
  clash(name: string): string | undefined {
    if (this.folders.has(name)) return [...this.names].find((n) => n.startsWith(`${name}/`));
    for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) if (this.names.has(name.slice(0, i))) return name.slice(0, i);
    return undefined;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  add(name: string): void {
    this.names.add(name);
    for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) this.folders.add(name.slice(0, i));
  }
}

/** quilt's name rules. */
export function checkPatchName(name: string, seriesName = 'series'): void {
  // Shown with control characters escaped: a newline in it made the one-line error two.
  const shown = printable(name);
  if (/\s/.test(name)) throw new PatchqError('E_BAD_NAME', `Patch name '${shown}' invalid: cannot contain spaces.`);
  // Any other control character: the series would hold a line every command refuses
  // (checkListedName), so the stack could not be used until the series was mended by hand.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw new PatchqError('E_BAD_NAME', `Patch name '${shown}' invalid: it contains a control character.`);
  if (name === seriesName) throw new PatchqError('E_BAD_NAME', `Patch name '${shown}' invalid: it is the series file's name.`);
  if (name === '' || name.startsWith('/') || name.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    throw new PatchqError('E_PATH_OUTSIDE', `Patch name '${shown}' invalid: it must be a relative path inside the patches directory.`);
  }
  if (name.startsWith('#')) throw new PatchqError('E_BAD_NAME', `Patch name '${shown}' invalid: cannot start with '#'.`);
  // .pc/NAME/ holds a patch's originals: it must not be (or be inside) what .pc/ keeps for
  // quilt and patchq, or a patch's needs-refresh marker (pop would take the lock with it).
  if (PC_OWN.has(name.split('/')[0]!) || name.endsWith('~refresh')) {
    throw new PatchqError('E_BAD_NAME', `Patch name '${shown}' invalid: it would clash with quilt's state in .pc/`);
  }
  checkNameLength(name);
}

/** What quilt (and patchq, in .patchq) keep directly in .pc/ besides the patches' folders. */
const PC_OWN = new Set(['.patchq', '.version', '.quilt_patches', '.quilt_series', 'applied-patches', '.snap']);

/** The file system's NAME_MAX: bytes in one path component (Linux, macOS, Windows). */
const NAME_MAX = 255;
/**
 * The longest tail a patch name's last component gets on disk: .pc/<name>~refresh (the
 * others: .pc/.patchq/patch/<name>.json, patches/<name>~ for --backup).
 */
const NAME_TAIL = '~refresh';

/**
 * A name whose parts the file system cannot hold is refused before anything is written
 * (else a raw ENAMETOOLONG from the middle of the transaction). Bytes, as UTF-8 on disk:
 *   checkNameLength("x".repeat(248)) -> throws (248 + '~refresh' > 255)
 */
export function checkNameLength(name: string): void {
  const parts = name.split('/');
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const bytes = Buffer.byteLength(part, 'utf8');
    if (bytes <= NAME_MAX - (last ? NAME_TAIL.length : 0)) return;
    const what = parts.length === 1 ? 'it is' : `its ${last ? 'last ' : ''}part '${part}' is`;
    const tail = last ? `, and .pc/ adds '${NAME_TAIL}' to it: at most ${NAME_MAX - NAME_TAIL.length}` : '';
    throw new PatchqError('E_BAD_NAME', `Patch name '${name}' invalid: ${what} ${bytes} bytes; the file system takes at most ${NAME_MAX} per path component (NAME_MAX)${tail}.`);
  });
}
