/**
 * Keys are data: this one table drives the bindings (app.tsx looks actions up here), the
 * footer (the `footer: true` entries of the current screen) and the `?` help screen.
 * Example: pressing `p` on the stack screen -> keyName('p') -> actionFor('stack', 'p') ->
 * 'push'. Destructive actions carry `confirm` and go through a yes/no prompt first.
 */
import type { Key } from 'ink';

export type Screen = 'stack' | 'diff' | 'conflict' | 'report' | 'help';

export type Action =
  | 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last' | 'open' | 'back' | 'push' | 'forcePush' | 'pop' | 'popAll'
  | 'refresh' | 'reapply' | 'regen' | 'edit' | 'filter' | 'help' | 'quit' | 'skip' | 'abort' | 'continue';

export interface Binding {
  action: Action;
  /** Normalised key names (see keyName). */
  keys: string[];
  /** Short label for the footer; the full text is `help`. */
  label: string;
  help: string;
  screens: Screen[];
  footer?: boolean;
  /** Ask "y/n" before running: the question. */
  confirm?: string;
}

const ALL: Screen[] = ['stack', 'diff', 'conflict', 'report', 'help'];

export const bindings: Binding[] = [
  { action: 'up', keys: ['up', 'k'], label: '↑/k', help: 'Move up (scroll in the diff)', screens: ['stack', 'diff', 'conflict', 'report', 'help'], footer: true },
  { action: 'down', keys: ['down', 'j'], label: '↓/j', help: 'Move down (scroll in the diff)', screens: ['stack', 'diff', 'conflict', 'report', 'help'] },
  { action: 'pageUp', keys: ['pgup'], label: 'PgUp', help: 'Page up', screens: ['stack', 'diff', 'conflict', 'report', 'help'] },
  { action: 'pageDown', keys: ['pgdn', 'space'], label: 'PgDn', help: 'Page down', screens: ['stack', 'diff', 'conflict', 'report', 'help'] },
  { action: 'first', keys: ['home', 'g'], label: 'g/G', help: 'Jump to the first patch (in a page: to its start)', screens: ALL, footer: true },
  { action: 'last', keys: ['end', 'G'], label: 'End/G', help: 'Jump to the last patch (in a page: to its end)', screens: ALL },
  { action: 'open', keys: ['enter'], label: 'enter diff', help: "Open the selected patch's header and diff", screens: ['stack'], footer: true },
  { action: 'back', keys: ['esc', 'left', 'h'], label: 'esc back', help: 'Back to the stack', screens: ['diff', 'report', 'help'], footer: true },
  { action: 'push', keys: ['p'], label: 'p push', help: 'Push up to and including the selected patch', screens: ['stack', 'diff'], footer: true },
  { action: 'forcePush', keys: ['P'], label: 'P force', help: 'Force-push the selected patch: apply what applies, write .rej files', screens: ['stack', 'conflict'], confirm: 'Force push with rejects' },
  { action: 'pop', keys: ['o'], label: 'o pop', help: 'Pop until the selected patch is the top', screens: ['stack', 'diff'], footer: true },
  { action: 'popAll', keys: ['O'], label: 'O pop -a', help: 'Pop every applied patch', screens: ['stack'], confirm: 'Pop all patches' },
  { action: 'refresh', keys: ['r'], label: 'r refresh', help: 'Refresh the top patch from the working tree', screens: ['stack'], footer: true },
  { action: 'reapply', keys: ['R'], label: 'R reapply', help: 'Reapply the whole series on the current upstream (or return to a stopped run)', screens: ['stack'], footer: true },
  { action: 'regen', keys: ['t'], label: 't regen', help: 'Regenerate the selected template patch (in a refused push: then push it again)', screens: ['stack', 'conflict'], footer: true },
  { action: 'edit', keys: ['e'], label: 'e edit', help: 'Open the selected patch in $EDITOR (a stopped reapply: the file with the conflict)', screens: ['stack', 'diff', 'conflict'], footer: true },
  { action: 'filter', keys: ['/'], label: '/ filter', help: 'Filter patches by name (enter keeps, esc clears)', screens: ['stack'], footer: true },
  { action: 'skip', keys: ['s', 'esc'], label: 's skip', help: 'Skip: leave the failed patch unapplied (a stopped reapply waits; R returns to it)', screens: ['conflict'], footer: true },
  { action: 'continue', keys: ['c'], label: 'c continue', help: 'Continue a stopped reapply (after fixing the files; drops a patch upstream already has)', screens: ['conflict'], footer: true },
  { action: 'abort', keys: ['a'], label: 'a abort', help: 'Abort: pop what this push applied, or roll the reapply run back', screens: ['conflict'], footer: true, confirm: 'Abort' },
  { action: 'help', keys: ['?'], label: '? help', help: 'Show this help', screens: ALL, footer: true },
  { action: 'quit', keys: ['q', 'ctrl-c'], label: 'q quit', help: 'Quit', screens: ALL, footer: true },
];

/** Ink's (input, key) as one name: arrows/enter/esc by name, ctrl-X, else the character. */
export function keyName(input: string, key: Partial<Key>): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input) return `ctrl-${input}`;
  if (input === ' ') return 'space';
  return input;
}

export function bindingFor(screen: Screen, name: string): Binding | undefined {
  return bindings.find((b) => b.screens.includes(screen) && b.keys.includes(name));
}

/**
 * Footer text for a screen, cut to the width, `? help` and `q quit` always kept:
 * at 80 columns "↑/k  enter diff  p push  o pop  r refresh ... ? help  q quit".
 */
export function footerText(screen: Screen, width: number): string {
  const shown = bindings.filter((b) => b.footer && b.screens.includes(screen));
  const tail = shown.filter((b) => b.action === 'help' || b.action === 'quit').map((b) => b.label).join('  ');
  let out = '';
  for (const b of shown) {
    if (b.action === 'help' || b.action === 'quit') continue;
    const next = out ? `${out}  ${b.label}` : b.label;
    if (next.length + 2 + tail.length > width) break;
    out = next;
  }
  return out ? `${out}  ${tail}` : tail;
}

/** Where a help line's text starts (its keys before it): a wrapped text goes on there. */
export const HELP_INDENT = 18;

/** Help lines: "  keys          what it does" for every binding, grouped by screen order. */
export function helpLines(): string[] {
  return bindings.map((b) => `  ${b.keys.join(', ').padEnd(HELP_INDENT - 2)}${b.help}${b.confirm ? ' (asks first)' : ''}`);
}
