/**
 * Exit codes, mapped once (quilt's are the floor: 0 done, 1 error, 2 nothing to do).
 * Only cli.ts calls process.exit; everything else throws PatchqError.
 */
import { isAbsolute, relative } from 'node:path';
import { PatchqError, REFUSALS, type ErrorCode } from './engine/errors.js';
import { workingDir } from './settings/paths.js';

export { PatchqError, isPatchqError, type ErrorCode } from './engine/errors.js';

export const EXIT = {
  ok: 0,
  error: 1,
  nothing: 2,
  usage: 1,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof PatchqError)) return EXIT.error;
  const byCode: Partial<Record<ErrorCode, number>> = {
    E_NOTHING: EXIT.nothing,
    E_USAGE: EXIT.usage,
  };
  return byCode[err.code] ?? EXIT.error;
}

/**
 * A Node system error the file system raised -> E_IO "cannot mkdir .pc: permission
 * denied (EACCES)"; the current directory deleted under the shell (process.cwd() fails)
 * -> E_NOT_FOUND saying so; else undefined.
 */
export function systemRefusal(err: unknown): PatchqError | undefined {
  const e = err as NodeJS.ErrnoException & { dest?: string };
  if (!(err instanceof Error) || err instanceof PatchqError || typeof e.code !== 'string') return undefined;
  if (e.syscall === 'uv_cwd') return new PatchqError('E_NOT_FOUND', 'the current directory does not exist any more (deleted?): cd to one that does');
  if (!Object.hasOwn(REFUSALS, e.code)) return undefined;
  const what = e.syscall && e.path ? `cannot ${e.syscall} ${shown(e.path)}${e.dest ? ` to ${shown(e.dest)}` : ''}: ` : '';
  return new PatchqError('E_IO', `${what}${REFUSALS[e.code]} (${e.code})`);
}

/**
 * The error with its file named as system errors name theirs (shown): below the current
 * folder, relative to it (`patches/sub: is a directory...`, not `/home/me/fork/patches/sub`).
 */
export function namedFromHere(err: PatchqError): PatchqError {
  if (err.file === undefined || !isAbsolute(err.file)) return err;
  const file = shown(err.file);
  if (file === err.file) return err;
  return new PatchqError(err.code, err.message, { file, ...(err.line !== undefined ? { line: err.line } : {}), ...(err.data !== undefined ? { data: err.data } : {}) });
}

/**
 * A path as the user can act on it: relative to where the command runs when it is below
 * it (as the transaction's messages name files from the tree), else as it is.
 */
function shown(p: string): string {
  try {
    const r = relative(workingDir(), p);
    return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : p;
  } catch {
    return p; // the current directory is gone: the path as Node gave it
  }
}
