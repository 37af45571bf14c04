/**
 * File- and patch-level apply: "check everything, then write" (git's apply.c shape).
 * Pure: the caller hands each file's current text (and a base when it has one) and gets
 * the new text plus a per-hunk report; it writes only when report.ok (or when forcing).
 *
 * File-level rules before the cascade (cascade.ts) runs:
 *  - create, target exists and is not empty -> failed, GNU's
 *    "The next patch would create the file X, which already exists!"
 *    (unless it already holds exactly the patch's content: already-applied);
 *  - modify/delete/rename, target missing   -> failed, "can't find file to patch at input line N";
 *  - delete whose hunks do not empty the file -> failed, "Not deleting file X as content differs from patch";
 *  - rename/copy: result keyed by newPath (report.path); for rename the caller deletes oldPath;
 *  - binary patches (binary.ts) only apply to the blob their index line names.
 * A FAILED file's text still carries the hunks that did land, so `push -f` can write it
 * with the rejects beside it; callers that do not force must not write it.
 */
import { applyBinaryPatch } from './binary.js';
import { runCascade } from './cascade.js';
import { isPatchqError } from './errors.js';
import { blobIdMatches } from './git-hash.js';
import { rejectText } from './report.js';
import { reverseFilePatch } from './reverse.js';
import type { ApplyOptions, FileInput, FilePatch, FileReport, FileResult, FileStatus, ParsedPatch, PatchReport } from './types.js';

function fileFailure(f: FilePatch, text: string | null, message: string, missing = false): FileResult {
  const report: FileReport = {
    path: f.newPath ?? f.oldPath ?? '',
    oldPath: f.oldPath,
    kind: f.kind,
    status: 'failed',
    message,
    ...(missing ? { missing: true } : {}),
    hunks: f.hunks.map((h, i) => ({
      hunk: i + 1, status: 'failed', statedLine: h.oldStart, line: null, newLine: null,
      offset: 0, fuzz: 0, similarity: 0, reason: message,
    })),
  };
  // A file that is not there has nothing to reject against: GNU patch ignores its hunks.
  return { text, report, rejects: missing ? '' : rejectText(report.path, report.path, f.hunks) };
}

/** GNU patch's "can't find file to patch at input line N": N is the line of the first hunk. */
const missingFile = (f: FilePatch, text: string | null): FileResult =>
  fileFailure(f, text, `can't find file to patch at input line ${f.hunks[0]?.patchLine ?? f.patchLine}`, true);

/**
 * A `GIT binary patch`: no hunks to place, so the index line is the evidence. The text
 * must be the named pre-image (or, when it already is the post-image: already-applied),
 * and the result must hash to the named post-image. A literal patch applied over some
 * other file would silently replace upstream's version: refused.
 */
function applyBinary(f: FilePatch, text: string | null, path: string): FileResult {
  const ok = (status: FileStatus, out: string | null): FileResult => ({
    text: out, rejects: '', report: { path, oldPath: f.oldPath, kind: f.kind, status, hunks: [] },
  });
  const ids = f.index;
  if (text !== null && ids && blobIdMatches(ids.newId, text) && !blobIdMatches(ids.oldId, text)) return ok('already-applied', text);
  if (f.kind === 'create' && text !== null && text !== '') {
    return fileFailure(f, text, `The next patch would create the file ${path}, which already exists!`);
  }
  if (f.kind !== 'create' && text === null) return missingFile(f, text);
  if (text !== null && ids && !/^0+$/.test(ids.oldId) && !blobIdMatches(ids.oldId, text)) {
    return fileFailure(f, text, `binary file ${path} is not the patch's pre-image (index ${ids.oldId})`);
  }
  let out: string;
  try {
    out = applyBinaryPatch(text, f.binary!, { file: path, line: f.patchLine });
  } catch (e) {
    if (isPatchqError(e)) return fileFailure(f, text, `${path}: ${e.message}`);
    throw e;
  }
  if (ids && !/^0+$/.test(ids.newId) && !blobIdMatches(ids.newId, out)) {
    return fileFailure(f, text, `binary patch for ${path} does not produce the blob named by its index line`);
  }
  const res = ok('ok', f.kind === 'delete' ? null : out);
  if (f.newMode && f.newMode !== f.oldMode) res.mode = f.newMode;
  return res;
}

function applyOne(file: FilePatch, input: FileInput, opts: ApplyOptions, crlfTransport: boolean): FileResult {
  const f = opts.reverse ? reverseFilePatch(file) : file;
  const path = f.newPath ?? f.oldPath ?? '';
  const text = input.text;
  if (f.binary) return applyBinary(f, text, path);
  if (f.kind === 'create' && text !== null && text !== '') {
    if (isAlreadyApplied(f, text, opts.blobId)) {
      const r = fileFailure(f, text, `Reversed (or previously applied) patch detected: ${path} already has this content`);
      r.report.status = 'already-applied';
      return r;
    }
    return fileFailure(f, text, `The next patch would create the file ${path}, which already exists!`);
  }
  // GNU patch creates a missing file when every hunk adds to an empty old side
  // (`--- a/f` + `@@ -0,0 +1,3 @@`, as `diff -u` writes for a file that was empty or absent).
  const createsMissing = f.kind === 'modify' && f.hunks.length > 0 && f.hunks.every((h) => h.oldStart === 0 && h.oldCount === 0);
  if (f.kind !== 'create' && text === null && !createsMissing) return missingFile(f, text);
  const cur = text ?? '';
  const c = f.hunks.length
    ? runCascade({ hunks: f.hunks, text: cur, base: input.base, oldId: f.index?.oldId, crlfTransport }, opts)
    : { text: cur, hunks: [], conflict: false };
  const failed = c.hunks.some((h) => h.status === 'failed');
  let status: FileStatus = c.conflict ? 'conflict' : failed ? 'failed' : 'ok';
  let message: string | undefined;
  if (failed && !c.conflict && isAlreadyApplied(f, cur, opts.blobId)) status = 'already-applied';
  let out: string | null = c.text;
  if (f.kind === 'delete' && status === 'ok') {
    if (c.text !== '') {
      status = 'failed';
      message = `Not deleting file ${path} as content differs from patch`;
    } else out = null;
  }
  const report: FileReport = { path, oldPath: f.oldPath, kind: f.kind, status, hunks: c.hunks };
  if (message) report.message = message;
  const res: FileResult = {
    text: out,
    report,
    // GNU's .rej: both names are the target file, each hunk moved by its running offset.
    // A hunk written into the file between conflict markers is not rejected (GNU patch
    // --merge, quilt push -m): the markers are where it is.
    rejects: rejectText(path, path, f.hunks.flatMap((h, i) => {
      const r = c.hunks[i]!;
      return r.status === 'failed' && !r.markers ? [{ ...h, oldStart: h.oldStart + r.offset, newStart: h.newStart + r.offset }] : [];
    })),
  };
  if (f.newMode && f.newMode !== f.oldMode) res.mode = f.newMode;
  return res;
}

export function applyFilePatch(file: FilePatch, input: FileInput, opts: ApplyOptions = {}): FileResult {
  return applyOne(file, input, opts, false);
}

export function applyPatch(
  patch: ParsedPatch,
  inputFor: (file: FilePatch) => FileInput,
  opts: ApplyOptions = {},
): { results: FileResult[]; report: PatchReport } {
  // A file named twice in one patch (concatenated diffs) is patched in sequence, like
  // `git apply`: the second entry sees the first one's result, not the tree's text.
  const after = new Map<string, string | null>();
  const results = patch.files.map((f) => {
    const key = f.oldPath ?? f.newPath ?? '';
    const input = after.has(key) ? { text: after.get(key)! } : inputFor(f);
    const r = applyOne(f, input, opts, patch.crlfTransport);
    if (f.kind === 'rename' && f.oldPath) after.set(f.oldPath, null);
    after.set(r.report.path, r.text);
    return r;
  });
  const files = results.map((r) => r.report);
  const ok = files.every((f) => f.status === 'ok');
  const clean = ok && files.every((f) => f.hunks.every((h) => h.status === 'exact'));
  return { results, report: { files, ok, clean } };
}

/**
 * True when the change is already in `text`: the reversed patch applies exactly (exact
 * or offset, no fuzz, no merge), or for a creation the file already has the new content.
 *   file "a\nB\n", patch "-b\n+B\n" -> true
 */
export function isAlreadyApplied(file: FilePatch, text: string | null, blobId?: (text: string) => string): boolean {
  if (file.kind === 'delete') return text === null;
  if (text === null || file.hunks.length === 0) return false;
  // Fast path: the text is exactly the post-image named by the `index` line.
  if (file.kind !== 'create' && blobIdMatches(file.index?.newId, text, blobId)) return true;
  const r = reverseFilePatch(file);
  const c = runCascade({ hunks: r.hunks, text }, { fuzz: 0, fuzzy: false, merge: 'none' });
  if (!c.hunks.every((h) => h.status === 'exact' || h.status === 'offset')) return false;
  return file.kind !== 'create' || c.text === '';
}
