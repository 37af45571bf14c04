/**
 * A blob's size, and its content read a piece at a time, straight from git's object files
 * (loose objects and v2 packs), without inflating the whole object: for rename detection
 * over a pull that adds thousands of files, most of which a bound on size or line count
 * rules out (src/git/renames.ts). Read-only. Anything this does not know (an alternate
 * object store, an old index format, a damaged file) answers null, and the caller reads
 * the blob whole through isomorphic-git as before.
 *
 * Formats (git's Documentation/gitformat-pack.txt):
 *   loose  objects/ab/cdef...: zlib("blob 1234\0" + content)
 *   .idx   v2: "\377tOc", 2, fanout[256], ids[n], crc[n], offsets[n] (MSB set: index into
 *          the 8-byte offsets that follow)
 *   .pack  at an offset: type (bits 4-6 of the first byte) and size (4 bits, then 7 a byte
 *          while the MSB is set); OFS_DELTA (6) a base offset, REF_DELTA (7) a base id,
 *          then zlib data: the content, or for a delta its base size and result size
 *          (7-bit varints) and the instructions
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// node:zlib is loaded when a rename is first looked for: this module is in the chunk every
// command loads, and loading it costs each start a few ms.
type Zlib = typeof import('node:zlib');
let zlib: Zlib | undefined;
const req = () => createRequire(import.meta.url);

const BLOB = 3;
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** What a blob's header says, and a reader of its content from the start (null for a delta). */
export interface BlobHead {
  size: number;
  /** The first `atLeast` bytes of the content (or all of it, when shorter), as latin1; null if unreadable. */
  prefix: ((atLeast: number) => string | null) | null;
}

const idxCache = new Map<string, { idx: Buffer; pack: string }[] | null>();

/** The v2 pack indexes under `objects`, read once for the same set of packs; null when one is not v2. */
function packs(objects: string): { idx: Buffer; pack: string }[] | null {
  const dir = join(objects, 'pack');
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.idx')).sort() : [];
  const key = `${objects}\0${names.join('\0')}`;
  if (idxCache.has(key)) return idxCache.get(key)!;
  let list: { idx: Buffer; pack: string }[] | null = [];
  for (const n of names) {
    const idx = readFileSync(join(dir, n));
    if (idx.length < 8 + 1024 || idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) {
      list = null;
      break;
    }
    list.push({ idx, pack: join(dir, `${n.slice(0, -4)}.pack`) });
  }
  idxCache.set(key, list);
  return list;
}

/** The pack and offset holding `oid`; undefined when no pack has it; null when a pack cannot be read. */
function findPacked(objects: string, oid: string): { pack: string; offset: number } | null | undefined {
  const want = Buffer.from(oid, 'hex');
  const list = packs(objects);
  if (!list) return null;
  for (const { idx, pack } of list) {
    const first = want[0]!;
    const n = idx.readUInt32BE(8 + 255 * 4);
    let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
    let hi = idx.readUInt32BE(8 + first * 4);
    const ids = 8 + 1024;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = idx.compare(want, 0, 20, ids + mid * 20, ids + mid * 20 + 20) * -1;
      if (c === 0) {
        const offs = ids + n * 20 + n * 4;
        const o = idx.readUInt32BE(offs + mid * 4);
        if (!(o & 0x80000000)) return { pack, offset: o };
        const big = offs + n * 4 + (o & 0x7fffffff) * 8;
        return { pack, offset: Number(idx.readBigUInt64BE(big)) };
      }
      if (c < 0) hi = mid;
      else lo = mid + 1;
    }
  }
  return undefined;
}

/** `length` bytes of `file` from `offset` (fewer at its end). */
function readAt(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const got = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** What zlib gives for the start of a stream (as much as the input holds). */
function inflatePart(data: Buffer): Buffer {
  zlib ??= req()('node:zlib') as Zlib;
  return zlib.inflateSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/**
 * Content from a zlib stream starting at `offset` of `file`, after `skip` inflated bytes:
 * compressed input read in doubling pieces until `atLeast` bytes (or the whole `size`) come out.
 */
function prefixReader(file: string, offset: number, skip: number, size: number): (atLeast: number) => string | null {
  let out: Buffer = Buffer.alloc(0); // what was inflated so far (a later call asking no more reads nothing)
  let chunk = 16 * 1024;
  return (atLeast) => {
    const want = Math.min(size, atLeast) + skip;
    for (let got = -1; out.length < want; chunk *= 2) {
      // The file's end, or a stream that ended short of its stated size: not what git wrote.
      if (out.length === got) return null;
      got = out.length;
      const data = readAt(file, offset, chunk);
      try {
        out = inflatePart(data);
      } catch {
        return null;
      }
      if (out.length < want && data.length < chunk) return null;
    }
    return out.subarray(skip, want).toString('latin1');
  };
}

/** A 7-bit little-endian varint (a delta's sizes) at `at`: value and the next position. */
function varint(b: Buffer, at: number): [number, number] | null {
  let v = 0;
  let shift = 0;
  for (let i = at; i < b.length; i++) {
    v += (b[i]! & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b[i]! & 0x80)) return [v, i + 1];
  }
  return null;
}

/**
 * A blob's size and a reader of its content's start, from its header alone; null when the
 * object is not a blob this can read (the caller then reads it whole, as before).
 */
export function blobHead(gitdir: string, oid: string): BlobHead | null {
  if (!/^[0-9a-f]{40}$/.test(oid)) return null;
  try {
    const loose = join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
    if (existsSync(loose)) {
      const head = inflatePart(readAt(loose, 0, 64));
      const nul = head.indexOf(0);
      const m = /^blob (\d+)$/.exec(head.subarray(0, nul).toString('latin1'));
      if (nul < 0 || !m) return null;
      const size = Number(m[1]);
      return { size, prefix: prefixReader(loose, 0, nul + 1, size) };
    }
    const at = findPacked(join(gitdir, 'objects'), oid);
    if (!at) return null;
    const h = readAt(at.pack, at.offset, 64);
    let i = 0;
    const type = (h[0]! >> 4) & 7;
    let size = h[0]! & 15;
    let shift = 4;
    while (h[i]! & 0x80) {
      i++;
      size += (h[i]! & 0x7f) * 2 ** shift;
      shift += 7;
    }
    i++;
    if (type === BLOB) return { size, prefix: prefixReader(at.pack, at.offset + i, 0, size) };
    if (type === OFS_DELTA) {
      while (h[i]! & 0x80) i++;
      i++;
    } else if (type === REF_DELTA) i += 20;
    else return null;
    // A delta's result size is its second varint: the start of its zlib data tells it.
    const d = inflatePart(readAt(at.pack, at.offset + i, 256));
    const base = varint(d, 0);
    const result = base ? varint(d, base[1]) : null;
    return result ? { size: result[0], prefix: null } : null;
  } catch {
    return null;
  }
}
