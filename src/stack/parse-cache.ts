/**
 * Parsed patches, kept between runs. A push parses every patch it pushes, and a series is
 * pushed and popped many times between edits of its patch files: in a cold process the
 * parse is ~60 ms of a 99-patch `push -a` (2.4 MB of patches; the JIT has not warmed up),
 * while reading back what an earlier run parsed is ~20 ms (JSON.parse is native).
 *
 *   parseCached(text, { strip: 1, fileName })   -> parsePatch's result, from the cache or parsed
 *
 * An entry is named by the SHA-256 of the parser's identity, the -p level and the patch's
 * bytes, so it is only ever read for the very text, strip level and parser that made it:
 * an edited patch is another name, and so is any change to the engine (the parser's
 * identity is a hash of the built engine and parse-diff, set when the bundle is built:
 * rolldown.config.mjs). Outside the bundle (tests that import src/, tsc's dist/) there is
 * no identity and nothing is cached. Only a parse that succeeded is kept; an error is
 * raised again by the parse each time.
 *
 * Where: the user's cache folder, as V8's compile cache ($PATCHQ_CACHE_DIR, else
 * ${XDG_CACHE_HOME:-~/.cache}/patchq), in parsed-<identity>/ (another build's folder that
 * nobody wrote to for a week is removed when this build's is made). Nothing of it is in the
 * tree or in .pc: quilt's .pc stays as quilt has it. New entries are written as
 * the process exits (a temp file renamed into place); at most MAX_ENTRIES are kept, the
 * oldest written go first. Best effort: an entry that cannot be read or written costs only
 * the parse; one that does not read back as JSON is parsed again and written over.
 * PATCHQ_NO_PARSE_CACHE=1 turns it off.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../fsx/atomic.js';
import { createHash } from '../engine/git-hash.js';
import { parsePatch } from '../engine/parse.js';
import type { ParsedPatch } from '../engine/types.js';
import { cacheRoot } from '../settings/paths.js';
import { escapeJson } from './json.js';

/** Set by the bundler (rolldown.config.mjs): a hash of the engine as built. */
declare const __PATCHQ_PARSER_ID__: string | undefined;
const PARSER_ID: string | undefined = typeof __PATCHQ_PARSER_ID__ === 'string' ? __PATCHQ_PARSER_ID__ : undefined;

const MAX_ENTRIES = 4096;
/** The largest entry kept (chars), and the most a process holds to write as it exits (the TUI runs long). */
const MAX_ENTRY = 32 << 20;
const MAX_UNWRITTEN = 128 << 20;
/** Folders of other builds (parsed-<16 hex>) are removed once not written to for this long. */
const OTHER_BUILDS_MS = 7 * 24 * 3600 * 1000;

/** Entries to write as the process exits: path -> JSON. */
const unwritten = new Map<string, string>();
let unwrittenChars = 0;

/** The cache's folder for this parser, or null (off, or not the bundle). */
function folder(env: NodeJS.ProcessEnv): string | null {
  if (PARSER_ID === undefined || env.PATCHQ_NO_PARSE_CACHE === '1') return null;
  const root = cacheRoot(env);
  return root === null ? null : join(root, `parsed-${PARSER_ID}`);
}

export function parseCached(text: string, opts: { strip: number; fileName: string }, env: NodeJS.ProcessEnv = process.env): ParsedPatch {
  const dir = folder(env);
  if (dir === null) return parsePatch(text, opts);
  const key = createHash('sha256').update(`${PARSER_ID}\0${opts.strip}\0`, 'latin1').update(text, 'latin1').digest('hex');
  const path = join(dir, key);
  let kept: string | undefined;
  try {
    kept = readFileSync(path, 'latin1');
  } catch {
    // not kept yet
  }
  if (kept !== undefined) {
    const parsed = fromEntry(kept);
    if (parsed !== null) return parsed;
    // torn or foreign: parsed and written again below
  }
  const parsed = parsePatch(text, opts);
  // Now, before anyone holds the objects: what is kept is the parse as it came out.
  const entry = toEntry(parsed);
  if (entry !== null && unwrittenChars + entry.length <= MAX_UNWRITTEN) {
    if (unwritten.size === 0) process.once('exit', () => writeEntries(dir));
    unwritten.set(path, entry);
    unwrittenChars += entry.length;
  }
  return parsed;
}

/**
 * The entry for a parse, or null when it is not kept: past MAX_ENTRY chars (a big binary
 * patch: JSON writes a control byte as 6 chars, and a 90 MB file of zeros passes V8's
 * string limit), or with a number JSON cannot carry (Infinity would come back as null).
 * Written and read as latin1: chars past 255 (names decoded from UTF-8) are escaped.
 */
export function toEntry(parsed: ParsedPatch): string | null {
  if (!finiteNumbers(parsed)) return null;
  let json: string;
  try {
    json = JSON.stringify(parsed);
    if (json.length > MAX_ENTRY) return null;
  } catch {
    return null; // past V8's string limit
  }
  return escapeJson(json, 255);
}

/**
 * Every number of the parse is finite (the parser bounds them: a hunk's line numbers, a
 * binary size, the similarity index; checked here too, as the fields that hold numbers,
 * not the lines: a replacer over the whole parse doubled JSON.stringify's time).
 */
function finiteNumbers(parsed: ParsedPatch): boolean {
  const ok = (...xs: Array<number | undefined>) => xs.every((x) => x === undefined || Number.isFinite(x));
  return parsed.files.every(
    (f) =>
      ok(f.patchLine, f.similarity, f.binary?.forward?.size, f.binary?.reverse?.size) &&
      f.hunks.every((h) => ok(h.oldStart, h.oldCount, h.newStart, h.newCount, h.patchLine)),
  );
}

/** A parse back from its entry (latin1 text), or null when the entry is torn or foreign. */
export function fromEntry(kept: string): ParsedPatch | null {
  try {
    const parsed = JSON.parse(kept) as ParsedPatch;
    if (typeof parsed.header === 'string' && Array.isArray(parsed.files) && typeof parsed.crlfTransport === 'boolean') return parsed;
  } catch {
    // torn or foreign
  }
  return null;
}

function writeEntries(dir: string): void {
  try {
    const fresh = !existsSync(dir);
    // A temp file renamed into place (removed if its write fails); no fsync: a cache.
    for (const [path, json] of unwritten) writeFileAtomic(path, json, { sync: false });
    unwritten.clear();
    if (fresh) {
      // This build's folder is new: another build's that nobody wrote to for a week goes (two
      // installs used in turn keep theirs).
      const root = dirname(dir);
      const mine = basename(dir);
      for (const name of readdirSync(root)) {
        if (!/^parsed-[0-9a-f]{16}$/.test(name) || name === mine) continue;
        const at = statSync(join(root, name), { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
        if (Date.now() - at > OTHER_BUILDS_MS) rmSync(join(root, name), { recursive: true, force: true });
      }
    }
    const names = readdirSync(dir);
    if (names.length > MAX_ENTRIES) {
      const byAge = names.map((n) => ({ n, t: statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.t - b.t);
      for (const { n } of byAge.slice(0, names.length - MAX_ENTRIES / 2)) rmSync(join(dir, n), { force: true });
    }
  } catch {
    // best effort (a read-only home, a full disk): the next run parses again
  }
}
