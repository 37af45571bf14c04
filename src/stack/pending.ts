/**
 * A run of pushes or pops (`push -a`, `pop -a`, `push 5`...) is worked out in memory and
 * written as ONE transaction: each patch is checked against the tree as the patches before
 * it in the run left it (the overlay), and nothing is written until the run ends, stops at
 * a patch that fails, or needs the disk (a refresh reads it). Then every tree file is
 * written once, with its final text, however many patches of the run touched it.
 *
 * quilt's outcome is kept: when patch N fails, patches before it are applied (written) and
 * N is not; a crash leaves the stack as it was before the run or after it, never between.
 *
 *   const run = new PendingRun(tree, applied);
 *   run.text("a.c")            -> the text as the run left it (or the disk's)
 *   run.setText("a.c", t, 0o644); run.add(opsOfPatch); run.applied.push(name)
 *   run.flush()                -> the transaction: metadata, ops, tree files, applied-patches
 */
import { statSync } from 'node:fs';
import { readTreeEntry, treePath, modeOf } from './files.js';
import type { Tree } from './layout.js';
import { gitBlobId } from '../engine/git-hash.js';
import { appliedOp, metadataOps, readText } from './state.js';
import { applyTransaction, type FileOp } from './transaction.js';

/** A tree file as the run leaves it: new text, the bytes of another file (a backup), or gone. */
type Entry = { kind: 'text'; text: string; mode: number } | { kind: 'from'; path: string; hash?: string } | { kind: 'absent' };

export class PendingRun {
  private readonly files = new Map<string, Entry>();
  /** Modes of the disk files read so far (the read's lstat gives them). */
  private readonly diskModes = new Map<string, number>();
  private ops: FileOp[] = [];
  private written: string;
  /** The applied list as the run leaves it; flush() writes it when it changed. */
  applied: string[];

  constructor(
    private readonly tree: Tree,
    applied: string[],
  ) {
    this.applied = [...applied];
    this.written = this.applied.join('\n');
  }

  /** The run changed this file (so its disk version is not what the next patch sees). */
  has(rel: string): boolean {
    return this.files.has(rel);
  }

  /** Text of a tree file as the run leaves it; null = absent. Reads through the tree guard. */
  text(rel: string, where: { file?: string; line?: number } = {}): string | null {
    const e = this.files.get(rel);
    if (!e) {
      const got = readTreeEntry(this.tree, rel, where);
      if (got) this.diskModes.set(rel, got.mode);
      return got?.text ?? null;
    }
    if (e.kind === 'text') return e.text;
    if (e.kind === 'from') return readText(e.path);
    return null;
  }

  mode(rel: string): number | null {
    const e = this.files.get(rel);
    if (!e) return this.diskModes.get(rel) ?? modeOf(this.tree, rel);
    if (e.kind === 'text') return e.mode;
    if (e.kind === 'from') return statSync(e.path).mode & 0o7777;
    return null;
  }

  setText(rel: string, text: string | null, mode: number): void {
    this.files.set(rel, text === null ? { kind: 'absent' } : { kind: 'text', text, mode });
  }

  /**
   * The file becomes the bytes and mode of `path` (a .pc backup), restored with a fresh
   * mtime. `hash`: the backup's contentId when the record knows it (hash() then reads nothing).
   */
  setFrom(rel: string, path: string | null, hash?: string): void {
    this.files.set(rel, path === null ? { kind: 'absent' } : { kind: 'from', path, ...(hash !== undefined ? { hash } : {}) });
  }

  /** contentId of the text as the run leaves it (null: absent), without a read when it is known. */
  hash(rel: string): string | null {
    const e = this.files.get(rel);
    if (e?.kind === 'from' && e.hash !== undefined) return e.hash;
    return this.contentId(this.text(rel));
  }

  /**
   * contentId (git's blob id) of a text, remembered for the run: a push -a records each
   * file's id after a patch, and the next patch that touches it asks for the same text's
   * id twice (the engine's identity check, its backup in the record).
   */
  contentId(text: string | null): string | null {
    return text === null ? null : this.blobId(text);
  }
  /** contentId of a text that exists: the engine's ApplyOptions.blobId. */
  readonly blobId = (text: string): string => {
    let h = this.hashes.get(text);
    if (h === undefined) this.hashes.set(text, (h = gitBlobId(text)));
    return h;
  };
  private readonly hashes = new Map<string, string>();

  /**
   * The .pc backup of a tree file as the run has it now (`text`, read through text()),
   * with its mode; 0 bytes = did not exist. A file the run has not touched yet is backed
   * up as a copy op: the transaction hard-links it when it replaces the file later on.
   */
  backupOp(rel: string, to: string, text: string | null): FileOp {
    if (text === null) return { kind: 'write', path: to, data: '', mode: 0o644 };
    const e = this.files.get(rel);
    if (!e) return { kind: 'copy', path: to, from: treePath(this.tree, rel) };
    return { kind: 'write', path: to, data: text, mode: this.mode(rel) ?? 0o644 };
  }

  add(ops: FileOp[]): void {
    this.ops.push(...ops);
  }

  get empty(): boolean {
    return this.ops.length === 0 && this.files.size === 0 && this.applied.join('\n') === this.written;
  }

  /** Write everything decided so far as one transaction, and start over from there. */
  flush(): void {
    if (this.empty) return;
    // Order matters for the hard links (transaction.ts, FileOp copy): a restore from a
    // backup comes before the rmtree of that backup's folder (in this.ops), a backup of a
    // tree file (in this.ops) before the write that replaces the file.
    const restores: FileOp[] = [];
    const tree: FileOp[] = [];
    for (const [rel, e] of this.files) {
      const path = treePath(this.tree, rel);
      if (e.kind === 'absent') tree.push({ kind: 'delete', path });
      else if (e.kind === 'text') tree.push({ kind: 'write', path, data: e.text, mode: e.mode });
      else restores.push({ kind: 'copy', path, from: e.path, touch: true });
    }
    const ops = [...metadataOps(this.tree), ...restores, ...this.ops, ...tree];
    if (this.applied.join('\n') !== this.written) ops.push(appliedOp(this.tree, this.applied));
    try {
      applyTransaction(this.tree, ops);
    } catch (e) {
      // Rolled back: none of it is on disk. It is forgotten with the applied list it would
      // have written, so that no later flush (a run's clean-up after the error) writes it.
      this.drop();
      this.applied.splice(0, this.applied.length, ...(this.written === '' ? [] : this.written.split('\n')));
      throw e;
    }
    this.files.clear();
    this.hashes.clear();
    this.ops = [];
    this.written = this.applied.join('\n');
  }

  /** Forget what is pending (dry runs). */
  drop(): void {
    this.files.clear();
    this.hashes.clear();
    this.ops = [];
  }
}
