/**
 * The two JSON shapes on stdout under --json: a result, or an error. cli.ts prints exactly
 * one of them, so `patchq push --json | jq` always sees one document.
 */
import type { PatchqError } from '../engine/errors.js';

export const jsonResult = (data: unknown): string => JSON.stringify(data, null, 2) + '\n';

/** {"error":{"code","message","file","line"}}; file and line are null when unknown. */
export function jsonError(err: Pick<PatchqError, 'code' | 'message' | 'file' | 'line'> | { code: string; message: string; file?: string; line?: number }): string {
  return jsonResult({ error: { code: err.code, message: err.message, file: err.file ?? null, line: err.line ?? null } });
}
