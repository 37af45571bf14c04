/**
 * `GIT binary patch` payloads: parse, decode, apply. Never garble: every size git
 * declares is checked, and anything off is a PatchqError E_PATCH_BINARY.
 *
 * Format (git's diff.c emit_binary_diff_body):
 *   GIT binary patch
 *   literal 12            <- or "delta N"; N = inflated size
 *   zcmV...               <- first char = byte count (A-Z 1..26, a-z 27..52), then base85
 *   <blank line>
 *   literal 0             <- optional reverse hunk
 *   Hc$@<O00001
 *   <blank line>
 */
import { createRequire } from 'node:module';
import { PatchqError } from './errors.js';
import { stripEol } from './lines.js';
import type { BinaryHunk, BinaryPatch } from './types.js';

// node:zlib (and the streams it brings) is loaded for the first binary hunk only: it is
// ~2-3 ms of the start of every command that loads the engine, and few patches are binary.
type Zlib = typeof import('node:zlib');
let zlib: Zlib | undefined;
const inflateSync: Zlib['inflateSync'] = (data, opts) => (zlib ??= createRequire(import.meta.url)('node:zlib') as Zlib).inflateSync(data, opts!);

const B85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const B85_VALUE = new Int16Array(256).fill(-1);
for (let i = 0; i < B85.length; i++) B85_VALUE[B85.charCodeAt(i)] = i;

/** Refuse payloads that claim more than this; a patch tool has no business inflating 1 GB. */
export const MAX_BINARY_SIZE = 256 * 1024 * 1024;

interface Where {
  file?: string;
  line?: number;
}

function fail(message: string, where: Where): never {
  throw new PatchqError('E_PATCH_BINARY', message, where);
}

/** Decode one base85 line (without its terminator) into bytes. */
function decodeLine(line: string, where: Where): Uint8Array {
  const c = line.charCodeAt(0);
  const len = c >= 65 && c <= 90 ? c - 64 : c >= 97 && c <= 122 ? c - 96 + 26 : -1;
  const body = line.slice(1);
  if (len < 0 || body.length % 5 !== 0 || Math.ceil(len / 4) * 5 !== body.length) {
    fail('corrupt binary patch line (bad length)', where);
  }
  const out = new Uint8Array((body.length / 5) * 4);
  for (let i = 0, o = 0; i < body.length; i += 5, o += 4) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const v = B85_VALUE[body.charCodeAt(i + j)]!;
      if (v < 0) fail('corrupt binary patch line (not base85)', where);
      acc = acc * 85 + v;
    }
    if (acc > 0xffffffff) fail('corrupt binary patch line (base85 overflow)', where);
    out[o] = acc >>> 24;
    out[o + 1] = (acc >>> 16) & 0xff;
    out[o + 2] = (acc >>> 8) & 0xff;
    out[o + 3] = acc & 0xff;
  }
  return out.subarray(0, len);
}

const toByteString = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
};

/**
 * Parse the lines after `GIT binary patch` (starting at `lines[start]`, 0-based; `lineNo`
 * is its 1-based line in the patch file). Returns the payload and the index after it.
 */
export function parseGitBinary(lines: string[], start: number, where: Where): { binary: BinaryPatch; next: number } {
  const hunks: BinaryHunk[] = [];
  let i = start;
  while (hunks.length < 2 && i < lines.length) {
    const head = /^(literal|delta) (\d+)$/.exec(stripEol(lines[i]!));
    if (!head) break;
    const size = Number(head[2]);
    const at = { ...where, line: (where.line ?? 0) + (i - start) };
    if (size > MAX_BINARY_SIZE) fail(`binary patch claims ${size} bytes; refusing more than ${MAX_BINARY_SIZE}`, at);
    i++;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (; i < lines.length; i++) {
      const l = stripEol(lines[i]!);
      if (l === '') break;
      const bytes = decodeLine(l, { ...where, line: (where.line ?? 0) + (i - start) });
      chunks.push(bytes);
      total += bytes.length;
    }
    i++; // the blank line
    const deflated = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      deflated.set(c, o);
      o += c.length;
    }
    let data: Uint8Array;
    try {
      data = inflateSync(deflated, { maxOutputLength: size + 1 });
    } catch {
      fail('corrupt binary patch (zlib data does not inflate)', at);
    }
    if (data.length !== size) fail(`corrupt binary patch (inflated ${data.length} bytes, header says ${size})`, at);
    hunks.push({ method: head[1] as 'literal' | 'delta', size, data: toByteString(data) });
  }
  if (hunks.length === 0) fail('GIT binary patch without a literal or delta hunk', where);
  // No key for a reverse hunk git did not write (not `reverse: undefined`): a parse is kept as
  // JSON between runs (the parse cache), and comes back from it as it was.
  return { binary: { hasData: true, forward: hunks[0]!, ...(hunks[1] ? { reverse: hunks[1] } : {}) }, next: i };
}

/** Read a git delta varint at `pos`; returns [value, next]. */
function varint(d: string, pos: number, where: Where): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= d.length) fail('corrupt binary delta (truncated size)', where);
    const b = d.charCodeAt(pos++);
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, pos];
    if (shift > 49) fail('corrupt binary delta (size too large)', where);
  }
}

/** Apply a git delta (copy/insert opcodes) to `base`. */
export function applyDelta(base: string, delta: string, where: Where = {}): string {
  let [srcSize, pos] = varint(delta, 0, where);
  if (srcSize !== base.length) fail(`binary delta expects a ${srcSize}-byte file, found ${base.length} bytes`, where);
  let dstSize: number;
  [dstSize, pos] = varint(delta, pos, where);
  const parts: string[] = [];
  let produced = 0;
  while (pos < delta.length) {
    const cmd = delta.charCodeAt(pos++);
    if (cmd & 0x80) {
      let off = 0;
      let len = 0;
      for (let bit = 0; bit < 4; bit++) if (cmd & (1 << bit)) off += delta.charCodeAt(pos++) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (cmd & (0x10 << bit)) len += delta.charCodeAt(pos++) * 2 ** (8 * bit);
      if (len === 0) len = 0x10000;
      if (off + len > base.length || pos > delta.length) fail('corrupt binary delta (copy out of range)', where);
      parts.push(base.slice(off, off + len));
      produced += len;
    } else if (cmd !== 0) {
      if (pos + cmd > delta.length) fail('corrupt binary delta (truncated insert)', where);
      parts.push(delta.slice(pos, pos + cmd));
      pos += cmd;
      produced += cmd;
    } else {
      fail('corrupt binary delta (opcode 0)', where);
    }
    if (produced > dstSize) fail('corrupt binary delta (result longer than declared)', where);
  }
  if (produced !== dstSize) fail(`corrupt binary delta (result ${produced} bytes, declared ${dstSize})`, where);
  return parts.join('');
}

/**
 * The new content of a binary file. `oldText` null means the file does not exist.
 * With `reverse`, the reverse hunk is used (git writes one for exactly that purpose).
 */
export function applyBinaryPatch(oldText: string | null, bin: BinaryPatch, where: Where = {}, reverse = false): string {
  if (!bin.hasData) {
    fail('binary file changed but the patch carries no data (regenerate it with git diff --binary)', where);
  }
  const hunk = reverse ? bin.reverse : bin.forward;
  if (!hunk) fail('binary patch has no reverse hunk', where);
  if (hunk.method === 'literal') return hunk.data;
  return applyDelta(oldText ?? '', hunk.data, where);
}
