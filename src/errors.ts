/**
 * Exit codes, mapped once (quilt's are the floor: 0 done, 1 error, 2 nothing to do).
 * Only cli.ts calls process.exit; everything else throws PatchqError.
 */
import { PatchqError, type ErrorCode } from './engine/errors.js';

export { PatchqError, isPatchqError, type ErrorCode } from './engine/errors.js';

export const EXIT = {
  ok: 0,
  error: 1,
  nothing: 2,
  usage: 2,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof PatchqError)) return EXIT.error;
  const byCode: Partial<Record<ErrorCode, number>> = {
    E_NOTHING: EXIT.nothing,
    E_USAGE: EXIT.usage,
  };
  return byCode[err.code] ?? EXIT.error;
}
