/**
 * export: the series (or the named patches, in series order) as `git format-patch`
 * mails, one file each, "0001-<subject>.patch", so that `git am DIR/*.patch` on the base
 * tree makes one commit per patch, in order:
 *
 *   From <sha1 of the patch file> Mon Sep 17 00:00:00 2001
 *   From: Ann Smith <ann@example.com>          header From:/Author:, else the fallback
 *   Date: Sun, 29 Nov 2026 10:49:16 +0000      header Date:, DEP-3 Last-Update, file mtime
 *   Subject: [PATCH 1/3] Fix the parser        Subject:/Description:, first line, the name
 *
 *   long description, other DEP-3 fields as trailers
 *   ---
 *
 *   diff --git a/f.c b/f.c                     every file re-written in git form, with the
 *   --- a/f.c                                  series entry's -p level and -R applied
 *   +++ b/f.c
 *   @@ ... @@
 *   --
 *   patchq <version>
 *
 * Nothing in the stack changes, so no transaction: everything is computed first, then
 * each mail is written atomically into DIR.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatHunk, parsePatch, reverseFilePatch } from '../../engine/index.js';
import { PatchqError } from '../../engine/errors.js';
import type { BinaryHunk, FilePatch } from '../../engine/types.js';
import { mkdirp, writeFileAtomic } from '../../fsx/atomic.js';
import type { Tree } from '../layout.js';
import { formatMail, gitPatchName, mailHeaders, parseDep3, rfc2822 } from '../mail.js';
import { loadState } from '../session.js';
import { sha1 } from '../state.js';
import { findPatch, splitPatchText } from './header.js';
import { loadZlib, readPatch } from '../patchfile.js';

export interface ExportOptions {
  /** Patch names (quilt lookup); default the whole series. */
  names?: string[];
  /** Absolute output directory (created when missing). */
  outDir: string;
  /** "[PATCH n/m]" subjects (git's -n); default "[PATCH]". */
  numbered?: boolean;
  /** "Name <email>" for patches whose header names no author. */
  author: string;
  /** Signature line after "-- ". */
  signature: string;
  /** Where the command runs (a "../patches/x" name is read from there). */
  cwd?: string;
}

export interface ExportedPatch {
  patch: string;
  /** Absolute path of the mail written. */
  file: string;
  subject: string;
  author: string;
  date: string;
}

export interface ExportResult {
  exported: ExportedPatch[];
  /** Patches left out (no diff in them: git am refuses empty patches). */
  skipped: string[];
}

/** Fields that belong to the mail transport or to patchq, not to the commit message. */
const NOT_TRAILERS = /^(Description|Author|Date|To|Cc|Bcc|Message-I[dD]|In-Reply-To|References|Reply-To|Sender|MIME-Version|Content-.*|X-.*|Patchq-.*|Last-Update)$/i;

const utf8Bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** One file of a parsed patch in git's form. */
export function gitFileDiff(f: FilePatch, where: string): string {
  if (f.binary && !f.binary.forward) {
    throw new PatchqError('E_PATCH_UNSUPPORTED', `binary change of ${f.newPath ?? f.oldPath} has no data ("Binary files differ"): it cannot be exported`, { file: where, line: f.patchLine });
  }
  const oldP = utf8Bytes(f.oldPath ?? f.newPath!);
  const newP = utf8Bytes(f.newPath ?? f.oldPath!);
  let out = `diff --git a/${oldP} b/${newP}\n`;
  if (f.oldPath === null) out += `new file mode ${f.newMode ?? '100644'}\n`;
  else if (f.newPath === null) out += `deleted file mode ${f.oldMode ?? '100644'}\n`;
  else if (f.oldMode && f.newMode && f.oldMode !== f.newMode) out += `old mode ${f.oldMode}\nnew mode ${f.newMode}\n`;
  if ((f.kind === 'rename' || f.kind === 'copy') && f.oldPath && f.newPath) {
    const verb = f.kind === 'rename' ? 'rename' : 'copy';
    // git apply needs only the from/to lines; the similarity is written when the patch had one.
    out += `${f.similarity !== undefined ? `similarity index ${f.similarity}%\n` : ''}${verb} from ${oldP}\n${verb} to ${newP}\n`;
  }
  if (f.index) {
    const mode = f.oldPath !== null && f.newPath !== null && !(f.oldMode && f.newMode && f.oldMode !== f.newMode) && f.oldMode ? ` ${f.oldMode}` : '';
    out += `index ${f.index.oldId}..${f.index.newId}${mode}\n`;
  }
  if (f.binary?.forward) {
    return out + 'GIT binary patch\n' + encodeBinaryHunk(f.binary.forward) + (f.binary.reverse ? encodeBinaryHunk(f.binary.reverse) : '');
  }
  if (f.hunks.length === 0) return out;
  out += `--- ${f.oldPath === null ? '/dev/null' : `a/${oldP}`}\n+++ ${f.newPath === null ? '/dev/null' : `b/${newP}`}\n`;
  return out + f.hunks.map(formatHunk).join('');
}

const B85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/**
 * One `literal N` / `delta N` block as git writes it (diff.c emit_binary_diff_body): the
 * data deflated, in lines of up to 52 bytes, each led by its length (A-Z = 1-26, a-z =
 * 27-52) and base85-encoded 4 bytes -> 5 characters, then a blank line.
 */
export function encodeBinaryHunk(h: BinaryHunk): string {
  // node:zlib is loaded for a binary hunk only (this module is in the chunk push and pop load).
  const z = loadZlib().deflateSync(Buffer.from(h.data, 'latin1'));
  let out = `${h.method} ${h.size}\n`;
  for (let i = 0; i < z.length; i += 52) {
    const chunk = z.subarray(i, i + 52);
    out += chunk.length <= 26 ? String.fromCharCode(64 + chunk.length) : String.fromCharCode(96 + chunk.length - 26);
    for (let j = 0; j < chunk.length; j += 4) {
      let acc = ((chunk[j] ?? 0) * 2 ** 24) + ((chunk[j + 1] ?? 0) << 16) + ((chunk[j + 2] ?? 0) << 8) + (chunk[j + 3] ?? 0);
      let five = '';
      for (let t = 0; t < 5; t++) {
        five = B85[acc % 85]! + five;
        acc = Math.floor(acc / 85);
      }
      out += five;
    }
    out += '\n';
  }
  return out + '\n';
}

/** "2026-11-23" (DEP-3 Last-Update) -> RFC 2822 at midnight UTC; null when not a date. */
function dayDate(v: string | undefined): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v ?? '');
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? null : rfc2822(d);
}

export function exportSeries(tree: Tree, opts: ExportOptions): ExportResult {
  const { series } = loadState(tree);
  const wanted = opts.names?.length ? new Set(opts.names.map((n) => findPatch(tree, series, n, opts.cwd))) : null;
  const entries = series.filter((e) => !wanted || wanted.has(e.name));
  if (entries.length === 0) throw new PatchqError('E_NOTHING', 'No patches in series');
  const mails: Array<{ e: (typeof entries)[number]; text: string; subject: string; author: string; date: string; body: string; diff: string }> = [];
  const skipped: string[] = [];
  for (const e of entries) {
    const path = join(tree.patchesDir, e.name);
    const text = readPatch(tree, e.name);
    if (text === null) throw new PatchqError('E_NOT_FOUND', `Patch ${e.name} does not exist`);
    const parsed = parsePatch(text, { strip: e.strip, fileName: path });
    const files = e.reverse ? parsed.files.map(reverseFilePatch) : parsed.files;
    if (files.length === 0) {
      skipped.push(e.name);
      continue;
    }
    const header = splitPatchText(text).header;
    const dep3 = parseDep3(header);
    const mail = mailHeaders(header);
    const subject = dep3.subject ?? e.name.replace(/\.(patch|diff)$/, '');
    const trailers = Object.entries(dep3.fields)
      .filter(([k]) => !NOT_TRAILERS.test(k))
      .map(([k, v]) => `${k}: ${v.split('\n').join('\n ')}`);
    const body = [dep3.body, trailers.join('\n')].filter((s) => s.trim() !== '').join('\n\n');
    const date = mail?.get('date') ?? dep3.fields.Date ?? dayDate(dep3.fields['Last-Update']) ?? rfc2822(statSync(path).mtime);
    const author = dep3.fields.Author && /<[^>]+@[^>]+>/.test(dep3.fields.Author) ? dep3.fields.Author.split('\n')[0]! : opts.author;
    mails.push({ e, text, subject, author, date, body, diff: files.map((f) => gitFileDiff(f, path)).join('') });
  }
  if (existsSync(opts.outDir) && !statSync(opts.outDir).isDirectory()) throw new PatchqError('E_USAGE', `${opts.outDir} is not a directory`);
  const exported: ExportedPatch[] = [];
  const out = mails.map((m, i) => {
    const prefix = opts.numbered && mails.length > 1 ? `[PATCH ${i + 1}/${mails.length}]` : '[PATCH]';
    const data = formatMail({ id: sha1(m.text)!, author: m.author, date: m.date, subject: m.subject, body: m.body, diff: m.diff, prefix, signature: opts.signature });
    const file = join(opts.outDir, gitPatchName(i + 1, m.subject));
    if (existsSync(file) && !statSync(file).isFile()) throw new PatchqError('E_IO', 'is a directory, where a file was expected', { file });
    exported.push({ patch: m.e.name, file, subject: m.subject, author: m.author, date: m.date });
    return { file, data };
  });
  // What the file system refuses (a file above DIR, no permission) is one line naming the place.
  const refused = (e: unknown, file: string, what: string) => new PatchqError('E_IO', `cannot ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  try {
    mkdirp(opts.outDir);
  } catch (e) {
    throw refused(e, opts.outDir, 'make this folder');
  }
  for (const { file, data } of out) {
    try {
      writeFileAtomic(file, Buffer.from(data, 'latin1'));
    } catch (e) {
      throw refused(e, file, 'write it');
    }
  }
  return { exported, skipped };
}
