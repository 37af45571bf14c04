/**
 * Keys are data: this one table drives the bindings (app.tsx looks actions up here), the
 * footer (the `footer: true` entries of the current screen) and the `?` help screen.
 * Example: pressing `p` on the stack screen -> keyName('p') -> actionFor('stack', 'p') ->
 * 'push'. Destructive actions carry `confirm` and go through a yes/no prompt first.
 */
import type { Key } from 'ink';
import type { Conflict } from './outcomes.js';

export type Screen = 'stack' | 'diff' | 'conflict' | 'report' | 'help';

export type Action =
  | 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last' | 'open' | 'back' | 'push' | 'forcePush' | 'pop' | 'popAll'
  | 'refresh' | 'reapply' | 'regen' | 'edit' | 'filter' | 'help' | 'quit' | 'skip' | 'abort' | 'continue' | 'suspend';

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
  /** On the conflict view, only for such a conflict: the footer leaves it out for others. */
  when?: (c: Conflict) => boolean;
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
  { action: 'forcePush', keys: ['P'], label: 'P force', help: 'Force-push the selected patch: apply what applies, write .rej files', screens: ['stack', 'conflict'], confirm: 'Force push with rejects', when: (c) => c.kind === 'push' },
  { action: 'pop', keys: ['o'], label: 'o pop', help: 'Pop until the selected patch is the top', screens: ['stack', 'diff'], footer: true },
  { action: 'popAll', keys: ['O'], label: 'O pop -a', help: 'Pop every applied patch', screens: ['stack'], confirm: 'Pop all patches' },
  { action: 'refresh', keys: ['r'], label: 'r refresh', help: 'Refresh the top patch from the working tree', screens: ['stack'], footer: true },
  { action: 'reapply', keys: ['R'], label: 'R reapply', help: 'Reapply the whole series on the current upstream (or return to a stopped run)', screens: ['stack'], footer: true },
  { action: 'regen', keys: ['t'], label: 't regen', help: 'Regenerate the selected template patch (in a refused push: then push it again)', screens: ['stack', 'conflict'], footer: true, when: (c) => c.kind === 'push' && Boolean(c.template) },
  { action: 'edit', keys: ['e'], label: 'e edit', help: 'Open the selected patch in $EDITOR at the hunk or line on screen (a stopped reapply: the files with conflicts, all in one run)', screens: ['stack', 'diff', 'conflict'], footer: true },
  { action: 'filter', keys: ['/'], label: '/ filter', help: 'Filter patches by name (enter keeps, esc clears)', screens: ['stack'], footer: true },
  { action: 'skip', keys: ['s', 'esc'], label: 's skip', help: 'Skip: leave the failed patch unapplied (a stopped reapply waits; R returns to it)', screens: ['conflict'], footer: true },
  { action: 'continue', keys: ['c'], label: 'c continue', help: 'Continue a stopped reapply (after fixing the files; drops a patch upstream already has)', screens: ['conflict'], footer: true, when: (c) => c.kind === 'reapply' },
  { action: 'abort', keys: ['a'], label: 'a abort', help: 'Abort: pop what this push applied, or roll the reapply run back', screens: ['conflict'], footer: true, confirm: 'Abort' },
  { action: 'help', keys: ['?'], label: '? help', help: 'Show this help', screens: ALL, footer: true },
  { action: 'suspend', keys: ['ctrl-z'], label: '^Z', help: 'Suspend to the shell (fg comes back)', screens: ALL },
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
 * Footer text for a screen (on the conflict view, the keys for that conflict: `c continue`
 * only for a stopped reapply), cut to the width, `? help` and `q quit` always kept:
 * at 80 columns "↑/k  enter diff  p push  o pop  r refresh ... ? help  q quit".
 */
export function footerText(screen: Screen, width: number, conflict: Conflict | null = null): string {
  const shown = bindings.filter((b) => b.footer && b.screens.includes(screen) && !(screen === 'conflict' && conflict && b.when && !b.when(conflict)));
  const tail = shown.filter((b) => b.action === 'help' || b.action === 'quit').map((b) => b.label).join('  ');
  // What fits, in the table's order; on the conflict view its choices before the moves
  // (at 60 columns `a abort` was the one left out).
  const rest = shown.filter((b) => b.action !== 'help' && b.action !== 'quit');
  const moves = (b: Binding) => screen === 'conflict' && (b.action === 'up' || b.action === 'first');
  const kept = new Set<Binding>();
  let used = tail.length;
  for (const b of [...rest.filter((b) => !moves(b)), ...rest.filter(moves)]) {
    if (used + b.label.length + 2 > width) break;
    kept.add(b);
    used += b.label.length + 2;
  }
  const out = rest.filter((b) => kept.has(b)).map((b) => b.label).join('  ');
  return out ? `${out}  ${tail}` : tail;
}

const SCREEN_NAMES: Record<Screen, string> = { stack: 'the stack', diff: 'a diff', conflict: 'the conflict view', report: 'a report', help: 'the help' };

/**
 * What a key says on a screen where it does nothing (it once said nothing): where it does
 * work, or that it is no key. Examples: `r` in a diff -> "r works on the stack: esc goes
 * back to it"; `c` on the stack -> "c works on the conflict view only"; `x` -> "x is not
 * a key: ? lists the keys".
 */
export function unboundText(screen: Screen, name: string): string {
  const shown = /^[\x00-\x1f\x7f]$/.test(name) ? `^${String.fromCharCode(name.charCodeAt(0) ^ 0x40)}` : name;
  const b = bindings.find((x) => x.keys.includes(name));
  if (!b) return `${shown} is not a key: ? lists the keys`;
  if (b.action === 'back' && screen === 'stack') return `${shown}: this is the stack already (q quits)`;
  if (b.screens.includes('stack')) return `${shown} works on the stack: esc goes back to it`;
  return `${shown} works on ${b.screens.map((x) => SCREEN_NAMES[x]).join(', ')} only`;
}

/** Where a help line's text starts (its keys before it): a wrapped text goes on there. */
export const HELP_INDENT = 18;

/** Help lines: "  keys          what it does" for every binding, grouped by screen order. */
export function helpLines(): string[] {
  return bindings.map((b) => `  ${b.keys.join(', ').padEnd(HELP_INDENT - 2)}${b.help}${b.confirm ? ' (asks first)' : ''}`);
}
