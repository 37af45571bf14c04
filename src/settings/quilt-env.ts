/**
 * The QUILT_* variables quilt users already set, read as patchq settings (QUILT.md 2.4).
 * Only values that map onto a setting are read here; QUILT_<CMD>_ARGS are prepended to
 * the command line by cli.ts (quiltArgs below), as quilt's `eval set -- ${!args} "$@"`.
 *   QUILT_PATCH_OPTS="--fuzz=0"   -> fuzz 0      (also "-F 0", "-F0")
 *   QUILT_DIFF_OPTS="-U 5"        -> context 5   (also "-U5", "--unified=5")
 *   QUILT_NO_DIFF_INDEX=1         -> index false
 *   QUILT_NO_DIFF_TIMESTAMPS=1    -> timestamps false
 *   VISUAL (else EDITOR), QUILT_PAGER (else PAGER) -> editor, pager
 *   NO_COLOR=1 -> color never; else FORCE_COLOR=0 -> never, FORCE_COLOR=1 -> always
 */
import type { Settings } from './settings.js';

export type EnvSettings = { [K in keyof Settings]?: { value: Settings[K]; from: string } };

/** quilt splits these variables on whitespace (it evals them unquoted). */
export function splitWords(value: string | undefined): string[] {
  return (value ?? '').trim().split(/\s+/).filter((w) => w !== '');
}

/** The number after a short (-F N, -FN) or long (--fuzz=N, --fuzz N) option, last one wins. */
export function optionNumber(words: string[], short: string, long: string): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let raw: string | undefined;
    if (w === `-${short}` || w === `--${long}`) raw = words[i + 1];
    else if (w.startsWith(`--${long}=`)) raw = w.slice(long.length + 3);
    else if (w.startsWith(`-${short}`) && /^\d+$/.test(w.slice(2))) raw = w.slice(2);
    if (raw !== undefined && /^\d+$/.test(raw)) found = Number(raw);
  }
  return found;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): EnvSettings {
  const out: EnvSettings = {};
  const fuzz = optionNumber(splitWords(env.QUILT_PATCH_OPTS), 'F', 'fuzz');
  if (fuzz !== undefined) out.fuzz = { value: fuzz, from: 'QUILT_PATCH_OPTS' };
  const context = optionNumber(splitWords(env.QUILT_DIFF_OPTS), 'U', 'unified');
  if (context !== undefined) out.context = { value: context, from: 'QUILT_DIFF_OPTS' };
  // quilt tests these with [ -n "$VAR" ]: any non-empty value counts.
  if (env.QUILT_NO_DIFF_INDEX) out.index = { value: false, from: 'QUILT_NO_DIFF_INDEX' };
  if (env.QUILT_NO_DIFF_TIMESTAMPS) out.timestamps = { value: false, from: 'QUILT_NO_DIFF_TIMESTAMPS' };
  // VISUAL before EDITOR, as most programs read them (edit, header -e and the TUI use this).
  if (env.VISUAL) out.editor = { value: env.VISUAL, from: 'VISUAL' };
  else if (env.EDITOR) out.editor = { value: env.EDITOR, from: 'EDITOR' };
  // The colour variables (output/color.ts resolveColor applies them): NO_COLOR first.
  if (env.NO_COLOR) out.color = { value: 'never', from: 'NO_COLOR' };
  else if (env.FORCE_COLOR) out.color = { value: env.FORCE_COLOR === '0' ? 'never' : 'always', from: 'FORCE_COLOR' };
  // QUILT_PAGER set but empty means "no pager", so presence (not truthiness) decides.
  if (env.QUILT_PAGER !== undefined) out.pager = { value: env.QUILT_PAGER, from: 'QUILT_PAGER' };
  else if (env.PAGER) out.pager = { value: env.PAGER, from: 'PAGER' };
  return out;
}

/** Commands whose names match quilt's, so QUILT_<CMD>_ARGS applies to them. */
const QUILT_COMMANDS = new Set(['add', 'annotate', 'applied', 'delete', 'diff', 'edit', 'files', 'fold', 'fork', 'grep', 'header', 'import', 'new', 'next', 'patches', 'pop', 'previous', 'push', 'refresh', 'remove', 'rename', 'series', 'snapshot', 'top', 'unapplied']);

/** `QUILT_PUSH_ARGS="--fuzz=0" patchq push x` -> ['--fuzz=0', 'x']. */
export function quiltArgs(command: string, argv: string[], env: NodeJS.ProcessEnv): string[] {
  if (!QUILT_COMMANDS.has(command)) return argv;
  return [...splitWords(env[`QUILT_${command.toUpperCase()}_ARGS`]), ...argv];
}
