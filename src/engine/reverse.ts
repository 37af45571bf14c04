/**
 * Reverse a file patch: the new side becomes the old one.
 *   "@@ -3,2 +3,3 @@\n a\n-b\n+B\n+C\n" -> "@@ -3,3 +3,2 @@\n a\n-B\n-C\n+b\n"
 * Within each run of changed lines the removals are put first again, so a reversed
 * patch prints (and rejects) like one diff(1) would have written.
 * create <-> delete swap; rename/copy keep their kind with the paths swapped.
 */
import type { FileChangeKind, FilePatch, Hunk, HunkLine } from './types.js';

const KIND: Record<FileChangeKind, FileChangeKind> = {
  modify: 'modify',
  create: 'delete',
  delete: 'create',
  rename: 'rename',
  copy: 'copy',
};

export function reverseHunk(h: Hunk): Hunk {
  const lines: HunkLine[] = [];
  let run: HunkLine[] = [];
  const flush = (): void => {
    lines.push(...run.filter((l) => l.op === '-'), ...run.filter((l) => l.op === '+'));
    run = [];
  };
  for (const l of h.lines) {
    if (l.op === ' ') {
      flush();
      lines.push(l);
    } else run.push({ op: l.op === '+' ? '-' : '+', text: l.text });
  }
  flush();
  return {
    oldStart: h.newStart,
    oldCount: h.newCount,
    newStart: h.oldStart,
    newCount: h.oldCount,
    section: h.section,
    lines,
    patchLine: h.patchLine,
  };
}

export function reverseFilePatch(file: FilePatch): FilePatch {
  const out: FilePatch = {
    ...file,
    oldPath: file.newPath,
    newPath: file.oldPath,
    rawOld: file.rawNew,
    rawNew: file.rawOld,
    kind: KIND[file.kind],
    oldMode: file.newMode,
    newMode: file.oldMode,
    hunks: file.hunks.map(reverseHunk),
  };
  if (file.index) out.index = { oldId: file.index.newId, newId: file.index.oldId };
  if (file.binary) {
    out.binary = { hasData: file.binary.hasData, forward: file.binary.reverse, reverse: file.binary.forward };
  }
  return out;
}
