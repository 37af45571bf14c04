/**
 * JSON for patchq's own files (records, the transaction's manifest and lists, the reapply
 * run's state, the parse cache), written as bytes one char each (latin1: the writers take
 * strings as byte strings, src/fsx/atomic.ts) and read back as latin1 or as UTF-8.
 *
 * Their strings are of two kinds: byte strings (file and patch texts, chars 0-255) and
 * names decoded from UTF-8 (tree paths: "日本.txt" is two chars past 255). JSON.stringify
 * leaves both as they are, and a latin1 write keeps only the low byte of a char past 255:
 * "日本" came back as "å,", and "Į" (U+012E) as "." (a path could turn into another).
 * So every char past `max` is written as a \uXXXX escape, which JSON.parse turns back into
 * the same char, whatever the reader's encoding:
 *   fileJson(v)             chars past 127 escaped: pure ASCII, for readers in UTF-8 or latin1
 *   escapeJson(json, 255)   chars past 255 escaped: for a latin1 reader (byte strings stay one
 *                           byte a char: the parse cache's patch texts)
 */
const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const PAST_127 = /[\u0080-\uffff]/g;
const PAST_255 = /[\u0100-\uffff]/g;

export const fileJson = (value: unknown, space?: number): string => escapeJson(JSON.stringify(value, null, space), 127);

/** JSON text with every char past `max` written as its \uXXXX escape (the same JSON value). */
export const escapeJson = (json: string, max: 127 | 255): string => json.replace(max === 127 ? PAST_127 : PAST_255, escape);
