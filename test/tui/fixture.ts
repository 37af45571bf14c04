/**
 * A real quilt tree for the TUI tests: files f1..fN.txt, one patch per file changing
 * line 5, written the way `quilt refresh` writes them; optional extras (a template
 * patch, a patch that cannot apply). Also a sized renderer: ink-testing-library's stdout
 * is always 100 columns, these tests need 80 and 120.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, type Instance } from 'ink';
import type { ReactElement } from 'react';
import { tempDir } from '../helpers/tree.js';

export const lines = (n: number, tag = 'l'): string => Array.from({ length: n }, (_, i) => `${tag}${i + 1}\n`).join('');

export function patchFor(file: string, from: string, to: string, header = ''): string {
  return `${header}Index: q/${file}\n${'='.repeat(67)}\n--- q.orig/${file}\n+++ q/${file}\n@@ -4,3 +4,3 @@\n l4\n-${from}\n+${to}\n l6\n`;
}

export interface Fixture {
  root: string;
  names: string[];
}

/** n plain patches; `broken` adds a patch whose context is not in its file; `template` a template patch. */
export function makeTree(n: number, opts: { broken?: boolean; template?: boolean } = {}): Fixture {
  const root = tempDir('patchq-tui-');
  mkdirSync(join(root, 'patches'));
  const names: string[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `${String(i).padStart(3, '0')}-change-f${i}.patch`;
    writeFileSync(join(root, `f${i}.txt`), lines(10));
    const header = i === 1 ? 'Subject: first change\nPatchq-Base: 1a2b3c4d5e6f\n\n' : '';
    writeFileSync(join(root, 'patches', name), patchFor(`f${i}.txt`, 'l5', `L5 changed by ${i}`, header));
    names.push(name);
  }
  if (opts.template) {
    writeFileSync(join(root, 'tpl.txt'), lines(10));
    const name = 'pool.patch';
    writeFileSync(join(root, 'patches', name), patchFor('tpl.txt', 'l5', 'pooled', 'Patchq-Template: sqlalchemy-staticpool\nPatchq-Template-Version: 1\nPatchq-Template-Params: \n\n'));
    names.push(name);
  }
  if (opts.broken) {
    writeFileSync(join(root, 'broken.txt'), lines(10, 'x'));
    const name = 'zz-broken.patch';
    writeFileSync(join(root, 'patches', name), patchFor('broken.txt', 'l5', 'never', 'Subject: does not apply\n\n'));
    names.push(name);
  }
  writeFileSync(join(root, 'patches', 'series'), names.join('\n') + '\n');
  return { root, names };
}

class SizedStdout extends EventEmitter {
  frames: string[] = [];
  constructor(public columns: number, public rows: number) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = () => this.frames[this.frames.length - 1] ?? '';
}

class KeyStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (d: string) => {
    this.data = d;
    this.emit('readable');
    this.emit('data', d);
  };
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** Render at a given terminal size; same shape as ink-testing-library's result. */
export function renderAt(el: ReactElement, columns: number, rows: number) {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new KeyStdin();
  const inst: Instance = render(el, { stdout: stdout as never, stdin: stdin as never, stderr: new SizedStdout(columns, rows) as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  return { stdout, stdin, lastFrame: stdout.lastFrame, unmount: () => inst.unmount(), resize(c: number, r: number) {
    stdout.columns = c;
    stdout.rows = r;
    stdout.emit('resize');
  } };
}

/** Poll until `fn` holds (bounded: 10 s), returning the last frame seen. */
export async function waitFor(frame: () => string | undefined, pred: (f: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 10_000;
  for (;;) {
    const f = frame() ?? '';
    if (pred(f)) return f;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export const KEY = { down: '\x1b[B', up: '\x1b[A', enter: '\r', esc: '\x1b' };
