/**
 * upgrade: quilt's `upgrade`, for a .pc an old quilt made (no .version, or one below 2).
 * Those quilts kept an applied patch under its name without the extension (.pc/fix/ and
 * "fix" in applied-patches for fix.patch in the series); upgrade gives each its series name
 * and writes .version "2". One transaction: a patch that cannot be matched to the series
 * leaves everything as it was (quilt's loop stops there with the earlier ones moved).
 *
 * The names matched are the ones quilt means (name, name.patch, name.diff, name.dif, each
 * also .gz or .bz2); quilt 0.66's grep pattern has `\.diff?` in a basic expression, so it
 * finds .patch only and its upgrade fails for .diff (README).
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PatchqError } from '../../engine/errors.js';
import type { Tree } from '../layout.js';
import { withLock } from '../session.js';
import { appliedOp, backupDir, readApplied, readSeriesOf, readText } from '../state.js';
import { applyTransaction, type FileOp } from '../transaction.js';

export type UpgradeResult = { converted: false; message: string } | { converted: true; renamed: Array<[string, string]> };

const CONVERSION_FAILED = (pc: string): string =>
  `Conversion failed\n\nPlease remove all patches using \`quilt pop -a' from the quilt version used to create this working tree, or remove the ${pc} directory and apply the patches from scratch.`;

/** quilt's version_check: undefined when the metadata is current (or there is no .pc), else the version found (null: none). */
export function oldVersion(tree: Tree): string | null | undefined {
  if (!existsSync(tree.pcDir)) return undefined;
  const text = readText(join(tree.pcDir, '.version'));
  const v = text?.trim() ?? null;
  if (v !== null && /^\d+$/.test(v) && Number(v) > 2) {
    throw new PatchqError('E_STATE', `The quilt meta-data in this tree has version ${v}, but this version of patchq can only handle meta-data formats up to and including version 2. Please pop all the patches using the version of quilt used to push them before downgrading.`);
  }
  return v === '2' ? undefined : v;
}

const EXT = /^(|\.patch|\.diff|\.dif)(|\.gz|\.bz2)$/;

/** The series name an old applied name stands for: itself when listed, else the one name it lacks an extension of. */
function properName(names: string[], old: string): string | undefined {
  if (names.includes(old)) return old;
  const found = names.filter((n) => n.startsWith(old) && EXT.test(n.slice(old.length)));
  return found.length === 1 ? found[0] : undefined;
}

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...filesBelow(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** `line`: quilt's "Converting meta-data to version 2", said before the conversion is tried. */
export function upgrade(tree: Tree, pcShown: string, line: (text: string) => void): UpgradeResult {
  if (oldVersion(tree) === undefined) return { converted: false, message: `The quilt meta-data in ${pcShown}/ are already in the version 2 format; nothing to do` };
  // Under the lock, but without the metadata a lock writes in a .pc without it: .version
  // is this transaction's last word.
  return withLock(
    tree,
    () => {
      if (oldVersion(tree) === undefined) return { converted: false, message: `The quilt meta-data in ${pcShown}/ are already in the version 2 format; nothing to do` };
      line('Converting meta-data to version 2');
      const names = readSeriesOf(tree).map((e) => e.name);
      const applied = readApplied(tree);
      const ops: FileOp[] = [];
      const renamed: Array<[string, string]> = [];
      const now = applied.map((old) => {
        const proper = properName(names, old);
        if (proper === undefined) throw new PatchqError('E_STATE', CONVERSION_FAILED(pcShown));
        const from = backupDir(tree, old);
        // As quilt: a name without its folder stays as it is.
        if (proper === old || !lstatSync(from, { throwIfNoEntry: false })?.isDirectory()) return old;
        const to = backupDir(tree, proper);
        if (existsSync(to)) throw new PatchqError('E_STATE', CONVERSION_FAILED(pcShown));
        // Moved file by file (hard links: times and modes kept), then the old folder goes.
        const files = filesBelow(from);
        for (const f of files) ops.push({ kind: 'copy', path: join(to, f), from: join(from, f) });
        if (files.length === 0) ops.push({ kind: 'mkdir', path: to });
        ops.push({ kind: 'rmtree', path: from });
        renamed.push([old, proper]);
        return proper;
      });
      if (now.some((n, i) => n !== applied[i])) ops.push(appliedOp(tree, now));
      ops.push({ kind: 'write', path: join(tree.pcDir, '.version'), data: '2\n' });
      applyTransaction(tree, ops);
      return { converted: true, renamed };
    },
    { metadata: false },
  );
}
