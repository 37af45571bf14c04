/**
 * Test helpers for the apply tests: a tiny unified-hunk reader (until the real parser
 * is used end to end) and temp-dir runners for real `patch`, `git`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir, withTempDir } from '../helpers/temp.js';
import type { FileChangeKind, FilePatch, Hunk, HunkLine } from '../../src/engine/types.js';

/** Hunks from unified text ("@@ -a,b +c,d @@\n ctx\n-old\n+new\n"), byte strings kept. */
export function hunksOf(text: string): Hunk[] {
  const out: Hunk[] = [];
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  lines.forEach((l, i) => {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*?)\r?\n?$/.exec(l);
    if (m) {
      out.push({
        oldStart: +m[1]!, oldCount: m[2] === undefined ? 1 : +m[2], newStart: +m[3]!,
        newCount: m[4] === undefined ? 1 : +m[4], section: m[5]!, lines: [], patchLine: i + 1,
      });
      return;
    }
    const h = out[out.length - 1];
    if (!h || l.startsWith('--- ') || l.startsWith('+++ ') || l.startsWith('diff ') || l.startsWith('index ')) return;
    if (l.startsWith('\\')) {
      const last = h.lines[h.lines.length - 1]!;
      last.text = last.text.replace(/\r?\n$/, '');
      return;
    }
    if (l[0] === ' ' || l[0] === '-' || l[0] === '+') h.lines.push({ op: l[0] as HunkLine['op'], text: l.slice(1) });
  });
  return out;
}

export function filePatch(path: string, text: string, extra: Partial<FilePatch> = {}): FilePatch {
  const kind: FileChangeKind = extra.kind ?? 'modify';
  const fp: FilePatch = {
    oldPath: kind === 'create' ? null : path,
    newPath: kind === 'delete' ? null : path,
    rawOld: kind === 'create' ? null : `a/${path}`,
    rawNew: kind === 'delete' ? null : `b/${path}`,
    kind, git: false, hunks: hunksOf(text), patchLine: 1, ...extra,
  };
  const idx = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/m.exec(text);
  if (idx && !extra.index) fp.index = { oldId: idx[1]!, newId: idx[2]! };
  return fp;
}

/** A temp folder, removed when the test file ends (test/helpers/temp.ts). */
export const tmp = (): string => tempDir('patchq-apply-');

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), Buffer.from(t, 'latin1'));
  }
}

export const readLatin1 = (p: string): string => readFileSync(p).toString('latin1');

/** Run real GNU patch; stdout lines and the exit code. */
export function gnuPatch(dir: string, patch: string, args: string[] = []): { out: string[]; code: number } {
  writeFileSync(join(dir, 'the.patch'), Buffer.from(patch, 'latin1'));
  const r = spawnSync('patch', ['-p1', '--no-backup-if-mismatch', '-i', 'the.patch', ...args], { cwd: dir, encoding: 'latin1' });
  return { out: r.stdout.split('\n').filter((l) => l !== ''), code: r.status ?? -1 };
}

export function git(dir: string, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'latin1', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `seq a b` as text. */
export const seq = (a: number, b: number): string => Array.from({ length: b - a + 1 }, (_, i) => `${a + i}\n`).join('');

/** Real `git merge-file -p ours base theirs`: text and whether it was clean. */
export function gitMergeFile(ours: string, base: string, theirs: string, diff3 = false): { text: string; clean: boolean } {
  // Property tests call this thousands of times: its folder goes as soon as git answers.
  return withTempDir('patchq-merge-', (dir) => {
    writeTree(dir, { ours, base, theirs });
    const args = ['merge-file', '-p', ...(diff3 ? ['--diff3'] : []), '-L', 'ours', '-L', 'base', '-L', 'theirs', 'ours', 'base', 'theirs'];
    try {
      return { text: execFileSync('git', args, { cwd: dir, encoding: 'latin1' }), clean: true };
    } catch (e) {
      return { text: (e as { stdout: string }).stdout, clean: false };
    }
  });
}
