/**
 * Escape, alone or not. A terminal sends the Escape key as one ESC byte, and alt+x (and
 * every arrow, F-key...) as ESC followed by more bytes, so a reader must tell "ESC, then q"
 * from alt+q. ink decides by the read: ESC and q in one read is alt+q. But keys typed while
 * the app is busy (a push runs synchronously between its progress steps), or sent by tmux,
 * or typed fast, arrive in one read: ESC then q (back, then quit) was read as alt+q and did
 * nothing. And ESC at the end of a read was taken as Escape at the next turn of the event
 * loop, so an arrow key split across two reads (a slow ssh link) became Escape, '[', 'A'.
 *
 * Mature TUIs keep a short escape timeout (vim's ttimeoutlen, ncurses' ESCDELAY, tmux's
 * escape-time): an ESC with nothing after it waits that long for the rest of a sequence,
 * then is Escape. This app binds no alt keys, so an ESC followed by anything that starts no
 * sequence ('[' CSI or 'O' SS3) is Escape, and the byte after it is a key of its own.
 *
 * Escape is passed on to ink as the kitty keyboard protocol's code for it, CSI 27 u, which
 * ink reads as Escape on its own whatever follows in the same read.
 * Example: "\x1bq" -> "\x1b[27uq" (Escape, then q); "\x1b[A" stays the up arrow;
 * "\x1b" then, 10 ms later, "[A" -> the up arrow; "\x1b" and nothing for 50 ms -> Escape.
 */
import { EventEmitter } from 'node:events';

/** The Escape key as ink reads it alone (kitty's CSI 27 u). */
export const ESC_KEY = '\x1b[27u';

/** How long an ESC at the end of a read waits for the rest of a sequence (vim/neovim: 50 ms). */
export const ESC_TIMEOUT_MS = 50;

/**
 * The byte stream's ESCs made unambiguous for ink. `push` returns what can be passed on now
 * and keeps an ESC that ends the chunk (`pending`); `flush` gives it up as Escape.
 */
export class EscSplitter {
  private held = '';

  get pending(): boolean {
    return this.held !== '';
  }

  push(chunk: string): string {
    const data = this.held + chunk;
    this.held = '';
    let out = '';
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      if (c !== '\x1b') {
        out += c;
        continue;
      }
      const next = data[i + 1];
      if (next === undefined) {
        this.held = c;
        break;
      }
      // CSI and SS3 sequences (arrows, Home/End, F-keys, ESC [ 27 u itself) go on whole: ink parses them.
      if (next === '[' || next === 'O') out += c;
      else out += ESC_KEY;
    }
    return out;
  }

  flush(): string {
    const had = this.held !== '';
    this.held = '';
    return had ? ESC_KEY : '';
  }
}

/** What ink uses of its stdin (ink's App reads on 'readable'; see node_modules/ink/build/components/App.js). */
interface TtyIn extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  ref?(): unknown;
  unref?(): unknown;
}

/**
 * The terminal's input as ink should read it: the same stream, its ESCs made unambiguous
 * (EscSplitter), an ESC ending a read passed on after `timeoutMs` if nothing follows. It reads
 * the terminal only while ink listens (between the editor runs of `e` it does not).
 */
export class EscInput extends EventEmitter {
  readonly isTTY: boolean;
  private readonly split = new EscSplitter();
  private queue = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly src: TtyIn,
    private readonly timeoutMs = ESC_TIMEOUT_MS,
  ) {
    super();
    this.isTTY = Boolean(src.isTTY);
    this.on('newListener', (event: string) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) src.on('readable', this.onSrc);
    });
    this.on('removeListener', (event: string) => {
      if (event === 'readable' && this.listenerCount('readable') === 0) {
        src.removeListener('readable', this.onSrc);
        this.clearTimer();
      }
    });
  }

  private readonly onSrc = (): void => {
    this.clearTimer();
    let chunk: string | Buffer | null;
    let got = '';
    while ((chunk = this.src.read() as string | Buffer | null) !== null) got += this.split.push(String(chunk));
    this.pass(got);
    if (this.split.pending) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pass(this.split.flush());
      }, this.timeoutMs);
    }
  };

  private pass(text: string): void {
    if (text === '') return;
    this.queue += text;
    this.emit('readable');
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  read(): string | null {
    if (this.queue === '') return null;
    const out = this.queue;
    this.queue = '';
    return out;
  }

  setEncoding(encoding: BufferEncoding): this {
    this.src.setEncoding(encoding);
    return this;
  }

  setRawMode(mode: boolean): this {
    this.src.setRawMode?.(mode);
    return this;
  }

  ref(): this {
    this.src.ref?.();
    return this;
  }

  unref(): this {
    this.src.unref?.();
    return this;
  }

  pause(): this {
    this.src.pause();
    return this;
  }

  resume(): this {
    this.src.resume();
    return this;
  }
}
