/**
 * The engine's data model. The engine is pure: strings in, strings and a report out.
 *
 * TEXT ENCODING CONTRACT (read this first). Every file body and every patch the engine
 * sees is a *byte string*: a JS string whose char codes are 0..255, one per byte, as
 * produced by `buffer.toString('latin1')` and turned back into bytes with
 * `Buffer.from(text, 'latin1')`. That is what makes CRLF, a missing final newline,
 * non-UTF-8 bytes and binary files round-trip byte for byte: the engine never decodes.
 * Paths inside the model are UTF-8 decoded (`decodePath`), since they go to the fs.
 *
 * Lines keep their terminator: "foo\r\n", "foo\n", or "foo" for a last line with no
 * newline. A hunk line's `text` follows the same rule; a `\ No newline at end of file`
 * marker is absorbed into the previous line by removing its terminator.
 */

/** One side of a hunk line: context, removed, added. */
export type LineOp = ' ' | '-' | '+';

export interface HunkLine {
  op: LineOp;
  /** Content without the op prefix, *with* its line terminator (see contract above). */
  text: string;
}

export interface Hunk {
  /** 1-based start line in the old file as written in the header (0 when oldCount is 0). */
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text after the second `@@` (function context), without leading space or EOL. */
  section: string;
  lines: HunkLine[];
  /** 1-based line of the `@@` header in the patch file, for error messages. */
  patchLine: number;
}

export type FileChangeKind = 'modify' | 'create' | 'delete' | 'rename' | 'copy';

/** A `GIT binary patch` payload, already base85-decoded and inflated. */
export interface BinaryHunk {
  method: 'literal' | 'delta';
  /** Inflated payload as a byte string. */
  data: string;
  /** Declared inflated size. */
  size: number;
}

export interface BinaryPatch {
  /** `Binary files a and b differ`: git said the file is binary but gave no data. */
  hasData: boolean;
  forward?: BinaryHunk;
  reverse?: BinaryHunk;
}

export interface FilePatch {
  /** Path of the old file after stripping, or null for /dev/null (creation). */
  oldPath: string | null;
  /** Path of the new file after stripping, or null for /dev/null (deletion). */
  newPath: string | null;
  /** Names exactly as written in the patch (unquoted, before stripping); null for /dev/null. */
  rawOld: string | null;
  rawNew: string | null;
  kind: FileChangeKind;
  /** Octal mode strings like "100644", when the patch states them. */
  oldMode?: string;
  newMode?: string;
  /** From `index <old>..<new> [mode]`: (possibly abbreviated) blob ids. */
  index?: { oldId: string; newId: string };
  /** `diff --git` style header seen. */
  git: boolean;
  /** Similarity index for renames/copies, when given. */
  similarity?: number;
  binary?: BinaryPatch;
  hunks: Hunk[];
  /** 1-based line in the patch file where this file's header starts. */
  patchLine: number;
}

export interface ParsedPatch {
  /** Free text above the first file header (quilt's rule), byte-exact. */
  header: string;
  files: FilePatch[];
  /** True when the patch file itself had CRLF on every line (converted in transit). */
  crlfTransport: boolean;
}

export interface ParseOptions {
  /** -pN: leading path components to strip; default 1. */
  strip?: number;
  /** The patch file's name, used in error messages. */
  fileName?: string;
  /**
   * When given and `strip` is undefined, GNU-patch-like detection: the first of
   * p1, p0, p2... whose stripped paths exist (or whose creations have an existing dir)
   * wins. Pure: the caller answers with its own fs view.
   */
  exists?: (path: string) => boolean;
}

/** How a hunk landed. `merged` = 3-way merge with a pre-image. */
export type HunkStatus = 'exact' | 'offset' | 'merged' | 'fuzzy' | 'failed';

export interface HunkReport {
  /** 1-based hunk number within the file, as GNU patch counts. */
  hunk: number;
  status: HunkStatus;
  /** Where the header said the hunk goes (old side, 1-based). */
  statedLine: number;
  /** Where it landed (1-based line in the *input* text), or the best candidate when failed. */
  line: number | null;
  /** Where it landed in the output text (1-based), null when failed. */
  newLine: number | null;
  offset: number;
  /** GNU fuzz: outer context lines ignored at each end. */
  fuzz: number;
  /** 0..1 context similarity for fuzzy landings (1 for exact). */
  similarity: number;
  /** Why it landed the way it did or why it failed; empty for exact. */
  reason: string;
  /**
   * A hunk that failed in a 3-way merge written with conflict markers (push -f --merge,
   * reapply): the lines of the output file from its `<<<<<<<` to its `>>>>>>>` (1-based),
   * where a person resolves it. GNU patch: "Hunk #1 NOT MERGED at 17-21."
   */
  markers?: { from: number; to: number };
}

export type FileStatus = 'ok' | 'failed' | 'conflict' | 'already-applied';

export interface FileReport {
  /** Path in the tree the result is written to (newPath ?? oldPath). */
  path: string;
  oldPath: string | null;
  kind: FileChangeKind;
  status: FileStatus;
  hunks: HunkReport[];
  /** File-level problems (missing file, file exists, binary mismatch...). */
  message?: string;
  /** The file to patch is not there: GNU patch skips it ("No file to patch"), no rejects. */
  missing?: boolean;
}

export interface ApplyOptions {
  /** GNU fuzz factor: max outer context lines dropped; default 2. */
  fuzz?: number;
  /** Apply in reverse (swap - and +). */
  reverse?: boolean;
  /** Allow the similarity-based fuzzy step beyond GNU fuzz; default true. */
  fuzzy?: boolean;
  /** Minimum context similarity (0..1) for the fuzzy step; default 0.6. */
  minSimilarity?: number;
  /** 3-way merge: 'none' disables, 'merge' or 'diff3' marker style on conflict. */
  merge?: 'none' | 'merge' | 'diff3';
  /** Emit conflict markers into the result instead of failing the file (push --merge -f). */
  keepConflicts?: boolean;
  /**
   * git's blob id of a text (default gitBlobId). A caller that hashes the same texts
   * anyway passes a memo: push -a records each file's id, and the next patch's identity
   * check asks for the id of that very text.
   */
  blobId?: (text: string) => string;
}

/** What the caller hands the engine for one file. */
export interface FileInput {
  /** Current content, or null when the file does not exist. */
  text: string | null;
  /** Pre-image for 3-way (blob named by the index line, or a recorded base), if known. */
  base?: string | null;
}

export interface FileResult {
  /** New content; null = file deleted (or absent). Unchanged input when failed. */
  text: string | null;
  /** New mode when the patch changes it. */
  mode?: string;
  report: FileReport;
  /** Hunks that failed, as a unified-diff reject text (for `.rej`), empty when none. */
  rejects: string;
}

export interface PatchReport {
  files: FileReport[];
  /** True when every hunk of every file landed (any status but failed). */
  ok: boolean;
  /** True when every hunk landed `exact`. */
  clean: boolean;
}
