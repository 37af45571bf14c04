/** Resolving push/pop targets: nothing (one), -a, N, or NAME. */
import { PatchqError } from '../engine/errors.js';

export type Target = { all: true } | { count: number } | { name: string };

/** Parse the CLI's positional + -a into a Target. */
export function targetFrom(all: boolean, positional: string | undefined): Target | undefined {
  if (all) return { all: true };
  if (positional === undefined) return undefined;
  if (/^\d+$/.test(positional)) return { count: Number(positional) };
  return { name: positional.replace(/^patches\//, '') };
}

export function notInSeries(name: string): PatchqError {
  return new PatchqError('E_NOT_FOUND', `Patch ${name} is not in series`);
}
