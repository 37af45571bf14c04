/**
 * The one palette. Commands and the TUI paint by meaning (`paint(ctx, 'hunk-fuzzy', ...)`),
 * never by raw escape codes, so a role changes colour in one place.
 * Whether to colour at all is decided once, by resolveColor, highest first:
 *   --color=always|never (--color alone = always) > NO_COLOR (any non-empty value: off)
 *   > FORCE_COLOR (non-empty and not "0": on) > the `color` setting (always|never)
 *   > auto: on when stdout is a TTY whose TERM is not `dumb`.
 */
import { PatchqError } from '../engine/errors.js';

export type Role =
  | 'applied' | 'top' | 'unapplied' | 'ok' | 'warn' | 'error'
  | 'hunk-exact' | 'hunk-offset' | 'hunk-merged' | 'hunk-fuzzy' | 'hunk-failed'
  | 'diff-add' | 'diff-del' | 'diff-hunk' | 'diff-header';

/** SGR codes per role, quilt's diff colours where quilt has one (QUILT_COLORS defaults). */
export const PALETTE: Record<Role, string> = {
  applied: '32',
  top: '1;32',
  unapplied: '2',
  ok: '32',
  warn: '33',
  error: '31',
  'hunk-exact': '32',
  'hunk-offset': '36',
  'hunk-merged': '35',
  'hunk-fuzzy': '33',
  'hunk-failed': '1;31',
  'diff-add': '36',
  'diff-del': '35',
  'diff-hunk': '33',
  'diff-header': '32',
};

export type ColorMode = 'auto' | 'always' | 'never';

/**
 * @param option the --color value ('' when bare), undefined when not given
 * @param setting the `color` setting's value
 */
export function resolveColor(env: NodeJS.ProcessEnv, tty: boolean, option?: string, setting: ColorMode = 'auto'): boolean {
  const auto = tty && !dumbTerminal(env);
  if (option !== undefined) {
    if (option === '' || option === 'always') return true;
    if (option === 'never') return false;
    if (option !== 'auto') throw new PatchqError('E_USAGE', `--color must be always, auto or never, got '${option}'`, { data: { usage: true } });
    return auto && !env.NO_COLOR;
  }
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  if (setting === 'always') return true;
  if (setting === 'never') return false;
  return auto;
}

/** TERM=dumb: a terminal that shows escape sequences as they are (no colour, no cursor moves). */
export const dumbTerminal = (env: NodeJS.ProcessEnv): boolean => env.TERM === 'dumb';

/** `paint({color: true}, 'error', 'x')` -> "\x1b[31mx\x1b[0m"; plain text when colour is off. */
export function paint(ctx: { color: boolean }, role: Role, text: string): string {
  if (!ctx.color || text === '') return text;
  return `\x1b[${PALETTE[role]}m${text}\x1b[0m`;
}

/**
 * quilt's push/pop wording, coloured by meaning as `quilt --color` does: failures red,
 * offsets, fuzz and merges in their landing colours, the closing "Now at patch" green.
 * Lines that match nothing are returned as they are.
 */
const LINE_ROLES: [RegExp, Role][] = [
  [/FAILED|does not apply|^Patch .* can be reverse-applied|conflict/i, 'hunk-failed'],
  [/with fuzz \d|fuzzy/, 'hunk-fuzzy'],
  [/merged|3-way/i, 'hunk-merged'],
  [/succeeded at \d+ \(offset/, 'hunk-offset'],
  [/^Now at patch |^No patches applied$|^Removing patch /, 'ok'],
  [/^Warning|^warning:|needs refresh|Reversed \(or previously applied\)/, 'warn'],
];

export function paintLine(ctx: { color: boolean }, line: string): string {
  if (!ctx.color) return line;
  for (const [re, role] of LINE_ROLES) if (re.test(line)) return paint(ctx, role, line);
  return line;
}
