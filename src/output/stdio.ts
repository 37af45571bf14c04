/**
 * stdout and stderr. Where the descriptor is not a terminal (a file, a pipe, /dev/null),
 * patchq writes to it directly with write(2): making process.stdout loads Node's stream
 * modules, ~2.5 ms of every command, for output that needs none of them. A terminal keeps
 * process.stdout and process.stderr (the TUI, colours and the progress bar live there).
 *
 * A closed pipe (`patchq series | head -1`) is the reader's choice: what is left to print
 * is dropped and the command goes on to its end (a push is not cut short by it). Any other
 * error of a write (a full disk, EIO: `patchq applied > /dev/full`) drops the rest alike,
 * and is remembered: cli.ts then says the output was lost, and the command exits 1.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

type Fd = 1 | 2;

/** Per descriptor: written directly (not a terminal), and whether the reader went away. */
const direct = new Map<Fd, boolean>();
const closed = new Set<Fd>();
/** Per descriptor: the code of a write error other than EPIPE ("ENOSPC"). */
const failed = new Map<Fd, string>();

/** A write to `fd` failed: nothing more goes to it. */
function lost(fd: Fd, e: unknown): void {
  closed.add(fd);
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'EPIPE' && !failed.has(fd)) failed.set(fd, code ?? 'EIO');
}

function isDirect(fd: Fd): boolean {
  let d = direct.get(fd);
  if (d === undefined) {
    try {
      const st = fstatSync(fd);
      // A terminal is a character device; so is /dev/null, which is told apart by its numbers.
      d = !st.isCharacterDevice() || st.rdev === statSync('/dev/null').rdev;
    } catch {
      d = false; // no such descriptor, or it cannot be asked: Node's streams decide
    }
    direct.set(fd, d);
    if (!d) streamOf(fd).on('error', (e: NodeJS.ErrnoException) => lost(fd, e));
  }
  return d;
}

const streamOf = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

let pause: Int32Array | undefined;

function writeAll(fd: Fd, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking pipe that is full (its reader is slow): wait a moment, as Node's
        // synchronous stdout does.
        Atomics.wait((pause ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
        continue;
      }
      lost(fd, e);
      return;
    }
  }
}

function write(fd: Fd, data: string | Buffer): void {
  if (closed.has(fd)) return;
  if (isDirect(fd)) writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  else streamOf(fd).write(data);
}

/** Text (UTF-8) or bytes to stdout. */
export const writeOut = (data: string | Buffer): void => write(1, data);

/** Text (UTF-8) or bytes to stderr. */
export const writeErr = (data: string | Buffer): void => write(2, data);

/** The reader of stdout went away (a closed pipe): what is left to print is dropped. */
export const stdoutClosed = (): boolean => closed.has(1);

/** The code of the error that lost stdout's output (not a closed pipe), if one did. */
export const stdoutFailure = (): string | undefined => failed.get(1);

/** Whether stdout is a terminal, without making process.stdout when it plainly is not. */
export const stdoutIsTTY = (): boolean => !isDirect(1) && Boolean(process.stdout.isTTY);

/** Whether stdin is a terminal (keys can be read from it), without making process.stdin. */
// node:tty is loaded when asked (the TUI's checks): it loads net and the streams with it,
// ~4 ms of every command's start (`patchq applied` 62 -> 75 ms on this machine).
export const stdinIsTTY = (): boolean => (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(0);
