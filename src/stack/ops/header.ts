/**
 * header: print, append to or replace the text above a patch's diff (quilt's `header`).
 * The diff part is never re-generated: the new file is the new header followed by the
 * old body bytes, cut where quilt cuts (`^(---|\*\*\*|Index:)[ \t][^ \t]|^diff -`, with
 * parse.ts's look at the next line so prose such as "--- see below" stays in the header).
 *
 * Also here, shared by import/delete/rename/export: the named-or-top lookup, strip_diffstat
 * and the check-then-lock wrapper.
 */
import { join } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import { findBodyStart } from '../../engine/parse.js';
import { findPatch as findInSeries } from '../find.js';
import { displayName, type Tree } from '../layout.js';
import type { SeriesEntry } from '../series.js';
import { loadState, withLock } from '../session.js';
import { readText } from '../state.js';
import { applyTransaction, type FileOp } from '../transaction.js';
import { patchBackupOp, readPatch, writePatchOp } from '../patchfile.js';

/** Header and body of a patch text; body '' when there is no diff. Byte strings. */
export function splitPatchText(text: string): { header: string; body: string } {
  const lines = text.split(/(?<=\n)/);
  const start = findBodyStart(lines.map((l) => l.replace(/\r?\n$/, '')));
  if (start < 0) return { header: text, body: '' };
  return { header: lines.slice(0, start).join(''), body: lines.slice(start).join('') };
}

/**
 * quilt's strip_diffstat (scripts/patchfns): lines with " | " are held back and dropped
 * when a "N files changed..." line follows; otherwise they are printed after all.
 */
export function stripDiffstat(text: string): string {
  const out: string[] = [];
  let eat: string[] = [];
  const lines = text.split(/(?<=\n)/);
  for (const l of lines) {
    const v = l.replace(/\n$/, '');
    if (/ .* \| /.test(v)) {
      eat.push(l);
      continue;
    }
    if (/^#? .* files? changed(, .* insertions?\(\+\))?(, .* deletions?\(-\))?/.test(v)) {
      eat = [];
      continue;
    }
    out.push(...eat, l);
    eat = [];
  }
  return out.join('');
}

export const stripTrailingWhitespace = (text: string): string => text.replace(/[ \t]+$/gm, '');

/** quilt's find_patch over the series (find.ts): "fix" names "fix.patch" when that is the only candidate. */
export function findPatch(tree: Tree, series: SeriesEntry[], given: string, cwd?: string): string {
  return findInSeries(tree, series.map((e) => e.name), given, cwd);
}

/** The named patch, or the top one; quilt's messages when there is none. */
export function patchOrTop(tree: Tree, series: SeriesEntry[], applied: string[], given: string | undefined, cwd?: string): string {
  if (given) return findPatch(tree, series, given, cwd);
  const top = applied[applied.length - 1];
  if (top) return top;
  if (series.length > 0) throw new PatchqError('E_STATE', 'No patches applied');
  throw new PatchqError('E_STATE', existsSeries(tree) ? 'No patches in series' : 'No series file found');
}

const existsSeries = (tree: Tree) => readText(tree.seriesPath) !== null;

export interface HeaderInfo {
  name: string;
  header: string;
  /** The patch file exists (quilt prints nothing and exits 0 when it does not). */
  exists: boolean;
}

export function readHeader(tree: Tree, given?: string, cwd?: string): HeaderInfo {
  const { series, applied } = loadState(tree);
  const name = patchOrTop(tree, series, applied, given, cwd);
  const text = readPatch(tree, name);
  return { name, header: text === null ? '' : splitPatchText(text).header, exists: text !== null };
}

export interface WriteHeaderOptions {
  /** Keep the old patch file as PATCH~. */
  backup?: boolean;
  stripDiffstat?: boolean;
  stripTrailingWhitespace?: boolean;
  /**
   * On replace, keep the old header's `Patchq-*:` lines (Patchq-Base, Patchq-Template...)
   * when the new text has none: they are patchq's state (reapply's 3-way base, the link to
   * a template), not prose, and `header -r` with a new description must not cut them.
   */
  keepPatchqLines?: boolean;
  /** Where the command runs (a "../patches/x" name is read from there). */
  cwd?: string;
}

const PATCHQ_LINE = /^Patchq-[A-Za-z-]+:.*$/gm;

/** `header` with the old Patchq-* lines as a trailer paragraph at its end. */
export function keepPatchqLines(oldHeader: string, header: string): string {
  const kept = oldHeader.match(PATCHQ_LINE) ?? [];
  if (kept.length === 0 || /^Patchq-[A-Za-z-]+:/m.test(header)) return header;
  const text = header.replace(/\s+$/, '');
  return `${text}${text === '' ? '' : '\n\n'}${kept.join('\n')}\n\n`;
}

export interface WriteHeaderResult {
  name: string;
  header: string;
  changed: boolean;
  message: string;
}

/**
 * Append `text` to the header (`append`) or replace the header with it (`replace`), in
 * one transaction under the lock. The body is re-read here, under the lock, so an edit
 * that took minutes in $EDITOR cannot lose a refresh made meanwhile.
 */
export function writeHeader(tree: Tree, given: string | undefined, mode: 'append' | 'replace', text: string, opts: WriteHeaderOptions = {}): WriteHeaderResult {
  return checkedThenLocked(tree, () => {
    const { series, applied } = loadState(tree);
    const name = patchOrTop(tree, series, applied, given, opts.cwd);
    const path = join(tree.patchesDir, name);
    const old = readPatch(tree, name);
    const { header: oldHeader, body } = splitPatchText(old ?? '');
    // quilt reads the old header line by line (awk), so it always ends with a newline.
    const before = oldHeader === '' || oldHeader.endsWith('\n') ? oldHeader : `${oldHeader}\n`;
    let header = mode === 'append' ? before + text : opts.keepPatchqLines ? keepPatchqLines(oldHeader, text) : text;
    if (header !== '' && !/[\n\r]$/.test(header)) header += '\n'; // quilt's ensure_trailing_newline
    if (opts.stripDiffstat) header = stripDiffstat(header);
    if (opts.stripTrailingWhitespace) header = stripTrailingWhitespace(header);
    const next = header + body;
    const ops: FileOp[] = [];
    // --backup keeps PATCH~ whether or not the header changed, as quilt's header does (it
    // moves the old file aside and writes the new one, the same bytes or not).
    if (next !== old || (opts.backup && old !== null)) {
      // quilt's mv: PATCH~ is the old file itself (mode, time; a link, as the write follows).
      if (opts.backup && old !== null) ops.push(patchBackupOp(path));
      ops.push(writePatchOp(tree, name, next));
    }
    const shown = displayName(tree, name);
    const message = mode === 'append' ? `Appended text to header of patch ${shown}` : `Replaced header of patch ${shown}`;
    return { ops, result: { name, header, changed: next !== old, message } };
  });
}

/**
 * Run `compute` once before the lock to refuse bad input with nothing written (taking the
 * lock creates .pc/ and quilt's metadata in a tree that has none yet), then again under the
 * lock, where its FileOps become the one transaction.
 */
export function checkedThenLocked<T>(tree: Tree, compute: () => { ops: FileOp[]; result: T }): T {
  compute();
  return withLock(tree, () => {
    const c = compute();
    applyTransaction(tree, c.ops);
    return c.result;
  });
}

/** What `quilt header --dep3 -e` puts in an empty header (QUILT.md 2.5). */
export function dep3Template(today: string): string {
  return [
    'Description: <short description, required>',
    ' <long description that can span multiple lines, optional>',
    'Author: <name and email of author, optional>',
    'Origin: <upstream|backport|vendor|other>, <URL, required except if Author is present>',
    'Bug: <URL to the upstream bug report if any, implies patch has been forwarded, optional>',
    'Bug-<Vendor>: <URL to the vendor bug report if any, optional>',
    'Forwarded: <URL|no|not-needed, useless if you have a Bug field, optional>',
    'Applied-Upstream: <version|URL|commit, identifies patches merged upstream, optional>',
    'Reviewed-by: <name and email of a reviewer, optional>',
    `Last-Update: ${today} <YYYY-MM-DD, last update of the meta-information, optional>`,
    '---',
    'This patch header follows DEP-3: http://dep.debian.net/deps/dep3/',
    '',
  ].join('\n');
}
