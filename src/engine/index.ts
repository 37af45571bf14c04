/**
 * The engine's public barrel: everything stack/, reapply/ and commands/ may call.
 * Pure functions over byte strings (see types.ts for the text contract).
 */
export * from './types.js';
export { PatchqError, isPatchqError, type ErrorCode } from './errors.js';
export { splitLines, joinLines, eolOf, stripEol, decodePath, encodePath } from './lines.js';
export { applyFilePatch, applyPatch, isAlreadyApplied } from './apply.js';
export { reverseFilePatch, reverseHunk } from './reverse.js';
export { makeFileDiff, diffHunks, type DiffOptions } from './diff.js';
export { formatFileReport, formatHunk, leadingText, missingFileLines, rejectText } from './report.js';
export { gitBlobId, blobIdMatches } from './git-hash.js';
export { merge3, type Merge3Options, type Merge3Result } from './merge3.js';
export { runCascade, type CascadeInput, type CascadeResult } from './cascade.js';
export { parsePatch } from './parse.js';
export { sameExceptStamps } from './stamps.js';
