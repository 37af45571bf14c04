/**
 * Escape told from alt sequences: the splitter's rules, the timeout for an ESC that ends a
 * read, and ink reading the result (the app on a real tree, keys through EscInput).
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { render } from 'ink';
import { App } from '../../src/tui/app.js';
import { makeOps } from '../../src/tui/store.js';
import { ESC_KEY, ESC_TIMEOUT_MS, EscInput, EscSplitter } from '../../src/tui/esc-input.js';
import { makeTree, waitFor } from './fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A terminal's input: each `type` is one read. */
class Terminal extends EventEmitter {
  isTTY = true;
  private chunks: string[] = [];
  type(s: string) {
    this.chunks.push(s);
    this.emit('readable');
  }
  read = () => this.chunks.shift() ?? null;
  setEncoding() {}
  setRawMode() {}
  pause() {}
  resume() {}
  ref() {}
  unref() {}
}

describe('EscSplitter', () => {
  it.each([
    ['ESC then a letter', '\x1bq', `${ESC_KEY}q`],
    ['ESC then ? (no alt form at all: ink dropped the ESC)', '\x1b?', `${ESC_KEY}?`],
    ['ESC ESC', '\x1b\x1b', `${ESC_KEY}${ESC_KEY}`],
    ['an arrow', '\x1b[B', '\x1b[B'],
    ['an SS3 Home', '\x1bOH', '\x1bOH'],
    ['keys, ESC, enter', 'jj\x1b\r', `jj${ESC_KEY}\r`],
  ])('%s', (_, chunk, want) => {
    const s = new EscSplitter();
    expect(s.push(chunk) + s.flush()).toBe(want);
  });

  it('an ESC ending a read is held: the next read completes a sequence, or flush makes it Escape', () => {
    const s = new EscSplitter();
    expect(s.push('j\x1b')).toBe('j');
    expect(s.pending).toBe(true);
    expect(s.push('[A')).toBe('\x1b[A');
    expect(s.push('\x1b')).toBe('');
    expect(s.flush()).toBe(ESC_KEY);
    expect(s.flush()).toBe('');
  });
});

describe('EscInput', () => {
  it(`an ESC alone is passed on after ${ESC_TIMEOUT_MS} ms, not before; one whose sequence follows in time is that key`, async () => {
    const term = new Terminal();
    const input = new EscInput(term as never);
    const got: string[] = [];
    input.on('readable', () => {
      let c;
      while ((c = input.read()) !== null) got.push(c);
    });
    term.type('\x1b');
    await new Promise((r) => setTimeout(r, 10));
    term.type('[B');
    expect(got).toEqual(['\x1b[B']);
    const t0 = Date.now();
    term.type('\x1b');
    expect(got).toEqual(['\x1b[B']);
    await waitFor(() => got.join('|'), (x) => x.endsWith(ESC_KEY), 'Escape');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(ESC_TIMEOUT_MS - 5);
  });

  it('the app through it: esc j in one read from a diff goes back, then down; an arrow split across reads is one arrow', async () => {
    const { root, names } = makeTree(4);
    const term = new Terminal();
    const out = Object.assign(new EventEmitter(), { columns: 100, rows: 24, frames: [] as string[], write(f: string) { out.frames.push(f); return true; } });
    const inst = render(createElement(App, { ops: makeOps(root, {}), color: false }), { stdout: out as never, stdin: new EscInput(term as never) as never, debug: true, exitOnCtrlC: false, patchConsole: false });
    cleanups.push(() => inst.unmount());
    const frame = () => out.frames.at(-1) ?? '';
    const selected = (f: string) => f.split('\n').find((l) => l.includes('›')) ?? '';
    await waitFor(frame, (f) => f.includes(names[3]!), 'series');
    term.type('\r');
    await waitFor(frame, (f) => f.includes(`${names[0]}  (unapplied)`), 'diff');
    term.type('\x1bj');
    await waitFor(frame, (f) => f.includes('enter diff') && selected(f).includes(names[1]!), 'back, moved down');
    term.type('\x1b');
    await new Promise((r) => setTimeout(r, 10));
    term.type('[B');
    await waitFor(frame, (f) => selected(f).includes(names[2]!), 'one down');
    // Neither Escape nor '[' nor 'B' reached the app: no "is not a key" on the status line.
    await new Promise((r) => setTimeout(r, ESC_TIMEOUT_MS * 2));
    expect(frame()).not.toMatch(/is not a key|this is the stack already/);
    expect(selected(frame())).toContain(names[2]);
  });
});

describe('ctrl keys in a read with others', () => {
  it('"^Zj" in one read (ctrl-z then j typed fast): suspend, then down; "j^C": quits', async () => {
    const { root, names } = makeTree(3);
    let suspended = 0;
    let quit = 0;
    const { render: renderTest } = await import('ink-testing-library');
    const r = renderTest(createElement(App, { ops: makeOps(root, {}), color: false, onSuspend: () => void suspended++, onQuit: () => void quit++ }));
    cleanups.push(() => r.unmount());
    const selected = (f: string) => f.split('\n').find((l) => l.includes('›')) ?? '';
    await waitFor(r.lastFrame, (f) => f.includes(names[2]!), 'series');
    r.stdin.write('\x1aj');
    await waitFor(r.lastFrame, (f) => selected(f).includes(names[1]!), 'down after the suspend');
    expect(suspended).toBe(1);
    expect(r.lastFrame()).not.toContain('is not a key');
    r.stdin.write('j\x03');
    await waitFor(() => String(quit), (x) => x === '1', 'quit');
  });
});
