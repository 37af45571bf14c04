/**
 * git's blob id of a byte string: sha1("blob <byte length>\0" + bytes), hex.
 *   gitBlobId("")        -> "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
 *   gitBlobId("hello\n") -> "ce013625030ba8dba906f756967f9e9ca394464a"
 * Used to recognise the exact pre-image named by a patch's `index abc1234..def5678` line
 * (the identity shortcut of the cascade) and to write `index` lines in git-style diffs.
 */
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
let crypto: Crypto | undefined;
/**
 * node:crypto's createHash, with node:crypto loaded on the first hash: loading it is ~3 ms
 * of every command's start, and most (`applied`, `series`, `top`...) hash nothing.
 */
export const createHash = (algorithm: string) => (crypto ??= createRequire(import.meta.url)('node:crypto') as Crypto).createHash(algorithm);

export function gitBlobId(text: string): string {
  // The text is a byte string (see types.ts): latin1 turns each char back into one byte,
  // and text.length is the byte length.
  return createHash('sha1').update(`blob ${text.length}\0`, 'latin1').update(text, 'latin1').digest('hex');
}

/**
 * True when `id` (possibly abbreviated, >= 7 hex digits, not all zeros) names `text`.
 * `blobId`: how to get the text's id (a caller's memo; default gitBlobId).
 */
export function blobIdMatches(id: string | undefined, text: string, blobId: (text: string) => string = gitBlobId): boolean {
  if (!id || id.length < 7 || /^0+$/.test(id)) return false;
  return blobId(text).startsWith(id.toLowerCase());
}
