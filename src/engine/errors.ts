/**
 * Typed errors. Tests assert `code`, never the message. Every error that points at
 * input carries the file and 1-based line so the CLI can print `file:line: message`.
 */
import { getSystemErrorMap } from 'node:util';

export type ErrorCode =
  | 'E_PATCH_PARSE' // malformed patch text
  | 'E_PATCH_COUNTS' // hunk body does not match its @@ counts
  | 'E_PATCH_BINARY' // binary patch we cannot apply
  | 'E_PATCH_UNSUPPORTED' // ed scripts, normal diffs, symlinks ...
  | 'E_PATH_OUTSIDE' // a path that escapes the tree
  | 'E_USAGE' // bad command line
  | 'E_NOT_FOUND' // missing patch or file
  | 'E_EXISTS' // already exists
  | 'E_BAD_NAME' // a patch name quilt's rules refuse (exit 1, as quilt)
  | 'E_STATE' // .pc/series inconsistent, needs refresh, etc.
  | 'E_LOCKED' // another patchq is working on this tree
  | 'E_APPLY' // a patch does not apply
  | 'E_NOTHING' // nothing to do (quilt exit 2)
  | 'E_IO' // the file system said no
  | 'E_CONFIG' // broken settings or template file
  | 'E_GIT'; // git object lookup failed

/** Marks a PatchqError of any copy of this module: the TUI bundle (tui.mjs) has its own class. */
const BRAND = Symbol.for('patchq.PatchqError');

export class PatchqError extends Error {
  readonly code: ErrorCode;
  /** File the error points at (patch file, series, template...). */
  readonly file?: string;
  /** 1-based line within `file`. */
  readonly line?: number;
  readonly data?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    where: { file?: string; line?: number; data?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'PatchqError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.data = where.data;
  }

  /** On the prototype (not an own field: errors compare and serialise as before). */
  get [BRAND](): true {
    return true;
  }

  /** `file:line: message`, or just the message when there is no location. */
  describe(): string {
    if (this.file === undefined) return this.message;
    return this.line === undefined ? `${this.file}: ${this.message}` : `${this.file}:${this.line}: ${this.message}`;
  }
}

/** A PatchqError, also one thrown by the TUI's bundle (its own copy of the class: instanceof says no). */
export const isPatchqError = (e: unknown): e is PatchqError =>
  e instanceof PatchqError || (typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true);

/**
 * What the system refuses whoever runs the program (permissions, a read-only or full
 * file system, a failing disk): not a bug in patchq, so not an internal error.
 */
export const REFUSALS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
};

/**
 * What a system error code means, in words: REFUSALS' for those, else the C library's
 * (libuv's table: 'name too long', 'is a directory'), else the code itself.
 */
export function reasonFor(code: string, errno?: number): string {
  if (Object.hasOwn(REFUSALS, code)) return REFUSALS[code]!;
  const known = typeof errno === 'number' ? getSystemErrorMap().get(errno) : undefined;
  return known && known[0] === code ? known[1] : code;
}
