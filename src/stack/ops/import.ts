/**
 * import: copy external patches into patches/ and list them in the series right after
 * the top patch (quilt's `import`: they are not pushed). Accepted: plain diffs (diff -u,
 * diff -ruN, quilt's own), `git format-patch` files, and an mbox of several format-patch
 * mails (`git format-patch --stdout`), split one patch per mail, each named as git names
 * its files ("0001-Fix-the-parser.patch") and stored byte-identical to that file, so the
 * mail's From/Date/Subject and message are the patch's description.
 *
 * Check everything, then write: every input is read and parsed first (with the -p level
 * it will be pushed with); one that does not parse is refused as `FILE:LINE: reason` and
 * nothing is written (an empty file, or text without a diff, is an empty patch, as in quilt). Then one transaction writes the patch files and the series.
 *
 * quilt's rules kept: `-P` only with a single patch; an applied patch is never replaced;
 * a patch in the series is replaced only with -f, its header chosen by -d o|a|n
 * (o: old header + new diff, a: old header, "---", new patch, n: new patch as is; without
 * -d, the side that has a header wins and two different headers are refused).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { diffHunks, formatHunk, parsePatch } from '../../engine/index.js';
import { PatchqError, isPatchqError } from '../../engine/errors.js';
import { displayName, type Tree } from '../layout.js';
import { gitPatchName, isFromLine, mailHeaders, splitMailbox, stripPatchPrefix } from '../mail.js';
import { checkNesting, checkPatchName, insertEntry, parseSeries } from '../series.js';
import { loadState } from '../session.js';
import { backupDir, readText } from '../state.js';
import type { FileOp } from '../transaction.js';
import { checkedThenLocked, splitPatchText, stripDiffstat } from './header.js';
import { assertPatchPathInside, readPatch, writePatchOp, readPatchFile, writeSeriesOp } from '../patchfile.js';

export interface ImportOptions {
  /** -pN recorded in the series when not 1. */
  strip?: number;
  /** -R: the patch is applied in reverse. */
  reverse?: boolean;
  /** -P NAME: the name inside patches/ (a single patch only). */
  name?: string;
  /** -f: replace a patch of the series that is not applied. */
  force?: boolean;
  /** -d: whose header to keep when replacing. */
  desc?: 'o' | 'a' | 'n';
}

export interface ImportedPatch {
  name: string;
  /** The file as given on the command line. */
  source: string;
  /** 1-based mail number inside an mbox, null for a file holding one patch. */
  mail: number | null;
  replaced: boolean;
  files: string[];
}

export interface ImportResult {
  imported: ImportedPatch[];
  /** quilt's stdout lines. */
  lines: string[];
  /** quilt's stderr lines ("Replacing patch X with new version"). */
  warnings: string[];
}

interface Planned extends ImportedPatch {
  text: string;
}

export function importPatches(tree: Tree, cwd: string, files: string[], opts: ImportOptions = {}): ImportResult {
  if (files.length === 0) throw new PatchqError('E_USAGE', 'Usage: patchq import [-p N] [-R] [-P PATCH] [-f] [-d o|a|n] FILE...');
  if (opts.name !== undefined && files.length > 1) throw new PatchqError('E_STATE', "Option `-P' can only be used when importing a single patch");
  return checkedThenLocked(tree, () => {
    const { series, applied } = loadState(tree);
    const strip = opts.strip ?? 1;
    const res: ImportResult = { imported: [], lines: [], warnings: [] };
    const plan = files.flatMap((file) => planFile(tree, cwd, file, strip, opts, res.warnings));
    plan.forEach((p, i) => {
      const first = plan.findIndex((q) => q.name === p.name);
      if (first < i) throw new PatchqError('E_EXISTS', `Patch ${displayName(tree, p.name)} would be imported twice (from ${plan[first]!.source} and ${p.source})`);
    });
    const ops: FileOp[] = [];
    const oldSeries = readText(tree.seriesPath);
    let seriesText = oldSeries ?? '';
    let entries = series;
    let after = applied[applied.length - 1] ?? null;
    const options = [...(strip !== 1 ? [`-p${strip}`] : []), ...(opts.reverse ? ['-R'] : [])].join(' ');
    for (const p of plan) {
      const dest = join(tree.patchesDir, p.name);
      const shown = displayName(tree, p.name);
      let data = p.text;
      if (applied.includes(p.name)) throw new PatchqError('E_STATE', `Patch ${shown} is applied`);
      checkNesting(p.name, entries.map((e) => e.name), (n) => displayName(tree, n));
      if (series.some((e) => e.name === p.name)) {
        if (resolve(cwd, p.source) === dest && p.mail === null) throw new PatchqError('E_EXISTS', `Patch ${shown} already exists in series.`);
        if (!opts.force) throw new PatchqError('E_EXISTS', `Patch ${shown} exists. Replace with -f.`);
        data = mergeHeaders(readPatch(tree, p.name) ?? '', p.text, opts.desc);
        p.replaced = true;
        res.warnings.push(`Replacing patch ${shown} with new version`);
      } else if (existsSync(dest)) {
        res.lines.push(`Importing patch ${shown}`);
      } else {
        res.lines.push(`Importing patch ${p.source}${p.mail !== null ? ` (mail ${p.mail})` : ''} (stored as ${shown})`);
      }
      ops.push(writePatchOp(tree, p.name, data));
      if (!p.replaced) {
        seriesText = insertEntry(seriesText, entries, after, options ? `${p.name} ${options}` : p.name);
        entries = parseSeries(seriesText, tree.seriesPath);
        after = p.name;
      }
      // quilt: rm -rf .pc/<patch> (a stale folder of an unapplied patch)
      ops.push({ kind: 'rmtree', path: backupDir(tree, p.name) });
      res.imported.push({ name: p.name, source: p.source, mail: p.mail, replaced: p.replaced, files: p.files });
    }
    if (seriesText !== oldSeries) ops.push(writeSeriesOp(tree, seriesText));
    return { ops, result: res };
  });
}

/** The patches one FILE holds (one, or one per mail of an mbox), parsed and named. */
function planFile(tree: Tree, cwd: string, file: string, strip: number, opts: ImportOptions, warnings: string[]): Planned[] {
  const abs = resolve(cwd, file);
  if (!existsSync(abs)) throw new PatchqError('E_NOT_FOUND', `Patch ${file} does not exist`);
  // /dev/null (or a device like it) is an empty patch, as quilt's cat of it: `import -P
  // name /dev/null` is a way to start one. Other devices, folders and pipes (which a check
  // and then a locked run would read twice) are refused.
  if (!statSync(abs).isFile() && !isNullDevice(abs)) throw new PatchqError('E_IO', `Patch ${file} is not a file`);
  try {
    accessSync(abs, constants.R_OK); // named as given, where a read would name the absolute path
  } catch (e) {
    throw new PatchqError('E_IO', `Patch ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const text = readPatchFile(abs, file)!; // a .gz (.bz2, .xz...) patch is read as quilt's cat_file reads it
  const chunks = splitMailbox(text);
  if (chunks.length > 1 && opts.name !== undefined) throw new PatchqError('E_STATE', `Option \`-P' can only be used when importing a single patch (${file} holds ${chunks.length} mails)`);
  // An mbox file holding a single mail is named as git would name that mail, too.
  const byMail = chunks.length > 1 || (/\.(mbox|mbx|eml)$/i.test(file) && isFromLine(text.slice(0, text.indexOf('\n') + 1)));
  const out: Planned[] = [];
  chunks.forEach((chunk, k) => {
    const subject = byMail ? (mailHeaders(chunk.text)?.get('subject') ?? '') : '';
    // "[PATCH 2/5]" numbers the file as git did; "[PATCH 0/5]" is the cover letter.
    const numbered = /^\s*\[[^\]]*\bPATCH\b[^\]]*?\b(\d+)\/\d+\]/i.exec(subject);
    const number = numbered ? Number(numbered[1]) : k + 1;
    if (byMail && number === 0 && splitPatchText(chunk.text).body === '') {
      warnings.push(`Skipping the cover letter of ${file} (mail ${k + 1}): it holds no diff`);
      return;
    }
    const parsed = parseChecked(chunk.text, strip, file, chunk.line);
    let name = byMail && opts.name === undefined ? gitPatchName(number, stripPatchPrefix(subject || `patch ${number}`)) : (opts.name ?? basename(file));
    if (name.startsWith(`${tree.patchesName}/`)) name = name.slice(tree.patchesName.length + 1);
    checkPatchName(name, tree.seriesName);
    // The folders on the way stay in patches/; the file itself may be a symlink to a patch
    // kept elsewhere (writePatchOp writes through it, as quilt).
    if (existsSync(tree.patchesDir)) assertPatchPathInside(tree, name, false);
    const paths = [...new Set(parsed.files.flatMap((f) => [f.oldPath, f.newPath]).filter((p): p is string => !!p))];
    out.push({ name, source: file, mail: byMail ? k + 1 : null, replaced: false, files: paths, text: chunk.text });
  });
  return out;
}

/** A character device that is /dev/null (the same device number): reads as empty. */
function isNullDevice(abs: string): boolean {
  const st = statSync(abs);
  if (!st.isCharacterDevice()) return false;
  const devNull = statSync('/dev/null', { throwIfNoEntry: false });
  return devNull !== undefined && devNull.isCharacterDevice() && devNull.rdev === st.rdev;
}

/** Parse as push will; a failure points at FILE:LINE of the file as given (mbox lines included). */
function parseChecked(text: string, strip: number, file: string, firstLine: number) {
  let parsed;
  try {
    parsed = parsePatch(text, { strip, fileName: file });
  } catch (e) {
    if (!isPatchqError(e)) throw e;
    throw new PatchqError(e.code, e.message, { file, ...(e.line !== undefined ? { line: e.line + firstLine - 1 } : {}) });
  }
  // No diff at all (an empty file, a description only) is an empty patch, as for quilt.
  return parsed;
}

/** quilt's merge_patches for `import -f` over an existing patch. */
function mergeHeaders(oldText: string, newText: string, desc: ImportOptions['desc']): string {
  const oldDesc = stripDiffstat(splitPatchText(oldText).header);
  const newDesc = stripDiffstat(splitPatchText(newText).header);
  let d = desc;
  if (!d) {
    if (oldDesc.trim() === '') d = 'n';
    else if (newDesc.trim() === '') d = 'o';
    else if (oldDesc === newDesc) d = 'n';
    else {
      const diff = diffHunks(oldDesc, newDesc, 3).map(formatHunk).join('');
      throw new PatchqError('E_STATE', `Patch headers differ:\n${diff}Please use -d {o|a|n} to specify which patch header(s) to keep.`);
    }
  }
  if (d === 'n') return newText;
  if (d === 'o') return oldDesc + splitPatchText(newText).body;
  return `${oldDesc}---\n${newText}`;
}
